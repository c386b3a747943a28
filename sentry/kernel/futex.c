/* Futexes (kernel/futex/ is the reference).
 *
 * A waiter is keyed by where its word lives: private memory by (address
 * space, address), shared memory by (mapped object, offset), so that two
 * processes sharing a mapping meet on the same key whatever address each
 * maps it at.  A waiter checks the word and queues itself under one lock,
 * so a wake that follows a change of the word cannot be missed. */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"

struct futex_key {
	const void *object;
	uint64_t offset;
	bool private;      /* FUTEX_PRIVATE_FLAG: never meets a shared-kind wait
			    * even on the same private word (as Linux's
			    * FUT_OFF_MMSHARED keeps them apart) */
};

struct futex_waiter {
	struct list_head node;
	struct task *task;
	struct futex_key key;
	uint32_t bitset;
	bool woken;
};

/* The futex table is the kernel's; it has no other owner. */
static pthread_mutex_t futex_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head futex_waiters = LIST_HEAD_INIT(futex_waiters);

static int key_of(struct task *t, uint64_t addr, bool private, struct futex_key *key)
{
	if (addr & 3)
		return -EINVAL;
	key->private = private;
	return mm_futex_key(t->mm, addr, private, &key->object, &key->offset);
}

static bool key_equal(const struct futex_key *a, const struct futex_key *b)
{
	return a->object == b->object && a->offset == b->offset && a->private == b->private;
}

static long restart_later(struct task *t, uint64_t addr, bool private, uint32_t val,
			  const struct timespec *deadline, uint32_t bitset);

long futex_wait_key(struct task *t, uint64_t addr, bool private, uint32_t val,
		    const struct timespec *deadline, uint32_t bitset)
{
	if (bitset == 0)
		return -EINVAL;
	struct futex_waiter w = { .task = t, .bitset = bitset };
	int err = key_of(t, addr, private, &w.key);
	if (err < 0)
		return err;
	pthread_mutex_lock(&futex_lock);
	uint32_t cur;
	if (copy_from_user(t, &cur, addr, sizeof cur) < 0) {
		pthread_mutex_unlock(&futex_lock);
		return -EFAULT;
	}
	if (cur != val) {
		pthread_mutex_unlock(&futex_lock);
		return -EAGAIN;
	}
	list_add_tail(&w.node, &futex_waiters);
	pthread_mutex_unlock(&futex_lock);

	long r = 0;
	for (;;) {
		err = task_block(t, deadline, NULL, 0);
		pthread_mutex_lock(&futex_lock);
		bool woken = w.woken;
		if (!woken && err < 0)
			list_del(&w.node);
		pthread_mutex_unlock(&futex_lock);
		if (woken)
			break;
		if (err == -ETIMEDOUT) {
			r = -ETIMEDOUT;
			break;
		}
		if (err == -EINTR) {
			r = deadline ? restart_later(t, addr, private, val, deadline, bitset)
				     : -ERESTARTSYS;
			break;
		}
	}
	return r;
}

/* restart_syscall(2) of an interrupted timed wait: the same word, value
 * and absolute deadline (Linux's futex_wait_restart). */
static long futex_wait_restart(struct task *t)
{
	uint64_t addr = t->restart.data[0] & ~1ULL;
	bool private = t->restart.data[0] & 1;
	uint32_t val = (uint32_t)t->restart.data[1];
	uint32_t bitset = (uint32_t)(t->restart.data[1] >> 32);
	struct timespec deadline = { (time_t)t->restart.data[2], (long)t->restart.data[3] };
	return futex_wait_key(t, addr, private, val, &deadline, bitset);
}

/* A timed wait is not restarted with its original (relative) timeout:
 * after a handler it fails with EINTR, otherwise it resumes. */
static long restart_later(struct task *t, uint64_t addr, bool private, uint32_t val,
			  const struct timespec *deadline, uint32_t bitset)
{
	t->restart.fn = futex_wait_restart;
	t->restart.data[0] = addr | (private ? 1 : 0);
	t->restart.data[1] = val | ((uint64_t)bitset << 32);
	t->restart.data[2] = (uint64_t)deadline->tv_sec;
	t->restart.data[3] = (uint64_t)deadline->tv_nsec;
	return -ERESTART_RESTARTBLOCK;
}

long futex_wait(struct task *t, uint64_t addr, uint32_t val, const struct timespec *deadline,
		uint32_t bitset)
{
	return futex_wait_key(t, addr, true, val, deadline, bitset);
}

/* Wakes up to n waiters on key whose bitset intersects; futex_lock held.
 * As Linux's loop counts after waking, FUTEX_WAKE with 0 still wakes one. */
static int wake_locked(const struct futex_key *key, int n, uint32_t bitset)
{
	int woken = 0;
	struct futex_waiter *w, *tmp;
	list_for_each_entry_safe(w, tmp, &futex_waiters, node) {
		if (key_equal(&w->key, key) && (w->bitset & bitset)) {
			w->woken = true;
			list_del(&w->node);
			task_wake(w->task);
			if (++woken >= n)
				break;
		}
	}
	return woken;
}

long futex_wake_key(struct task *t, uint64_t addr, bool private, int n, uint32_t bitset)
{
	if (bitset == 0)
		return -EINVAL;
	struct futex_key key;
	int err = key_of(t, addr, private, &key);
	if (err < 0)
		return err;
	pthread_mutex_lock(&futex_lock);
	int woken = wake_locked(&key, n, bitset);
	pthread_mutex_unlock(&futex_lock);
	return woken;
}

int futex_wake_bitset(struct task *t, uint64_t addr, int n, uint32_t bitset)
{
	return (int)futex_wake_key(t, addr, true, n, bitset);
}

int futex_wake_address(struct task *t, uint64_t addr, int n)
{
	/* The kernel's own wakes (clear_child_tid, robust lists) go to
	 * whoever waits, in this process or another sharing the memory. */
	return (int)futex_wake_key(t, addr, false, n, FUTEX_BITSET_MATCH_ANY);
}

long futex_requeue(struct task *t, uint64_t addr, uint64_t addr2, bool private, int nr_wake,
		   int nr_requeue, const uint32_t *cmpval)
{
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	struct futex_key key, key2;
	int err = key_of(t, addr, private, &key);
	if (err == 0)
		err = key_of(t, addr2, private, &key2);
	if (err < 0)
		return err;
	pthread_mutex_lock(&futex_lock);
	if (cmpval) {
		uint32_t cur;
		if (copy_from_user(t, &cur, addr, sizeof cur) < 0) {
			pthread_mutex_unlock(&futex_lock);
			return -EFAULT;
		}
		if (cur != *cmpval) {
			pthread_mutex_unlock(&futex_lock);
			return -EAGAIN;
		}
	}
	/* Unlike FUTEX_WAKE, requeue's nr_wake is exact (0 wakes none). */
	long count = nr_wake ? wake_locked(&key, nr_wake, FUTEX_BITSET_MATCH_ANY) : 0;
	struct futex_waiter *w;
	int moved = 0;
	list_for_each_entry(w, &futex_waiters, node) {
		if (moved >= nr_requeue)
			break;
		if (key_equal(&w->key, &key)) {
			w->key = key2;   /* now waits on the second word */
			moved++;
		}
	}
	pthread_mutex_unlock(&futex_lock);
	return count + moved;
}

/* FUTEX_WAKE_OP: the operation and comparison encoded in val3. */
static bool wake_op_cmp(uint32_t oldval, int cmp, int cmparg)
{
	int v = (int)oldval;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		return v == cmparg;
	case FUTEX_OP_CMP_NE:
		return v != cmparg;
	case FUTEX_OP_CMP_LT:
		return v < cmparg;
	case FUTEX_OP_CMP_LE:
		return v <= cmparg;
	case FUTEX_OP_CMP_GT:
		return v > cmparg;
	case FUTEX_OP_CMP_GE:
		return v >= cmparg;
	default:
		return false;
	}
}

static int sign_extend12(uint32_t v)
{
	return (int)(v << 20) >> 20;
}

long futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, bool private, int nr_wake,
		   int nr_wake2, uint32_t encoded)
{
	int op = (int)((encoded >> 28) & 7);
	int cmp = (int)((encoded >> 24) & 15);
	int oparg = sign_extend12((encoded >> 12) & 0xfff);
	int cmparg = sign_extend12(encoded & 0xfff);
	if (encoded & ((uint32_t)FUTEX_OP_OPARG_SHIFT << 28))
		oparg = (int)(1u << (oparg & 31));   /* Linux masks a bad shift */
	if (op > FUTEX_OP_XOR)
		return -ENOSYS;
	struct futex_key key, key2;
	int err = key_of(t, addr, private, &key);
	if (err == 0)
		err = key_of(t, addr2, private, &key2);
	if (err < 0)
		return err;
	pthread_mutex_lock(&futex_lock);
	long old = t->platform->atomic_op(t->ctx, addr2, op, (uint32_t)oparg);
	if (old < 0) {
		pthread_mutex_unlock(&futex_lock);
		return old;
	}
	if (cmp > FUTEX_OP_CMP_GE) {
		/* Linux finds a bad comparison only after the operation. */
		pthread_mutex_unlock(&futex_lock);
		return -ENOSYS;
	}
	long woken = wake_locked(&key, nr_wake, FUTEX_BITSET_MATCH_ANY);
	if (wake_op_cmp((uint32_t)old, cmp, cmparg))
		woken += wake_locked(&key2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
	pthread_mutex_unlock(&futex_lock);
	return woken;
}
