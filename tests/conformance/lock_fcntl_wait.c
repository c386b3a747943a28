/* F_SETLKW sleeps until the conflicting lock goes (an unlock, or a close
 * of the holder), is woken for each, and a signal interrupts it: EINTR
 * without SA_RESTART, restarted transparently with it. */
#include "check.h"

#include <sys/time.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &fl);
}

static volatile sig_atomic_t got;
static void on_alarm(int sig)
{
    (void)sig;
    got++;
}

int main(void)
{
    make_tmpdir();
    const char *path = tpath("f");
    int fd = CHECK_OK(open(path, O_RDWR | O_CREAT, 0600));
    CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 0, 10));

    /* Two waiters for a write lock; the read lock is dropped in two steps
     * (only the second frees their ranges). */
    int done[2];
    CHECK_OK(pipe(done));
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = CHECK_OK(fork());
        if (kids[i] == 0) {
            int cfd = CHECK_OK(open(path, O_RDWR));
            CHECK_OK(lk(cfd, F_SETLKW, F_WRLCK, 5 + i * 3, 1));   /* 5 and 8 */
            char c = (char)('a' + i);
            CHECK_EQ(write(done[1], &c, 1), 1);
            _exit(0);
        }
    }
    sleep_ms(200);
    CHECK_OK(fcntl(done[0], F_SETFL, O_NONBLOCK));
    char c;
    CHECK_ERR(read(done[0], &c, 1), EAGAIN);
    /* Unlocking [0, 6) frees 5 only: the first child gets through. */
    CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 6));
    CHECK_CHILD_EXIT(kids[0], 0);
    CHECK_EQ(read(done[0], &c, 1), 1);
    CHECK_EQ(c, 'a');
    sleep_ms(100);
    CHECK_ERR(read(done[0], &c, 1), EAGAIN);
    /* Closing our descriptor drops the rest. */
    CHECK_OK(close(fd));
    CHECK_CHILD_EXIT(kids[1], 0);
    CHECK_EQ(read(done[0], &c, 1), 1);
    CHECK_EQ(c, 'b');

    /* A signal interrupts the wait: EINTR without SA_RESTART. */
    fd = CHECK_OK(open(path, O_RDWR));
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t holder = CHECK_OK(fork());
    if (holder == 0) {
        int hfd = CHECK_OK(open(path, O_RDWR));
        CHECK_OK(lk(hfd, F_SETLK, F_WRLCK, 0, 0));
        CHECK_EQ(write(ready[1], "h", 1), 1);
        sleep_ms(1500);
        _exit(0);   /* releases the lock */
    }
    CHECK_EQ(read(ready[0], &c, 1), 1);
    struct sigaction sa = { .sa_handler = on_alarm };
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    struct itimerval it = { .it_value = { 0, 200000 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    long long t0 = now_ns();
    CHECK_ERR(lk(fd, F_SETLKW, F_WRLCK, 0, 1), EINTR);
    CHECK_EQ(got, 1);
    CHECK(now_ns() - t0 < 1000000000LL);

    /* With SA_RESTART the wait goes on until the holder exits. */
    sa.sa_flags = SA_RESTART;
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_OK(lk(fd, F_SETLKW, F_WRLCK, 0, 1));
    CHECK_EQ(got, 2);
    CHECK_CHILD_EXIT(holder, 0);
    return 0;
}
