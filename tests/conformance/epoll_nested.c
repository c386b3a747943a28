/* epoll inside epoll: readiness propagates up, loops are refused with
 * ELOOP, and so is nesting deeper than Linux's limit (EP_MAX_NESTS). */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>

static int wait0(int ep, struct epoll_event *ev)
{
    return epoll_wait(ep, ev, 4, 0);
}

static void add(int ep, int fd, uint32_t events, uint32_t data)
{
    struct epoll_event ev = { .events = events, .data.u32 = data };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

int main(void)
{
    struct epoll_event out[4];
    int p[2];
    CHECK_OK(pipe(p));
    int inner = CHECK_OK(epoll_create1(0));
    int outer = CHECK_OK(epoll_create1(0));
    add(inner, p[0], EPOLLIN, 1);
    add(outer, inner, EPOLLIN, 2);
    CHECK_EQ(wait0(outer, out), 0);

    CHECK_EQ(write(p[1], "a", 1), 1);
    CHECK_EQ(wait0(outer, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(out[0].data.u32, 2);
    /* Looking at the outer set takes nothing from the inner one. */
    CHECK_EQ(wait0(inner, out), 1);
    CHECK_EQ(out[0].data.u32, 1);
    CHECK_EQ(wait0(outer, out), 1);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(wait0(outer, out), 0);
    CHECK_EQ(wait0(inner, out), 0);

    /* An epoll set is never writable. */
    struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = 3 };
    CHECK_OK(epoll_ctl(outer, EPOLL_CTL_MOD, inner, &ev));
    CHECK_EQ(write(p[1], "b", 1), 1);
    CHECK_EQ(wait0(outer, out), 0);
    ev.events = EPOLLIN | EPOLLOUT;
    CHECK_OK(epoll_ctl(outer, EPOLL_CTL_MOD, inner, &ev));
    CHECK_EQ(wait0(outer, out), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(read(p[0], &c, 1), 1);

    /* A blocked wait on the outer set is woken through the inner one. */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        _exit(write(p[1], "c", 1) == 1 ? 0 : 1);
    }
    long long t0 = now_ns();
    CHECK_EQ(epoll_wait(outer, out, 4, 5000), 1);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_EQ(out[0].data.u32, 3);
    CHECK_CHILD_EXIT(pid, 0);
    /* ...and so is poll() on it. */
    struct pollfd pfd = { .fd = outer, .events = POLLIN };
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(poll(&pfd, 1, 0), 0);

    /* Loops. */
    CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev), ELOOP);
    int third = CHECK_OK(epoll_create1(0));
    add(third, outer, EPOLLIN, 4);
    CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, third, &ev), ELOOP);
    /* Adding a set to itself is EINVAL, not ELOOP. */
    CHECK_ERR(epoll_ctl(third, EPOLL_CTL_ADD, third, &ev), EINVAL);
    /* The same set twice in one set is fine (a DAG, no loop). */
    int dup_inner = CHECK_OK(dup(inner));
    add(third, dup_inner, EPOLLIN, 5);
    add(third, inner, EPOLLIN, 6);
    /* EPOLLEXCLUSIVE cannot watch an epoll set. */
    int other = CHECK_OK(epoll_create1(0));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(other, EPOLL_CTL_ADD, inner, &ev), EINVAL);

    /* Depth: a chain of 5 sets is allowed, a sixth level is not. */
    int chain[7];
    for (int i = 0; i < 7; i++)
        chain[i] = CHECK_OK(epoll_create1(0));
    for (int i = 1; i < 5; i++)
        add(chain[i], chain[i - 1], EPOLLIN, (uint32_t)i);
    ev.events = EPOLLIN;
    CHECK_ERR(epoll_ctl(chain[5], EPOLL_CTL_ADD, chain[4], &ev), ELOOP);
    /* ...whichever end the chain grows from. */
    CHECK_ERR(epoll_ctl(chain[0], EPOLL_CTL_ADD, chain[6], &ev), ELOOP);
    /* A leaf file at the bottom is fine and wakes the top. */
    add(chain[0], p[0], EPOLLIN, 100);
    CHECK_EQ(wait0(chain[4], out), 0);
    CHECK_EQ(write(p[1], "d", 1), 1);
    CHECK_EQ(wait0(chain[4], out), 1);
    CHECK_EQ(out[0].data.u32, 4);
    return 0;
}
