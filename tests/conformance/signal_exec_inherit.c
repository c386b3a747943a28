/* Signal state across execve: caught signals revert to SIG_DFL, ignored
 * stay ignored, the mask and pending signals are kept, the alternate
 * stack is dropped. */
#include "check.h"

static void handler(int sig) { (void)sig; }

static int check_after_exec(void)
{
    struct sigaction sa;
    sigset_t mask, pend;
    stack_t ss;
    sigaction(SIGUSR1, NULL, &sa);
    if (sa.sa_handler != SIG_DFL)
        return 10;                      /* was caught: now default */
    sigaction(SIGUSR2, NULL, &sa);
    if (sa.sa_handler != SIG_IGN)
        return 11;                      /* was ignored: still ignored */
    sigprocmask(SIG_BLOCK, NULL, &mask);
    if (!sigismember(&mask, SIGTERM) || sigismember(&mask, SIGHUP))
        return 12;                      /* mask preserved */
    sigpending(&pend);
    if (!sigismember(&pend, SIGTERM))
        return 13;                      /* pending preserved */
    sigaltstack(NULL, &ss);
    if (!(ss.ss_flags & SS_DISABLE))
        return 14;                      /* alternate stack removed */
    /* The pending SIGTERM is still fatal once unblocked. */
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    return 15;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return check_after_exec();

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = handler;
        sigaction(SIGUSR1, &sa, NULL);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGUSR2, &sa, NULL);
        signal(SIGTERM, SIG_DFL);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGTERM);
        sigprocmask(SIG_SETMASK, &m, NULL);
        kill(getpid(), SIGTERM);        /* stays pending across exec */
        static char alt[65536];
        stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0 };
        sigaltstack(&ss, NULL);
        char *args[] = { argv[0], "after", NULL };
        execv(self_path(argv), args);
        _exit(99);
    }
    /* The exec'd program passed every check and was then killed by the
     * pending SIGTERM when it unblocked it. */
    CHECK_CHILD_SIGNALED(pid, SIGTERM);
    return 0;
}
