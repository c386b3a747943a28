/* libFuzzer harness: the kernel side of NETLINK_ROUTE
 * (sentry/socket/netlink_route.c): one sendmsg's data, as rtnetlink_rcv
 * gets it from a guest.  The first byte picks the socket's options
 * (NLF_*: strict checking, extended and capped acks) and the network mode;
 * the rest is the datagram.  The socket end (netlink.c) is replaced by two
 * functions that check every reply is a well-formed run of messages. */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/socket/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replies are whole messages, each within the buffer. */
static void check_msgs(const uint8_t *p, size_t len)
{
	size_t off = 0;
	while (off < len) {
		struct nlmsghdr h;
		if (len - off < sizeof h)
			abort();
		memcpy(&h, p + off, sizeof h);
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
			abort();
		off += NLMSG_ALIGN(h.nlmsg_len) < len - off ? NLMSG_ALIGN(h.nlmsg_len) : len - off;
	}
}

void netlink_kernel_reply(struct netlink_sock *nlk, const void *msg, size_t len)
{
	check_msgs(msg, len);
}

int netlink_dump_start(struct netlink_sock *nlk, uint8_t *buf, size_t len, uint32_t seq,
		       int done_errno, const char *extack, uint16_t done_flags)
{
	check_msgs(buf, len);
	uint8_t done[64 + NLA_HDRLEN + 64];
	size_t n = rtnetlink_done_msg(nlk, seq, done_errno, extack, done_flags, done);
	if (n > sizeof done)
		abort();
	check_msgs(done, n);
	free(buf);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static struct kernel k;
	static struct netlink_sock nlk;
	struct task t = { .k = &k };
	k.opts.net.mode = data[0] & 0x80 ? NET_NONE : NET_SANDBOX;
	atomic_store(&nlk.flags, data[0] & 0x7f);
	nlk.portid = 1234;
	uint8_t *msg = malloc(size - 1 ? size - 1 : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, size - 1);
	rtnetlink_rcv(&nlk, &t, msg, size - 1);
	free(msg);
	return 0;
}
