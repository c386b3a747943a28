/* F_SETLKW detects a deadlock between two processes: of two processes
 * that each hold a lock the other asks for, the one that asks second gets
 * EDEADLK; the other completes once the lock it waits for is released. */
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
    int fd = CHECK_OK(open(path, O_RDWR | O_CREAT, 0600));
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 1));   /* we hold A = [0,1) */

    /* Each round: the child takes B, then asks for A while we ask for B.
     * Whoever asks second gets EDEADLK.  We want to be second (so that we
     * know the child sleeps in F_SETLKW), and wait longer each round. */
    int ready[2], go[2], done[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(done));
    pid_t pid;
    char c;
    for (int round = 0;; round++) {
        CHECK(round < 12);
        pid = CHECK_OK(fork());
        if (pid == 0) {
            int cfd = CHECK_OK(open(path, O_RDWR));
            CHECK_OK(lk(cfd, F_SETLK, F_WRLCK, 1, 1));   /* the child holds B */
            CHECK_EQ(write(ready[1], "r", 1), 1);
            CHECK_EQ(read(go[0], &c, 1), 1);
            if (lk(cfd, F_SETLKW, F_WRLCK, 0, 1) == 0) {
                CHECK_EQ(write(done[1], "d", 1), 1);
                _exit(0);
            }
            _exit(errno == EDEADLK ? 3 : 1);   /* B goes with us */
        }
        CHECK_EQ(read(ready[0], &c, 1), 1);
        CHECK_EQ(write(go[1], "g", 1), 1);
        sleep_ms(20L << (round < 5 ? round : 5));
        if (lk(fd, F_SETLKW, F_WRLCK, 1, 1) == 0) {
            /* We asked first: the child got EDEADLK and left. */
            CHECK_CHILD_EXIT(pid, 3);
            CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 1, 1));
            continue;
        }
        CHECK_EQ(errno, EDEADLK);
        break;
    }

    /* The child sleeps in F_SETLKW for A.  Without waiting, B is just
     * taken; a range that does not involve the child is no deadlock; a
     * read lock on B would close the same cycle. */
    CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 1, 1), EAGAIN);
    CHECK_OK(lk(fd, F_SETLKW, F_WRLCK, 5, 1));
    CHECK_ERR(lk(fd, F_SETLKW, F_RDLCK, 1, 1), EDEADLK);
    CHECK_ERR(lk(fd, F_SETLKW, F_WRLCK, 0, 10), EDEADLK);

    /* Releasing A lets it through. */
    CHECK_OK(fcntl(done[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(done[0], &c, 1), EAGAIN);
    CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 1));
    CHECK_OK(fcntl(done[0], F_SETFL, 0));
    CHECK_EQ(read(done[0], &c, 1), 1);
    CHECK_CHILD_EXIT(pid, 0);
    /* Its locks went with it. */
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 2));
    return 0;
}
