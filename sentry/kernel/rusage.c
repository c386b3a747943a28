/* CPU time of tasks and processes (getrusage, times, wait4, SIGCHLD).
 *
 * Guest code runs in the stub processes, so their host CPU clocks are the
 * guest's user and system time: each stub's clock is read while it lives,
 * and added to its task's and process's account when it goes (exit, or
 * execve, which replaces the stub).  The time the sentry's own threads
 * spend serving syscalls is not counted. */
#include <time.h>

#include "sentry/kernel/internal.h"

/* The CPU clocks of a host process (MAKE_PROCESS_CPUCLOCK). */
enum { CPUCLOCK_PROF = 0, CPUCLOCK_VIRT = 1, CPUCLOCK_SCHED = 2 };

static clockid_t process_clock(pid_t pid, int which)
{
	return (clockid_t)((~(unsigned)pid << 3) | (unsigned)which);
}

static uint64_t read_ns(pid_t pid, int which)
{
	struct timespec ts;
	if (clock_gettime(process_clock(pid, which), &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct timespec ns_to_ts(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL) };
}

/* The precise total, split in the proportion of the tick-sampled user and
 * system times (as the kernel's cputime_adjust does). */
static void stub_cputime(struct task *t, struct platform_ctx *ctx, struct timespec *user,
			 struct timespec *sys)
{
	pid_t pid = t->platform->host_tid(ctx);
	uint64_t rt = read_ns(pid, CPUCLOCK_SCHED);
	uint64_t ut = read_ns(pid, CPUCLOCK_VIRT);
	uint64_t prof = read_ns(pid, CPUCLOCK_PROF);
	uint64_t st = prof > ut ? prof - ut : 0;
	uint64_t s;
	if (st == 0)
		s = 0;
	else if (ut == 0)
		s = rt;
	else
		s = (uint64_t)((unsigned __int128)rt * st / (st + ut));
	*user = ns_to_ts(rt - s);
	*sys = ns_to_ts(s);
}

void task_cputime_locked(struct task *t, struct timespec *user, struct timespec *sys)
{
	*user = t->utime;
	*sys = t->stime;
	if (t->ctx) {
		struct timespec u, s;
		stub_cputime(t, t->ctx, &u, &s);
		*user = ts_add(*user, u);
		*sys = ts_add(*sys, s);
	}
}

void tg_cputime_locked(struct thread_group *tg, struct timespec *user, struct timespec *sys)
{
	*user = tg->utime;
	*sys = tg->stime;
	struct task *o;
	list_for_each_entry(o, &tg->threads, tg_node) {
		if (!o->ctx)
			continue;
		struct timespec u, s;
		stub_cputime(o, o->ctx, &u, &s);
		*user = ts_add(*user, u);
		*sys = ts_add(*sys, s);
	}
}

void task_account_stub(struct task *t, struct platform_ctx *ctx)
{
	if (!ctx)
		return;   /* init's first execve replaces no stub */
	struct timespec u, s;
	stub_cputime(t, ctx, &u, &s);
	pthread_mutex_lock(&t->k->lock);
	t->utime = ts_add(t->utime, u);
	t->stime = ts_add(t->stime, s);
	t->tg->utime = ts_add(t->tg->utime, u);
	t->tg->stime = ts_add(t->tg->stime, s);
	pthread_mutex_unlock(&t->k->lock);
}
