/* getrlimit / setrlimit / prlimit64: round trips, validation, other
 * processes, inheritance. */
#include "check.h"
#include <sys/resource.h>

int main(int argc, char **argv)
{
    if (argc > 1) {   /* exec'd: the lowered limit must have survived */
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        return rl.rlim_cur == 100 ? 0 : 1;
    }
    struct rlimit rl, orig, got;

    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &orig), 0);
    CHECK(orig.rlim_cur <= orig.rlim_max);
    CHECK(orig.rlim_cur > 100);
    /* prlimit with pid 0 or our own pid reads the same values. */
    CHECK_EQ(prlimit(0, RLIMIT_NOFILE, NULL, &got), 0);
    CHECK_EQ(got.rlim_cur, orig.rlim_cur);
    CHECK_EQ(got.rlim_max, orig.rlim_max);
    CHECK_EQ(prlimit(getpid(), RLIMIT_NOFILE, NULL, &got), 0);
    CHECK_EQ(got.rlim_cur, orig.rlim_cur);
    CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &got), 0);
    CHECK_EQ(got.rlim_max, orig.rlim_max);

    /* Lower the soft limit; read it back both ways. */
    rl.rlim_cur = 100;
    rl.rlim_max = orig.rlim_max;
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &got));
    CHECK_EQ(got.rlim_cur, 100);
    CHECK_EQ(got.rlim_max, orig.rlim_max);
    /* prlimit sets and returns the old value in one call. */
    rl.rlim_cur = 200;
    CHECK_EQ(prlimit(0, RLIMIT_NOFILE, &rl, &got), 0);
    CHECK_EQ(got.rlim_cur, 100);
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &got));
    CHECK_EQ(got.rlim_cur, 200);

    /* Soft above hard, or hard NOFILE above the kernel maximum. */
    rl.rlim_cur = orig.rlim_max + 1;
    rl.rlim_max = orig.rlim_max;
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
    rl.rlim_cur = RLIM_INFINITY;
    rl.rlim_max = RLIM_INFINITY;
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
    /* Unknown resources and bad pointers. */
    CHECK_ERR(getrlimit((__rlimit_resource_t)1000, &got), EINVAL);
    CHECK_ERR(setrlimit((__rlimit_resource_t)1000, &orig), EINVAL);
    CHECK_ERR(prlimit(0, (__rlimit_resource_t)1000, NULL, &got), EINVAL);
    CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BAD_PTR, NULL), EFAULT);
    /* A process that does not exist. */
    pid_t gone = CHECK_OK(fork());
    if (gone == 0)
        _exit(0);
    CHECK_CHILD_EXIT(gone, 0);
    CHECK_ERR(prlimit(gone, RLIMIT_NOFILE, NULL, &got), ESRCH);

    /* Other resources read and write too. */
    CHECK_OK(getrlimit(RLIMIT_STACK, &got));
    CHECK(got.rlim_cur > 0);
    rl.rlim_cur = 0;
    rl.rlim_max = 0;
    CHECK_EQ(setrlimit(RLIMIT_CORE, &rl), 0);
    CHECK_OK(getrlimit(RLIMIT_CORE, &got));
    CHECK_EQ(got.rlim_cur, 0);
    CHECK_EQ(got.rlim_max, 0);

    /* Limits are inherited by fork and kept across execve. */
    rl.rlim_cur = 100;
    rl.rlim_max = orig.rlim_max;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char *args[] = { argv[0], "exec", NULL };
        execv(self_path(argv), args);
        _exit(99);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* prlimit on a child changes the child's limit, not ours. */
    int p[2], q[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        struct rlimit r2;
        if (read(p[0], &c, 1) != 1)
            _exit(2);
        getrlimit(RLIMIT_NOFILE, &r2);
        _exit(r2.rlim_cur == 64 ? 0 : 1);
    }
    rl.rlim_cur = 64;
    CHECK_EQ(prlimit(pid, RLIMIT_NOFILE, &rl, &got), 0);
    CHECK_EQ(got.rlim_cur, 100);
    CHECK_EQ(write(p[1], "g", 1), 1);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &got));
    CHECK_EQ(got.rlim_cur, 100);
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &orig));
    return 0;
}
