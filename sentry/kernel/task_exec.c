/* execve: replacing a process's program (fs/exec.c is the reference). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "sentry/kernel/internal.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

static int open_exec(struct task *t, int dirfd, const char *path, int at_flags,
		     struct file **out)
{
	struct walk_root wr;
	int err = task_walk_root(t, dirfd, path, &wr);
	if (err < 0)
		return err;
	unsigned lf = LOOKUP_FOLLOW;
	if (at_flags & AT_SYMLINK_NOFOLLOW)
		lf &= ~(unsigned)LOOKUP_FOLLOW;
	if (at_flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	struct path p;
	err = vfs_walk(t, &wr, path, lf, &p);
	walk_root_put(&wr);
	if (err < 0)
		return err;
	if (S_ISLNK(p.dentry->inode->mode))
		err = -ELOOP;
	else if (S_ISDIR(p.dentry->inode->mode))
		err = -EACCES;
	else
		err = vfs_open_path(t, &p, O_RDONLY | VFS_OPEN_EXEC, out);
	path_put(&p);
	return err;
}

/* A NULL-terminated copy of v with n leading strings replaced. */
static char **argv_splice(char *const lead[], int nlead, char *const v[], int skip)
{
	int n = 0;
	while (v && v[n])
		n++;
	int rest = n > skip ? n - skip : 0;
	char **out = calloc((size_t)nlead + (size_t)rest + 1, sizeof *out);
	if (!out)
		return NULL;
	for (int i = 0; i < nlead; i++)
		out[i] = lead[i];
	for (int i = 0; i < rest; i++)
		out[nlead + i] = v[skip + i];
	return out;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* execve in a multithreaded process (fs/exec.c de_thread): the other
 * threads are killed and waited for, and the exec'ing thread takes over
 * the process's id.  -EAGAIN if the process is dying anyway. */
static int de_thread(struct task *t)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&k->lock);
	if (tg->nr_threads > 1) {
		struct task *o;
		list_for_each_entry(o, &tg->threads, tg_node) {
			if (o != t) {
				o->exiting = true;
				task_interrupt(o);
			}
		}
		tg->exec_waiter = t;
		while (tg->nr_threads > 1 && !tg->group_exiting && !t->exiting) {
			pthread_mutex_unlock(&k->lock);
			task_block_uninterruptible(t, NULL);
			pthread_mutex_lock(&k->lock);
		}
		tg->exec_waiter = NULL;
	}
	int err = tg->group_exiting || t->exiting ? -EAGAIN : 0;
	if (err == 0 && t->tid != tg->tgid) {
		/* The leader is gone: this thread becomes it. */
		if (k->tasks[t->tid] == t)
			k->tasks[t->tid] = NULL;
		t->tid = tg->tgid;
		k->tasks[t->tid] = t;
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

/* Everything execve changes once the new image is in place. */
static void exec_commit(struct task *t, struct file *f, const char *filename,
			const struct exec_image *img)
{
	struct kernel *k = t->k;

	if (fdtable_shared(t->files)) {
		struct fdtable *copy = fdtable_copy(t->files);
		if (copy) {
			fdtable_put(t->files);
			t->files = copy;
		}
	}
	fdtable_close_on_exec(t->files);
	signals_reset_for_exec(t);
	ptimers_exec(t);

	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = t->tg;
	snprintf(t->comm, sizeof t->comm, "%s", basename_of(filename));
	memcpy(tg->comm, t->comm, sizeof tg->comm);
	struct path old_exe = tg->exe;
	tg->exe = f->path;   /* holds the deny-write taken before loading */
	path_get(&tg->exe);
	tg->exec_done = true;
	t->clear_child_tid = 0;
	t->robust_list = 0;
	vfork_release_locked(tg);
	pthread_mutex_unlock(&k->lock);
	if (old_exe.dentry)
		inode_allow_write(old_exe.dentry->inode);
	path_put(&old_exe);

	struct user_regs_struct *r = t->platform->regs(t->ctx);
	unsigned long long cs = r->cs, ss = r->ss, ds = r->ds, es = r->es;
	memset(r, 0, sizeof *r);
	r->cs = cs;
	r->ss = ss;
	r->ds = ds;
	r->es = es;
	r->rip = img->entry;
	r->rsp = img->stack;
	r->eflags = 0x202;
	r->orig_rax = (uint64_t)-1;
	struct user_fpregs_struct fp;
	memset(&fp, 0, sizeof fp);
	fp.cwd = 0x37f;       /* the FPU and SSE state of a new process */
	fp.mxcsr = 0x1f80;
	t->platform->set_fpregs(t->ctx, &fp);
}

/* The new address space, put in place at the exec's point of no return
 * (the loader has read and checked the program by then; see exec_image).
 * When nothing else shares the old one (a vfork parent does) and the exec
 * raises no privileges, the platform empties it in place (reset): a host
 * process neither made nor ended.  Otherwise a fresh one, the old one kept
 * until the image is complete, so that a failed exec still returns to the
 * caller.  A setuid (AT_SECURE) exec, or one of a program its caller may
 * not read (undumpable), always gets a fresh one: guest code can make host
 * processes that share its stub's memory behind the sentry's back (a
 * clone(CLONE_VM) from the stub's code, which only its own process pays
 * for), and those must not see a program they could not ptrace. */
struct exec_switch {
	struct task *t;
	bool may_reset;
	bool switched, in_place;
	struct platform_ctx *octx, *nctx;
	struct mm *omm, *nmm;
};

static int exec_switch(void *arg)
{
	struct exec_switch *sw = arg;
	struct task *t = sw->t;
	struct kernel *k = t->k;
	struct mm *nmm = mm_new();
	if (!nmm)
		return -ENOMEM;
	bool in_place = sw->may_reset && t->platform->reset && t->ctx && t->mm &&
			atomic_load(&t->mm->refcount) == 1;
	struct platform_ctx *nctx = NULL;
	if (!in_place) {
		int err = t->platform->create(&nctx);
		if (err < 0) {
			mm_put(nmm);
			return err;
		}
	}
	pthread_mutex_lock(&k->lock);
	sw->octx = t->ctx;
	sw->omm = t->mm;
	if (!in_place)
		t->ctx = nctx;
	t->mm = nmm;
	pthread_mutex_unlock(&k->lock);
	sw->nctx = nctx;
	sw->nmm = nmm;
	sw->switched = true;
	sw->in_place = in_place;
	return in_place ? t->platform->reset(t->ctx) : 0;
}

long task_execve(struct task *t, int dirfd, const char *path, const char *name,
		 char *const argv[], char *const envp[], int at_flags)
{
	struct kernel *k = t->k;
	struct file *f;
	int err = open_exec(t, dirfd, path, at_flags, &f);
	if (err < 0)
		return err;

	/* #! scripts: the interpreter runs with the script as an argument. */
	_cleanup_free_ char *filename = strdup(name);
	char **args = argv_splice(NULL, 0, argv, 0);
	char *interp_bufs[LOADER_MAX_SCRIPT_DEPTH] = { 0 };
	if (!filename || !args) {
		err = -ENOMEM;
		goto out;
	}
	for (int depth = 0;; depth++) {
		char *buf = malloc(LOADER_HEADER_SIZE + 1);
		if (!buf) {
			err = -ENOMEM;
			goto out;
		}
		long n = loader_pread(t, f, buf, LOADER_HEADER_SIZE, 0);
		if (n < 0) {
			free(buf);
			err = (int)n;
			goto out;
		}
		char *interp, *arg;
		err = script_parse(buf, (size_t)n, &interp, &arg);
		if (err == -ENOEXEC) {
			free(buf);
			break;   /* not a script: the ELF loader decides */
		}
		if (depth >= LOADER_MAX_SCRIPT_DEPTH || err < 0) {
			free(buf);
			err = err < 0 ? err : -ELOOP;
			goto out;
		}
		/* Found through a close-on-exec descriptor, the script would be
		 * gone when its interpreter opens /dev/fd/N: Linux says ENOENT. */
		if (depth == 0 && dirfd != AT_FDCWD && path[0] != '/' &&
		    fd_get_cloexec(t->files, dirfd) > 0) {
			free(buf);
			err = -ENOENT;
			goto out;
		}
		interp_bufs[depth] = buf;
		/* argv becomes: interp [arg] script-path argv[1..] */
		char *lead[3] = { interp, arg, filename };
		char *lead2[2] = { interp, filename };
		char **nargs = arg ? argv_splice(lead, 3, args, 1) : argv_splice(lead2, 2, args, 1);
		if (!nargs) {
			err = -ENOMEM;
			goto out;
		}
		free(args);
		args = nargs;
		file_put(f);
		f = NULL;
		if ((err = open_exec(t, AT_FDCWD, interp, 0, &f)) < 0)
			goto out;
	}

	/* Nobody may write to a program while it runs (ETXTBSY both ways). */
	if ((err = inode_deny_write(f->inode)) < 0)
		goto out;
	/* From here on the process is committed to this program (or dies):
	 * its other threads go first. */
	if ((err = de_thread(t)) < 0) {
		inode_allow_write(f->inode);
		goto out;
	}

	/* The credentials the program will run with (AT_UID... and AT_SECURE). */
	struct exec_cred ec;
	cred_exec_prepare(t, f, &ec);
	struct exec_switch sw = { .t = t, .may_reset = !ec.secure && !ec.undumpable };
	struct exec_image img = { .cred = &ec.cred, .secure = ec.secure, .commit = exec_switch,
				  .commit_arg = &sw };
	err = loader_load_elf(t, f, filename, args, envp, &img);
	if (err < 0 && sw.in_place) {
		/* The old image is gone: nothing to return to (Linux, past its
		 * point of no return, ends the process the same way). */
		inode_allow_write(f->inode);
		mm_put(sw.omm);
		siginfo_t kill_info = { .si_signo = SIGKILL, .si_code = SI_KERNEL };
		task_force_fatal_signal(t, &kill_info);
		goto out;
	}
	if (err < 0) {
		if (sw.switched) {
			pthread_mutex_lock(&k->lock);
			t->ctx = sw.octx;
			t->mm = sw.omm;
			pthread_mutex_unlock(&k->lock);
			t->platform->destroy(sw.nctx);
			mm_put(sw.nmm);
		}
		inode_allow_write(f->inode);
		goto out;
	}
	if (!sw.in_place) {
		task_account_stub(t, sw.octx);
		t->platform->destroy(sw.octx);
	}
	mm_put(sw.omm);
	exec_commit(t, f, filename, &img);
	cred_exec_commit(t, &ec);
out:
	for (int i = 0; i < LOADER_MAX_SCRIPT_DEPTH; i++)
		free(interp_bufs[i]);
	free(args);
	if (f)
		file_put(f);
	return err;
}
