/* POSIX record locks belong to the process: they are not inherited over
 * fork, they go when the process closes ANY descriptor of the file (not
 * only the one they were taken through), and at exit. */
#include "check.h"

#include <stdbool.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &fl);
}

/* Is [start, start+len) write-lockable by another process? */
static bool free_for_other(const char *path, off_t start, off_t len)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        if (fd < 0)
            _exit(2);
        if (lk(fd, F_SETLK, F_WRLCK, start, len) == 0)
            _exit(0);
        _exit(errno == EAGAIN || errno == EACCES ? 1 : 2);
    }
    int st = wait_status(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 2);
    return WEXITSTATUS(st) == 0;
}

int main(void)
{
    make_tmpdir();
    const char *path = tpath("f");
    int a = CHECK_OK(open(path, O_RDWR | O_CREAT, 0600));
    int b = CHECK_OK(open(path, O_RDONLY));
    CHECK_OK(lk(a, F_SETLK, F_WRLCK, 0, 100));
    CHECK(!free_for_other(path, 0, 1));

    /* A child inherits the descriptors but not the lock: it conflicts with
     * it, and its closes and exit do not release ours. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_ERR(lk(a, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        CHECK_OK(fcntl(a, F_GETLK, &fl));
        CHECK_EQ(fl.l_pid, getppid());
        close(a);
        close(b);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK(!free_for_other(path, 0, 1));

    /* dup'ing and closing the duplicate: gone (any close of the file). */
    int d = CHECK_OK(dup(a));
    CHECK_OK(close(d));
    CHECK(free_for_other(path, 0, 1));

    /* Closing an unrelated open of the same file (read-only even): gone. */
    CHECK_OK(lk(a, F_SETLK, F_WRLCK, 0, 100));
    CHECK(!free_for_other(path, 50, 1));
    CHECK_OK(close(b));
    CHECK(free_for_other(path, 50, 1));

    /* Closing a descriptor of another file changes nothing. */
    CHECK_OK(lk(a, F_SETLK, F_WRLCK, 0, 100));
    int other = CHECK_OK(open(tpath("g"), O_RDWR | O_CREAT, 0600));
    CHECK_OK(close(other));
    CHECK(!free_for_other(path, 0, 1));

    /* dup2 over a descriptor of the file closes it: gone too. */
    b = CHECK_OK(open(path, O_RDWR));
    int devnull = CHECK_OK(open("/dev/null", O_RDONLY));
    CHECK_OK(dup2(devnull, b));
    CHECK(free_for_other(path, 0, 1));

    /* A process that exits (or is killed) loses its locks. */
    int ready[2];
    CHECK_OK(pipe(ready));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        int fd = CHECK_OK(open(path, O_RDWR));
        CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 200, 10));
        CHECK_EQ(write(ready[1], "x", 1), 1);
        pause();
        _exit(0);
    }
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 205, .l_len = 1 };
    CHECK_OK(fcntl(a, F_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_WRLCK);
    CHECK_EQ(fl.l_pid, pid);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    CHECK_OK(lk(a, F_SETLK, F_WRLCK, 200, 10));

    CHECK_OK(close(a));
    CHECK(free_for_other(path, 0, 1000));
    return 0;
}
