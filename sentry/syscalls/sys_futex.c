/* futex. */
#include <errno.h>
#include <linux/futex.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

static int clamp_count(uint64_t v)
{
	return v > INT32_MAX ? INT32_MAX : (int)v;
}

/* The timeout of FUTEX_WAIT is relative (CLOCK_MONOTONIC); that of
 * FUTEX_WAIT_BITSET absolute, on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME. */
static long futex_deadline(struct task *t, uint64_t uts, bool absolute, bool realtime,
			   struct timespec *deadline)
{
	struct timespec ts;
	if (copy_from_user(t, &ts, uts, sizeof ts) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	if (!absolute) {
		*deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts);
	} else {
		struct timespec now = ts_now(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC);
		*deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts_sub(ts, now));
	}
	return 0;
}

SYSCALL_DEFINE(futex)
{
	uint64_t uaddr = a0, uaddr2 = a4;
	int op = (int)a1;
	uint32_t val = (uint32_t)a2, val3 = (uint32_t)a5;
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	if (realtime && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	struct timespec deadline, *dl = NULL;
	long err;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
		if (a3) {
			err = futex_deadline(t, a3, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
			if (err < 0)
				return err;
			dl = &deadline;
		}
		return futex_wait_key(t, uaddr, private, val, dl, bitset);
	}
	case FUTEX_WAKE:
		return futex_wake_key(t, uaddr, private, clamp_count(val), FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		return futex_wake_key(t, uaddr, private, clamp_count(val), val3);
	case FUTEX_REQUEUE:
		/* the timeout argument carries nr_requeue */
		return futex_requeue(t, uaddr, uaddr2, private, (int)val, (int)(uint32_t)a3, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, uaddr, uaddr2, private, (int)val, (int)(uint32_t)a3, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, uaddr, uaddr2, private, clamp_count(val),
				     clamp_count((uint32_t)a3), val3);
	default:
		/* priority-inheritance futexes are not implemented */
		return -ENOSYS;
	}
}
