/* Helpers shared by the syscall handlers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/util.h"

long user_path_at(struct task *t, int dirfd, uint64_t upath, unsigned flags, struct path *out)
{
	_cleanup_free_ char *path = NULL;
	long err = copy_path_from_user(t, upath, &path);
	if (err < 0)
		return err;
	struct walk_root wr;
	if ((err = task_walk_root(t, dirfd, path, &wr)) < 0)
		return err;
	err = vfs_walk(t, &wr, path, flags, out);
	walk_root_put(&wr);
	return err;
}
