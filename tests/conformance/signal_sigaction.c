/* rt_sigaction: setting and querying dispositions, the unchangeable
 * signals, invalid numbers and sizes, SIG_IGN discarding pending signals. */
#include "check.h"

static void handler(int sig) { (void)sig; }

int main(void)
{
    struct sigaction sa, old;

    /* Set a handler with flags and a mask, then read everything back. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaddset(&sa.sa_mask, SIGRTMIN + 3);
    CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    memset(&old, 0, sizeof old);
    CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0);
    CHECK(old.sa_handler == handler);
    CHECK(old.sa_flags & SA_RESTART);
    CHECK(old.sa_flags & SA_NODEFER);
    CHECK(!(old.sa_flags & SA_SIGINFO));
    CHECK(sigismember(&old.sa_mask, SIGUSR2));
    CHECK(sigismember(&old.sa_mask, SIGRTMIN + 3));
    CHECK(!sigismember(&old.sa_mask, SIGTERM));

    /* Replacing returns the previous action. */
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    CHECK_EQ(sigaction(SIGUSR1, &sa, &old), 0);
    CHECK(old.sa_handler == handler);
    CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0);
    CHECK(old.sa_handler == SIG_IGN);
    sa.sa_handler = SIG_DFL;
    CHECK_EQ(sigaction(SIGUSR1, &sa, &old), 0);
    CHECK(old.sa_handler == SIG_IGN);
    CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0);
    CHECK(old.sa_handler == SIG_DFL);

    /* Real-time signals have dispositions too. */
    sa.sa_handler = handler;
    CHECK_EQ(sigaction(SIGRTMAX, &sa, NULL), 0);
    CHECK_EQ(sigaction(SIGRTMAX, NULL, &old), 0);
    CHECK(old.sa_handler == handler);

    /* SIGKILL and SIGSTOP cannot be caught or ignored, but can be queried. */
    sa.sa_handler = handler;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
    sa.sa_handler = SIG_IGN;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    CHECK_EQ(sigaction(SIGKILL, NULL, &old), 0);
    CHECK(old.sa_handler == SIG_DFL);
    CHECK_EQ(sigaction(SIGSTOP, NULL, &old), 0);

    /* Invalid signal numbers. */
    CHECK_ERR(sigaction(0, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(0, NULL, &old), EINVAL);
    CHECK_ERR(sigaction(65, NULL, &old), EINVAL);
    CHECK_ERR(sigaction(-1, NULL, &old), EINVAL);
    /* The raw syscall requires sigsetsize == 8. */
    unsigned long raw[4];
    CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, NULL, raw, 8), 0);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, raw, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, raw, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, BAD_PTR, NULL, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, BAD_PTR, 8), EFAULT);

    /* Setting SIG_IGN discards a pending instance of the signal. */
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    sa.sa_handler = handler;
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR2));
    sa.sa_handler = SIG_IGN;
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR2));

    /* Dispositions are inherited by a forked child. */
    sa.sa_handler = handler;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sigaction c;
        sigaction(SIGUSR1, NULL, &c);
        _exit(c.sa_handler == handler ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
