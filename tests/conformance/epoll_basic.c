/* epoll: create/create1, the EPOLL_CTL_* errors, level-triggered events
 * with the user's data, maxevents and buffer checks, timeouts. */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>

static int wait0(int ep, struct epoll_event *ev, int max)
{
    return epoll_wait(ep, ev, max, 0);
}

int main(void)
{
    enter_tmpdir();

    /* Creation. */
    CHECK_ERR(epoll_create(0), EINVAL);
    CHECK_ERR(epoll_create(-1), EINVAL);
    CHECK_ERR(epoll_create1(O_NONBLOCK), EINVAL);
    CHECK_ERR(epoll_create1(1), EINVAL);
    int ep = CHECK_OK(epoll_create(1));
    CHECK_EQ(fcntl(ep, F_GETFD), 0);
    CHECK_EQ(fcntl(ep, F_GETFL) & O_ACCMODE, O_RDWR);
    int epc = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    CHECK_EQ(fcntl(epc, F_GETFD), FD_CLOEXEC);
    char link[64], buf[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", ep);
    ssize_t n = CHECK_OK(readlink(link, buf, sizeof buf - 1));
    buf[n] = 0;
    CHECK_STREQ(buf, "anon_inode:[eventpoll]");
    /* An epoll fd is neither readable nor writable. */
    char c;
    CHECK_ERR(read(ep, &c, 1), EINVAL);
    CHECK_ERR(write(ep, &c, 1), EINVAL);

    int p[2];
    CHECK_OK(pipe(p));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ULL };

    /* Errors of epoll_ctl. */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 9999, &ev), EBADF);
    CHECK_ERR(epoll_ctl(9999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    CHECK_ERR(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);   /* not an epoll */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);       /* itself */
    CHECK_ERR(epoll_ctl(ep, 42, p[0], &ev), EINVAL);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BAD_PTR), EFAULT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    /* Regular files and directories cannot be polled: EPERM. */
    int reg = CHECK_OK(open("file", O_RDWR | O_CREAT, 0644));
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
    /* Nor /dev/null (no poll method); /dev/random can. */
    int null = CHECK_OK(open("/dev/null", O_RDONLY));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev), EPERM);
    /* An O_PATH descriptor does not count. */
    int opath = CHECK_OK(open(".", O_PATH));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, opath, &ev), EBADF);

    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);

    /* Nothing yet. */
    struct epoll_event out[4];
    memset(out, 0xab, sizeof out);
    CHECK_EQ(wait0(ep, out, 4), 0);
    long long t0 = now_ns();
    CHECK_EQ(epoll_wait(ep, out, 4, 60), 0);
    CHECK(now_ns() - t0 >= 60 * 1000000LL);

    /* Level-triggered: reported as long as it is readable. */
    CHECK_EQ(write(p[1], "ab", 2), 2);
    for (int i = 0; i < 3; i++) {
        memset(out, 0, sizeof out);
        CHECK_EQ(wait0(ep, out, 4), 1);
        CHECK_EQ(out[0].events, EPOLLIN);
        CHECK_EQ(out[0].data.u64, 0x1122334455667788ULL);
    }
    CHECK_EQ(epoll_wait(ep, out, 4, -1), 1);
    CHECK_EQ(read(p[0], buf, 2), 2);
    CHECK_EQ(wait0(ep, out, 4), 0);

    /* MOD changes the events and the data. */
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.fd = 77;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ(wait0(ep, out, 4), 0);   /* a read end is never writable */
    ev.events = EPOLLOUT;
    ev.data.fd = 88;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    CHECK_EQ(wait0(ep, out, 4), 1);
    CHECK_EQ(out[0].events, EPOLLOUT);
    CHECK_EQ(out[0].data.fd, 88);
    CHECK_EQ(write(p[1], "x", 1), 1);
    memset(out, 0, sizeof out);
    CHECK_EQ(wait0(ep, out, 4), 2);
    int seen = 0;
    for (int i = 0; i < 2; i++) {
        if (out[i].data.fd == 77) {
            CHECK_EQ(out[i].events, EPOLLIN);
            seen |= 1;
        } else {
            CHECK_EQ(out[i].data.fd, 88);
            CHECK_EQ(out[i].events, EPOLLOUT);
            seen |= 2;
        }
    }
    CHECK_EQ(seen, 3);
    /* maxevents 1 returns one of them, the next call the other. */
    CHECK_EQ(wait0(ep, out, 1), 1);
    int first = out[0].data.fd;
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_NE(out[0].data.fd, first);

    /* maxevents and the buffer. */
    CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, out, -1, 0), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, out, INT_MAX, 0), EINVAL);
    CHECK_ERR(epoll_wait(ep, BAD_PTR, 1, 0), EFAULT);
    CHECK_ERR(epoll_wait(p[0], out, 1, 0), EINVAL);   /* not an epoll */
    CHECK_ERR(epoll_wait(9999, out, 1, 0), EBADF);

    /* DEL, then the same fd can be added again. */
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
    CHECK_EQ(wait0(ep, out, 4), 1);
    CHECK_EQ(out[0].data.fd, 77);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    CHECK_EQ(wait0(ep, out, 4), 2);

    /* An epoll set is itself pollable: readable while an item is ready. */
    struct pollfd pfd = { .fd = ep, .events = POLLIN };
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    CHECK_EQ(pfd.revents, POLLIN);
    CHECK_EQ(read(p[0], buf, 1), 1);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    CHECK_EQ(poll(&pfd, 1, 0), 0);

    close(ep);
    close(epc);
    return 0;
}
