/* RLIMIT_NPROC: an unprivileged user may not have more processes (and
 * threads) than the limit: fork and clone fail with EAGAIN; a zombie
 * counts until it is reaped; root is not limited. */
#include "check.h"
#include <grp.h>
#include <pthread.h>

#define UID 54321   /* nobody else's, also on the host */

static void *thread_fn(void *arg)
{
    return arg;
}

static void set_nproc(rlim_t n)
{
    struct rlimit rl = { n, n };
    CHECK_EQ(setrlimit(RLIMIT_NPROC, &rl), 0);
}

int main(void)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        set_nproc(2);
        CHECK_EQ(setgroups(0, NULL), 0);
        CHECK_EQ(setgid(UID), 0);
        CHECK_EQ(setuid(UID), 0);

        /* We are one; a second is allowed, a third is not. */
        int p[2];
        CHECK_OK(pipe(p));
        pid_t c1 = CHECK_OK(fork());
        if (c1 == 0) {
            char ch;
            close(p[1]);
            (void)!read(p[0], &ch, 1);   /* until the parent lets go */
            _exit(0);
        }
        close(p[0]);
        CHECK_ERR(fork(), EAGAIN);
        /* Threads count too. */
        pthread_t th;
        CHECK_EQ(pthread_create(&th, NULL, thread_fn, NULL), EAGAIN);

        /* The first child exits: as a zombie it still counts. */
        close(p[1]);
        siginfo_t si;
        CHECK_EQ(waitid(P_PID, (id_t)c1, &si, WEXITED | WNOWAIT), 0);
        CHECK_ERR(fork(), EAGAIN);
        CHECK_CHILD_EXIT(c1, 0);   /* reaped: room again */
        pid_t c2 = CHECK_OK(fork());
        if (c2 == 0)
            _exit(7);
        CHECK_CHILD_EXIT(c2, 7);
        CHECK_EQ(pthread_create(&th, NULL, thread_fn, NULL), 0);
        CHECK_EQ(pthread_join(th, NULL), 0);

        /* A limit of 0 (or 1: we count ourselves) allows no children. */
        set_nproc(1);
        CHECK_ERR(fork(), EAGAIN);
        CHECK_ERR(vfork(), EAGAIN);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Root may exceed it. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        set_nproc(1);
        pid_t c = CHECK_OK(fork());
        if (c == 0)
            _exit(3);
        CHECK_CHILD_EXIT(c, 3);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
