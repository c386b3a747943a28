/* Readiness of TCP sockets on IPv4 loopback through poll, epoll and
 * select: a listener is readable when a connection is pending and never
 * writable, a connected socket is writable and readable when data came,
 * POLLRDHUP/EPOLLRDHUP after the peer's shutdown, EPOLLHUP|EPOLLERR after
 * a reset, edge-triggered EPOLLIN per arrival, EPOLLOUT coming back once
 * a full send buffer drains, and a fresh socket's POLLOUT|POLLHUP. */
#include "check.h"
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>

static int listener;
static uint16_t lport;

static int tcp_connect(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(lport),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    return c;
}

static short poll1(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };
    int n = poll(&p, 1, ms);
    CHECK(n == 0 || n == 1);
    return p.revents;
}

/* epoll_wait for one event; returns its mask, 0 on timeout. */
static uint32_t ep_wait1(int ep, int ms)
{
    struct epoll_event ev[2];
    int n = epoll_wait(ep, ev, 2, ms);
    CHECK(n == 0 || n == 1);
    return n ? ev[0].events : 0;
}

int main(void)
{
    char buf[65536];
    memset(buf, 'z', sizeof buf);

    listener = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    /* A fresh socket: writable and hung up (nothing to write to). */
    CHECK_EQ(poll1(listener, POLLIN | POLLOUT, 0), POLLOUT | POLLHUP);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_OK(bind(listener, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(listener, 4));
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(listener, (struct sockaddr *)&a, &len));
    lport = ntohs(a.sin_port);

    /* A listener: nothing until a connection is pending, then POLLIN
     * (never POLLOUT). */
    CHECK_EQ(poll1(listener, POLLIN | POLLOUT, 0), 0);
    int c = tcp_connect();
    CHECK_EQ(poll1(listener, POLLIN | POLLOUT, 3000), POLLIN);
    fd_set rf, wf;
    FD_ZERO(&rf);
    FD_SET(listener, &rf);
    struct timeval tv = { 0, 0 };
    CHECK_EQ(select(listener + 1, &rf, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(listener, &rf));
    int s = CHECK_OK(accept(listener, NULL, NULL));
    CHECK_EQ(poll1(listener, POLLIN, 0), 0);

    /* Connected: writable, not readable, on both ends. */
    CHECK_EQ(poll1(c, POLLIN | POLLOUT | POLLRDHUP, 0), POLLOUT);
    CHECK_EQ(poll1(s, POLLIN | POLLOUT | POLLRDHUP, 0), POLLOUT);
    /* select: writable, not readable. */
    FD_ZERO(&rf);
    FD_ZERO(&wf);
    FD_SET(c, &rf);
    FD_SET(c, &wf);
    tv = (struct timeval){ 0, 0 };
    CHECK_EQ(select(c + 1, &rf, &wf, NULL, &tv), 1);
    CHECK(!FD_ISSET(c, &rf));
    CHECK(FD_ISSET(c, &wf));

    /* Data makes the receiver readable, for poll and for select (which
     * also waits for it). */
    CHECK_EQ(send(s, "hi", 2, 0), 2);
    FD_ZERO(&rf);
    FD_SET(c, &rf);
    tv = (struct timeval){ 3, 0 };
    CHECK_EQ(select(c + 1, &rf, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(c, &rf));
    CHECK_EQ(poll1(c, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 2);
    CHECK_EQ(poll1(c, POLLIN, 0), 0);

    /* Edge-triggered EPOLLIN: one event per arrival, none for leftovers. */
    int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = c };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
    CHECK_EQ(ep_wait1(ep, 0), 0);
    CHECK_EQ(send(s, "ab", 2, 0), 2);
    CHECK_EQ(ep_wait1(ep, 3000), EPOLLIN);
    CHECK_EQ(ep_wait1(ep, 0), 0);
    CHECK_EQ(recv(c, buf, 1, 0), 1);
    CHECK_EQ(ep_wait1(ep, 0), 0);
    CHECK_EQ(send(s, "c", 1, 0), 1);
    CHECK_EQ(ep_wait1(ep, 3000), EPOLLIN);
    CHECK_EQ(recv(c, buf, 2, MSG_WAITALL), 2);
    CHECK_MEMEQ(buf, "bc", 2);
    CHECK_EQ(ep_wait1(ep, 0), 0);

    /* The peer shuts down its sending side: EPOLLIN | EPOLLRDHUP, and
     * level-triggered it stays so; poll agrees. */
    CHECK_OK(shutdown(s, SHUT_WR));
    CHECK_EQ(ep_wait1(ep, 3000), EPOLLIN | EPOLLRDHUP);
    CHECK_EQ(ep_wait1(ep, 0), 0);
    ev.events = EPOLLIN | EPOLLRDHUP;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, c, &ev));
    CHECK_EQ(ep_wait1(ep, 0), EPOLLIN | EPOLLRDHUP);
    CHECK_EQ(ep_wait1(ep, 0), EPOLLIN | EPOLLRDHUP);
    CHECK_EQ(poll1(c, POLLIN | POLLOUT | POLLRDHUP, 0), POLLIN | POLLOUT | POLLRDHUP);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    /* Our side can still write; the peer is readable but not hung up. */
    CHECK_EQ(send(c, "x", 1, 0), 1);
    CHECK_EQ(poll1(s, POLLIN, 3000), POLLIN);
    CHECK_EQ(poll1(s, POLLIN | POLLOUT | POLLRDHUP, 0), POLLIN | POLLOUT);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 1);

    /* A reset: EPOLLERR and EPOLLHUP, reported even with no events asked
     * for (so the wait below is for them alone). */
    struct linger lg = { 1, 0 };
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    CHECK_OK(close(s));
    ev.events = 0;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, c, &ev));
    uint32_t got = ep_wait1(ep, 3000);
    CHECK_EQ(got & (EPOLLERR | EPOLLHUP), EPOLLERR | EPOLLHUP);
    /* (c had seen the peer's FIN: the reset reads as EPIPE, not
     * ECONNRESET, and reading still gives end of file) */
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_OK(close(c));   /* closing the fd removes it from the epoll set */
    CHECK_EQ(ep_wait1(ep, 0), 0);

    /* EPOLLOUT edge-triggered: reported at first, then again only once a
     * full send buffer has drained enough. */
    c = tcp_connect();
    s = CHECK_OK(accept(listener, NULL, NULL));
    CHECK_OK(fcntl(c, F_SETFL, O_NONBLOCK));
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.fd = c;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
    CHECK_EQ(ep_wait1(ep, 3000), EPOLLOUT);
    CHECK_EQ(ep_wait1(ep, 0), 0);
    /* Fill until EAGAIN, and again while acknowledgements still free
     * room, until the receiver's window and our buffer are both full. */
    long long sent = 0;
    do {
        for (;;) {
            ssize_t r = send(c, buf, sizeof buf, 0);
            if (r < 0) {
                CHECK_EQ(errno, EAGAIN);
                break;
            }
            sent += r;
            CHECK(sent < 256LL << 20);   /* flow control must stop us */
        }
    } while (poll1(c, POLLOUT, 100) == POLLOUT);
    CHECK(sent > 0);
    while (ep_wait1(ep, 0) != 0)
        ;                                /* edges seen while filling */
    /* Drain everything on the other side; the writer wakes up. */
    long long got_bytes = 0;
    while (got_bytes < sent) {
        ssize_t r = recv(s, buf, sizeof buf, 0);
        CHECK(r > 0);
        got_bytes += r;
    }
    CHECK_EQ(got_bytes, sent);
    CHECK_EQ(ep_wait1(ep, 3000), EPOLLOUT);
    CHECK_EQ(poll1(c, POLLOUT, 3000), POLLOUT);
    CHECK_EQ(poll1(s, POLLIN, 0), 0);
    CHECK_OK(close(c));
    CHECK_OK(close(s));
    CHECK_OK(close(ep));
    CHECK_OK(close(listener));
    return 0;
}
