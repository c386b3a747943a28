/* rt_sigprocmask: SIG_BLOCK/UNBLOCK/SETMASK, old set, SIGKILL/SIGSTOP are
 * never blocked, invalid how and sigsetsize. */
#include "check.h"

int main(void)
{
    sigset_t set, old, cur;

    sigemptyset(&set);
    CHECK_OK(sigprocmask(SIG_SETMASK, &set, NULL));

    /* SIG_BLOCK adds to the mask and returns the previous one. */
    sigaddset(&set, SIGUSR1);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
    CHECK(!sigismember(&old, SIGUSR1));
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
    CHECK(sigismember(&old, SIGUSR1));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    CHECK(sigismember(&cur, SIGUSR2));

    /* SIG_UNBLOCK removes only the given signals. */
    CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    CHECK(!sigismember(&cur, SIGUSR2));

    /* SIG_SETMASK replaces it. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGRTMIN);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &set, &old), 0);
    CHECK(sigismember(&old, SIGUSR1));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(!sigismember(&cur, SIGUSR1));
    CHECK(sigismember(&cur, SIGTERM));
    CHECK(sigismember(&cur, SIGRTMIN));

    /* SIGKILL and SIGSTOP are silently left out. */
    sigfillset(&set);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &set, NULL), 0);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(!sigismember(&cur, SIGKILL));
    CHECK(!sigismember(&cur, SIGSTOP));
    CHECK(sigismember(&cur, SIGUSR1));
    CHECK(sigismember(&cur, SIGRTMAX));

    /* A NULL set only queries: how is then ignored, even if invalid. */
    CHECK_EQ(sigprocmask(12345, NULL, &cur), 0);
    CHECK(sigismember(&cur, SIGUSR1));
    /* An invalid how with a set is EINVAL, and changes nothing. */
    sigemptyset(&set);
    CHECK_ERR(sigprocmask(12345, &set, NULL), EINVAL);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));

    /* The raw syscall: sigsetsize must be 8; bad pointers are EFAULT. */
    uint64_t raw = 0, rold = 0;
    raw = 1ULL << (SIGUSR2 - 1);
    CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &raw, &rold, 8), 0);
    CHECK(rold & (1ULL << (SIGUSR1 - 1)));
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &raw, NULL, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &raw, NULL, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_SETMASK, BAD_PTR, NULL, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, BAD_PTR, 8), EFAULT);
    CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &rold, 8), 0);
    CHECK_EQ(rold, 1ULL << (SIGUSR2 - 1));

    /* The mask is inherited across fork. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sigset_t c;
        sigprocmask(SIG_BLOCK, NULL, &c);
        _exit(sigismember(&c, SIGUSR2) && !sigismember(&c, SIGUSR1) ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
