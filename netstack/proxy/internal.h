/* Pieces of the egress proxy (netstack/proxy.h), shared by its files only. */
#ifndef NETSTACK_PROXY_INTERNAL_H
#define NETSTACK_PROXY_INTERNAL_H

#include <liburing.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- denylist.c: the proxy's own deny list ----------------------------------
 *
 * Destinations slirp must never be asked to reach, whatever the policy
 * says: every address of every host interface and every destination of the
 * host's local, anycast and broadcast routes (slirp's sockets live in the
 * host's network namespace, where a packet to any of those is delivered
 * locally), 127.0.0.0/8, ::1, 0.0.0.0/8, ::, 169.254.0.0/16 and fe80::/10.
 * The host's addresses are read with getifaddrs() and a route dump at start
 * and again whenever the kernel announces an address change or a change of
 * such a route on a NETLINK_ROUTE socket (dl->nl_fd, polled by the event
 * loop). */
struct host_addr {
	int family;
	uint8_t a[16];
	int prefix;             /* bits of a that count: 32/128 for an address */
};

struct denylist {
	struct host_addr *addrs;
	size_t naddrs;
	int nl_fd;              /* address-change notifications, or -1 */
};

int denylist_init(struct denylist *dl);
/* Reads the host's addresses again; keeps the old list on failure. */
int denylist_refresh(struct denylist *dl);
/* Drains dl->nl_fd; true if an address changed (then refresh). */
bool denylist_nl_changed(struct denylist *dl);
bool denylist_denies_addr(const struct denylist *dl, int family, const uint8_t *addr);
/* Should this frame (already accepted by net_policy_frame_ok) be kept from
 * slirp?  ARP and ICMPv6 (slirp answers those itself and never forwards
 * them to the host) are judged only on what slirp would forward. */
bool denylist_denies_frame(const struct denylist *dl, const uint8_t *frame, size_t len);

/* refuse.c: the TCP reset answering a refused SYN frame, written to out
 * (cap bytes); its length, or 0 if the frame is no such SYN. */
size_t proxy_make_reset(const uint8_t *frame, size_t len, uint8_t *out, size_t cap);
void denylist_free(struct denylist *dl);

/* --- pollset.c: slirp's fds, the link and the netlink socket on io_uring ----
 *
 * Each round: ps_begin(); slirp_pollfds_fill() adds its fds through
 * ps_add() (one-shot IORING_OP_POLL_ADD, tagged with the round's
 * generation); ps_wait() submits them, with the persistent multishot polls
 * on the link and netlink fds, and waits for one completion or the
 * timeout; completions of this round fill revents; ps_end() queues the
 * removal of the polls that did not fire (submitted with the next round),
 * so that no poll outlives the round that asked for it: slirp closes and
 * reuses fd numbers between rounds, and a poll on a closed fd would stay
 * armed on the old file.  Completions of older rounds are ignored. */
struct ps_slot {
	int fd;
	short events;           /* POLLIN | POLLOUT | POLLPRI */
	short revents;
	bool fired;
};

struct pollset {
	struct io_uring ring;
	unsigned gen;
	struct ps_slot *slots;
	size_t nslots, cap;
	int link_fd, nl_fd;
	bool link_armed, nl_armed;
	bool link_ready, nl_ready;
	bool skip_cqe;          /* IOSQE_CQE_SKIP_SUCCESS works (5.17+) */
};

int ps_init(struct pollset *ps, int link_fd, int nl_fd);
void ps_begin(struct pollset *ps);
/* An index for slirp's get_revents, or -1 (out of memory: not polled). */
int ps_add(struct pollset *ps, int fd, short events);
/* Waits up to timeout_ms (< 0: no limit; 0: only collects).  0 or -errno. */
int ps_wait(struct pollset *ps, int timeout_ms);
short ps_revents(const struct pollset *ps, int idx);
void ps_end(struct pollset *ps);
void ps_destroy(struct pollset *ps);

#endif
