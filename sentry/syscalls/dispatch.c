/* The way into every syscall handler. */
#include <errno.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp_filter.h"
#include "sentry/syscalls/syscalls.h"

long syscall_dispatch(struct task *t, long nr, const uint64_t args[6])
{
	const bool strace = t->k->opts.strace;
	if (strace)
		strace_syscall_enter(t, nr, args);
	long ret;
	if (t->tg->seccomp && !seccomp_check(t, nr, args, &ret)) {
		/* its container's seccomp profile refused it */
	} else if (nr < 0 || nr >= SYSCALL_TABLE_SIZE || !syscall_table[nr].fn) {
		if (nr >= 0 && nr < (long)(sizeof t->k->unimplemented / sizeof t->k->unimplemented[0]))
			atomic_fetch_add(&t->k->unimplemented[nr], 1);
		ret = -ENOSYS;
	} else {
		ret = syscall_table[nr].fn(t, args[0], args[1], args[2], args[3], args[4], args[5]);
	}
	if (strace)
		strace_syscall_exit(t, nr, args, ret);
	return ret;
}
