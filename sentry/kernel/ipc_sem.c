/* System V semaphores (ipc/sem.c).
 *
 * Every set lives under the one lock of sem_ids.  A semop that cannot
 * proceed records what it waits for (for GETNCNT/GETZCNT: the first
 * operation that would block, as Linux counts since 3.16), sleeps on the
 * set's wait queue and tries the whole operation again when the set
 * changes; a removed set wakes everyone with EIDRM.  semop is never
 * restarted after a signal (EINTR), and a timeout is EAGAIN.
 *
 * SEM_UNDO adjustments are kept per process (tgid) and applied when its
 * last thread exits (ipc_exit), clamped to 0..SEMVMX as Linux does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>

#include "sentry/kernel/ipc.h"
#include "sentry/mm/mm.h"

#define SEMMSL 32000
#define SEMMNS (SEMMSL * SEMMNI)
#define SEMOPM 500
#define SEMMNI 32000
#define SEMVMX 32767
#define SEMAEM SEMVMX

struct sem {
	int val;
	pid_t pid;                 /* last to change it (GETPID) */
};

struct sem_set {
	struct ipc_obj perm;       /* first: the ids table points here */
	int refcount;              /* table + sleepers (under the lock) */
	bool deleted;
	int nsems;
	time_t otime, ctime;
	struct waitq wq;
	struct list_head waiters;  /* struct sem_waiter */
	struct sem sems[];
};

struct sem_waiter {
	struct list_head node;
	unsigned short semnum;     /* the operation that blocked */
	short op;
};

/* One process's adjustments for one set. */
struct sem_undo {
	struct list_head node;     /* undo_list */
	pid_t tgid;
	struct sem_set *set;       /* dropped (entry freed) when the set goes */
	short adj[];
};

static struct ipc_ids sem_ids = IPC_IDS_INIT(SEMMNI);
static long used_sems;
static struct list_head undo_list = LIST_HEAD_INIT(undo_list);

static struct sem_set *set_of(struct ipc_obj *o)
{
	return (struct sem_set *)o;
}

static void set_put(struct sem_set *s)
{
	if (--s->refcount == 0) {
		pthread_mutex_destroy(&s->wq.lock);
		free(s);
	}
}

/* Removes the set: sleepers see EIDRM, undo entries go.  Under the lock. */
static void set_remove(struct sem_set *s)
{
	s->deleted = true;
	ipc_remove(&sem_ids, &s->perm);
	used_sems -= s->nsems;
	struct sem_undo *u, *tmp;
	list_for_each_entry_safe(u, tmp, &undo_list, node) {
		if (u->set == s) {
			list_del(&u->node);
			free(u);
		}
	}
	waitq_wake(&s->wq, 0);
	set_put(s);
}

/* --- semget ---------------------------------------------------------------------- */

static int sem_create(struct ipc_ids *ids, const struct cred *c, key_t key, int flags, void *arg)
{
	int nsems = *(int *)arg;
	if (nsems == 0)
		return -EINVAL;
	if (used_sems + nsems > SEMMNS)
		return -ENOSPC;
	struct sem_set *s = calloc(1, sizeof *s + (size_t)nsems * sizeof s->sems[0]);
	if (!s)
		return -ENOMEM;
	int id = ipc_add(ids, &s->perm, c, key, flags);
	if (id < 0) {
		free(s);
		return id;
	}
	s->refcount = 1;
	s->nsems = nsems;
	s->ctime = time(NULL);
	waitq_init(&s->wq);
	list_init(&s->waiters);
	used_sems += nsems;
	return id;
}

static int sem_check(struct ipc_obj *o, void *arg)
{
	return set_of(o)->nsems < *(int *)arg ? -EINVAL : 0;
}

static const struct ipc_get_ops sem_get_ops = {
	.create = sem_create,
	.check = sem_check,
};

long sem_get(struct task *t, key_t key, int nsems, int flags)
{
	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	struct cred c = task_cred_snapshot(t);
	return ipc_get(&sem_ids, &c, key, flags, &sem_get_ops, &nsems);
}

/* --- semop -------------------------------------------------------------------------- */

/* The process's undo entry for s, made if needed.  Under the lock. */
static struct sem_undo *undo_get(struct sem_set *s, pid_t tgid)
{
	struct sem_undo *u;
	list_for_each_entry(u, &undo_list, node)
		if (u->set == s && u->tgid == tgid)
			return u;
	u = calloc(1, sizeof *u + (size_t)s->nsems * sizeof u->adj[0]);
	if (!u)
		return NULL;
	u->tgid = tgid;
	u->set = s;
	list_add_tail(&u->node, &undo_list);
	return u;
}

/* Tries the operations all at once (perform_atomic_semop): 0 when done,
 * 1 when one must wait (*blocking says which), or -EAGAIN / -ERANGE. */
static int try_semop(struct sem_set *s, const struct sembuf *sops, unsigned nsops,
		     struct sem_undo *u, pid_t tgid, const struct sembuf **blocking)
{
	int vals[SEMOPM];
	int r = 0;
	unsigned i;
	for (i = 0; i < nsops; i++) {
		const struct sembuf *op = &sops[i];
		struct sem *sem = &s->sems[op->sem_num];
		vals[i] = sem->val;
		int result = sem->val;
		if ((op->sem_op == 0 && result != 0) || result + op->sem_op < 0) {
			*blocking = op;
			r = (op->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		result += op->sem_op;
		if (result > SEMVMX) {
			r = -ERANGE;
			break;
		}
		if (op->sem_flg & SEM_UNDO) {
			int adj = u->adj[op->sem_num] - op->sem_op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				r = -ERANGE;
				break;
			}
			u->adj[op->sem_num] = (short)adj;
		}
		sem->val = result;
	}
	if (r == 0) {
		for (i = 0; i < nsops; i++)
			s->sems[sops[i].sem_num].pid = tgid;
		return 0;
	}
	/* Undo what was done, in reverse. */
	while (i-- > 0) {
		s->sems[sops[i].sem_num].val = vals[i];
		if (sops[i].sem_flg & SEM_UNDO)
			u->adj[sops[i].sem_num] += sops[i].sem_op;
	}
	return r;
}

long sem_op(struct task *t, int id, struct sembuf *sops, unsigned nsops,
	    const struct timespec *timeout)
{
	if (nsops < 1 || id < 0)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	struct timespec deadline;
	if (timeout) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L)
			return -EINVAL;
		deadline = ts_add(ts_now(CLOCK_MONOTONIC), *timeout);
	}
	int max = 0;
	bool undos = false, alter = false;
	for (unsigned i = 0; i < nsops; i++) {
		if (sops[i].sem_num >= max)
			max = sops[i].sem_num;
		undos |= (sops[i].sem_flg & SEM_UNDO) != 0;
		alter |= sops[i].sem_op != 0;
	}
	struct cred c = task_cred_snapshot(t);
	pid_t tgid = t->tg->tgid;

	pthread_mutex_lock(&sem_ids.lock);
	struct ipc_obj *o = ipc_find_id(&sem_ids, id);
	long r;
	if (!o) {
		r = -EINVAL;
		goto out;
	}
	struct sem_set *s = set_of(o);
	if (max >= s->nsems) {
		r = -EFBIG;
		goto out;
	}
	if (!ipc_perm_ok(&c, o, alter ? S_IWUGO : S_IRUGO)) {
		r = -EACCES;
		goto out;
	}
	struct sem_undo *u = undos ? undo_get(s, tgid) : NULL;
	if (undos && !u) {
		r = -ENOMEM;
		goto out;
	}
	s->refcount++;
	for (;;) {
		const struct sembuf *blocking = NULL;
		r = try_semop(s, sops, nsops, u, tgid, &blocking);
		if (r <= 0) {
			if (r == 0) {
				s->otime = time(NULL);
				if (alter)
					waitq_wake(&s->wq, 0);
			}
			break;
		}
		/* Sleep until the set changes. */
		struct sem_waiter w = { .semnum = blocking->sem_num, .op = blocking->sem_op };
		struct waitq_entry e;
		list_add_tail(&w.node, &s->waiters);
		waitq_add(&s->wq, &e, t, 0);
		pthread_mutex_unlock(&sem_ids.lock);
		int err = task_block(t, timeout ? &deadline : NULL, NULL, 0);
		pthread_mutex_lock(&sem_ids.lock);
		waitq_del(&s->wq, &e);
		list_del(&w.node);
		if (s->deleted) {
			r = -EIDRM;
			break;
		}
		if (err == -EINTR) {
			r = -EINTR;
			break;
		}
		if (err == -ETIMEDOUT) {
			r = -EAGAIN;
			break;
		}
	}
	set_put(s);
out:
	pthread_mutex_unlock(&sem_ids.lock);
	return r;
}

/* --- exit --------------------------------------------------------------------------- */

void sem_exit(pid_t tgid)
{
	pthread_mutex_lock(&sem_ids.lock);
	struct sem_undo *u, *tmp;
	list_for_each_entry_safe(u, tmp, &undo_list, node) {
		if (u->tgid != tgid)
			continue;
		struct sem_set *s = u->set;
		for (int i = 0; i < s->nsems; i++) {
			if (!u->adj[i])
				continue;
			int val = s->sems[i].val + u->adj[i];
			s->sems[i].val = val < 0 ? 0 : val > SEMVMX ? SEMVMX : val;
			s->sems[i].pid = tgid;
		}
		s->otime = time(NULL);
		waitq_wake(&s->wq, 0);
		list_del(&u->node);
		free(u);
	}
	pthread_mutex_unlock(&sem_ids.lock);
}

/* --- semctl ---------------------------------------------------------------------------- */

/* A new value set directly forgets every process's adjustment. */
static void clear_adj(struct sem_set *s, int semnum)
{
	struct sem_undo *u;
	list_for_each_entry(u, &undo_list, node) {
		if (u->set != s)
			continue;
		if (semnum < 0)
			memset(u->adj, 0, (size_t)s->nsems * sizeof u->adj[0]);
		else
			u->adj[semnum] = 0;
	}
}

static int count_waiters(struct sem_set *s, int semnum, bool zero)
{
	int n = 0;
	struct sem_waiter *w;
	list_for_each_entry(w, &s->waiters, node)
		if (w->semnum == semnum && (zero ? w->op == 0 : w->op < 0))
			n++;
	return n;
}

static void fill_ds(struct sem_set *s, struct semid_ds *ds)
{
	memset(ds, 0, sizeof *ds);
	ipc_fill_perm(&s->perm, &ds->sem_perm);
	ds->sem_otime = s->otime;
	ds->sem_ctime = s->ctime;
	ds->sem_nsems = (unsigned long)s->nsems;
}

static long sem_info(struct task *t, int cmd, uint64_t ubuf)
{
	pthread_mutex_lock(&sem_ids.lock);
	int max = ipc_max_index(&sem_ids);
	struct seminfo si = { .semmap = SEMMNS, .semmni = SEMMNI, .semmns = SEMMNS,
			      .semmnu = SEMMNS, .semmsl = SEMMSL, .semopm = SEMOPM,
			      .semume = SEMOPM, .semusz = 0, .semvmx = SEMVMX, .semaem = SEMAEM };
	if (cmd == SEM_INFO) {
		si.semusz = sem_ids.in_use;
		si.semaem = (int)used_sems;
	}
	pthread_mutex_unlock(&sem_ids.lock);
	if (copy_to_user(t, ubuf, &si, sizeof si) < 0)
		return -EFAULT;
	return max;
}

static long sem_stat(struct task *t, int id, int cmd, uint64_t ubuf)
{
	struct cred c = task_cred_snapshot(t);
	struct semid_ds ds;
	pthread_mutex_lock(&sem_ids.lock);
	struct ipc_obj *o = cmd == IPC_STAT ? ipc_find_id(&sem_ids, id)
					    : ipc_find_index(&sem_ids, id);
	long r = 0;
	if (!o)
		r = -EINVAL;
	else if (cmd != SEM_STAT_ANY && !ipc_perm_ok(&c, o, S_IRUGO))
		r = -EACCES;
	else {
		fill_ds(set_of(o), &ds);
		r = cmd == IPC_STAT ? 0 : o->id;
	}
	pthread_mutex_unlock(&sem_ids.lock);
	if (r >= 0 && copy_to_user(t, ubuf, &ds, sizeof ds) < 0)
		return -EFAULT;
	return r;
}

/* GETALL / SETALL: the values as an array of unsigned short in the guest. */
static long sem_all(struct task *t, int id, int cmd, uint64_t uarr)
{
	struct cred c = task_cred_snapshot(t);
	unsigned short *vals = calloc(SEMMSL, sizeof *vals);
	if (!vals)
		return -ENOMEM;
	long r = 0;
	int nsems = 0;
	if (cmd == SETALL) {
		/* The size is the set's: find it first, then copy in. */
		pthread_mutex_lock(&sem_ids.lock);
		struct ipc_obj *o = ipc_find_id(&sem_ids, id);
		nsems = o ? set_of(o)->nsems : 0;
		pthread_mutex_unlock(&sem_ids.lock);
		if (!o)
			r = -EINVAL;
		else if (copy_from_user(t, vals, uarr, (size_t)nsems * sizeof *vals) < 0)
			r = -EFAULT;
		for (int i = 0; r == 0 && i < nsems; i++)
			if (vals[i] > SEMVMX)
				r = -ERANGE;
		if (r < 0) {
			free(vals);
			return r;
		}
	}
	pthread_mutex_lock(&sem_ids.lock);
	struct ipc_obj *o = ipc_find_id(&sem_ids, id);
	struct sem_set *s = o ? set_of(o) : NULL;
	if (!o || (cmd == SETALL && s->nsems != nsems)) {
		r = -EINVAL;
	} else if (!ipc_perm_ok(&c, o, cmd == SETALL ? S_IWUGO : S_IRUGO)) {
		r = -EACCES;
	} else if (cmd == SETALL) {
		for (int i = 0; i < nsems; i++) {
			s->sems[i].val = vals[i];
			s->sems[i].pid = t->tg->tgid;
		}
		clear_adj(s, -1);
		s->ctime = time(NULL);
		waitq_wake(&s->wq, 0);
	} else {
		nsems = s->nsems;
		for (int i = 0; i < nsems; i++)
			vals[i] = (unsigned short)s->sems[i].val;
	}
	pthread_mutex_unlock(&sem_ids.lock);
	if (r == 0 && cmd == GETALL && copy_to_user(t, uarr, vals, (size_t)nsems * sizeof *vals) < 0)
		r = -EFAULT;
	free(vals);
	return r;
}

/* GETVAL, GETPID, GETNCNT, GETZCNT, SETVAL: one semaphore. */
static long sem_one(struct task *t, int id, int semnum, int cmd, int val)
{
	struct cred c = task_cred_snapshot(t);
	pthread_mutex_lock(&sem_ids.lock);
	struct ipc_obj *o = ipc_find_id(&sem_ids, id);
	struct sem_set *s = o ? set_of(o) : NULL;
	long r;
	if (!o)
		r = -EINVAL;
	else if (semnum < 0 || semnum >= s->nsems)
		r = -EINVAL;
	else if (cmd == SETVAL && (val < 0 || val > SEMVMX))
		r = -ERANGE;
	else if (!ipc_perm_ok(&c, o, cmd == SETVAL ? S_IWUGO : S_IRUGO))
		r = -EACCES;
	else {
		switch (cmd) {
		case GETVAL:
			r = s->sems[semnum].val;
			break;
		case GETPID:
			r = s->sems[semnum].pid;
			break;
		case GETNCNT:
			r = count_waiters(s, semnum, false);
			break;
		case GETZCNT:
			r = count_waiters(s, semnum, true);
			break;
		default:   /* SETVAL */
			s->sems[semnum].val = val;
			s->sems[semnum].pid = t->tg->tgid;
			clear_adj(s, semnum);
			s->ctime = time(NULL);
			waitq_wake(&s->wq, 0);
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&sem_ids.lock);
	return r;
}

/* IPC_SET, IPC_RMID. */
static long sem_change(struct task *t, int id, int cmd, uint64_t ubuf)
{
	struct semid_ds ds;
	if (cmd == IPC_SET && copy_from_user(t, &ds, ubuf, sizeof ds) < 0)
		return -EFAULT;
	struct cred c = task_cred_snapshot(t);
	pthread_mutex_lock(&sem_ids.lock);
	struct ipc_obj *o = ipc_find_id(&sem_ids, id);
	long r = 0;
	if (!o) {
		r = -EINVAL;
	} else if (!ipc_is_owner(&c, o)) {
		r = -EPERM;
	} else if (cmd == IPC_SET) {
		ipc_set_perm(o, &ds.sem_perm);
		set_of(o)->ctime = time(NULL);
	} else {
		set_remove(set_of(o));
	}
	pthread_mutex_unlock(&sem_ids.lock);
	return r;
}

long sem_ctl(struct task *t, int id, int semnum, int cmd, uint64_t arg)
{
	if (id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return sem_info(t, cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return sem_stat(t, id, cmd, arg);
	case GETALL:
	case SETALL:
		return sem_all(t, id, cmd, arg);
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETVAL:
		return sem_one(t, id, semnum, cmd, (int)arg);
	case IPC_SET:
	case IPC_RMID:
		return sem_change(t, id, cmd, arg);
	default:
		return -EINVAL;
	}
}
