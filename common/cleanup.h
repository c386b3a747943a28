/* Scope-bound cleanup helpers, in the manner of crun and systemd.
 *
 *   _cleanup_free_ char *buf = malloc(n);     freed when buf leaves scope
 *   _cleanup_close_ int fd = open(...);       closed when fd leaves scope
 *
 * Hand ownership on with steal_pointer()/steal_fd(). */
#ifndef COMMON_CLEANUP_H
#define COMMON_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

#define _cleanup_free_  __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))

#define steal_pointer(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(pfd)     ({ int _fd = *(pfd); *(pfd) = -1; _fd; })

#endif
