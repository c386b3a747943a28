/* tgkill / tkill: thread-directed signals, SI_TKILL, ESRCH for mismatched
 * ids, EINVAL for bad ids and signals. */
#include "check.h"

static volatile int hits, code, spid;

static void h(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    hits++;
    code = si->si_code;
    spid = si->si_pid;
}

static long tgkill_(pid_t tgid, pid_t tid, int sig)
{
    return syscall(SYS_tgkill, tgid, tid, sig);
}

static long tkill_(pid_t tid, int sig)
{
    return syscall(SYS_tkill, tid, sig);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    pid_t me = getpid(), tid = gettid();

    CHECK_EQ(tgkill_(me, tid, SIGUSR1), 0);
    CHECK_EQ(hits, 1);
    CHECK_EQ(code, SI_TKILL);
    CHECK_EQ(spid, me);
    CHECK_EQ(tkill_(tid, SIGUSR1), 0);
    CHECK_EQ(hits, 2);
    CHECK_EQ(code, SI_TKILL);
    /* Signal 0 only checks. */
    CHECK_EQ(tgkill_(me, tid, 0), 0);
    CHECK_EQ(tkill_(tid, 0), 0);
    CHECK_EQ(hits, 2);

    /* Invalid ids and signals. */
    CHECK_ERR(tgkill_(0, tid, 0), EINVAL);
    CHECK_ERR(tgkill_(-1, tid, 0), EINVAL);
    CHECK_ERR(tgkill_(me, 0, 0), EINVAL);
    CHECK_ERR(tgkill_(me, -5, 0), EINVAL);
    CHECK_ERR(tkill_(0, 0), EINVAL);
    CHECK_ERR(tkill_(-1, 0), EINVAL);
    CHECK_ERR(tgkill_(me, tid, 65), EINVAL);
    CHECK_ERR(tkill_(tid, -1), EINVAL);

    /* A child: its tid is its pid; our tid is not in its thread group. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        char c;
        close(p[1]);
        signal(SIGTERM, SIG_DFL);
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(p[0]);
    CHECK_EQ(tgkill_(child, child, 0), 0);
    CHECK_ERR(tgkill_(child, tid, 0), ESRCH);
    CHECK_ERR(tgkill_(me, child, 0), ESRCH);
    CHECK_EQ(tgkill_(child, child, SIGTERM), 0);
    CHECK_CHILD_SIGNALED(child, SIGTERM);
    close(p[1]);
    /* It is gone now. */
    CHECK_ERR(tgkill_(child, child, 0), ESRCH);
    CHECK_ERR(tkill_(child, 0), ESRCH);

    /* tkill to a child, default action. */
    child = CHECK_OK(fork());
    if (child == 0) {
        signal(SIGUSR2, SIG_DFL);
        for (;;)
            pause();
    }
    CHECK_EQ(tkill_(child, SIGUSR2), 0);
    CHECK_CHILD_SIGNALED(child, SIGUSR2);
    return 0;
}
