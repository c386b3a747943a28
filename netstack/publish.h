/* Published ports (-p, --tls-publish): a forwarder process listens on each
 * host address and port, terminates TLS for encrypted ports (OpenSSL; the
 * --tls-cert/--tls-key pair, or a self-signed certificate for localhost and
 * 127.0.0.1 made at start), and hands every accepted connection to the
 * sentry as a plain byte stream: a unix-socket message on the control
 * socket with the stream's fd (SCM_RIGHTS; the accepted TCP socket itself
 * for plain ports, one end of a socketpair for TLS ports, whose other end
 * the forwarder pumps through TLS).  The sentry then connects to the
 * guest's port through lwIP and copies bytes both ways, so the guest sees
 * an ordinary TCP connection.  Host-side I/O runs on io_uring (liburing).
 *
 * Nothing listens on the host when no port is published (no forwarder).
 */
#ifndef NETSTACK_PUBLISH_H
#define NETSTACK_PUBLISH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "netstack/policy.h"

/* One message on the control socket, with one fd in SCM_RIGHTS. */
struct publish_conn_msg {
	uint16_t guest_port;      /* host order */
	uint16_t host_port;
	int peer_family;          /* the host-side client, for logs */
	uint8_t peer_addr[16];
	uint16_t peer_port;
};

/* Starts the forwarder for p->publish[0..npublish) and waits until every
 * listener is bound (or one failed: -errno, logged with the address, and
 * the forwarder is gone).  *ctl_fd: the sentry's end of the control
 * socket (SOCK_SEQPACKET, CLOEXEC).  The forwarder dies with the sentry.
 * p->npublish must be > 0. */
int publish_spawn(const struct net_policy *p, int *ctl_fd, pid_t *pid);

/* Receives one connection from the control socket: 0 and *fd, 1 at EOF,
 * or -errno (a malformed message). */
int publish_recv_conn(int ctl_fd, struct publish_conn_msg *msg, int *fd);

/* One line per published port: "http://127.0.0.1:8080 -> guest port 80"
 * ("https://..." for TLS; IPv6 hosts in brackets). */
void publish_print_urls(const struct net_policy *p, FILE *out);
/* The same as JSON, for programs (--tunnels-json):
 * {"tunnels":[{"url":"https://127.0.0.1:8443","host":"127.0.0.1",
 *   "host_port":8443,"guest_port":12345,"tls":true}, ...]}.  0 or -errno. */
int publish_write_tunnels_json(const struct net_policy *p, const char *path);

#endif
