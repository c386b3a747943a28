/* Futexes: private ones keyed by (address space, address).
 *
 * A waiter checks the word and queues itself under one lock, so a wake that
 * follows a change of the word cannot be missed. */
#include <errno.h>
#include <stdlib.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"

struct futex_waiter {
	struct list_head node;
	struct task *task;
	struct mm *mm;
	uint64_t addr;
	uint32_t bitset;
	bool woken;
};

/* The futex table is part of the kernel's state but has no other owner. */
static pthread_mutex_t futex_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head futex_waiters = LIST_HEAD_INIT(futex_waiters);

long futex_wait(struct task *t, uint64_t addr, uint32_t val, const struct timespec *deadline,
		uint32_t bitset)
{
	if (addr & 3)
		return -EINVAL;
	if (bitset == 0)
		return -EINVAL;
	struct futex_waiter w = { .task = t, .mm = t->mm, .addr = addr, .bitset = bitset };
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
		int err = task_block(t, deadline, NULL, 0);
		pthread_mutex_lock(&futex_lock);
		bool woken = w.woken;
		if (woken || err < 0)
			list_del(&w.node);
		pthread_mutex_unlock(&futex_lock);
		if (woken)
			break;
		if (err == -ETIMEDOUT) {
			r = -ETIMEDOUT;
			break;
		}
		if (err == -EINTR) {
			r = -ERESTARTSYS;
			break;
		}
	}
	return r;
}

int futex_wake_bitset(struct task *t, uint64_t addr, int n, uint32_t bitset)
{
	if (addr & 3)
		return -EINVAL;
	if (bitset == 0)
		return -EINVAL;
	int woken = 0;
	pthread_mutex_lock(&futex_lock);
	struct futex_waiter *w, *tmp;
	list_for_each_entry_safe(w, tmp, &futex_waiters, node) {
		if (woken >= n)
			break;
		if (w->mm == t->mm && w->addr == addr && (w->bitset & bitset) && !w->woken) {
			w->woken = true;
			list_del(&w->node);
			list_init(&w->node);
			task_wake(w->task);
			woken++;
		}
	}
	pthread_mutex_unlock(&futex_lock);
	return woken;
}

int futex_wake_address(struct task *t, uint64_t addr, int n)
{
	return futex_wake_bitset(t, addr, n, 0xffffffffu);
}
