/* When the leader of a session with a controlling pty exits, its
 * foreground process group gets SIGHUP (not a background group), and the
 * session loses the terminal: /dev/tty says ENXIO, the terminal has no
 * session or foreground group any more; the pair itself stays usable. */
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

static int report[2], ready[2];

static void say(char c)
{
    CHECK_EQ(write(report[1], &c, 1), 1);
}

/* A member of the session: fg (in the leader's group) or bg (its own). */
static void member(int fd, int background)
{
    if (background)
        CHECK_OK(setpgid(0, 0));
    CHECK_EQ(write(ready[1], "r", 1), 1);
    if (background) {
        /* No SIGHUP for a background group. */
        say(wait_sig(SIGHUP, 1500) == -1 ? 'b' : 'X');
    } else {
        say(wait_sig(SIGHUP, 3000) == SIGHUP ? 'f' : 'X');
        /* A pty's hangup on exit sends no SIGCONT. */
        say(wait_sig(SIGCONT, 200) == -1 ? 'c' : 'X');
        /* The session has no terminal now. */
        say(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO ? 't' : 'X');
        say(tcgetpgrp(fd) == -1 && errno == ENOTTY ? 'p' : 'X');
    }
    _exit(0);
}

int main(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1);   /* the orphans come back to us */
    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    char name[64];
    snprintf(name, sizeof name, "%s", ptsname(m));
    CHECK_OK(pipe(report));
    CHECK_OK(pipe(ready));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGCONT);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGHUP, on_sig);
    signal(SIGCONT, on_sig);

    pid_t leader = CHECK_OK(fork());
    if (leader == 0) {
        CHECK_OK(close(m));
        CHECK_OK(setsid());
        int fd = CHECK_OK(open(name, O_RDWR));
        CHECK_EQ(tcgetpgrp(fd), getpid());
        if (CHECK_OK(fork()) == 0)
            member(fd, 0);
        if (CHECK_OK(fork()) == 0)
            member(fd, 1);
        char c;
        CHECK_EQ(read(ready[0], &c, 1), 1);
        CHECK_EQ(read(ready[0], &c, 1), 1);
        _exit(0);   /* the leader goes */
    }
    CHECK_CHILD_EXIT(leader, 0);
    char got[8] = { 0 };
    for (int i = 0; i < 5; i++)
        CHECK_EQ(read(report[0], &got[i], 1), 1);
    /* The order between the two members is free; sort it out. */
    int f = 0, b = 0, c = 0, t = 0, p = 0;
    for (int i = 0; i < 5; i++) {
        f += got[i] == 'f';
        b += got[i] == 'b';
        c += got[i] == 'c';
        t += got[i] == 't';
        p += got[i] == 'p';
    }
    if (f != 1 || b != 1 || c != 1 || t != 1 || p != 1)
        FAIL("reports '%s'", got);
    for (int i = 0; i < 2; i++) {
        int st;
        CHECK(wait(&st) > 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    /* Through the master: no session, no foreground group. */
    pid_t v = -1;
    CHECK_ERR(ioctl(m, TIOCGSID, &v), ENOTTY);
    CHECK_EQ(ioctl(m, TIOCGPGRP, &v), 0);
    CHECK_EQ(v, 0);
    /* The pair still works. */
    int s = CHECK_OK(open(name, O_RDWR | O_NOCTTY));
    CHECK_EQ(write(s, "ok", 2), 2);
    struct pollfd pf = { m, POLLIN, 0 };
    CHECK_EQ(poll(&pf, 1, 2000), 1);
    char buf[8];
    CHECK_EQ(read(m, buf, sizeof buf), 2);
    CHECK_MEMEQ(buf, "ok", 2);
    return 0;
}
