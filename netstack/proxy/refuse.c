/* A connection the proxy refuses (a host address on its deny list) gets a
 * TCP reset back at once, as a firewall's REJECT --reject-with tcp-reset
 * gives, instead of silence: the guest's connect fails with ECONNREFUSED
 * rather than hanging until its timeout.  Only for SYNs; anything else
 * denied is dropped. */
#include <string.h>

#include "netstack/proxy/internal.h"

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The TCP RST|ACK answering the SYN at tcp (ports swapped, ack = seq + 1). */
static void fill_rst(uint8_t *out, const uint8_t *tcp)
{
	memset(out, 0, 20);
	memcpy(out, tcp + 2, 2);        /* source port: their destination */
	memcpy(out + 2, tcp, 2);
	uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	seq++;
	out[8] = (uint8_t)(seq >> 24);
	out[9] = (uint8_t)(seq >> 16);
	out[10] = (uint8_t)(seq >> 8);
	out[11] = (uint8_t)seq;
	out[12] = 5 << 4;
	out[13] = 0x14;                 /* RST | ACK */
}

size_t proxy_make_reset(const uint8_t *f, size_t len, uint8_t *out, size_t cap)
{
	if (len < 14 || cap < 14 + 40 + 20)
		return 0;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	const uint8_t *ip = f + 14;
	size_t iplen, hl;
	if (type == 0x0800) {
		if (len < 14 + 20 || (ip[0] >> 4) != 4 || ip[9] != 6)
			return 0;
		hl = (size_t)(ip[0] & 0x0f) * 4;
		if (hl < 20 || (ip[6] & 0x1f) || ip[7])   /* not a first fragment */
			return 0;
		iplen = 20;
	} else if (type == 0x86dd) {
		if (len < 14 + 40 || ip[6] != 6)
			return 0;
		hl = 40;
		iplen = 40;
	} else {
		return 0;
	}
	const uint8_t *tcp = ip + hl;
	if (len < 14 + hl + 20 || (tcp[13] & 0x12) != 0x02)   /* SYN without ACK */
		return 0;

	memcpy(out, f + 6, 6);          /* back to the guest */
	memcpy(out + 6, f, 6);
	memcpy(out + 12, f + 12, 2);
	uint8_t *oip = out + 14, *otcp = oip + iplen;
	fill_rst(otcp, tcp);
	uint32_t sum = 6 + 20;          /* pseudo-header: protocol, TCP length */
	if (type == 0x0800) {
		memset(oip, 0, 20);
		oip[0] = 0x45;
		put16(oip + 2, 40);
		oip[6] = 0x40;              /* DF */
		oip[8] = 64;
		oip[9] = 6;
		memcpy(oip + 12, ip + 16, 4);
		memcpy(oip + 16, ip + 12, 4);
		put16(oip + 10, fold(sum16(oip, 20, 0)));
		sum = sum16(oip + 12, 8, sum);
	} else {
		memset(oip, 0, 40);
		oip[0] = 0x60;
		put16(oip + 4, 20);
		oip[6] = 6;
		oip[7] = 64;
		memcpy(oip + 8, ip + 24, 16);
		memcpy(oip + 24, ip + 8, 16);
		sum = sum16(oip + 8, 32, sum);
	}
	put16(otcp + 16, fold(sum16(otcp, 20, sum)));
	return 14 + iplen + 20;
}
