/* /proc/self/cmdline and /proc/PID/cmdline: argv joined with NULs; empty
 * for a zombie. */
#include "check.h"

static const char want[] = "arg0\0mode\0with space\0\0last";   /* + final NUL */

int main(int argc, char **argv)
{
    char buf[4096];
    if (argc > 1) {
        /* Re-exec'd with argv = { "arg0", "mode", "with space", "", "last" }. */
        ssize_t n = read_file("/proc/self/cmdline", buf, sizeof buf);
        CHECK_EQ(n, sizeof want);
        CHECK_MEMEQ(buf, want, sizeof want);
        /* Signal readiness and wait, so the parent can read it too. */
        if (write(4, "r", 1) != 1)
            return 1;
        char c;
        while (read(3, &c, 1) > 0)
            ;
        return 0;
    }

    /* Our own command line starts with argv[0], NUL-terminated. */
    ssize_t n = read_file("/proc/self/cmdline", buf, sizeof buf);
    CHECK(n > (ssize_t)strlen(argv[0]));
    CHECK_STREQ(buf, argv[0]);
    CHECK_EQ(buf[n - 1], '\0');

    /* A child's argv, as seen from inside and from the parent. */
    int p[2], q[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        if (dup2(p[0], 3) < 0 || dup2(q[1], 4) < 0)
            _exit(90);
        for (int fd = 5; fd < 32; fd++)
            close(fd);
        char *args[] = { "arg0", "mode", "with space", "", "last", NULL };
        execv(self_path(argv), args);
        _exit(91);
    }
    close(p[0]);
    close(q[1]);
    char c;
    CHECK_EQ(read(q[0], &c, 1), 1);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    n = read_file(path, buf, sizeof buf);
    CHECK_EQ(n, sizeof want);
    CHECK_MEMEQ(buf, want, sizeof want);
    close(p[1]);
    CHECK_CHILD_EXIT(pid, 0);

    /* A zombie's cmdline is empty. */
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    siginfo_t si;
    CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    CHECK_EQ(read_file(path, buf, sizeof buf), 0);
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
