/* libFuzzer harness: the frames the guest's network stack sends out, on
 * their way to the host, through the pure parts that parse them:
 *   - the sentry's eth0 output (netstack/stack.c): the SYN MSS rewrite,
 *     then the policy gate (netstack/policy.c: net_policy_frame_ok);
 *   - the egress proxy's input (netstack/proxy/): the policy gate again,
 *     the deny list of host addresses (denylist_denies_frame), and the
 *     reset it answers refused SYNs with (proxy_make_reset).
 * The first byte picks the policy (mode, an allowlist, DNS); the rest is
 * the Ethernet frame.  lwIP itself (Debian's liblwip) is not rebuilt with
 * the fuzzer's instrumentation and is not fuzzed here. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/internal.h"
#include "netstack/policy.h"
#include "netstack/proxy/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRAME_CAP (65535 + 14)

static struct net_cidr allow[4];
static struct host_addr host[3];

static void setup(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	const char *cidrs[] = { "10.0.0.0/8", "93.184.216.34", "2001:db8::/32", "::ffff:1.2.3.0/120" };
	for (int i = 0; i < 4; i++)
		if (net_cidr_parse(cidrs[i], &allow[i]) < 0)
			abort();
	/* two interface addresses, and a local route's range (a prefix) */
	host[0].family = AF_INET;
	host[0].prefix = 32;
	inet_pton(AF_INET, "192.168.1.10", host[0].a);
	host[1].family = AF_INET6;
	host[1].prefix = 128;
	inet_pton(AF_INET6, "2001:db8::10", host[1].a);
	host[2].family = AF_INET;
	host[2].prefix = 26;
	inet_pton(AF_INET, "10.1.2.0", host[2].a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (size < 1 + 14 || size - 1 > FRAME_CAP)
		return 0;   /* lwIP never sends less than an Ethernet header */
	struct net_policy p = {
		.mode = data[0] & 1 ? NET_NONE : NET_SANDBOX,
		.has_allowlist = data[0] & 2,
		.allow = data[0] & 2 ? allow : NULL,
		.nallow = data[0] & 2 ? (size_t)(data[0] >> 4 & 3) + 1 : 0,
		.dns_allowed = data[0] & 4,
	};
	size_t len = size - 1;
	uint8_t *f = malloc(len);
	if (!f)
		return 0;
	memcpy(f, data + 1, len);

	/* The sentry's side. */
	raise_syn_mss(f, len);
	(void)net_policy_frame_ok(&p, f, len);
	/* The proxy's side (it gets every frame: the sentry is not trusted). */
	struct denylist dl = { .addrs = host, .naddrs = 3, .nl_fd = -1 };
	(void)denylist_denies_frame(&dl, f, len);
	uint8_t rst[14 + 40 + 20];
	size_t n = proxy_make_reset(f, len, rst, sizeof rst);
	if (n > sizeof rst)
		abort();
	free(f);
	return 0;
}
