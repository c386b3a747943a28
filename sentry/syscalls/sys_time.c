/* Clocks and sleeping. */
#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

/* The host clock behind a guest clock id; CPU-time clocks read the stub
 * process that runs the task. */
static int host_clock(struct task *t, clockid_t clk, clockid_t *out)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		*out = clk;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID: {
		if (!t->ctx)
			return -EINVAL;
		pid_t tid = t->platform->host_tid(t->ctx);
		/* MAKE_PROCESS_CPUCLOCK(tid, CPUCLOCK_SCHED) */
		*out = (clockid_t)((~(unsigned)tid << 3) | 2);
		return 0;
	}
	default:
		return -EINVAL;
	}
}

/* CPU clocks read the accounting of rusage.c (the stubs' host CPU time,
 * kept across execve and for exited threads), as the timers on them do;
 * clock_getcpuclockid() clocks (negative ids) likewise. */
static bool cpu_clock(clockid_t clk)
{
	return clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID || clk < 0;
}

SYSCALL_DEFINE(clock_gettime)
{
	clockid_t clk;
	struct timespec ts;
	if (cpu_clock((clockid_t)a0)) {
		long err = task_cpu_clock(t, (clockid_t)a0, &ts);
		if (err < 0)
			return err;
		return copy_to_user(t, a1, &ts, sizeof ts);
	}
	long err = host_clock(t, (clockid_t)a0, &clk);
	if (err < 0)
		return err;
	if (clock_gettime(clk, &ts) < 0)
		return -errno;
	return copy_to_user(t, a1, &ts, sizeof ts);
}

SYSCALL_DEFINE(clock_getres)
{
	clockid_t clk;
	struct timespec ts;
	if ((clockid_t)a0 < 0) {
		long err = task_cpu_clock(t, (clockid_t)a0, &ts);
		if (err < 0)
			return err;
		a0 = CLOCK_PROCESS_CPUTIME_ID;
	}
	long err = host_clock(t, (clockid_t)a0, &clk);
	if (err < 0)
		return err;
	if (clock_getres(clk, &ts) < 0)
		return -errno;
	if (!a1)
		return 0;
	return copy_to_user(t, a1, &ts, sizeof ts);
}

SYSCALL_DEFINE(gettimeofday)
{
	if (a0) {
		struct timespec ts = ts_now(CLOCK_REALTIME);
		struct timeval tv = { ts.tv_sec, ts.tv_nsec / 1000 };
		if (copy_to_user(t, a0, &tv, sizeof tv) < 0)
			return -EFAULT;
	}
	if (a1) {
		struct timezone tz = { 0, 0 };
		if (copy_to_user(t, a1, &tz, sizeof tz) < 0)
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(time)
{
	time_t now = ts_now(CLOCK_REALTIME).tv_sec;
	if (a0 && copy_to_user(t, a0, &now, sizeof now) < 0)
		return -EFAULT;
	return now;
}

static long copy_timespec(struct task *t, uint64_t uts, struct timespec *ts)
{
	if (copy_from_user(t, ts, uts, sizeof *ts) < 0)
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	return 0;
}

static long sleep_until(struct task *t, struct timespec deadline, uint64_t urem, long restart);

/* restart_syscall(2) after an interrupted relative sleep: on to the same
 * deadline (hrtimer_nanosleep_restart). */
static long sleep_restart(struct task *t)
{
	struct timespec deadline = { (time_t)t->restart.data[0], (long)t->restart.data[1] };
	return sleep_until(t, deadline, t->restart.data[2], -ERESTART_RESTARTBLOCK);
}

/* Sleeps until the absolute CLOCK_MONOTONIC deadline; on interruption
 * writes the time left to urem (if any).  A relative sleep (restart
 * -ERESTART_RESTARTBLOCK) resumes with the time left, not from scratch. */
static long sleep_until(struct task *t, struct timespec deadline, uint64_t urem, long restart)
{
	long err = task_block(t, &deadline, NULL, 0);
	while (err == 0)
		err = task_block(t, &deadline, NULL, 0);   /* a stray wake-up */
	if (err == -ETIMEDOUT)
		return 0;
	if (err != -EINTR)
		return err;
	if (urem) {
		struct timespec left = ts_sub(deadline, ts_now(CLOCK_MONOTONIC));
		if (left.tv_sec < 0)
			left.tv_sec = left.tv_nsec = 0;
		if (copy_to_user(t, urem, &left, sizeof left) < 0)
			return -EFAULT;
	}
	if (restart == -ERESTART_RESTARTBLOCK) {
		t->restart.fn = sleep_restart;
		t->restart.data[0] = (uint64_t)deadline.tv_sec;
		t->restart.data[1] = (uint64_t)deadline.tv_nsec;
		t->restart.data[2] = urem;
	}
	return restart;
}

/* The resumption of a call interrupted by a signal without handler
 * (kernel/signal.c); without a restart block, EINTR. */
SYSCALL_DEFINE(restart_syscall)
{
	long (*fn)(struct task *t) = t->restart.fn;
	t->restart.fn = NULL;
	return fn ? fn(t) : -EINTR;
}

SYSCALL_DEFINE(nanosleep)
{
	struct timespec req;
	long err = copy_timespec(t, a0, &req);
	if (err < 0)
		return err;
	return sleep_until(t, ts_add(ts_now(CLOCK_MONOTONIC), req), a1, -ERESTART_RESTARTBLOCK);
}

SYSCALL_DEFINE(clock_nanosleep)
{
	clockid_t clk = (clockid_t)a0;
	int flags = (int)a1;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
		return -EOPNOTSUPP;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	default:
		return -EINVAL;
	}
	struct timespec req;
	long err = copy_timespec(t, a2, &req);
	if (err < 0)
		return err;
	struct timespec deadline;
	if (flags & TIMER_ABSTIME) {
		/* An absolute time on clk, as a CLOCK_MONOTONIC deadline. */
		struct timespec now = ts_now(clk == CLOCK_MONOTONIC ? CLOCK_MONOTONIC : clk);
		deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts_sub(req, now));
		return sleep_until(t, deadline, 0, -ERESTARTNOHAND);
	}
	deadline = ts_add(ts_now(CLOCK_MONOTONIC), req);
	return sleep_until(t, deadline, a3, -ERESTART_RESTARTBLOCK);
}
