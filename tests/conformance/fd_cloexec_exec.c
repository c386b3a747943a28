/* Close-on-exec across execve: flagged descriptors are closed, others keep
 * their offset and status flags. */
#include "check.h"
#include <sys/ioctl.h>

/* Re-exec'd: argv = self child KEEP OFF_KEEP CLOSED1 CLOSED2 ... */
static int child(int argc, char **argv)
{
    int keep = atoi(argv[2]);
    if (fcntl(keep, F_GETFD) != 0)
        return 10;
    if (lseek(keep, 0, SEEK_CUR) != atoi(argv[3]))
        return 11;
    if (!(fcntl(keep, F_GETFL) & O_APPEND))
        return 12;
    for (int i = 4; i < argc; i++) {
        int fd = atoi(argv[i]);
        errno = 0;
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            return 20 + i;
    }
    /* The descriptor that is still open works. */
    if (write(keep, "Z", 1) != 1)
        return 13;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child(argc, argv);
    make_tmpdir();

    int keep = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT | O_APPEND, 0600));
    CHECK_EQ(write(keep, "abc", 3), 3);
    int c1 = CHECK_OK(open(tpath("f"), O_RDONLY | O_CLOEXEC));
    int c2 = CHECK_OK(fcntl(keep, F_DUPFD_CLOEXEC, 40));
    int c3 = CHECK_OK(dup3(keep, 41, O_CLOEXEC));
    int c4 = CHECK_OK(dup(keep));
    CHECK_OK(fcntl(c4, F_SETFD, FD_CLOEXEC));
    int c5 = CHECK_OK(dup(keep));
    CHECK_OK(ioctl(c5, FIOCLEX));
    int p[2];
    CHECK_OK(pipe2(p, O_CLOEXEC));
    /* A flag that was set and then cleared again does not close. */
    int k2 = CHECK_OK(dup(keep));
    CHECK_OK(fcntl(k2, F_SETFD, FD_CLOEXEC));
    CHECK_OK(fcntl(k2, F_SETFD, 0));

    char args[10][16];
    int fds[] = { keep, 3, c1, c2, c3, c4, c5, p[0], p[1] };
    char *av[12] = { argv[0], "child" };
    for (int i = 0; i < 9; i++) {
        snprintf(args[i], sizeof args[i], "%d", fds[i]);
        av[2 + i] = args[i];
    }
    av[11] = NULL;

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        execv(self_path(argv), av);
        _exit(127);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Same check for k2 via a second exec. */
    snprintf(args[0], sizeof args[0], "%d", k2);
    snprintf(args[1], sizeof args[1], "%d", 4);   /* the child wrote "Z" */
    av[4] = NULL;
    pid = CHECK_OK(fork());
    if (pid == 0) {
        execv(self_path(argv), av);
        _exit(127);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Close-on-exec does not close anything in the parent, nor on fork. */
    CHECK_EQ(fcntl(c1, F_GETFD), FD_CLOEXEC);
    char buf[8];
    CHECK_EQ(pread(c1, buf, 8, 0), 5);
    CHECK_MEMEQ(buf, "abcZZ", 5);
    return 0;
}
