/* Inside the published-port forwarder (netstack/publish*.c): the pieces
 * publish.c (start, listeners, the sentry's side) shares with the TLS
 * set-up (publish_tls.c) and the event loop (publish_loop.c). */
#ifndef NETSTACK_PUBLISH_INTERNAL_H
#define NETSTACK_PUBLISH_INTERNAL_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "netstack/policy.h"

/* "127.0.0.1" / "::1" (no brackets), and "127.0.0.1:8443" / "[::1]:8443". */
void publish_format_host(const struct net_publish *pub, char *buf, size_t len);
void publish_format_hostport(const struct net_publish *pub, char *buf, size_t len);

/* Loads OpenSSL (tls_lib.c: the sentry does not link it).  0, or -ENOENT
 * with a one-line explanation in err. */
int tls_lib_load(char *err, size_t errlen);

/* The server context for the TLS ports: p->tls_cert/p->tls_key, or a
 * self-signed certificate made now.  0, or -errno with a one-line
 * explanation in err. */
int publish_tls_ctx_new(const struct net_policy *p, SSL_CTX **out, char *err, size_t errlen);

/* The event loop over the listeners fds[i] (bound and listening for
 * p->publish[i]), handing connections out on ctl.  new: 0, or -errno with
 * a one-line explanation in err.  run: returns when the sentry is gone
 * (EOF on ctl): 0, or -errno on an unrecoverable io_uring failure. */
struct publish_loop;
int publish_loop_new(int ctl, const struct net_policy *p, const int *fds, SSL_CTX *ctx,
		     struct publish_loop **out, char *err, size_t errlen);
int publish_loop_run(struct publish_loop *lp);
/* Tests: the loop's ring (restricted to the loop's own operations,
 * netstack_uring_restrict), and freeing a loop that never ran. */
struct io_uring *publish_loop_ring(struct publish_loop *lp);
void publish_loop_free(struct publish_loop *lp);

#endif
