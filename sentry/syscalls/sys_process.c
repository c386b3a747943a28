/* Processes: ids, fork/clone/exec/exit/wait, process groups and sessions,
 * limits, uname, sysinfo, arch_prctl, prctl. */
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

/* --- ids --------------------------------------------------------------------------- */

SYSCALL_DEFINE(getpid)
{
	return t->tg->tgid;
}

SYSCALL_DEFINE(gettid)
{
	return t->tid;
}

SYSCALL_DEFINE(getppid)
{
	pthread_mutex_lock(&t->k->lock);
	pid_t ppid = t->tg->parent ? t->tg->parent->tgid : 0;
	pthread_mutex_unlock(&t->k->lock);
	return ppid;
}

SYSCALL_DEFINE(getuid)
{
	return t->tg->cred.uid;
}

SYSCALL_DEFINE(geteuid)
{
	return t->tg->cred.euid;
}

SYSCALL_DEFINE(getgid)
{
	return t->tg->cred.gid;
}

SYSCALL_DEFINE(getegid)
{
	return t->tg->cred.egid;
}

SYSCALL_DEFINE(getresuid)
{
	const struct cred *c = &t->tg->cred;
	if (copy_to_user(t, a0, &c->uid, sizeof(uid_t)) < 0 ||
	    copy_to_user(t, a1, &c->euid, sizeof(uid_t)) < 0 ||
	    copy_to_user(t, a2, &c->suid, sizeof(uid_t)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(getresgid)
{
	const struct cred *c = &t->tg->cred;
	if (copy_to_user(t, a0, &c->gid, sizeof(gid_t)) < 0 ||
	    copy_to_user(t, a1, &c->egid, sizeof(gid_t)) < 0 ||
	    copy_to_user(t, a2, &c->sgid, sizeof(gid_t)) < 0)
		return -EFAULT;
	return 0;
}

/* --- process groups and sessions ------------------------------------------------------- */

static struct thread_group *tg_or_self_locked(struct task *t, pid_t pid)
{
	return pid == 0 ? t->tg : kernel_find_tg(t->k, pid);
}

SYSCALL_DEFINE(getpgid)
{
	pid_t pid = (pid_t)a0;
	if (pid < 0)
		return -ESRCH;
	pthread_mutex_lock(&t->k->lock);
	struct thread_group *tg = tg_or_self_locked(t, pid);
	long r = tg ? tg->pgid : -ESRCH;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

SYSCALL_DEFINE(getpgrp)
{
	pthread_mutex_lock(&t->k->lock);
	long r = t->tg->pgid;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

SYSCALL_DEFINE(getsid)
{
	pid_t pid = (pid_t)a0;
	if (pid < 0)
		return -ESRCH;
	pthread_mutex_lock(&t->k->lock);
	struct thread_group *tg = tg_or_self_locked(t, pid);
	long r = tg ? tg->sid : -ESRCH;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

SYSCALL_DEFINE(setsid)
{
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = t->tg;
	long r = -EPERM;
	/* A process group leader cannot start a session, nor may anyone take
	 * a session id that is some group's id already. */
	bool taken = false;
	for (pid_t i = 1; i < KERNEL_MAX_PID && !taken; i++) {
		struct thread_group *g = k->groups[i];
		taken = g && g->state != TG_REAPED && g->pgid == tg->tgid;
	}
	if (!taken) {
		tg->sid = tg->pgid = tg->tgid;
		tty_setsid_locked(tg);   /* a new session has no terminal */
		r = tg->sid;
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

SYSCALL_DEFINE(setpgid)
{
	pid_t pid = (pid_t)a0, pgid = (pid_t)a1;
	struct kernel *k = t->k;
	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	long r = 0;
	struct thread_group *tg = tg_or_self_locked(t, pid);
	if (!tg || (tg != t->tg && tg->parent != t->tg)) {
		r = -ESRCH;
		goto out;
	}
	if (tg != t->tg) {
		if (tg->sid != t->tg->sid) {
			r = -EPERM;
			goto out;
		}
		if (tg->exec_done) {
			r = -EACCES;
			goto out;
		}
	}
	if (tg->sid == tg->tgid) {
		r = -EPERM;   /* a session leader stays where it is */
		goto out;
	}
	if (pgid == 0)
		pgid = tg->tgid;
	if (pgid != tg->tgid) {
		/* Joining a group: it must exist in the same session. */
		bool found = false;
		for (pid_t i = 1; i < KERNEL_MAX_PID && !found; i++) {
			struct thread_group *g = k->groups[i];
			found = g && g->state != TG_REAPED && g->pgid == pgid && g->sid == tg->sid;
		}
		if (!found) {
			r = -EPERM;
			goto out;
		}
	}
	tg->pgid = pgid;
out:
	pthread_mutex_unlock(&k->lock);
	return r;
}

/* --- fork, clone, exec ------------------------------------------------------------------ */

SYSCALL_DEFINE(fork)
{
	struct clone_request req = { .exit_signal = SIGCHLD };
	return task_clone(t, &req);
}

SYSCALL_DEFINE(vfork)
{
	struct clone_request req = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return task_clone(t, &req);
}

SYSCALL_DEFINE(clone)
{
	/* x86-64: clone(flags, stack, parent_tid, child_tid, tls) */
	struct clone_request req = {
		.flags = a0 & ~(uint64_t)CSIGNAL,
		.exit_signal = (int)(a0 & CSIGNAL),
		.stack = a1,
		.parent_tid = a2,
		.child_tid = a3,
		.tls = a4,
	};
	return task_clone(t, &req);
}

SYSCALL_DEFINE(clone3)
{
	struct clone_args ca;
	size_t size = (size_t)a1;
	if (size > 4096)
		return -E2BIG;
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	memset(&ca, 0, sizeof ca);
	if (copy_from_user(t, &ca, a0, size < sizeof ca ? size : sizeof ca) < 0)
		return -EFAULT;
	if (size > sizeof ca) {
		/* Unknown trailing fields must be zero. */
		char tail[64];
		for (size_t off = sizeof ca; off < size; off += sizeof tail) {
			size_t n = size - off < sizeof tail ? size - off : sizeof tail;
			if (copy_from_user(t, tail, a0 + off, n) < 0)
				return -EFAULT;
			for (size_t i = 0; i < n; i++)
				if (tail[i])
					return -E2BIG;
		}
	}
	/* clone3 takes the exit signal on its own: CSIGNAL bits and
	 * CLONE_DETACHED in flags are invalid, and so is a bad signal. */
	if (ca.exit_signal > 64 || (ca.flags & (CSIGNAL | CLONE_DETACHED)))
		return -EINVAL;
	if ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal)
		return -EINVAL;
	if (ca.set_tid || ca.set_tid_size || ca.cgroup || (ca.flags & CLONE_PIDFD))
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	struct clone_request req = {
		.flags = ca.flags,
		.exit_signal = (int)ca.exit_signal,
		.stack = ca.stack ? ca.stack + ca.stack_size : 0,
		.parent_tid = ca.parent_tid,
		.child_tid = ca.child_tid,
		.tls = ca.tls,
	};
	return task_clone(t, &req);
}

static void free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Copies a NULL-terminated array of strings (argv, envp), within the
 * limits execve has: each string up to MAX_ARG_STRLEN, all of them up to
 * a quarter of the stack limit. */
static long copy_strv(struct task *t, uint64_t uaddr, size_t *total, char ***out)
{
	size_t cap = 16, n = 0;
	char **v = calloc(cap, sizeof *v);
	if (!v)
		return -ENOMEM;
	rlim_t stack = t->tg->rlim[RLIMIT_STACK].rlim_cur;
	size_t limit = stack == RLIM_INFINITY || stack / 4 > (6UL << 20) ? (6UL << 20) : stack / 4;
	if (limit < 32 * 4096)
		limit = 32 * 4096;
	for (; uaddr; n++) {
		uint64_t p;
		if (copy_from_user(t, &p, uaddr + n * 8, sizeof p) < 0) {
			free_strv(v);
			return -EFAULT;
		}
		if (!p)
			break;
		if (n + 1 >= cap) {
			cap *= 2;
			char **nv = realloc(v, cap * sizeof *nv);
			if (!nv) {
				free_strv(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n + 1] = NULL;
		char *s = malloc(LOADER_MAX_ARG_STRLEN);
		if (!s) {
			free_strv(v);
			return -ENOMEM;
		}
		long len = strncpy_from_user(t, s, p, LOADER_MAX_ARG_STRLEN);
		if (len < 0) {
			free(s);
			free_strv(v);
			return len == -ENAMETOOLONG ? -E2BIG : len;
		}
		*total += (size_t)len + 1 + sizeof(void *);
		if (*total > limit) {
			free(s);
			free_strv(v);
			return -E2BIG;
		}
		v[n] = realloc(s, (size_t)len + 1);
		if (!v[n])
			v[n] = s;
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

static long do_execveat(struct task *t, int dirfd, uint64_t upath, uint64_t uargv,
			uint64_t uenvp, int flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	_cleanup_free_ char *path = NULL;
	long err = copy_path_from_user(t, upath, &path);
	if (err < 0)
		return err;
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	if ((err = copy_strv(t, uargv, &total, &argv)) < 0)
		return err;
	if ((err = copy_strv(t, uenvp, &total, &envp)) < 0) {
		free_strv(argv);
		return err;
	}
	/* The program's name (AT_EXECFN, and a script's argument) when it was
	 * found through a descriptor: "/dev/fd/N" or "/dev/fd/N/PATH", as on
	 * Linux. */
	char *fdname = NULL;
	const char *name = path;
	if (dirfd != AT_FDCWD && path[0] != '/') {
		size_t n = strlen(path) + 32;
		fdname = malloc(n);
		if (!fdname) {
			free_strv(argv);
			free_strv(envp);
			return -ENOMEM;
		}
		if (path[0] == 0)
			snprintf(fdname, n, "/dev/fd/%d", dirfd);
		else
			snprintf(fdname, n, "/dev/fd/%d/%s", dirfd, path);
		name = fdname;
	}
	err = task_execve(t, dirfd, path, name, argv, envp, flags);
	free(fdname);
	free_strv(argv);
	free_strv(envp);
	return err;
}

SYSCALL_DEFINE(execve)
{
	return do_execveat(t, AT_FDCWD, a0, a1, a2, 0);
}

SYSCALL_DEFINE(execveat)
{
	return do_execveat(t, (int)a0, a1, a2, a3, (int)a4);
}

SYSCALL_DEFINE(exit)
{
	task_exit_thread(t, (int)a0);
	return 0;
}

SYSCALL_DEFINE(exit_group)
{
	task_exit_group(t, ((int)a0 & 0xff) << 8);
	return 0;
}

/* --- wait --------------------------------------------------------------------------- */

static void fill_rusage(const struct wait_result *res, struct rusage *ru)
{
	memset(ru, 0, sizeof *ru);
	ru->ru_utime.tv_sec = res->utime.tv_sec;
	ru->ru_utime.tv_usec = res->utime.tv_nsec / 1000;
	ru->ru_stime.tv_sec = res->stime.tv_sec;
	ru->ru_stime.tv_usec = res->stime.tv_nsec / 1000;
}

SYSCALL_DEFINE(wait4)
{
	pid_t pid = (pid_t)a0;
	int options = (int)a2;
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	struct wait_request req = { .options = options | WEXITED };
	if (pid < -1) {
		req.idtype = P_PGID;
		req.id = -pid;
	} else if (pid == -1) {
		req.idtype = P_ALL;
	} else if (pid == 0) {
		req.idtype = P_PGID;
		req.id = 0;
	} else {
		req.idtype = P_PID;
		req.id = pid;
	}
	struct wait_result res;
	long r = task_wait(t, &req, &res);
	if (r <= 0)
		return r;
	if (a1 && copy_to_user(t, a1, &res.wstatus, sizeof res.wstatus) < 0)
		return -EFAULT;
	if (a3) {
		struct rusage ru;
		fill_rusage(&res, &ru);
		if (copy_to_user(t, a3, &ru, sizeof ru) < 0)
			return -EFAULT;
	}
	return r;
}

SYSCALL_DEFINE(waitid)
{
	int idtype = (int)a0;
	pid_t id = (pid_t)a1;
	int options = (int)a3;
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_request req = { .idtype = idtype, .id = id, .options = options };
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	struct wait_result res;
	long r = task_wait(t, &req, &res);
	if (r < 0)
		return r;
	if (a2) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (r > 0) {
			si.si_signo = SIGCHLD;
			si.si_code = res.code;
			si.si_pid = res.pid;
			si.si_uid = res.uid;
			si.si_status = res.status;
		}
		if (copy_to_user(t, a2, &si, sizeof si) < 0)
			return -EFAULT;
	}
	if (a4 && r > 0) {
		struct rusage ru;
		fill_rusage(&res, &ru);
		if (copy_to_user(t, a4, &ru, sizeof ru) < 0)
			return -EFAULT;
	}
	return 0;
}

/* --- thread bookkeeping ------------------------------------------------------------------ */

SYSCALL_DEFINE(set_tid_address)
{
	t->clear_child_tid = a0;
	return t->tid;
}

SYSCALL_DEFINE(set_robust_list)
{
	if (a1 != 24)   /* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a0;
	t->robust_list_len = a1;
	return 0;
}

SYSCALL_DEFINE(get_robust_list)
{
	pid_t pid = (pid_t)a0;
	uint64_t head, len = 24;
	pthread_mutex_lock(&t->k->lock);
	struct task *target = pid ? kernel_find_task(t->k, pid) : t;
	if (!target) {
		pthread_mutex_unlock(&t->k->lock);
		return -ESRCH;
	}
	head = target->robust_list;
	pthread_mutex_unlock(&t->k->lock);
	if (copy_to_user(t, a1, &head, sizeof head) < 0 || copy_to_user(t, a2, &len, sizeof len) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(arch_prctl)
{
	int code = (int)a0;
	struct user_regs_struct *r = t->platform->regs(t->ctx);
	switch (code) {
	case ARCH_SET_FS:
		if (a1 >= GUEST_TASK_SIZE)
			return -EPERM;
		r->fs_base = a1;
		return 0;
	case ARCH_SET_GS:
		if (a1 >= GUEST_TASK_SIZE)
			return -EPERM;
		r->gs_base = a1;
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(t, a1, &r->fs_base, sizeof(uint64_t));
	case ARCH_GET_GS:
		return copy_to_user(t, a1, &r->gs_base, sizeof(uint64_t));
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

/* --- limits ------------------------------------------------------------------------- */

/* Another process's limits: only with all its ids ours, or with
 * CAP_SYS_RESOURCE (check_prlimit_permission). */
static bool prlimit_allowed(const struct cred *c, const struct cred *tc)
{
	bool ids = c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid &&
		   c->gid == tc->gid && c->gid == tc->egid && c->gid == tc->sgid;
	return ids || cred_capable(c, CAP_SYS_RESOURCE);
}

static long do_prlimit(struct task *t, pid_t pid, unsigned resource, const struct rlimit *new,
		       struct rlimit *old)
{
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (new && new->rlim_cur > new->rlim_max)
		return -EINVAL;
	if (new && resource == RLIMIT_NOFILE && new->rlim_max > (1 << 20))
		return -EPERM;
	pthread_mutex_lock(&t->k->lock);
	struct thread_group *tg = tg_or_self_locked(t, pid);
	long r = 0;
	if (!tg) {
		r = -ESRCH;
	} else if (tg != t->tg && !prlimit_allowed(&t->tg->cred, &tg->cred)) {
		r = -EPERM;
	} else {
		struct rlimit *rl = &tg->rlim[resource];
		if (old)
			*old = *rl;
		if (new) {
			if (new->rlim_max > rl->rlim_max &&
			    !cred_capable(&t->tg->cred, CAP_SYS_RESOURCE))
				r = -EPERM;
			else
				*rl = *new;
		}
	}
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

SYSCALL_DEFINE(prlimit64)
{
	struct rlimit new, old;
	if (a2 && copy_from_user(t, &new, a2, sizeof new) < 0)
		return -EFAULT;
	long r = do_prlimit(t, (pid_t)a0, (unsigned)a1, a2 ? &new : NULL, &old);
	if (r == 0 && a3 && copy_to_user(t, a3, &old, sizeof old) < 0)
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE(getrlimit)
{
	struct rlimit old;
	long r = do_prlimit(t, 0, (unsigned)a0, NULL, &old);
	if (r == 0 && copy_to_user(t, a1, &old, sizeof old) < 0)
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE(setrlimit)
{
	struct rlimit new;
	if (copy_from_user(t, &new, a1, sizeof new) < 0)
		return -EFAULT;
	return do_prlimit(t, 0, (unsigned)a0, &new, NULL);
}

static struct timeval ts_to_tv(struct timespec ts)
{
	return (struct timeval){ ts.tv_sec, ts.tv_nsec / 1000 };
}

SYSCALL_DEFINE(getrusage)
{
	int who = (int)a0;
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	struct timespec u, s;
	pthread_mutex_lock(&t->k->lock);
	if (who == RUSAGE_CHILDREN) {
		u = t->tg->cutime;
		s = t->tg->cstime;
	} else if (who == RUSAGE_THREAD) {
		task_cputime_locked(t, &u, &s);
	} else {
		tg_cputime_locked(t->tg, &u, &s);
	}
	pthread_mutex_unlock(&t->k->lock);
	ru.ru_utime = ts_to_tv(u);
	ru.ru_stime = ts_to_tv(s);
	return copy_to_user(t, a1, &ru, sizeof ru);
}

static clock_t ts_to_ticks(struct timespec ts)
{
	return ts.tv_sec * 100 + ts.tv_nsec / 10000000;
}

SYSCALL_DEFINE(times)
{
	struct timespec up = ts_sub(ts_now(CLOCK_MONOTONIC), t->k->boot_mono);
	long ticks = up.tv_sec * 100 + up.tv_nsec / 10000000;
	if (a0) {
		struct tms tm;
		memset(&tm, 0, sizeof tm);
		struct timespec u, s;
		pthread_mutex_lock(&t->k->lock);
		tg_cputime_locked(t->tg, &u, &s);
		tm.tms_utime = ts_to_ticks(u);
		tm.tms_stime = ts_to_ticks(s);
		tm.tms_cutime = ts_to_ticks(t->tg->cutime);
		tm.tms_cstime = ts_to_ticks(t->tg->cstime);
		pthread_mutex_unlock(&t->k->lock);
		if (copy_to_user(t, a0, &tm, sizeof tm) < 0)
			return -EFAULT;
	}
	return ticks;
}

/* --- the system ------------------------------------------------------------------------ */

SYSCALL_DEFINE(uname)
{
	return copy_to_user(t, a0, &t->k->uts, sizeof t->k->uts);
}

SYSCALL_DEFINE(sethostname)
{
	size_t len = (size_t)a1;
	if (!cred_capable(&t->tg->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (len > 64)
		return -EINVAL;
	char name[65] = "";
	if (copy_from_user(t, name, a0, len) < 0)
		return -EFAULT;
	name[len] = 0;
	pthread_mutex_lock(&t->k->lock);
	memset(t->k->uts.nodename, 0, sizeof t->k->uts.nodename);
	memcpy(t->k->uts.nodename, name, len);
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}

SYSCALL_DEFINE(sysinfo)
{
	struct sysinfo host, si;
	sysinfo(&host);
	memset(&si, 0, sizeof si);
	/* The guest's clocks are the host's, CLOCK_BOOTTIME included. */
	si.uptime = ts_now(CLOCK_BOOTTIME).tv_sec;
	memcpy(si.loads, host.loads, sizeof si.loads);
	si.totalram = host.totalram;
	si.freeram = host.freeram;
	si.sharedram = host.sharedram;
	si.bufferram = host.bufferram;
	si.totalswap = host.totalswap;
	si.freeswap = host.freeswap;
	si.mem_unit = host.mem_unit;
	pthread_mutex_lock(&t->k->lock);
	si.procs = (unsigned short)t->k->nr_tasks;
	pthread_mutex_unlock(&t->k->lock);
	return copy_to_user(t, a0, &si, sizeof si);
}

SYSCALL_DEFINE(getrandom)
{
	size_t len = (size_t)a1;
	unsigned flags = (unsigned)a2;
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (len > 33554431)
		len = 33554431;
	char buf[4096];
	size_t done = 0;
	while (done < len) {
		size_t n = len - done < sizeof buf ? len - done : sizeof buf;
		ssize_t r = getrandom(buf, n, 0);
		if (r < 0)
			return done ? (long)done : -errno;
		if (copy_to_user(t, a0 + done, buf, (size_t)r) < 0)
			return done ? (long)done : -EFAULT;
		done += (size_t)r;
	}
	return (long)done;
}

/* prctl: names, parent-death signals, no_new_privs, dumpable, subreapers
 * here; the capability options in sys_identity.c. */
SYSCALL_DEFINE(prctl)
{
	int option = (int)a0;
	struct kernel *k = t->k;
	long r = prctl_caps(t, option, a1, a2, a3, a4);
	if (r != -ENOSYS)
		return r;
	switch (option) {
	case PR_SET_NAME: {
		/* At most 15 bytes are read; a longer name is cut. */
		char name[16] = "";
		long len = strncpy_from_user(t, name, a1, sizeof name);
		if (len == -EFAULT)
			return -EFAULT;
		name[15] = 0;
		pthread_mutex_lock(&k->lock);
		memcpy(t->comm, name, sizeof name);
		if (t->tid == t->tg->tgid)
			memcpy(t->tg->comm, name, sizeof name);   /* /proc/[pid]/comm */
		pthread_mutex_unlock(&k->lock);
		return 0;
	}
	case PR_GET_NAME: {
		char name[16];
		pthread_mutex_lock(&k->lock);
		memcpy(name, t->comm, sizeof name);
		pthread_mutex_unlock(&k->lock);
		return copy_to_user(t, a1, name, sizeof name);
	}
	case PR_SET_PDEATHSIG:
		if (a1 > GUEST_NSIG)
			return -EINVAL;
		pthread_mutex_lock(&k->lock);
		t->pdeath_signal = (int)a1;
		pthread_mutex_unlock(&k->lock);
		return 0;
	case PR_GET_PDEATHSIG: {
		int sig = t->pdeath_signal;
		return copy_to_user(t, a1, &sig, sizeof sig);
	}
	case PR_SET_NO_NEW_PRIVS:
		if (a1 != 1 || a2 || a3 || a4)
			return -EINVAL;
		t->no_new_privs = true;   /* for good: it cannot be unset */
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a1 || a2 || a3 || a4)
			return -EINVAL;
		return t->no_new_privs;
	case PR_GET_DUMPABLE:
		return !t->tg->undumpable;
	case PR_SET_DUMPABLE:
		if (a1 > 1)
			return -EINVAL;
		pthread_mutex_lock(&k->lock);
		t->tg->undumpable = !a1;
		pthread_mutex_unlock(&k->lock);
		return 0;
	case PR_SET_CHILD_SUBREAPER:
		pthread_mutex_lock(&k->lock);
		t->tg->child_subreaper = a1 != 0;
		pthread_mutex_unlock(&k->lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->tg->child_subreaper;
		return copy_to_user(t, a1, &v, sizeof v);
	}
	default:
		return -EINVAL;
	}
}

/* Restartable sequences are not supported: glibc and others fall back to
 * plain atomics when registration fails with ENOSYS.  (A deliberate answer,
 * so not counted as unimplemented.) */
SYSCALL_DEFINE(rseq)
{
	return -ENOSYS;
}
