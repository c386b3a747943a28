/* epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
 * epoll_pwait2: argument checks in Linux's order; the sets are in
 * sentry/fs/epoll.c. */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/mman.h>

#include "sentry/fs/events.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define SIG_KILL_STOP (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define FOREVER_SECS  (1LL << 40)   /* a timeout this long never ends */

static long create(struct task *t, unsigned flags)
{
	struct file *f;
	long err = epoll_file_new(0, &f);
	if (err < 0)
		return err;
	err = install_fd(t, f, flags & EPOLL_CLOEXEC);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(epoll_create)
{
	if ((int)a0 <= 0)
		return -EINVAL;
	return create(t, 0);
}

SYSCALL_DEFINE(epoll_create1)
{
	if ((int)a0 & ~EPOLL_CLOEXEC)
		return -EINVAL;
	return create(t, (unsigned)a0);
}

/* fd_get for epoll: files opened with O_PATH do not count (fdget). */
static struct file *get_file(struct task *t, int fd)
{
	struct file *f = fd_get(t->files, fd);
	if (f && !f->fop) {
		file_put(f);
		f = NULL;
	}
	return f;
}

SYSCALL_DEFINE(epoll_ctl)
{
	int epfd = (int)a0, op = (int)a1, fd = (int)a2;
	struct epoll_event ev;
	if (op != EPOLL_CTL_DEL && copy_from_user(t, &ev, a3, sizeof ev) < 0)
		return -EFAULT;
	struct file *ep = get_file(t, epfd);
	if (!ep)
		return -EBADF;
	struct file *tf = get_file(t, fd);
	long r = -EBADF;
	if (tf) {
		r = epoll_ctl_file(t, ep, op, fd, tf, op == EPOLL_CTL_DEL ? NULL : &ev);
		file_put(tf);
	}
	file_put(ep);
	return r;
}

/* The common part of the waits; deadline NULL: no timeout. */
static long do_wait(struct task *t, int epfd, uint64_t uevents, int maxevents,
		    const struct timespec *deadline)
{
	if (maxevents <= 0 || maxevents > EPOLL_MAX_EVENTS)
		return -EINVAL;
	if (!mm_access_ok(t, uevents, (size_t)maxevents * sizeof(struct epoll_event), PROT_WRITE))
		return -EFAULT;
	struct file *f = get_file(t, epfd);
	if (!f)
		return -EBADF;
	long r = file_is_epoll(f) ? epoll_wait_file(t, f, uevents, maxevents, deadline) : -EINVAL;
	file_put(f);
	return r;   /* -EINTR: epoll waits are never restarted */
}

static const struct timespec *ms_deadline(int ms, struct timespec *buf)
{
	if (ms < 0)
		return NULL;
	struct timespec rel = { ms / 1000, (long)(ms % 1000) * 1000000L };
	*buf = ts_add(ts_now(CLOCK_MONOTONIC), rel);
	return buf;
}

SYSCALL_DEFINE(epoll_wait)
{
	struct timespec dl;
	return do_wait(t, (int)a0, a1, (int)a2, ms_deadline((int)a3, &dl));
}

/* The temporary mask of epoll_pwait: it stays for the signal an EINTR is
 * about (the signal code restores it after the handler frame), and goes
 * at once otherwise (restore_saved_sigmask_unless). */
static long set_temp_mask(struct task *t, uint64_t umask, uint64_t size)
{
	if (!umask)
		return 0;
	if (size != sizeof(sigmask_t))
		return -EINVAL;
	sigmask_t mask;
	if (copy_from_user(t, &mask, umask, sizeof mask) < 0)
		return -EFAULT;
	pthread_mutex_lock(&t->k->lock);
	t->saved_blocked = t->blocked;
	t->restore_blocked = true;
	t->blocked = mask & ~SIG_KILL_STOP;
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}

static long pwait(struct task *t, int epfd, uint64_t uevents, int maxevents,
		  const struct timespec *deadline, uint64_t umask, uint64_t size)
{
	long r = set_temp_mask(t, umask, size);
	if (r < 0)
		return r;
	r = do_wait(t, epfd, uevents, maxevents, deadline);
	if (umask && r != -EINTR) {
		pthread_mutex_lock(&t->k->lock);
		if (t->restore_blocked) {
			t->blocked = t->saved_blocked;
			t->restore_blocked = false;
		}
		pthread_mutex_unlock(&t->k->lock);
	}
	return r;
}

SYSCALL_DEFINE(epoll_pwait)
{
	struct timespec dl;
	return pwait(t, (int)a0, a1, (int)a2, ms_deadline((int)a3, &dl), a4, a5);
}

SYSCALL_DEFINE(epoll_pwait2)
{
	struct timespec dl, *deadline = NULL;
	if (a3) {
		struct timespec ts;
		if (copy_from_user(t, &ts, a3, sizeof ts) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		/* Beyond any uptime: no deadline (and no overflow computing it). */
		if (ts.tv_sec < FOREVER_SECS) {
			dl = ts_add(ts_now(CLOCK_MONOTONIC), ts);
			deadline = &dl;
		}
	}
	return pwait(t, (int)a0, a1, (int)a2, deadline, a4, a5);
}
