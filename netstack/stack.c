/* lwIP in the sentry: start-up, the interfaces (lo; eth0 over the frame
 * link to the egress proxy), the I/O thread that feeds lwIP the proxy's
 * frames, and published connections from the port forwarder.
 *
 * lwIP runs its own tcpip thread (timers, loopback delivery); everything
 * else calls into it with the core lock held (internal.h).  lwIP has no
 * loopback interface of its own in Debian's build (LWIP_HAVE_LOOPIF=0):
 * "lo" here is an ordinary netif holding 127.0.0.1/8 and ::1 (the rest of
 * 127/8: "lo's other addresses" below), and lwIP
 * loops packets for those addresses (and for eth0's own) before any
 * output function runs, so nothing for the sandbox itself reaches the link.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/tcpip.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/nd6.h"
#include "lwip/priv/nd6_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"

#include "common/log.h"
#include "netstack/internal.h"
#include "netstack/netconf.h"
#include "netstack/netstack.h"
#include "netstack/proxy.h"
#include "netstack/publish.h"

#define LINK_BATCH   16
#define FRAME_MAX    (NETCONF_MTU + 14)

void net_lock(void)
{
	LOCK_TCPIP_CORE();
}

/* The netstack of this sentry, for net_unlock (lwIP is one per process). */
static struct netstack *the_stack;

/* Packets to the sandbox's own addresses wait on their netif's loop queue
 * for lwIP's thread; delivering them before the lock is dropped makes
 * loopback synchronous, as on Linux: when close() returns, the peer has
 * its reset; when send() returns, the data is in the peer's queue. */
void net_unlock(void)
{
	struct netstack *ns = the_stack;
	if (ns) {
		netif_poll(&ns->lo);
		if (ns->has_eth0)
			netif_poll(&ns->eth0);
	}
	UNLOCK_TCPIP_CORE();
}

/* --- the helper processes ---------------------------------------------------------------- */

int netstack_spawn_helpers(const struct net_policy *p, struct netstack_helpers *h)
{
	*h = (struct netstack_helpers){ .link_fd = -1, .publish_fd = -1 };
	int err;
	if (p->mode != NET_NONE &&
	    (err = egress_proxy_spawn(p, &h->link_fd, &h->proxy_pid)) < 0) {
		log_error("cannot start the egress proxy: %s", strerror(-err));
		return err;
	}
	if (p->npublish > 0) {
		if ((err = publish_spawn(p, &h->publish_fd, &h->publish_pid)) < 0)
			return err;   /* logged, with the address */
		publish_print_urls(p, stderr);
		if (p->tunnels_json && (err = publish_write_tunnels_json(p, p->tunnels_json)) < 0) {
			log_error("cannot write %s: %s", p->tunnels_json, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* --- interfaces ---------------------------------------------------------------------------- */

static void addr4(ip4_addr_t *a, const char *s)
{
	ip4addr_aton(s, a);
}

static void addr6(ip6_addr_t *a, const char *s)
{
	ip6addr_aton(s, a);
	ip6_addr_clear_zone(a);
}

/* lo: everything for it was looped before output; nothing else goes there. */
static err_t lo_output4(struct netif *nif, struct pbuf *p, const ip4_addr_t *dst)
{
	return ERR_OK;
}

static err_t lo_output6(struct netif *nif, struct pbuf *p, const ip6_addr_t *dst)
{
	return ERR_OK;
}

static err_t lo_init(struct netif *nif)
{
	nif->name[0] = 'l';
	nif->name[1] = 'o';
	nif->mtu = NETCONF_MTU;   /* lwIP's field is 16 bits: not lo's 65536 */
	nif->output = lo_output4;
	nif->output_ip6 = lo_output6;
	nif->flags = NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

/* The MSS for our connections: what the MTU allows, but no more than a
 * third of lwIP's fixed 64 KiB window, so that a window holds three
 * segments and the peer's every-other-segment ACK comes back while the
 * third is in flight (with two 32 KiB segments, a delayed ACK would make
 * every window a stop-and-wait; measured: 21 KiB segments gave the best
 * throughput both ways through slirp). */
static u16_t net_link_mss(bool v6)
{
	unsigned mss = NETCONF_MTU - (v6 ? 60u : 40u);
	unsigned third = (TCP_WND / 3) & ~7u;
	return (u16_t)(mss < third ? mss : third);
}

/* lwIP's TCP_MSS is a compile-time 1460 in Debian's build, and it puts that
 * in every SYN; the link takes segments as large as its MTU.  A SYN leaving
 * on eth0 gets the MSS option the MTU allows (the fields' checksum updated
 * as RFC 1624 says), so that slirp sends large segments; our own side is
 * raised once connected (net_raise_mss).  The peer is always slirp, which
 * terminates the connection: nothing beyond it sees this MSS. */
void raise_syn_mss(uint8_t *f, size_t len)
{
	size_t ip = 14, l4;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]), mss;
	if (type == 0x0800 && len >= ip + 20 && f[ip + 9] == 6) {
		l4 = ip + (size_t)(f[ip] & 0x0f) * 4;
		mss = net_link_mss(false);
	} else if (type == 0x86dd && len >= ip + 40 && f[ip + 6] == 6) {
		l4 = ip + 40;
		mss = net_link_mss(true);
	} else {
		return;
	}
	if (len < l4 + 20 || !(f[l4 + 13] & 0x02))   /* SYN */
		return;
	size_t doff = (size_t)(f[l4 + 12] >> 4) * 4;
	if (doff < 20 || len < l4 + doff)
		return;
	for (size_t o = l4 + 20; o + 4 <= l4 + doff;) {
		uint8_t kind = f[o];
		if (kind == 0)
			break;
		if (kind == 1) {
			o++;
			continue;
		}
		uint8_t olen = f[o + 1];
		if (olen < 2 || o + olen > l4 + doff)
			break;
		if (kind == 2 && olen == 4) {
			uint16_t old = (uint16_t)(f[o + 2] << 8 | f[o + 3]);
			if (old >= mss)
				return;
			f[o + 2] = (uint8_t)(mss >> 8);
			f[o + 3] = (uint8_t)mss;
			/* HC' = ~(~HC + ~m + m') */
			uint32_t sum = (uint16_t)~(f[l4 + 16] << 8 | f[l4 + 17]);
			sum += (uint16_t)~old;
			sum += mss;
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			sum = (uint16_t)~sum;
			f[l4 + 16] = (uint8_t)(sum >> 8);
			f[l4 + 17] = (uint8_t)sum;
			return;
		}
		o += olen;
	}
}

/* eth0's frames to the proxy: the policy gate, then the link.  A full
 * link drops the frame (TCP retransmits), as a full NIC queue would. */
/* The policy's verdict on a large TCP frame from its headers alone: a copy
 * of them whose IP length fields are cut to match (the verdict depends on
 * the addresses, the protocol and the ports, all there).  -1: not such a
 * frame (the caller checks a full copy). */
static int large_tcp_frame_ok(struct netstack *ns, struct pbuf *p)
{
	uint8_t h[14 + 60 + 20];
	u16_t n = pbuf_copy_partial(p, h, sizeof h, 0);
	if (n < 14 + 40 + 20)
		return -1;
	size_t cut;
	if (h[12] == 0x08 && h[13] == 0x00 && (h[14] >> 4) == 4 && h[14 + 9] == 6) {
		size_t ihl = (size_t)(h[14] & 0x0f) * 4;
		if (ihl < 20 || 14 + ihl + 20 > n)
			return -1;
		h[14 + 2] = (uint8_t)((ihl + 20) >> 8);
		h[14 + 3] = (uint8_t)(ihl + 20);
		cut = 14 + ihl + 20;
	} else if (h[12] == 0x86 && h[13] == 0xdd && h[14 + 6] == 6) {
		h[14 + 4] = 0;
		h[14 + 5] = 20;
		cut = 14 + 40 + 20;
	} else {
		return -1;
	}
	return net_policy_frame_ok(ns->policy, h, cut);
}

/* eth0's frames to the proxy: the policy gate, then the link.  A full
 * link drops the frame (TCP retransmits), as a full NIC queue would.
 * Large frames (TCP data) go out from lwIP's buffers as they are (one
 * copy fewer); small ones are copied whole, checked, and SYNs get their
 * MSS raised. */
static err_t eth0_linkoutput(struct netif *nif, struct pbuf *p)
{
	struct netstack *ns = nif->state;
	if (ns->link_fd < 0)
		return ERR_IF;   /* the proxy died (link_lost) */
	if (p->tot_len > 2048) {
		struct iovec iov[64];
		int niov = 0;
		for (struct pbuf *q = p; q && niov < 64; q = q->next)
			if (q->len)
				iov[niov++] = (struct iovec){ q->payload, q->len };
		int ok = large_tcp_frame_ok(ns, p);
		if (ok == 0) {
			log_debug("netstack: policy dropped a %u-byte frame on eth0", p->tot_len);
			return ERR_OK;
		}
		if (ok == 1 && niov < 64) {
			struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)niov };
			if (sendmsg(ns->link_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
				return ERR_IF;
			return ERR_OK;
		}
	}
	static uint8_t frame[FRAME_MAX];   /* core lock held */
	if (p->tot_len > sizeof frame)
		return ERR_IF;
	uint16_t len = pbuf_copy_partial(p, frame, p->tot_len, 0);
	raise_syn_mss(frame, len);
	if (!net_policy_frame_ok(ns->policy, frame, len)) {
		log_debug("netstack: policy dropped a %u-byte frame on eth0", len);
		return ERR_OK;
	}
	if (send(ns->link_fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		return ERR_IF;
	return ERR_OK;
}

static err_t eth0_init(struct netif *nif)
{
	nif->name[0] = 'e';
	nif->name[1] = 't';
	nif->mtu = NETCONF_MTU;
	nif->mtu6 = NETCONF_MTU;
	nif->hwaddr_len = 6;
	memcpy(nif->hwaddr, netconf_eth0_mac, 6);
	nif->output = etharp_output;
	nif->output_ip6 = ethip6_output;
	nif->linkoutput = eth0_linkoutput;
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		     NETIF_FLAG_LINK_UP | NETIF_FLAG_MLD6;
	return ERR_OK;
}

static void add_ip6(struct netif *nif, const char *s)
{
	ip6_addr_t a;
	s8_t idx;
	addr6(&a, s);
	if (netif_add_ip6_address(nif, &a, &idx) == ERR_OK)
		netif_ip6_addr_set_state(nif, idx, IP6_ADDR_PREFERRED);
}

static void setup_netifs(struct netstack *ns)
{
	ip4_addr_t a, m, g;
	addr4(&a, "127.0.0.1");
	addr4(&m, "255.0.0.0");
	ip4_addr_set_zero(&g);
	netif_add(&ns->lo, &a, &m, &g, ns, lo_init, ip_input);
	add_ip6(&ns->lo, "::1");
	netif_set_up(&ns->lo);
	if (!ns->has_eth0) {
		netif_set_default(&ns->lo);
		return;
	}
	addr4(&a, NETCONF_V4_ADDR);
	addr4(&m, "255.255.255.0");
	addr4(&g, NETCONF_V4_GATEWAY);
	netif_add(&ns->eth0, &a, &m, &g, ns, eth0_init, ethernet_input);
	/* The addresses are ours, fixed: no SLAAC address from the router's
	 * advertisement (it would become a source the policy refuses). */
	ns->eth0.ip6_autoconfig_enabled = 0;
	netif_create_ip6_linklocal_address(&ns->eth0, 1);
	netif_ip6_addr_set_state(&ns->eth0, 0, IP6_ADDR_PREFERRED);
	add_ip6(&ns->eth0, NETCONF_V6_ADDR);
	netif_set_default(&ns->eth0);
	netif_set_up(&ns->eth0);
}

bool net_addr_is_local(struct netstack *ns, const ip_addr_t *addr)
{
	if (IP_IS_V4(addr)) {
		const ip4_addr_t *a = ip_2_ip4(addr);
		if (ip4_addr_isloopback(a))
			return true;
		return ns->has_eth0 && ip4_addr_cmp(a, netif_ip4_addr(&ns->eth0));
	}
	const ip6_addr_t *a6 = ip_2_ip6(addr);
	if (ip6_addr_isloopback(a6))
		return true;
	if (!ns->has_eth0)
		return false;
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (ip6_addr_isvalid(netif_ip6_addr_state(&ns->eth0, i)) &&
		    ip6_addr_cmp_zoneless(a6, netif_ip6_addr(&ns->eth0, i)))
			return true;
	return false;
}

void net_source_addr(struct netstack *ns, const ip_addr_t *dst, ip_addr_t *src)
{
	if (IP_IS_V4(dst)) {
		if (ip4_addr_isloopback(ip_2_ip4(dst)) || !ns->has_eth0)
			ip_addr_copy(*src, *dst);   /* 127.x answers from itself */
		else
			ip_addr_copy_from_ip4(*src, *netif_ip4_addr(&ns->eth0));
		if (ip4_addr_isloopback(ip_2_ip4(dst)))
			ip4addr_aton("127.0.0.1", ip_2_ip4(src));
		return;
	}
	if (net_addr_is_local(ns, dst) || !ns->has_eth0) {
		ip_addr_copy(*src, *dst);
		return;
	}
	const ip_addr_t *a = ip6_select_source_address(&ns->eth0, ip_2_ip6(dst));
	if (a)
		ip_addr_copy(*src, *a);
	else
		ip_addr_copy(*src, *IP6_ADDR_ANY);
}

/* --- lo's other addresses ----------------------------------------------------------------------
 * Linux's lo holds all of 127.0.0.0/8.  lwIP accepts a packet only for an
 * address a netif holds (one IPv4 address each), or 127.0.0.1 on any, and
 * drops the rest: a SYN to 127.0.0.2 would be lost, and the connect would
 * wait out its timeout instead of being refused.  So each other 127/8
 * address in use gets a netif of its own, "up" without a link: lwIP's
 * input accepts packets for it (ip4_input_accept asks only whether a netif
 * is up), while its routing never picks it (ip4_route skips netifs without
 * a link), so packets still leave through lo, from 127.0.0.1 unless the
 * socket is bound elsewhere, as Linux's route's source says.
 *
 * An address is in use while a TCP pcb (not in TIME_WAIT) or a UDP pcb has
 * it at either end; a ping socket's (raw pcbs are lwIP's own) is asked for
 * again at each send.
 * A slot is taken back, least recently asked for first, only when all are
 * taken: its address goes to 0.0.0.0 and then the new one, so that lwIP's
 * address-change hooks move no pcb (they only do with two real addresses). */

static bool is_lo_alias_addr(const ip_addr_t *a)
{
	return IP_IS_V4(a) && ip4_addr_isloopback(ip_2_ip4(a)) &&
	       ip4_addr_get_u32(ip_2_ip4(a)) != PP_HTONL(IPADDR_LOOPBACK);
}

static bool pcb_end_is(const ip_addr_t *end, const ip4_addr_t *a)
{
	return IP_IS_V4(end) && ip4_addr_cmp(ip_2_ip4(end), a);
}

static bool lo_addr_in_use(const ip4_addr_t *a)
{
	/* (TIME_WAIT pcbs do not count: their peer is gone or closing, and
	 * closing is an active pcb; a stray segment for them is dropped.) */
	struct tcp_pcb *lists[] = { tcp_listen_pcbs.pcbs, tcp_bound_pcbs, tcp_active_pcbs };
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		for (struct tcp_pcb *p = lists[i]; p; p = p->next)
			if (pcb_end_is(&p->local_ip, a) || pcb_end_is(&p->remote_ip, a))
				return true;
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next)
		if (pcb_end_is(&p->local_ip, a) || pcb_end_is(&p->remote_ip, a))
			return true;
	return false;
}

static err_t lo_alias_init(struct netif *nif)
{
	nif->name[0] = 'l';
	nif->name[1] = 'a';
	nif->mtu = NETCONF_MTU;
	nif->output = lo_output4;
	nif->flags = 0;   /* no NETIF_FLAG_LINK_UP: never a route */
	return ERR_OK;
}

/* A slot for a new address: a free one, or the least recently asked for
 * whose address is no longer in use; -1 if none. */
static int lo_alias_slot(struct netstack *ns)
{
	int best = -1;
	for (int i = 0; i < LO_ALIAS_MAX; i++) {
		if (!ns->lo_alias[i])
			return i;
		if ((best < 0 || ns->lo_alias_used[i] < ns->lo_alias_used[best]) &&
		    !lo_addr_in_use(netif_ip4_addr(ns->lo_alias[i])))
			best = i;
	}
	return best;
}

int net_lo_alias(struct netstack *ns, const ip_addr_t *addr)
{
	if (!is_lo_alias_addr(addr))
		return 0;
	const ip4_addr_t *a = ip_2_ip4(addr);
	for (int i = 0; i < LO_ALIAS_MAX && ns->lo_alias[i]; i++)
		if (ip4_addr_cmp(netif_ip4_addr(ns->lo_alias[i]), a)) {
			ns->lo_alias_used[i] = ++ns->lo_alias_clock;
			return 0;
		}
	int i = lo_alias_slot(ns);
	if (i < 0)
		return -ENOBUFS;
	if (ns->lo_alias[i]) {
		netif_set_ipaddr(ns->lo_alias[i], IP4_ADDR_ANY4);
		netif_set_ipaddr(ns->lo_alias[i], a);
	} else {
		struct netif *nif = calloc(1, sizeof *nif);
		ip4_addr_t mask, gw;
		ip4_addr_set_u32(&mask, PP_HTONL(0xffffffffUL));
		ip4_addr_set_zero(&gw);
		if (!nif || !netif_add(nif, a, &mask, &gw, ns, lo_alias_init, ip_input)) {
			free(nif);
			return -ENOBUFS;
		}
		nif->ip6_autoconfig_enabled = 0;
		netif_set_up(nif);
		ns->lo_alias[i] = nif;
	}
	ns->lo_alias_used[i] = ++ns->lo_alias_clock;
	return 0;
}

/* --- forwarded connections (published ports) ----------------------------------------------------- */

struct fwd {
	struct list_head node;
	struct netstack *ns;
	int fd;                    /* the host stream (non-blocking) */
	uint16_t guest_port;
	/* core: */
	struct tcp_pcb *pcb;
	bool connected, tried_v6, want_v6;
	struct rx_item *out_head, *out_tail;   /* guest -> host, not yet written */
	bool guest_fin;            /* the guest closed its side */
	bool host_eof;             /* the host client closed its side */
	bool host_shut;            /* we did shutdown(SHUT_WR) on fd */
	bool dead;
};

static void fwd_detach_pcb(struct fwd *f)
{
	if (!f->pcb)
		return;
	tcp_arg(f->pcb, NULL);
	tcp_recv(f->pcb, NULL);
	tcp_sent(f->pcb, NULL);
	tcp_err(f->pcb, NULL);
}

/* The connection is over (core lock held): the I/O thread frees it. */
static void fwd_kill(struct fwd *f, bool abort_pcb)
{
	if (f->pcb) {
		fwd_detach_pcb(f);
		if (abort_pcb || tcp_close(f->pcb) != ERR_OK)
			tcp_abort(f->pcb);
		f->pcb = NULL;
	}
	f->dead = true;
	net_io_wake(f->ns);
}

/* Writes what the guest sent to the host stream (core lock held). */
static void fwd_flush(struct fwd *f)
{
	while (f->out_head) {
		struct rx_item *it = f->out_head;
		struct pbuf *q = it->p;
		uint16_t off = it->off;
		/* Walk to the segment holding off. */
		while (q && off >= q->len) {
			off -= q->len;
			q = q->next;
		}
		if (!q) {
			f->out_head = it->next;
			if (!f->out_head)
				f->out_tail = NULL;
			pbuf_free(it->p);
			free(it);
			continue;
		}
		ssize_t n = write(f->fd, (char *)q->payload + off, q->len - off);
		if (n < 0) {
			if (errno == EAGAIN)
				return;   /* the I/O thread waits for POLLOUT */
			fwd_kill(f, true);
			return;
		}
		it->off += (uint16_t)n;
		if (f->pcb)
			tcp_recved(f->pcb, (u16_t)n);
	}
	if (f->guest_fin && !f->host_shut) {
		shutdown(f->fd, SHUT_WR);
		f->host_shut = true;
		if (f->host_eof)
			fwd_kill(f, false);
	}
}

static err_t fwd_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct fwd *f = arg;
	if (!f) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		f->guest_fin = true;
		fwd_flush(f);
		return ERR_OK;
	}
	struct rx_item *it = calloc(1, sizeof *it);
	if (!it)
		return ERR_MEM;   /* lwIP keeps p and offers it again */
	it->p = p;
	if (f->out_tail)
		f->out_tail->next = it;
	else
		f->out_head = it;
	f->out_tail = it;
	fwd_flush(f);
	net_io_wake(f->ns);
	return ERR_OK;
}

static err_t fwd_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct fwd *f = arg;
	if (f)
		net_io_wake(f->ns);   /* room again: read more from the host */
	return ERR_OK;
}

static int fwd_connect(struct fwd *f);

static void fwd_err(void *arg, err_t err)
{
	struct fwd *f = arg;
	if (!f)
		return;
	f->pcb = NULL;   /* freed by lwIP */
	if (!f->connected && !f->tried_v6 && err == ERR_RST) {
		f->want_v6 = true;   /* nothing on 127.0.0.1: the I/O thread tries ::1 */
		net_io_wake(f->ns);
		return;
	}
	if (!f->connected)
		log_debug("netstack: published port %u: nothing listens in the sandbox",
			  f->guest_port);
	f->dead = true;
	net_io_wake(f->ns);
}

void net_raise_mss(struct tcp_pcb *pcb)
{
	u16_t mss = net_link_mss(IP_IS_V6_VAL(pcb->remote_ip));
	if (pcb->mss >= mss)
		return;
	pcb->mss = mss;
	/* The congestion window was sized for the small MSS: a window
	 * smaller than one segment would never let the first one go. */
	if (pcb->cwnd < 2u * mss)
		pcb->cwnd = 2u * mss;
}

static err_t fwd_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct fwd *f = arg;
	net_raise_mss(pcb);
	if (f) {
		f->connected = true;
		net_io_wake(f->ns);
	}
	return ERR_OK;
}

/* A connection from the loopback address to the guest's port (core lock
 * held): servers bound to the wildcard or to loopback see it, as with
 * `kubectl port-forward`. */
static int fwd_connect(struct fwd *f)
{
	ip_addr_t dst;
	if (f->tried_v6) {
		IP_SET_TYPE_VAL(dst, IPADDR_TYPE_V6);
		ip6addr_aton("::1", ip_2_ip6(&dst));
		ip6_addr_clear_zone(ip_2_ip6(&dst));
	} else {
		IP_SET_TYPE_VAL(dst, IPADDR_TYPE_V4);
		ip4addr_aton("127.0.0.1", ip_2_ip4(&dst));
	}
	struct tcp_pcb *pcb = tcp_new_ip_type(IP_GET_TYPE(&dst));
	if (!pcb)
		return -ENOMEM;
	tcp_arg(pcb, f);
	tcp_recv(pcb, fwd_recv);
	tcp_sent(pcb, fwd_sent);
	tcp_err(pcb, fwd_err);
	tcp_nagle_disable(pcb);
	f->pcb = pcb;
	if (tcp_connect(pcb, &dst, f->guest_port, fwd_connected) != ERR_OK) {
		fwd_detach_pcb(f);
		tcp_abort(pcb);
		f->pcb = NULL;
		return -ECONNREFUSED;
	}
	return 0;
}

int net_forward_attach(struct netstack *ns, int fd, uint16_t guest_port)
{
	struct fwd *f = calloc(1, sizeof *f);
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	f->ns = ns;
	f->fd = fd;
	f->guest_port = guest_port;
	net_lock();
	if (fwd_connect(f) < 0)
		f->dead = true;
	pthread_mutex_lock(&ns->fwd_lock);
	list_add_tail(&f->node, &ns->fwds);
	pthread_mutex_unlock(&ns->fwd_lock);
	net_unlock();
	return 0;
}

/* Host stream readable (core lock held): into the guest's connection, as
 * much as lwIP's send buffer takes. */
static void fwd_pump_in(struct fwd *f)
{
	static char buf[65535];   /* core lock held */
	if (!f->pcb || !f->connected || f->host_eof)
		return;
	size_t room = tcp_sndbuf(f->pcb);
	if (room == 0 || tcp_sndqueuelen(f->pcb) >= TCP_SND_QUEUELEN - 4)
		return;   /* fwd_sent wakes us */
	if (room > sizeof buf)
		room = sizeof buf;
	ssize_t n = read(f->fd, buf, room);
	if (n < 0) {
		if (errno != EAGAIN)
			fwd_kill(f, true);
		return;
	}
	if (n == 0) {
		f->host_eof = true;
		if (f->host_shut)
			fwd_kill(f, false);
		else
			tcp_shutdown(f->pcb, 0, 1);
		return;
	}
	if (tcp_write(f->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
		fwd_kill(f, true);
		return;
	}
	tcp_output(f->pcb);
}

/* What the I/O thread polls a forwarded stream for (core lock held). */
static short fwd_events(struct fwd *f)
{
	short ev = 0;
	if (f->connected && f->pcb && !f->host_eof && tcp_sndbuf(f->pcb) > 0)
		ev |= POLLIN;
	if (f->out_head)
		ev |= POLLOUT;
	return ev;
}

static void fwd_free(struct fwd *f)
{
	struct rx_item *it = f->out_head;
	while (it) {
		struct rx_item *next = it->next;
		pbuf_free(it->p);
		free(it);
		it = next;
	}
	close(f->fd);
	free(f);
}

/* --- the I/O thread ------------------------------------------------------------------------ */

void net_io_wake(struct netstack *ns)
{
	uint64_t one = 1;
	ssize_t r = write(ns->wake_fd, &one, sizeof one);
	(void)r;
}

/* A frame from or to loopback (127/8, ::1) coming in on eth0, which Linux
 * drops as martian.  lwIP would take one for 127.0.0.1 or another address
 * lo answers on (its input looks at every netif), so a frame the proxy
 * should never send could reach the sandbox's loopback services. */
static bool frame_is_martian(const uint8_t *f, unsigned len)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	if (f[12] == 0x08 && f[13] == 0x00 && len >= 14 + 20)
		return f[14 + 12] == 127 || f[14 + 16] == 127;
	if (f[12] == 0x86 && f[13] == 0xdd && len >= 14 + 40)
		return memcmp(f + 14 + 8, lo6, 16) == 0 || memcmp(f + 14 + 24, lo6, 16) == 0;
	return false;
}

/* The egress proxy died (killed from outside, or crashed): nothing leaves
 * the sandbox any more.  Connections out are reset, new ones fail at once
 * with ENETUNREACH (inet_policy_check); loopback is untouched.  The fd is
 * closed under the core lock, which eth0_linkoutput holds when it sends. */
static void link_lost(struct netstack *ns)
{
	log_error("netstack: the egress proxy died: connections out of the sandbox "
		  "are reset and new ones fail (ENETUNREACH)");
	net_lock();
	ns->link_lost = true;
	close(ns->link_fd);
	ns->link_fd = -1;
	tcp_link_lost(ns);
	net_unlock();
}

/* Frames from the proxy, as many as are there, into lwIP under one lock. */
static void link_receive(struct netstack *ns)
{
	static uint8_t bufs[LINK_BATCH][FRAME_MAX];   /* only the I/O thread */
	struct mmsghdr msgs[LINK_BATCH];
	struct iovec iov[LINK_BATCH];
	for (int i = 0; i < LINK_BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], FRAME_MAX };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	int n = recvmmsg(ns->link_fd, msgs, LINK_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			link_lost(ns);
		return;
	}
	bool eof = false;
	net_lock();
	for (int i = 0; i < n; i++) {
		unsigned len = msgs[i].msg_len;
		/* The proxy never sends an empty frame: an empty message is
		 * the end of the stream (recvmmsg counts each 0 that recvmsg
		 * returns at EOF as a message). */
		if (len == 0) {
			eof = true;
			break;
		}
		if (len < 14 || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ||
		    frame_is_martian(bufs[i], len))
			continue;
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
		if (!p)
			break;
		pbuf_take(p, bufs[i], (u16_t)len);
		if (ns->eth0.input(p, &ns->eth0) != ERR_OK)
			pbuf_free(p);
	}
	net_unlock();
	if (eof)
		link_lost(ns);
}

static void publish_receive(struct netstack *ns)
{
	struct publish_conn_msg m;
	int fd;
	int r = publish_recv_conn(ns->publish_fd, &m, &fd);
	if (r == 1 || (r < 0 && r != -EAGAIN && r != -EINTR)) {
		if (r < 0)
			log_error("netstack: port forwarder: %s", strerror(-r));
		else
			log_error("netstack: the port forwarder died: published ports take no "
				  "more connections");
		close(ns->publish_fd);
		ns->publish_fd = -1;
		return;
	}
	if (r == 0)
		net_forward_attach(ns, fd, m.guest_port);
}

#define IO_MAX_FDS 1024

static void *io_thread(void *arg)
{
	struct netstack *ns = arg;
	struct pollfd *pfd = calloc(IO_MAX_FDS, sizeof *pfd);
	struct fwd **owner = calloc(IO_MAX_FDS, sizeof *owner);
	if (!pfd || !owner)
		return NULL;
	for (;;) {
		int n = 0;
		pfd[n++] = (struct pollfd){ ns->wake_fd, POLLIN, 0 };
		int link_at = -1, pub_at = -1;
		if (ns->link_fd >= 0) {
			link_at = n;
			pfd[n++] = (struct pollfd){ ns->link_fd, POLLIN, 0 };
		}
		if (ns->publish_fd >= 0) {
			pub_at = n;
			pfd[n++] = (struct pollfd){ ns->publish_fd, POLLIN, 0 };
		}
		int first_fwd = n;
		net_lock();
		pthread_mutex_lock(&ns->fwd_lock);
		struct fwd *f, *tmp;
		list_for_each_entry_safe(f, tmp, &ns->fwds, node) {
			if (f->dead) {
				list_del(&f->node);
				if (f->pcb) {
					fwd_detach_pcb(f);
					tcp_abort(f->pcb);
				}
				fwd_free(f);
				continue;
			}
			if (f->want_v6) {
				f->want_v6 = false;
				f->tried_v6 = true;
				if (fwd_connect(f) < 0) {
					f->dead = true;
					net_io_wake(ns);
					continue;
				}
			}
			if (n < IO_MAX_FDS) {
				owner[n] = f;
				pfd[n++] = (struct pollfd){ f->fd, fwd_events(f), 0 };
			}
		}
		pthread_mutex_unlock(&ns->fwd_lock);
		net_unlock();

		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		if (pfd[0].revents) {
			uint64_t v;
			ssize_t r = read(ns->wake_fd, &v, sizeof v);
			(void)r;
		}
		if (link_at >= 0 && pfd[link_at].revents)
			link_receive(ns);
		if (pub_at >= 0 && pfd[pub_at].revents)
			publish_receive(ns);
		net_lock();
		for (int i = first_fwd; i < n; i++) {
			f = owner[i];
			if (f->dead || !pfd[i].revents)
				continue;
			if (pfd[i].revents & POLLOUT)
				fwd_flush(f);
			if (!f->dead && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				fwd_pump_in(f);
		}
		net_unlock();
	}
	return NULL;
}

/* lwIP learns its IPv6 default router from slirp's advertisement, which
 * answers a router solicitation; lwIP sends the first one on its 1 s
 * neighbour-discovery tick, so a guest's first IPv6 connection out would
 * wait for it (or fail with ENETUNREACH).  Solicit now, and give the
 * answer a moment (it takes a round trip to the proxy) before the guest
 * starts. */
static bool have_router(void)
{
	for (int i = 0; i < LWIP_ND6_NUM_ROUTERS; i++)
		if (default_router_list[i].neighbor_entry &&
		    default_router_list[i].invalidation_timer > 0)
			return true;
	return false;
}

static void wait_for_router(struct netstack *ns)
{
	net_lock();
	nd6_tmr();
	net_unlock();
	/* Up to 1 s: the proxy may still be starting (glib, io_uring) on a
	 * loaded machine; normally the answer takes about a millisecond. */
	for (int i = 0; i < 1000; i++) {
		net_lock();
		bool ok = have_router();
		net_unlock();
		if (ok)
			return;
		struct timespec ms = { 0, 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
	log_debug("netstack: no IPv6 router advertisement yet");
}

/* --- start-up ------------------------------------------------------------------------------------ */

static void tcpip_ready(void *arg)
{
	sem_t *sem = arg;
	sem_post(sem);
}

static int run_stack(struct netstack *ns);

static int inet_create_fn(struct task *t, int family, int type, int protocol,
			  struct socket **out)
{
	struct netstack *ns = t->k->net;
	if (!ns)
		return -EAFNOSUPPORT;
	if (protocol < 0 || protocol >= 256)
		return -EINVAL;
	int err = run_stack(ns);
	if (err < 0)
		return err;
	switch (type & 0xf) {
	case SOCK_STREAM:
		if (protocol != 0 && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return tcp_sock_create(ns, family, out);
	case SOCK_DGRAM:
		if (protocol == 0 || protocol == IPPROTO_UDP)
			return udp_sock_create(ns, family, out);
		if ((family == AF_INET && protocol == IPPROTO_ICMP) ||
		    (family == AF_INET6 && protocol == IPPROTO_ICMPV6))
			return icmp_sock_create(ns, family, out);
		return -EPROTONOSUPPORT;
	case SOCK_RAW:
		/* Raw IP and packet sockets would bypass the policy: a
		 * sandbox without CAP_NET_RAW, as Docker's default. */
		return -EPERM;
	case SOCK_SEQPACKET:
		return -ESOCKTNOSUPPORT;
	default:
		return -ESOCKTNOSUPPORT;
	}
}

static int inet4_create(struct task *t, int type, int protocol, struct socket **out)
{
	return inet_create_fn(t, AF_INET, type, protocol, out);
}

static int inet6_create(struct task *t, int type, int protocol, struct socket **out)
{
	return inet_create_fn(t, AF_INET6, type, protocol, out);
}

/* lwIP's threads and interfaces (once): what the first guest socket, or a
 * published port, needs; a sandbox that makes no socket never pays for
 * them (the start-up of /bin/true). */
static int run_stack(struct netstack *ns)
{
	pthread_mutex_lock(&ns->start_lock);
	int err = ns->start_err;
	if (ns->started || err) {
		pthread_mutex_unlock(&ns->start_lock);
		return err;
	}
	/* lwIP's thread and ours take no signals (they inherit this mask). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	sem_t ready;
	sem_init(&ready, 0, 0);
	tcpip_init(tcpip_ready, &ready);
	while (sem_wait(&ready) < 0 && errno == EINTR)
		;
	sem_destroy(&ready);
	net_lock();
	setup_netifs(ns);
	the_stack = ns;
	net_unlock();
	err = -pthread_create(&ns->io_thread, NULL, io_thread, ns);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0 && ns->has_eth0)
		wait_for_router(ns);
	ns->start_err = err;
	ns->started = err == 0;
	pthread_mutex_unlock(&ns->start_lock);
	if (err)
		log_error("netstack: cannot start: %s", strerror(-err));
	return err;
}

int netstack_start(struct kernel *k, const struct netstack_helpers *h)
{
	struct netstack *ns = calloc(1, sizeof *ns);
	if (!ns)
		return -ENOMEM;
	ns->k = k;
	ns->policy = &k->opts.net;
	ns->link_fd = h->link_fd;
	ns->publish_fd = h->publish_fd;
	ns->has_eth0 = h->link_fd >= 0;
	pthread_mutex_init(&ns->fwd_lock, NULL);
	pthread_mutex_init(&ns->start_lock, NULL);
	list_init(&ns->fwds);
	ns->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ns->wake_fd < 0)
		return -errno;
	/* lwIP's port numbers and sequence numbers come from rand(). */
	unsigned seed;
	if (getentropy(&seed, sizeof seed) == 0)
		srand(seed);
	ns->next_ident = (uint16_t)rand();
	k->net = ns;
	socket_register_family(AF_INET, inet4_create);
	socket_register_family(AF_INET6, inet6_create);
	/* Published ports are served whether or not the guest has made a
	 * socket yet (a connection then finds nothing listening). */
	return ns->publish_fd >= 0 ? run_stack(ns) : 0;
}
