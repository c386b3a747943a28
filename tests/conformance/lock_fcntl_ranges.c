/* fcntl record locks: byte ranges, splitting and merging of one owner's
 * locks, F_GETLK reporting the conflicting lock (and its pid) as another
 * process sees it, and the argument checks. */
#include "check.h"

#include <stdbool.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &fl);
}

/* F_GETLK for [start, start+len) of type in a child: writes the answer. */
static struct flock probe(int fd, short type, off_t start, off_t len)
{
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start,
                            .l_len = len, .l_pid = 12345 };
        CHECK_OK(fcntl(fd, F_GETLK, &fl));
        CHECK_EQ(write(p[1], &fl, sizeof fl), sizeof fl);
        _exit(0);
    }
    struct flock fl;
    CHECK_EQ(read(p[0], &fl, sizeof fl), sizeof fl);
    CHECK_CHILD_EXIT(pid, 0);
    close(p[0]);
    close(p[1]);
    return fl;
}

/* Can a child take this lock (F_SETLK)? */
static bool child_can_lock(int fd, short type, off_t start, off_t len)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        if (lk(fd, F_SETLK, type, start, len) == 0)
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
    int fd = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT, 0600));
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    pid_t me = getpid();

    /* Nothing locked: F_GETLK says F_UNLCK and leaves the rest alone. */
    struct flock fl = probe(fd, F_WRLCK, 0, 0);
    CHECK_EQ(fl.l_type, F_UNLCK);
    CHECK_EQ(fl.l_start, 0);
    CHECK_EQ(fl.l_pid, 12345);

    /* A write lock on [10, 20): conflicts are reported with our pid. */
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 10, 10));
    fl = probe(fd, F_RDLCK, 0, 100);
    CHECK_EQ(fl.l_type, F_WRLCK);
    CHECK_EQ(fl.l_whence, SEEK_SET);
    CHECK_EQ(fl.l_start, 10);
    CHECK_EQ(fl.l_len, 10);
    CHECK_EQ(fl.l_pid, me);
    CHECK_EQ(probe(fd, F_WRLCK, 0, 10).l_type, F_UNLCK);   /* [0,10) is free */
    CHECK_EQ(probe(fd, F_WRLCK, 20, 0).l_type, F_UNLCK);   /* [20,EOF) too */
    CHECK_EQ(probe(fd, F_WRLCK, 19, 1).l_type, F_WRLCK);
    /* Our own locks never conflict with us. */
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    CHECK_OK(fcntl(fd, F_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_UNLCK);

    /* Unlocking the middle splits it in two. */
    CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 13, 4));
    CHECK(child_can_lock(fd, F_WRLCK, 13, 4));
    CHECK(!child_can_lock(fd, F_WRLCK, 12, 1));
    CHECK(!child_can_lock(fd, F_WRLCK, 17, 1));
    fl = probe(fd, F_WRLCK, 14, 10);
    CHECK_EQ(fl.l_start, 17);
    CHECK_EQ(fl.l_len, 3);

    /* Filling the gap with the same type merges them back into one. */
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 13, 4));
    fl = probe(fd, F_WRLCK, 15, 1);
    CHECK_EQ(fl.l_start, 10);
    CHECK_EQ(fl.l_len, 10);
    /* So does an adjacent lock of the same type. */
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 20, 5));
    fl = probe(fd, F_RDLCK, 22, 1);
    CHECK_EQ(fl.l_start, 10);
    CHECK_EQ(fl.l_len, 15);

    /* Downgrading part of it: the read part admits readers only. */
    CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 10, 5));
    CHECK(child_can_lock(fd, F_RDLCK, 10, 5));
    CHECK(!child_can_lock(fd, F_WRLCK, 10, 1));
    CHECK(!child_can_lock(fd, F_RDLCK, 15, 1));
    fl = probe(fd, F_WRLCK, 0, 0);   /* the first conflicting lock */
    CHECK_EQ(fl.l_type, F_RDLCK);
    CHECK_EQ(fl.l_start, 10);
    CHECK_EQ(fl.l_len, 5);
    fl = probe(fd, F_RDLCK, 0, 0);
    CHECK_EQ(fl.l_type, F_WRLCK);
    CHECK_EQ(fl.l_start, 15);
    CHECK_EQ(fl.l_len, 10);

    /* A lock to EOF (l_len 0) is reported with l_len 0; SEEK_END and a
     * negative l_len count as Linux does. */
    CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 0));
    CHECK_EQ(probe(fd, F_WRLCK, 0, 0).l_type, F_UNLCK);
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -2, .l_len = 0 };
    CHECK_OK(fcntl(fd, F_SETLK, &fl));   /* [8, EOF) */
    fl = probe(fd, F_RDLCK, 0, 0);
    CHECK_EQ(fl.l_start, 8);
    CHECK_EQ(fl.l_len, 0);
    CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 5, -3));   /* [2, 5) */
    fl = probe(fd, F_WRLCK, 0, 6);
    CHECK_EQ(fl.l_type, F_RDLCK);
    CHECK_EQ(fl.l_start, 2);
    CHECK_EQ(fl.l_len, 3);
    CHECK_OK(lseek(fd, 4, SEEK_SET));
    fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_CUR, .l_start = -4, .l_len = 0 };
    CHECK_OK(fcntl(fd, F_SETLK, &fl));
    CHECK_EQ(probe(fd, F_WRLCK, 0, 0).l_type, F_UNLCK);

    /* Errors. */
    CHECK_ERR(lk(fd, F_SETLK, 42, 0, 0), EINVAL);
    CHECK_ERR(lk(fd, F_GETLK, F_UNLCK, 0, 0), EINVAL);
    CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, -1, 5), EINVAL);
    CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 2, -3), EINVAL);
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = 7 };
    CHECK_ERR(fcntl(fd, F_SETLK, &fl), EINVAL);
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = LLONG_MAX, .l_len = 2 };
    CHECK_ERR(fcntl(fd, F_SETLK, &fl), EOVERFLOW);
    CHECK_ERR(fcntl(fd, F_SETLK, BAD_PTR), EFAULT);
    CHECK_ERR(lk(999, F_SETLK, F_WRLCK, 0, 0), EBADF);
    int ro = CHECK_OK(open(tpath("f"), O_RDONLY));
    int wo = CHECK_OK(open(tpath("f"), O_WRONLY));
    CHECK_ERR(lk(ro, F_SETLK, F_WRLCK, 0, 0), EBADF);
    CHECK_ERR(lk(wo, F_SETLK, F_RDLCK, 0, 0), EBADF);
    CHECK_OK(lk(ro, F_SETLK, F_RDLCK, 0, 1));
    CHECK_OK(lk(wo, F_SETLK, F_WRLCK, 1, 1));
    CHECK_OK(lk(ro, F_SETLK, F_UNLCK, 0, 0));   /* unlocking needs no access */
    /* F_GETLK of a write lock through a read-only fd is fine. */
    CHECK_OK(lk(ro, F_GETLK, F_WRLCK, 0, 0));
    int path = CHECK_OK(open(tpath("f"), O_PATH));
    CHECK_ERR(lk(path, F_SETLK, F_RDLCK, 0, 0), EBADF);
    return 0;
}
