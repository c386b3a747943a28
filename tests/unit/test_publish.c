/* The published-port forwarder, end to end on the host's loopback: a
 * forwarder process (publish_spawn) with plain and TLS ports, host clients
 * connecting to it, and the test playing the sentry and the guest on the
 * control socket (publish_recv_conn, then echoing on the fd it gives). */
#include "netstack/publish.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

enum { MAXPUB = 4 };

static struct net_publish pubs[MAXPUB];
static struct net_policy pol;
static int ctl = -1;
static pid_t fwd = -1;

/* --- helpers ------------------------------------------------------------------ */

static uint16_t free_port(int family)
{
	int s = socket(family, SOCK_STREAM, 0);
	cr_assert_geq(s, 0);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof *sin6;
	}
	cr_assert_eq(bind(s, (struct sockaddr *)&ss, len), 0, "bind: %s", strerror(errno));
	len = sizeof ss;
	cr_assert_eq(getsockname(s, (struct sockaddr *)&ss, &len), 0);
	close(s);
	return ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				       : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static struct net_publish mkpub(bool tls, const char *host, uint16_t hport, uint16_t gport)
{
	struct net_publish p;
	memset(&p, 0, sizeof p);
	p.tls = tls;
	p.host_family = strchr(host, ':') ? AF_INET6 : AF_INET;
	cr_assert_eq(inet_pton(p.host_family, host, p.host_addr), 1);
	p.host_port = hport;
	p.guest_port = gport;
	return p;
}

static void policy_with(size_t n)
{
	memset(&pol, 0, sizeof pol);
	pol.publish = pubs;
	pol.npublish = n;
}

static void spawn_ok(void)
{
	int r = publish_spawn(&pol, &ctl, &fwd);
	cr_assert_eq(r, 0, "publish_spawn: %s", strerror(-r));
}

static void teardown(void)
{
	if (ctl >= 0)
		close(ctl);
	if (fwd > 0) {
		kill(fwd, SIGKILL);
		waitpid(fwd, NULL, 0);
	}
}

TestSuite(publish, .fini = teardown, .timeout = 30);

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int connect_to(const char *host, uint16_t port, uint16_t *local_port)
{
	int family = strchr(host, ':') ? AF_INET6 : AF_INET;
	int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(s, 0);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, host, &sin->sin_addr);
		len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &sin6->sin6_addr);
		len = sizeof *sin6;
	}
	cr_assert_eq(connect(s, (struct sockaddr *)&ss, len), 0, "connect %s:%u: %s", host, port,
		     strerror(errno));
	set_timeouts(s);
	if (local_port) {
		len = sizeof ss;
		getsockname(s, (struct sockaddr *)&ss, &len);
		*local_port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return s;
}

/* Waits (up to ms) for the next connection on ctl. */
static int recv_conn(struct publish_conn_msg *m, int ms)
{
	struct pollfd pfd = { .fd = ctl, .events = POLLIN };
	cr_assert_eq(poll(&pfd, 1, ms), 1, "no connection on the control socket");
	int fd = -1;
	int r = publish_recv_conn(ctl, m, &fd);
	cr_assert_eq(r, 0, "publish_recv_conn: %d", r);
	cr_assert_geq(fd, 0);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	set_timeouts(fd);
	return fd;
}

static bool ctl_idle(int ms)
{
	struct pollfd pfd = { .fd = ctl, .events = POLLIN };
	return poll(&pfd, 1, ms) == 0;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		cr_assert_gt(n, 0, "write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Reads exactly len bytes (fails on EOF before). */
static void read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = read(fd, p, len);
		cr_assert_gt(n, 0, "read: %zd %s", n, n < 0 ? strerror(errno) : "EOF");
		p += n;
		len -= (size_t)n;
	}
}

static void expect_eof(int fd)
{
	char c;
	ssize_t n = read(fd, &c, 1);
	cr_assert_eq(n, 0, "expected EOF, got %zd (%s)", n, n < 0 ? strerror(errno) : "data");
}

/* The guest: echoes everything back, then shuts down writing at EOF. */
static void *echo_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[8192];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		const char *p = buf;
		while (n > 0) {
			ssize_t w = write(fd, p, (size_t)n);
			if (w <= 0)
				goto out;
			p += w;
			n -= w;
		}
	}
out:
	shutdown(fd, SHUT_WR);
	close(fd);
	return NULL;
}

static pthread_t start_echo(int fd)
{
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, echo_thread, (void *)(intptr_t)fd), 0);
	return t;
}

/* --- TLS client --------------------------------------------------------------- */

static SSL_CTX *client_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	cr_assert_not_null(ctx);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* A write to a connection the forwarder dropped fails, not kills. */
	signal(SIGPIPE, SIG_IGN);
	return ctx;
}

static SSL *tls_connect(SSL_CTX *ctx, uint16_t port, int *sock)
{
	*sock = connect_to("127.0.0.1", port, NULL);
	SSL *ssl = SSL_new(ctx);
	cr_assert_not_null(ssl);
	SSL_set_fd(ssl, *sock);
	SSL_set_tlsext_host_name(ssl, "localhost");
	int r = SSL_connect(ssl);
	cr_assert_eq(r, 1, "SSL_connect: %d %s", SSL_get_error(ssl, r),
		     ERR_error_string(ERR_get_error(), NULL));
	return ssl;
}

static void tls_write_all(SSL *ssl, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		int n = SSL_write(ssl, p, (int)len);
		cr_assert_gt(n, 0, "SSL_write: %d", SSL_get_error(ssl, n));
		p += n;
		len -= (size_t)n;
	}
}

static void tls_read_exact(SSL *ssl, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		int n = SSL_read(ssl, p, (int)len);
		cr_assert_gt(n, 0, "SSL_read: %d", SSL_get_error(ssl, n));
		p += n;
		len -= (size_t)n;
	}
}

static void tls_expect_close_notify(SSL *ssl)
{
	char c;
	int n = SSL_read(ssl, &c, 1);
	cr_assert_eq(n, 0);
	cr_assert_eq(SSL_get_error(ssl, n), SSL_ERROR_ZERO_RETURN, "no close_notify: %d",
		     SSL_get_error(ssl, n));
}

static void tls_close(SSL *ssl, int sock)
{
	SSL_free(ssl);
	close(sock);
}

static bool has_san(GENERAL_NAMES *names, int type, const void *val, size_t len)
{
	for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		if (g->type != type)
			continue;
		ASN1_STRING *s = type == GEN_DNS ? g->d.dNSName : g->d.iPAddress;
		if ((size_t)ASN1_STRING_length(s) == len && !memcmp(ASN1_STRING_get0_data(s), val, len))
			return true;
	}
	return false;
}

static void peer_cn(SSL *ssl, char *cn, size_t len)
{
	X509 *x = SSL_get1_peer_certificate(ssl);
	cr_assert_not_null(x);
	cr_assert_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, (int)len), 0);
	X509_free(x);
}

/* --- plain ports ---------------------------------------------------------------- */

Test(publish, plain_echo_and_peer)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(false, "127.0.0.1", port, 80);
	policy_with(1);
	spawn_ok();

	uint16_t local;
	int s = connect_to("127.0.0.1", port, &local);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);
	cr_assert_eq(m.guest_port, 80);
	cr_assert_eq(m.host_port, port);
	cr_assert_eq(m.peer_family, AF_INET);
	cr_assert_eq(memcmp(m.peer_addr, "\x7f\0\0\1", 4), 0);
	cr_assert_eq(m.peer_port, local);
	/* The plain connection's fd is the accepted TCP socket itself. */
	int type = 0;
	socklen_t tl = sizeof type;
	cr_assert_eq(getsockopt(g, SOL_SOCKET, SO_TYPE, &type, &tl), 0);
	cr_assert_eq(type, SOCK_STREAM);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	cr_assert_eq(getpeername(g, (struct sockaddr *)&peer, &pl), 0);
	cr_assert_eq(peer.sin_family, AF_INET);
	cr_assert_eq(ntohs(peer.sin_port), local);

	pthread_t t = start_echo(g);
	write_all(s, "hello, guest", 12);
	char buf[12];
	read_exact(s, buf, sizeof buf);
	cr_assert_eq(memcmp(buf, "hello, guest", 12), 0);
	shutdown(s, SHUT_WR);
	expect_eof(s);
	pthread_join(t, NULL);
	close(s);
}

Test(publish, plain_half_close)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(false, "127.0.0.1", port, 80);
	policy_with(1);
	spawn_ok();

	int s = connect_to("127.0.0.1", port, NULL);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);
	write_all(s, "request", 7);
	shutdown(s, SHUT_WR);
	char buf[8];
	read_exact(g, buf, 7);
	expect_eof(g);          /* the client's FIN, as-is */
	write_all(g, "response", 8);
	close(g);
	read_exact(s, buf, 8);
	cr_assert_eq(memcmp(buf, "response", 8), 0);
	expect_eof(s);
	close(s);
}

Test(publish, plain_ipv6)
{
	int probe = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (probe < 0 || bind(probe, (struct sockaddr *)&sin6, sizeof sin6) < 0)
		cr_skip_test("no IPv6 loopback");
	close(probe);
	uint16_t port = free_port(AF_INET6);
	pubs[0] = mkpub(false, "::1", port, 8080);
	policy_with(1);
	spawn_ok();

	uint16_t local;
	int s = connect_to("::1", port, &local);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);
	cr_assert_eq(m.peer_family, AF_INET6);
	cr_assert_eq(memcmp(m.peer_addr, &in6addr_loopback, 16), 0);
	cr_assert_eq(m.peer_port, local);
	cr_assert_eq(m.guest_port, 8080);
	pthread_t t = start_echo(g);
	write_all(s, "v6", 2);
	char buf[2];
	read_exact(s, buf, 2);
	cr_assert_eq(memcmp(buf, "v6", 2), 0);
	close(s);
	pthread_join(t, NULL);

	/* IPV6_V6ONLY: the IPv4 side of the same port is still free. */
	int s4 = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(s4, (struct sockaddr *)&sin, sizeof sin), 0, "%s", strerror(errno));
	close(s4);
}

/* --- TLS ports -------------------------------------------------------------------- */

Test(publish, tls_echo_self_signed)
{
	uint16_t plain = free_port(AF_INET), tls = free_port(AF_INET);
	pubs[0] = mkpub(false, "127.0.0.1", plain, 80);
	pubs[1] = mkpub(true, "127.0.0.1", tls, 12345);
	policy_with(2);
	spawn_ok();

	SSL_CTX *cctx = client_ctx();
	int s;
	SSL *ssl = tls_connect(cctx, tls, &s);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);
	cr_assert_eq(m.guest_port, 12345);
	cr_assert_eq(m.host_port, tls);
	cr_assert_eq(m.peer_family, AF_INET);
	/* A TLS connection's fd is a unix stream socket carrying plaintext. */
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	cr_assert_eq(getsockname(g, (struct sockaddr *)&ss, &sl), 0);
	cr_assert_eq(ss.ss_family, AF_UNIX);

	pthread_t t = start_echo(g);
	const char msg[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
	tls_write_all(ssl, msg, sizeof msg - 1);
	char buf[sizeof msg];
	tls_read_exact(ssl, buf, sizeof msg - 1);
	cr_assert_eq(memcmp(buf, msg, sizeof msg - 1), 0);

	/* The served certificate: self-signed for localhost and loopback,
	 * valid now and for about 30 days, SHA-256. */
	X509 *x = SSL_get1_peer_certificate(ssl);
	cr_assert_not_null(x);
	char cn[64];
	peer_cn(ssl, cn, sizeof cn);
	cr_assert_str_eq(cn, "localhost");
	cr_assert_eq(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
	cr_assert_eq(X509_get_version(x), X509_VERSION_3);
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	cr_assert_not_null(names);
	cr_assert(has_san(names, GEN_DNS, "localhost", 9));
	cr_assert(has_san(names, GEN_IPADD, "\x7f\0\0\1", 4));
	cr_assert(has_san(names, GEN_IPADD, &in6addr_loopback, 16));
	GENERAL_NAMES_free(names);
	cr_assert_lt(X509_cmp_current_time(X509_get0_notBefore(x)), 0);
	time_t in29 = time(NULL) + 29 * 86400, in31 = time(NULL) + 31 * 86400;
	cr_assert_gt(X509_cmp_time(X509_get0_notAfter(x), &in29), 0);
	cr_assert_lt(X509_cmp_time(X509_get0_notAfter(x), &in31), 0);
	int md = 0, pk = 0;
	cr_assert(X509_get_signature_info(x, &md, &pk, NULL, NULL));
	cr_assert_eq(md, NID_sha256);
	cr_assert_eq(X509_verify(x, X509_get0_pubkey(x)), 1);
	X509_free(x);

	/* The client's close_notify reaches the guest as EOF; the guest's
	 * shutdown comes back as close_notify. */
	cr_assert_geq(SSL_shutdown(ssl), 0);
	tls_expect_close_notify(ssl);
	expect_eof(s);
	pthread_join(t, NULL);
	tls_close(ssl, s);

	/* The plain port next to it works too. */
	s = connect_to("127.0.0.1", plain, NULL);
	g = recv_conn(&m, 5000);
	cr_assert_eq(m.guest_port, 80);
	t = start_echo(g);
	write_all(s, "x", 1);
	read_exact(s, buf, 1);
	close(s);
	pthread_join(t, NULL);
	SSL_CTX_free(cctx);
}

/* Published on another address, the self-signed certificate names it
 * too. */
Test(publish, self_signed_names_the_host)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.2", port, 443);
	policy_with(1);
	spawn_ok();
	SSL_CTX *cctx = client_ctx();
	int s = connect_to("127.0.0.2", port, NULL);
	SSL *ssl = SSL_new(cctx);
	SSL_set_fd(ssl, s);
	cr_assert_eq(SSL_connect(ssl), 1);
	X509 *x = SSL_get1_peer_certificate(ssl);
	cr_assert_not_null(x);
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	cr_assert_not_null(names);
	cr_assert(has_san(names, GEN_DNS, "localhost", 9));
	cr_assert(has_san(names, GEN_IPADD, "\x7f\0\0\1", 4));
	cr_assert(has_san(names, GEN_IPADD, "\x7f\0\0\2", 4));
	cr_assert_eq(sk_GENERAL_NAME_num(names), 4);
	GENERAL_NAMES_free(names);
	X509_free(x);
	tls_close(ssl, s);
	SSL_CTX_free(cctx);
}

/* The client finishes sending first (close_notify): the guest sees EOF
 * and can still answer. */
Test(publish, tls_half_close_by_client)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	spawn_ok();
	SSL_CTX *cctx = client_ctx();
	int s;
	SSL *ssl = tls_connect(cctx, port, &s);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);

	tls_write_all(ssl, "request", 7);
	cr_assert_eq(SSL_shutdown(ssl), 0);     /* close_notify sent, none received yet */
	char buf[16];
	read_exact(g, buf, 7);
	cr_assert_eq(memcmp(buf, "request", 7), 0);
	expect_eof(g);
	write_all(g, "response", 8);
	shutdown(g, SHUT_WR);
	tls_read_exact(ssl, buf, 8);
	cr_assert_eq(memcmp(buf, "response", 8), 0);
	tls_expect_close_notify(ssl);
	expect_eof(s);          /* and a FIN after it */
	close(g);
	tls_close(ssl, s);
	SSL_CTX_free(cctx);
}

/* The guest finishes sending first: close_notify and FIN to the client,
 * which can still send. */
Test(publish, tls_half_close_by_guest)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	spawn_ok();
	SSL_CTX *cctx = client_ctx();
	int s;
	SSL *ssl = tls_connect(cctx, port, &s);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);

	write_all(g, "banner", 6);
	shutdown(g, SHUT_WR);
	char buf[16];
	tls_read_exact(ssl, buf, 6);
	cr_assert_eq(memcmp(buf, "banner", 6), 0);
	tls_expect_close_notify(ssl);
	tls_write_all(ssl, "late data", 9);
	read_exact(g, buf, 9);
	cr_assert_eq(memcmp(buf, "late data", 9), 0);
	/* The client closes without close_notify, as many do: still EOF. */
	close(s);
	expect_eof(g);
	close(g);
	SSL_free(ssl);
	SSL_CTX_free(cctx);
}

struct sink {
	int fd;
	size_t n;
	unsigned sum;
};

/* The guest: counts what comes until EOF, then sends 1 MiB and closes. */
static void *sink_then_send(void *arg)
{
	struct sink *k = arg;
	unsigned char buf[65536];
	ssize_t n;
	while ((n = read(k->fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			k->sum = k->sum * 31 + buf[i];
		k->n += (size_t)n;
	}
	for (size_t off = 0; off < (1u << 20); off += sizeof buf) {
		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (unsigned char)((off + i) * 7);
		const unsigned char *p = buf;
		size_t left = sizeof buf;
		while (left) {
			ssize_t w = write(k->fd, p, left);
			if (w <= 0)
				goto out;
			p += w;
			left -= (size_t)w;
		}
	}
out:
	close(k->fd);
	return NULL;
}

Test(publish, tls_bulk_both_ways)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	spawn_ok();
	SSL_CTX *cctx = client_ctx();
	int s;
	SSL *ssl = tls_connect(cctx, port, &s);
	struct publish_conn_msg m;
	struct sink k = { .fd = recv_conn(&m, 5000) };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, sink_then_send, &k), 0);

	static unsigned char big[3 << 19];      /* 1.5 MiB */
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof big; i++) {
		big[i] = (unsigned char)(i * 13 + (i >> 12));
		sum = sum * 31 + big[i];
	}
	tls_write_all(ssl, big, sizeof big);
	SSL_shutdown(ssl);
	size_t got = 0;
	unsigned char buf[16384];
	for (;;) {
		int n = SSL_read(ssl, buf, sizeof buf);
		if (n <= 0) {
			cr_assert_eq(SSL_get_error(ssl, n), SSL_ERROR_ZERO_RETURN);
			break;
		}
		for (int i = 0; i < n; i++)
			cr_assert_eq(buf[i], (unsigned char)((got + (size_t)i) * 7), "byte %zu",
				     got + (size_t)i);
		got += (size_t)n;
	}
	pthread_join(t, NULL);
	cr_assert_eq(k.n, sizeof big);
	cr_assert_eq(k.sum, sum);
	cr_assert_eq(got, 1u << 20);
	tls_close(ssl, s);
	SSL_CTX_free(cctx);
}

Test(publish, tls_many_connections)
{
	enum { N = 24 };
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	spawn_ok();
	SSL_CTX *cctx = client_ctx();
	int s[N];
	SSL *ssl[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		ssl[i] = tls_connect(cctx, port, &s[i]);
		struct publish_conn_msg m;
		t[i] = start_echo(recv_conn(&m, 5000));
	}
	for (int i = N - 1; i >= 0; i--) {
		char out[32], in[32];
		int len = snprintf(out, sizeof out, "connection %d", i);
		tls_write_all(ssl[i], out, (size_t)len);
		tls_read_exact(ssl[i], in, (size_t)len);
		cr_assert_eq(memcmp(in, out, (size_t)len), 0);
	}
	for (int i = 0; i < N; i++) {
		tls_close(ssl[i], s[i]);
		pthread_join(t[i], NULL);
	}
	SSL_CTX_free(cctx);
}

/* Reads until EOF or an error: the forwarder dropped the connection. */
static void expect_dropped(int s)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(s, buf, sizeof buf)) > 0)
		;
	cr_assert(n == 0 || errno == ECONNRESET, "not dropped: %s", strerror(errno));
}

Test(publish, tls_broken_clients_dropped)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	spawn_ok();

	/* Plain HTTP on the TLS port. */
	int s = connect_to("127.0.0.1", port, NULL);
	const char get[] = "GET / HTTP/1.0\r\n\r\n";
	write_all(s, get, sizeof get - 1);
	expect_dropped(s);
	close(s);
	/* An application data record before any handshake, then junk. */
	s = connect_to("127.0.0.1", port, NULL);
	unsigned char junk[4096] = { 0x17, 0x03, 0x03, 0x0f, 0xfb };
	for (size_t i = 5; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 151);
	write_all(s, junk, sizeof junk);
	expect_dropped(s);
	close(s);
	/* Connect and vanish, with and without a reset. */
	s = connect_to("127.0.0.1", port, NULL);
	close(s);
	s = connect_to("127.0.0.1", port, NULL);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	write_all(s, junk, 3);
	close(s);
	/* Half a ClientHello, then gone. */
	SSL_CTX *cctx = client_ctx();
	SSL *half = SSL_new(cctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	SSL_set_bio(half, rb, wb);
	SSL_set_connect_state(half);
	cr_assert_eq(SSL_do_handshake(half), -1);
	cr_assert_eq(SSL_get_error(half, -1), SSL_ERROR_WANT_READ);
	char hello[4096];
	int hlen = BIO_read(wb, hello, sizeof hello);
	cr_assert_gt(hlen, 100);
	SSL_free(half);
	s = connect_to("127.0.0.1", port, NULL);
	write_all(s, hello, (size_t)hlen / 2);
	close(s);

	/* None of them reached the guest; the next real client does. */
	cr_assert(ctl_idle(200));
	SSL *ssl = tls_connect(cctx, port, &s);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);
	pthread_t t = start_echo(g);
	tls_write_all(ssl, "still here", 10);
	char buf[10];
	tls_read_exact(ssl, buf, 10);
	cr_assert_eq(memcmp(buf, "still here", 10), 0);
	tls_close(ssl, s);
	pthread_join(t, NULL);
	cr_assert(ctl_idle(100));
	cr_assert_eq(waitpid(fwd, NULL, WNOHANG), 0, "the forwarder died");
	SSL_CTX_free(cctx);
}

/* The guest's side vanishes while the client is still sending: the client
 * is disconnected, the forwarder goes on. */
Test(publish, tls_guest_gone)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	spawn_ok();
	SSL_CTX *cctx = client_ctx();
	int s;
	SSL *ssl = tls_connect(cctx, port, &s);
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);
	close(g);
	/* The guest's EOF comes as close_notify; what the client sends after
	 * has nowhere to go and ends the connection. */
	tls_expect_close_notify(ssl);
	char chunk[16384] = { 0 };
	for (int i = 0; i < 64; i++)
		if (SSL_write(ssl, chunk, sizeof chunk) <= 0)
			break;
	expect_dropped(s);
	tls_close(ssl, s);

	ssl = tls_connect(cctx, port, &s);
	g = recv_conn(&m, 5000);
	pthread_t t = start_echo(g);
	tls_write_all(ssl, "ok", 2);
	char buf[2];
	tls_read_exact(ssl, buf, 2);
	tls_close(ssl, s);
	pthread_join(t, NULL);
	SSL_CTX_free(cctx);
}

/* --- start-up errors, certificates ------------------------------------------------- */

static char tmpdir[64];

static void run(const char *cmd)
{
	int r = system(cmd);
	cr_assert_eq(r, 0, "%s: %d", cmd, r);
}

/* Runs publish_spawn with stderr captured into log. */
static int spawn_capture(char *log, size_t len)
{
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	fflush(stderr);
	int saved = dup(2);
	dup2(fileno(f), 2);
	int r = publish_spawn(&pol, &ctl, &fwd);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	size_t n = fread(log, 1, len - 1, f);
	log[n] = '\0';
	fclose(f);
	return r;
}

Test(publish, port_in_use)
{
	uint16_t free1 = free_port(AF_INET), busy = free_port(AF_INET);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(busy),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(l, (struct sockaddr *)&sin, sizeof sin), 0);
	cr_assert_eq(listen(l, 1), 0);
	pubs[0] = mkpub(false, "127.0.0.1", free1, 80);
	pubs[1] = mkpub(true, "127.0.0.1", busy, 443);
	policy_with(2);
	char log[1024], want[128];
	int r = spawn_capture(log, sizeof log);
	cr_assert_eq(r, -EADDRINUSE, "publish_spawn: %d", r);
	snprintf(want, sizeof want, "cannot listen on 127.0.0.1:%u: Address already in use\n", busy);
	cr_assert(strstr(log, want), "log: %s", log);
	ctl = -1;
	fwd = -1;
	/* The forwarder is gone, with its listener on the first port. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = htons(free1);
	cr_assert_eq(connect(s, (struct sockaddr *)&sin, sizeof sin), -1);
	cr_assert_eq(errno, ECONNREFUSED);
	close(s);
	close(l);
}

Test(publish, user_certificate)
{
	strcpy(tmpdir, "/tmp/publish-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	char cmd[1024], cert[128], key[128], key2[128];
	snprintf(cert, sizeof cert, "%s/cert.pem", tmpdir);
	snprintf(key, sizeof key, "%s/key.pem", tmpdir);
	snprintf(key2, sizeof key2, "%s/other.pem", tmpdir);
	snprintf(cmd, sizeof cmd,
		 "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test.example -days 2 "
		 "-keyout %s -out %s 2>/dev/null && "
		 "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out %s 2>/dev/null",
		 key, cert, key2);
	run(cmd);

	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	pol.tls_cert = cert;
	pol.tls_key = key;
	spawn_ok();
	SSL_CTX *cctx = client_ctx();
	int s;
	SSL *ssl = tls_connect(cctx, port, &s);
	char cn[64];
	peer_cn(ssl, cn, sizeof cn);
	cr_assert_str_eq(cn, "test.example");
	struct publish_conn_msg m;
	int g = recv_conn(&m, 5000);
	pthread_t t = start_echo(g);
	tls_write_all(ssl, "rsa", 3);
	char buf[3];
	tls_read_exact(ssl, buf, 3);
	tls_close(ssl, s);
	pthread_join(t, NULL);
	close(ctl);
	ctl = -1;
	waitpid(fwd, NULL, 0);
	fwd = -1;

	/* A missing file, a key that is not the certificate's. */
	char log[1024], want[256];
	char missing[160];
	snprintf(missing, sizeof missing, "%s/missing.pem", tmpdir);
	pol.tls_cert = missing;
	int r = spawn_capture(log, sizeof log);
	cr_assert_eq(r, -ENOENT, "%d %s", r, log);
	snprintf(want, sizeof want, "cannot read TLS certificate %s: No such file or directory",
		 missing);
	cr_assert(strstr(log, want), "log: %s", log);
	pol.tls_cert = cert;
	pol.tls_key = key2;
	cr_assert_eq(spawn_capture(log, sizeof log), -EINVAL);
	cr_assert(strstr(log, "does not match"), "log: %s", log);
	pol.tls_key = cert;     /* not a key at all */
	cr_assert_eq(spawn_capture(log, sizeof log), -EINVAL);
	cr_assert(strstr(log, "cannot load TLS key"), "log: %s", log);
	ctl = -1;
	fwd = -1;
	SSL_CTX_free(cctx);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	run(cmd);
}

Test(publish, exits_with_the_sentry)
{
	uint16_t port = free_port(AF_INET);
	pubs[0] = mkpub(true, "127.0.0.1", port, 443);
	policy_with(1);
	spawn_ok();
	/* A connection in the middle of its handshake does not hold it up. */
	int s = connect_to("127.0.0.1", port, NULL);
	close(ctl);
	ctl = -1;
	int status = -1;
	pid_t r = 0;
	for (int i = 0; i < 500 && r == 0; i++) {
		r = waitpid(fwd, &status, WNOHANG);
		if (r == 0)
			usleep(10000);
	}
	cr_assert_eq(r, fwd, "the forwarder did not exit");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	fwd = -1;
	expect_dropped(s);
	close(s);
	/* and the port is free again, at once */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(l, (struct sockaddr *)&sin, sizeof sin), 0, "%s", strerror(errno));
	cr_assert_eq(listen(l, 1), 0, "%s", strerror(errno));
	close(l);
}

/* --- the control socket's messages ---------------------------------------------------- */

Test(publish, recv_conn_malformed)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	struct publish_conn_msg m, got;
	memset(&m, 0, sizeof m);
	m.guest_port = 80;
	m.host_port = 8080;
	m.peer_family = AF_INET;
	int fd = -1;

	/* No fd. */
	cr_assert_eq(send(sv[0], &m, sizeof m, 0), (ssize_t)sizeof m);
	cr_assert_eq(publish_recv_conn(sv[1], &got, &fd), -EBADMSG);

	/* The wrong size, with an fd (which must not leak); two fds. */
	int probe = dup(0);
	close(probe);
	int fds[2] = { 0, 1 };
	union { char buf[CMSG_SPACE(sizeof fds)]; struct cmsghdr a; } c;
	struct iovec iov = { &m, sizeof m - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
			     .msg_controllen = CMSG_SPACE(sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), fds, sizeof(int));
	cr_assert_eq(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof m - 1);
	cr_assert_eq(publish_recv_conn(sv[1], &got, &fd), -EBADMSG);
	iov.iov_len = sizeof m;
	mh.msg_controllen = CMSG_SPACE(sizeof fds);
	cm->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(cm), fds, sizeof fds);
	cr_assert_eq(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof m);
	cr_assert_eq(publish_recv_conn(sv[1], &got, &fd), -EBADMSG);
	int after = dup(0);
	cr_assert_eq(after, probe, "an fd leaked");
	close(after);

	/* A good one; then EOF. */
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cr_assert_eq(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof m);
	cr_assert_eq(publish_recv_conn(sv[1], &got, &fd), 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(got.guest_port, 80);
	cr_assert_eq(got.host_port, 8080);
	close(fd);
	close(sv[0]);
	cr_assert_eq(publish_recv_conn(sv[1], &got, &fd), 1);
	close(sv[1]);
}

/* --- what the user sees ------------------------------------------------------------------ */

static void four_ports(void)
{
	pubs[0] = mkpub(false, "127.0.0.1", 8080, 80);
	pubs[1] = mkpub(true, "127.0.0.1", 8443, 12345);
	pubs[2] = mkpub(false, "::1", 9000, 90);
	pubs[3] = mkpub(true, "0.0.0.0", 443, 8443);
	policy_with(4);
}

Test(publish, print_urls)
{
	four_ports();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	publish_print_urls(&pol, f);
	fclose(f);
	cr_assert_str_eq(text,
			 "http://127.0.0.1:8080 -> guest port 80\n"
			 "https://127.0.0.1:8443 -> guest port 12345\n"
			 "http://[::1]:9000 -> guest port 90\n"
			 "https://0.0.0.0:443 -> guest port 8443\n");
	free(text);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(publish, tunnels_json)
{
	strcpy(tmpdir, "/tmp/publish-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	char path[128];
	snprintf(path, sizeof path, "%s/tunnels.json", tmpdir);
	four_ports();
	cr_assert_eq(publish_write_tunnels_json(&pol, path), 0);
	cr_assert_str_eq(slurp(path),
			 "{\"tunnels\":["
			 "{\"url\":\"http://127.0.0.1:8080\",\"host\":\"127.0.0.1\",\"host_port\":8080,"
			 "\"guest_port\":80,\"tls\":false},"
			 "{\"url\":\"https://127.0.0.1:8443\",\"host\":\"127.0.0.1\",\"host_port\":8443,"
			 "\"guest_port\":12345,\"tls\":true},"
			 "{\"url\":\"http://[::1]:9000\",\"host\":\"::1\",\"host_port\":9000,"
			 "\"guest_port\":90,\"tls\":false},"
			 "{\"url\":\"https://0.0.0.0:443\",\"host\":\"0.0.0.0\",\"host_port\":443,"
			 "\"guest_port\":8443,\"tls\":true}]}\n");
	/* Rewritten in place of an older file, nothing left beside it. */
	policy_with(1);
	cr_assert_eq(publish_write_tunnels_json(&pol, path), 0);
	cr_assert_str_eq(slurp(path),
			 "{\"tunnels\":[{\"url\":\"http://127.0.0.1:8080\",\"host\":\"127.0.0.1\","
			 "\"host_port\":8080,\"guest_port\":80,\"tls\":false}]}\n");
	char cmd[256];
	snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) = 1", tmpdir);
	run(cmd);
	/* An unwritable place is an error, not a crash. */
	snprintf(path, sizeof path, "%s/no/such/dir/t.json", tmpdir);
	cr_assert_eq(publish_write_tunnels_json(&pol, path), -ENOENT);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	run(cmd);
}
