/* Interval timers and POSIX timers: alarm, setitimer, getitimer,
 * timer_create, timer_settime, timer_gettime, timer_getoverrun,
 * timer_delete.  The timers themselves are in sentry/kernel/ptimer.c; this
 * file copies and checks the guest's arguments. */
#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

/* --- setitimer / getitimer / alarm ------------------------------------------------ */

/* A guest timeval as Linux takes it (timeval_valid): any other is EINVAL. */
static bool timeval_ok(const struct timeval *tv)
{
	return tv->tv_sec >= 0 && (unsigned long)tv->tv_usec < 1000000UL;
}

static struct timespec tv_to_ts(struct timeval tv)
{
	return (struct timespec){ tv.tv_sec, tv.tv_usec * 1000 };
}

static struct timeval ts_to_tv(struct timespec ts)
{
	return (struct timeval){ ts.tv_sec, ts.tv_nsec / 1000 };
}

static struct itimerval to_itimerval(const struct itimerspec *its)
{
	return (struct itimerval){ ts_to_tv(its->it_interval), ts_to_tv(its->it_value) };
}

SYSCALL_DEFINE(getitimer)
{
	if (!a1)
		return -EFAULT;
	struct itimerspec cur;
	long err = itimer_get(t, (int)a0, &cur);
	if (err < 0)
		return err;
	struct itimerval out = to_itimerval(&cur);
	return copy_to_user(t, a1, &out, sizeof out) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(setitimer)
{
	struct itimerval in;
	memset(&in, 0, sizeof in);   /* NULL: disarm (a Linux misfeature) */
	if (a1 && copy_from_user(t, &in, a1, sizeof in) < 0)
		return -EFAULT;
	if (!timeval_ok(&in.it_value) || !timeval_ok(&in.it_interval))
		return -EINVAL;
	struct itimerspec value = { tv_to_ts(in.it_interval), tv_to_ts(in.it_value) };
	struct itimerspec old;
	long err = itimer_set(t, (int)a0, &value, &old);
	if (err < 0 || !a2)
		return err;
	struct itimerval out = to_itimerval(&old);
	return copy_to_user(t, a2, &out, sizeof out) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(alarm)
{
	struct itimerspec value = { { 0, 0 }, { (time_t)(unsigned)a0, 0 } };
	struct itimerspec old;
	if (itimer_set(t, ITIMER_REAL, &value, &old) < 0)
		return 0;
	/* The seconds left, rounded to nearest, and never 0 for a pending
	 * alarm (alarm_setitimer). */
	struct timeval left = ts_to_tv(old.it_value);
	if ((!left.tv_sec && left.tv_usec) || left.tv_usec >= 500000)
		left.tv_sec++;
	return left.tv_sec;
}

/* --- POSIX timers ---------------------------------------------------------------------- */

SYSCALL_DEFINE(timer_create)
{
	struct guest_sigevent ev;
	if (a1 && copy_from_user(t, &ev, a1, sizeof ev) < 0)
		return -EFAULT;
	int id = ptimer_create(t, (clockid_t)a0, a1 ? &ev : NULL);
	if (id < 0)
		return id;
	if (copy_to_user(t, a2, &id, sizeof id) < 0) {
		ptimer_delete(t, id);
		return -EFAULT;
	}
	return 0;
}

static long copy_itimerspec_in(struct task *t, uint64_t uaddr, struct itimerspec *its)
{
	return copy_from_user(t, its, uaddr, sizeof *its) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(timer_settime)
{
	if (!a2)
		return -EINVAL;
	struct itimerspec value, old;
	if (copy_itimerspec_in(t, a2, &value) < 0)
		return -EFAULT;
	long err = ptimer_settime(t, (int)a0, (int)a1, &value, a3 ? &old : NULL);
	if (err < 0 || !a3)
		return err;
	return copy_to_user(t, a3, &old, sizeof old) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(timer_gettime)
{
	struct itimerspec cur;
	long err = ptimer_gettime(t, (int)a0, &cur);
	if (err < 0)
		return err;
	return copy_to_user(t, a1, &cur, sizeof cur) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(timer_getoverrun)
{
	return ptimer_getoverrun(t, (int)a0);
}

SYSCALL_DEFINE(timer_delete)
{
	return ptimer_delete(t, (int)a0);
}
