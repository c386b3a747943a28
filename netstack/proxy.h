/* The egress proxy: the only process of the sandbox with host network
 * access (docs/architecture.md, "Netstack").  The sentry's eth0 is one end
 * of a SOCK_SEQPACKET socketpair carrying one Ethernet frame per message;
 * the proxy receives them, checks each against the policy again
 * (net_policy_frame_ok) and against its own deny list (the host's own
 * addresses from getifaddrs at start, 127.0.0.0/8, ::1, 0.0.0.0/8,
 * link-local), and hands what passes to libslirp (user-mode NAT to host
 * sockets, host loopback disabled, no DHCP, DNS per policy).  Frames slirp
 * sends to the guest go back over the socketpair.  All host-side I/O runs
 * on one io_uring event loop (liburing).
 *
 * Forked from the sentry (no exec), before the sentry starts threads.  It
 * dies with the sentry (PR_SET_PDEATHSIG) and exits when the link reaches
 * EOF.
 */
#ifndef NETSTACK_PROXY_H
#define NETSTACK_PROXY_H

#include <sys/types.h>

#include "netstack/policy.h"

/* Starts the proxy.  *link_fd: the sentry's end of the frame link
 * (SOCK_SEQPACKET, CLOEXEC, blocking); *pid: the proxy.  0 or -errno. */
int egress_proxy_spawn(const struct net_policy *p, int *link_fd, pid_t *pid);

/* The proxy's loop (in the child): returns when the link closes; 0, or
 * -errno on a fatal error (logged). */
int egress_proxy_serve(int link_fd, const struct net_policy *p);

/* confine.c: the proxy's and the forwarder's confinement, once their host
 * sockets and io_uring exist (an empty root, no capabilities, their
 * seccomp filter).  0 or -errno (logged). */
int netstack_confine_proxy(void);
int netstack_confine_forwarder(void);

/* confine.c: io_urings whose submissions may use only the opcodes and SQE
 * flags their loop needs, and which take no io_uring_register operation
 * once running.  setup: io_uring_queue_init_params with the ring disabled
 * (IORING_SETUP_R_DISABLED added to params->flags), so that the caller can
 * pick its list from params->features; a kernel too old for restrictions
 * (before 5.10: EINVAL) gets an enabled, unrestricted ring and one warning
 * line naming who.  0 or -errno (as io_uring_queue_init_params).
 * restrict: registers the restrictions (ops[0..nops), sqe_flags) and
 * enables the ring; a submission outside them completes with -EACCES.
 * 0, or -errno (logged) with the ring torn down. */
struct io_uring;
struct io_uring_params;
int netstack_uring_setup(unsigned entries, struct io_uring *ring, struct io_uring_params *params,
			 const char *who);
int netstack_uring_restrict(struct io_uring *ring, const unsigned char *ops, size_t nops,
			    unsigned char sqe_flags, const char *who);

#endif
