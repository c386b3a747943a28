/* Resource limits that are checked in more than one place: RLIMIT_NPROC
 * and the sandbox's task limit (fork, clone) and RLIMIT_FSIZE (write, truncate).  RLIMIT_NOFILE is the
 * fd table's, RLIMIT_AS and RLIMIT_DATA the address space's (mm.c). */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>

#include "sentry/kernel/internal.h"

/* Tasks of user uid, as Linux's per-user count: threads, and processes
 * until they are reaped (k->lock held). */
static rlim_t count_user_tasks_locked(struct kernel *k, uid_t uid)
{
	rlim_t n = 0;
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->tasks[i];
		struct thread_group *g = k->groups[i];
		if (o && o->state != TASK_EXITED && o->tg->cred.uid == uid)
			n++;
		else if (g && g->state == TG_ZOMBIE && g->cred.uid == uid)
			n++;
	}
	return n;
}

bool task_limit_reached_locked(struct kernel *k)
{
	return k->opts.max_tasks > 0 && k->nr_tasks + k->nr_zombies >= k->opts.max_tasks;
}

int task_check_nproc(struct task *t)
{
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->lock);
	const struct cred *c = &t->tg->cred;
	rlim_t max = t->tg->rlim[RLIMIT_NPROC].rlim_cur;
	int err = 0;
	/* Only counted when it could matter: the scan is over every pid. */
	if (max != RLIM_INFINITY && c->uid != 0 && !cred_capable(c, CAP_SYS_RESOURCE) &&
	    !cred_capable(c, CAP_SYS_ADMIN) && count_user_tasks_locked(k, c->uid) >= max)
		err = -EAGAIN;
	if (task_limit_reached_locked(k))
		err = -EAGAIN;
	pthread_mutex_unlock(&k->lock);
	return err;
}

static rlim_t fsize_limit(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	rlim_t lim = t->tg->rlim[RLIMIT_FSIZE].rlim_cur;
	pthread_mutex_unlock(&t->k->lock);
	return lim;
}

int task_check_fsize(struct task *t, int64_t pos, size_t *len)
{
	if (*len == 0)
		return 0;   /* nothing is written: no limit applies */
	rlim_t lim = fsize_limit(t);
	if (lim == RLIM_INFINITY)
		return 0;
	if (pos < 0 || (rlim_t)pos >= lim) {
		task_send_signal_self(t, SIGXFSZ);
		return -EFBIG;
	}
	if (*len > lim - (rlim_t)pos)
		*len = (size_t)(lim - (rlim_t)pos);
	return 0;
}

int task_check_fsize_truncate(struct task *t, struct inode *inode, int64_t size)
{
	pthread_mutex_lock(&inode->lock);
	bool grows = size > inode->size;
	pthread_mutex_unlock(&inode->lock);
	if (!grows)
		return 0;
	rlim_t lim = fsize_limit(t);
	if (lim != RLIM_INFINITY && (rlim_t)size > lim) {
		task_send_signal_self(t, SIGXFSZ);
		return -EFBIG;
	}
	return 0;
}
