/* Hangups.  Closing the master hangs the slave up: the session leader gets
 * SIGHUP and SIGCONT, the session loses its controlling terminal, the
 * slave reads end of file (EIO for a reader caught waiting), writes and
 * ioctls fail with EIO, poll says POLLHUP, /dev/pts/N is gone.  Closing
 * the last slave makes the master poll POLLHUP and read EIO once the
 * output is drained; opening the slave again undoes it. */
#include "check.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static void on_sig(int sig)
{
    (void)sig;
}

static int wait_sig(int sig, int ms)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    return sigtimedwait(&set, NULL, &ts);
}

static void master_side(void)
{
    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    int s = CHECK_OK(open(ptsname(m), O_RDWR | O_NOCTTY));
    struct pollfd p = { m, POLLIN, 0 };
    CHECK_EQ(poll(&p, 1, 0), 0);
    CHECK_EQ(write(s, "bye\n", 4), 4);
    CHECK_OK(close(s));
    /* What the slave wrote is still there; then EIO. */
    CHECK_EQ(poll(&p, 1, 2000), 1);
    CHECK(p.revents & POLLHUP);
    char buf[16];
    size_t n = 0;
    while (n < 5) {
        ssize_t r = read(m, buf + n, sizeof buf - n);
        CHECK(r > 0);
        n += (size_t)r;
    }
    CHECK_MEMEQ(buf, "bye\r\n", 5);
    CHECK_ERR(read(m, buf, sizeof buf), EIO);
    /* Writing to the master still works (the input waits in the slave). */
    CHECK_EQ(write(m, "a", 1), 1);
    /* A slave opened again ends the hangup of the master. */
    s = CHECK_OK(open(ptsname(m), O_RDWR | O_NOCTTY));
    p.revents = 0;
    poll(&p, 1, 0);
    CHECK_EQ(p.revents & POLLHUP, 0);
    CHECK_OK(close(s));
    CHECK_OK(close(m));
}

int main(void)
{
    master_side();

    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    char name[64];
    snprintf(name, sizeof name, "%s", ptsname(m));
    int ready[2];
    CHECK_OK(pipe(ready));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGCONT);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGHUP, on_sig);
    signal(SIGCONT, on_sig);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(close(m));
        CHECK_OK(setsid());
        int fd = CHECK_OK(open(name, O_RDWR));
        CHECK_EQ(tcgetpgrp(fd), getpid());
        int tty = CHECK_OK(open("/dev/tty", O_RDWR));
        /* A reader waiting when the master goes. */
        pid_t r = CHECK_OK(fork());
        if (r == 0) {
            char c;
            ssize_t n = read(fd, &c, 1);
            _exit(n == 0 || (n == -1 && errno == EIO) ? 0 : 1);
        }
        sleep_ms(100);
        CHECK_EQ(write(ready[1], "r", 1), 1);
        CHECK_EQ(wait_sig(SIGHUP, 3000), SIGHUP);
        CHECK_EQ(wait_sig(SIGCONT, 3000), SIGCONT);
        CHECK_CHILD_EXIT(r, 0);
        char c;
        CHECK_EQ(read(fd, &c, 1), 0);
        CHECK_EQ(read(tty, &c, 1), 0);
        CHECK_ERR(write(fd, "x", 1), EIO);
        struct termios t;
        CHECK_ERR(tcgetattr(fd, &t), EIO);
        CHECK_ERR(tcsetpgrp(fd, getpid()), ENOTTY);
        struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
        CHECK_EQ(poll(&p, 1, 0), 1);
        CHECK(p.revents & POLLHUP);
        /* No controlling terminal any more, no slave node either. */
        CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
        CHECK_ERR(open(name, O_RDWR | O_NOCTTY), ENOENT);
        _exit(0);
    }
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_OK(close(m));
    CHECK_CHILD_EXIT(pid, 0);
    /* We were not the session leader: no SIGHUP here. */
    CHECK_EQ(wait_sig(SIGHUP, 0), -1);
    return 0;
}
