/* kill: signal 0 existence checks, ESRCH (INT_MIN too), EINVAL, process
 * groups (kill(-pgid) and kill(0)). */
#include "check.h"

#include <limits.h>

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

/* A child that waits for EOF on fd, in process group pgid (0 = own). */
static pid_t sleeper(int rfd, int wfd, pid_t pgid)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(wfd);
        signal(SIGTERM, SIG_DFL);
        while (read(rfd, &c, 1) > 0)
            ;
        _exit(0);
    }
    CHECK_OK(setpgid(pid, pgid));
    return pid;
}

int main(void)
{
    /* Signal 0: permission and existence check only. */
    CHECK_EQ(kill(getpid(), 0), 0);
    pid_t gone = CHECK_OK(fork());
    if (gone == 0)
        _exit(0);
    CHECK_CHILD_EXIT(gone, 0);
    CHECK_ERR(kill(gone, 0), ESRCH);
    CHECK_ERR(kill(gone, SIGTERM), ESRCH);
    CHECK_ERR(kill(-gone, 0), ESRCH);           /* no such group */
    /* INT_MIN is no group (its negation overflows): found by the
     * syscall fuzzer, an undefined negation in the sentry. */
    CHECK_ERR(kill(INT_MIN, 0), ESRCH);
    CHECK_ERR(kill(INT_MIN, SIGTERM), ESRCH);

    /* Invalid signal numbers. */
    CHECK_ERR(kill(getpid(), -1), EINVAL);
    CHECK_ERR(kill(getpid(), 65), EINVAL);
    CHECK_ERR(kill(getpid(), 1000), EINVAL);

    /* A caught signal is delivered to ourselves. */
    signal(SIGUSR1, on_usr1);
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(hits, 1);

    /* kill(-pgid, sig) reaches every member of the group, nobody else. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t a = sleeper(p[0], p[1], 0);
    pid_t b = sleeper(p[0], p[1], a);
    pid_t c = sleeper(p[0], p[1], 0);            /* another group */
    CHECK_EQ(kill(a, 0), 0);
    CHECK_EQ(kill(-a, SIGTERM), 0);
    CHECK_CHILD_SIGNALED(a, SIGTERM);
    CHECK_CHILD_SIGNALED(b, SIGTERM);
    CHECK_EQ(kill(c, 0), 0);                     /* untouched */
    close(p[0]);
    close(p[1]);
    CHECK_CHILD_EXIT(c, 0);

    /* kill(0, sig) signals the caller's own process group, including the
     * caller: done inside a child leading its own group. */
    pid_t leader = CHECK_OK(fork());
    if (leader == 0) {
        CHECK_OK(setpgid(0, 0));
        int q[2], r[2];
        char ch;
        CHECK_OK(pipe(q));
        CHECK_OK(pipe(r));
        pid_t member = CHECK_OK(fork());
        if (member == 0) {
            close(q[1]);
            signal(SIGUSR1, SIG_DFL);
            if (write(r[1], "r", 1) != 1)     /* ready: default action set */
                _exit(2);
            while (read(q[0], &ch, 1) > 0)
                ;
            _exit(0);
        }
        close(q[0]);
        CHECK_EQ(read(r[0], &ch, 1), 1);
        hits = 0;
        CHECK_EQ(kill(0, SIGUSR1), 0);
        CHECK_EQ(hits, 1);                       /* we got it too */
        CHECK_CHILD_SIGNALED(member, SIGUSR1);
        _exit(0);
    }
    CHECK_CHILD_EXIT(leader, 0);
    CHECK_EQ(hits, 1);                           /* not our group */
    return 0;
}
