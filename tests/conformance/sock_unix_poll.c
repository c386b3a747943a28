/* poll and select on unix sockets: a listener is readable with a
 * connection pending (never writable), a fresh stream socket is writable
 * and hung up, data makes a socket readable, blocking polls are woken by
 * another process (data, a connection, a close), and a datagram sender
 * whose receiver is full is not writable until the receiver reads. */
#include "check.h"
#include <poll.h>
#include <stddef.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>

static short ready(int fd, short events, int timeout)
{
    struct pollfd pf = { fd, events, 0 };
    CHECK(poll(&pf, 1, timeout) >= 0);
    return pf.revents;
}

int main(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "conf-poll-%d", (int)getpid());
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                                 strlen(a.sun_path + 1));
    short all = POLLIN | POLLOUT | POLLRDHUP;

    int fresh = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_EQ(ready(fresh, all, 0), POLLOUT | POLLHUP);
    int dg = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_EQ(ready(dg, all, 0), POLLOUT);

    int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, alen));
    CHECK_OK(listen(l, 4));
    CHECK_EQ(ready(l, all, 0), 0);
    /* A blocking poll on the listener wakes when a child connects. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(50);
        int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
        CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
        sleep_ms(50);
        CHECK_EQ(send(c, "data", 4, 0), 4);
        sleep_ms(50);
        _exit(0);                                   /* closes c */
    }
    CHECK_EQ(ready(l, POLLIN | POLLOUT, 3000), POLLIN);
    int s = CHECK_OK(accept(l, NULL, NULL));
    CHECK_EQ(ready(l, POLLIN, 0), 0);
    CHECK_EQ(ready(s, all, 0), POLLOUT);
    CHECK_EQ(ready(s, POLLIN, 3000), POLLIN);       /* the data */
    char buf[8];
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 4);
    CHECK_EQ(ready(s, POLLIN | POLLRDHUP, 3000), POLLIN | POLLRDHUP | POLLHUP);   /* the close */
    CHECK_CHILD_EXIT(pid, 0);

    /* select: the same answers. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(sv[0], &rd);
    FD_SET(sv[0], &wr);
    FD_SET(l, &rd);
    FD_SET(l, &wr);
    struct timeval tv = { 0, 0 };
    int maxfd = (sv[0] > l ? sv[0] : l) + 1;
    CHECK_EQ(select(maxfd, &rd, &wr, NULL, &tv), 1);
    CHECK(FD_ISSET(sv[0], &wr));
    CHECK(!FD_ISSET(sv[0], &rd) && !FD_ISSET(l, &rd) && !FD_ISSET(l, &wr));
    CHECK_EQ(send(sv[1], "x", 1, 0), 1);
    FD_ZERO(&rd);
    FD_SET(sv[0], &rd);
    tv = (struct timeval){ 1, 0 };
    CHECK_EQ(select(sv[0] + 1, &rd, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(sv[0], &rd));
    CHECK_OK(close(sv[1]));
    FD_ZERO(&rd);
    FD_SET(sv[0], &rd);
    CHECK_EQ(select(sv[0] + 1, &rd, NULL, NULL, &tv), 1);
    CHECK_OK(close(sv[0]));

    /* A datagram sender connected to a full receiver that is not
     * connected back: not writable; a read in another process wakes a
     * blocked poll. */
    struct sockaddr_un ra = a;
    ra.sun_path[1] = 'R';
    int r = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(r, (struct sockaddr *)&ra, alen));
    CHECK_OK(connect(dg, (struct sockaddr *)&ra, alen));
    int n = 0;
    while (send(dg, "m", 1, MSG_DONTWAIT) == 1)
        n++;
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(ready(dg, POLLOUT, 0), 0);
    CHECK_EQ(ready(r, POLLIN, 0), POLLIN);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(50);
        CHECK_EQ(recv(r, buf, sizeof buf, 0), 1);
        _exit(0);
    }
    CHECK_EQ(ready(dg, POLLOUT, 3000), POLLOUT);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(send(dg, "m", 1, MSG_DONTWAIT), 1);
    CHECK_ERR(send(dg, "m", 1, MSG_DONTWAIT), EAGAIN);
    /* The receiver closing makes the sender writable (to learn it). */
    CHECK_OK(close(r));
    CHECK_EQ(ready(dg, POLLOUT, 0), POLLOUT);
    CHECK_ERR(send(dg, "m", 1, 0), ECONNREFUSED);

    CHECK_OK(close(dg));
    CHECK_OK(close(s));
    CHECK_OK(close(l));
    CHECK_OK(close(fresh));
    return 0;
}
