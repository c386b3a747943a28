/* Tasks: pids, references, the task loop, and the file-system context. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/kernel/internal.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

/* --- pids ----------------------------------------------------------------- */

static bool pid_in_use(struct kernel *k, pid_t pid)
{
	if (k->tasks[pid] || k->groups[pid])
		return true;
	/* Still the id of a live process group or session? */
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *tg = k->groups[i];
		if (tg && tg->state != TG_REAPED && (tg->pgid == pid || tg->sid == pid))
			return true;
	}
	return false;
}

pid_t kernel_alloc_pid(struct kernel *k)
{
	for (int tries = 0; tries < KERNEL_MAX_PID; tries++) {
		pid_t pid = k->next_pid;
		k->next_pid = pid + 1 >= KERNEL_MAX_PID ? 300 : pid + 1;   /* as Linux wraps */
		if (pid > 0 && !pid_in_use(k, pid))
			return pid;
	}
	return -EAGAIN;
}

struct task *kernel_find_task(struct kernel *k, pid_t tid)
{
	if (tid <= 0 || tid >= KERNEL_MAX_PID)
		return NULL;
	return k->tasks[tid];
}

struct thread_group *kernel_find_tg(struct kernel *k, pid_t tgid)
{
	if (tgid <= 0 || tgid >= KERNEL_MAX_PID)
		return NULL;
	struct thread_group *tg = k->groups[tgid];
	return tg && tg->state != TG_REAPED ? tg : NULL;
}

/* --- references -------------------------------------------------------------- */

void task_get(struct task *t)
{
	atomic_fetch_add(&t->refcount, 1);
}

void task_put(struct task *t)
{
	if (!t || atomic_fetch_sub(&t->refcount, 1) != 1)
		return;
	if (t->wake_fd >= 0)
		close(t->wake_fd);
	struct ksiginfo *q, *tmp;
	list_for_each_entry_safe(q, tmp, &t->pending.queue, node)
		ksiginfo_free(q);
	free(t->strace_line);
	free(t->io_buf);
	tg_put(t->tg);
	free(t);
}

void *task_io_buffer(struct task *t, size_t size)
{
	if (size == 0)
		size = 1;
	if (t->io_buf_size < size) {
		char *b = realloc(t->io_buf, size);
		if (!b)
			return NULL;
		t->io_buf = b;
		t->io_buf_size = size;
	}
	return t->io_buf;
}

void tg_get(struct thread_group *tg)
{
	atomic_fetch_add(&tg->refcount, 1);
}

void tg_put(struct thread_group *tg)
{
	if (!tg || atomic_fetch_sub(&tg->refcount, 1) != 1)
		return;
	struct ksiginfo *q, *tmp;
	list_for_each_entry_safe(q, tmp, &tg->shared_pending.queue, node)
		ksiginfo_free(q);
	if (tg->sighand && atomic_fetch_sub(&tg->sighand->refcount, 1) == 1)
		free(tg->sighand);
	if (tg->exe.dentry)
		inode_allow_write(tg->exe.dentry->inode);
	path_put(&tg->exe);
	free(tg);
}

/* --- interrupting a task ------------------------------------------------------ */

void task_interrupt(struct task *t)
{
	/* Pairs with the check in run_guest(): either the task sees the flag
	 * before it enters guest code, or we see it in guest code and kick. */
	atomic_store(&t->interrupt, true);
	task_wake(t);
	if (atomic_load(&t->in_guest) && t->ctx)
		t->platform->kick(t->ctx);
}

/* --- the task loop -------------------------------------------------------------- */

static void handle_syscall(struct task *t)
{
	long nr;
	uint64_t args[6];
	if (t->platform->syscall_args) {
		nr = t->platform->syscall_args(t->ctx, args);
	} else {
		struct user_regs_struct *r = t->platform->regs(t->ctx);
		nr = (long)r->orig_rax;
		args[0] = r->rdi;
		args[1] = r->rsi;
		args[2] = r->rdx;
		args[3] = r->r10;
		args[4] = r->r8;
		args[5] = r->r9;
	}
	t->syscall_nr = nr;
	memcpy(t->syscall_args, args, sizeof args);
	long ret = syscall_dispatch(t, nr, args);
	task_set_syscall_result(t, ret);
}

/* Runs guest code until something needs the sentry.  Returns false when the
 * task must leave the loop. */
static bool run_guest(struct task *t)
{
	struct platform_event ev;
	atomic_store(&t->in_guest, true);
	/* (A plain load first: the locked exchange only when it is set.) */
	if (atomic_load(&t->interrupt) && atomic_exchange(&t->interrupt, false)) {
		atomic_store(&t->in_guest, false);
		return true;
	}
	int err = t->platform->run(t->ctx, &ev);
	/* Out of guest code: a kick now is not needed, the loop checks for
	 * work before it runs guest code again. */
	atomic_store_explicit(&t->in_guest, false, memory_order_release);
	atomic_store_explicit(&t->interrupt, false, memory_order_release);
	if (err < 0) {
		log_warn("task %d: platform failure: %s", t->tid, strerror(-err));
		task_exit_group(t, SIGKILL);
		return false;
	}
	switch (ev.kind) {
	case PLATFORM_SYSCALL:
		if (ev.patch_rip)
			mm_patch_syscall_site(t, ev.patch_rip);
		handle_syscall(t);
		break;
	case PLATFORM_FAULT:
		task_force_fault_signal(t, &ev.info);
		break;
	case PLATFORM_INTERRUPT:
		break;
	case PLATFORM_COMPAT_MODE:
		log_debug("task %d: stopped in 32-bit code; killed", t->tid);
		if (!ev.info.si_signo)
			ev.info = (siginfo_t){ .si_signo = SIGSEGV, .si_code = SI_KERNEL };
		task_force_fatal_signal(t, &ev.info);
		break;
	case PLATFORM_EXITED:
		/* The host killed the stub (out of memory?) or we did. */
		if (!task_should_exit(t))
			task_exit_group(t, SIGKILL);
		return false;
	}
	return true;
}

static __thread struct task *current_task;

struct task *task_current(void)
{
	return current_task;
}

void task_run(struct task *t)
{
	current_task = t;
	for (;;) {
		if (task_deliver_signals(t))
			break;
		if (!run_guest(t))
			break;
	}
	task_exit_final(t);
}

int task_start_thread(struct task *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	int err = pthread_create(&t->thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return -err;
}

int kernel_service_thread(pthread_t *th, void *(*fn)(void *), void *arg, bool detached)
{
	/* Host signals are the main thread's and the tasks' business. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_t tmp;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	if (detached)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(th ? th : &tmp, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -err;
}

/* A new task with one reference and nothing attached. */
struct task *task_alloc(struct kernel *k)
{
	struct task *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->wake_fd < 0) {
		free(t);
		return NULL;
	}
	atomic_init(&t->refcount, 1);
	t->k = k;
	t->platform = k->platform;
	list_init(&t->pending.queue);
	list_init(&t->tg_node);
	t->altstack.ss_flags = SS_DISABLE;
	t->syscall_nr = -1;
	/* Every CPU the sandbox may use; clone copies the parent's. */
	t->affinity = k->cpus;
	return t;
}

/* --- file-system context ------------------------------------------------------- */

struct fs_context *fs_context_new(const struct path *root, const struct path *cwd)
{
	struct fs_context *fs = calloc(1, sizeof *fs);
	if (!fs)
		return NULL;
	atomic_init(&fs->refcount, 1);
	pthread_mutex_init(&fs->lock, NULL);
	fs->root = *root;
	path_get(&fs->root);
	fs->cwd = *cwd;
	path_get(&fs->cwd);
	fs->umask = 022;
	return fs;
}

struct fs_context *fs_context_copy(struct fs_context *src)
{
	pthread_mutex_lock(&src->lock);
	struct fs_context *fs = fs_context_new(&src->root, &src->cwd);
	if (fs)
		fs->umask = src->umask;
	pthread_mutex_unlock(&src->lock);
	return fs;
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || atomic_fetch_sub(&fs->refcount, 1) != 1)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

int task_walk_root(struct task *t, int dirfd, const char *path, struct walk_root *out)
{
	pthread_mutex_lock(&t->fs->lock);
	out->root = t->fs->root;
	path_get(&out->root);
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		out->start = path[0] == '/' ? t->fs->root : t->fs->cwd;
		path_get(&out->start);
		pthread_mutex_unlock(&t->fs->lock);
		return 0;
	}
	pthread_mutex_unlock(&t->fs->lock);
	struct file *f = fd_get(t->files, dirfd);
	if (!f) {
		path_put(&out->root);
		return -EBADF;
	}
	if (!f->path.dentry) {
		file_put(f);
		path_put(&out->root);
		return path[0] ? -ENOTDIR : -EBADF;
	}
	/* With a path, dirfd must be a directory; with "" (AT_EMPTY_PATH) it
	 * is the object itself. */
	if (path[0] && !S_ISDIR(f->path.dentry->inode->mode)) {
		file_put(f);
		path_put(&out->root);
		return -ENOTDIR;
	}
	out->start = f->path;
	path_get(&out->start);
	file_put(f);
	return 0;
}

void walk_root_put(struct walk_root *w)
{
	path_put(&w->root);
	path_put(&w->start);
}

/* --- the end of the run ------------------------------------------------------------ */

int kernel_wait_finished(struct kernel *k)
{
	pthread_mutex_lock(&k->lock);
	while (!k->finished || k->nr_tasks > 0)
		pthread_cond_wait(&k->finished_cond, &k->lock);
	int status = k->init_status;
	pthread_mutex_unlock(&k->lock);
	return status;
}
