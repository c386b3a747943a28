/* epoll: edge-triggered items (EPOLLET) on pipes and eventfds: one event per
 * new arrival, none for data already seen; level-triggered for contrast. */
#include "check.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

static int wait0(int ep, struct epoll_event *ev)
{
    return epoll_wait(ep, ev, 8, 0);
}

int main(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    int p[2];
    CHECK_OK(pipe(p));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 1 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    struct epoll_event out[8];
    CHECK_EQ(wait0(ep, out), 0);

    /* One write: one event, then nothing although data is left. */
    CHECK_EQ(write(p[1], "abc", 3), 3);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(out[0].data.u32, 1);
    CHECK_EQ(wait0(ep, out), 0);
    char buf[16];
    CHECK_EQ(read(p[0], buf, 1), 1);   /* partial read: no new edge */
    CHECK_EQ(wait0(ep, out), 0);
    long long t0 = now_ns();
    CHECK_EQ(epoll_wait(ep, out, 8, 50), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);

    /* Each further write is a new edge, even while data is pending. */
    CHECK_EQ(write(p[1], "d", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(wait0(ep, out), 0);
    CHECK_EQ(write(p[1], "e", 1), 1);
    CHECK_EQ(write(p[1], "f", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);   /* edges coalesce into one report */
    CHECK_EQ(wait0(ep, out), 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), 5);

    /* MOD re-evaluates: readable now means one report. */
    CHECK_EQ(write(p[1], "g", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(wait0(ep, out), 0);
    ev.data.u32 = 2;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].data.u32, 2);
    CHECK_EQ(wait0(ep, out), 0);

    /* Switching to level-triggered reports it every time. */
    ev.events = EPOLLIN;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(read(p[0], buf, sizeof buf), 1);
    CHECK_EQ(wait0(ep, out), 0);

    /* The write end, edge-triggered: writable once; the hang-up of the
     * read end is a new edge with EPOLLERR. */
    struct epoll_event wev = { .events = EPOLLOUT | EPOLLET, .data.u32 = 3 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &wev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLOUT);
    CHECK_EQ(out[0].data.u32, 3);
    CHECK_EQ(wait0(ep, out), 0);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    close(p[0]);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLOUT | EPOLLERR);
    CHECK_EQ(wait0(ep, out), 0);
    close(p[1]);

    /* eventfd: every write is an edge, reads are not. */
    int efd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u32 = 4;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    CHECK_EQ(wait0(ep, out), 0);
    uint64_t v = 2;
    CHECK_EQ(write(efd, &v, 8), 8);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(out[0].data.u32, 4);
    CHECK_EQ(wait0(ep, out), 0);
    CHECK_EQ(write(efd, &v, 8), 8);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(read(efd, &v, 8), 8);
    CHECK_EQ(v, 4);
    CHECK_EQ(wait0(ep, out), 0);

    /* A blocked edge-triggered wait is woken by the next write. */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        uint64_t one = 1;
        _exit(write(efd, &one, 8) == 8 ? 0 : 1);
    }
    t0 = now_ns();
    CHECK_EQ(epoll_wait(ep, out, 8, 5000), 1);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_EQ(out[0].data.u32, 4);
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
