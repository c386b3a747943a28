/* ppoll: timespec timeouts, the atomically installed signal mask, errors. */
#include "check.h"
#include <poll.h>

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

int main(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd f = { .fd = p[0], .events = POLLIN };

    /* A 50 ms timeout. */
    struct timespec ts = { 0, 50 * 1000000L };
    long long t0 = now_ns();
    CHECK_EQ(ppoll(&f, 1, &ts, NULL), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    /* A zero timeout polls. */
    struct timespec zero = { 0, 0 };
    CHECK_EQ(ppoll(&f, 1, &zero, NULL), 0);
    /* NULL timeout with a ready descriptor returns at once. */
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(ppoll(&f, 1, NULL, NULL), 1);
    CHECK_EQ(f.revents, POLLIN);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);

    /* The sigmask argument: a blocked, pending SIGUSR1 is delivered as soon
     * as ppoll installs a mask that unblocks it -> EINTR. */
    signal(SIGUSR1, on_usr1);
    sigset_t block, empty, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits, 0);
    struct timespec longer = { 5, 0 };
    t0 = now_ns();
    CHECK_ERR(ppoll(&f, 1, &longer, &empty), EINTR);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_EQ(hits, 1);
    /* The original mask is back afterwards. */
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    /* A mask that keeps it blocked: no interruption. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(ppoll(&f, 1, &zero, &block), 0);
    CHECK_EQ(hits, 1);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(hits, 2);

    /* POLLNVAL as with poll. */
    struct pollfd bad = { .fd = 12345, .events = POLLIN };
    CHECK_EQ(ppoll(&bad, 1, &zero, NULL), 1);
    CHECK_EQ(bad.revents, POLLNVAL);

    /* Errors. */
    struct timespec inval = { 0, 1000000000L };
    CHECK_ERR(ppoll(&f, 1, &inval, NULL), EINVAL);
    struct timespec neg = { -1, 0 };
    CHECK_ERR(ppoll(&f, 1, &neg, NULL), EINVAL);
    uint64_t raw = 0;
    CHECK_ERR(syscall(SYS_ppoll, &f, 1, &zero, &raw, 4), EINVAL);   /* sigsetsize */
    CHECK_EQ(syscall(SYS_ppoll, &f, 1, &zero, &raw, 8), 0);
    CHECK_ERR(syscall(SYS_ppoll, BAD_PTR, 1, &zero, NULL, 8), EFAULT);
    CHECK_ERR(syscall(SYS_ppoll, &f, 1, BAD_PTR, NULL, 8), EFAULT);
    return 0;
}
