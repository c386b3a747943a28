/* A pipe shared across fork: data flows between processes, and the reader
 * gets EOF only when every copy of the write end is closed. */
#include "check.h"

int main(void)
{
    int p[2], q[2];
    char buf[64];

    /* Child writes, parent reads. */
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(p[0]);
        for (int i = 0; i < 100; i++)
            if (write(p[1], "0123456789", 10) != 10)
                _exit(1);
        _exit(0);
    }
    close(p[1]);
    long total = 0;
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            CHECK_EQ(buf[i], '0' + (total + i) % 10);
        total += n;
    }
    CHECK_EQ(n, 0);
    CHECK_EQ(total, 1000);
    close(p[0]);
    CHECK_CHILD_EXIT(pid, 0);

    /* Parent writes, child echoes back through a second pipe. */
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        close(p[1]);
        close(q[0]);
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            if (write(q[1], buf, n) != n)
                _exit(1);
        _exit(n == 0 ? 0 : 2);
    }
    close(p[0]);
    close(q[1]);
    CHECK_EQ(write(p[1], "ping", 4), 4);
    CHECK_EQ(read(q[0], buf, 4), 4);
    CHECK_MEMEQ(buf, "ping", 4);
    /* The child still holds no write end of p, so closing ours => EOF. */
    close(p[1]);
    CHECK_EQ(read(q[0], buf, sizeof buf), 0);
    CHECK_CHILD_EXIT(pid, 0);
    close(q[0]);

    /* If the child forgets to close its inherited write end, the reader
     * does not get EOF while the child lives. */
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(q[1]);
        /* keeps p[1] open until q is closed by the parent */
        while (read(q[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(q[0]);
    close(p[1]);
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);   /* not EOF: child has p[1] */
    close(q[1]);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(read(p[0], buf, 1), 0);          /* now EOF */
    close(p[0]);
    return 0;
}
