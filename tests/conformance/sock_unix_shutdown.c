/* Stream shutdown and close: SHUT_WR gives the peer end of file and the
 * writer EPIPE with SIGPIPE (none with MSG_NOSIGNAL), SHUT_RD ends reads,
 * poll shows POLLRDHUP/POLLHUP, a close with unread data resets the peer
 * (ECONNRESET once), and SIGPIPE kills a writer that does not handle it. */
#include "check.h"
#include <poll.h>
#include <sys/socket.h>

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static short revents(int fd)
{
    struct pollfd pf = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    CHECK(poll(&pf, 1, 0) >= 0);
    return pf.revents;
}

int main(void)
{
    struct sigaction act = { .sa_handler = on_sigpipe };
    CHECK_OK(sigaction(SIGPIPE, &act, NULL));
    int sv[2];
    char buf[16];

    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(revents(sv[0]), POLLOUT);
    CHECK_ERR(shutdown(sv[0], 3), EINVAL);
    CHECK_ERR(shutdown(sv[0], -1), EINVAL);
    /* SHUT_WR: what was sent is still read, then end of file. */
    CHECK_EQ(send(sv[0], "tail", 4, 0), 4);
    CHECK_OK(shutdown(sv[0], SHUT_WR));
    CHECK_EQ(revents(sv[1]), POLLIN | POLLOUT | POLLRDHUP);
    CHECK_EQ(revents(sv[0]), POLLOUT);
    CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 4);
    CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    CHECK_EQ(read(sv[1], buf, sizeof buf), 0);
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
    CHECK_EQ(sigpipes, 1);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_EQ(sigpipes, 2);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(sigpipes, 2);
    /* The other direction still works. */
    CHECK_EQ(send(sv[1], "back", 4, 0), 4);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 4);
    /* Both halves gone: hangup. */
    CHECK_OK(shutdown(sv[1], SHUT_WR));
    CHECK_EQ(revents(sv[0]) & (POLLHUP | POLLRDHUP | POLLIN), POLLHUP | POLLRDHUP | POLLIN);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* SHUT_RD: queued data can still be read, then end of file; the peer
     * can no longer write. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(send(sv[1], "ab", 2, 0), 2);
    CHECK_OK(shutdown(sv[0], SHUT_RD));
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 2);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(send(sv[0], "ok", 2, 0), 2);
    CHECK_OK(shutdown(sv[0], SHUT_RDWR));
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* The peer closes having read everything: end of file, EPIPE. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(send(sv[1], "last", 4, 0), 4);
    CHECK_OK(close(sv[1]));
    CHECK_EQ(revents(sv[0]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 4);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_OK(close(sv[0]));

    /* The peer closes with our data unread: ECONNRESET (once, after the
     * data it had sent), POLLERR. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(send(sv[0], "unread", 6, 0), 6);
    CHECK_EQ(send(sv[1], "bye", 3, 0), 3);
    CHECK_OK(close(sv[1]));
    CHECK(revents(sv[0]) & POLLERR);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 3);
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), ECONNRESET);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_EQ(revents(sv[0]) & POLLERR, 0);
    CHECK_OK(close(sv[0]));
    /* SO_ERROR takes the pending error too. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(send(sv[0], "unread", 6, 0), 6);
    CHECK_OK(close(sv[1]));
    int err = -1;
    socklen_t el = sizeof err;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &el));
    CHECK_EQ(err, ECONNRESET);
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &el));
    CHECK_EQ(err, 0);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_OK(close(sv[0]));

    /* A blocked reader is woken by the peer's close. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(sv[0]);
        sleep_ms(50);
        _exit(0);
    }
    CHECK_OK(close(sv[1]));
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(close(sv[0]));

    /* SIGPIPE's default action kills the writer. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(close(sv[1]));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        (void)!write(sv[0], "x", 1);
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGPIPE);
    CHECK_OK(close(sv[0]));
    return 0;
}
