/* PR_SET_CHILD_SUBREAPER: orphaned descendants are adopted by the nearest
 * subreaper ancestor instead of init; it sees them in getppid, can wait
 * for them and gets SIGCHLD for them (also for one that was a zombie
 * already).  The flag is not inherited by children. */
#include "check.h"

static volatile sig_atomic_t chld;

static void on_chld(int sig)
{
    (void)sig;
    chld++;
}

int main(void)
{
    int v = -1;
    CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0), 0);
    CHECK_EQ(v, 0);
    CHECK_ERR(prctl(PR_GET_CHILD_SUBREAPER, BAD_PTR, 0, 0, 0), EFAULT);

    /* The subreaper is a child of ours, so that the test does not depend
     * on what we are (init or not). */
    pid_t reaper = CHECK_OK(fork());
    if (reaper == 0) {
        struct sigaction sa = { .sa_handler = on_chld, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
        CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
        CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0), 0);
        CHECK_EQ(v, 1);
        pid_t me = getpid();

        int r[2];
        CHECK_OK(pipe(r));
        /* mid -> (alive grandchild, zombie grandchild); mid exits. */
        pid_t mid = CHECK_OK(fork());
        if (mid == 0) {
            int f = -1;
            CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &f, 0, 0, 0), 0);
            if (f != 0)
                _exit(2);   /* not inherited */
            pid_t alive = CHECK_OK(fork());
            if (alive == 0) {
                /* Wait until adopted, then tell who the parent is. */
                for (int i = 0; i < 500 && getppid() != me; i++)
                    sleep_ms(10);
                pid_t pp = getppid();
                CHECK_EQ(write(r[1], &pp, sizeof pp), (ssize_t)sizeof pp);
                _exit(5);
            }
            pid_t zombie = CHECK_OK(fork());
            if (zombie == 0)
                _exit(6);
            siginfo_t si;   /* let it become a zombie, unreaped */
            CHECK_EQ(waitid(P_PID, (id_t)zombie, &si, WEXITED | WNOWAIT), 0);
            pid_t ids[2] = { alive, zombie };
            CHECK_EQ(write(r[1], ids, sizeof ids), (ssize_t)sizeof ids);
            _exit(0);
        }
        pid_t ids[2];
        CHECK_EQ(read(r[0], ids, sizeof ids), (ssize_t)sizeof ids);
        CHECK_CHILD_EXIT(mid, 0);
        pid_t pp;
        CHECK_EQ(read(r[0], &pp, sizeof pp), (ssize_t)sizeof pp);
        CHECK_EQ(pp, me);
        /* Both are ours to wait for now, with their own statuses. */
        CHECK_CHILD_EXIT(ids[1], 6);
        CHECK_CHILD_EXIT(ids[0], 5);
        CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
        CHECK(chld >= 2);   /* mid, and the adopted ones */

        /* Turned off, orphans go past us again. */
        CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
        CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0), 0);
        CHECK_EQ(v, 0);
        mid = CHECK_OK(fork());
        if (mid == 0) {
            pid_t gc = CHECK_OK(fork());
            if (gc == 0) {
                sleep_ms(100);
                _exit(0);
            }
            _exit(0);
        }
        CHECK_CHILD_EXIT(mid, 0);
        sleep_ms(200);
        CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
        _exit(0);
    }
    CHECK_CHILD_EXIT(reaper, 0);
    /* Whatever orphan came to us (we may be init): reap it. */
    sleep_ms(50);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return 0;
}
