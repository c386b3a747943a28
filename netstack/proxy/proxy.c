/* The egress proxy process: libslirp behind the policy gate, on io_uring
 * (netstack/proxy.h).
 *
 * One round of the loop: slirp_pollfds_fill() names the host sockets slirp
 * wants watched and how long it may sleep (its TCP timers); the pollset
 * arms one-shot io_uring polls for them and for the frame link, and waits
 * once (one io_uring_enter); every frame queued on the link is then read
 * in batches (recvmmsg), checked (net_policy_frame_ok, then the deny list)
 * and handed to slirp_input(); slirp_pollfds_poll() does the host-side
 * socket I/O; due timers run; the frames slirp produced during the round,
 * collected by send_packet, leave in one sendmmsg.  A frame the link
 * cannot take at once (its socket buffer full) is dropped, as a NIC would:
 * TCP retransmits.
 *
 * libslirp is not thread-safe and is only ever called from this loop. */
#include "netstack/proxy.h"

#include "common/helper.h"
#include "common/log.h"
#include "netstack/netconf.h"
#include "netstack/proxy/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libslirp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Frames read per recvmmsg, and batches per round before slirp's host
 * sockets get their turn. */
#define RX_BATCH 64
#define RX_ROUNDS 8
/* The largest frame the link carries: an IPv4/IPv6 packet of at most
 * 65535 bytes plus the Ethernet header.  Larger messages are dropped. */
#define RX_SLOT (14 + 65535 + 1)
/* Frames slirp sends are at most if_mtu + 14 = 1514 bytes; bigger ones go
 * out unbatched. */
#define TX_BATCH 64
#define TX_SLOT 2048
/* The link's socket buffers: deep enough for a TCP window of frames. */
#define LINK_SNDBUF (4 << 20)

struct ptimer {
	struct ptimer *next;
	bool by_id;               /* timer_new_opaque: slirp_handle_timer(id, arg) */
	SlirpTimerId id;
	SlirpTimerCb cb;          /* timer_new: cb(arg) */
	void *arg;
	bool armed;
	int64_t expire_ms;
};

struct proxy {
	Slirp *slirp;
	const struct net_policy *pol;
	int link;
	pid_t parent;
	struct pollset ps;
	bool ps_ok;
	struct denylist dl;
	struct ptimer *timers;
	bool eof;                 /* the link is closed: leave */
	bool link_pending;        /* frames left on the link after a full round */

	struct mmsghdr rx_msgs[RX_BATCH];
	struct iovec rx_iov[RX_BATCH];
	uint8_t *rx_buf;

	struct mmsghdr tx_msgs[TX_BATCH];
	struct iovec tx_iov[TX_BATCH];
	uint8_t *tx_buf;
	unsigned ntx;

	uint64_t rx_frames, rx_denied, tx_frames, tx_dropped, tx_acks_merged;
};

/* --- slirp callbacks -------------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cb_clock_get_ns(void *opaque)
{
	return now_ns();
}

static void tx_flush(struct proxy *px)
{
	unsigned done = 0;
	while (done < px->ntx) {
		int r = sendmmsg(px->link, px->tx_msgs + done, px->ntx - done,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN))
			px->eof = true;
		/* EAGAIN: the sentry is behind; drop, TCP will retransmit. */
		px->tx_dropped += px->ntx - done;
		break;
	}
	px->tx_frames += done;
	px->ntx = 0;
}

/* --- ACK thinning ---
 * libslirp acknowledges every segment the guest sends (tcp_input: "It is
 * better to not delay acks at all"), so a bulk upload makes one ACK frame
 * per data frame for the sentry's TCP to process.  Within one round's
 * batch, a pure ACK (no payload, flags exactly ACK) that acknowledges more
 * than an earlier pure ACK of the same connection, with no other frame of
 * that connection in between, replaces it: the cumulative ACK and the
 * latest window say all the earlier one did.  Duplicate ACKs (same ack
 * number: a loss signal) are never merged. */

/* The offset of the TCP header of a pure ACK in an Ethernet frame, or 0. */
static size_t tcp_offset(const uint8_t *f, size_t len, bool *pure)
{
	*pure = false;
	if (len < 14 + 40)
		return 0;
	size_t l3 = 14, t, iplen;
	if (f[12] == 0x08 && f[13] == 0x00) {
		if (f[l3 + 9] != 6)
			return 0;
		t = l3 + (size_t)(f[l3] & 0xf) * 4;
		iplen = (size_t)(f[l3 + 2] << 8 | f[l3 + 3]);
		if (iplen < t - l3)
			return 0;
		iplen -= t - l3; /* the TCP segment's length */
	} else if (f[12] == 0x86 && f[13] == 0xdd) {
		if (f[l3 + 6] != 6)
			return 0;
		t = l3 + 40;
		iplen = (size_t)(f[l3 + 4] << 8 | f[l3 + 5]);
	} else {
		return 0;
	}
	if (t + 20 > len)
		return 0;
	*pure = (size_t)(f[t + 12] >> 4) * 4 == iplen && f[t + 13] == 0x10;
	return t;
}

/* Same addresses and ports (same family: same TCP offset checked before). */
static bool same_flow(const uint8_t *a, const uint8_t *b, size_t t)
{
	size_t addr = a[12] == 0x08 ? 14 + 12 : 14 + 8;
	return memcmp(a + 12, b + 12, 2) == 0 && memcmp(a + addr, b + addr, t - addr) == 0 &&
	       memcmp(a + t, b + t, 4) == 0;
}

static uint32_t ack_of(const uint8_t *f, size_t t)
{
	return (uint32_t)f[t + 8] << 24 | (uint32_t)f[t + 9] << 16 | (uint32_t)f[t + 10] << 8 |
	       f[t + 11];
}

/* Replaces an earlier pure ACK of the same flow in the batch; true if so. */
static bool merge_ack(struct proxy *px, const uint8_t *f, size_t len)
{
	bool pure;
	size_t t = tcp_offset(f, len, &pure);
	if (!t || !pure)
		return false;
	for (unsigned i = px->ntx; i-- > 0;) {
		uint8_t *old = px->tx_buf + (size_t)i * TX_SLOT;
		size_t olen = px->tx_iov[i].iov_len;
		bool opure;
		if (tcp_offset(old, olen, &opure) != t || !same_flow(old, f, t))
			continue;
		if (!opure || olen != len || (int32_t)(ack_of(f, t) - ack_of(old, t)) <= 0)
			return false;
		memcpy(old, f, len);
		px->tx_acks_merged++;
		return true;
	}
	return false;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct proxy *px = opaque;
	if (len > TX_SLOT) {
		tx_flush(px);
		if (send(px->link, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			px->tx_dropped++;
		else
			px->tx_frames++;
		return (ssize_t)len;
	}
	if (merge_ack(px, buf, len))
		return (ssize_t)len;
	if (px->ntx == TX_BATCH)
		tx_flush(px);
	memcpy(px->tx_buf + (size_t)px->ntx * TX_SLOT, buf, len);
	px->tx_iov[px->ntx].iov_len = len;
	px->ntx++;
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	log_debug("slirp: guest error: %s", msg);
}

static struct ptimer *timer_add(struct proxy *px, struct ptimer t)
{
	struct ptimer *n = malloc(sizeof *n);
	if (!n) {
		/* libslirp cannot handle a NULL timer either: this is fatal. */
		log_error("out of memory for a slirp timer");
		_exit(1);
	}
	*n = t;
	n->next = px->timers;
	px->timers = n;
	return n;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	return timer_add(opaque, (struct ptimer){ .cb = cb, .arg = cb_opaque });
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	return timer_add(opaque, (struct ptimer){ .by_id = true, .id = id, .arg = cb_opaque });
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct proxy *px = opaque;
	for (struct ptimer **pp = &px->timers; *pp; pp = &(*pp)->next) {
		if (*pp == timer) {
			*pp = (*pp)->next;
			free(timer);
			return;
		}
	}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct ptimer *t = timer;
	t->armed = true;
	t->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
}

/* Nothing to do: no poll outlives its round (pollset.c). */
static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

/* slirp wants its fds looked at again: the next round does it anyway. */
static void cb_notify(void *opaque)
{
}

static void cb_init_completed(Slirp *slirp, void *opaque)
{
	struct proxy *px = opaque;
	px->slirp = slirp;
}

static const SlirpCb slirp_cbs = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
	.init_completed = cb_init_completed,
	.timer_new_opaque = cb_timer_new_opaque,
};

/* --- timers ------------------------------------------------------------------- */

/* Milliseconds until the next timer, or -1 if none is armed. */
static int64_t next_timer_ms(const struct proxy *px)
{
	int64_t now = now_ns() / 1000000, best = -1;
	for (const struct ptimer *t = px->timers; t; t = t->next) {
		if (!t->armed)
			continue;
		int64_t d = t->expire_ms > now ? t->expire_ms - now : 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

static void run_timers(struct proxy *px)
{
	/* A callback may free or re-arm timers: rescan after each one; the
	 * bound keeps a timer re-armed in the past from spinning here. */
	for (int fired = 0; fired < 16; fired++) {
		int64_t now = now_ns() / 1000000;
		struct ptimer *t = px->timers;
		while (t && !(t->armed && t->expire_ms <= now))
			t = t->next;
		if (!t)
			return;
		t->armed = false;
		if (t->by_id)
			slirp_handle_timer(px->slirp, t->id, t->arg);
		else if (t->cb)
			t->cb(t->arg);
	}
}

/* --- the link ----------------------------------------------------------------- */

/* A zero-length read: the sentry's end is closed (or it sent an empty
 * message, which means nothing). */
static bool link_hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

static void frame_in(struct proxy *px, const uint8_t *f, size_t len)
{
	px->rx_frames++;
	if (!net_policy_frame_ok(px->pol, f, len) || denylist_denies_frame(&px->dl, f, len)) {
		px->rx_denied++;
		/* A connection to a refused address fails at once. */
		uint8_t rst[14 + 40 + 20];
		size_t n = proxy_make_reset(f, len, rst, sizeof rst);
		if (n)
			cb_send_packet(rst, n, px);
		return;
	}
	slirp_input(px->slirp, f, (int)len);
}

static int link_drain(struct proxy *px)
{
	for (int round = 0; round < RX_ROUNDS; round++) {
		int n = recvmmsg(px->link, px->rx_msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			px->link_pending = false;
			if (errno == EAGAIN)
				return 0;
			if (errno == ECONNRESET || errno == ENOTCONN || errno == EPIPE) {
				px->eof = true;
				return 0;
			}
			int e = errno;
			log_error("link: recvmmsg: %s", strerror(e));
			return -e;
		}
		for (int i = 0; i < n; i++) {
			size_t len = px->rx_msgs[i].msg_len;
			if (len == 0) {
				if (link_hung_up(px->link)) {
					px->eof = true;
					return 0;
				}
				continue;
			}
			if (px->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				px->rx_denied++;
				continue;
			}
			frame_in(px, px->rx_buf + (size_t)i * RX_SLOT, len);
			/* A data segment's ACK goes back at once: the guest's
			 * TCP has a 64 KiB window (slirp does no window
			 * scaling), and an ACK held until the whole batch is
			 * through would make every window a stop-and-wait. */
			if (len > 2048 && px->ntx > 0)
				tx_flush(px);
		}
		if (n < RX_BATCH) {
			px->link_pending = false;
			return 0;
		}
	}
	px->link_pending = true; /* more next round, after the host side */
	return 0;
}

/* --- the loop ------------------------------------------------------------------ */

static int add_poll_cb(int fd, int events, void *opaque)
{
	struct proxy *px = opaque;
	short ev = 0;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return ps_add(&px->ps, fd, ev);
}

static int get_revents_cb(int idx, void *opaque)
{
	struct proxy *px = opaque;
	short rev = ps_revents(&px->ps, idx);
	int r = 0;
	if (rev & POLLIN)
		r |= SLIRP_POLL_IN;
	if (rev & POLLOUT)
		r |= SLIRP_POLL_OUT;
	if (rev & POLLPRI)
		r |= SLIRP_POLL_PRI;
	if (rev & POLLERR)
		r |= SLIRP_POLL_ERR;
	if (rev & POLLHUP)
		r |= SLIRP_POLL_HUP;
	return r;
}

static int run_loop(struct proxy *px)
{
	while (!px->eof) {
		uint32_t timeout = UINT32_MAX;
		ps_begin(&px->ps);
		slirp_pollfds_fill(px->slirp, &timeout, add_poll_cb, px);
		int wait_ms = timeout >= INT_MAX ? -1 : (int)timeout;
		int64_t t = next_timer_ms(px);
		if (t >= 0 && (wait_ms < 0 || t < wait_ms))
			wait_ms = (int)t;
		if (px->link_pending)
			wait_ms = 0;
		int r = ps_wait(&px->ps, wait_ms);
		if (r < 0) {
			log_error("io_uring wait: %s", strerror(-r));
			return r;
		}
		if (px->ps.nl_ready) {
			px->ps.nl_ready = false;
			if (denylist_nl_changed(&px->dl))
				denylist_refresh(&px->dl);
		}
		bool link_active = px->ps.link_ready || px->link_pending;
		if (link_active) {
			px->ps.link_ready = false;
			r = link_drain(px);
			if (r < 0)
				return r;
		}
		slirp_pollfds_poll(px->slirp, 0, get_revents_cb, px);
		run_timers(px);
		tx_flush(px);
		ps_end(&px->ps);
		/* PR_SET_PDEATHSIG covers the parent's death; this catches a
		 * parent that died before it was set (and costs one syscall per
		 * idle wake-up only). */
		if (!link_active && getppid() != px->parent)
			px->eof = true;
	}
	return 0;
}

/* --- set-up ----------------------------------------------------------------------- */

static struct in_addr in4(const char *s)
{
	struct in_addr a = { 0 };
	inet_pton(AF_INET, s, &a);
	return a;
}

static struct in6_addr in6(const char *s)
{
	struct in6_addr a = IN6ADDR_ANY_INIT;
	inet_pton(AF_INET6, s, &a);
	return a;
}

static void slirp_config(SlirpConfig *cfg, const struct net_policy *p)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->version = 4;
	cfg->restricted = 0;
	cfg->in_enabled = true;
	cfg->vnetwork = in4(NETCONF_V4_NET);
	cfg->vnetmask.s_addr = htonl(NETCONF_V4_PREFIX ? ~0u << (32 - NETCONF_V4_PREFIX) : 0);
	cfg->vhost = in4(NETCONF_V4_GATEWAY);
	cfg->vnameserver = in4(NETCONF_V4_DNS);
	cfg->vdhcp_start = in4(NETCONF_V4_ADDR); /* DHCP is off; a sane value anyway */
	cfg->in6_enabled = true;
	cfg->vprefix_addr6 = in6(NETCONF_V6_PREFIX_ADDR);
	cfg->vprefix_len = NETCONF_V6_PREFIX;
	cfg->vhost6 = in6(NETCONF_V6_GATEWAY);
	cfg->vnameserver6 = in6(NETCONF_V6_DNS);
	cfg->if_mtu = NETCONF_MTU;
	cfg->if_mru = NETCONF_MTU;
	cfg->disable_host_loopback = true;
	cfg->enable_emu = false;
	cfg->disable_dns = !p->dns_allowed;
	cfg->disable_dhcp = true;
}

static int buffers_init(struct proxy *px)
{
	px->rx_buf = malloc((size_t)RX_BATCH * RX_SLOT);
	px->tx_buf = malloc((size_t)TX_BATCH * TX_SLOT);
	if (!px->rx_buf || !px->tx_buf)
		return -ENOMEM;
	for (int i = 0; i < RX_BATCH; i++) {
		px->rx_iov[i] = (struct iovec){ px->rx_buf + (size_t)i * RX_SLOT, RX_SLOT };
		px->rx_msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &px->rx_iov[i], .msg_iovlen = 1 };
	}
	for (int i = 0; i < TX_BATCH; i++) {
		px->tx_iov[i] = (struct iovec){ px->tx_buf + (size_t)i * TX_SLOT, 0 };
		px->tx_msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &px->tx_iov[i], .msg_iovlen = 1 };
	}
	return 0;
}

static void proxy_free(struct proxy *px)
{
	if (px->slirp)
		slirp_cleanup(px->slirp);
	while (px->timers) {
		struct ptimer *t = px->timers;
		px->timers = t->next;
		free(t);
	}
	if (px->ps_ok)
		ps_destroy(&px->ps);
	denylist_free(&px->dl);
	free(px->rx_buf);
	free(px->tx_buf);
	free(px);
}

int egress_proxy_serve(int link_fd, const struct net_policy *p)
{
	/* slirp writes to host sockets whose peers may reset them. */
	signal(SIGPIPE, SIG_IGN);
	int fl = fcntl(link_fd, F_GETFL);
	if (fl < 0 || fcntl(link_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;

	struct proxy *px = calloc(1, sizeof *px);
	if (!px)
		return -ENOMEM;
	px->pol = p;
	px->link = link_fd;
	px->parent = getppid();
	px->dl.nl_fd = -1;
	int r = buffers_init(px);
	if (r == 0)
		r = denylist_init(&px->dl);
	if (r == 0) {
		r = ps_init(&px->ps, link_fd, px->dl.nl_fd);
		px->ps_ok = r == 0;
	}
	if (r < 0) {
		log_error("start: %s", strerror(-r));
		proxy_free(px);
		return r;
	}

	SlirpConfig cfg;
	slirp_config(&cfg, p);
	Slirp *s = slirp_new(&cfg, &slirp_cbs, px);
	if (!s) {
		log_error("slirp_new failed");
		proxy_free(px);
		return -EINVAL;
	}
	px->slirp = s;
	r = netstack_confine_proxy();
	if (r == 0)
		r = run_loop(px);
	log_debug("link closed: %llu frames in (%llu denied), %llu out (%llu dropped, "
		  "%llu ACKs merged)",
		  (unsigned long long)px->rx_frames, (unsigned long long)px->rx_denied,
		  (unsigned long long)px->tx_frames, (unsigned long long)px->tx_dropped,
		  (unsigned long long)px->tx_acks_merged);
	proxy_free(px);
	return r;
}

/* --- spawning ----------------------------------------------------------------------- */

static int proxy_child(int link, void *arg)
{
	return egress_proxy_serve(link, arg);
}

int egress_proxy_spawn(const struct net_policy *p, int *link_fd, pid_t *pid)
{
	if (!p || !link_fd || !pid)
		return -EINVAL;
	/* Deep buffers on both ends: frames that do not fit are dropped. */
	return helper_spawn("netproxy", proxy_child, (void *)p, LINK_SNDBUF, link_fd, pid);
}
