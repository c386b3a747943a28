/* waitid and wait4 with stopped and continued children: WNOWAIT leaves a
 * stop, continue or exit reportable again, each state is consumed once,
 * SIGCHLD carries CLD_STOPPED/CLD_CONTINUED with the signal in si_status
 * (none with SA_NOCLDSTOP), SIGCONT to a running child reports nothing,
 * a fatal signal sent to a stopped child takes effect only once it is
 * continued, P_PGID selects by group. */
#include "check.h"

/* A child in its own process group (so that SIGTSTP is not discarded as
 * for an orphaned group), stopping itself with sig, then exiting 5 when
 * the pipe closes. */
static pid_t stopper(int sig, int *rel)
{
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(p[1]);
        setpgid(0, 0);
        signal(sig, SIG_DFL);
        if (sig)
            kill(getpid(), sig);
        while (read(p[0], &c, 1) != 0)
            ;
        _exit(5);
    }
    close(p[0]);
    setpgid(pid, pid);              /* no race with the child's own call */
    *rel = p[1];
    return pid;
}

static siginfo_t wid(idtype_t type, id_t id, int opts)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(type, id, &si, opts) != 0)
        FAIL("waitid(%d, %d, 0x%x)", type, (int)id, opts);
    return si;
}

int main(void)
{
    int rel, st;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    CHECK_OK(sigprocmask(SIG_BLOCK, &chld, NULL));
    struct timespec ts = { 2, 0 };
    siginfo_t cs;

    pid_t pid = stopper(SIGTSTP, &rel);
    /* SIGCHLD for the stop. */
    CHECK_EQ(sigtimedwait(&chld, &cs, &ts), SIGCHLD);
    CHECK_EQ(cs.si_code, CLD_STOPPED);
    CHECK_EQ(cs.si_status, SIGTSTP);
    CHECK_EQ(cs.si_pid, pid);
    /* WNOWAIT twice, then consume; then nothing more to report. */
    siginfo_t si = wid(P_PID, pid, WSTOPPED | WNOWAIT);
    CHECK_EQ(si.si_code, CLD_STOPPED);
    CHECK_EQ(si.si_status, SIGTSTP);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(si.si_signo, SIGCHLD);
    si = wid(P_PGID, pid, WSTOPPED | WNOWAIT);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), pid);
    CHECK(WIFSTOPPED(st));
    CHECK_EQ(WSTOPSIG(st), SIGTSTP);
    si = wid(P_PID, pid, WSTOPPED | WNOHANG);
    CHECK_EQ(si.si_pid, 0);                     /* consumed */
    CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);

    /* A fatal signal while stopped waits for the continue. */
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_EQ(sigtimedwait(&chld, &cs, &ts), SIGCHLD);
    CHECK_EQ(cs.si_code, CLD_CONTINUED);
    CHECK_EQ(cs.si_status, SIGCONT);
    si = wid(P_PID, pid, WCONTINUED | WNOWAIT);
    CHECK_EQ(si.si_code, CLD_CONTINUED);
    CHECK_EQ(si.si_status, SIGCONT);
    si = wid(P_ALL, 0, WCONTINUED);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(si.si_code, CLD_CONTINUED);
    CHECK_EQ(waitpid(pid, &st, WCONTINUED | WNOHANG), 0);

    /* SIGCONT to a running child reports nothing. */
    CHECK_OK(kill(pid, SIGCONT));
    sleep_ms(20);
    CHECK_EQ(waitpid(pid, &st, WCONTINUED | WNOHANG), 0);

    /* Stop it from here, then SIGTERM: it stays stopped until SIGCONT. */
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    CHECK_EQ(WSTOPSIG(st), SIGSTOP);
    CHECK_OK(kill(pid, SIGTERM));
    sleep_ms(30);
    CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);    /* not dead yet */
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_CHILD_SIGNALED(pid, SIGTERM);
    close(rel);
    /* Drain the SIGCHLDs of that sequence. */
    struct timespec zero = { 0, 0 };
    while (sigtimedwait(&chld, &cs, &zero) > 0)
        ;

    /* Exit under WNOWAIT: still a zombie afterwards. */
    pid = stopper(0, &rel);
    close(rel);
    si = wid(P_PID, pid, WEXITED | WNOWAIT);
    CHECK_EQ(si.si_code, CLD_EXITED);
    CHECK_EQ(si.si_status, 5);
    CHECK_EQ(kill(pid, 0), 0);
    si = wid(P_PID, pid, WEXITED | WNOWAIT);
    CHECK_EQ(si.si_status, 5);
    CHECK_CHILD_EXIT(pid, 5);
    CHECK_ERR(kill(pid, 0), ESRCH);
    while (sigtimedwait(&chld, &cs, &zero) > 0)
        ;

    /* SA_NOCLDSTOP: the stop and continue send no SIGCHLD, the exit does. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDSTOP;
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    pid = stopper(SIGSTOP, &rel);
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
    CHECK(WIFCONTINUED(st));
    CHECK_ERR(sigtimedwait(&chld, &cs, &zero), EAGAIN);
    close(rel);
    CHECK_CHILD_EXIT(pid, 5);
    CHECK_EQ(sigtimedwait(&chld, &cs, &ts), SIGCHLD);
    CHECK_EQ(cs.si_code, CLD_EXITED);
    return 0;
}
