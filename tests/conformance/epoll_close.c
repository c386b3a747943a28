/* epoll: an item goes when its open file is closed everywhere (not when
 * one descriptor of it is); items are keyed by (file, descriptor). */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>

static int wait0(int ep, struct epoll_event *ev)
{
    return epoll_wait(ep, ev, 4, 0);
}

int main(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event out[4];
    char buf[16];

    /* Closing the only descriptor removes the item, ready or not. */
    int p[2];
    CHECK_OK(pipe(p));
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 1 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    close(p[0]);
    CHECK_EQ(wait0(ep, out), 0);
    struct pollfd pfd = { .fd = ep, .events = POLLIN };
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    close(p[1]);

    /* A dup keeps the file open: the item stays, reported with the data
     * given for the closed descriptor, and neither descriptor names it. */
    CHECK_OK(pipe(p));
    int a = p[0];
    int b = CHECK_OK(dup(a));
    ev.data.u32 = 2;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev));
    close(a);
    CHECK_EQ(write(p[1], "y", 1), 1);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].data.u32, 2);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, b, NULL), ENOENT);
    /* The same file under another descriptor is another item. */
    ev.data.u32 = 3;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev));
    CHECK_EQ(wait0(ep, out), 2);
    CHECK(out[0].data.u32 + out[1].data.u32 == 5);
    close(b);
    CHECK_EQ(wait0(ep, out), 0);

    /* A new file on the old number is not the old item. */
    int q[2];
    CHECK_OK(pipe(q));
    CHECK_EQ(q[0], a);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL), ENOENT);
    ev.data.u32 = 4;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));

    /* Across fork: the child's descriptor keeps the file (and so the item
     * of the shared set) alive until the child exits. */
    CHECK_EQ(write(q[1], "z", 1), 1);
    int sync[2];
    CHECK_OK(pipe(sync));
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(sync[1]);
        char c;
        (void)!read(sync[0], &c, 1);   /* until the parent says */
        _exit(0);
    }
    close(sync[0]);
    close(q[0]);
    CHECK_EQ(wait0(ep, out), 1);
    CHECK_EQ(out[0].data.u32, 4);
    close(sync[1]);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(wait0(ep, out), 0);
    close(q[1]);

    /* Closing the set leaves its files usable, also in another set. */
    CHECK_OK(pipe(p));
    ev.data.u32 = 5;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    int ep2 = CHECK_OK(epoll_create1(0));
    ev.data.u32 = 6;
    CHECK_OK(epoll_ctl(ep2, EPOLL_CTL_ADD, p[0], &ev));
    close(ep);
    CHECK_EQ(write(p[1], "w", 1), 1);
    CHECK_EQ(wait0(ep2, out), 1);
    CHECK_EQ(out[0].data.u32, 6);
    CHECK_EQ(read(p[0], buf, sizeof buf), 1);

    /* An epoll set inside another one goes when it is closed. */
    int outer = CHECK_OK(epoll_create1(0));
    ev.data.u32 = 7;
    CHECK_OK(epoll_ctl(outer, EPOLL_CTL_ADD, ep2, &ev));
    CHECK_EQ(write(p[1], "v", 1), 1);
    CHECK_EQ(wait0(outer, out), 1);
    CHECK_EQ(out[0].data.u32, 7);
    close(ep2);
    CHECK_EQ(wait0(outer, out), 0);
    return 0;
}
