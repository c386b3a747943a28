/* epoll: EPOLLHUP and EPOLLERR are reported whether asked for or not;
 * events nobody asked for are not; a set with no events never wakes. */
#include "check.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

static int wait0(int ep, struct epoll_event *ev)
{
    return epoll_wait(ep, ev, 4, 0);
}

int main(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event out[4];
    int p[2];

    /* events = 0: only a hang-up is reported. */
    CHECK_OK(pipe(p));
    struct epoll_event ev = { .events = 0, .data.u32 = 1 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK_EQ(write(p[1], "a", 1), 1);
    CHECK_EQ(wait0(ep, out), 0);
    close(p[1]);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLHUP);
    CHECK_EQ(out[0].data.u32, 1);
    /* Asking for input too: both. */
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLPRI;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLHUP);   /* pipes say no EPOLLRDHUP */
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLHUP);
    /* A hang-up is level-triggered like anything else, also for a blocked
     * wait (it returns at once). */
    long long t0 = now_ns();
    CHECK_EQ(epoll_wait(ep, out, 4, 5000), 1);
    CHECK(now_ns() - t0 < 4000000000LL);
    close(p[0]);
    CHECK_EQ(wait0(ep, out), 0);

    /* The write end: EPOLLERR once the reader is gone, asked or not. */
    CHECK_OK(pipe(p));
    ev.events = EPOLLIN;   /* a write end is never readable */
    ev.data.u32 = 2;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    CHECK_EQ(wait0(ep, out), 0);
    close(p[0]);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLERR);
    ev.events = EPOLLOUT;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLOUT | EPOLLERR);
    close(p[1]);

    /* An eventfd asked for nothing is never reported. */
    int efd = CHECK_OK(eventfd(1, 0));
    ev.events = 0;
    ev.data.u32 = 3;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    CHECK_EQ(wait0(ep, out), 0);
    ev.events = EPOLLOUT;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLOUT);
    ev.events = EPOLLIN | EPOLLOUT;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLOUT);

    /* The hang-up of a writer in another process wakes a blocked wait. */
    CHECK_OK(pipe(p));
    ev.events = EPOLLIN;
    ev.data.u32 = 4;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        sleep_ms(100);
        _exit(0);   /* closes p[1] */
    }
    close(p[1]);
    CHECK_EQ(epoll_wait(ep, out, 4, 5000), 1);
    CHECK_EQ(out[0].data.u32, 4);
    CHECK_EQ(out[0].events, EPOLLHUP);
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
