/* lo holds all of 127.0.0.0/8, not just 127.0.0.1: a TCP connect to
 * 127.0.0.2 with nothing listening is refused at once (ECONNREFUSED, also
 * for a non-blocking connect), a listener on 0.0.0.0 is reached at
 * 127.0.0.2 and one bound to 127.0.0.2 (or 127.1.2.3) only there; the
 * addresses getsockname/getpeername report on both sides (an unbound
 * client's source is 127.0.0.1, the route's preferred source; a bound one
 * keeps its own); UDP to 127.0.0.3, to a wildcard and to an exact
 * receiver, and ECONNREFUSED after a datagram to a port nobody has; many
 * addresses one after the other.  IPv6 has only ::1: ::2 is no local
 * address. */
#include "check.h"
#include "net_addr.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

static struct sockaddr_in addr4(const char *ip, uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    CHECK_EQ(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return a;
}

/* a is ip:port (port 0: any). */
static void check_addr(struct sockaddr_in a, const char *ip, uint16_t port)
{
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    CHECK_STREQ(text, ip);
    if (port)
        CHECK_EQ(ntohs(a.sin_port), port);
}

/* A socket of type bound to ip on a free port (listening if TCP and
 * listen); *port gets the port. */
static int bound(int type, const char *ip, bool listen_too, uint16_t *port)
{
    int s = CHECK_OK(socket(AF_INET, type, 0));
    struct sockaddr_in a = addr4(ip, 0);
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    if (listen_too)
        CHECK_OK(listen(s, 8));
    *port = ntohs(name_of(s).sin_port);
    CHECK_NE(*port, 0);
    return s;
}

/* connect(2) of a new TCP socket (bound first to from, unless NULL) to
 * ip:port: 0 and the socket in *fd, or the errno. */
static int tcp_connect(const char *from, const char *ip, uint16_t port, int *fd)
{
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    if (from) {
        struct sockaddr_in f = addr4(from, 0);
        CHECK_OK(bind(c, (struct sockaddr *)&f, sizeof f));
    }
    struct sockaddr_in a = addr4(ip, port);
    if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        close(c);
        return e;
    }
    *fd = c;
    return 0;
}

/* A connection to ip:port accepted on l; data both ways; the addresses
 * each side reports (client_ip: the client's source). */
static void check_connection(int l, const char *from, const char *ip, uint16_t port,
                             const char *client_ip)
{
    int c = -1;
    CHECK_EQ(tcp_connect(from, ip, port, &c), 0);
    int s = CHECK_OK(accept(l, NULL, NULL));
    struct sockaddr_in cn = name_of(c);
    check_addr(cn, client_ip, 0);
    check_addr(peer_of(c), ip, port);
    check_addr(name_of(s), ip, port);
    struct sockaddr_in sp = peer_of(s);
    check_addr(sp, client_ip, ntohs(cn.sin_port));
    char buf[8];
    CHECK_EQ(write(c, "ping", 4), 4);
    CHECK_EQ(read(s, buf, sizeof buf), 4);
    CHECK_MEMEQ(buf, "ping", 4);
    CHECK_EQ(write(s, "pong", 4), 4);
    CHECK_EQ(read(c, buf, sizeof buf), 4);
    CHECK_MEMEQ(buf, "pong", 4);
    close(c);
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    close(s);
}

static void tcp_refused(void)
{
    /* A port that is bound but not listening: nobody accepts there. */
    uint16_t port;
    int b = bound(SOCK_STREAM, "0.0.0.0", false, &port);
    int fd;
    CHECK_EQ(tcp_connect(NULL, "127.0.0.2", port, &fd), ECONNREFUSED);
    CHECK_EQ(tcp_connect(NULL, "127.1.2.3", port, &fd), ECONNREFUSED);
    CHECK_EQ(tcp_connect(NULL, "127.255.255.254", port, &fd), ECONNREFUSED);

    /* Non-blocking: EINPROGRESS, then the error. */
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in a = addr4("127.0.0.2", port);
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK(r < 0 && (errno == EINPROGRESS || errno == ECONNREFUSED));
    if (errno == EINPROGRESS) {
        struct pollfd p = { c, POLLOUT, 0 };
        CHECK_EQ(poll(&p, 1, -1), 1);
        CHECK(p.revents & (POLLERR | POLLHUP));
        int err = 0;
        socklen_t len = sizeof err;
        CHECK_OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
        CHECK_EQ(err, ECONNREFUSED);
    }
    close(c);
    close(b);
}

static void tcp_listeners(void)
{
    /* A wildcard listener is reached at any 127/8 address. */
    uint16_t port;
    int l = bound(SOCK_STREAM, "0.0.0.0", true, &port);
    check_connection(l, NULL, "127.0.0.2", port, "127.0.0.1");
    check_connection(l, NULL, "127.1.2.3", port, "127.0.0.1");
    check_connection(l, NULL, "127.0.0.1", port, "127.0.0.1");
    /* A client bound to another 127/8 address keeps it as its source. */
    check_connection(l, "127.0.0.5", "127.0.0.2", port, "127.0.0.5");
    close(l);

    /* A listener on 127.0.0.2 is reached there, and not at 127.0.0.1. */
    l = bound(SOCK_STREAM, "127.0.0.2", true, &port);
    check_addr(name_of(l), "127.0.0.2", port);
    check_connection(l, NULL, "127.0.0.2", port, "127.0.0.1");
    int fd;
    CHECK_EQ(tcp_connect(NULL, "127.0.0.1", port, &fd), ECONNREFUSED);
    CHECK_EQ(tcp_connect(NULL, "127.0.0.3", port, &fd), ECONNREFUSED);
    /* ...and the port stays free on the other addresses. */
    int l2 = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = addr4("127.0.0.3", port);
    CHECK_OK(bind(l2, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l2, 8));
    check_connection(l2, NULL, "127.0.0.3", port, "127.0.0.1");
    check_connection(l, NULL, "127.0.0.2", port, "127.0.0.1");
    close(l2);
    close(l);

    l = bound(SOCK_STREAM, "127.1.2.3", true, &port);
    check_connection(l, "127.9.9.9", "127.1.2.3", port, "127.9.9.9");
    close(l);
}

static void udp(void)
{
    char buf[16];
    struct sockaddr_in from;
    socklen_t len;
    uint16_t wport, eport, sport;
    int w = bound(SOCK_DGRAM, "0.0.0.0", false, &wport);
    int e = bound(SOCK_DGRAM, "127.0.0.3", false, &eport);
    int s = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));

    /* To a wildcard receiver at 127.0.0.3: the source is 127.0.0.1. */
    struct sockaddr_in to = addr4("127.0.0.3", wport);
    CHECK_EQ(sendto(s, "one", 3, 0, (struct sockaddr *)&to, sizeof to), 3);
    sport = ntohs(name_of(s).sin_port);
    len = sizeof from;
    CHECK_EQ(recvfrom(w, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 3);
    CHECK_MEMEQ(buf, "one", 3);
    check_addr(from, "127.0.0.1", sport);

    /* To a receiver bound to 127.0.0.3 itself. */
    to = addr4("127.0.0.3", eport);
    CHECK_EQ(sendto(s, "two", 3, 0, (struct sockaddr *)&to, sizeof to), 3);
    len = sizeof from;
    CHECK_EQ(recvfrom(e, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 3);
    CHECK_MEMEQ(buf, "two", 3);
    check_addr(from, "127.0.0.1", sport);

    /* A sender bound to 127.0.0.4: its replies go back there. */
    uint16_t bport;
    int b = bound(SOCK_DGRAM, "127.0.0.4", false, &bport);
    CHECK_EQ(sendto(b, "three", 5, 0, (struct sockaddr *)&to, sizeof to), 5);
    len = sizeof from;
    CHECK_EQ(recvfrom(e, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 5);
    check_addr(from, "127.0.0.4", bport);
    CHECK_EQ(sendto(e, "back", 4, 0, (struct sockaddr *)&from, len), 4);
    len = sizeof from;
    CHECK_EQ(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 4);
    CHECK_MEMEQ(buf, "back", 4);
    check_addr(from, "127.0.0.3", eport);

    /* A connected socket: getsockname/getpeername, then a datagram to a
     * port nobody has is answered with ECONNREFUSED. */
    int c = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    to = addr4("127.0.0.3", wport);
    CHECK_OK(connect(c, (struct sockaddr *)&to, sizeof to));
    check_addr(name_of(c), "127.0.0.1", 0);
    check_addr(peer_of(c), "127.0.0.3", wport);
    close(c);
    uint16_t dead;
    close(bound(SOCK_DGRAM, "127.0.0.3", false, &dead));
    c = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    to = addr4("127.0.0.3", dead);
    CHECK_OK(connect(c, (struct sockaddr *)&to, sizeof to));
    CHECK_EQ(send(c, "x", 1, 0), 1);
    CHECK_ERR(recv(c, buf, sizeof buf, 0), ECONNREFUSED);
    close(c);
    close(b);
    close(s);
    close(e);
    close(w);
}

/* Many addresses, one after the other (more than the sandbox keeps
 * accepting at once: those no socket uses any more are taken back), while
 * a connection on one of them stays up. */
static void many(void)
{
    uint16_t port, dport, tport;
    int l = bound(SOCK_STREAM, "0.0.0.0", true, &port);
    int u = bound(SOCK_DGRAM, "0.0.0.0", false, &dport);
    int b = bound(SOCK_STREAM, "0.0.0.0", false, &tport);   /* nobody accepts there */
    int kept = -1;
    CHECK_EQ(tcp_connect(NULL, "127.3.3.3", port, &kept), 0);
    int kept_peer = CHECK_OK(accept(l, NULL, NULL));
    int s = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    char ip[INET_ADDRSTRLEN], buf[8];
    for (int i = 1; i <= 300; i++) {
        snprintf(ip, sizeof ip, "127.%d.%d.%d", 10 + i % 7, i / 256, i % 256);
        int fd;
        CHECK_EQ(tcp_connect(NULL, ip, tport, &fd), ECONNREFUSED);
        struct sockaddr_in to = addr4(ip, dport);
        CHECK_EQ(sendto(s, "m", 1, 0, (struct sockaddr *)&to, sizeof to), 1);
        CHECK_EQ(recv(u, buf, sizeof buf, 0), 1);
    }
    CHECK_EQ(write(kept, "still", 5), 5);
    CHECK_EQ(read(kept_peer, buf, sizeof buf), 5);
    check_addr(name_of(kept_peer), "127.3.3.3", port);
    close(s);
    close(kept);
    close(kept_peer);
    close(b);
    close(u);
    close(l);
}

/* IPv6's loopback is ::1 alone. */
static void ipv6(void)
{
    int s = socket(AF_INET6, SOCK_STREAM, 0);
    if (s < 0 && errno == EAFNOSUPPORT)
        return;
    CHECK(s >= 0);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
    CHECK_EQ(inet_pton(AF_INET6, "::2", &a.sin6_addr), 1);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    a.sin6_addr = in6addr_loopback;
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    close(s);
}

int main(void)
{
    tcp_refused();
    tcp_listeners();
    udp();
    many();
    ipv6();

    /* Binding any 127/8 address works; one outside it does not. */
    int s = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in a = addr4("127.200.1.1", 0);
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    close(s);
    s = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    a = addr4("128.0.0.1", 0);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    close(s);
    return 0;
}
