/* timerfd_create, timerfd_settime, timerfd_gettime (the file is
 * sentry/fs/timerfd.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/timerfd.h>
#include <time.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#endif
#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

SYSCALL_DEFINE(timerfd_create)
{
	clockid_t clock = (clockid_t)a0;
	int flags = (int)a1;
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		break;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return -EPERM;   /* as Linux without CAP_WAKE_ALARM */
	default:
		return -EINVAL;
	}
	struct file *f = timerfd_new(t->k, clock, (unsigned)flags & O_NONBLOCK);
	if (!f)
		return -ENOMEM;
	int fd = install_fd(t, f, flags & TFD_CLOEXEC);
	file_put(f);
	return fd;
}

static bool timespec_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && (unsigned long)ts->tv_nsec < 1000000000UL;
}

SYSCALL_DEFINE(timerfd_settime)
{
	int flags = (int)a1;
	struct itimerspec value, old;
	if (copy_from_user(t, &value, a2, sizeof value) < 0)
		return -EFAULT;
	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (!timespec_ok(&value.it_value) || !timespec_ok(&value.it_interval))
		return -EINVAL;
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	/* TFD_TIMER_CANCEL_ON_SET is accepted: the guest cannot set the clock,
	 * so the timer is never cancelled (ECANCELED never comes). */
	long err = timerfd_settime_file(f, flags, &value, a3 ? &old : NULL);
	file_put(f);
	if (err < 0 || !a3)
		return err;
	return copy_to_user(t, a3, &old, sizeof old) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(timerfd_gettime)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	struct itimerspec cur;
	long err = timerfd_gettime_file(f, &cur);
	file_put(f);
	if (err < 0)
		return err;
	return copy_to_user(t, a1, &cur, sizeof cur) < 0 ? -EFAULT : 0;
}
