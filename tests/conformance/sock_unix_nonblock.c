/* Non-blocking and timed operations: accept with nothing pending, a
 * connect to a full backlog (EAGAIN, or blocking until an accept makes
 * room), accept4 flags, sends into a full stream, and SO_RCVTIMEO /
 * SO_SNDTIMEO (EAGAIN after the time, the value read back). */
#include "check.h"
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

int main(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "conf-nb-%d", (int)getpid());
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                                 strlen(a.sun_path + 1));
    char buf[4096];

    int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, alen));
    CHECK_OK(listen(l, 0));                       /* one pending connection */
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
    CHECK_ERR(accept4(l, NULL, NULL, 0x4000000), EINVAL);

    /* The backlog holds one; then non-blocking connects get EAGAIN. */
    int c1 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c1, (struct sockaddr *)&a, alen));
    int c2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(connect(c2, (struct sockaddr *)&a, alen), EAGAIN);
    /* A connection can be used before it is accepted. */
    CHECK_EQ(send(c1, "early", 5, 0), 5);
    struct pollfd pf = { l, POLLIN, 0 };
    CHECK_EQ(poll(&pf, 1, 0), 1);
    int s1 = CHECK_OK(accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    CHECK(fcntl(s1, F_GETFL) & O_NONBLOCK);
    CHECK_EQ(fcntl(s1, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(recv(s1, buf, sizeof buf, 0), 5);
    CHECK_ERR(recv(s1, buf, sizeof buf, 0), EAGAIN);
    CHECK_OK(connect(c2, (struct sockaddr *)&a, alen));   /* room again */
    int s2 = CHECK_OK(accept(l, NULL, NULL));
    CHECK_EQ(fcntl(s2, F_GETFL) & O_NONBLOCK, 0);        /* not inherited */

    /* A blocking connect to a full backlog waits for an accept. */
    int c3 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c3, (struct sockaddr *)&a, alen));   /* fills it */
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int c4 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
        CHECK_EQ(write(ready[1], "r", 1), 1);
        long long t0 = now_ns();
        CHECK_OK(connect(c4, (struct sockaddr *)&a, alen));
        CHECK(now_ns() - t0 >= 50000000LL);
        CHECK_EQ(send(c4, "late", 4, 0), 4);
        _exit(0);
    }
    CHECK_EQ(read(ready[0], buf, 1), 1);                  /* the child is about to connect */
    sleep_ms(100);
    int s3 = CHECK_OK(accept(l, NULL, NULL));
    pf.fd = l;
    CHECK_EQ(poll(&pf, 1, 2000), 1);
    int s4 = CHECK_OK(accept(l, NULL, NULL));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(recv(s4, buf, sizeof buf, 0), 4);
    CHECK_OK(close(s3));
    CHECK_OK(close(s4));
    CHECK_OK(close(c3));

    /* MSG_DONTWAIT fills a stream until EAGAIN; POLLOUT goes, and comes
     * back once the reader drains it. */
    int sent = 0, r;
    memset(buf, 'x', sizeof buf);
    while ((r = (int)send(c2, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        sent += r;
    CHECK_EQ(errno, EAGAIN);
    CHECK(sent >= 4096);
    pf = (struct pollfd){ c2, POLLOUT, 0 };
    CHECK_EQ(poll(&pf, 1, 0), 0);
    int got = 0;
    while (got < sent) {
        r = (int)recv(s2, buf, sizeof buf, 0);
        CHECK(r > 0);
        got += r;
    }
    CHECK_EQ(got, sent);
    CHECK_EQ(poll(&pf, 1, 0), 1);

    /* SO_RCVTIMEO: a read waits that long, then EAGAIN. */
    struct timeval tv = { 0, 100000 }, out;
    socklen_t tl = sizeof out;
    CHECK_OK(setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    CHECK_OK(getsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &out, &tl));
    CHECK_EQ(tl, sizeof out);
    CHECK_EQ(out.tv_sec, 0);
    CHECK_EQ(out.tv_usec, 100000);
    long long t0 = now_ns();
    CHECK_ERR(recv(s2, buf, 1, 0), EAGAIN);
    long long dt = now_ns() - t0;
    CHECK(dt >= 90000000LL && dt < 2000000000LL);
    /* accept honours it too. */
    int lb = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un fam = { .sun_family = AF_UNIX };
    CHECK_OK(bind(lb, (struct sockaddr *)&fam, offsetof(struct sockaddr_un, sun_path)));
    CHECK_OK(listen(lb, 1));
    CHECK_OK(setsockopt(lb, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    t0 = now_ns();
    CHECK_ERR(accept(lb, NULL, NULL), EAGAIN);
    CHECK(now_ns() - t0 >= 90000000LL);
    CHECK_OK(close(lb));
    /* A zero time means no timeout again; a bad one is EDOM, a short
     * one EINVAL. */
    tv = (struct timeval){ 0, 0 };
    CHECK_OK(setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    CHECK_OK(getsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &out, &tl));
    CHECK_EQ(out.tv_sec, 0);
    CHECK_EQ(out.tv_usec, 0);
    tv.tv_usec = 1000000;
    CHECK_ERR(setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    CHECK_ERR(setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);

    /* SO_SNDTIMEO: a write into a full socket waits that long. */
    tv = (struct timeval){ 0, 100000 };
    CHECK_OK(setsockopt(c2, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    CHECK_OK(fcntl(c2, F_SETFL, 0));
    while (send(c2, buf, sizeof buf, MSG_DONTWAIT) > 0)
        ;
    t0 = now_ns();
    CHECK_ERR(send(c2, buf, sizeof buf, 0), EAGAIN);
    CHECK(now_ns() - t0 >= 90000000LL);

    CHECK_OK(close(c1));
    CHECK_OK(close(c2));
    CHECK_OK(close(s1));
    CHECK_OK(close(s2));
    CHECK_OK(close(l));
    return 0;
}
