/* TCP on IPv4 loopback: MSG_PEEK does not consume, MSG_WAITALL gathers
 * several segments (and stops at end of file), shutdown(SHUT_WR) gives the
 * peer end of file while the other direction keeps working, SHUT_RD,
 * EPIPE + SIGPIPE on a shut-down writer (none with MSG_NOSIGNAL, death
 * with the default action), and shutdown's own errors. */
#include "check.h"
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static int listener;
static uint16_t lport;

/* A connected pair: *c is the connecting end, the result the accepted one. */
static int tcp_pair(int *c)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(lport),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    *c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(*c, (struct sockaddr *)&a, sizeof a));
    return CHECK_OK(accept(listener, NULL, NULL));
}

static short poll1(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };
    int n = poll(&p, 1, ms);
    CHECK(n == 0 || n == 1);
    return p.revents;
}

int main(void)
{
    char buf[4096];
    struct sigaction act = { .sa_handler = on_sigpipe };
    CHECK_OK(sigaction(SIGPIPE, &act, NULL));

    listener = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_OK(bind(listener, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(listener, 4));
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(listener, (struct sockaddr *)&a, &len));
    lport = ntohs(a.sin_port);

    /* shutdown on a socket that is not connected. */
    int u = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(shutdown(u, SHUT_RDWR), ENOTCONN);
    CHECK_ERR(shutdown(u, SHUT_WR), ENOTCONN);
    CHECK_OK(close(u));

    int c, s = tcp_pair(&c);
    CHECK_ERR(shutdown(c, 3), EINVAL);
    CHECK_ERR(shutdown(c, -1), EINVAL);

    /* MSG_PEEK leaves the data in place, however often and however much. */
    CHECK_EQ(send(c, "abcdef", 6, 0), 6);
    CHECK_EQ(poll1(s, POLLIN, 3000), POLLIN);
    CHECK_EQ(recv(s, buf, 3, MSG_PEEK), 3);
    CHECK_MEMEQ(buf, "abc", 3);
    CHECK_EQ(recv(s, buf, sizeof buf, MSG_PEEK), 6);
    CHECK_MEMEQ(buf, "abcdef", 6);
    CHECK_EQ(recv(s, buf, 2, 0), 2);
    CHECK_MEMEQ(buf, "ab", 2);
    CHECK_EQ(recv(s, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT), 4);
    CHECK_MEMEQ(buf, "cdef", 4);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 4);
    CHECK_MEMEQ(buf, "cdef", 4);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT), EAGAIN);

    /* MSG_WAITALL waits for the whole count across separate sends. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        memset(buf, 'w', sizeof buf);
        for (int i = 0; i < 3; i++) {
            sleep_ms(20);
            if (send(c, buf, 1000, 0) != 1000)
                _exit(1);
        }
        _exit(0);
    }
    CHECK_EQ(recv(s, buf, 3000, MSG_WAITALL), 3000);
    CHECK_EQ(buf[0], 'w');
    CHECK_EQ(buf[2999], 'w');
    CHECK_CHILD_EXIT(pid, 0);

    /* SHUT_WR: what was sent arrives, then end of file (MSG_WAITALL stops
     * there with what it has); the peer can still send back. */
    CHECK_EQ(send(c, "last", 4, 0), 4);
    CHECK_OK(shutdown(c, SHUT_WR));
    CHECK_EQ(recv(s, buf, 100, MSG_WAITALL), 4);
    CHECK_MEMEQ(buf, "last", 4);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    CHECK_EQ(poll1(s, POLLIN | POLLRDHUP, 0), POLLIN | POLLRDHUP);
    CHECK_EQ(send(s, "reply", 5, 0), 5);
    CHECK_EQ(recv(c, buf, 5, MSG_WAITALL), 5);
    CHECK_MEMEQ(buf, "reply", 5);
    /* The shut-down writer: EPIPE with SIGPIPE, or without. */
    CHECK_EQ(poll1(c, POLLOUT, 0), POLLOUT);
    CHECK_ERR(send(c, "x", 1, 0), EPIPE);
    CHECK_EQ(sigpipes, 1);
    CHECK_ERR(write(c, "x", 1), EPIPE);
    CHECK_EQ(sigpipes, 2);
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(sigpipes, 2);
    /* With the default action, the writer dies of it. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        (void)!send(c, "x", 1, 0);
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGPIPE);
    /* Shutting down what already is shut down is fine. */
    CHECK_OK(shutdown(c, SHUT_WR));
    /* Both directions closed: both ends see hangup. */
    CHECK_OK(shutdown(s, SHUT_WR));
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_EQ(poll1(c, POLLIN | POLLRDHUP, 3000) & (POLLIN | POLLRDHUP | POLLHUP),
             POLLIN | POLLRDHUP | POLLHUP);
    CHECK_OK(close(c));
    CHECK_OK(close(s));

    /* SHUT_RD: reads give end of file at once; writing still works. */
    s = tcp_pair(&c);
    CHECK_OK(shutdown(s, SHUT_RD));
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_EQ(poll1(s, POLLIN | POLLRDHUP, 0), POLLIN | POLLRDHUP);
    CHECK_EQ(send(s, "still", 5, 0), 5);
    CHECK_EQ(recv(c, buf, 5, MSG_WAITALL), 5);
    CHECK_MEMEQ(buf, "still", 5);
    CHECK_OK(close(s));
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_OK(close(c));

    /* SHUT_RDWR: the peer sees end of file, we can neither read nor write. */
    s = tcp_pair(&c);
    CHECK_OK(shutdown(c, SHUT_RDWR));
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(sigpipes, 2);
    CHECK_OK(close(s));
    CHECK_OK(close(c));

    CHECK_OK(close(listener));
    return 0;
}
