/* epoll with unix stream sockets: level and edge triggering, EPOLLOUT,
 * EPOLLRDHUP when the peer shuts down its writing side, EPOLLHUP when it
 * is gone. */
#include "check.h"
#include <sys/epoll.h>
#include <sys/socket.h>

static int wait0(int ep, struct epoll_event *ev)
{
    return epoll_wait(ep, ev, 4, 0);
}

int main(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 1 }, out[4];
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
    CHECK_EQ(wait0(ep, out), 0);

    /* Edge-triggered: one event per arrival. */
    CHECK_EQ(write(sv[1], "ab", 2), 2);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(wait0(ep, out), 0);
    char buf[16];
    CHECK_EQ(read(sv[0], buf, 1), 1);
    CHECK_EQ(wait0(ep, out), 0);
    CHECK_EQ(write(sv[1], "c", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 2);
    CHECK_ERR(read(sv[0], buf, sizeof buf), EAGAIN);
    CHECK_EQ(wait0(ep, out), 0);

    /* Level-triggered EPOLLOUT on the other end: always writable here. */
    struct epoll_event wev = { .events = EPOLLOUT, .data.u32 = 2 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &wev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLOUT);
    CHECK_EQ(out[0].data.u32, 2);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, sv[1], NULL));

    /* The peer stops writing: EPOLLIN | EPOLLRDHUP (reading gives 0). */
    CHECK_OK(shutdown(sv[1], SHUT_WR));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLRDHUP);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 0);
    /* Level-triggered now: it stays so. */
    ev.events = EPOLLIN | EPOLLRDHUP;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLRDHUP);
    /* Without EPOLLRDHUP asked for, it is not reported. */
    ev.events = EPOLLIN;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN);

    /* The peer gone: EPOLLHUP as well, asked or not. */
    close(sv[1]);
    ev.events = EPOLLIN | EPOLLRDHUP;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLRDHUP | EPOLLHUP);
    close(sv[0]);

    /* A blocked wait is woken by data from another process. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u32 = 3;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        _exit(write(sv[1], "x", 1) == 1 ? 0 : 1);
    }
    CHECK_EQ(epoll_wait(ep, out, 4, 5000), 1);
    CHECK_EQ(out[0].data.u32, 3);
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
