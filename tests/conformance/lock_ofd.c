/* Open file description locks (F_OFD_SETLK...): owned by the open file
 * description, so two opens in one process conflict, a dup or a fork
 * shares them, closing one of several descriptors keeps them, and the last
 * close releases them.  They conflict with classic POSIX locks of the
 * same process too, and F_OFD_GETLK/F_GETLK report them with l_pid -1. */
#include "check.h"

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &fl);
}

int main(void)
{
    make_tmpdir();
    const char *path = tpath("f");
    int a = CHECK_OK(open(path, O_RDWR | O_CREAT, 0600));
    int b = CHECK_OK(open(path, O_RDWR));

    /* Two descriptions of one file in one process: they conflict. */
    CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
    CHECK_ERR(lk(b, F_OFD_SETLK, F_RDLCK, 5, 1), EAGAIN);
    CHECK_OK(lk(b, F_OFD_SETLK, F_RDLCK, 10, 5));
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    CHECK_OK(fcntl(b, F_OFD_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_WRLCK);
    CHECK_EQ(fl.l_start, 0);
    CHECK_EQ(fl.l_len, 10);
    CHECK_EQ(fl.l_pid, -1);
    /* Our own OFD lock is no conflict for its description. */
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
    CHECK_OK(fcntl(a, F_OFD_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_UNLCK);

    /* A classic lock of this same process conflicts with them as well,
     * and F_GETLK reports them with pid -1. */
    CHECK_ERR(lk(a, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 12, .l_len = 1 };
    CHECK_OK(fcntl(a, F_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_RDLCK);
    CHECK_EQ(fl.l_pid, -1);
    CHECK_OK(lk(a, F_SETLK, F_RDLCK, 20, 1));
    CHECK_ERR(lk(a, F_OFD_SETLK, F_WRLCK, 20, 1), EAGAIN);
    CHECK_OK(lk(a, F_SETLK, F_UNLCK, 20, 1));

    /* Closing another descriptor of the file does not release OFD locks
     * (unlike POSIX locks); a dup shares them; the last close drops them. */
    int d = CHECK_OK(dup(a));
    CHECK_OK(lk(d, F_OFD_SETLK, F_WRLCK, 0, 5));   /* same description: fine */
    CHECK_OK(close(b));   /* b's read lock goes with its description */
    int c = CHECK_OK(open(path, O_RDWR));
    CHECK_OK(lk(c, F_OFD_SETLK, F_WRLCK, 10, 5));
    CHECK_ERR(lk(c, F_OFD_SETLK, F_WRLCK, 9, 1), EAGAIN);
    CHECK_OK(close(a));
    CHECK_ERR(lk(c, F_OFD_SETLK, F_WRLCK, 9, 1), EAGAIN);   /* d keeps it */

    /* A forked child shares the description, hence the lock. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(lk(d, F_OFD_SETLK, F_RDLCK, 0, 10));   /* its own: a conversion */
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    CHECK_OK(fcntl(c, F_OFD_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_RDLCK);   /* the child's downgrade stuck */
    CHECK_OK(close(d));
    CHECK_OK(lk(c, F_OFD_SETLK, F_WRLCK, 0, 10));

    /* F_OFD_SETLKW waits for another description's lock. */
    int e = CHECK_OK(open(path, O_RDWR));
    int done[2];
    CHECK_OK(pipe(done));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(lk(e, F_OFD_SETLKW, F_WRLCK, 0, 1));
        CHECK_EQ(write(done[1], "x", 1), 1);
        _exit(0);
    }
    sleep_ms(150);
    CHECK_OK(fcntl(done[0], F_SETFL, O_NONBLOCK));
    char ch;
    CHECK_ERR(read(done[0], &ch, 1), EAGAIN);
    CHECK_OK(lk(c, F_OFD_SETLK, F_UNLCK, 0, 0));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(read(done[0], &ch, 1), 1);
    /* The child's exit does not release it: e is still open here. */
    CHECK_ERR(lk(c, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);

    /* l_pid must be 0 for the OFD commands. */
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1 };
    CHECK_ERR(fcntl(c, F_OFD_SETLK, &fl), EINVAL);
    CHECK_ERR(fcntl(c, F_OFD_GETLK, &fl), EINVAL);
    int ro = CHECK_OK(open(path, O_RDONLY));
    CHECK_ERR(lk(ro, F_OFD_SETLK, F_WRLCK, 100, 1), EBADF);
    return 0;
}
