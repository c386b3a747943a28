/* Controlling terminals: a session leader without one acquires the first
 * terminal it opens for reading without O_NOCTTY, or with TIOCSCTTY; fork
 * passes it on, setsid drops it; /dev/tty is it (ENXIO without one);
 * TIOCSCTTY refuses non-leaders, leaders that have one, and terminals of
 * other sessions (unless root steals with arg 1); TIOCNOTTY gives it up,
 * sending SIGHUP and SIGCONT to the foreground group. */
#include "check.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

static char n1[64], n2[64];
static int m1;

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

static int new_pty(char *name)
{
    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    snprintf(name, 64, "%s", ptsname(m));
    return m;
}

static void grandchild(int t1)
{
    /* Same session: the terminal came with fork, but only a leader may
     * take one with TIOCSCTTY. */
    int t = CHECK_OK(open("/dev/tty", O_RDWR));
    CHECK_OK(close(t));
    CHECK_EQ(tcgetsid(t1), getppid());
    int t2 = CHECK_OK(open(n2, O_RDWR | O_NOCTTY));
    CHECK_ERR(ioctl(t2, TIOCSCTTY, 0), EPERM);
    /* A new session has no terminal. */
    CHECK_OK(setsid());
    CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
    CHECK_ERR(tcgetpgrp(t1), ENOTTY);
    CHECK_ERR(ioctl(t1, TIOCNOTTY), ENOTTY);
    /* t1 controls the parent's session: refused, unless stolen. */
    CHECK_ERR(ioctl(t1, TIOCSCTTY, 0), EPERM);
    CHECK_EQ(ioctl(t1, TIOCSCTTY, 1), 0);
    CHECK_EQ(tcgetsid(t1), getpid());
    CHECK_EQ(tcgetpgrp(t1), getpid());
    /* TIOCNOTTY: SIGHUP and SIGCONT for the foreground group (us). */
    CHECK_EQ(ioctl(t1, TIOCNOTTY), 0);
    CHECK_EQ(wait_sig(SIGHUP, 2000), SIGHUP);
    CHECK_EQ(wait_sig(SIGCONT, 2000), SIGCONT);
    CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
    CHECK_ERR(tcgetsid(t1), ENOTTY);
    _exit(0);
}

static void child(void)
{
    CHECK_OK(setsid());
    CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
    /* O_NOCTTY, or write-only: not acquired. */
    int t1 = CHECK_OK(open(n1, O_RDWR | O_NOCTTY));
    CHECK_ERR(tcgetpgrp(t1), ENOTTY);
    int w = CHECK_OK(open(n1, O_WRONLY));
    CHECK_ERR(tcgetpgrp(t1), ENOTTY);
    CHECK_OK(close(w));
    CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
    /* A plain open for reading: acquired. */
    int a = CHECK_OK(open(n1, O_RDWR));
    CHECK_EQ(tcgetpgrp(t1), getpid());
    CHECK_EQ(tcgetsid(t1), getpid());
    CHECK_OK(close(a));
    /* TIOCSCTTY on one's own terminal is a no-op; on another: EPERM. */
    CHECK_EQ(ioctl(t1, TIOCSCTTY, 0), 0);
    int t2 = CHECK_OK(open(n2, O_RDWR));   /* already has one: not taken */
    CHECK_ERR(tcgetpgrp(t2), ENOTTY);
    CHECK_ERR(ioctl(t2, TIOCSCTTY, 0), EPERM);
    /* /dev/tty is the controlling terminal, as a device of its own. */
    int t = CHECK_OK(open("/dev/tty", O_RDWR));
    struct stat st;
    CHECK_OK(fstat(t, &st));
    CHECK_EQ(major(st.st_rdev), 5);
    CHECK_EQ(minor(st.st_rdev), 0);
    CHECK_EQ(tcgetpgrp(t), getpid());
    CHECK_EQ(write(t, "via tty\n", 8), 8);
    CHECK_OK(close(t));

    pid_t g = CHECK_OK(fork());
    if (g == 0)
        grandchild(t1);
    CHECK_CHILD_EXIT(g, 0);
    /* The grandchild stole it: this session has none now. */
    CHECK_ERR(tcgetpgrp(t1), ENOTTY);
    CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
    _exit(0);
}

int main(void)
{
    m1 = new_pty(n1);
    int m2 = new_pty(n2);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGCONT);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGHUP, on_sig);
    signal(SIGCONT, on_sig);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        child();
    CHECK_CHILD_EXIT(pid, 0);
    /* What the child wrote to /dev/tty came out of the master. */
    char buf[64];
    struct pollfd p = { m1, POLLIN, 0 };
    size_t n = 0;
    while (n < 9 && poll(&p, 1, 2000) == 1) {
        ssize_t r = read(m1, buf + n, sizeof buf - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    CHECK_EQ(n, 9);
    CHECK_MEMEQ(buf, "via tty\r\n", 9);
    CHECK_OK(close(m2));
    return 0;
}
