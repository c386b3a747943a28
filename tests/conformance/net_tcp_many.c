/* Many TCP connections and bulk data on IPv4 loopback: 64 connections
 * open at once (all connected before any is accepted, each identified by
 * its port and served through one poll loop), then 4 MiB each way between
 * forked processes, checksummed (this needs flow control to work: neither
 * side's buffers can hold it all). */
#include "check.h"
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#define NCONN 64
#define BULK (4u << 20)

static uint16_t lport;

static int tcp_connect(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(lport),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    return c;
}

static uint16_t port_of(int fd, int peer)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (peer)
        CHECK_OK(getpeername(fd, (struct sockaddr *)&a, &len));
    else
        CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    return ntohs(a.sin_port);
}

/* Deterministic pseudo-random bytes: byte i of stream `seed`. */
static uint8_t pattern(uint32_t seed, uint32_t i)
{
    uint32_t x = (i + 1) * 2654435761u ^ seed * 40503u;
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return (uint8_t)x;
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

#define FNV_INIT 14695981039346656037ull

/* Send BULK pattern bytes of `seed` in uneven pieces. */
static void send_bulk(int fd, uint32_t seed)
{
    static uint8_t buf[70000];
    uint32_t off = 0, piece = 1;
    while (off < BULK) {
        uint32_t n = piece % sizeof buf + 1;
        if (n > BULK - off)
            n = BULK - off;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = pattern(seed, off + i);
        ssize_t w = send(fd, buf, n, 0);
        CHECK(w > 0);
        off += (uint32_t)w;
        piece = piece * 7 + 4093;
    }
}

/* Receive until end of file; returns the checksum, checks the length and
 * every byte against the pattern. */
static uint64_t recv_bulk(int fd, uint32_t seed)
{
    static uint8_t buf[50000];
    uint64_t h = FNV_INIT;
    uint32_t off = 0;
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        CHECK(r >= 0);
        if (r == 0)
            break;
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pattern(seed, off + (uint32_t)i))
                FAIL("byte %u differs", off + (unsigned)i);
        h = fnv1a(h, buf, (size_t)r);
        off += (uint32_t)r;
        CHECK(off <= BULK);
    }
    CHECK_EQ(off, BULK);
    return h;
}

static uint64_t expected_sum(uint32_t seed)
{
    uint64_t h = FNV_INIT;
    for (uint32_t i = 0; i < BULK; i++) {
        uint8_t b = pattern(seed, i);
        h = fnv1a(h, &b, 1);
    }
    return h;
}

int main(void)
{
    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 128));
    lport = port_of(l, 0);

    /* 64 clients connect before anything is accepted. */
    int cl[NCONN], sv[NCONN];
    uint16_t cport[NCONN];
    for (int i = 0; i < NCONN; i++) {
        cl[i] = tcp_connect();
        cport[i] = port_of(cl[i], 0);
        for (int j = 0; j < i; j++)
            CHECK_NE(cport[j], cport[i]);
        uint32_t msg[2] = { (uint32_t)i, 0xc0ffee00u + (uint32_t)i };
        CHECK_EQ(send(cl[i], msg, sizeof msg, 0), sizeof msg);
    }
    /* Each accepted socket's peer port names exactly one client. */
    int seen[NCONN] = { 0 };
    for (int i = 0; i < NCONN; i++) {
        sv[i] = CHECK_OK(accept(l, NULL, NULL));
        CHECK_EQ(port_of(sv[i], 0), lport);
        uint16_t p = port_of(sv[i], 1);
        int k;
        for (k = 0; k < NCONN && cport[k] != p; k++)
            ;
        CHECK(k < NCONN);
        CHECK_EQ(seen[k], 0);
        seen[k] = 1;
    }
    /* One poll loop answers every message. */
    struct pollfd pf[NCONN];
    for (int i = 0; i < NCONN; i++)
        pf[i] = (struct pollfd){ sv[i], POLLIN, 0 };
    int answered = 0;
    while (answered < NCONN) {
        int n = poll(pf, NCONN, 3000);
        CHECK(n > 0);
        for (int i = 0; i < NCONN; i++) {
            if (!pf[i].revents)
                continue;
            CHECK_EQ(pf[i].revents, POLLIN);
            uint32_t msg[2];
            CHECK_EQ(recv(sv[i], msg, sizeof msg, MSG_WAITALL), sizeof msg);
            CHECK(msg[0] < NCONN);
            CHECK_EQ(msg[1], 0xc0ffee00u + msg[0]);
            CHECK_EQ(port_of(sv[i], 1), cport[msg[0]]);
            msg[1] = ~msg[1];
            CHECK_EQ(send(sv[i], msg, sizeof msg, 0), sizeof msg);
            pf[i].fd = -1;              /* done with this one */
            answered++;
        }
    }
    for (int i = NCONN - 1; i >= 0; i--) {
        uint32_t msg[2];
        CHECK_EQ(recv(cl[i], msg, sizeof msg, MSG_WAITALL), sizeof msg);
        CHECK_EQ(msg[0], (uint32_t)i);
        CHECK_EQ(msg[1], ~(0xc0ffee00u + (uint32_t)i));
    }
    /* Closing every client gives every server end an end of file. */
    for (int i = 0; i < NCONN; i++)
        CHECK_OK(close(cl[i]));
    for (int i = 0; i < NCONN; i++) {
        char c;
        CHECK_EQ(recv(sv[i], &c, 1, 0), 0);
        CHECK_OK(close(sv[i]));
    }

    /* Bulk: a forked client sends 4 MiB and half-closes; the server
     * checks it and sends its checksum and 4 MiB back. */
    uint64_t want_up = expected_sum(1), want_down = expected_sum(2);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(close(l));
        int c = tcp_connect();
        send_bulk(c, 1);
        CHECK_OK(shutdown(c, SHUT_WR));
        uint64_t sum;
        CHECK_EQ(recv(c, &sum, sizeof sum, MSG_WAITALL), sizeof sum);
        CHECK_EQ(sum, want_up);
        CHECK_EQ(recv_bulk(c, 2), want_down);
        CHECK_OK(close(c));
        _exit(0);
    }
    int s = CHECK_OK(accept(l, NULL, NULL));
    uint64_t sum = recv_bulk(s, 1);
    CHECK_EQ(sum, want_up);
    CHECK_EQ(send(s, &sum, sizeof sum, 0), sizeof sum);
    send_bulk(s, 2);
    CHECK_OK(shutdown(s, SHUT_WR));
    CHECK_CHILD_EXIT(pid, 0);
    char c;
    CHECK_EQ(recv(s, &c, 1, 0), 0);
    CHECK_OK(close(s));
    CHECK_OK(close(l));
    return 0;
}
