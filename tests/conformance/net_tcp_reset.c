/* TCP resets on IPv4 loopback: close with SO_LINGER {1, 0} aborts the
 * connection (the peer's poll shows POLLERR|POLLHUP, recv or SO_ERROR gives
 * ECONNRESET once, then end of file, and sends fail with EPIPE), a close
 * with unread data resets too, a reset wakes a blocked reader, and writing
 * to a peer that has closed ends in EPIPE (SIGPIPE without MSG_NOSIGNAL). */
#include "check.h"
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

static int listener;
static uint16_t lport;

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

static int so_error(int fd)
{
    int v = -1;
    socklen_t len = sizeof v;
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len));
    return v;
}

/* close(fd) sending a reset instead of a FIN. */
static void abort_close(int fd)
{
    struct linger lg = { 1, 0 };
    CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    CHECK_OK(close(fd));
}

int main(void)
{
    char buf[256];

    listener = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_OK(bind(listener, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(listener, 4));
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(listener, (struct sockaddr *)&a, &len));
    lport = ntohs(a.sin_port);

    /* Abortive close: recv reports ECONNRESET once, then end of file. */
    int c, s = tcp_pair(&c);
    abort_close(c);
    short re = poll1(s, POLLIN, 3000);
    CHECK_EQ(re & (POLLIN | POLLERR | POLLHUP), POLLIN | POLLERR | POLLHUP);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), ECONNRESET);
    CHECK_EQ(so_error(s), 0);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    /* The connection is gone: no peer, and sending is EPIPE. */
    len = sizeof a;
    CHECK_ERR(getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN);
    CHECK_ERR(send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_OK(close(s));

    /* The same error can be collected with SO_ERROR instead, once. */
    s = tcp_pair(&c);
    abort_close(s);
    re = poll1(c, 0, 3000);          /* c is writable: wait for the error */
    CHECK_EQ(re, POLLERR | POLLHUP);
    CHECK_EQ(so_error(c), ECONNRESET);
    CHECK_EQ(so_error(c), 0);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_OK(close(c));

    /* Data that arrived before the reset can still be read first; what
     * the aborting side had not read is simply lost. */
    s = tcp_pair(&c);
    CHECK_EQ(send(c, "lost", 4, 0), 4);
    CHECK_EQ(poll1(s, POLLIN, 3000), POLLIN);
    CHECK_EQ(send(s, "gone", 4, 0), 4);
    CHECK_EQ(poll1(c, POLLIN, 3000), POLLIN);
    abort_close(c);
    /* (events 0: wait for the error itself, POLLIN is already set) */
    CHECK_EQ(poll1(s, 0, 3000) & POLLERR, POLLERR);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 4);
    CHECK_MEMEQ(buf, "lost", 4);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), ECONNRESET);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_OK(close(s));

    /* Closing with unread received data sends a reset, not a FIN. */
    s = tcp_pair(&c);
    CHECK_EQ(send(c, "unread", 6, 0), 6);
    CHECK_EQ(poll1(s, POLLIN, 3000), POLLIN);
    CHECK_OK(close(s));
    CHECK_EQ(poll1(c, 0, 3000) & POLLERR, POLLERR);
    CHECK_ERR(recv(c, buf, sizeof buf, 0), ECONNRESET);
    CHECK_OK(close(c));

    /* A reset wakes a reader blocked in recv. */
    s = tcp_pair(&c);
    int sync[2];
    CHECK_OK(pipe(sync));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(c);
        close(sync[0]);
        if (write(sync[1], "r", 1) != 1)
            _exit(2);
        errno = 0;
        ssize_t r = recv(s, buf, sizeof buf, 0);
        _exit(r == -1 && errno == ECONNRESET ? 0 : 1);
    }
    CHECK_OK(close(s));
    CHECK_OK(close(sync[1]));
    CHECK_EQ(read(sync[0], buf, 1), 1);
    sleep_ms(50);                   /* let the child block (not required) */
    abort_close(c);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(close(sync[0]));

    /* Writing to a peer that closed: the first send is accepted, the
     * closed peer answers it with a reset, and later sends fail with
     * EPIPE. */
    s = tcp_pair(&c);
    CHECK_OK(close(s));
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    int i, err = 0;
    for (i = 0; i < 100; i++) {
        errno = 0;
        ssize_t r = send(c, "data", 4, MSG_NOSIGNAL);
        if (r == -1) {
            err = errno;
            break;
        }
        CHECK_EQ(r, 4);
        poll1(c, POLLERR, 50);     /* waits for the reset, bounded */
    }
    CHECK(i >= 1);
    CHECK_EQ(err, EPIPE);
    CHECK_ERR(send(c, "data", 4, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(poll1(c, POLLIN | POLLOUT, 0) & POLLHUP, POLLHUP);
    /* Without MSG_NOSIGNAL (default action, in a child): SIGPIPE. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        (void)!send(c, "data", 4, 0);
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGPIPE);
    CHECK_OK(close(c));

    CHECK_OK(close(listener));
    return 0;
}
