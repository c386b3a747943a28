/* /proc/self/exe, /proc/PID/exe and the /proc/self symlink. */
#include "check.h"

int main(int argc, char **argv)
{
    (void)argc;
    char real[PATH_MAX], link[PATH_MAX];
    CHECK(realpath(self_path(argv), real) != NULL);

    /* The link names the running executable, fully resolved. */
    ssize_t n = CHECK_OK(readlink("/proc/self/exe", link, sizeof link - 1));
    link[n] = '\0';
    CHECK_STREQ(link, real);
    /* Opening it opens that file. */
    struct stat a, b;
    int fd = CHECK_OK(open("/proc/self/exe", O_RDONLY));
    CHECK_OK(fstat(fd, &a));
    CHECK_OK(stat(real, &b));
    CHECK_EQ(a.st_ino, b.st_ino);
    CHECK_EQ(a.st_dev, b.st_dev);
    char elf[4];
    CHECK_EQ(read(fd, elf, 4), 4);
    CHECK_MEMEQ(elf, "\177ELF", 4);

    /* /proc/self is a symlink to our pid. */
    char want[64];
    n = CHECK_OK(readlink("/proc/self", link, sizeof link - 1));
    link[n] = '\0';
    snprintf(want, sizeof want, "%d", getpid());
    CHECK_STREQ(link, want);

    /* A child that exec'd /bin/sh: its exe is the shell's real path. */
    char shreal[PATH_MAX];
    CHECK(realpath("/bin/sh", shreal) != NULL);
    int p[2], q[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        dup2(p[0], 0);
        dup2(q[1], 1);
        close(p[1]);
        close(q[0]);
        /* Prints a line (so we know it runs), then waits for stdin EOF. */
        execl("/bin/sh", "sh", "-c", "echo up; read x; exit 0", (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    close(q[1]);
    char buf[8];
    CHECK_EQ(read(q[0], buf, 3), 3);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    n = CHECK_OK(readlink(path, link, sizeof link - 1));
    link[n] = '\0';
    CHECK_STREQ(link, shreal);
    close(p[1]);
    CHECK_CHILD_EXIT(pid, 0);

    /* A forked (not exec'd) child shares our executable. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        char l2[PATH_MAX];
        ssize_t m = readlink("/proc/self/exe", l2, sizeof l2 - 1);
        if (m < 0)
            _exit(1);
        l2[m] = '\0';
        _exit(strcmp(l2, real) == 0 ? 0 : 2);
    }
    CHECK_CHILD_EXIT(pid, 0);
    /* Like any symlink, readlink with a tiny buffer truncates. */
    CHECK_EQ(readlink("/proc/self/exe", link, 1), 1);
    CHECK_EQ(link[0], '/');
    return 0;
}
