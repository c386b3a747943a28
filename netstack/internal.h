/* Netstack internals shared by stack.c (lwIP, interfaces, the link and
 * the forwarded connections), inet.c (what every AF_INET/AF_INET6 socket
 * has), tcp.c, udp.c and icmp.c.
 *
 * Locking: lwIP's core lock (LOCK_TCPIP_CORE) guards lwIP and every field
 * of an inet_sock marked "core".  lwIP's callbacks run with it held (on
 * lwIP's tcpip thread, or in the sentry thread that called into lwIP);
 * they only move pbufs to queues, change state and wake wait queues.  The
 * core lock is taken before any wait queue lock and never while another
 * sentry lock is held, except a socket's rlock/wlock, which order readers
 * and writers and are taken first.  No guest memory is touched with the
 * core lock held: data goes through the task's bounce buffer.
 */
#ifndef NETSTACK_INTERNAL_H
#define NETSTACK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <netinet/in.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/netif.h"

#include "sentry/kernel/kernel.h"
#include "sentry/socket/socket.h"
#include "netstack/policy.h"

struct tcp_pcb;
struct udp_pcb;
struct raw_pcb;

/* lo's 127/8 addresses other than 127.0.0.1 that have a netif of their
 * own (stack.c, "lo's other addresses"): at most this many in use at once. */
#define LO_ALIAS_MAX 128

struct netstack {
	struct kernel *k;
	const struct net_policy *policy;
	struct netif lo, eth0;
	bool has_eth0;
	int link_fd;              /* -1: no eth0, or the proxy died (core lock) */
	bool link_lost;           /* the egress proxy died (core lock) */
	int publish_fd;           /* -1: nothing published */
	int wake_fd;              /* eventfd: the I/O thread looks again */
	pthread_t io_thread;
	pthread_mutex_t start_lock;  /* lwIP starts with the first socket */
	bool started;
	int start_err;
	pthread_mutex_t fwd_lock; /* the forwarded connections list */
	struct list_head fwds;
	uint16_t next_ident;      /* ICMP echo identifiers (core) */
	/* core: lo's other addresses, each the last time it was asked for */
	struct netif *lo_alias[LO_ALIAS_MAX];
	uint64_t lo_alias_used[LO_ALIAS_MAX];
	uint64_t lo_alias_clock;
};

/* One received datagram or stream chunk (core). */
struct rx_item {
	struct rx_item *next;
	struct pbuf *p;
	uint16_t off;             /* stream: bytes of p already read */
	ip_addr_t addr;           /* datagrams: the source */
	uint16_t port;
};

/* Guest data lwIP sends from where it is (no copy): kept until the peer
 * has acknowledged all of it. */
struct tx_chunk {
	struct tx_chunk *next;
	size_t len;
	size_t off;               /* handed to lwIP */
	size_t acked;             /* acknowledged by the peer */
	char data[];
};

enum inet_state {
	INET_CLOSED,              /* new, bound, or closed */
	INET_LISTEN,
	INET_CONNECTING,
	INET_CONNECTED,           /* TCP established (or closing); UDP with a peer */
};

#define INET_RCV_SHUTDOWN  1
#define INET_SEND_SHUTDOWN 2

struct inet_sock {
	struct socket sock;       /* first: socket_from_file() gives this */
	struct netstack *ns;
	struct waitq wq;          /* readers, writers, pollers */
	pthread_mutex_t rlock, wlock;
	/* core: */
	enum inet_state state;
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
		struct raw_pcb *raw;
		void *any;
	} pcb;                    /* NULL once lwIP dropped it (reset, abort) */
	bool bound;
	bool v6only;
	int shutdown;             /* INET_*_SHUTDOWN */
	bool peer_fin;            /* TCP: the peer sent FIN */
	bool was_connected;       /* TCP: got established once */
	/* TCP: what the guest sent that lwIP's 64 KiB send buffer has no
	 * room for yet (up to SO_SNDBUF), fed to lwIP as ACKs come back. */
	struct tx_chunk *tx_head, *tx_tail;   /* oldest not fully acknowledged */
	struct tx_chunk *tx_send;             /* first with bytes not handed to lwIP */
	size_t tx_bytes;                      /* bytes not handed to lwIP */
	bool fin_pending;         /* shutdown(SHUT_WR) or close once tx is empty */
	bool orphan;              /* closed by the guest, still sending tx */
	size_t rx_owed;           /* TCP: received bytes not yet given back to the window */
	struct rx_item *rx_head, *rx_tail;
	size_t rx_bytes;          /* queued, not yet read */
	size_t rx_count;          /* datagrams queued */
	/* TCP listeners: accepted connections not yet taken; the backlog as
	 * listen() gave it (the queue may exceed it: see tcp.c cb_accept). */
	struct inet_sock *acc_head, *acc_tail, *acc_next;
	int backlog, acc_count;
	/* Options lwIP has no place for. */
	int ttl;                  /* -1: default (64) */
	int tos;
	bool nodelay, cork;
	int keepidle, keepintvl, keepcnt;   /* seconds, seconds, count */
	bool recverr;
	uint16_t ident;           /* ICMP echo id */
	/* The local address as last bound or connected (getsockname still
	 * answers once lwIP dropped the pcb). */
	ip_addr_t local_addr;
	uint16_t local_port;
	/* A connected destination, for getpeername. */
	ip_addr_t peer_addr;
	uint16_t peer_port;
};

static inline struct inet_sock *inet_sk(struct socket *s)
{
	return (struct inet_sock *)s;
}

/* --- stack.c --- */
void net_lock(void);
void net_unlock(void);
/* Is addr one of the sandbox's own addresses (or loopback)?  Such
 * destinations never leave the sandbox. */
bool net_addr_is_local(struct netstack *ns, const ip_addr_t *addr);
/* Core lock held: makes lwIP accept packets for addr if it is a 127/8
 * address other than 127.0.0.1 (nothing to do for any other): 0, or
 * -ENOBUFS when LO_ALIAS_MAX others are in use.  Called for every local
 * address bound and every destination connected or sent to. */
int net_lo_alias(struct netstack *ns, const ip_addr_t *addr);
/* The source address for a destination (loopback for local ones). */
void net_source_addr(struct netstack *ns, const ip_addr_t *dst, ip_addr_t *src);
/* An established connection's segments as large as the link's MTU
 * (lwIP caps the MSS at its compile-time 1460; every peer of ours is
 * lwIP itself or slirp, which take what the MTU allows). */
void net_raise_mss(struct tcp_pcb *pcb);
/* eth0's output (stack.c): a SYN's MSS option raised to what the link
 * takes; f is a whole Ethernet frame of len bytes (at least 14). */
void raise_syn_mss(uint8_t *f, size_t len);
/* Pokes the I/O thread (forwarded connections). */
void net_io_wake(struct netstack *ns);
/* A forwarded host stream for guest_port (published port). */
int net_forward_attach(struct netstack *ns, int fd, uint16_t guest_port);

/* --- inet.c --- */
/* sockaddr <-> lwIP address, for a socket of family fam. */
int inet_addr_from_user(int fam, bool v6only, const struct sockaddr *sa, int len,
			ip_addr_t *addr, uint16_t *port);
int inet_addr_to_user(int fam, const ip_addr_t *addr, uint16_t port,
		      struct sockaddr_storage *out);
/* connect's destination: the unspecified address means loopback, as on
 * Linux. */
void inet_connect_unspecified(ip_addr_t *addr);
/* The policy at connect/sendto: 0 or -errno. */
int inet_policy_check(struct inet_sock *is, const ip_addr_t *addr, uint16_t port,
		      enum net_proto proto);
void inet_sock_init(struct inet_sock *is, struct netstack *ns, int family, int type,
		    int protocol, const struct socket_ops *ops);
void inet_sock_free(struct inet_sock *is);
/* Waits (core lock not held) until woken for events: 0 or what sock_block says. */
int inet_wait(struct inet_sock *is, struct task *t, const struct sock_timeo *to, unsigned events);
void inet_wake(struct inet_sock *is, unsigned events);
void rxq_push(struct inet_sock *is, struct rx_item *it);
void rxq_purge(struct inet_sock *is);
/* IP/IPv6-level and SOL_SOCKET options shared by the protocols. */
int inet_setsockopt_ip(struct inet_sock *is, int level, int name, const void *val, unsigned len);
int inet_getsockopt_ip(struct inet_sock *is, int level, int name, void *val, unsigned *len);
/* The local address for bind: the wildcard follows v6only. */
void inet_any_addr(struct inet_sock *is, ip_addr_t *out);
/* -EADDRNOTAVAIL unless addr is a wildcard or one of ours. */
int inet_check_bind_addr(struct inet_sock *is, const ip_addr_t *addr);
int inet_get_ttl(struct inet_sock *is);
/* bind(2) of a port below 1024 needs CAP_NET_BIND_SERVICE: -EACCES without. */
int inet_check_bind_port(struct task *t, uint16_t port);
/* bind's address: inet_addr_from_user, with EINVAL for a mapped address
 * on a v6-only socket. */
int inet_bind_addr_from_user(struct inet_sock *is, const struct sockaddr *sa, int len,
			     ip_addr_t *addr, uint16_t *port);
/* Core lock held: inet_check_bind_addr, and "::" made the wildcard that
 * v6only says (TCP and UDP). */
int inet_prepare_bind(struct inet_sock *is, ip_addr_t *addr);
/* The ioctls no protocol answered: the IPv4 interface address ones. */
long inet_other_ioctl(struct inet_sock *is, struct task *t, unsigned long cmd, uint64_t arg);

/* --- the protocols --- */
/* recvmsg of a datagram socket (UDP, ICMP): one queued datagram. */
ssize_t inet_dgram_recvmsg(struct inet_sock *is, struct task *t, struct sock_msg *m, size_t len,
			   int flags);
unsigned inet_dgram_poll(struct inet_sock *is, struct poll_table *pt);
int inet_dgram_shutdown(struct inet_sock *is, int how);
long inet_dgram_ioctl(struct inet_sock *is, struct task *t, unsigned long cmd, uint64_t arg);
int tcp_sock_create(struct netstack *ns, int family, struct socket **out);
/* Resets every connection to a peer outside the sandbox (core lock held). */
void tcp_link_lost(struct netstack *ns);
int udp_sock_create(struct netstack *ns, int family, struct socket **out);
int icmp_sock_create(struct netstack *ns, int family, struct socket **out);
/* Forwarded connections use the TCP raw API directly (stack.c). */

#endif
