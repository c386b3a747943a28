/* Fds a caller hands on to the guest beyond stdio (runc's and runsc's
 * --preserve-fds N: the caller's fds 3..3+N-1 become the container init's
 * fds 3..3+N-1). */
#ifndef COMMON_FDS_H
#define COMMON_FDS_H

#include <stdbool.h>

/* Where the preserved fds are moved to (and above), out of the way of the
 * fds the sentry opens for itself. */
#define FDS_PRESERVE_MIN 256
/* The most --preserve-fds takes. */
#define FDS_PRESERVE_MAX 64

/* Moves the caller's fds 3..3+n-1 to close-on-exec copies at
 * FDS_PRESERVE_MIN or above (out[i] for fd 3+i, ascending) and closes the
 * originals; with close_others, every other fd above 2 is closed too (the
 * stray fds a client leaves open, which are not the guest's).  Call it
 * before the process opens fds of its own.  0, -EBADF when one of the n
 * is not open, -EINVAL when n is out of range, or another -errno. */
int fds_preserve(int n, int *out, bool close_others);

/* Parses --preserve-fds' value: 0..FDS_PRESERVE_MAX, else -1. */
int fds_parse_count(const char *s);

#endif
