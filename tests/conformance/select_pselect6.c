/* pselect6: timespec timeouts and the atomically installed signal mask,
 * through glibc's pselect and the raw syscall. */
#include "check.h"
#include <sys/select.h>

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

/* The kernel's sixth argument. */
struct sigdata {
    const sigset_t *ss;
    size_t ss_len;
};

int main(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    fd_set r;
    struct timespec ts = { 0, 50 * 1000000L }, zero = { 0, 0 };

    /* Timeout. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    long long t0 = now_ns();
    CHECK_EQ(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    CHECK(!FD_ISSET(p[0], &r));
    /* Readiness. */
    CHECK_EQ(write(p[1], "x", 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_EQ(pselect(p[0] + 1, &r, NULL, NULL, &zero, NULL), 1);
    CHECK(FD_ISSET(p[0], &r));
    /* Raw, with a NULL sixth argument. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec z2 = { 0, 0 };
    CHECK_EQ(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &z2, NULL), 1);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);

    /* A pending, blocked signal is delivered once pselect installs a mask
     * that unblocks it: EINTR, and the old mask comes back. */
    signal(SIGUSR1, on_usr1);
    sigset_t block, empty, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    struct timespec longer = { 5, 0 };
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    t0 = now_ns();
    CHECK_ERR(pselect(p[0] + 1, &r, NULL, NULL, &longer, &empty), EINTR);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_EQ(hits, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    /* The same through the raw syscall. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    struct sigdata sd = { &empty, 8 };
    struct timespec l2 = { 5, 0 };
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_ERR(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &l2, &sd), EINTR);
    CHECK_EQ(hits, 2);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));

    /* Errors: sigset size, invalid timespec, bad descriptor. */
    struct sigdata badsz = { &empty, 4 };
    FD_ZERO(&r);
    z2 = (struct timespec){ 0, 0 };
    CHECK_ERR(syscall(SYS_pselect6, 1, &r, NULL, NULL, &z2, &badsz), EINVAL);
    struct timespec inval = { 0, 1000000000L };
    CHECK_ERR(pselect(1, &r, NULL, NULL, &inval, NULL), EINVAL);
    struct timespec neg = { -1, 0 };
    CHECK_ERR(pselect(1, &r, NULL, NULL, &neg, NULL), EINVAL);
    int closed = CHECK_OK(dup(p[0]));
    CHECK_OK(close(closed));
    FD_ZERO(&r);
    FD_SET(closed, &r);
    CHECK_ERR(pselect(closed + 1, &r, NULL, NULL, &zero, NULL), EBADF);
    return 0;
}
