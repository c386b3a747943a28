/* The gofer: the only process of a sandbox that opens files of the root
 * file system and the bind mounts.  It serves the sentry over a unix
 * SOCK_SEQPACKET socket with the protocol of gofer/protocol.h and donates
 * host fds for reads, writes and mmap.
 *
 * Every path is resolved one component at a time beneath a node the gofer
 * already holds, never following a symlink (the sentry resolves symlinks
 * itself, inside the sandbox root); host pseudo file systems (proc, sysfs,
 * cgroup, ...) cannot be walked into; only regular files and directories can
 * be opened, so the guest never gets a host device, socket or fifo; and
 * nothing on a read-only mount is ever modified. */
#ifndef GOFER_GOFER_H
#define GOFER_GOFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gofer_mount {
	const char *host_path;	/* absolute host path of the mount's root */
	bool readonly;
};

/* Default cap on live nodes; beyond it WALK & co. fail with ENFILE. */
#define GOFER_MAX_NODES (1u << 20)

/* Serves requests on sock until the peer closes it, then returns 0; returns
 * -errno if it cannot start (no /proc) or the socket fails.  Single-threaded;
 * meant to run in its own process: it sets the umask to 0 (the sentry
 * applies the guest's umask) and raises RLIMIT_NOFILE to its hard limit.
 * Mount i is attached with ATTACH(i); a mount whose root cannot be opened,
 * or is a host pseudo file system, fails ATTACH with that error.  Once the
 * roots are open it confines itself (gofer/confine.c: a mount namespace
 * with only them, file syscalls only). */
int gofer_serve(int sock, const struct gofer_mount *mounts, size_t nmounts);
/* The same with another cap on live nodes, unconfined (for tests). */
int gofer_serve_limited(int sock, const struct gofer_mount *mounts, size_t nmounts,
			uint32_t max_nodes);

/* Starts a gofer process: a socketpair(AF_UNIX, SOCK_SEQPACKET), a fork
 * (no exec) whose child closes every fd but its end of the socket and
 * stdin/stdout/stderr, asks to be SIGKILLed when the calling thread dies
 * (PR_SET_PDEATHSIG), and runs gofer_serve.  *sock gets the sentry's end
 * (close-on-exec), *pid the child.  Call it while the sentry is still
 * single-threaded, before it confines itself.  0 or -errno. */
int gofer_spawn(const struct gofer_mount *mounts, size_t nmounts, int *sock, pid_t *pid);

#endif
