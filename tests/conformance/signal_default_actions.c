/* Default signal actions, observed on children: terminate, ignore, core,
 * SIG_IGN, and a blocked fatal signal that kills on unblock. */
#include "check.h"

/* Fork a child that sends itself `sig` after setting `disp` (SIG_DFL or
 * SIG_IGN); it exits 0 if it survives. */
static pid_t self_signal(int sig, void (*disp)(int))
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(sig, disp);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        kill(getpid(), sig);
        _exit(0);
    }
    return pid;
}

int main(void)
{
    /* Terminating signals. */
    CHECK_CHILD_SIGNALED(self_signal(SIGTERM, SIG_DFL), SIGTERM);
    CHECK_CHILD_SIGNALED(self_signal(SIGUSR1, SIG_DFL), SIGUSR1);
    CHECK_CHILD_SIGNALED(self_signal(SIGHUP, SIG_DFL), SIGHUP);
    CHECK_CHILD_SIGNALED(self_signal(SIGALRM, SIG_DFL), SIGALRM);
    CHECK_CHILD_SIGNALED(self_signal(SIGRTMIN, SIG_DFL), SIGRTMIN);
    CHECK_CHILD_SIGNALED(self_signal(SIGKILL, SIG_DFL), SIGKILL);
    /* "Core" signals terminate too (core dumps are disabled here). */
    CHECK_CHILD_SIGNALED(self_signal(SIGSEGV, SIG_DFL), SIGSEGV);
    CHECK_CHILD_SIGNALED(self_signal(SIGQUIT, SIG_DFL), SIGQUIT);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        abort();
    }
    CHECK_CHILD_SIGNALED(pid, SIGABRT);

    /* Signals whose default action is to ignore. */
    CHECK_CHILD_EXIT(self_signal(SIGCHLD, SIG_DFL), 0);
    CHECK_CHILD_EXIT(self_signal(SIGURG, SIG_DFL), 0);
    CHECK_CHILD_EXIT(self_signal(SIGWINCH, SIG_DFL), 0);
    /* Explicitly ignored terminating signals. */
    CHECK_CHILD_EXIT(self_signal(SIGTERM, SIG_IGN), 0);
    CHECK_CHILD_EXIT(self_signal(SIGUSR2, SIG_IGN), 0);
    /* SIG_IGN cannot save a process from SIGKILL. */
    CHECK_CHILD_SIGNALED(self_signal(SIGKILL, SIG_IGN), SIGKILL);

    /* A blocked fatal signal waits, and kills at unblock time. */
    int p[2];
    CHECK_OK(pipe(p));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_BLOCK, &s, NULL);
        kill(getpid(), SIGTERM);
        if (write(p[1], "alive", 5) != 5)  /* still running */
            _exit(2);
        sigprocmask(SIG_UNBLOCK, &s, NULL);
        _exit(3);                          /* not reached */
    }
    close(p[1]);
    char buf[8];
    CHECK_EQ(read(p[0], buf, sizeof buf), 5);
    CHECK_CHILD_SIGNALED(pid, SIGTERM);

    /* A signal from the parent kills a child blocked in read(). */
    CHECK_OK(pipe(p));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        close(p[1]);
        (void)!read(p[0], buf, 1);
        _exit(4);
    }
    close(p[0]);
    CHECK_OK(kill(pid, SIGTERM));
    CHECK_CHILD_SIGNALED(pid, SIGTERM);
    close(p[1]);
    return 0;
}
