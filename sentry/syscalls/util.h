/* Helpers shared by the syscall handlers (internal to sentry/syscalls/). */
#ifndef SENTRY_SYSCALLS_UTIL_H
#define SENTRY_SYSCALLS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/vfs/vfs.h"

struct task;

/* The task's RLIMIT_NOFILE, as the fd table's limit. */
unsigned nofile_limit(struct task *t);
/* Installs f at the lowest free descriptor. */
int install_fd(struct task *t, struct file *f, bool cloexec);

/* The capability prctls (PR_CAPBSET_*, PR_*_KEEPCAPS, PR_*_SECUREBITS,
 * PR_CAP_AMBIENT; sys_identity.c); -ENOSYS for any other option. */
long prctl_caps(struct task *t, int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Resolves a guest path argument relative to dirfd: copies the string and
 * walks it with flags (LOOKUP_*).  AT_EMPTY_PATH is passed as LOOKUP_EMPTY. */
long user_path_at(struct task *t, int dirfd, uint64_t upath, unsigned flags, struct path *out);

/* fcntl's record-lock commands (F_GETLK, F_SETLK, F_SETLKW, F_OFD_*) on
 * f, open at fd (sys_lock.c). */
long fcntl_lock(struct task *t, int fd, struct file *f, int cmd, uint64_t arg);

/* Copies up to count bytes from in at *ipos to out at *opos (NULL: out's
 * own offset), through the sentry (sendfile, splice, copy_file_range;
 * sys_splice.c).  Stops at the first short read or write; what was read
 * but not written is given back to *ipos.  Bytes copied or -errno. */
long file_copy(struct task *t, struct file *in, int64_t *ipos, struct file *out, int64_t *opos,
	       size_t count);

#endif
