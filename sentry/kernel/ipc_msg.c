/* System V message queues (ipc/msg.c).
 *
 * Every queue lives under the one lock of msg_ids.  A sender that finds
 * its queue full, or a receiver that finds no matching message, sleeps on
 * the queue's wait queue and looks again when the queue changes; a
 * removed queue wakes everyone with EIDRM.  Interrupted by a signal, both
 * return -ERESTARTNOHAND, as Linux does (so only a handler makes it
 * EINTR).
 *
 * The messages are in the sentry's heap: besides each queue's msg_qbytes,
 * all queues together hold at most MSG_TOTAL_MAX bytes (a full sentry
 * counts as a full queue).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <time.h>

#include "sentry/kernel/ipc.h"
#include "sentry/mm/mm.h"

#define MSGMAX 8192                  /* largest message */
#define MSGMNB 16384                 /* default bytes per queue */
#define MSGMNI 32000
#define MSG_TOTAL_MAX (256UL << 20)  /* all queues' messages, the sentry's limit */

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct msg {
	struct list_head node;
	long type;
	size_t size;
	char text[];
};

struct msg_queue {
	struct ipc_obj perm;       /* first: the ids table points here */
	int refcount;              /* table + sleepers (under the lock) */
	bool deleted;
	struct list_head msgs;
	unsigned long qbytes, cbytes, qnum;
	time_t stime, rtime, ctime;
	pid_t lspid, lrpid;
	struct waitq wq;
};

static struct ipc_ids msg_ids = IPC_IDS_INIT(MSGMNI);
static unsigned long total_bytes;

static struct msg_queue *queue_of(struct ipc_obj *o)
{
	return (struct msg_queue *)o;
}

static void queue_put(struct msg_queue *q)
{
	if (--q->refcount > 0)
		return;
	struct msg *m, *tmp;
	list_for_each_entry_safe(m, tmp, &q->msgs, node) {
		total_bytes -= m->size;
		free(m);
	}
	pthread_mutex_destroy(&q->wq.lock);
	free(q);
}

/* --- msgget ----------------------------------------------------------------------- */

static int msg_create(struct ipc_ids *ids, const struct cred *c, key_t key, int flags, void *arg)
{
	struct msg_queue *q = calloc(1, sizeof *q);
	if (!q)
		return -ENOMEM;
	int id = ipc_add(ids, &q->perm, c, key, flags);
	if (id < 0) {
		free(q);
		return id;
	}
	q->refcount = 1;
	list_init(&q->msgs);
	q->qbytes = MSGMNB;
	q->ctime = time(NULL);
	waitq_init(&q->wq);
	return id;
}

static const struct ipc_get_ops msg_get_ops = {
	.create = msg_create,
};

long msg_get(struct task *t, key_t key, int flags)
{
	struct cred c = task_cred_snapshot(t);
	return ipc_get(&msg_ids, &c, key, flags, &msg_get_ops, NULL);
}

/* --- msgsnd ------------------------------------------------------------------------- */

/* Sleeps on the queue until it changes: 0, or -ERESTARTNOHAND / -EIDRM.
 * Called and returns with the lock held; q stays alive meanwhile. */
static long queue_wait(struct task *t, struct msg_queue *q)
{
	struct waitq_entry e;
	waitq_add(&q->wq, &e, t, 0);
	pthread_mutex_unlock(&msg_ids.lock);
	int err = task_block(t, NULL, NULL, 0);
	pthread_mutex_lock(&msg_ids.lock);
	waitq_del(&q->wq, &e);
	if (q->deleted)
		return -EIDRM;
	return err == -EINTR ? -ERESTARTNOHAND : 0;
}

long msg_snd(struct task *t, int id, uint64_t umsg, size_t size, int flags)
{
	long type;
	if (copy_from_user(t, &type, umsg, sizeof type) < 0)
		return -EFAULT;
	if (size > MSGMAX || (long)size < 0 || id < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	struct msg *m = malloc(sizeof *m + size);
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->size = size;
	if (copy_from_user(t, m->text, umsg + sizeof type, size) < 0) {
		free(m);
		return -EFAULT;
	}
	struct cred c = task_cred_snapshot(t);
	pthread_mutex_lock(&msg_ids.lock);
	struct ipc_obj *o = ipc_find_id(&msg_ids, id);
	long r;
	if (!o) {
		r = -EINVAL;
	} else if (!ipc_perm_ok(&c, o, S_IWUGO)) {
		r = -EACCES;
	} else {
		struct msg_queue *q = queue_of(o);
		q->refcount++;
		for (;;) {
			bool fits = size + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes &&
				    total_bytes + size <= MSG_TOTAL_MAX;
			if (fits) {
				list_add_tail(&m->node, &q->msgs);
				m = NULL;
				q->cbytes += size;
				q->qnum++;
				total_bytes += size;
				q->lspid = t->tg->tgid;
				q->stime = time(NULL);
				waitq_wake(&q->wq, 0);
				r = 0;
				break;
			}
			if (flags & IPC_NOWAIT) {
				r = -EAGAIN;
				break;
			}
			if ((r = queue_wait(t, q)) < 0)
				break;
		}
		queue_put(q);
	}
	pthread_mutex_unlock(&msg_ids.lock);
	free(m);
	return r;
}

/* --- msgrcv --------------------------------------------------------------------------- */

/* The message msgrcv would take (ipc/msg.c's find_msg), or NULL. */
static struct msg *find_msg(struct msg_queue *q, long type, int flags)
{
	struct msg *m, *found = NULL;
	long n = 0;
	list_for_each_entry(m, &q->msgs, node) {
		if (flags & MSG_COPY) {
			if (n++ == type)
				return m;
			continue;
		}
		if (type == 0)
			return m;
		if (type > 0) {
			if ((flags & MSG_EXCEPT) ? m->type != type : m->type == type)
				return m;
			continue;
		}
		/* The lowest type not above -type (the first of equals). */
		long limit = type == LONG_MIN ? LONG_MAX : -type;
		if (m->type <= limit && (!found || m->type < found->type))
			found = m;
	}
	return found;
}

long msg_rcv(struct task *t, int id, uint64_t umsg, size_t size, long type, int flags)
{
	if (id < 0 || (long)size < 0)
		return -EINVAL;
	if ((flags & MSG_COPY) && (!(flags & IPC_NOWAIT) || (flags & MSG_EXCEPT)))
		return -EINVAL;
	struct cred c = task_cred_snapshot(t);
	pthread_mutex_lock(&msg_ids.lock);
	struct ipc_obj *o = ipc_find_id(&msg_ids, id);
	struct msg *got = NULL;
	long r;
	if (!o) {
		r = -EINVAL;
	} else if (!ipc_perm_ok(&c, o, S_IRUGO)) {
		r = -EACCES;
	} else {
		struct msg_queue *q = queue_of(o);
		q->refcount++;
		for (;;) {
			struct msg *m = find_msg(q, type, flags);
			if (m && m->size > size && !(flags & MSG_NOERROR)) {
				r = -E2BIG;
				break;
			}
			if (m && (flags & MSG_COPY)) {
				got = malloc(sizeof *got + m->size);
				r = got ? 0 : -ENOMEM;
				if (got)
					memcpy(got, m, sizeof *got + m->size);
				break;
			}
			if (m) {
				list_del(&m->node);
				q->cbytes -= m->size;
				q->qnum--;
				total_bytes -= m->size;
				q->lrpid = t->tg->tgid;
				q->rtime = time(NULL);
				waitq_wake(&q->wq, 0);
				got = m;
				r = 0;
				break;
			}
			if (flags & IPC_NOWAIT) {
				r = -ENOMSG;
				break;
			}
			if ((r = queue_wait(t, q)) < 0)
				break;
		}
		queue_put(q);
	}
	pthread_mutex_unlock(&msg_ids.lock);
	if (!got)
		return r;
	/* Gone from the queue: a bad buffer loses it, as on Linux. */
	size_t n = got->size < size ? got->size : size;
	if (copy_to_user(t, umsg, &got->type, sizeof got->type) < 0 ||
	    copy_to_user(t, umsg + sizeof got->type, got->text, n) < 0)
		r = -EFAULT;
	else
		r = (long)n;
	free(got);
	return r;
}

/* --- msgctl ------------------------------------------------------------------------------ */

static void fill_ds(struct msg_queue *q, struct msqid_ds *ds)
{
	memset(ds, 0, sizeof *ds);
	ipc_fill_perm(&q->perm, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->__msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

static long msg_info(struct task *t, int cmd, uint64_t ubuf)
{
	pthread_mutex_lock(&msg_ids.lock);
	int max = ipc_max_index(&msg_ids);
	struct msginfo mi = { .msgpool = MSGMNI * MSGMNB / 1024, .msgmap = MSGMNB, .msgmax = MSGMAX,
			      .msgmnb = MSGMNB, .msgmni = MSGMNI, .msgssz = 16, .msgtql = MSGMNB,
			      .msgseg = 0xffff };
	if (cmd == MSG_INFO) {
		mi.msgpool = msg_ids.in_use;
		mi.msgmap = 0;
		mi.msgtql = 0;
		for (int i = 0; i <= max; i++) {
			struct ipc_obj *o = ipc_find_index(&msg_ids, i);
			if (o) {
				mi.msgmap += (int)queue_of(o)->qnum;
				mi.msgtql += (int)queue_of(o)->cbytes;
			}
		}
	}
	pthread_mutex_unlock(&msg_ids.lock);
	if (copy_to_user(t, ubuf, &mi, sizeof mi) < 0)
		return -EFAULT;
	return max;
}

static long msg_stat(struct task *t, int id, int cmd, uint64_t ubuf)
{
	struct cred c = task_cred_snapshot(t);
	struct msqid_ds ds;
	pthread_mutex_lock(&msg_ids.lock);
	struct ipc_obj *o = cmd == IPC_STAT ? ipc_find_id(&msg_ids, id)
					    : ipc_find_index(&msg_ids, id);
	long r = 0;
	if (!o)
		r = -EINVAL;
	else if (cmd != MSG_STAT_ANY && !ipc_perm_ok(&c, o, S_IRUGO))
		r = -EACCES;
	else {
		fill_ds(queue_of(o), &ds);
		r = cmd == IPC_STAT ? 0 : o->id;
	}
	pthread_mutex_unlock(&msg_ids.lock);
	if (r >= 0 && copy_to_user(t, ubuf, &ds, sizeof ds) < 0)
		return -EFAULT;
	return r;
}

static long msg_change(struct task *t, int id, int cmd, uint64_t ubuf)
{
	struct msqid_ds ds;
	if (cmd == IPC_SET && copy_from_user(t, &ds, ubuf, sizeof ds) < 0)
		return -EFAULT;
	struct cred c = task_cred_snapshot(t);
	pthread_mutex_lock(&msg_ids.lock);
	struct ipc_obj *o = ipc_find_id(&msg_ids, id);
	long r = 0;
	if (!o) {
		r = -EINVAL;
	} else if (!ipc_is_owner(&c, o)) {
		r = -EPERM;
	} else if (cmd == IPC_SET) {
		struct msg_queue *q = queue_of(o);
		if (ds.msg_qbytes > MSGMNB && !cred_capable(&c, CAP_SYS_RESOURCE)) {
			r = -EPERM;   /* CAP_SYS_RESOURCE */
		} else {
			ipc_set_perm(o, &ds.msg_perm);
			q->qbytes = ds.msg_qbytes;
			q->ctime = time(NULL);
			waitq_wake(&q->wq, 0);   /* senders may fit now */
		}
	} else {
		struct msg_queue *q = queue_of(o);
		q->deleted = true;
		ipc_remove(&msg_ids, o);
		waitq_wake(&q->wq, 0);
		queue_put(q);
	}
	pthread_mutex_unlock(&msg_ids.lock);
	return r;
}

long msg_ctl(struct task *t, int id, int cmd, uint64_t ubuf)
{
	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msg_info(t, cmd, ubuf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msg_stat(t, id, cmd, ubuf);
	case IPC_SET:
	case IPC_RMID:
		return msg_change(t, id, cmd, ubuf);
	default:
		return -EINVAL;
	}
}
