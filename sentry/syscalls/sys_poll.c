/* poll, ppoll, select, pselect6. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define SIG_KILL_STOP (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* One pass over the descriptors; with pt, also registers for wake-ups. */
static int poll_once(struct task *t, struct pollfd *fds, size_t n, struct poll_table *pt)
{
	int ready = 0;
	for (size_t i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		struct file *f = fd_get(t->files, fds[i].fd);
		if (!f) {
			fds[i].revents = POLLNVAL;
			ready++;
			continue;
		}
		/* Registering on f's queues: f must outlive the registration. */
		struct poll_table *reg = pt;
		if (pt) {
			int held = pt->nfiles;
			poll_table_hold(pt, f);
			if (pt->nfiles == held)
				reg = NULL;   /* out of memory: poll without waiting on it */
		}
		unsigned mask = f->fop && f->fop->poll ? f->fop->poll(f, reg) : DEFAULT_POLLMASK;
		if (!f->fop)
			mask = POLLNVAL;
		file_put(f);
		fds[i].revents = (short)(mask & ((unsigned)(uint16_t)fds[i].events | POLLERR |
						  POLLHUP | POLLNVAL));
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

/* Polls until something is ready, the deadline passes or a signal comes.
 * Returns the number ready, 0 on timeout, -EINTR. */
static int do_poll(struct task *t, struct pollfd *fds, size_t n, const struct timespec *deadline)
{
	struct poll_table pt;
	poll_table_init(&pt, t);
	int ready = poll_once(t, fds, n, &pt);
	while (ready == 0) {
		if (deadline && ts_cmp(*deadline, ts_now(CLOCK_MONOTONIC)) <= 0)
			break;
		int err = task_block(t, deadline, pt.hostfds, pt.nhostfds);
		if (err == -EINTR) {
			ready = -EINTR;
			break;
		}
		ready = poll_once(t, fds, n, NULL);
		if (err == -ETIMEDOUT)
			break;
	}
	poll_table_free(&pt);
	return ready;
}

/* Installs a temporary signal mask (ppoll, pselect6): restored by the
 * signal code after a handler frame is built, or right away. */
static long set_temp_mask(struct task *t, uint64_t umask, uint64_t size)
{
	if (!umask)
		return 0;
	if (size != 8)
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

static long finish_poll(struct task *t, long r, uint64_t ufds, struct pollfd *fds, size_t n)
{
	if (r == -EINTR)
		return -ERESTARTNOHAND;
	if (r >= 0 && copy_to_user(t, ufds, fds, n * sizeof *fds) < 0)
		return -EFAULT;
	return r;
}

static long poll_common(struct task *t, uint64_t ufds, uint64_t nfds,
			const struct timespec *deadline)
{
	if (nfds > nofile_limit(t) && nfds > 16)
		return -EINVAL;
	struct pollfd *fds = calloc(nfds ? nfds : 1, sizeof *fds);
	if (!fds)
		return -ENOMEM;
	if (copy_from_user(t, fds, ufds, nfds * sizeof *fds) < 0) {
		free(fds);
		return -EFAULT;
	}
	long r = do_poll(t, fds, nfds, deadline);
	r = finish_poll(t, r, ufds, fds, nfds);
	free(fds);
	return r;
}

SYSCALL_DEFINE(poll)
{
	int timeout = (int)a2;
	struct timespec deadline, *dl = NULL;
	if (timeout >= 0) {
		struct timespec rel = { timeout / 1000, (long)(timeout % 1000) * 1000000L };
		deadline = ts_add(ts_now(CLOCK_MONOTONIC), rel);
		dl = &deadline;
	}
	return poll_common(t, a0, a1, dl);
}

static long timeout_from_timespec(struct task *t, uint64_t uts, struct timespec *deadline,
				  struct timespec **dl)
{
	*dl = NULL;
	if (!uts)
		return 0;
	struct timespec ts;
	if (copy_from_user(t, &ts, uts, sizeof ts) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	*deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts);
	*dl = deadline;
	return 0;
}

/* ppoll and pselect6 write the time left back (Linux's "non-sticky"
 * timeouts; glibc's select() relies on it). */
static void store_time_left(struct task *t, uint64_t uts, const struct timespec *deadline)
{
	if (!uts || !deadline)
		return;
	struct timespec left = ts_sub(*deadline, ts_now(CLOCK_MONOTONIC));
	if (left.tv_sec < 0)
		left.tv_sec = left.tv_nsec = 0;
	copy_to_user(t, uts, &left, sizeof left);
}

SYSCALL_DEFINE(ppoll)
{
	struct timespec deadline, *dl;
	long err = timeout_from_timespec(t, a2, &deadline, &dl);
	if (err < 0)
		return err;
	if ((err = set_temp_mask(t, a3, a4)) < 0)
		return err;
	long r = poll_common(t, a0, a1, dl);
	store_time_left(t, a2, dl);
	return r;
}

/* --- select -------------------------------------------------------------------------- */

#define SEL_IN  (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX  (POLLPRI)

static bool bit(const uint64_t *set, int fd)
{
	return set && (set[fd / 64] >> (fd % 64)) & 1;
}

static void set_bit(uint64_t *set, int fd)
{
	set[fd / 64] |= 1ULL << (fd % 64);
}

static long do_select(struct task *t, int nfds, uint64_t uin, uint64_t uout, uint64_t uex,
		      const struct timespec *deadline)
{
	if (nfds < 0)
		return -EINVAL;
	int max = fdtable_max_fd(t->files);
	if (nfds > max && nfds > 0) {
		/* Bits beyond the open descriptors may be set only if 0. */
		nfds = nfds > 1024 * 1024 ? 1024 * 1024 : nfds;
	}
	size_t words = ((size_t)nfds + 63) / 64;
	size_t bytes = words * 8;
	uint64_t *in = calloc(words ? words : 1, 8), *out = calloc(words ? words : 1, 8),
		 *ex = calloc(words ? words : 1, 8);
	struct pollfd *fds = calloc((size_t)nfds ? (size_t)nfds : 1, sizeof *fds);
	long r = -ENOMEM;
	if (!in || !out || !ex || !fds)
		goto out;
	r = -EFAULT;
	if ((uin && copy_from_user(t, in, uin, bytes) < 0) ||
	    (uout && copy_from_user(t, out, uout, bytes) < 0) ||
	    (uex && copy_from_user(t, ex, uex, bytes) < 0))
		goto out;
	/* Bits are only read up to nfds. */
	if (nfds % 64 && words) {
		uint64_t keep = (1ULL << (nfds % 64)) - 1;
		in[words - 1] &= keep;
		out[words - 1] &= keep;
		ex[words - 1] &= keep;
	}
	size_t n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (short)((bit(in, fd) ? SEL_IN : 0) | (bit(out, fd) ? SEL_OUT : 0) |
				   (bit(ex, fd) ? SEL_EX : 0));
		if (!ev)
			continue;
		struct file *f = fd_get(t->files, fd);
		if (!f) {
			r = -EBADF;
			goto out;
		}
		file_put(f);
		fds[n].fd = fd;
		fds[n].events = ev;
		n++;
	}
	r = do_poll(t, fds, n, deadline);
	if (r < 0) {
		r = r == -EINTR ? -ERESTARTNOHAND : r;
		goto out;
	}
	memset(in, 0, bytes);
	memset(out, 0, bytes);
	memset(ex, 0, bytes);
	long count = 0;
	for (size_t i = 0; i < n; i++) {
		short re = fds[i].revents, ev = fds[i].events;
		if ((ev & POLLIN) && (re & SEL_IN)) {
			set_bit(in, fds[i].fd);
			count++;
		}
		if ((ev & POLLOUT) && (re & SEL_OUT)) {
			set_bit(out, fds[i].fd);
			count++;
		}
		if ((ev & POLLPRI) && (re & SEL_EX)) {
			set_bit(ex, fds[i].fd);
			count++;
		}
	}
	r = -EFAULT;
	if ((uin && copy_to_user(t, uin, in, bytes) < 0) ||
	    (uout && copy_to_user(t, uout, out, bytes) < 0) ||
	    (uex && copy_to_user(t, uex, ex, bytes) < 0))
		goto out;
	r = count;
out:
	free(in);
	free(out);
	free(ex);
	free(fds);
	return r;
}

SYSCALL_DEFINE(select)
{
	struct timespec deadline, *dl = NULL;
	if (a4) {
		struct timeval tv;
		if (copy_from_user(t, &tv, a4, sizeof tv) < 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises an out-of-range tv_usec. */
		struct timespec rel = { tv.tv_sec + tv.tv_usec / 1000000,
					(tv.tv_usec % 1000000) * 1000 };
		deadline = ts_add(ts_now(CLOCK_MONOTONIC), rel);
		dl = &deadline;
	}
	long r = do_select(t, (int)a0, a1, a2, a3, dl);
	if (a4 && r >= 0) {
		/* select reports the time left (Linux does, POSIX allows it). */
		struct timespec left = ts_sub(deadline, ts_now(CLOCK_MONOTONIC));
		if (left.tv_sec < 0)
			left.tv_sec = left.tv_nsec = 0;
		struct timeval tv = { left.tv_sec, left.tv_nsec / 1000 };
		copy_to_user(t, a4, &tv, sizeof tv);
	}
	return r;
}

SYSCALL_DEFINE(pselect6)
{
	struct timespec deadline, *dl;
	long err = timeout_from_timespec(t, a4, &deadline, &dl);
	if (err < 0)
		return err;
	if (a5) {
		struct {
			uint64_t ss;
			uint64_t len;
		} sm;
		if (copy_from_user(t, &sm, a5, sizeof sm) < 0)
			return -EFAULT;
		if ((err = set_temp_mask(t, sm.ss, sm.ss ? sm.len : 8)) < 0)
			return err;
	}
	long r = do_select(t, (int)a0, a1, a2, a3, dl);
	store_time_left(t, a4, dl);
	return r;
}
