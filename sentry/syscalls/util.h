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

/* Resolves a guest path argument relative to dirfd: copies the string and
 * walks it with flags (LOOKUP_*).  AT_EMPTY_PATH is passed as LOOKUP_EMPTY. */
long user_path_at(struct task *t, int dirfd, uint64_t upath, unsigned flags, struct path *out);

/* fcntl's record-lock commands (F_GETLK, F_SETLK, F_SETLKW, F_OFD_*). */
long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg);

#endif
