/* Process groups and sessions: getpgid, setpgid, getpgrp, getsid, setsid. */
#include "check.h"

/* Returns the pid of a child that has already exited and been reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    CHECK_CHILD_EXIT(pid, 0);
    return pid;
}

int main(int argc, char **argv)
{
    /* Re-exec'd mode: tell the parent we exec'd, then wait for EOF. */
    if (argc > 1) {
        char c;
        if (write(4, "x", 1) != 1)
            return 1;
        while (read(3, &c, 1) > 0)
            ;
        return 0;
    }

    pid_t me = getpid();
    CHECK_EQ(getpgrp(), getpgid(0));
    CHECK_EQ(getpgid(me), getpgid(0));
    CHECK_EQ(getsid(0), getsid(me));
    CHECK(getsid(0) >= 0);

    pid_t gone = dead_pid();
    CHECK_ERR(getpgid(gone), ESRCH);
    CHECK_ERR(getsid(gone), ESRCH);
    CHECK_ERR(setpgid(gone, 0), ESRCH);
    CHECK_ERR(setpgid(0, -1), EINVAL);

    /* A child inherits our group and session; setpgid(0, 0) makes it a
     * group leader; a group that does not exist in the session: EPERM. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(getpgrp(), getpgid(getppid()));
        CHECK_EQ(getsid(0), getsid(getppid()));
        CHECK_ERR(setpgid(0, gone), EPERM);
        CHECK_OK(setpgid(0, 0));
        CHECK_EQ(getpgrp(), getpid());
        CHECK_EQ(getpgid(0), getpid());
        /* A group leader cannot create a session. */
        CHECK_ERR(setsid(), EPERM);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* setsid in a non-leader child: new session and group, id == pid. */
    int p[2], q[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(p[1]);
        close(q[0]);
        pid_t s = CHECK_OK(setsid());
        CHECK_EQ(s, getpid());
        CHECK_EQ(getsid(0), getpid());
        CHECK_EQ(getpgrp(), getpid());
        /* Now a session leader: a second setsid fails. */
        CHECK_ERR(setsid(), EPERM);
        CHECK_EQ(write(q[1], "s", 1), 1);
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(p[0]);
    close(q[1]);
    char c;
    CHECK_EQ(read(q[0], &c, 1), 1);
    CHECK_EQ(getsid(pid), pid);
    CHECK_EQ(getpgid(pid), pid);
    /* The child is in another session: we may not move it. */
    CHECK_ERR(setpgid(pid, pid), EPERM);
    CHECK_ERR(setpgid(pid, 0), EPERM);
    close(p[1]);
    close(q[0]);
    CHECK_CHILD_EXIT(pid, 0);

    /* The parent can move its child into a new group, and a second child
     * into that group. */
    CHECK_OK(pipe(p));
    pid_t a = CHECK_OK(fork());
    if (a == 0) {
        close(p[1]);
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    pid_t b = CHECK_OK(fork());
    if (b == 0) {
        close(p[1]);
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(p[0]);
    CHECK_OK(setpgid(a, a));
    CHECK_OK(setpgid(b, a));
    CHECK_EQ(getpgid(a), a);
    CHECK_EQ(getpgid(b), a);
    CHECK_NE(getpgrp(), a);              /* we did not move */
    close(p[1]);
    CHECK_CHILD_EXIT(a, 0);
    CHECK_CHILD_EXIT(b, 0);

    /* After the child has exec'd, its group can no longer be changed. */
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        if (dup2(p[0], 3) < 0 || dup2(q[1], 4) < 0)
            _exit(90);
        for (int fd = 5; fd < 20; fd++)
            close(fd);
        char *args[] = { argv[0], "execd", NULL };
        execv(self_path(argv), args);
        _exit(91);
    }
    close(p[0]);
    close(q[1]);
    CHECK_EQ(read(q[0], &c, 1), 1);
    CHECK_ERR(setpgid(pid, pid), EACCES);
    close(p[1]);
    close(q[0]);
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
