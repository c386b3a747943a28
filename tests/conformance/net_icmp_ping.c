/* Unprivileged ICMP echo ("ping") sockets on loopback, IPv4 and IPv6:
 * socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) sends an echo request built by
 * the caller; the kernel sets the identifier to the socket's "port" and the
 * checksum; the reply comes back with the ICMP header, matched by that
 * identifier (two sockets only see their own replies), with the sequence
 * number and payload intact.  Only echo requests may be sent.
 *
 * Natively, Linux allows such sockets only to groups within
 * net.ipv4.ping_group_range (both families); when the socket is refused
 * with EACCES the range is widened to our gid for the test and restored
 * afterwards by the parent, whatever the child's outcome. */
#include "check.h"
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>

#define RANGE "/proc/sys/net/ipv4/ping_group_range"

static short poll1(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };
    int n = poll(&p, 1, ms);
    CHECK(n == 0 || n == 1);
    return p.revents;
}

static uint16_t inet_sum(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* An echo request (ICMP and ICMPv6 share the layout) with some payload. */
static size_t make_echo(uint8_t *pkt, uint8_t type, uint16_t seq, const char *payload)
{
    struct icmphdr h;
    memset(&h, 0, sizeof h);
    h.type = type;
    h.un.echo.id = htons(0x4242);        /* the kernel replaces it */
    h.un.echo.sequence = htons(seq);
    memcpy(pkt, &h, sizeof h);
    size_t n = strlen(payload);
    memcpy(pkt + sizeof h, payload, n);
    return sizeof h + n;
}

/* Receive one reply on fd and check it against what was sent. */
static void expect_reply(int fd, uint8_t type, uint16_t id, uint16_t seq,
                         const char *payload, int v4)
{
    uint8_t pkt[256];
    struct sockaddr_storage from;
    socklen_t len = sizeof from;
    CHECK(poll1(fd, POLLIN, 3000) & POLLIN);
    ssize_t n = recvfrom(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &len);
    CHECK_EQ(n, (ssize_t)(sizeof(struct icmphdr) + strlen(payload)));
    struct icmphdr h;
    memcpy(&h, pkt, sizeof h);
    CHECK_EQ(h.type, type);
    CHECK_EQ(h.code, 0);
    CHECK_EQ(h.un.echo.id, id);
    CHECK_EQ(ntohs(h.un.echo.sequence), seq);
    CHECK_MEMEQ(pkt + sizeof h, payload, strlen(payload));
    if (v4) {
        CHECK_EQ(inet_sum(pkt, (size_t)n), 0xffff);
        CHECK_EQ(len, sizeof(struct sockaddr_in));
        struct sockaddr_in *f = (struct sockaddr_in *)&from;
        CHECK_EQ(f->sin_family, AF_INET);
        CHECK_EQ(f->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    } else {
        CHECK_EQ(len, sizeof(struct sockaddr_in6));
        struct sockaddr_in6 *f = (struct sockaddr_in6 *)&from;
        CHECK_EQ(f->sin6_family, AF_INET6);
        CHECK(IN6_IS_ADDR_LOOPBACK(&f->sin6_addr));
    }
}

/* The socket's identifier: its local "port", as on the wire. */
static uint16_t ident(int fd)
{
    struct sockaddr_in6 a;             /* large enough for both families */
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    return a.sin6_port;                /* same offset as sin_port */
}

static void ping4(void)
{
    uint8_t pkt[256];
    struct sockaddr_in lo = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int s = CHECK_OK(socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
    int v = 0;
    socklen_t len = sizeof v;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    CHECK_EQ(v, SOCK_DGRAM);
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len));
    CHECK_EQ(v, IPPROTO_ICMP);
    CHECK_EQ(ident(s), 0);

    size_t n = make_echo(pkt, ICMP_ECHO, 1, "conformance ping one");
    CHECK_EQ(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), (ssize_t)n);
    uint16_t id = ident(s);
    CHECK_NE(id, 0);                    /* bound by the first send */
    expect_reply(s, ICMP_ECHOREPLY, id, 1, "conformance ping one", 1);
    CHECK_ERR(recv(s, pkt, sizeof pkt, MSG_DONTWAIT), EAGAIN);

    /* Several in flight come back in order. */
    n = make_echo(pkt, ICMP_ECHO, 2, "two");
    CHECK_EQ(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), (ssize_t)n);
    n = make_echo(pkt, ICMP_ECHO, 3, "three!");
    CHECK_EQ(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), (ssize_t)n);
    expect_reply(s, ICMP_ECHOREPLY, id, 2, "two", 1);
    expect_reply(s, ICMP_ECHOREPLY, id, 3, "three!", 1);

    /* Two sockets: distinct identifiers, each gets only its replies. */
    int s2 = CHECK_OK(socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
    CHECK_OK(connect(s2, (struct sockaddr *)&lo, sizeof lo));
    uint16_t id2 = ident(s2);
    CHECK_NE(id2, 0);
    CHECK_NE(id2, id);
    n = make_echo(pkt, ICMP_ECHO, 7, "for s2");
    CHECK_EQ(send(s2, pkt, n, 0), (ssize_t)n);     /* connected: no address */
    n = make_echo(pkt, ICMP_ECHO, 4, "for s");
    CHECK_EQ(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), (ssize_t)n);
    expect_reply(s2, ICMP_ECHOREPLY, id2, 7, "for s2", 1);
    expect_reply(s, ICMP_ECHOREPLY, id, 4, "for s", 1);
    CHECK_ERR(recv(s, pkt, sizeof pkt, MSG_DONTWAIT), EAGAIN);
    CHECK_ERR(recv(s2, pkt, sizeof pkt, MSG_DONTWAIT), EAGAIN);

    /* Only well-formed echo requests may be sent. */
    n = make_echo(pkt, ICMP_TIMESTAMP, 5, "x");
    CHECK_ERR(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), EINVAL);
    n = make_echo(pkt, ICMP_ECHO, 5, "x");
    pkt[1] = 1;                         /* code must be 0 */
    CHECK_ERR(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), EINVAL);
    pkt[1] = 0;
    CHECK_ERR(sendto(s, pkt, 4, 0, (struct sockaddr *)&lo, sizeof lo), EINVAL);
    CHECK_ERR(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo - 1), EINVAL);
    CHECK_ERR(send(s, pkt, n, 0), EDESTADDRREQ);
    CHECK_ERR(recv(s, pkt, sizeof pkt, MSG_DONTWAIT), EAGAIN);
    CHECK_OK(close(s2));
    CHECK_OK(close(s));
}

static void ping6(void)
{
    uint8_t pkt[256];
    struct sockaddr_in6 lo = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    int s = CHECK_OK(socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6));
    int v = 0;
    socklen_t len = sizeof v;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len));
    CHECK_EQ(v, IPPROTO_ICMPV6);
    size_t n = make_echo(pkt, ICMP6_ECHO_REQUEST, 9, "six ping");
    CHECK_EQ(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), (ssize_t)n);
    uint16_t id = ident(s);
    CHECK_NE(id, 0);
    expect_reply(s, ICMP6_ECHO_REPLY, id, 9, "six ping", 0);
    CHECK_ERR(recv(s, pkt, sizeof pkt, MSG_DONTWAIT), EAGAIN);
    /* An IPv4 echo type is not an ICMPv6 echo request. */
    n = make_echo(pkt, ICMP_ECHO, 10, "x");
    CHECK_ERR(sendto(s, pkt, n, 0, (struct sockaddr *)&lo, sizeof lo), EINVAL);
    CHECK_OK(close(s));
}

int main(void)
{
    char old[64] = "";
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0) {
        /* Natively, outside ping_group_range: let our group in. */
        CHECK_EQ(errno, EACCES);
        read_file(RANGE, old, sizeof old);
        char range[64];
        snprintf(range, sizeof range, "%u %u", (unsigned)getgid(), (unsigned)getgid());
        write_file(RANGE, range);
    } else {
        CHECK_OK(close(fd));
    }
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        ping4();
        ping6();
        _exit(0);
    }
    int st = wait_status(pid);
    if (old[0] != '\0')
        write_file(RANGE, old);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        FAIL("the ping child failed (status 0x%x)", st);
    return 0;
}
