/* memfd_create(2).  The files themselves are sentry/fs/memfd.c's. */
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define MFD_NAME_MAX  (NAME_MAX - 6)   /* without "memfd:" */
#define MFD_HUGE_BITS (0x3fU << 26)    /* MFD_HUGE_MASK << MFD_HUGE_SHIFT */
#define MFD_ALL_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC)

SYSCALL_DEFINE(memfd_create)
{
	unsigned flags = (unsigned)a1;
	if (flags & MFD_HUGETLB) {
		if (flags & ~(MFD_ALL_FLAGS | MFD_HUGE_BITS))
			return -EINVAL;
	} else if (flags & ~MFD_ALL_FLAGS) {
		return -EINVAL;
	}
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	/* Huge pages are the host's business: a plain memfd is as good. */
	char name[MFD_NAME_MAX + 1];
	long len = strncpy_from_user(t, name, a0, sizeof name);
	if (len == -ENAMETOOLONG)
		return -EINVAL;
	if (len < 0)
		return len;
	pthread_mutex_lock(&t->k->lock);
	struct owner o = { t->tg->cred.fsuid, t->tg->cred.fsgid };
	pthread_mutex_unlock(&t->k->lock);
	struct file *f;
	long r = memfd_new(name, flags, &o, &f);
	if (r < 0)
		return r;
	r = install_fd(t, f, flags & MFD_CLOEXEC);
	file_put(f);
	return r;
}
