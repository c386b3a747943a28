/* Network benchmarks: TCP throughput and request/response latency, over
 * loopback inside one sandbox and to a remote test host.
 *
 *   net [-t MS] [-d MS] [lo] [-c HOST[:PORT]]   the figures
 *   net -s [ADDR:]PORT                          a server for -c
 *
 * Prints one line per figure, `name value unit` (as bench/micro): Mbit/s
 * (10^6 bits a second) for the streams, microseconds per round trip for the
 * request/response figures.
 *
 *   lo   a server forked by this program on 127.0.0.1 (the figures' own
 *        network: the sandbox's netstack):
 *          tcp_stream_lo   one connection, 64 KiB writes to a sink
 *          tcp_rr_lo       one byte there and back (TCP_NODELAY)
 *   -c   a server started with -s elsewhere (the harness: in a network
 *        namespace behind a veth pair), PORT (default 47101) its sink,
 *        PORT+1 its echo server and PORT+2 its source:
 *          tcp_stream_tx   64 KiB writes to the sink
 *          tcp_stream_rx   64 KiB reads from the source
 *          tcp_rr          one byte there and back
 *
 * A stream runs for -d MS (default 500) after a 4 MiB warm-up, and ends
 * when the peer has everything: the sender shuts down its side and waits
 * for the sink's EOF, so no byte still in a buffer is counted.  A
 * request/response figure is calibrated like bench/micro's: its timed batch
 * takes about -t MS (default 300).  Without lo or -c: lo.
 *
 * The server (-s) listens on PORT, PORT+1 and PORT+2 of ADDR (default
 * 0.0.0.0), prints "ready" when it does, and serves every connection in a
 * process of its own until it is killed.
 *
 * Built static, like micro, so that it runs as it is natively and in any
 * sandbox whose root is the host's /.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK       (64 << 10)   /* one write or read of a stream */
#define WARMUP      (4L << 20)   /* untimed bytes before a stream's clock starts */
#define CLOCK_EVERY 16           /* chunks between two looks at the clock */
#define DEFAULT_PORT 47101
#define WATCHDOG_S  120          /* a peer that never answers must not hang the run */

enum { SVC_SINK, SVC_ECHO, SVC_SOURCE, NSVC };

static double target_s = 0.3;     /* -t: a request/response figure's timed batch */
static double stream_s = 0.5;     /* -d: a stream's timed part */

static _Noreturn void fail(const char *what)
{
	fprintf(stderr, "net: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* In a sandbox this program is pid 1, which ignores signals it has no
 * handler for: the watchdog needs one. */
static void on_alarm(int sig)
{
	static const char msg[] = "net: timed out\n";
	(void)sig;
	if (write(2, msg, sizeof msg - 1) < 0) {
		/* nothing more to do */
	}
	_exit(3);
}

static void set_nodelay(int fd)
{
	int one = 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		fail("TCP_NODELAY");
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* --- the server ---------------------------------------------------------------------- */

static void serve_sink(int fd, char *buf)
{
	ssize_t r;
	while ((r = read(fd, buf, CHUNK)) > 0 || (r < 0 && errno == EINTR))
		;
}

static void serve_echo(int fd, char *buf)
{
	set_nodelay(fd);
	ssize_t r;
	while ((r = read(fd, buf, CHUNK)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && write_all(fd, buf, (size_t)r) < 0)
			return;
}

/* Until the client goes away (EPIPE or ECONNRESET). */
static void serve_source(int fd, char *buf)
{
	for (int i = 0; i < CHUNK; i++)
		buf[i] = (char)(i * 131);
	while (write_all(fd, buf, CHUNK) == 0)
		;
}

static void serve_one(int svc, int fd)
{
	static char buf[CHUNK];
	if (svc == SVC_SINK)
		serve_sink(fd, buf);
	else if (svc == SVC_ECHO)
		serve_echo(fd, buf);
	else
		serve_source(fd, buf);
	close(fd);
}

static int listen_on(struct in_addr addr, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr = addr };
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		fail("bind");
	if (listen(fd, 64) < 0)
		fail("listen");
	return fd;
}

static int port_of(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		fail("getsockname");
	return ntohs(sa.sin_port);
}

/* Accepts on the listeners forever; each connection gets a process. */
static _Noreturn void serve(const int lfd[NSVC])
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);   /* children reap themselves */
	struct pollfd pfd[NSVC];
	for (int i = 0; i < NSVC; i++)
		pfd[i] = (struct pollfd){ .fd = lfd[i], .events = POLLIN };
	for (;;) {
		if (poll(pfd, NSVC, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll");
		}
		for (int i = 0; i < NSVC; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			int fd = accept4(lfd[i], NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			pid_t pid = fork();
			if (pid == 0) {
				for (int j = 0; j < NSVC; j++)
					close(lfd[j]);
				serve_one(i, fd);
				_exit(0);
			}
			close(fd);
		}
	}
}

/* --- the client ---------------------------------------------------------------------- */

struct target {
	struct sockaddr_in addr[NSVC];
};

static int dial(const struct target *t, int svc)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket");
	if (connect(fd, (const struct sockaddr *)&t->addr[svc], sizeof t->addr[svc]) < 0)
		fail("connect");
	return fd;
}

static void report(const char *name, double value, const char *unit)
{
	printf("%s %.3f %s\n", name, value, unit);
	fflush(stdout);
}

/* Writes to the sink for stream_s after the warm-up; Mbit/s. */
static double stream_tx(const struct target *t)
{
	static char buf[CHUNK];
	memset(buf, 'x', sizeof buf);
	int fd = dial(t, SVC_SINK);
	for (long done = 0; done < WARMUP; done += CHUNK)
		if (write_all(fd, buf, CHUNK) < 0)
			fail("write (warm-up)");
	double t0 = now(), t1;
	long bytes = 0;
	do {
		for (int i = 0; i < CLOCK_EVERY; i++)
			if (write_all(fd, buf, CHUNK) < 0)
				fail("write");
		bytes += (long)CLOCK_EVERY * CHUNK;
	} while (now() - t0 < stream_s);
	/* The sink closes when it has read everything. */
	if (shutdown(fd, SHUT_WR) < 0)
		fail("shutdown");
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
		;
	if (r < 0)
		fail("read (end of stream)");
	t1 = now();
	close(fd);
	return (double)bytes * 8 / (t1 - t0) / 1e6;
}

/* Reads from the source for stream_s after the warm-up; Mbit/s. */
static double stream_rx(const struct target *t)
{
	static char buf[CHUNK];
	int fd = dial(t, SVC_SOURCE);
	long got = 0, bytes = 0;
	ssize_t r;
	while (got < WARMUP) {
		if ((r = read(fd, buf, sizeof buf)) <= 0)
			fail("read (warm-up)");
		got += r;
	}
	double t0 = now(), t1;
	do {
		for (long mark = bytes + (long)CLOCK_EVERY * CHUNK; bytes < mark; bytes += r)
			if ((r = read(fd, buf, sizeof buf)) <= 0)
				fail("read");
	} while ((t1 = now()) - t0 < stream_s);
	close(fd);   /* unread data: a reset, which ends the source */
	return (double)bytes * 8 / (t1 - t0) / 1e6;
}

/* One byte to the echo server and back, n times. */
static void run_rr(long n, int fd)
{
	char c = 'x';
	for (long i = 0; i < n; i++)
		if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			fail("request/response");
}

static double timed_rr(long n, int fd)
{
	double t0 = now();
	run_rr(n, fd);
	return now() - t0;
}

/* Microseconds per round trip; calibrated as bench/micro's measure(). */
static double rr(const struct target *t)
{
	int fd = dial(t, SVC_ECHO);
	set_nodelay(fd);
	run_rr(16, fd);   /* warm up */
	long n = 1;
	double s;
	for (;;) {
		s = timed_rr(n, fd);
		if (s >= target_s / 8)
			break;
		n *= s < target_s / 1000 ? 16 : 2;
	}
	long final = (long)(target_s / (s / (double)n));
	if (final < 1)
		final = 1;
	s = timed_rr(final, fd) / (double)final;
	close(fd);
	return s * 1e6;
}

static void run_figures(const struct target *t, const char *suffix)
{
	char name[64];
	snprintf(name, sizeof name, "tcp_stream%s", *suffix ? suffix : "_tx");
	report(name, stream_tx(t), "Mbit/s");
	if (!*suffix)
		report("tcp_stream_rx", stream_rx(t), "Mbit/s");
	snprintf(name, sizeof name, "tcp_rr%s", suffix);
	report(name, rr(t), "us");
}

/* The loopback figures against a server forked here. */
static void loopback(void)
{
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	int lfd[NSVC];
	struct target t;
	for (int i = 0; i < NSVC; i++) {
		lfd[i] = listen_on(lo, 0);
		t.addr[i] = (struct sockaddr_in){ .sin_family = AF_INET,
						  .sin_port = htons((uint16_t)port_of(lfd[i])),
						  .sin_addr = lo };
	}
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0)
		serve(lfd);
	for (int i = 0; i < NSVC; i++)
		close(lfd[i]);
	run_figures(&t, "_lo");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* HOST[:PORT] -> the three services' addresses. */
static void parse_target(const char *spec, struct target *t)
{
	char host[256];
	int port = DEFAULT_PORT;
	snprintf(host, sizeof host, "%s", spec);
	char *colon = strrchr(host, ':');
	if (colon) {
		*colon = 0;
		port = atoi(colon + 1);
	}
	struct in_addr a;
	if (inet_pton(AF_INET, host, &a) != 1 || port <= 0 || port > 65535 - NSVC) {
		fprintf(stderr, "net: bad address %s (want IPV4[:PORT])\n", spec);
		exit(2);
	}
	for (int i = 0; i < NSVC; i++)
		t->addr[i] = (struct sockaddr_in){ .sin_family = AF_INET,
						   .sin_port = htons((uint16_t)(port + i)),
						   .sin_addr = a };
}

static _Noreturn void server_main(const char *spec)
{
	struct target t;
	if (!strchr(spec, ':')) {
		char buf[300];
		snprintf(buf, sizeof buf, "0.0.0.0:%s", spec);
		parse_target(buf, &t);
	} else {
		parse_target(spec, &t);
	}
	int lfd[NSVC];
	for (int i = 0; i < NSVC; i++)
		lfd[i] = listen_on(t.addr[i].sin_addr, ntohs(t.addr[i].sin_port));
	printf("ready\n");
	fflush(stdout);
	serve(lfd);
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: net [-t MS] [-d MS] [lo] [-c HOST[:PORT]]\n"
			"       net -s [ADDR:]PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *remote = NULL;
	int ch;
	while ((ch = getopt(argc, argv, "t:d:c:s:")) != -1) {
		switch (ch) {
		case 't':
			target_s = atof(optarg) / 1000;
			break;
		case 'd':
			stream_s = atof(optarg) / 1000;
			break;
		case 'c':
			remote = optarg;
			break;
		case 's':
			server_main(optarg);
		default:
			usage();
		}
	}
	if (target_s <= 0)
		target_s = 0.3;
	if (stream_s <= 0)
		stream_s = 0.5;
	int lo = !remote;
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "lo") != 0)
			usage();
		lo = 1;
	}
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(WATCHDOG_S);
	if (lo)
		loopback();
	if (remote) {
		struct target t;
		parse_target(remote, &t);
		run_figures(&t, "");
	}
	return 0;
}
