/* SA_SIGINFO contents by source: kill (SI_USER), tgkill (SI_TKILL),
 * sigqueue (SI_QUEUE with si_value, int and pointer), a signal queued by
 * another process (its pid), and SIGCHLD (CLD_EXITED with the exit code,
 * CLD_KILLED with the signal, si_pid/si_uid of the child, si_utime and
 * si_stime present). */
#include "check.h"

static volatile siginfo_t last;
static volatile int hits;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    memcpy((void *)&last, si, sizeof *si);
    hits++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGRTMIN + 2, &sa, NULL));
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));

    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits, 1);
    CHECK_EQ(last.si_signo, SIGUSR1);
    CHECK_EQ(last.si_code, SI_USER);
    CHECK_EQ(last.si_errno, 0);
    CHECK_EQ(last.si_pid, getpid());
    CHECK_EQ(last.si_uid, getuid());

    CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1), 0);
    CHECK_EQ(hits, 2);
    CHECK_EQ(last.si_code, SI_TKILL);
    CHECK_EQ(last.si_pid, getpid());
    CHECK_EQ(last.si_uid, getuid());

    union sigval v;
    v.sival_int = 0x1234567;
    CHECK_OK(sigqueue(getpid(), SIGUSR1, v));
    CHECK_EQ(hits, 3);
    CHECK_EQ(last.si_signo, SIGUSR1);
    CHECK_EQ(last.si_code, SI_QUEUE);
    CHECK_EQ(last.si_pid, getpid());
    CHECK_EQ(last.si_uid, getuid());
    CHECK_EQ(last.si_value.sival_int, 0x1234567);

    static int target;
    v.sival_ptr = &target;
    CHECK_OK(sigqueue(getpid(), SIGRTMIN + 2, v));
    CHECK_EQ(hits, 4);
    CHECK_EQ(last.si_signo, SIGRTMIN + 2);
    CHECK_EQ(last.si_code, SI_QUEUE);
    CHECK(last.si_value.sival_ptr == &target);
    CHECK_EQ(last.si_int, (int)(long)&target);      /* same union */

    /* From another process: its pid; blocked meanwhile so that the
     * child's SIGCHLD does not get in the way. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN + 2);
    sigaddset(&block, SIGCHLD);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));
    pid_t parent = getpid();
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        union sigval cv = { .sival_int = -77 };
        _exit(sigqueue(parent, SIGRTMIN + 2, cv) == 0 ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN + 2);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(hits, 5);
    CHECK_EQ(last.si_pid, pid);
    CHECK_EQ(last.si_value.sival_int, -77);
    CHECK_EQ(last.si_code, SI_QUEUE);
    /* The SIGCHLD of that child is pending; discard it. */
    signal(SIGCHLD, SIG_IGN);
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));

    /* SIGCHLD: exit. */
    hits = 0;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(42);
    CHECK_CHILD_EXIT(pid, 42);                      /* reap first... */
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL)); /* ...the info stays */
    CHECK_EQ(hits, 1);
    CHECK_EQ(last.si_signo, SIGCHLD);
    CHECK_EQ(last.si_code, CLD_EXITED);
    CHECK_EQ(last.si_pid, pid);
    CHECK_EQ(last.si_uid, getuid());
    CHECK_EQ(last.si_status, 42);
    CHECK(last.si_utime >= 0 && last.si_stime >= 0);

    /* SIGCHLD: killed. */
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        for (;;)
            pause();
    }
    CHECK_OK(kill(pid, SIGTERM));
    CHECK_CHILD_SIGNALED(pid, SIGTERM);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(hits, 2);
    CHECK_EQ(last.si_code, CLD_KILLED);
    CHECK_EQ(last.si_pid, pid);
    CHECK_EQ(last.si_status, SIGTERM);
    return 0;
}
