/* Extended attributes: the sandbox's file systems have none.  Lookups say
 * ENODATA (no such attribute), listings are empty and setting them is not
 * supported, as on a file system mounted without xattr support. */
#include <errno.h>
#include <fcntl.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define XATTR_NAME_MAX 255

static long check_path(struct task *t, uint64_t upath, bool follow)
{
	struct path p;
	long err = user_path_at(t, AT_FDCWD, upath, follow ? LOOKUP_FOLLOW : 0, &p);
	if (err < 0)
		return err;
	path_put(&p);
	return 0;
}

static long check_fd(struct task *t, int fd)
{
	struct file *f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

static long check_name(struct task *t, uint64_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long len = strncpy_from_user(t, name, uname, sizeof name);
	if (len == -ENAMETOOLONG)
		return -ERANGE;
	if (len < 0)
		return len;
	return len == 0 ? -ERANGE : 0;
}

static long get(struct task *t, long err, uint64_t uname)
{
	if (err < 0)
		return err;
	if ((err = check_name(t, uname)) < 0)
		return err;
	return -ENODATA;
}

SYSCALL_DEFINE(getxattr)
{
	return get(t, check_path(t, a0, true), a1);
}

SYSCALL_DEFINE(lgetxattr)
{
	return get(t, check_path(t, a0, false), a1);
}

SYSCALL_DEFINE(fgetxattr)
{
	return get(t, check_fd(t, (int)a0), a1);
}

SYSCALL_DEFINE(listxattr)
{
	return check_path(t, a0, true);
}

SYSCALL_DEFINE(llistxattr)
{
	return check_path(t, a0, false);
}

SYSCALL_DEFINE(flistxattr)
{
	return check_fd(t, (int)a0);
}

static long set(struct task *t, long err, uint64_t uname)
{
	if (err < 0)
		return err;
	if ((err = check_name(t, uname)) < 0)
		return err;
	return -EOPNOTSUPP;
}

SYSCALL_DEFINE(setxattr)
{
	return set(t, check_path(t, a0, true), a1);
}

SYSCALL_DEFINE(lsetxattr)
{
	return set(t, check_path(t, a0, false), a1);
}

SYSCALL_DEFINE(fsetxattr)
{
	return set(t, check_fd(t, (int)a0), a1);
}

SYSCALL_DEFINE(removexattr)
{
	return get(t, check_path(t, a0, true), a1);
}

SYSCALL_DEFINE(lremovexattr)
{
	return get(t, check_path(t, a0, false), a1);
}

SYSCALL_DEFINE(fremovexattr)
{
	return get(t, check_fd(t, (int)a0), a1);
}
