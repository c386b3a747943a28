/* AF_NETLINK sockets (NETLINK_ROUTE only) and the network-device ioctls:
 * the guest's view of the sandbox's interfaces, addresses and routes
 * (netstack/netconf.h), as Linux reports them.
 *
 * netlink.c is the socket (net/netlink/af_netlink.c): port ids, bind,
 * connect, the receive queue, dumps handed out one buffer per read,
 * options.  netlink_route.c is the kernel side (net/core/rtnetlink.c):
 * requests in, RTM_NEWLINK/NEWADDR/NEWROUTE, NLMSG_DONE and NLMSG_ERROR
 * out.  netdev.c answers SIOCGIFINDEX, SIOCGIFCONF... from the same
 * table.
 *
 * The configuration is read-only for the guest, root included: every
 * request that would change it (RTM_NEWADDR, RTM_NEWROUTE, RTM_SETLINK,
 * SIOCSIFFLAGS...) fails with EPERM, as it does for an unprivileged
 * process on Linux.  No notifications are ever sent to multicast groups
 * (nothing changes); subscribing to them works.
 */
#ifndef SENTRY_SOCKET_NETLINK_H
#define SENTRY_SOCKET_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/list.h"
#include "sentry/kernel/kernel.h"
#include "sentry/socket/socket.h"

/* socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM, NETLINK_ROUTE). */
int netlink_create(struct task *t, int type, int protocol, struct socket **out);

/* The interface ioctls that Linux answers for a socket of any family
 * once the family has passed (sock_ioctl's SIOCGIFCONF, dev_ioctl):
 * SIOCGIFNAME, SIOCGIFINDEX, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR,
 * SIOCGIFCONF...; -ENOTTY for any other command, as dev_ioctl. */
long netdev_ioctl(struct task *t, unsigned long cmd, uint64_t arg);
/* The IPv4 address ioctls, which only AF_INET sockets answer
 * (inet_ioctl -> devinet_ioctl): SIOCGIFADDR, SIOCGIFNETMASK,
 * SIOCGIFBRDADDR, SIOCGIFDSTADDR (and their SIOCS*: EPERM).
 * -ENOIOCTLCMD for any other command: for an AF_INET family's ioctl. */
long netdev_inet_ioctl(struct task *t, unsigned long cmd, uint64_t arg);

/* --- internal: netlink.c and netlink_route.c ----------------------------- */

/* NETLINK_F_* of struct netlink_sock (the socket options). */
#define NLF_RECV_PKTINFO   0x01
#define NLF_BROADCAST_ERR  0x02
#define NLF_NO_ENOBUFS     0x04
#define NLF_LISTEN_ALL     0x08
#define NLF_CAP_ACK        0x10
#define NLF_EXT_ACK        0x20
#define NLF_STRICT_CHK     0x40

/* One datagram in a receive queue (an skb). */
struct nl_skb {
	struct list_head node;
	size_t len;
	uint32_t portid;                /* the sender: 0 for the kernel */
	uint32_t dst_group;             /* multicast group it was sent to (0: none) */
	bool has_creds;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	uint8_t data[];
};

struct netlink_sock {
	struct socket sock;             /* first: socket_from_file() gives this */
	pthread_mutex_t lock;           /* everything below */
	pthread_mutex_t iolock;         /* one reader at a time (taken before lock) */
	uint32_t portid;
	bool bound;
	bool connected;
	uint32_t dst_portid, dst_group;
	uint64_t groups;                /* subscribed multicast groups (bit n: group n + 1) */
	int ngroups;                    /* 0 until groups were first used, as Linux */
	atomic_uint flags;              /* NLF_* */
	struct list_head recvq;         /* struct nl_skb */
	size_t rmem;                    /* what the queue is charged */
	size_t max_recvmsg_len;
	/* The dump being handed out (cb_running): its messages, built at the
	 * request, go to the queue one buffer per read as Linux produces them;
	 * an NLMSG_DONE carrying done_errno ends it. */
	bool dump_running;
	uint8_t *dump_buf;
	size_t dump_len, dump_off;
	uint32_t dump_seq;
	int dump_errno;
	const char *dump_extack;        /* a static message for the DONE, or NULL */
	uint16_t dump_flags;            /* answer flags of the DONE (NLM_F_DUMP_FILTERED) */
	struct waitq wq;
	struct list_head table_node;    /* in the port table once bound */
};

/* What a kernel reply is charged to the receive buffer besides its data
 * (an skb's overhead, roughly). */
#define NL_SKB_OVERHEAD 576
/* NLMSG_GOODSIZE (SKB_WITH_OVERHEAD(PAGE_SIZE)) and the most a dump
 * buffer grows to after large reads (SKB_WITH_OVERHEAD(32768)). */
#define NL_GOODSIZE     3776
#define NL_MAX_DUMPSIZE 32448

/* A reply from the kernel to nlk (its flags and port id are read under
 * nlk->lock by the caller's callees): queued, or dropped with ENOBUFS
 * when the receive buffer is full, as netlink_unicast from the kernel. */
void netlink_kernel_reply(struct netlink_sock *nlk, const void *msg, size_t len);
/* Starts a dump whose messages are buf (ownership passes; may be empty)
 * ended by NLMSG_DONE with errno and flags (and an extended-ack message,
 * if the socket asked for them).  -EBUSY while another dump is running. */
int netlink_dump_start(struct netlink_sock *nlk, uint8_t *buf, size_t len, uint32_t seq,
		       int done_errno, const char *extack, uint16_t done_flags);

/* netlink_route.c: the kernel receiving one sendmsg's data (all its
 * messages, as netlink_rcv_skb). */
void rtnetlink_rcv(struct netlink_sock *nlk, struct task *t, const uint8_t *data, size_t len);
/* Builds the NLMSG_DONE closing a dump into out (at least 64 bytes);
 * returns its length. */
size_t rtnetlink_done_msg(struct netlink_sock *nlk, uint32_t seq, int err, const char *extack,
			  uint16_t flags, uint8_t *out);

#endif
