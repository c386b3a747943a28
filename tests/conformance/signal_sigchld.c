/* SIGCHLD: default disposition (ignored, but zombies stay), a handler with
 * siginfo, SIG_IGN and SA_NOCLDWAIT auto-reaping (wait -> ECHILD). */
#include "check.h"

static volatile int got, code, spid, status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    got++;
    code = si->si_code;
    spid = si->si_pid;
    status = si->si_status;
}

int main(void)
{
    struct sigaction sa;
    siginfo_t si;

    /* Default: the parent is not disturbed, and the child can be waited. */
    signal(SIGCHLD, SIG_DFL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(3);
    CHECK_CHILD_EXIT(pid, 3);

    /* With a handler: SIGCHLD arrives with CLD_EXITED details. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(7);
    /* Wait until it has exited without reaping it. */
    memset(&si, 0, sizeof si);
    CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGCHLD));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(got, 1);
    CHECK_EQ(code, CLD_EXITED);
    CHECK_EQ(spid, pid);
    CHECK_EQ(status, 7);
    CHECK_CHILD_EXIT(pid, 7);

    /* ...and CLD_KILLED for a child killed by a signal. */
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        kill(getpid(), SIGTERM);
        _exit(0);
    }
    CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(got, 2);
    CHECK_EQ(code, CLD_KILLED);
    CHECK_EQ(status, SIGTERM);
    CHECK_CHILD_SIGNALED(pid, SIGTERM);

    /* SA_NOCLDWAIT: terminated children are not left as zombies, so
     * waiting for them ends in ECHILD. */
    sa.sa_flags = SA_SIGINFO | SA_NOCLDWAIT;
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    CHECK_ERR(waitpid(pid, NULL, 0), ECHILD);

    /* SIG_IGN: the same auto-reaping; wait blocks until the child is gone
     * and then fails with ECHILD. */
    signal(SIGCHLD, SIG_IGN);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(50);
        _exit(0);
    }
    CHECK_ERR(wait(NULL), ECHILD);
    CHECK_ERR(kill(pid, 0), ESRCH);              /* really gone */

    /* Back to default: zombies again. */
    signal(SIGCHLD, SIG_DFL);
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(9);
    CHECK_CHILD_EXIT(pid, 9);
    return 0;
}
