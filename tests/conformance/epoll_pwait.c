/* epoll_pwait and epoll_pwait2: the temporary signal mask, EINTR (never
 * restarted, even with SA_RESTART), timespec timeouts and their errors. */
#include "check.h"
#include <sys/epoll.h>

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

static long pwait2(int ep, struct epoll_event *ev, int max, const struct timespec *ts,
                   const sigset_t *mask)
{
    return syscall(SYS_epoll_pwait2, ep, ev, max, ts, mask, 8);
}

int main(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    int p[2];
    CHECK_OK(pipe(p));
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 9 }, out[2];
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));

    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    sigset_t block, empty, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);

    /* A blocked pending signal, unblocked by the temporary mask: EINTR
     * at once, the handler runs, the old mask is back. */
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    long long t0 = now_ns();
    CHECK_ERR(epoll_pwait(ep, out, 2, 5000, &empty), EINTR);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_EQ(hits, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    /* A mask that keeps it blocked: the wait times out, no handler. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(epoll_pwait(ep, out, 2, 30, &block), 0);
    CHECK_EQ(hits, 1);
    /* Ready events win over the signal; the mask is restored at once, so
     * the signal stays pending. */
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(epoll_pwait(ep, out, 2, 0, &empty), 1);
    CHECK_EQ(out[0].data.u32, 9);
    CHECK_EQ(hits, 1);
    CHECK_OK(sigpending(&cur));
    CHECK(sigismember(&cur, SIGUSR1));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(hits, 2);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);

    /* Argument checks. */
    uint64_t raw = 0;
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 2, 0, &raw, 4), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 2, 0, BAD_PTR, 8), EFAULT);
    CHECK_EQ(syscall(SYS_epoll_pwait, ep, out, 2, 0, NULL, 4), 0);   /* no mask: size unused */
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 0, 0, NULL, 8), EINVAL);

    /* A handler with SA_RESTART still ends epoll_wait with EINTR. */
    pid_t parent = getpid();
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        _exit(kill(parent, SIGUSR1) == 0 ? 0 : 1);
    }
    t0 = now_ns();
    CHECK_ERR(epoll_wait(ep, out, 2, 5000), EINTR);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_EQ(hits, 3);
    CHECK_CHILD_EXIT(pid, 0);

    /* epoll_pwait2: a timespec timeout. */
    struct timespec ts = { 0, 50 * 1000000L };
    t0 = now_ns();
    CHECK_EQ(pwait2(ep, out, 2, &ts, NULL), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    struct timespec zero = { 0, 0 };
    CHECK_EQ(pwait2(ep, out, 2, &zero, NULL), 0);
    CHECK_EQ(write(p[1], "y", 1), 1);
    CHECK_EQ(pwait2(ep, out, 2, NULL, NULL), 1);   /* NULL: no timeout */
    CHECK_EQ(out[0].data.u32, 9);
    CHECK_EQ(pwait2(ep, out, 2, &zero, &block), 1);
    struct timespec huge = { LONG_MAX, 999999999L };   /* never ends */
    CHECK_EQ(pwait2(ep, out, 2, &huge, NULL), 1);
    CHECK_EQ(epoll_wait(ep, out, 2, INT_MAX), 1);
    struct timespec bad = { 0, 1000000000L };
    CHECK_ERR(pwait2(ep, out, 2, &bad, NULL), EINVAL);
    struct timespec neg = { -1, 0 };
    CHECK_ERR(pwait2(ep, out, 2, &neg, NULL), EINVAL);
    CHECK_ERR(pwait2(ep, out, 2, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 2, &zero, &raw, 16), EINVAL);
    /* ...and its mask, as epoll_pwait's. */
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    struct timespec longer = { 5, 0 };
    CHECK_ERR(pwait2(ep, out, 2, &longer, &empty), EINTR);
    CHECK_EQ(hits, 4);
    return 0;
}
