/* PR_SET_PDEATHSIG: a process asks for a signal when its parent dies; it
 * gets it (from the dying parent) when the parent exits, not when some
 * other process does; fork clears the setting; bad signals are EINVAL. */
#include "check.h"

static volatile sig_atomic_t got_sig, got_pid;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    got_sig = sig;
    got_pid = si->si_pid;
}

int main(void)
{
    int sig = -1;
    CHECK_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
    CHECK_EQ(sig, 0);
    CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_PDEATHSIG, -1, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_GET_PDEATHSIG, BAD_PTR, 0, 0, 0), EFAULT);
    CHECK_EQ(prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0), 0);
    CHECK_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
    CHECK_EQ(sig, SIGUSR2);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {   /* not inherited */
        int s = -1;
        CHECK_EQ(prctl(PR_GET_PDEATHSIG, &s, 0, 0, 0), 0);
        _exit(s == 0 ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0), 0);

    /* A middle process forks the watcher, which asks for SIGUSR1 when the
     * middle one dies; a sibling's death does not count. */
    int ready[2], report[2], go[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(report));
    CHECK_OK(pipe(go));
    pid_t mid = CHECK_OK(fork());
    if (mid == 0) {
        pid_t watcher = CHECK_OK(fork());
        if (watcher == 0) {
            struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
            sigemptyset(&sa.sa_mask);
            CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
            CHECK_EQ(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0), 0);
            pid_t parent = getppid();
            CHECK_EQ(write(ready[1], "r", 1), 1);
            for (int i = 0; i < 500 && !got_sig; i++)
                sleep_ms(10);
            int msg[3] = { got_sig, got_pid, parent };
            CHECK_EQ(write(report[1], msg, sizeof msg), (ssize_t)sizeof msg);
            _exit(0);
        }
        /* A short-lived sibling first. */
        pid_t sib = CHECK_OK(fork());
        if (sib == 0)
            _exit(0);
        CHECK_CHILD_EXIT(sib, 0);
        char c;
        CHECK_EQ(read(go[0], &c, 1), 1);
        _exit(0);
    }
    close(ready[1]);
    close(report[1]);
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    sleep_ms(50);
    CHECK_EQ(write(go[1], "g", 1), 1);   /* now the middle process exits */
    CHECK_CHILD_EXIT(mid, 0);
    int msg[3];
    CHECK_EQ(read(report[0], msg, sizeof msg), (ssize_t)sizeof msg);
    CHECK_EQ(msg[0], SIGUSR1);
    CHECK_EQ(msg[1], mid);      /* sent by the dying parent */
    CHECK_EQ(msg[2], mid);
    /* The orphan was adopted; reap it if it came to us. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return 0;
}
