/* epoll: EPOLLONESHOT disarms an item after one report until EPOLL_CTL_MOD
 * re-arms it; the item stays in the set meanwhile (ADD says EEXIST). */
#include "check.h"
#include <sys/epoll.h>

static int wait0(int ep, struct epoll_event *ev)
{
    return epoll_wait(ep, ev, 4, 0);
}

int main(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    int p[2];
    CHECK_OK(pipe(p));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = 10 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    struct epoll_event out[4];

    CHECK_EQ(write(p[1], "a", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(out[0].data.u32, 10);
    /* Disarmed: nothing, however much arrives. */
    CHECK_EQ(wait0(ep, out), 0);
    CHECK_EQ(write(p[1], "b", 1), 1);
    CHECK_EQ(wait0(ep, out), 0);
    CHECK_EQ(epoll_wait(ep, out, 4, 30), 0);
    /* ...even a hang-up. */
    int q[2];
    CHECK_OK(pipe(q));
    struct epoll_event hev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = 20 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &hev));
    CHECK_EQ(write(q[1], "z", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].data.u32, 20);
    close(q[1]);
    CHECK_EQ(wait0(ep, out), 0);
    /* Still in the set. */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &hev), EEXIST);

    /* MOD re-arms, with new data; ready now means reported now. */
    ev.data.u32 = 11;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].data.u32, 11);
    CHECK_EQ(wait0(ep, out), 0);
    hev.data.u32 = 21;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &hev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].data.u32, 21);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLHUP);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));

    /* Re-armed while not ready: the next arrival wakes a blocked wait. */
    char buf[8];
    CHECK_EQ(read(p[0], buf, sizeof buf), 2);
    ev.data.u32 = 12;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ(wait0(ep, out), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        _exit(write(p[1], "c", 1) == 1 ? 0 : 1);
    }
    CHECK_EQ(epoll_wait(ep, out, 4, 5000), 1);
    CHECK_EQ(out[0].data.u32, 12);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(wait0(ep, out), 0);

    /* Combined with EPOLLET. */
    ev.events = EPOLLIN | EPOLLET | EPOLLONESHOT;
    ev.data.u32 = 13;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].data.u32, 13);
    CHECK_EQ(write(p[1], "d", 1), 1);
    CHECK_EQ(wait0(ep, out), 0);
    /* DEL of a disarmed item works. */
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    return 0;
}
