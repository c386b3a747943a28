/* Published ports: starting the forwarder (fork, no exec, like the gofer),
 * its listeners, and what the sentry and the CLI see of it.  The event
 * loop is in publish_loop.c, the TLS set-up in publish_tls.c. */
#include "netstack/publish.h"
#include "netstack/publish_internal.h"
#include "netstack/proxy.h"

#include "common/helper.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The forwarder's first and only message of its own on the control
 * socket, before any connection: err 0 once every listener is bound, or
 * -errno and what went wrong, for the sentry to log. */
struct publish_ready {
	int32_t err;
	char text[256];
};

void publish_format_host(const struct net_publish *pub, char *buf, size_t len)
{
	if (!inet_ntop(pub->host_family, pub->host_addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void publish_format_hostport(const struct net_publish *pub, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	publish_format_host(pub, host, sizeof host);
	if (pub->host_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", host, pub->host_port);
	else
		snprintf(buf, len, "%s:%u", host, pub->host_port);
}

/* --- the forwarder process ------------------------------------------------ */

static int listen_one(const struct net_publish *pub, int *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof ss);
	if (pub->host_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(pub->host_port);
		memcpy(&sin->sin_addr, pub->host_addr, 4);
		len = sizeof *sin;
	} else if (pub->host_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(pub->host_port);
		memcpy(&sin6->sin6_addr, pub->host_addr, 16);
		len = sizeof *sin6;
	} else {
		return -EAFNOSUPPORT;
	}
	/* Blocking: only io_uring accepts on it, and it waits by itself. */
	int fd = socket(pub->host_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	int one = 1;
	/* SO_REUSEADDR: a restarted sandbox rebinds despite TIME_WAIT; an
	 * IPv6 listener takes only IPv6, so that -p [::]:80 and -p 0.0.0.0:80
	 * can coexist as on any dual-stack server. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    (pub->host_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	*out = fd;
	return 0;
}

static void send_ready(int ctl, int err, const char *text)
{
	struct publish_ready r;
	memset(&r, 0, sizeof r);
	r.err = err;
	snprintf(r.text, sizeof r.text, "%s", text);
	ssize_t n;
	do
		n = send(ctl, &r, sizeof r, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
}

/* Binds, loads, reports; then serves until the sentry goes away. */
static int forwarder_main(int ctl, const struct net_policy *p)
{
	char err[sizeof ((struct publish_ready *)0)->text] = "";
	int *fds = calloc(p->npublish, sizeof *fds);
	if (!fds) {
		send_ready(ctl, -ENOMEM, "published ports: out of memory");
		return -ENOMEM;
	}
	bool tls = false;
	for (size_t i = 0; i < p->npublish; i++) {
		int r = listen_one(&p->publish[i], &fds[i]);
		if (r < 0) {
			char where[INET6_ADDRSTRLEN + 8];
			publish_format_hostport(&p->publish[i], where, sizeof where);
			snprintf(err, sizeof err, "cannot listen on %s: %s", where, strerror(-r));
			send_ready(ctl, r, err);
			return r;
		}
		tls |= p->publish[i].tls;
	}
	SSL_CTX *ctx = NULL;
	int r = tls ? publish_tls_ctx_new(p, &ctx, err, sizeof err) : 0;
	struct publish_loop *lp = NULL;
	if (r == 0)
		r = publish_loop_new(ctl, p, fds, ctx, &lp, err, sizeof err);
	if (r == 0 && (r = netstack_confine_forwarder()) < 0)
		snprintf(err, sizeof err, "published ports: the forwarder cannot confine itself");
	if (r < 0) {
		send_ready(ctl, r, err);
		return r;
	}
	send_ready(ctl, 0, "");
	return publish_loop_run(lp);
}

/* The forwarder, in its process (common/helper.h). */
static int forwarder_child(int ctl, void *arg)
{
	const struct net_policy *p = arg;
	/* Writes to a client that has gone must fail with EPIPE, not kill us
	 * (OpenSSL writes to its socket with write(2)). */
	signal(SIGPIPE, SIG_IGN);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Out of the terminal's foreground group: a ^C meant for the guest
	 * must not take the published ports down (the forwarder goes with
	 * the sentry: EOF on ctl, or PR_SET_PDEATHSIG). */
	setpgid(0, 0);
	/* Two fds per TLS connection: the soft limit (often 1024) would stop
	 * us well before the loop's own limit. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return forwarder_main(ctl, p);
}

int publish_spawn(const struct net_policy *p, int *ctl_fd, pid_t *pid)
{
	if (p->npublish == 0)
		return -EINVAL;
	int ctl;
	pid_t child;
	int err = helper_spawn("publish", forwarder_child, (void *)p, 0, &ctl, &child);
	if (err < 0)
		return err;

	struct publish_ready r;
	ssize_t n;
	do
		n = recv(ctl, &r, sizeof r, 0);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof r && r.err == 0) {
		*ctl_fd = ctl;
		*pid = child;
		return 0;
	}
	if (n == (ssize_t)sizeof r) {
		r.text[sizeof r.text - 1] = '\0';
		log_error("%s", r.text);
		err = r.err < 0 && r.err > -4096 ? r.err : -EIO;
	} else {
		log_error("published ports: the forwarder died before listening");
		err = n < 0 ? -errno : -EIO;
	}
	close(ctl);
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	return err;
}

/* --- the sentry's side ----------------------------------------------------- */

enum { MAX_RECV_FDS = 8 };

int publish_recv_conn(int ctl_fd, struct publish_conn_msg *msg, int *fd)
{
	struct publish_conn_msg m;
	/* Room for more fds than the one expected, so that a malformed
	 * message's extra fds are received (and closed), not leaked. */
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_RECV_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof cbuf.buf,
	};
	ssize_t n;
	do
		n = recvmsg(ctl_fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	int fds[MAX_RECV_FDS], nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && nfds < MAX_RECV_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	bool ok = n == (ssize_t)sizeof m && nfds == 1 &&
		  !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
		  (m.peer_family == AF_INET || m.peer_family == AF_INET6) &&
		  m.guest_port != 0;
	if (!ok) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		/* A SEQPACKET peer that closed reads as an empty message. */
		return n == 0 && nfds == 0 ? 1 : -EBADMSG;
	}
	*msg = m;
	*fd = fds[0];
	return 0;
}

/* --- what the user sees ------------------------------------------------------ */

static void format_url(const struct net_publish *pub, char *buf, size_t len)
{
	char hostport[INET6_ADDRSTRLEN + 8];
	publish_format_hostport(pub, hostport, sizeof hostport);
	snprintf(buf, len, "%s://%s", pub->tls ? "https" : "http", hostport);
}

void publish_print_urls(const struct net_policy *p, FILE *out)
{
	for (size_t i = 0; i < p->npublish; i++) {
		char url[INET6_ADDRSTRLEN + 32];
		format_url(&p->publish[i], url, sizeof url);
		fprintf(out, "%s -> guest port %u\n", url, p->publish[i].guest_port);
	}
	fflush(out);
}

static int write_json(FILE *f, const struct net_policy *p)
{
	/* No escaping needed: every string is a numeric address. */
	fputs("{\"tunnels\":[", f);
	for (size_t i = 0; i < p->npublish; i++) {
		const struct net_publish *pub = &p->publish[i];
		char url[INET6_ADDRSTRLEN + 32], host[INET6_ADDRSTRLEN];
		format_url(pub, url, sizeof url);
		publish_format_host(pub, host, sizeof host);
		fprintf(f, "%s{\"url\":\"%s\",\"host\":\"%s\",\"host_port\":%u,\"guest_port\":%u,"
			"\"tls\":%s}", i ? "," : "", url, host, pub->host_port, pub->guest_port,
			pub->tls ? "true" : "false");
	}
	fputs("]}\n", f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* Programs that wait for the file must never read half of it: a regular
 * file is written beside and renamed into place; anything else (a fifo,
 * /dev/stdout) is written directly. */
int publish_write_tunnels_json(const struct net_policy *p, const char *path)
{
	struct stat st;
	bool direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
	char tmp[4096];
	if (!direct && snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	const char *target = direct ? path : tmp;
	int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (direct ? 0 : O_EXCL), 0644);
	if (fd < 0)
		return -errno;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		if (!direct)
			unlink(tmp);
		return -e;
	}
	int r = write_json(f, p);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (!direct) {
		if (r == 0 && rename(tmp, path) < 0)
			r = -errno;
		if (r < 0)
			unlink(tmp);
	}
	return r;
}
