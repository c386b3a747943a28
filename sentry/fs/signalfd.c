/* signalfd: reading takes pending signals of the reading task (its own
 * first, then its process's) that are in the file's mask, as struct
 * signalfd_siginfo records (Linux's fs/signalfd.c).  Readiness depends on
 * who asks: poll() and epoll look at the pending signals of the task that
 * polls, and wait on its process's signal_wq. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include "sentry/fs/events.h"
#include "sentry/fs/fs.h"

struct signalfd {
	pthread_mutex_t lock;
	sigmask_t mask;
	/* Processes whose signal_wq a poll table registered on: held, so that
	 * an entry (an epoll item's) never outlives its queue. */
	struct thread_group **tgs;
	int ntgs, cap;
};

static sigmask_t sfd_mask(struct signalfd *s)
{
	pthread_mutex_lock(&s->lock);
	sigmask_t m = s->mask;
	pthread_mutex_unlock(&s->lock);
	return m;
}

/* Keeps a reference to tg for as long as the file lives (once per tg). */
static bool sfd_hold_tg(struct signalfd *s, struct thread_group *tg)
{
	pthread_mutex_lock(&s->lock);
	bool ok = true;
	int i;
	for (i = 0; i < s->ntgs && s->tgs[i] != tg; i++)
		;
	if (i == s->ntgs) {
		if (s->ntgs == s->cap) {
			int cap = s->cap ? s->cap * 2 : 2;
			struct thread_group **n = realloc(s->tgs, (size_t)cap * sizeof *n);
			if (n) {
				s->tgs = n;
				s->cap = cap;
			}
		}
		if (s->ntgs < s->cap) {
			tg_get(tg);
			s->tgs[s->ntgs++] = tg;
		} else {
			ok = false;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

/* One signal of mask for t: thread-directed ones first, then the
 * process's (dequeue_signal).  0 if none. */
static int sfd_dequeue(struct task *t, sigmask_t mask, siginfo_t *info)
{
	pthread_mutex_lock(&t->k->lock);
	sigmask_t own = t->pending.mask & mask;
	pthread_mutex_unlock(&t->k->lock);
	int sig = own ? task_dequeue_signal(t, own, info) : 0;
	return sig ? sig : task_dequeue_signal(t, mask, info);
}

/* Linux's siginfo_layout(): which union member si_code says is valid. */
enum layout { L_KILL, L_TIMER, L_POLL, L_FAULT, L_CHLD, L_RT, L_SYS };

static enum layout siginfo_layout(int sig, int code)
{
	static const struct {
		int limit;
		enum layout layout;
	} kernel_codes[] = {
		[SIGILL] = { 11, L_FAULT }, [SIGFPE] = { 15, L_FAULT },
		[SIGSEGV] = { 10, L_FAULT }, [SIGBUS] = { 5, L_FAULT },
		[SIGTRAP] = { 6, L_FAULT }, [SIGCHLD] = { 6, L_CHLD },
		[SIGPOLL] = { 6, L_POLL }, [SIGSYS] = { 2, L_SYS },
	};
	int n = (int)(sizeof kernel_codes / sizeof kernel_codes[0]);
	if (code > SI_USER && code < SI_KERNEL) {
		if (sig < n && kernel_codes[sig].limit && code <= kernel_codes[sig].limit)
			return kernel_codes[sig].layout;
		return code <= 6 ? L_POLL : L_KILL;
	}
	if (code == SI_TIMER)
		return L_TIMER;
	if (code == SI_SIGIO)
		return L_POLL;
	return code < 0 ? L_RT : L_KILL;
}

static void to_ssi(const siginfo_t *si, struct signalfd_siginfo *o)
{
	memset(o, 0, sizeof *o);
	o->ssi_signo = (uint32_t)si->si_signo;
	o->ssi_errno = si->si_errno;
	o->ssi_code = si->si_code;
	switch (siginfo_layout(si->si_signo, si->si_code)) {
	case L_KILL:
		o->ssi_pid = (uint32_t)si->si_pid;
		o->ssi_uid = si->si_uid;
		break;
	case L_TIMER:
		o->ssi_tid = (uint32_t)si->si_timerid;
		o->ssi_overrun = (uint32_t)si->si_overrun;
		o->ssi_ptr = (uint64_t)si->si_ptr;
		o->ssi_int = si->si_int;
		break;
	case L_POLL:
		o->ssi_band = (uint32_t)si->si_band;
		o->ssi_fd = si->si_fd;
		break;
	case L_FAULT:
		o->ssi_addr = (uint64_t)si->si_addr;
		break;
	case L_CHLD:
		o->ssi_pid = (uint32_t)si->si_pid;
		o->ssi_uid = si->si_uid;
		o->ssi_status = si->si_status;
		o->ssi_utime = (uint64_t)si->si_utime;
		o->ssi_stime = (uint64_t)si->si_stime;
		break;
	case L_RT:
		o->ssi_pid = (uint32_t)si->si_pid;
		o->ssi_uid = si->si_uid;
		o->ssi_ptr = (uint64_t)si->si_ptr;
		o->ssi_int = si->si_int;
		break;
	case L_SYS:
		o->ssi_call_addr = (uint64_t)si->si_call_addr;
		o->ssi_syscall = si->si_syscall;
		o->ssi_arch = si->si_arch;
		break;
	}
}

/* Waits for a signal of the mask; -ERESTARTSYS if another one must be
 * delivered first. */
static int sfd_wait(struct signalfd *s, struct task *t, siginfo_t *info)
{
	struct waitq_entry w;
	waitq_add(&t->tg->signal_wq, &w, t, 0);
	int sig;
	for (;;) {
		/* The mask is read again: signalfd() may change it meanwhile. */
		if ((sig = sfd_dequeue(t, sfd_mask(s), info)) != 0)
			break;
		if (task_block(t, NULL, NULL, 0) == -EINTR) {
			sig = -ERESTARTSYS;
			break;
		}
	}
	waitq_del(&t->tg->signal_wq, &w);
	return sig;
}

static ssize_t sfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct signalfd *s = f->priv;
	size_t n = len / sizeof(struct signalfd_siginfo);
	if (n == 0)
		return -EINVAL;
	size_t done = 0;
	while (done < n) {
		siginfo_t info;
		int sig = sfd_dequeue(t, sfd_mask(s), &info);
		if (!sig && done == 0) {
			/* Only the first record may wait. */
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			sig = sfd_wait(s, t, &info);
			if (sig < 0)
				return sig;
		}
		if (!sig)
			break;
		to_ssi(&info, (struct signalfd_siginfo *)buf + done);
		done++;
	}
	return (ssize_t)(done * sizeof(struct signalfd_siginfo));
}

static unsigned sfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd *s = f->priv;
	struct task *t = pt ? pt->task : task_current();
	if (!t)
		return 0;
	if (pt && sfd_hold_tg(s, t->tg))
		poll_wait(pt, &t->tg->signal_wq, 0);
	sigmask_t mask = sfd_mask(s);
	pthread_mutex_lock(&t->k->lock);
	bool ready = (t->pending.mask | t->tg->shared_pending.mask) & mask;
	pthread_mutex_unlock(&t->k->lock);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static void sfd_release(struct file *f)
{
	struct signalfd *s = f->priv;
	for (int i = 0; i < s->ntgs; i++)
		tg_put(s->tgs[i]);
	free(s->tgs);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static const struct file_ops signalfd_fops = {
	.read = sfd_read,
	.poll = sfd_poll,
	.release = sfd_release,
};

int signalfd_file_new(sigmask_t mask, unsigned flags, struct file **out)
{
	struct signalfd *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->mask = mask;
	struct file *f = anon_file_new("[signalfd]", &signalfd_fops, O_RDWR | (flags & O_NONBLOCK), s);
	if (!f) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

int signalfd_set_mask(struct task *t, struct file *f, sigmask_t mask)
{
	if (f->fop != &signalfd_fops)
		return -EINVAL;
	struct signalfd *s = f->priv;
	pthread_mutex_lock(&s->lock);
	s->mask = mask;
	pthread_mutex_unlock(&s->lock);
	/* Readers and pollers look again (Linux wakes signalfd_wqh). */
	waitq_wake(&t->tg->signal_wq, 0);
	return 0;
}
