/* Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise, msync,
 * mincore, mlock family. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_DEFINE(brk)
{
	return mm_brk(t, a0);
}

SYSCALL_DEFINE(mmap)
{
	uint64_t addr = a0, len = a1, off = a5;
	int prot = (int)a2, flags = (int)a3, fd = (int)a4;
	if (flags & MAP_ANONYMOUS)
		return mm_mmap(t, addr, len, prot, flags, NULL, 0);
	struct file *f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	long r = mm_mmap(t, addr, len, prot, flags, f, off);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(munmap)
{
	return mm_munmap(t, a0, a1);
}

SYSCALL_DEFINE(mprotect)
{
	return mm_mprotect(t, a0, a1, (int)a2);
}

SYSCALL_DEFINE(mremap)
{
	return mm_mremap(t, a0, a1, a2, (int)a3, a4);
}

SYSCALL_DEFINE(madvise)
{
	return mm_madvise(t, a0, a1, (int)a2);
}

SYSCALL_DEFINE(msync)
{
	if (a0 & (PAGE_SIZE - 1))
		return -EINVAL;
	if (a2 & ~(uint64_t)(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if ((a2 & MS_ASYNC) && (a2 & MS_SYNC))
		return -EINVAL;
	/* Shared mappings are the host's page cache: nothing to flush. */
	return 0;
}

SYSCALL_DEFINE(mlock)
{
	return 0;
}

SYSCALL_DEFINE(munlock)
{
	return 0;
}

SYSCALL_DEFINE(mlockall)
{
	return 0;
}

SYSCALL_DEFINE(munlockall)
{
	return 0;
}

SYSCALL_DEFINE(mincore)
{
	uint64_t addr = a0, len = a1;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (len > GUEST_TASK_SIZE || addr > GUEST_TASK_SIZE - PAGE_ALIGN(len))
		return -ENOMEM;
	uint64_t pages = PAGE_ALIGN(len) / PAGE_SIZE;
	if (!mm_access_ok(t, addr, pages * PAGE_SIZE, 0))
		return -ENOMEM;
	/* Residency is the host's business; every mapped page counts as in
	 * core (what a program asking mostly wants to know is "mapped"). */
	unsigned char ones[512];
	memset(ones, 1, sizeof ones);
	for (uint64_t done = 0; done < pages;) {
		uint64_t n = pages - done < sizeof ones ? pages - done : sizeof ones;
		if (copy_to_user(t, a2 + done, ones, n) < 0)
			return -EFAULT;
		done += n;
	}
	return 0;
}
