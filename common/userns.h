/* Rootless runs: the sandbox in a user namespace of its own
 * (docs/architecture.md, "Rootless").
 *
 * The process the user starts stays outside; the sandbox's first process
 * (the sentry, pid 1 of a new pid namespace) is cloned into a new user
 * namespace where the caller's uid and gid are 0, so that it holds every
 * capability over the namespaces it owns (pid, and the mount and network
 * namespaces the sentry makes for itself) and none over the host: on the
 * host every process of the sandbox is the calling user. */
#ifndef COMMON_USERNS_H
#define COMMON_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whether a run is rootless: asked for (--rootless), or the caller is not
 * root (then nothing else could work), or is root of a user namespace that
 * is not the host's (a rootless container engine's: its cgroups are not
 * its own either, as runc decides too). */
bool userns_rootless(bool asked);

/* Starts the sandbox's first process; returns as fork() does (its pid, 0
 * in it, or -errno).  Not rootless: a new pid namespace, or a plain fork
 * where the kernel refuses one.  Rootless: a new user namespace owning a
 * new pid namespace; the child waits until its id maps are written (the
 * caller's uid and gid as 0; ids 1..N as the caller's subordinate range
 * when /etc/subuid and /etc/subgid give one and newuidmap/newgidmap are
 * installed), and comes back with them.  A kernel that refuses user
 * namespaces gets a plain fork and a one-line warning in warn (otherwise
 * warn is ""); on failure, warn says why when errno alone would not. */
pid_t userns_fork_sandbox(bool rootless, char *warn, size_t warnsize);

/* The lowest host port an unprivileged process may listen on
 * (net.ipv4.ip_unprivileged_port_start; 1024 if unreadable).  A rootless
 * sandbox cannot publish a port below it: its capabilities are its own
 * namespace's, and the host's network namespace is not. */
int userns_unprivileged_port_start(void);

#endif
