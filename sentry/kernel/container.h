/* Containers of a pod (OCI/CRI, issue 6): more containers started in a
 * running sandbox, each with its own root file system and its own
 * processes and exit status, sharing the sandbox's kernel: one netstack
 * (the pod's localhost), one IPC namespace, one pid space, one host name.
 *
 * The runtime (runsc-compat/pod.c) starts a container with a CONTAINER
 * request on the sandbox's control socket (spawn.c) from the container's
 * proxy process, the pid the runtime's caller waits for.  The request
 * carries the process (ids, cwd, args, env, terminal, and its settings:
 * groups, umask, rlimits, no_new_privs, capabilities), the container's
 * compiled seccomp profile, the root's read-only flag, the mounts, the
 * read-only and masked paths, and five fds: the container's stdin,
 * stdout and stderr, the socket of a gofer the proxy started for the
 * container's rootfs and bind mounts (mount 0 the rootfs, then each bind
 * mount in order), and a listening socket that becomes the container's own
 * control socket (EXEC and SIGNAL requests that reach only its processes).
 *
 *   "CONTAINER", id, uid, gid, cwd, tty (0/1), root read-only (0/1),
 *   own pid namespace (0/1: its init takes only the signals it has a
 *   handler for, as a pid namespace's init; SIGKILL and SIGSTOP from
 *   outside still reach it), nargs, args..., nenv, env..., process settings
 *   (one field: sandbox_process_encode, kernel.h), seccomp filter (one
 *   field: seccomp_filter_encode; empty: none), nmounts, then per mount:
 *   type (enum sandbox_mount_type), guest path, read-only (0/1), flags
 *   (MNT_NOSUID...), mode, size, uid, gid; nreadonly, read-only paths...,
 *   nmasked, masked paths...
 * Anything malformed is refused (-EINVAL) and changes nothing.
 *
 * The sandbox mounts the container's root (an overlay: the gofer's rootfs
 * under an in-memory upper layer, like the sandbox's own) in a mount table
 * of its own, with /proc, /dev, /dev/pts (the sandbox's), /dev/shm, /tmp,
 * /sys, the sandbox's /etc/hosts and /etc/resolv.conf, then the mounts,
 * the read-only and masked paths (boot_oci.c, as for a sandbox's own);
 * nothing of it is reachable from the sandbox's root.  It creates the
 * container's init (a process with no parent, gated: it waits before its
 * exec) and answers the pid or -errno.  On the same connection the proxy
 * then sends "START" (`runsc start`), and gets the init's wait status as an
 * int32 once the container is over: its init has exited, every other
 * process of the container has been killed and has exited too, and its
 * file systems are released (so that no host file of its rootfs stays
 * open: containerd unmounts it right after).  EOF from the proxy kills the
 * container.
 *
 * A container's processes are the thread groups whose tg->container is
 * it: its init, what they fork, what is exec'd through its control
 * socket.  Its init starts with the request's process settings; its
 * processes get its seccomp filter (tg->seccomp; the sandbox's own keep
 * the sandbox's).  Orphans are adopted by its init (as in a pid namespace); once
 * its init is gone they are reaped as they exit. */
#ifndef SENTRY_KERNEL_CONTAINER_H
#define SENTRY_KERNEL_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "sentry/kernel/kernel.h"

struct kcontainer;

/* spawn.c: a CONTAINER request (buf, len: its text) on the sandbox's
 * control socket conn, with the fds that came with it.  Takes conn and the
 * fds (closed on failure, after the -errno reply). */
void container_request(struct kernel *k, int conn, char *buf, size_t len, int *fds, int nfds);

/* Process accounting (k->lock held).  A new process child forked by a
 * process of parent's container joins it; a process started by
 * kernel_spawn for container c joins it (-ESRCH if c is ending). */
void container_fork_locked(struct thread_group *parent, struct thread_group *child);
int container_attach_locked(struct kcontainer *c, struct thread_group *tg);
/* tg is a zombie now (tg_exit_notify_locked): it leaves its container;
 * the init's exit ends the container. */
void container_exit_locked(struct thread_group *tg);
/* Is tg the init of a container with a pid namespace of its own? */
bool container_ns_init_locked(const struct thread_group *tg);
/* Who adopts the orphans of tg, a process of a container: its init while
 * it lives, else nobody. */
struct thread_group *container_reaper_locked(struct thread_group *tg);

/* spawn.c, for a container's own control socket: its root, for the
 * processes exec'd in it. */
const struct path *container_root(struct kcontainer *c);

/* spawn.c: serves one connection of a control socket: the sandbox's
 * (c NULL) or a container's. */
void spawn_serve_conn(struct kernel *k, struct kcontainer *c, int fd);

#endif
