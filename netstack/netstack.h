/* The guest's TCP/IP: lwIP inside the sentry (docs/architecture.md,
 * "Netstack").  Guest AF_INET/AF_INET6 sockets (TCP, UDP, ICMP echo) are
 * sentry sockets over lwIP's raw API; loopback stays inside; eth0 is a
 * frame link to the egress proxy (netstack/proxy.h), gated by the policy
 * (netstack/policy.h); published ports arrive from the forwarder
 * (netstack/publish.h) as host streams that the sentry connects to the
 * guest's port.
 *
 * Start-up is in two steps because the helper processes must be forked
 * while the sentry is still single-threaded.
 */
#ifndef NETSTACK_NETSTACK_H
#define NETSTACK_NETSTACK_H

#include <sys/types.h>

#include "netstack/policy.h"

struct kernel;
struct netstack;

/* Host-side helpers of the network, started before any thread. */
struct netstack_helpers {
	int link_fd;          /* frames to/from the egress proxy; -1: no eth0 */
	pid_t proxy_pid;
	int publish_fd;       /* connections from the port forwarder; -1: none */
	pid_t publish_pid;
};

/* Forks the egress proxy (unless NET_NONE) and the port forwarder (if
 * ports are published; prints their URLs and writes --tunnels-json).
 * 0 or -errno (logged). */
int netstack_spawn_helpers(const struct net_policy *p, struct netstack_helpers *h);

/* Starts lwIP with lo (and eth0 over h->link_fd) and registers AF_INET and
 * AF_INET6 with the socket layer.  k->opts.net is the policy.  0 or
 * -errno. */
int netstack_start(struct kernel *k, const struct netstack_helpers *h);

#endif
