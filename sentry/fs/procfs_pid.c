/* /proc/[pid] and /proc/[pid]/task/[tid]: the processes of the guest (and
 * only those: pids are the sentry's own).  fs/proc/base.c and
 * fs/proc/array.c are the reference for names, modes and formats. */
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "sentry/fs/procfs.h"
#include "sentry/mm/mm.h"

/* --- the process behind a context ----------------------------------------------- */

struct thread_group *proc_tg_locked(const struct proc_ctx *c)
{
	struct thread_group *tg = kernel_find_tg(c->k, c->tgid);
	if (!tg || ts_cmp(tg->start_time, c->tg_start) != 0)
		return NULL;
	return tg;
}

struct task *proc_task_locked(const struct proc_ctx *c)
{
	struct thread_group *tg = proc_tg_locked(c);
	if (!tg)
		return NULL;
	if (c->tid) {
		struct task *t = kernel_find_task(c->k, c->tid);
		if (!t || t->tg != tg || t != c->task_id || t->state == TASK_EXITED)
			return NULL;
		return t;
	}
	struct task *lead = kernel_find_task(c->k, tg->tgid);
	if (lead && lead->tg == tg && lead->state != TASK_EXITED)
		return lead;
	struct task *t;
	list_for_each_entry(t, &tg->threads, tg_node)
		if (t->state != TASK_EXITED)
			return t;
	return NULL;
}

bool proc_ctx_alive(const struct proc_ctx *c)
{
	pthread_mutex_lock(&c->k->lock);
	bool alive = proc_tg_locked(c) && (!c->tid || proc_task_locked(c));
	pthread_mutex_unlock(&c->k->lock);
	return alive;
}

int proc_ctx_bind(struct proc_ctx *c)
{
	struct kernel *k = c->k;
	int err = 0;
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = kernel_find_tg(k, c->tgid);
	if (!tg) {
		err = -ENOENT;
	} else {
		c->tg_start = tg->start_time;
		c->task_id = NULL;
		if (c->tid) {
			struct task *t = kernel_find_task(k, c->tid);
			if (!t || t->tg != tg || t->state == TASK_EXITED)
				err = -ENOENT;
			else
				c->task_id = t;
		}
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

struct fdtable *proc_get_files(const struct proc_ctx *c)
{
	pthread_mutex_lock(&c->k->lock);
	struct task *t = proc_task_locked(c);
	struct fdtable *files = t ? t->files : NULL;
	if (files)
		fdtable_get(files);
	pthread_mutex_unlock(&c->k->lock);
	return files;
}

struct mm *proc_get_mm(const struct proc_ctx *c)
{
	pthread_mutex_lock(&c->k->lock);
	struct task *t = proc_task_locked(c);
	struct mm *mm = t ? t->mm : NULL;
	if (mm)
		mm_get(mm);
	pthread_mutex_unlock(&c->k->lock);
	return mm;
}

int proc_get_fs_paths(const struct proc_ctx *c, struct path *root, struct path *cwd)
{
	pthread_mutex_lock(&c->k->lock);
	struct task *t = proc_task_locked(c);
	struct fs_context *fs = t ? t->fs : NULL;
	if (fs)
		atomic_fetch_add(&fs->refcount, 1);
	pthread_mutex_unlock(&c->k->lock);
	if (!fs)
		return -ENOENT;
	pthread_mutex_lock(&fs->lock);
	if (root) {
		*root = fs->root;
		path_get(root);
	}
	if (cwd) {
		*cwd = fs->cwd;
		path_get(cwd);
	}
	pthread_mutex_unlock(&fs->lock);
	fs_context_put(fs);
	return 0;
}

int proc_may_access(const struct proc_ctx *c)
{
	if (!c->reader)
		return 0;
	int err = -EACCES;
	pthread_mutex_lock(&c->k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	if (!tg) {
		err = -ENOENT;
	} else {
		const struct cred *me = &c->reader->tg->cred, *it = &tg->cred;
		if (c->reader->tg == tg || cred_capable(me, CAP_SYS_PTRACE) ||
		    (me->fsuid == it->uid && me->fsuid == it->euid && me->fsuid == it->suid &&
		     me->fsgid == it->gid && me->fsgid == it->egid && me->fsgid == it->sgid &&
		     !tg->undumpable))
			err = 0;
	}
	pthread_mutex_unlock(&c->k->lock);
	return err;
}

/* --- /proc itself: the pid directories ------------------------------------------------- */

/* A pid as /proc names it: decimal, no sign, no leading zero. */
static int parse_pid(const char *name)
{
	if (name[0] < '1' || name[0] > '9')
		return -1;
	long v = 0;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v >= KERNEL_MAX_PID)
			return -1;
	}
	return (int)v;
}

int proc_root_lookup_pid(const struct proc_ctx *dir, const char *name, struct proc_ctx *out)
{
	int pid = parse_pid(name);
	if (pid <= 0)
		return -ENOENT;
	struct kernel *k = dir->k;
	pid_t tgid = 0, tid = 0;
	pthread_mutex_lock(&k->lock);
	if (kernel_find_tg(k, pid)) {
		tgid = pid;
	} else {
		/* A thread's id works too (not listed), as on Linux. */
		struct task *t = kernel_find_task(k, pid);
		if (t && t->state != TASK_EXITED && t->tg->state != TG_REAPED) {
			tgid = t->tg->tgid;
			tid = pid;
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (!tgid)
		return -ENOENT;
	*out = *dir;
	out->entry = &proc_pid_dir_entry;
	out->tgid = tgid;
	out->tid = tid;
	out->fd = -1;
	return proc_ctx_bind(out);
}

int proc_root_list_pids(const struct proc_ctx *dir, struct proc_dirlist *l)
{
	struct kernel *k = dir->k;
	pid_t *pids = malloc(KERNEL_MAX_PID * sizeof *pids);
	if (!pids)
		return -ENOMEM;
	int n = 0;
	pthread_mutex_lock(&k->lock);
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++)
		if (kernel_find_tg(k, i))
			pids[n++] = i;
	pthread_mutex_unlock(&k->lock);
	int err = 0;
	for (int i = 0; i < n && err == 0; i++) {
		char name[16];
		snprintf(name, sizeof name, "%d", (int)pids[i]);
		err = proc_dirlist_add(l, name, proc_ino(&proc_pid_dir_entry, pids[i], 0, -1), DT_DIR);
	}
	free(pids);
	return err;
}

/* --- task/ ----------------------------------------------------------------------- */

static int task_lookup(const struct proc_ctx *dir, const char *name, struct proc_ctx *out)
{
	int tid = parse_pid(name);
	if (tid <= 0)
		return -ENOENT;
	struct kernel *k = dir->k;
	bool ok = false;
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = proc_tg_locked(dir);
	struct task *t = kernel_find_task(k, tid);
	if (tg && t && t->tg == tg && t->state != TASK_EXITED)
		ok = true;
	pthread_mutex_unlock(&k->lock);
	if (!ok)
		return -ENOENT;
	*out = *dir;
	out->entry = &proc_tid_dir_entry;
	out->tid = tid;
	out->fd = -1;
	return proc_ctx_bind(out);
}

static int task_list(const struct proc_ctx *dir, struct proc_dirlist *l)
{
	struct kernel *k = dir->k;
	int cap = 64, n = 0;
	pid_t *tids = NULL;
	for (;;) {
		pid_t *nt = realloc(tids, (size_t)cap * sizeof *tids);
		if (!nt) {
			free(tids);
			return -ENOMEM;
		}
		tids = nt;
		bool fits = true;
		n = 0;
		pthread_mutex_lock(&k->lock);
		struct thread_group *tg = proc_tg_locked(dir);
		if (tg) {
			struct task *t;
			list_for_each_entry(t, &tg->threads, tg_node) {
				if (t->state == TASK_EXITED)
					continue;
				if (n == cap) {
					fits = false;
					break;
				}
				tids[n++] = t->tid;
			}
		}
		pthread_mutex_unlock(&k->lock);
		if (fits)
			break;
		cap *= 2;
	}
	int err = 0;
	for (int i = 0; i < n && err == 0; i++) {
		char name[16];
		snprintf(name, sizeof name, "%d", (int)tids[i]);
		err = proc_dirlist_add(l, name, proc_ino(&proc_tid_dir_entry, dir->tgid, tids[i], -1),
				       DT_DIR);
	}
	free(tids);
	return err;
}

/* --- a snapshot of the process state --------------------------------------------------- */

struct pinfo {
	pid_t pid, tgid, ppid, pgid, sid;
	char state;
	bool zombie;
	bool is_thread;          /* a non-leader thread's own view */
	char comm[16];
	int nr_threads;
	struct timespec utime, stime, cutime, cstime, start;
	int exit_signal, exit_code;
	int tty_nr;
	pid_t tpgid;
	sigmask_t pending, shd_pending, blocked, ignored, caught;
	int sigq;
	struct cred cred;
	struct rlimit rlim[RLIM_NLIMITS];
	struct mm *mm;           /* referenced; NULL for a zombie */
	bool no_new_privs;
	bool seccomp;            /* a seccomp profile applies (tg->seccomp) */
};

static int count_queue(const struct sigpending *p)
{
	int n = 0;
	const struct list_head *pos;
	list_for_each(pos, &p->queue)
		n++;
	return n;
}

static char state_of_locked(const struct proc_ctx *c, struct thread_group *tg, struct task *t)
{
	if (tg->state != TG_ALIVE || !t || t->state == TASK_EXITED)
		return 'Z';
	if (tg->stopped)
		return 'T';
	/* Sleeping means blocked in the sentry waiting for something; in guest
	 * code or serving a syscall is running. */
	if (atomic_load(&t->sleeping) && !(c->reader && t == c->reader))
		return 'S';
	return 'R';
}

static int pinfo_get(const struct proc_ctx *c, struct pinfo *p)
{
	struct kernel *k = c->k;
	memset(p, 0, sizeof *p);
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	if (!tg) {
		pthread_mutex_unlock(&k->lock);
		return -ESRCH;
	}
	struct task *t = proc_task_locked(c);
	p->tgid = tg->tgid;
	p->pid = c->tid ? c->tid : tg->tgid;
	p->is_thread = c->tid && c->tid != tg->tgid;
	p->ppid = tg->parent ? tg->parent->tgid : 0;
	p->pgid = tg->pgid;
	p->sid = tg->sid;
	tty_proc_stat_locked(tg, &p->tty_nr, &p->tpgid);
	p->zombie = tg->state != TG_ALIVE;
	p->state = state_of_locked(c, tg, t);
	memcpy(p->comm, t ? t->comm : tg->comm, sizeof p->comm);
	p->comm[sizeof p->comm - 1] = 0;
	p->nr_threads = tg->nr_threads > 0 ? tg->nr_threads : 1;
	p->utime = tg->utime;
	p->stime = tg->stime;
	p->cutime = tg->cutime;
	p->cstime = tg->cstime;
	p->start = tg->start_time;
	p->exit_signal = p->is_thread ? -1 : tg->exit_signal;
	p->exit_code = p->zombie ? tg->exit_code : 0;
	p->seccomp = tg->seccomp != NULL;
	p->shd_pending = tg->shared_pending.mask;
	p->sigq = count_queue(&tg->shared_pending);
	if (t) {
		p->pending = t->pending.mask;
		p->blocked = t->blocked;
		p->sigq += count_queue(&t->pending);
		p->mm = t->mm;
		if (p->mm)
			mm_get(p->mm);
		p->no_new_privs = t->no_new_privs;
	}
	if (tg->sighand) {
		for (int sig = 1; sig <= GUEST_NSIG; sig++) {
			uint64_t h = tg->sighand->action[sig - 1].handler;
			if (h == (uint64_t)(uintptr_t)SIG_IGN)
				p->ignored |= SIGBIT(sig);
			else if (h != (uint64_t)(uintptr_t)SIG_DFL)
				p->caught |= SIGBIT(sig);
		}
	}
	p->cred = tg->cred;
	memcpy(p->rlim, tg->rlim, sizeof p->rlim);
	pthread_mutex_unlock(&k->lock);
	return 0;
}

static void pinfo_put(struct pinfo *p)
{
	if (p->mm)
		mm_put(p->mm);
	p->mm = NULL;
}

static uint64_t ticks_of(struct timespec ts)
{
	if (ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * PROC_USER_HZ +
	       (uint64_t)ts.tv_nsec / (1000000000 / PROC_USER_HZ);
}

/* Sizes of an address space, in pages. */
struct vmstat {
	uint64_t total, rss, rss_anon, rss_file, rss_shmem, data, stack, exec, text, locked;
	uint64_t start_code, end_code, start_data, end_data, brk_start, stack_top;
	uint64_t arg_start, arg_end, env_start, env_end;
};

/* The resident set is not known (the host keeps the pages): every
 * accessible mapping is counted as resident. */
static void vmstat_get(struct mm *mm, struct vmstat *v)
{
	memset(v, 0, sizeof *v);
	if (!mm)
		return;
	pthread_mutex_lock(&mm->lock);
	struct vma *a;
	list_for_each_entry(a, &mm->vmas, node) {
		if (a->kind == VMA_STUB)
			continue;
		uint64_t pages = (a->end - a->start) / PAGE_SIZE;
		bool shared = (a->flags & MAP_TYPE) == MAP_SHARED;
		v->total += pages;
		if (a->prot != PROT_NONE) {
			v->rss += pages;
			if (a->file && !shared)
				v->rss_file += pages;
			else if (shared)
				v->rss_shmem += pages;
			else
				v->rss_anon += pages;
		}
		if (a->kind == VMA_STACK)
			v->stack += pages;
		else if ((a->prot & PROT_WRITE) && !shared)
			v->data += pages;
		else if ((a->prot & PROT_EXEC) && !(a->prot & PROT_WRITE))
			v->exec += pages;
	}
	v->start_code = mm->start_code;
	v->end_code = mm->end_code;
	v->start_data = mm->start_data;
	v->end_data = mm->end_data;
	v->brk_start = mm->brk_start;
	v->stack_top = mm->stack_top;
	v->arg_start = mm->arg_start;
	v->arg_end = mm->arg_end;
	v->env_start = mm->env_start;
	v->env_end = mm->env_end;
	pthread_mutex_unlock(&mm->lock);
	if (v->end_code > v->start_code)
		v->text = (PAGE_ALIGN(v->end_code) - PAGE_DOWN(v->start_code)) / PAGE_SIZE;
	if (v->text > v->exec)
		v->text = v->exec;
}

/* --- stat, statm, status ---------------------------------------------------------------- */

static unsigned long long rlim_val(rlim_t r)
{
	return r == RLIM_INFINITY ? ULLONG_MAX : (unsigned long long)r;
}

static int stat_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct pinfo p;
	int err = pinfo_get(c, &p);
	if (err < 0)
		return err;
	struct vmstat v;
	vmstat_get(p.mm, &v);
	unsigned long long flags = 0x400000;   /* PF_RANDOMIZE */
	if (p.zombie)
		flags |= 0x4;                  /* PF_EXITING */
	strbuf_printf(b, "%d (%s) %c %d %d %d %d %d %llu 0 0 0 0 %llu %llu %llu %llu 20 0 %d 0 %llu "
		       "%llu %llu %llu ",
		    (int)p.pid, p.comm, p.state, (int)p.ppid, (int)p.pgid, (int)p.sid, p.tty_nr,
		    (int)p.tpgid, flags,
		    (unsigned long long)ticks_of(p.utime), (unsigned long long)ticks_of(p.stime),
		    (unsigned long long)ticks_of(p.cutime), (unsigned long long)ticks_of(p.cstime),
		    p.nr_threads, (unsigned long long)proc_mono_to_ticks(p.start),
		    (unsigned long long)(v.total * PAGE_SIZE), (unsigned long long)v.rss,
		    rlim_val(p.rlim[RLIMIT_RSS].rlim_cur));
	strbuf_printf(b, "%llu %llu %llu 0 0 %llu %llu %llu %llu 0 0 0 %d 0 0 0 0 0 0 ",
		    (unsigned long long)v.start_code, (unsigned long long)v.end_code,
		    (unsigned long long)v.stack_top, (unsigned long long)(p.pending | p.shd_pending),
		    (unsigned long long)p.blocked, (unsigned long long)p.ignored,
		    (unsigned long long)p.caught, p.exit_signal);
	strbuf_printf(b, "%llu %llu %llu %llu %llu %llu %llu %d\n", (unsigned long long)v.start_data,
		    (unsigned long long)v.end_data, (unsigned long long)v.brk_start,
		    (unsigned long long)v.arg_start, (unsigned long long)v.arg_end,
		    (unsigned long long)v.env_start, (unsigned long long)v.env_end, p.exit_code);
	pinfo_put(&p);
	return 0;
}

static int statm_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct mm *mm = proc_get_mm(c);
	struct vmstat v;
	vmstat_get(mm, &v);
	if (mm)
		mm_put(mm);
	strbuf_printf(b, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)v.total,
		    (unsigned long long)v.rss, (unsigned long long)(v.rss_file + v.rss_shmem),
		    (unsigned long long)v.text, (unsigned long long)(v.data + v.stack));
	return 0;
}

static const char *state_name(char s)
{
	switch (s) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'T': return "T (stopped)";
	case 'Z': return "Z (zombie)";
	default: return "X (dead)";
	}
}

static void kb(struct strbuf *b, const char *name, uint64_t pages)
{
	strbuf_printf(b, "%s\t%8llu kB\n", name, (unsigned long long)(pages * (PAGE_SIZE / 1024)));
}

static int status_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct pinfo p;
	int err = pinfo_get(c, &p);
	if (err < 0)
		return err;
	int umask = -1;
	struct fdtable *files = NULL;
	if (!p.zombie) {
		pthread_mutex_lock(&c->k->lock);
		struct task *t = proc_task_locked(c);
		struct fs_context *fs = t ? t->fs : NULL;
		if (fs)
			atomic_fetch_add(&fs->refcount, 1);
		if (t && t->files) {
			files = t->files;
			fdtable_get(files);
		}
		pthread_mutex_unlock(&c->k->lock);
		if (fs) {
			pthread_mutex_lock(&fs->lock);
			umask = (int)fs->umask;
			pthread_mutex_unlock(&fs->lock);
			fs_context_put(fs);
		}
	}
	int fdsize = 0;
	if (files) {
		int max = fdtable_max_fd(files);
		fdsize = 64;
		while (fdsize < max)
			fdsize *= 2;
		fdtable_put(files);
	}

	strbuf_printf(b, "Name:\t%s\n", p.comm);
	if (umask >= 0)
		strbuf_printf(b, "Umask:\t%04o\n", umask);
	strbuf_printf(b, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		    state_name(p.state), (int)p.tgid, (int)p.pid, (int)p.ppid);
	strbuf_printf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", p.cred.uid, p.cred.euid,
		    p.cred.suid, p.cred.fsuid, p.cred.gid, p.cred.egid, p.cred.sgid, p.cred.fsgid);
	strbuf_printf(b, "FDSize:\t%d\nGroups:\t", fdsize);
	for (int i = 0; i < p.cred.ngroups && i < CRED_NGROUPS_MAX; i++)
		strbuf_printf(b, i ? " %u" : "%u", p.cred.groups[i]);
	strbuf_printf(b, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", (int)p.tgid,
		    (int)p.pid, (int)p.pgid, (int)p.sid);
	if (p.mm) {
		struct vmstat v;
		vmstat_get(p.mm, &v);
		kb(b, "VmPeak:", v.total);
		kb(b, "VmSize:", v.total);
		kb(b, "VmLck:", 0);
		kb(b, "VmPin:", 0);
		kb(b, "VmHWM:", v.rss);
		kb(b, "VmRSS:", v.rss);
		kb(b, "RssAnon:", v.rss_anon);
		kb(b, "RssFile:", v.rss_file);
		kb(b, "RssShmem:", v.rss_shmem);
		kb(b, "VmData:", v.data);
		kb(b, "VmStk:", v.stack);
		kb(b, "VmExe:", v.text);
		kb(b, "VmLib:", v.exec - v.text);
		kb(b, "VmPTE:", (v.total + 511) / 512);
		kb(b, "VmSwap:", 0);
		strbuf_puts(b, "HugetlbPages:\t       0 kB\nCoreDumping:\t0\nTHP_enabled:\t1\n");
	}
	strbuf_printf(b, "Threads:\t%d\nSigQ:\t%d/%llu\n", p.nr_threads, p.sigq,
		    rlim_val(p.rlim[RLIMIT_SIGPENDING].rlim_cur));
	strbuf_printf(b, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
		       "SigCgt:\t%016llx\n",
		    (unsigned long long)p.pending, (unsigned long long)p.shd_pending,
		    (unsigned long long)p.blocked, (unsigned long long)p.ignored,
		    (unsigned long long)p.caught);
	strbuf_printf(b, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		       "CapAmb:\t%016llx\n",
		    (unsigned long long)p.cred.cap_inheritable,
		    (unsigned long long)p.cred.cap_permitted,
		    (unsigned long long)p.cred.cap_effective, (unsigned long long)p.cred.cap_bset,
		    (unsigned long long)p.cred.cap_ambient);
	/* The container's profile counts as one filter in mode 2 (filter). */
	bool filtered = p.seccomp;
	strbuf_printf(b, "NoNewPrivs:\t%d\nSeccomp:\t%d\nSeccomp_filters:\t%d\n",
		      p.no_new_privs, filtered ? 2 : 0, filtered ? 1 : 0);
	strbuf_puts(b, "Speculation_Store_Bypass:\tvulnerable\n"
		     "SpeculationIndirectBranch:\talways enabled\n");
	int ncpus = c->fs->host->ncpus;
	unsigned long long cpumask = ncpus >= 64 ? ~0ULL : (1ULL << ncpus) - 1;
	strbuf_printf(b, "Cpus_allowed:\t%llx\n", cpumask);
	if (ncpus > 1)
		strbuf_printf(b, "Cpus_allowed_list:\t0-%d\n", ncpus - 1);
	else
		strbuf_puts(b, "Cpus_allowed_list:\t0\n");
	strbuf_puts(b, "Mems_allowed:\t00000001\nMems_allowed_list:\t0\n"
		     "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	pinfo_put(&p);
	return 0;
}

/* --- guest memory: cmdline, environ, auxv ---------------------------------------------- */

#define GUEST_CHUNK   (64UL << 10)
#define ARGS_MAX      (4UL << 20)   /* bound on cmdline and environ */

/* Copies guest memory of c's task (while it still runs mm) into dst; the
 * task lock is held over each bounded chunk so that the platform context
 * cannot go away under the copy.  Returns the bytes copied. */
static size_t read_guest(const struct proc_ctx *c, struct mm *mm, uint64_t addr, void *dst,
			 size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t n = len - done < GUEST_CHUNK ? len - done : GUEST_CHUNK;
		ssize_t r = -ESRCH;
		pthread_mutex_lock(&c->k->lock);
		struct task *t = proc_task_locked(c);
		if (t && t->mm == mm && t->ctx && t->platform)
			r = t->platform->read_mem(t->ctx, (char *)dst + done, addr + done, n);
		pthread_mutex_unlock(&c->k->lock);
		if (r <= 0)
			break;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return done;
}

/* Appends guest memory [start, end) to b (bounded). */
static void guest_range(const struct proc_ctx *c, struct mm *mm, uint64_t start, uint64_t end,
			struct strbuf *b)
{
	if (end <= start)
		return;
	size_t len = end - start;
	if (len > ARGS_MAX)
		len = ARGS_MAX;
	if (!strbuf_reserve(b, len))
		return;
	b->len += read_guest(c, mm, start, b->s + b->len, len);
	b->s[b->len] = 0;
}

static int cmdline_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct mm *mm = proc_get_mm(c);
	if (!mm)
		return 0;   /* a zombie's is empty */
	pthread_mutex_lock(&mm->lock);
	uint64_t start = mm->arg_start, end = mm->arg_end;
	pthread_mutex_unlock(&mm->lock);
	if (end > start) {
		char last = 0;
		if (read_guest(c, mm, end - 1, &last, 1) == 1 && last != 0) {
			/* The NUL at the end was overwritten (setproctitle): the
			 * text up to the first NUL, within a page. */
			char page[PAGE_SIZE];
			size_t got = read_guest(c, mm, start, page, sizeof page);
			size_t n = strnlen(page, got);
			if (n < got)
				n++;
			strbuf_append(b, page, n);
		} else {
			guest_range(c, mm, start, end, b);
		}
	}
	mm_put(mm);
	return 0;
}

static int environ_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct mm *mm = proc_get_mm(c);
	if (!mm)
		return 0;
	pthread_mutex_lock(&mm->lock);
	uint64_t start = mm->env_start, end = mm->env_end;
	pthread_mutex_unlock(&mm->lock);
	guest_range(c, mm, start, end, b);
	mm_put(mm);
	return 0;
}

static int auxv_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct mm *mm = proc_get_mm(c);
	if (!mm)
		return 0;
	uint64_t auxv[64];
	pthread_mutex_lock(&mm->lock);
	size_t n = mm->auxv_len < 64 ? mm->auxv_len : 64;
	memcpy(auxv, mm->auxv, n * sizeof auxv[0]);
	pthread_mutex_unlock(&mm->lock);
	mm_put(mm);
	strbuf_append(b, auxv, n * sizeof auxv[0]);
	return 0;
}

/* --- comm ----------------------------------------------------------------------------- */

static int comm_show(const struct proc_ctx *c, struct strbuf *b)
{
	char comm[16];
	pthread_mutex_lock(&c->k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	struct task *t = proc_task_locked(c);
	if (!tg) {
		pthread_mutex_unlock(&c->k->lock);
		return -ESRCH;
	}
	memcpy(comm, t ? t->comm : tg->comm, sizeof comm);
	pthread_mutex_unlock(&c->k->lock);
	comm[sizeof comm - 1] = 0;
	strbuf_printf(b, "%s\n", comm);
	return 0;
}

/* As Linux: only within the thread group; the bytes are taken as they are
 * (a trailing newline included), 15 at most. */
static ssize_t comm_write(const struct proc_ctx *c, const char *buf, size_t len)
{
	if (!c->reader)
		return -EINVAL;
	char comm[16] = "";
	memcpy(comm, buf, len < 15 ? len : 15);
	ssize_t r = (ssize_t)len;
	pthread_mutex_lock(&c->k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	struct task *t = proc_task_locked(c);
	if (!tg || !t || c->reader->tg != tg) {
		r = -EINVAL;
	} else {
		memcpy(t->comm, comm, sizeof comm);
		if (t->tid == tg->tgid)
			memcpy(tg->comm, comm, sizeof comm);
	}
	pthread_mutex_unlock(&c->k->lock);
	return r;
}

/* --- maps, limits, mounts ------------------------------------------------------------- */

static int maps_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct mm *mm = proc_get_mm(c);
	if (!mm)
		return 0;
	/* mm_format_maps stops at the first line that does not fit: grow
	 * until there is room for one more line of the longest kind. */
	size_t size = 64 << 10;
	for (;;) {
		if (!strbuf_reserve(b, size))
			break;
		size_t n = mm_format_maps(mm, b->s, size);
		if (n + PATH_MAX + 256 < size || size >= PROC_MAX_TEXT / 2) {
			b->len = n;
			b->s[n] = 0;
			break;
		}
		size *= 4;
	}
	mm_put(mm);
	return 0;
}

static const struct {
	const char *name, *unit;
} limit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", NULL },
	[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

static void limit_col(struct strbuf *b, rlim_t v)
{
	if (v == RLIM_INFINITY)
		strbuf_printf(b, "%-20s ", "unlimited");
	else
		strbuf_printf(b, "%-20llu ", (unsigned long long)v);
}

static int limits_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct rlimit rl[RLIM_NLIMITS];
	pthread_mutex_lock(&c->k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	if (tg)
		memcpy(rl, tg->rlim, sizeof rl);
	pthread_mutex_unlock(&c->k->lock);
	if (!tg)
		return -ESRCH;
	strbuf_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		if (!limit_names[i].name)
			continue;
		strbuf_printf(b, "%-25s ", limit_names[i].name);
		limit_col(b, rl[i].rlim_cur);
		limit_col(b, rl[i].rlim_max);
		if (limit_names[i].unit)
			strbuf_printf(b, "%-10s\n", limit_names[i].unit);
		else
			strbuf_puts(b, "\n");
	}
	return 0;
}

struct mount_list {
	struct mount **m;
	size_t n, cap;
	bool failed;
};

static void collect_mount(struct mount *m, void *arg)
{
	struct mount_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct mount **nm = realloc(l->m, cap * sizeof *nm);
		if (!nm) {
			l->failed = true;
			return;
		}
		l->m = nm;
		l->cap = cap;
	}
	mount_get(m);
	l->m[l->n++] = m;
}

/* Paths in mounts are escaped as Linux's mangle() does. */
static void put_escaped(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			strbuf_printf(b, "\\%03o", (unsigned char)*s);
		else
			strbuf_append(b, s, 1);
	}
}

static void mount_opts(struct strbuf *b, struct mount *m)
{
	bool ro = (m->flags & MNT_RDONLY) || (m->sb->flags & SB_RDONLY);
	strbuf_puts(b, ro ? "ro" : "rw");
	if (m->flags & MNT_NOSUID)
		strbuf_puts(b, ",nosuid");
	if (m->flags & MNT_NODEV)
		strbuf_puts(b, ",nodev");
	if (m->flags & MNT_NOEXEC)
		strbuf_puts(b, ",noexec");
	strbuf_puts(b, ",relatime");
}

void proc_format_mounts(struct procfs *fs, const struct path *root, bool mountinfo,
			struct strbuf *b)
{
	struct mount_list l = { 0 };
	mount_table_for_each(fs->k->mounts, collect_mount, &l);
	char *where = malloc(PATH_MAX);
	for (size_t i = 0; i < l.n && where; i++) {
		struct mount *m = l.m[i];
		struct path mp = m->parent ? (struct path){ m->parent, m->mountpoint }
					   : (struct path){ m, m->root };
		if (path_to_string(&mp, root, where, PATH_MAX) < 0)
			continue;
		const char *fstype = m->sb->fstype ? m->sb->fstype : "none";
		if (mountinfo) {
			strbuf_printf(b, "%d %d %u:%u / ", m->id, m->parent ? m->parent->id : m->id,
				    major(m->sb->dev), minor(m->sb->dev));
			put_escaped(b, where);
			strbuf_puts(b, " ");
			mount_opts(b, m);
			strbuf_printf(b, " - %s ", fstype);
			put_escaped(b, m->source);
			strbuf_puts(b, (m->sb->flags & SB_RDONLY) ? " ro\n" : " rw\n");
		} else {
			put_escaped(b, m->source);
			strbuf_puts(b, " ");
			put_escaped(b, where);
			strbuf_printf(b, " %s ", fstype);
			mount_opts(b, m);
			strbuf_puts(b, " 0 0\n");
		}
	}
	free(where);
	for (size_t i = 0; i < l.n; i++)
		mount_put(l.m[i]);
	free(l.m);
}

static int mounts_common(const struct proc_ctx *c, struct strbuf *b, bool mountinfo)
{
	struct path root;
	if (proc_get_fs_paths(c, &root, NULL) < 0)
		return 0;   /* a zombie has no mounts to show */
	proc_format_mounts(c->fs, &root, mountinfo, b);
	path_put(&root);
	return 0;
}

static int mounts_show(const struct proc_ctx *c, struct strbuf *b)
{
	return mounts_common(c, b, false);
}

static int mountinfo_show(const struct proc_ctx *c, struct strbuf *b)
{
	return mounts_common(c, b, true);
}

/* --- small files --------------------------------------------------------------------- */

static int cgroup_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "0::/\n");
	return 0;
}

static int io_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\n"
		     "cancelled_write_bytes: 0\n");
	return 0;
}

static int zero_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "0\n");
	return 0;
}

static int unset_id_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "4294967295");
	return 0;
}

static int personality_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "00000000\n");
	return 0;
}

static int id_map_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_printf(b, "%10u %10u %10u\n", 0u, 0u, 4294967295u);
	return 0;
}

static int setgroups_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "allow\n");
	return 0;
}

static int children_show(const struct proc_ctx *c, struct strbuf *b)
{
	pthread_mutex_lock(&c->k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	/* Children are kept per process: shown under the leader thread. */
	if (tg && (!c->tid || c->tid == tg->tgid)) {
		struct thread_group *child;
		list_for_each_entry(child, &tg->children, sibling)
			strbuf_printf(b, "%d ", (int)child->tgid);
	}
	pthread_mutex_unlock(&c->k->lock);
	return 0;
}

/* A process's value, or else (as fork copies it) the nearest ancestor's. */
static int oom_adj_value(const struct proc_ctx *c)
{
	struct {
		pid_t tgid;
		struct timespec start;
	} chain[32];
	int n = 0;
	pthread_mutex_lock(&c->k->lock);
	for (struct thread_group *tg = proc_tg_locked(c); tg && n < 32; tg = tg->parent) {
		chain[n].tgid = tg->tgid;
		chain[n].start = tg->start_time;
		n++;
	}
	pthread_mutex_unlock(&c->k->lock);
	int v = 0;
	for (int i = 0; i < n; i++)
		if (proc_oom_find(c->fs, chain[i].tgid, chain[i].start, &v))
			break;
	return v;
}

static int oom_score_adj_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_printf(b, "%d\n", oom_adj_value(c));
	return 0;
}

static int parse_int(const char *buf, size_t len, long *out)
{
	char text[32];
	if (len >= sizeof text)
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = 0;
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || errno)
		return -EINVAL;
	while (*end == ' ' || *end == '\n' || *end == '\t')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static ssize_t set_oom(const struct proc_ctx *c, long v, size_t len)
{
	if (v < -1000 || v > 1000)
		return -EINVAL;
	/* Lowering it takes privilege (CAP_SYS_RESOURCE). */
	if (v < oom_adj_value(c) && c->reader &&
	    !cred_capable(&c->reader->tg->cred, CAP_SYS_RESOURCE))
		return -EACCES;
	proc_oom_set(c->fs, c->tgid, c->tg_start, (int)v);
	return (ssize_t)len;
}

static ssize_t oom_score_adj_write(const struct proc_ctx *c, const char *buf, size_t len)
{
	long v;
	if (parse_int(buf, len, &v) < 0)
		return -EINVAL;
	return set_oom(c, v, len);
}

static int oom_adj_show(const struct proc_ctx *c, struct strbuf *b)
{
	int adj = oom_adj_value(c);
	strbuf_printf(b, "%d\n", adj == 1000 ? 15 : adj * 17 / 1000);
	return 0;
}

static ssize_t oom_adj_write(const struct proc_ctx *c, const char *buf, size_t len)
{
	long v;
	if (parse_int(buf, len, &v) < 0 || v < -17 || v > 15)
		return -EINVAL;
	return set_oom(c, v == 15 ? 1000 : v == -17 ? -1000 : v * 1000 / 17, len);
}

/* --- the tables ----------------------------------------------------------------------- */

#define REG(n, m, fn) { .name = n, .mode = S_IFREG | (m), .show = fn }
#define PRIV(n, m, fn) { .name = n, .mode = S_IFREG | (m), .flags = PE_PRIVATE, .show = fn }
#define RW(n, fn, wfn) { .name = n, .mode = S_IFREG | 0644, .show = fn, .write = wfn }
#define MAGIC(n, rl, gl) { .name = n, .mode = S_IFLNK | 0777, .readlink = rl, .get_link = gl }

/* Entries of both /proc/[pid] and /proc/[pid]/task/[tid]. */
#define COMMON_ENTRIES                                                                  \
	PRIV("auxv", 0400, auxv_show),                                                  \
	REG("cgroup", 0444, cgroup_show),                                               \
	REG("cmdline", 0444, cmdline_show),                                             \
	RW("comm", comm_show, comm_write),                                              \
	MAGIC("cwd", proc_cwd_readlink, proc_cwd_get_link),                             \
	PRIV("environ", 0400, environ_show),                                            \
	MAGIC("exe", proc_exe_readlink, proc_exe_get_link),                             \
	{ .name = "fd", .mode = S_IFDIR | 0500, .lookup = proc_fd_lookup,               \
	  .list = proc_fd_list },                                                       \
	{ .name = "fdinfo", .mode = S_IFDIR | 0555, .lookup = proc_fdinfo_lookup,       \
	  .list = proc_fdinfo_list },                                                   \
	RW("gid_map", id_map_show, NULL),                                               \
	PRIV("io", 0400, io_show),                                                      \
	REG("limits", 0444, limits_show),                                               \
	REG("loginuid", 0444, unset_id_show),                                           \
	PRIV("maps", 0444, maps_show),                                                  \
	REG("mountinfo", 0444, mountinfo_show),                                         \
	REG("mounts", 0444, mounts_show),                                               \
	RW("oom_adj", oom_adj_show, oom_adj_write),                                     \
	REG("oom_score", 0444, zero_show),                                              \
	RW("oom_score_adj", oom_score_adj_show, oom_score_adj_write),                   \
	PRIV("personality", 0400, personality_show),                                    \
	MAGIC("root", proc_root_readlink, proc_root_get_link),                          \
	REG("sessionid", 0444, unset_id_show),                                          \
	RW("setgroups", setgroups_show, NULL),                                          \
	REG("stat", 0444, stat_show),                                                   \
	REG("statm", 0444, statm_show),                                                 \
	REG("status", 0444, status_show),                                               \
	RW("uid_map", id_map_show, NULL),                                               \
	REG("wchan", 0444, zero_show)

static struct proc_entry pid_children[] = {
	COMMON_ENTRIES,
	{ .name = "task", .mode = S_IFDIR | 0555, .lookup = task_lookup, .list = task_list },
	{ 0 },
};

static struct proc_entry tid_children[] = {
	COMMON_ENTRIES,
	REG("children", 0444, children_show),
	{ 0 },
};

struct proc_entry proc_pid_dir_entry = {
	.name = "[pid]",
	.mode = S_IFDIR | 0555,
	.children = pid_children,
};

struct proc_entry proc_tid_dir_entry = {
	.name = "[tid]",
	.mode = S_IFDIR | 0555,
	.children = tid_children,
};
