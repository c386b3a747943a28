/* ISIG: ^C, ^\ typed on the master send SIGINT, SIGQUIT to the foreground
 * process group of the session the slave controls (made here with setsid
 * and TIOCSCTTY in a child), echo as ^C, and flush the line being typed
 * unless NOFLSH; without ISIG they are ordinary bytes. */
#include "check.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int m, ready[2];

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

static void step(char c)
{
    CHECK_EQ(write(ready[1], &c, 1), 1);
}

static void wait_step(char want)
{
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_EQ(c, want);
}

static void type(const char *text)
{
    CHECK_EQ(write(m, text, strlen(text)), (ssize_t)strlen(text));
}

static void echoed(const char *want)
{
    char buf[256];
    size_t n = 0, len = strlen(want);
    struct pollfd p = { m, POLLIN, 0 };
    while (n < len && poll(&p, 1, 2000) == 1) {
        ssize_t r = read(m, buf + n, sizeof buf - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    CHECK_STREQ(buf, want);
}

static void child(const char *name)
{
    CHECK_OK(setsid());
    int fd = CHECK_OK(open(name, O_RDWR | O_NOCTTY));
    pid_t pg;
    CHECK_ERR(ioctl(fd, TIOCGPGRP, &pg), ENOTTY);   /* not ours yet */
    CHECK_EQ(ioctl(fd, TIOCSCTTY, 0), 0);
    CHECK_EQ(tcgetpgrp(fd), getpid());
    CHECK_EQ(tcgetsid(fd), getpid());
    char buf[64];
    step('A');
    /* ^C: SIGINT, and the unfinished "abc" is gone. */
    CHECK_EQ(wait_sig(SIGINT, 3000), SIGINT);
    step('B');
    ssize_t r = read(fd, buf, sizeof buf);
    CHECK_EQ(r, 2);
    CHECK_MEMEQ(buf, "d\n", 2);
    /* With NOFLSH, ^\ leaves the line alone. */
    struct termios t;
    CHECK_OK(tcgetattr(fd, &t));
    t.c_lflag |= NOFLSH;
    CHECK_OK(tcsetattr(fd, TCSANOW, &t));
    step('C');
    CHECK_EQ(wait_sig(SIGQUIT, 3000), SIGQUIT);
    r = read(fd, buf, sizeof buf);
    CHECK_EQ(r, 4);
    CHECK_MEMEQ(buf, "xyz\n", 4);
    /* A member of the foreground group that does not catch SIGINT dies. */
    pid_t g = CHECK_OK(fork());
    if (g == 0) {
        signal(SIGINT, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (;;)
            pause();
    }
    step('D');
    CHECK_CHILD_SIGNALED(g, SIGINT);
    CHECK_EQ(wait_sig(SIGINT, 3000), SIGINT);
    /* Without ISIG, ^C is a byte like any other. */
    t.c_lflag &= ~(tcflag_t)ISIG;
    CHECK_OK(tcsetattr(fd, TCSANOW, &t));
    step('E');
    r = read(fd, buf, sizeof buf);
    CHECK_EQ(r, 2);
    CHECK_MEMEQ(buf, "\003\n", 2);
    CHECK_EQ(wait_sig(SIGINT, 100), -1);
    _exit(0);
}

int main(void)
{
    m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    const char *name = ptsname(m);
    CHECK_OK(pipe(ready));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGQUIT);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGINT, on_sig);
    signal(SIGQUIT, on_sig);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        child(name);

    wait_step('A');
    type("abc");
    echoed("abc");
    type("\003");
    echoed("^C");
    wait_step('B');
    type("d\n");
    echoed("d\r\n");
    wait_step('C');
    type("xy");
    echoed("xy");
    type("\034");
    echoed("^\\");
    type("z\n");
    echoed("z\r\n");
    wait_step('D');
    type("\003");
    echoed("^C");
    wait_step('E');
    type("\003\n");
    echoed("^C\r\n");
    CHECK_CHILD_EXIT(pid, 0);
    /* This process is in no session of that terminal: nothing came here. */
    CHECK_EQ(wait_sig(SIGINT, 0), -1);
    CHECK_EQ(wait_sig(SIGQUIT, 0), -1);
    return 0;
}
