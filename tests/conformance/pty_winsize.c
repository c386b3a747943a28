/* TIOCGWINSZ/TIOCSWINSZ: one window size for both ends; a change (through
 * either end) sends SIGWINCH to the terminal's foreground process group,
 * setting the same size again does not. */
#include "check.h"
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

int main(void)
{
    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    const char *name = ptsname(m);
    int s = CHECK_OK(open(name, O_RDWR | O_NOCTTY));

    struct winsize ws = { 1, 1, 1, 1 };
    CHECK_EQ(ioctl(s, TIOCGWINSZ, &ws), 0);
    CHECK_EQ(ws.ws_row, 0);
    CHECK_EQ(ws.ws_col, 0);
    struct winsize set = { 24, 80, 640, 480 };
    CHECK_EQ(ioctl(m, TIOCSWINSZ, &set), 0);
    CHECK_EQ(ioctl(s, TIOCGWINSZ, &ws), 0);
    CHECK_MEMEQ(&ws, &set, sizeof ws);
    CHECK_ERR(ioctl(m, TIOCSWINSZ, BAD_PTR), EFAULT);

    int ready[2], go[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(go));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGWINCH, on_sig);   /* not ignored, so that it stays pending */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* A session whose controlling terminal is the slave. */
        CHECK_OK(setsid());
        int fd = CHECK_OK(open(name, O_RDWR));
        CHECK_EQ(tcgetpgrp(fd), getpid());
        CHECK_EQ(write(ready[1], "r", 1), 1);
        /* 1: the size changes from the master. */
        CHECK_EQ(wait_sig(SIGWINCH, 3000), SIGWINCH);
        CHECK_EQ(ioctl(fd, TIOCGWINSZ, &ws), 0);
        CHECK_EQ(ws.ws_row, 50);
        CHECK_EQ(ws.ws_col, 132);
        CHECK_EQ(write(ready[1], "1", 1), 1);
        /* 2: the same size again: no signal. */
        CHECK_EQ(wait_sig(SIGWINCH, 300), -1);
        CHECK_EQ(errno, EAGAIN);
        CHECK_EQ(write(ready[1], "2", 1), 1);
        /* 3: a change through the slave signals as well. */
        CHECK_EQ(wait_sig(SIGWINCH, 3000), SIGWINCH);
        _exit(0);
    }
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    struct winsize big = { 50, 132, 0, 0 };
    CHECK_EQ(ioctl(m, TIOCSWINSZ, &big), 0);
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_EQ(c, '1');
    CHECK_EQ(ioctl(m, TIOCSWINSZ, &big), 0);
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_EQ(c, '2');
    struct winsize small = { 10, 20, 0, 0 };
    CHECK_EQ(ioctl(s, TIOCSWINSZ, &small), 0);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(ioctl(m, TIOCGWINSZ, &ws), 0);
    CHECK_MEMEQ(&ws, &small, sizeof ws);
    /* Nobody's foreground group was ours: no SIGWINCH here. */
    CHECK_EQ(wait_sig(SIGWINCH, 0), -1);
    return 0;
}
