/* getpid, getppid, gettid, getuid/geteuid/getgid/getegid. */
#include "check.h"

int main(void)
{
    pid_t me = getpid();
    CHECK(me > 0);
    CHECK_EQ(syscall(SYS_getpid), me);
    /* A single-threaded process: its thread id is its pid. */
    CHECK_EQ(syscall(SYS_gettid), me);
    CHECK_EQ(gettid(), me);
    /* getppid may legitimately be 0 (e.g. for a namespace's init). */
    CHECK(getppid() >= 0);
    CHECK_EQ(syscall(SYS_getppid), getppid());

    /* Not a set-id program: real and effective ids agree. */
    CHECK_EQ(getuid(), geteuid());
    CHECK_EQ(getgid(), getegid());
    CHECK_EQ(syscall(SYS_getuid), getuid());
    CHECK_EQ(syscall(SYS_getgid), getgid());
    CHECK_EQ(syscall(SYS_geteuid), geteuid());
    CHECK_EQ(syscall(SYS_getegid), getegid());

    /* Children get new, distinct pids, see us as parent, inherit ids. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = CHECK_OK(fork());
        if (kids[i] == 0) {
            pid_t self = getpid();
            if (self == me || getppid() != me || syscall(SYS_gettid) != self)
                _exit(1);
            if (getuid() != geteuid() || getgid() != getegid())
                _exit(2);
            if (write(p[1], &self, sizeof self) != sizeof self)
                _exit(3);
            _exit(0);
        }
    }
    close(p[1]);
    for (int i = 0; i < 2; i++) {
        pid_t reported;
        CHECK_EQ(read(p[0], &reported, sizeof reported), sizeof reported);
        CHECK(reported == kids[0] || reported == kids[1]);
    }
    CHECK_NE(kids[0], kids[1]);
    CHECK_NE(kids[0], me);
    CHECK_CHILD_EXIT(kids[0], 0);
    CHECK_CHILD_EXIT(kids[1], 0);
    /* Our own ids are unchanged by having forked. */
    CHECK_EQ(getpid(), me);
    return 0;
}
