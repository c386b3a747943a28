/*
 * net_egress: reach what the network policy forbids, by every address form,
 * transport and socket trick.
 *
 *   net_egress mode=none|cidr|default port=P [deny=T] [soft=T] [allow=T]...
 *
 * T is ADDR or ADDR#PORT (default port P).  run.sh passes, for the policy the
 * sandbox runs under:
 *   deny   forbidden, and the sandbox knows it: connect, sendto... must fail
 *          at the syscall (the policy gate) unless ADDR is the guest's own
 *          loopback (then it must not leave the sandbox: no answer);
 *   soft   forbidden, but only the egress proxy's own deny list knows it (the
 *          host's addresses under the default policy; a broadcast address
 *          inside an allowed range): the syscall may succeed, but no
 *          connection may be made and no answer come back;
 *   allow  must be reachable (a control: TCP and UDP answer, also through
 *          ::ffff:ADDR), or the refusals prove nothing.
 * The listeners run.sh put on the test hosts and on the host count what
 * arrives; run.sh checks the counts of every forbidden one stay at zero.
 *
 * Each IPv4 target is also tried as ::ffff:a.b.c.d (dual-stack AF_INET6
 * socket), ::a.b.c.d (IPv4-compatible), 64:ff9b::a.b.c.d (NAT64) and
 * 2002:AABB:CCDD::1 (6to4); these derived forms are forbidden at the syscall
 * under none and cidr (they are outside every allowed range), and under the
 * default policy must not reach the target.  Transports: TCP connect
 * (non-blocking then poll, blocking), MSG_FASTOPEN, TCP_FASTOPEN_CONNECT, UDP
 * sendto/sendmsg/sendmmsg/connect+send/connect+write, ICMP ping sockets;
 * then socket tricks, on the first deny and the first soft target of each
 * family (TTL, SO_BINDTODEVICE, IP_TRANSPARENT/IP_FREEBIND,
 * spoofed source binds, IP_PKTINFO, IP_OPTIONS source routes, SO_DONTROUTE,
 * re-used sockets: connect AF_UNSPEC then elsewhere, a UDP socket connected
 * to an allowed peer then sendto a forbidden one).
 */
#include "attack.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#define MAX_TARGETS 64
#define MAX_PENDING 768 /* under RLIMIT_NOFILE (1024): one fd each */
#define SETTLE_MS 1000 /* how long a sent probe may take to answer */
#define CONTROL_MS 3000

enum cls { DENY, SOFT, ALLOW };

struct target {
    enum cls cls;
    char text[96];
    struct sockaddr_storage sa;
    socklen_t len;
};

static const char *mode = "?";
static int port;
static struct target targets[MAX_TARGETS];
static int ntargets;

/* --- addresses ----------------------------------------------------------------- */

static int parse_addr(const char *s, int defport, struct sockaddr_storage *sa, socklen_t *len)
{
    char buf[96];
    const char *hash = strchr(s, '#');
    size_t n = hash ? (size_t)(hash - s) : strlen(s);
    int p = hash ? atoi(hash + 1) : defport;

    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
    if (inet_pton(AF_INET, buf, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)p);
        *len = sizeof *in;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)p);
        /* link-local needs its interface: eth0 */
        if (in6->sin6_addr.s6_addr[0] == 0xfe && (in6->sin6_addr.s6_addr[1] & 0xc0) == 0x80)
            in6->sin6_scope_id = 2;
        *len = sizeof *in6;
        return 0;
    }
    return -1;
}

static void addr_text(const struct sockaddr_storage *sa, char *out, size_t n)
{
    char a[INET6_ADDRSTRLEN] = "?";
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, a, sizeof a);
        snprintf(out, n, "%s#%d", a, ntohs(in->sin_port));
    } else {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof a);
        snprintf(out, n, "%s#%d", a, ntohs(in6->sin6_port));
    }
}

/* The guest's own loopback (or "this host", which Linux maps to it): a
 * send there may succeed and stays in the sandbox. */
static bool is_local(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
        return a >> 24 == 127 || a == 0;
    }
    const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    static const uint8_t zero[16], mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (memcmp(b, zero, 15) == 0 && b[15] <= 1)
        return true;
    if (memcmp(b, mapped, 12) == 0) {
        uint32_t a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
        return b[12] == 127 || a == 0;
    }
    return false;
}

/* The IPv6 forms that carry an IPv4 address. */
enum form { F_PLAIN, F_MAPPED, F_COMPAT, F_NAT64, F_6TO4, NFORMS };
static const char *const form_name[NFORMS] = {"", "mapped-", "compat-", "nat64-", "6to4-"};

static void derive(const struct sockaddr_storage *v4, enum form f, struct sockaddr_storage *out,
                   socklen_t *len)
{
    const struct sockaddr_in *in = (const void *)v4;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    const uint8_t *a = (const uint8_t *)&in->sin_addr;

    memset(out, 0, sizeof *out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = in->sin_port;
    uint8_t *b = in6->sin6_addr.s6_addr;
    switch (f) {
    case F_MAPPED:
        b[10] = b[11] = 0xff;
        memcpy(b + 12, a, 4);
        break;
    case F_COMPAT:
        memcpy(b + 12, a, 4);
        break;
    case F_NAT64:
        b[0] = 0x00, b[1] = 0x64, b[2] = 0xff, b[3] = 0x9b;
        memcpy(b + 12, a, 4);
        break;
    case F_6TO4:
        b[0] = 0x20, b[1] = 0x02;
        memcpy(b + 2, a, 4);
        b[15] = 1;
        break;
    default:
        break;
    }
    *len = sizeof *in6;
}

/* --- sockets -------------------------------------------------------------------- */

static int sock(int family, int type, int proto)
{
    int fd = socket(family, type | SOCK_CLOEXEC, proto);
    if (fd >= 0 && family == AF_INET6) {
        int zero = 0;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    return fd;
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Whatever an attacker sets on a datagram socket to get it out: broadcast
 * allowed, multicast out of eth0 with the largest TTL (errors ignored: an
 * option the sandbox lacks only makes the attempt weaker). */
static void dgram_opts(int fd, int family)
{
    int one = 1, ttl = 255, ifindex = 2;
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (family == AF_INET) {
        struct in_addr eth0;
        inet_pton(AF_INET, "10.0.2.100", &eth0);
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &eth0, sizeof eth0);
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    } else {
        setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex);
        setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl);
    }
}

/* --- verdicts --------------------------------------------------------------------
 * A probe that the syscall refused is decided at once.  One that the
 * syscall accepted is either an escape (strict: the policy gate must have
 * refused it) or pending: its socket is polled with every other pending one
 * at the end (flush), and an answer or an established connection is an
 * escape. */

/* P_PING: an echo request, whose answer is the target's own (any answer
 * but the sandbox's own loopback's is an escape). */
enum pkind { P_CONNECTING, P_SENT, P_PING };

static struct pending {
    char name[160];
    int fd;
    enum pkind kind;
    bool echo_local;    /* a ping of the sandbox's own address: it answers */
} pend[MAX_PENDING];
static int npend;

static void flush(void);

static void add_pending(const char *name, int fd, enum pkind kind, bool echo_local)
{
    if (npend == MAX_PENDING)
        flush();
    snprintf(pend[npend].name, sizeof pend[npend].name, "%s", name);
    pend[npend].fd = fd;
    pend[npend].kind = kind;
    pend[npend].echo_local = echo_local;
    npend++;
}

/* A connection or an answer is an escape if one of run.sh's listeners made
 * it: they greet with "hello NAME" and answer datagrams with "udp NAME ...".
 * Anything else came from outside (the machine's own network may accept
 * any TCP connection to anywhere): the target was not reached, and the
 * listeners' counts say so too. */
static bool from_listener(const char *buf)
{
    return strncmp(buf, "hello ", 6) == 0 || strncmp(buf, "udp ", 4) == 0;
}

static void connected_verdict(const char *name, int fd)
{
    char buf[128] = "";
    struct pollfd q = {fd, POLLIN, 0};

    if (poll(&q, 1, 500) == 1 && recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT) < 0)
        buf[0] = 0;
    if (from_listener(buf))
        escaped(name, "connected to a listener: \"%.*s\"", (int)strcspn(buf, "\n"), buf);
    else
        refused(name, "connected, but not to the target: no listener's greeting (got \"%.20s\")",
                buf);
}

static void decide_ready(struct pending *p, short rev)
{
    char buf[128] = "";
    if (p->kind == P_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err)
            refused(p->name, "%s after poll (revents %#x)", attack_errname(err), rev);
        else
            connected_verdict(p->name, p->fd);
        return;
    }
    ssize_t r = recv(p->fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (r < 0)
        refused(p->name, "sent, then %s", attack_errname(errno));
    else if (p->echo_local)
        refused(p->name, "answered by the sandbox's own loopback (lwIP loops 127/8 itself)");
    else if (r > 0 && p->kind != P_PING && !from_listener(buf))
        refused(p->name, "answered, but not by a listener of this test (\"%.20s\")", buf);
    else
        escaped(p->name, "answered: \"%.*s\"", (int)(r > 40 ? 40 : r), buf);
}

static void flush(void)
{
    struct pollfd pf[MAX_PENDING];
    bool done[MAX_PENDING] = {0};
    double end = now_s() + SETTLE_MS / 1000.0;
    int left = npend;

    while (left > 0) {
        int ms = (int)((end - now_s()) * 1000);
        if (ms <= 0)
            break;
        for (int i = 0; i < npend; i++) {
            pf[i].fd = done[i] ? -1 : pend[i].fd;
            pf[i].events = pend[i].kind == P_CONNECTING ? POLLOUT : POLLIN;
            pf[i].revents = 0;
        }
        if (poll(pf, (nfds_t)npend, ms) <= 0)
            continue;
        for (int i = 0; i < npend; i++) {
            if (done[i] || !pf[i].revents)
                continue;
            decide_ready(&pend[i], pf[i].revents);
            done[i] = true;
            left--;
        }
    }
    for (int i = 0; i < npend; i++) {
        if (!done[i])
            refused(pend[i].name, "%s, nothing within %d ms (run.sh checks the listeners)",
                    pend[i].kind == P_CONNECTING ? "in progress" : "sent", SETTLE_MS);
        close(pend[i].fd);
    }
    npend = 0;
}

/* The result of a connect-like call on a TCP socket. */
static void tcp_verdict(const char *name, int fd, long r, bool strict)
{
    int e = errno;
    if (r < 0 && e != EINPROGRESS && e != EAGAIN) {
        refused(name, "%s", attack_errname(e));
        close(fd);
    } else if (strict) {
        escaped(name, "%s: the policy must refuse it at the syscall",
                r < 0 ? "in progress" : "connected");
        close(fd);
    } else if (r == 0) {
        connected_verdict(name, fd);
        close(fd);
    } else {
        add_pending(name, fd, P_CONNECTING, false);
    }
}

/* The result of a send on a datagram socket (ping: an ICMP echo request;
 * echo_local: to the sandbox's own loopback, which answers it itself). */
static void dgram_verdict_ping(const char *name, int fd, long r, bool strict, bool ping,
                               bool echo_local)
{
    int e = errno;
    if (r < 0) {
        refused(name, "%s", attack_errname(e));
        close(fd);
    } else if (strict) {
        escaped(name, "the send returned %ld: the policy must refuse it at the syscall", r);
        close(fd);
    } else {
        add_pending(name, fd, ping ? P_PING : P_SENT, echo_local);
    }
}

static void dgram_verdict(const char *name, int fd, long r, bool strict)
{
    dgram_verdict_ping(name, fd, r, strict, false, false);
}

/* --- transports ----------------------------------------------------------------- */

enum how {
    H_TCP_NB, H_TCP_BLOCK, H_TCP_FASTOPEN, H_TCP_FO_CONNECT,
    H_UDP_SENDTO, H_UDP_SENDMSG, H_UDP_SENDMMSG, H_UDP_CONNECT_SEND, H_UDP_CONNECT_WRITE,
    H_PING, H_NHOW
};
static const char *const how_name[H_NHOW] = {
    "tcp-connect", "tcp-connect-blocking", "tcp-msg-fastopen", "tcp-fastopen-connect",
    "udp-sendto", "udp-sendmsg", "udp-sendmmsg", "udp-connect-send", "udp-connect-write",
    "ping",
};

static const char query[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                            "\x07" "example" "\x04" "test" "\x00\x00\x01\x00\x01";

static void probe(const char *name, const struct sockaddr_storage *sa, socklen_t len,
                  enum how how, bool strict)
{
    int fam = sa->ss_family, fd;
    const struct sockaddr *a = (const struct sockaddr *)sa;
    long r;

    if (how <= H_TCP_FO_CONNECT) {
        fd = sock(fam, SOCK_STREAM, 0);
        if (fd < 0) {
            refused(name, "socket: %s", attack_errname(errno));
            return;
        }
        if (how == H_TCP_BLOCK) {
            /* a connect that nothing answers ends after this */
            struct timeval tv = {0, 300000};
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        } else {
            set_nonblock(fd);
        }
        if (how == H_TCP_FO_CONNECT) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof one);
        }
        if (how == H_TCP_FASTOPEN)
            r = sendto(fd, "x\n", 2, MSG_FASTOPEN | MSG_NOSIGNAL, a, len);
        else
            r = connect(fd, a, len);
        if (r > 0)
            r = 0;
        tcp_verdict(name, fd, r, strict);
        return;
    }
    if (how == H_PING) {
        fd = sock(fam, SOCK_DGRAM, fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
        if (fd < 0) {
            refused(name, "socket: %s", attack_errname(errno));
            return;
        }
        set_nonblock(fd);
        struct icmphdr echo = {.type = fam == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST};
        echo.un.echo.sequence = htons(1);
        struct sockaddr_storage dst = *sa;
        ((struct sockaddr_in *)&dst)->sin_port = 0;
        r = sendto(fd, &echo, sizeof echo, 0, (struct sockaddr *)&dst, len);
        dgram_verdict_ping(name, fd, r, strict, true, is_local(sa));
        return;
    }
    fd = sock(fam, SOCK_DGRAM, 0);
    if (fd < 0) {
        refused(name, "socket: %s", attack_errname(errno));
        return;
    }
    set_nonblock(fd);
    dgram_opts(fd, fam);
    struct iovec iov = {(void *)query, sizeof query - 1};
    struct msghdr mh = {.msg_name = (void *)a, .msg_namelen = len, .msg_iov = &iov,
                        .msg_iovlen = 1};
    switch (how) {
    case H_UDP_SENDTO:
        r = sendto(fd, query, sizeof query - 1, 0, a, len);
        break;
    case H_UDP_SENDMSG:
        r = sendmsg(fd, &mh, 0);
        break;
    case H_UDP_SENDMMSG: {
        struct mmsghdr mm[2] = {{.msg_hdr = mh}, {.msg_hdr = mh}};
        r = sendmmsg(fd, mm, 2, 0);
        /* sendmmsg counts what went: one message is as bad as two */
        if (r == 0)
            r = -1, errno = EAGAIN;
        break;
    }
    default:
        r = connect(fd, a, len);
        if (r == 0)
            r = how == H_UDP_CONNECT_SEND ? send(fd, query, sizeof query - 1, 0)
                                        : write(fd, query, sizeof query - 1);
        break;
    }
    dgram_verdict(name, fd, r, strict);
}

/* Every transport (or only the main ones) to one address. */
static void probe_all(const char *base, const struct sockaddr_storage *sa, socklen_t len,
                      bool strict, bool all)
{
    static const enum how few[] = {H_TCP_NB, H_UDP_SENDTO, H_PING};
    char name[160];
    int n = all ? H_NHOW : (int)(sizeof few / sizeof few[0]);

    for (int i = 0; i < n; i++) {
        enum how h = all ? (enum how)i : few[i];
        snprintf(name, sizeof name, "%s-%s", how_name[h], base);
        probe(name, sa, len, h, strict);
    }
}

static void forbidden_targets(void)
{
    for (int i = 0; i < ntargets; i++) {
        struct target *t = &targets[i];
        if (t->cls == ALLOW)
            continue;
        bool local = is_local(&t->sa);
        bool strict = t->cls == DENY && !local;
        probe_all(t->text, &t->sa, t->len, strict, true);
        if (t->sa.ss_family != AF_INET)
            continue;
        for (enum form f = F_MAPPED; f < NFORMS; f++) {
            struct sockaddr_storage d;
            socklen_t dl;
            char base[112], txt[80];
            derive(&t->sa, f, &d, &dl);
            addr_text(&d, txt, sizeof txt);
            snprintf(base, sizeof base, "%s%s", form_name[f], txt);
            /* mapped and compatible forms are judged as the IPv4 address;
             * the NAT64 and 6to4 ones are other IPv6 addresses, outside every
             * range the sandbox allows (none under --cidr-allow) */
            bool s = f <= F_COMPAT ? strict && !is_local(&d) : strcmp(mode, "default") != 0;
            probe_all(base, &d, dl, s, f == F_MAPPED);
        }
    }
}

/* --- controls ---------------------------------------------------------------------- */

static bool wait_in(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

/* A TCP connection to SA that gets the listener's greeting. */
static bool tcp_reaches(const struct sockaddr_storage *sa, socklen_t len, char *got, size_t n)
{
    int fd = sock(sa->ss_family, SOCK_STREAM, 0);
    bool ok = false;
    struct timeval tv = {CONTROL_MS / 1000, 0};

    got[0] = 0;
    if (fd < 0)
        return false;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)sa, len) == 0 && wait_in(fd, CONTROL_MS)) {
        ssize_t r = recv(fd, got, n - 1, 0);
        if (r > 0) {
            got[r] = 0;
            ok = true;
        }
    } else {
        snprintf(got, n, "%s", attack_errname(errno));
    }
    close(fd);
    return ok;
}

/* A datagram to SA that gets an answer (three tries). */
static bool udp_reaches(const struct sockaddr_storage *sa, socklen_t len, char *got, size_t n)
{
    int fd = sock(sa->ss_family, SOCK_DGRAM, 0);
    bool ok = false;

    got[0] = 0;
    if (fd < 0)
        return false;
    for (int i = 0; i < 3 && !ok; i++) {
        if (sendto(fd, query, sizeof query - 1, 0, (const struct sockaddr *)sa, len) < 0) {
            snprintf(got, n, "%s", attack_errname(errno));
            break;
        }
        if (wait_in(fd, CONTROL_MS / 3)) {
            ssize_t r = recv(fd, got, n - 1, MSG_DONTWAIT);
            ok = r > 0;
            if (r > 0)
                got[r] = 0;
        }
    }
    close(fd);
    return ok;
}

static void allowed_targets(void)
{
    char name[160], got[128];

    for (int i = 0; i < ntargets; i++) {
        struct target *t = &targets[i];
        if (t->cls != ALLOW)
            continue;
        for (enum form f = F_PLAIN; f <= F_MAPPED; f++) {
            struct sockaddr_storage sa = t->sa;
            socklen_t len = t->len;
            if (f == F_MAPPED) {
                if (sa.ss_family != AF_INET)
                    break;
                derive(&t->sa, f, &sa, &len);
            }
            snprintf(name, sizeof name, "tcp-%s%s", form_name[f], t->text);
            bool ok = tcp_reaches(&sa, len, got, sizeof got);
            control(name, ok, "%.*s", (int)strcspn(got, "\n"), got);
            snprintf(name, sizeof name, "udp-%s%s", form_name[f], t->text);
            ok = udp_reaches(&sa, len, got, sizeof got);
            control(name, ok, "%.*s", (int)strcspn(got, "\x12"), got);
        }
    }
}

/* The sandbox's own loopback works under every policy: a listener on
 * 127.0.0.1 and ::1 (ephemeral ports) accepts. */
static int loopback_listener(int fam, struct sockaddr_storage *sa, socklen_t *len)
{
    int fd = sock(fam, SOCK_STREAM, 0);
    memset(sa, 0, sizeof *sa);
    if (fam == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)sa;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        *len = sizeof *in6;
    }
    if (fd < 0 || bind(fd, (struct sockaddr *)sa, *len) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)sa, len) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void loopback_control(void)
{
    for (int fam = AF_INET; fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
        struct sockaddr_storage sa;
        socklen_t len;
        int l = loopback_listener(fam, &sa, &len);
        int c = sock(fam, SOCK_STREAM, 0);
        bool ok = l >= 0 && c >= 0 && connect(c, (struct sockaddr *)&sa, len) == 0;
        int a = ok ? accept(l, NULL, NULL) : -1;
        ok = ok && a >= 0 && write(c, "x", 1) == 1;
        char b = 0;
        ok = ok && read(a, &b, 1) == 1 && b == 'x';
        control(fam == AF_INET ? "loopback-127.0.0.1" : "loopback-::1", ok, "%s",
                ok ? "connected and echoed" : attack_errname(errno));
        close(l), close(c), close(a);
    }
}

/* --- socket tricks ------------------------------------------------------------------ */

/* The first target of a family and class that is not the guest's own
 * (what the tricks aim at), or NULL. */
static const struct target *trick_target(int fam, enum cls cls)
{
    for (int i = 0; i < ntargets; i++)
        if (targets[i].cls == cls && targets[i].sa.ss_family == fam && !is_local(&targets[i].sa))
            return &targets[i];
    return NULL;
}

static const struct target *allowed_target(int fam)
{
    for (int i = 0; i < ntargets; i++)
        if (targets[i].cls == ALLOW && targets[i].sa.ss_family == fam)
            return &targets[i];
    return NULL;
}

/* One option set on a socket before it goes for the target. */
struct trick {
    const char *name;
    int level, opt;
    const void *val;
    socklen_t len;
    int flags;          /* extra send flags */
};

static void tricks_for(const struct target *t)
{
    static const int one = 1, ttl1 = 1, ttl255 = 255, tos = 0x10;
    static const char eth0[] = "eth0", lo[] = "lo", host_if[] = "docker0";
    /* IP_OPTIONS: loose source route through the target, then end */
    uint8_t lsrr[8] = {IPOPT_NOP, IPOPT_LSRR, 7, 4};
    memcpy(lsrr + 4, &((const struct sockaddr_in *)&t->sa)->sin_addr, 4);
    int fam = t->sa.ss_family;
    int sol = fam == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
    const struct trick tricks[] = {
        {"ttl-1", sol, fam == AF_INET ? IP_TTL : IPV6_UNICAST_HOPS, &ttl1, sizeof ttl1, 0},
        {"ttl-255", sol, fam == AF_INET ? IP_TTL : IPV6_UNICAST_HOPS, &ttl255, sizeof ttl255, 0},
        {"bindtodevice-eth0", SOL_SOCKET, SO_BINDTODEVICE, eth0, sizeof eth0, 0},
        {"bindtodevice-lo", SOL_SOCKET, SO_BINDTODEVICE, lo, sizeof lo, 0},
        {"bindtodevice-docker0", SOL_SOCKET, SO_BINDTODEVICE, host_if, sizeof host_if, 0},
        {"ip-transparent", sol, fam == AF_INET ? IP_TRANSPARENT : IPV6_TRANSPARENT, &one,
         sizeof one, 0},
        {"ip-freebind", sol, fam == AF_INET ? IP_FREEBIND : IPV6_FREEBIND, &one, sizeof one, 0},
        {"so-dontroute", SOL_SOCKET, SO_DONTROUTE, &one, sizeof one, 0},
        {"msg-dontroute", SOL_SOCKET, SO_DONTROUTE, NULL, 0, MSG_DONTROUTE},
        {"msg-confirm", SOL_SOCKET, 0, NULL, 0, MSG_CONFIRM},
        {"tos", sol, fam == AF_INET ? IP_TOS : IPV6_TCLASS, &tos, sizeof tos, 0},
        {"ip-options-lsrr", IPPROTO_IP, IP_OPTIONS, lsrr, fam == AF_INET ? sizeof lsrr : 0, 0},
        {"so-mark", SOL_SOCKET, SO_MARK, &ttl1, sizeof ttl1, 0},
    };
    bool strict = t->cls == DENY;
    char name[160];

    for (size_t i = 0; i < sizeof tricks / sizeof tricks[0]; i++) {
        const struct trick *k = &tricks[i];
        for (int tcp = 0; tcp <= 1; tcp++) {
            int fd = sock(fam, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
            snprintf(name, sizeof name, "%s-%s-%s", tcp ? "tcp" : "udp", k->name, t->text);
            if (fd < 0) {
                refused(name, "socket: %s", attack_errname(errno));
                continue;
            }
            set_nonblock(fd);
            if (!tcp)
                dgram_opts(fd, fam);
            if (k->val && k->len)
                setsockopt(fd, k->level, k->opt, k->val, k->len);
            long r = tcp ? connect(fd, (const struct sockaddr *)&t->sa, t->len)
                         : sendto(fd, query, sizeof query - 1, k->flags,
                                  (const struct sockaddr *)&t->sa, t->len);
            if (tcp)
                tcp_verdict(name, fd, r, strict);
            else
                dgram_verdict(name, fd, r, strict);
        }
    }
}

/* sendmsg with IP_PKTINFO / IPV6_PKTINFO naming the loopback interface and
 * the target as the source, which picks the route on Linux. */
static void pktinfo_trick(const struct target *t)
{
    int fam = t->sa.ss_family;
    char name[160], cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))] = {0};
    int fd = sock(fam, SOCK_DGRAM, 0);
    struct iovec iov = {(void *)query, sizeof query - 1};
    struct msghdr mh = {.msg_name = (void *)&t->sa, .msg_namelen = t->len, .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = cbuf};
    struct cmsghdr *c = (struct cmsghdr *)cbuf;

    snprintf(name, sizeof name, "udp-pktinfo-lo-%s", t->text);
    if (fd < 0) {
        refused(name, "socket: %s", attack_errname(errno));
        return;
    }
    set_nonblock(fd);
    if (fam == AF_INET) {
        struct in_pktinfo pi = {.ipi_ifindex = 1};
        pi.ipi_spec_dst = ((const struct sockaddr_in *)&t->sa)->sin_addr;
        c->cmsg_level = IPPROTO_IP, c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof pi);
        memcpy(CMSG_DATA(c), &pi, sizeof pi);
        mh.msg_controllen = CMSG_SPACE(sizeof pi);
    } else {
        struct in6_pktinfo pi = {.ipi6_ifindex = 1};
        pi.ipi6_addr = ((const struct sockaddr_in6 *)&t->sa)->sin6_addr;
        c->cmsg_level = IPPROTO_IPV6, c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof pi);
        memcpy(CMSG_DATA(c), &pi, sizeof pi);
        mh.msg_controllen = CMSG_SPACE(sizeof pi);
    }
    dgram_verdict(name, fd, sendmsg(fd, &mh, 0), t->cls == DENY);
}

/* Binding to an address that is not the sandbox's (to spoof a source, or
 * to pass for the host or the target) must fail, with or without the
 * options that allow it on Linux. */
static void spoof_binds(const struct target *t)
{
    static const int one = 1;
    const char *srcs4[] = {"10.0.2.2", "10.0.2.3", "192.0.2.1", NULL};
    const char *srcs6[] = {"fd53:6e74::2", "2001:db8::1", NULL};
    const char **srcs = t->sa.ss_family == AF_INET ? srcs4 : srcs6;
    int fam = t->sa.ss_family;
    int sol = fam == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
    char name[160], txt[80];

    for (int opt = 0; opt < 3; opt++) {
        static const char *const how[] = {"plain", "freebind", "transparent"};
        int o = opt == 1 ? (fam == AF_INET ? IP_FREEBIND : IPV6_FREEBIND)
                         : (fam == AF_INET ? IP_TRANSPARENT : IPV6_TRANSPARENT);
        for (int i = -1; i < 0 || srcs[i]; i++) {
            struct sockaddr_storage src;
            socklen_t sl;
            if (i < 0)
                src = t->sa, sl = t->len;   /* the target's own address */
            else
                parse_addr(srcs[i], 0, &src, &sl);
            ((struct sockaddr_in *)&src)->sin_port = 0;
            addr_text(&src, txt, sizeof txt);
            if (i < 0)
                memcpy(txt, "target-", 7), addr_text(&src, txt + 7, sizeof txt - 7);
            for (int tcp = 0; tcp <= 1; tcp++) {
                int fd = sock(fam, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
                snprintf(name, sizeof name, "%s-bind-%s-%s", tcp ? "tcp" : "udp", how[opt], txt);
                if (opt)
                    setsockopt(fd, sol, o, &one, sizeof one);
                long r = bind(fd, (struct sockaddr *)&src, sl);
                if (r < 0) {
                    refused(name, "bind: %s", attack_errname(errno));
                    close(fd);
                    continue;
                }
                escaped(name, "bound to an address that is not the sandbox's");
                close(fd);
            }
        }
    }
}

/* A socket that was connected to an allowed peer (or, without one, to the
 * sandbox's own loopback) goes for the target: TCP connect(AF_UNSPEC) then
 * connect; UDP sendto/sendmmsg with an address while connected; UDP
 * AF_UNSPEC then connect. */
static void reuse_tricks(const struct target *t)
{
    const struct target *ok = allowed_target(t->sa.ss_family);
    struct sockaddr_storage peer;
    socklen_t plen;
    int lfd = -1, fam = t->sa.ss_family;
    bool strict = t->cls == DENY;
    char name[160];
    const struct sockaddr unspec = {.sa_family = AF_UNSPEC};

    if (ok) {
        peer = ok->sa, plen = ok->len;
    } else {
        lfd = loopback_listener(fam, &peer, &plen);
    }
    /* TCP */
    int fd = sock(fam, SOCK_STREAM, 0);
    snprintf(name, sizeof name, "tcp-reconnect-unspec-%s", t->text);
    if (connect(fd, (struct sockaddr *)&peer, plen) < 0) {
        control("tcp-first-connect", 0, "%s", attack_errname(errno));
    } else {
        long r = connect(fd, &unspec, sizeof unspec);
        if (r < 0)
            refused(name, "connect(AF_UNSPEC): %s", attack_errname(errno));
        else {
            set_nonblock(fd);
            r = connect(fd, (const struct sockaddr *)&t->sa, t->len);
            tcp_verdict(name, fd, r, strict);
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    /* UDP: the peer need not answer; only connect matters */
    for (int v = 0; v < 3; v++) {
        static const char *const what[] = {"udp-connected-sendto", "udp-connected-sendmmsg",
                                           "udp-reconnect-unspec"};
        fd = sock(fam, SOCK_DGRAM, 0);
        set_nonblock(fd);
        dgram_opts(fd, fam);
        snprintf(name, sizeof name, "%s-%s", what[v], t->text);
        if (connect(fd, (struct sockaddr *)&peer, plen) < 0) {
            control(name, 0, "first connect: %s", attack_errname(errno));
            close(fd);
            continue;
        }
        long r;
        if (v == 0) {
            r = sendto(fd, query, sizeof query - 1, 0, (const struct sockaddr *)&t->sa, t->len);
        } else if (v == 1) {
            struct iovec iov = {(void *)query, sizeof query - 1};
            struct mmsghdr mm = {.msg_hdr = {.msg_name = (void *)&t->sa,
                                             .msg_namelen = t->len,
                                             .msg_iov = &iov,
                                             .msg_iovlen = 1}};
            r = sendmmsg(fd, &mm, 1, 0);
            if (r == 0)
                r = -1, errno = EAGAIN;
        } else {
            r = connect(fd, &unspec, sizeof unspec);
            if (r == 0)
                r = connect(fd, (const struct sockaddr *)&t->sa, t->len);
            if (r == 0)
                r = send(fd, query, sizeof query - 1, 0);
        }
        dgram_verdict(name, fd, r, strict);
    }
    if (lfd >= 0)
        close(lfd);
}

/* An IPv6 destination with a scope id (lo's, eth0's, a made-up one), and an
 * AF_INET address given to an AF_INET6 socket (Linux's UDP takes it as the
 * IPv4 destination of a dual-stack socket). */
static void family_tricks(const struct target *t)
{
    char name[160];

    if (t->sa.ss_family == AF_INET6) {
        for (uint32_t scope = 1; scope <= 3; scope++) {
            struct sockaddr_in6 sa = *(const struct sockaddr_in6 *)&t->sa;
            sa.sin6_scope_id = scope;
            for (int tcp = 0; tcp <= 1; tcp++) {
                int fd = sock(AF_INET6, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
                set_nonblock(fd);
                snprintf(name, sizeof name, "%s-scope-%u-%s", tcp ? "tcp" : "udp", scope, t->text);
                long r = tcp ? connect(fd, (struct sockaddr *)&sa, sizeof sa)
                             : sendto(fd, query, sizeof query - 1, 0, (struct sockaddr *)&sa,
                                      sizeof sa);
                if (tcp)
                    tcp_verdict(name, fd, r, t->cls == DENY);
                else
                    dgram_verdict(name, fd, r, t->cls == DENY);
            }
        }
        return;
    }
    for (int tcp = 0; tcp <= 1; tcp++) {
        int fd = sock(AF_INET6, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
        set_nonblock(fd);
        snprintf(name, sizeof name, "%s6-sockaddr_in-%s", tcp ? "tcp" : "udp", t->text);
        long r = tcp ? connect(fd, (const struct sockaddr *)&t->sa, t->len)
                     : sendto(fd, query, sizeof query - 1, 0, (const struct sockaddr *)&t->sa,
                              t->len);
        if (tcp)
            tcp_verdict(name, fd, r, t->cls == DENY);
        else
            dgram_verdict(name, fd, r, t->cls == DENY);
    }
}

/* A mapped address on a v6-only socket is no IPv4 destination. */
static void v6only_mapped(const struct target *t)
{
    struct sockaddr_storage d;
    socklen_t dl;
    char name[160];
    int one = 1;

    derive(&t->sa, F_MAPPED, &d, &dl);
    for (int tcp = 0; tcp <= 1; tcp++) {
        int fd = socket(AF_INET6, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        set_nonblock(fd);
        snprintf(name, sizeof name, "%s-v6only-mapped-%s", tcp ? "tcp" : "udp", t->text);
        long r = tcp ? connect(fd, (struct sockaddr *)&d, dl)
                     : sendto(fd, query, sizeof query - 1, 0, (struct sockaddr *)&d, dl);
        if (tcp)
            tcp_verdict(name, fd, r, t->cls == DENY);
        else
            dgram_verdict(name, fd, r, t->cls == DENY);
    }
}

static void socket_tricks(void)
{
    for (enum cls c = DENY; c <= SOFT; c++) {
        for (int fam = AF_INET; fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
            const struct target *t = trick_target(fam, c);
            if (!t)
                continue;
            tricks_for(t);
            pktinfo_trick(t);
            if (c == DENY)
                spoof_binds(t);
            reuse_tricks(t);
            family_tricks(t);
            if (fam == AF_INET)
                v6only_mapped(t);
        }
    }
}

int main(int argc, char **argv)
{
    attack_begin("net");
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "net_egress: bad argument %s\n", argv[i]);
            return 2;
        }
        *eq = 0;
        const char *k = argv[i], *v = eq + 1;
        if (strcmp(k, "mode") == 0) {
            mode = v;
        } else if (strcmp(k, "port") == 0) {
            port = atoi(v);
        } else if (ntargets < MAX_TARGETS) {
            struct target *t = &targets[ntargets];
            t->cls = strcmp(k, "allow") == 0 ? ALLOW : strcmp(k, "soft") == 0 ? SOFT : DENY;
            if (parse_addr(v, port, &t->sa, &t->len) < 0) {
                fprintf(stderr, "net_egress: bad address %s\n", v);
                return 2;
            }
            addr_text(&t->sa, t->text, sizeof t->text);
            ntargets++;
        }
    }
    printf("net_egress: mode %s, %d targets\n", mode, ntargets);
    loopback_control();
    allowed_targets();
    forbidden_targets();
    socket_tricks();
    flush(); /* one wait for every probe still open */
    return attack_end();
}
