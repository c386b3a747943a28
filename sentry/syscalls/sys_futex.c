/* futex. */
#include <errno.h>
#include <linux/futex.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_DEFINE(futex)
{
	uint64_t uaddr = a0;
	int op = (int)a1;
	uint32_t val = (uint32_t)a2;
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	struct timespec deadline, *dl = NULL;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a5;
		if (a3) {
			struct timespec ts;
			if (copy_from_user(t, &ts, a3, sizeof ts) < 0)
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
				return -EINVAL;
			if (cmd == FUTEX_WAIT) {
				/* relative */
				deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts);
			} else {
				/* absolute, on CLOCK_MONOTONIC or CLOCK_REALTIME */
				struct timespec now = ts_now(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC);
				deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts_sub(ts, now));
			}
			dl = &deadline;
		}
		return futex_wait(t, uaddr, val, dl, bitset);
	}
	case FUTEX_WAKE:
		return futex_wake_address(t, uaddr, (int)(val > INT32_MAX ? INT32_MAX : val));
	case FUTEX_WAKE_BITSET:
		return futex_wake_bitset(t, uaddr, (int)(val > INT32_MAX ? INT32_MAX : val),
					 (uint32_t)a5);
	default:
		return -ENOSYS;
	}
}
