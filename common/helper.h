/* The sentry's helper processes (the gofer, the egress proxy, the port
 * forwarder): forked from the sentry without exec, while it is still
 * single-threaded, each with one end of a SOCK_SEQPACKET socketpair. */
#ifndef COMMON_HELPER_H
#define COMMON_HELPER_H

#include <sys/types.h>

/* The helper's work, in the child: returns when done (0) or on a fatal
 * error (-errno); the child then exits 0 or 1. */
typedef int (*helper_main_fn)(int sock, void *arg);

/* Forks the helper: in the child, log lines and /proc/PID/comm say name, it dies with the
 * calling thread (PR_SET_PDEATHSIG), every fd but its end of the socket is
 * closed (the sentry's own end above all: EOF is how a helper learns the
 * sentry is gone), then fn(sock, arg) runs.  sndbuf > 0: both ends get
 * that send buffer.  *sock: the caller's end (CLOEXEC); 0 or -errno. */
int helper_spawn(const char *name, helper_main_fn fn, void *arg, int sndbuf, int *sock,
		 pid_t *pid);

#endif
