/* SIGSTOP / SIGTSTP / SIGCONT: wait statuses (WUNTRACED, WCONTINUED),
 * waitid CLD_STOPPED / CLD_CONTINUED, SIGCHLD with and without
 * SA_NOCLDSTOP, SIGKILL on a stopped process. */
#include "check.h"

static volatile int chld_hits, chld_code;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    chld_hits++;
    chld_code = si->si_code;
}

/* A child that stops itself; once continued it waits for EOF on a pipe
 * (so that its exit cannot hide the "continued" state) and exits with 5.
 * *release is the pipe's write end: close it to let the child finish. */
static pid_t self_stopper(int sig, int *release)
{
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(p[1]);
        signal(sig, SIG_DFL);
        kill(getpid(), sig);
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(5);
    }
    close(p[0]);
    *release = p[1];
    return pid;
}

int main(void)
{
    int st, rel;
    siginfo_t si;

    /* waitpid with WUNTRACED sees the stop, WCONTINUED the continue. */
    pid_t pid = self_stopper(SIGSTOP, &rel);
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    CHECK_EQ(WSTOPSIG(st), SIGSTOP);
    /* A stop is reported once. */
    CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
    CHECK(WIFCONTINUED(st));
    close(rel);
    CHECK_CHILD_EXIT(pid, 5);

    /* waitid reports CLD_STOPPED and CLD_CONTINUED. */
    pid = self_stopper(SIGTSTP, &rel);
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WSTOPPED), 0);
    CHECK_EQ(si.si_code, CLD_STOPPED);
    CHECK_EQ(si.si_status, SIGTSTP);
    CHECK_EQ(si.si_pid, pid);
    CHECK_OK(kill(pid, SIGCONT));
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WCONTINUED), 0);
    CHECK_EQ(si.si_code, CLD_CONTINUED);
    CHECK_EQ(si.si_status, SIGCONT);
    close(rel);
    CHECK_CHILD_EXIT(pid, 5);

    /* SIGKILL ends a stopped process. */
    pid = self_stopper(SIGSTOP, &rel);
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    close(rel);

    /* Without SA_NOCLDSTOP, stopping a child sends SIGCHLD (CLD_STOPPED). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    pid = self_stopper(SIGSTOP, &rel);
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(chld_hits, 1);
    CHECK_EQ(chld_code, CLD_STOPPED);
    CHECK_OK(kill(pid, SIGCONT));
    close(rel);
    CHECK_CHILD_EXIT(pid, 5);

    /* With SA_NOCLDSTOP, no SIGCHLD for the stop. */
    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    chld_hits = 0;
    pid = self_stopper(SIGSTOP, &rel);
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGCHLD));
    CHECK_OK(kill(pid, SIGCONT));
    close(rel);
    CHECK_CHILD_EXIT(pid, 5);
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGCHLD));          /* the exit still does */
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(chld_hits, 1);
    CHECK_EQ(chld_code, CLD_EXITED);
    return 0;
}
