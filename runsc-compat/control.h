/* The client side of a sandbox's control socket (<root>/<id>/control.sock,
 * SOCK_SEQPACKET, served by the sentry: sentry/kernel/spawn.c), for the
 * requests that are one message each way. */
#ifndef RUNSC_COMPAT_CONTROL_H
#define RUNSC_COMPAT_CONTROL_H

#include <stddef.h>
#include <stdint.h>

/* A SOCK_SEQPACKET socket (CLOEXEC, plus flags such as SOCK_NONBLOCK)
 * connected to path, or -errno. */
int control_connect(const char *path, int flags);

/* Sends one message of len bytes with nfds fds (SCM_RIGHTS, at most 8):
 * 0 or -errno. */
int control_send_fds(int s, const void *msg, size_t len, const int *fds, int nfds);

/* Sends a request with its fds on connected socket s and reads the int32
 * answer: it, or -EIO if none came. */
int32_t control_request(int s, const void *msg, size_t len, const int *fds, int nfds);

/* SIGNAL: sig to guest pid (-1: every process the socket reaches); 0 or
 * -errno (ESRCH: no such process). */
int control_signal(const char *ctl, long pid, int sig);

/* PS: the host pids, in the sandbox's pid namespace, of the stubs that run
 * the threads of the processes the socket reaches, at most max of them in
 * out; how many, or -errno. */
int control_ps(const char *ctl, int32_t *out, int max);

#endif
