/* flock(2): whole-file locks owned by the open file description: shared
 * and exclusive, LOCK_NB, conversion (which drops the old lock first),
 * dup and fork sharing, release at the last close, independence from
 * fcntl locks, and waking a blocked flock. */
#include "check.h"

#include <sys/file.h>

int main(void)
{
    make_tmpdir();
    const char *path = tpath("f");
    int a = CHECK_OK(open(path, O_RDWR | O_CREAT, 0600));
    int b = CHECK_OK(open(path, O_RDONLY));

    /* Shared locks coexist; an exclusive one does not. */
    CHECK_OK(flock(a, LOCK_SH));
    CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
    CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    /* That failed conversion dropped b's shared lock: now a can upgrade. */
    CHECK_OK(flock(a, LOCK_EX | LOCK_NB));
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    /* Asking again for what is held is fine; a dup shares the lock. */
    CHECK_OK(flock(a, LOCK_EX | LOCK_NB));
    int d = CHECK_OK(dup(a));
    CHECK_OK(flock(d, LOCK_EX | LOCK_NB));
    /* Downgrading lets shared lockers in. */
    CHECK_OK(flock(d, LOCK_SH));
    CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
    CHECK_OK(flock(b, LOCK_UN));
    CHECK_OK(flock(b, LOCK_UN));   /* unlocking nothing is fine */

    /* fcntl locks and flock locks do not see each other. */
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    CHECK_OK(fcntl(a, F_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_UNLCK);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int fd = CHECK_OK(open(path, O_RDWR));
        struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        CHECK_OK(fcntl(fd, F_SETLK, &w));   /* despite our shared flock */
        /* The inherited description shares the parent's flock lock. */
        CHECK_OK(flock(a, LOCK_SH | LOCK_NB));
        CHECK_ERR(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Closing one of two descriptors of the description keeps the lock;
     * closing the last one releases it. */
    CHECK_OK(flock(a, LOCK_EX));
    CHECK_OK(close(d));
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    CHECK_OK(close(a));
    CHECK_OK(flock(b, LOCK_EX | LOCK_NB));

    /* A blocked flock is woken when the holder unlocks. */
    int ready[2], done[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(done));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        int fd = CHECK_OK(open(path, O_RDONLY));
        CHECK_EQ(write(ready[1], "r", 1), 1);
        CHECK_OK(flock(fd, LOCK_SH));
        CHECK_EQ(write(done[1], "d", 1), 1);
        _exit(0);
    }
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    sleep_ms(150);
    CHECK_OK(fcntl(done[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(done[0], &c, 1), EAGAIN);
    CHECK_OK(flock(b, LOCK_UN));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(read(done[0], &c, 1), 1);

    /* ...and when the holder dies. */
    CHECK_OK(pipe(ready));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        int fd = CHECK_OK(open(path, O_RDONLY));
        CHECK_OK(flock(fd, LOCK_EX));
        CHECK_EQ(write(ready[1], "r", 1), 1);
        pause();
        _exit(0);
    }
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    CHECK_OK(flock(b, LOCK_SH | LOCK_NB));

    /* Errors. */
    CHECK_ERR(flock(b, 0), EINVAL);
    CHECK_ERR(flock(b, LOCK_SH | LOCK_EX), EINVAL);
    CHECK_ERR(flock(b, LOCK_NB), EINVAL);
    CHECK_ERR(flock(999, 0), EINVAL);   /* the operation is checked first */
    CHECK_ERR(flock(999, LOCK_SH), EBADF);
    /* LOCK_MAND requests are ignored (and succeed) since Linux 5.15. */
    CHECK_EQ(flock(999, LOCK_MAND | LOCK_READ), 0);
    int p = CHECK_OK(open(path, O_PATH));
    CHECK_ERR(flock(p, LOCK_SH), EBADF);
    /* Any access mode may take either kind. */
    int wo = CHECK_OK(open(path, O_WRONLY));
    CHECK_OK(flock(b, LOCK_UN));
    CHECK_OK(flock(wo, LOCK_SH | LOCK_NB));
    return 0;
}
