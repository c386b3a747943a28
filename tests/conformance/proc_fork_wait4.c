/* fork + wait4: exit statuses, WNOHANG, ECHILD, process-group waits. */
#include "check.h"
#include <sys/resource.h>

int main(void)
{
    int st, p[2];
    struct rusage ru;

    /* No children at all: ECHILD, with and without WNOHANG. */
    CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
    CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
    /* Unknown option bits are rejected before looking for children. */
    CHECK_ERR(wait4(-1, &st, 0x100, NULL), EINVAL);
    /* WNOWAIT is a waitid()-only option. */
    CHECK_ERR(wait4(-1, &st, WNOWAIT, NULL), EINVAL);

    /* The child's exit code comes back through WEXITSTATUS. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(42);
    memset(&ru, 0xff, sizeof ru);
    CHECK_EQ(wait4(pid, &st, 0, &ru), pid);
    CHECK(WIFEXITED(st));
    CHECK(!WIFSIGNALED(st));
    CHECK(!WIFSTOPPED(st));
    CHECK_EQ(WEXITSTATUS(st), 42);
    /* rusage was filled in (the 0xff pattern is not a valid timeval). */
    CHECK(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
    CHECK(ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
    /* Already reaped: nothing left to wait for. */
    CHECK_ERR(wait4(pid, &st, 0, NULL), ECHILD);

    /* A pid that is not our child (ourselves) gives ECHILD. */
    CHECK_ERR(wait4(getpid(), &st, 0, NULL), ECHILD);

    /* WNOHANG with a running child returns 0; the child blocks on a pipe. */
    CHECK_OK(pipe(p));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(p[1]);
        _exit(read(p[0], &c, 1) == 0 ? 7 : 8);
    }
    close(p[0]);
    CHECK_EQ(wait4(pid, &st, WNOHANG, NULL), 0);
    CHECK_EQ(wait4(-1, &st, WNOHANG, NULL), 0);
    close(p[1]);                     /* child sees EOF and exits with 7 */
    CHECK_EQ(wait4(pid, NULL, 0, NULL), pid);   /* NULL status is fine */

    /* wait4(-1) reaps each of several children exactly once. */
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = CHECK_OK(fork());
        if (kids[i] == 0)
            _exit(10 + i);
    }
    int seen = 0;
    for (int i = 0; i < 3; i++) {
        pid_t r = CHECK_OK(wait4(-1, &st, 0, NULL));
        CHECK(WIFEXITED(st));
        int idx = WEXITSTATUS(st) - 10;
        CHECK(idx >= 0 && idx < 3);
        CHECK_EQ(r, kids[idx]);
        CHECK(!(seen & (1 << idx)));
        seen |= 1 << idx;
    }
    CHECK_EQ(seen, 7);
    CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);

    /* wait4(0) waits for children in our own process group. */
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(3);
    CHECK_EQ(wait4(0, &st, 0, NULL), pid);
    CHECK_EQ(WEXITSTATUS(st), 3);

    /* wait4(-pgid) waits for a child in that group. */
    CHECK_OK(pipe(p));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(p[1]);
        if (read(p[0], &c, 1) != 0)   /* wait until the parent moved us */
            _exit(99);
        _exit(getpgrp() == getpid() ? 4 : 98);
    }
    close(p[0]);
    CHECK_OK(setpgid(pid, pid));
    close(p[1]);
    CHECK_EQ(wait4(-pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 4);

    /* A bad status pointer is reported as EFAULT. */
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    CHECK_ERR(wait4(pid, BAD_PTR, 0, NULL), EFAULT);
    return 0;
}
