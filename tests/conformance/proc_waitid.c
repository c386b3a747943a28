/* waitid: si_code CLD_EXITED / CLD_KILLED, WNOWAIT, WNOHANG, EINVAL, ECHILD. */
#include "check.h"

/* Fork a child that blocks until *wfd is closed, then exits with code. */
static pid_t blocked_child(int *wfd, int code)
{
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(p[1]);
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(code);
    }
    close(p[0]);
    *wfd = p[1];
    return pid;
}

int main(void)
{
    siginfo_t si;
    int wfd;

    CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
    /* One of WEXITED/WSTOPPED/WCONTINUED is required. */
    CHECK_ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
    CHECK_ERR(waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
    /* Unknown idtype. */
    CHECK_ERR(waitid((idtype_t)42, 0, &si, WEXITED), EINVAL);

    /* Normal exit: CLD_EXITED with the exit code in si_status. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(5);
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
    CHECK_EQ(si.si_signo, SIGCHLD);
    CHECK_EQ(si.si_code, CLD_EXITED);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(si.si_uid, getuid());
    CHECK_EQ(si.si_status, 5);
    CHECK_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);

    /* Killed by a signal: CLD_KILLED with the signal number in si_status. */
    pid = blocked_child(&wfd, 0);
    CHECK_OK(kill(pid, SIGTERM));
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
    CHECK_EQ(si.si_code, CLD_KILLED);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(si.si_status, SIGTERM);
    close(wfd);

    /* WNOHANG with nothing waitable returns 0; si_pid stays 0. */
    pid = blocked_child(&wfd, 6);
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
    CHECK_EQ(si.si_pid, 0);
    close(wfd);

    /* WNOWAIT leaves the child waitable; the raw syscall takes a rusage. */
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(si.si_code, CLD_EXITED);
    CHECK_EQ(si.si_status, 6);
    memset(&si, 0, sizeof si);
    CHECK_EQ(syscall(SYS_waitid, P_ALL, 0, &si, WEXITED, NULL), 0);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(si.si_status, 6);
    CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);

    /* P_PGID selects by process group. */
    pid = blocked_child(&wfd, 9);
    CHECK_OK(setpgid(pid, pid));
    close(wfd);
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PGID, pid, &si, WEXITED), 0);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(si.si_status, 9);

    /* A child killed with SIGKILL is reported as CLD_KILLED too. */
    pid = blocked_child(&wfd, 0);
    CHECK_OK(kill(pid, SIGKILL));
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_ALL, 0, &si, WEXITED), 0);
    CHECK_EQ(si.si_code, CLD_KILLED);
    CHECK_EQ(si.si_status, SIGKILL);
    close(wfd);

    /* A bad infop pointer gives EFAULT. */
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    CHECK_ERR(waitid(P_PID, pid, BAD_PTR, WEXITED), EFAULT);
    return 0;
}
