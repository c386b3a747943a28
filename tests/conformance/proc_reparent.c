/* When a parent exits, its children are re-parented (to init or a
 * subreaper): getppid() changes, and the orphan keeps running. */
#include "check.h"

int main(void)
{
    int p[2], r[2], g[2];
    CHECK_OK(pipe(p));   /* EOF on p tells the grandchild its parent died */
    CHECK_OK(pipe(r));   /* the grandchild reports back on r */
    CHECK_OK(pipe(g));   /* the grandchild tells the middle one it's ready */

    pid_t mid = CHECK_OK(fork());
    if (mid == 0) {
        char c;
        pid_t gc = CHECK_OK(fork());
        if (gc == 0) {
            pid_t orig = getppid();
            close(p[1]);
            close(r[0]);
            close(g[0]);
            if (write(g[1], "r", 1) != 1)
                _exit(1);
            close(g[1]);
            while (read(p[0], &c, 1) > 0)
                ;
            /* Our parent is exiting; re-parenting happens as part of its
             * exit, before it is reaped.  Poll for up to 3 seconds. */
            pid_t now = getppid();
            for (int i = 0; i < 300 && now == orig; i++) {
                sleep_ms(10);
                now = getppid();
            }
            pid_t msg[2] = { orig, now };
            if (write(r[1], msg, sizeof msg) != sizeof msg)
                _exit(1);
            _exit(0);
        }
        close(g[1]);
        if (read(g[0], &c, 1) != 1)   /* wait until it has read getppid() */
            _exit(2);
        _exit(0);                     /* closes our copy of p[1] */
    }
    close(p[0]);
    close(p[1]);
    close(r[1]);
    close(g[0]);
    close(g[1]);
    CHECK_CHILD_EXIT(mid, 0);

    pid_t msg[2];
    CHECK_EQ(read(r[0], msg, sizeof msg), sizeof msg);
    CHECK_EQ(msg[0], mid);          /* originally the middle process */
    CHECK_NE(msg[1], mid);          /* then someone else */
    CHECK(msg[1] >= 0);
    /* If we are init ourselves, the orphan must have come to us. */
    if (getpid() == 1)
        CHECK_EQ(msg[1], 1);
    /* Reap it if it was given to us (e.g. we are init). */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return 0;
}
