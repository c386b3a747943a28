/* Writing to a pipe with no readers: SIGPIPE, and EPIPE when the signal is
 * caught or ignored.  Dying from it is tested in a child. */
#include "check.h"

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
    if (sig == SIGPIPE)
        got_sigpipe++;
}

int main(void)
{
    int p[2];

    /* Default action: the writer is killed by SIGPIPE. */
    CHECK_OK(pipe(p));
    close(p[0]);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        (void)!write(p[1], "x", 1);
        _exit(0);                          /* not reached */
    }
    CHECK_CHILD_SIGNALED(pid, SIGPIPE);

    /* Caught: the handler runs and write fails with EPIPE. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigpipe;
    CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_EQ(got_sigpipe, 1);
    /* Every such write raises it again. */
    CHECK_ERR(write(p[1], "yy", 2), EPIPE);
    CHECK_EQ(got_sigpipe, 2);

    /* Ignored: just EPIPE, no signal, the process lives on. */
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_EQ(got_sigpipe, 2);

    /* Blocked: EPIPE, and SIGPIPE is left pending for the thread. */
    sa.sa_handler = on_sigpipe;
    CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_EQ(got_sigpipe, 2);
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGPIPE));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    CHECK_EQ(got_sigpipe, 3);
    close(p[1]);

    /* The reader closing while the writer's data is buffered: same. */
    CHECK_OK(pipe(p));
    CHECK_EQ(write(p[1], "abc", 3), 3);
    close(p[0]);
    CHECK_ERR(write(p[1], "d", 1), EPIPE);
    CHECK_EQ(got_sigpipe, 4);
    close(p[1]);
    return 0;
}
