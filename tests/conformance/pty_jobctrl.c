/* Job control on a controlling terminal: tcsetpgrp/tcgetpgrp and their
 * errors, a background read stopping with SIGTTIN (EIO when SIGTTIN is
 * ignored or the group is orphaned), a background write with TOSTOP
 * stopping with SIGTTOU, tcsetpgrp from the background (SIGTTOU unless
 * blocked), and ^Z stopping the foreground job. */
#include "check.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int m, to_parent[2];
static const char *name;

static void tell_parent(char c)
{
    CHECK_EQ(write(to_parent[1], &c, 1), 1);
}

/* A job of the session leader in its own (background) group. */
static pid_t job(void (*fn)(int fd), int fd)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(setpgid(0, 0));
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);   /* the leader blocks SIGTTOU */
        fn(fd);
        _exit(0);
    }
    CHECK(setpgid(pid, pid) == 0 || errno == EACCES);
    return pid;
}

static int stop_signal(pid_t pid)
{
    int st;
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    if (!WIFSTOPPED(st))
        FAIL("status 0x%x", st);
    return WSTOPSIG(st);
}

static void reads(int fd)
{
    char buf[16];
    ssize_t r = read(fd, buf, sizeof buf);   /* SIGTTIN, then in the foreground */
    CHECK_EQ(r, 3);
    CHECK_MEMEQ(buf, "go\n", 3);
}

static void reads_ignoring(int fd)
{
    signal(SIGTTIN, SIG_IGN);
    char buf[16];
    CHECK_ERR(read(fd, buf, sizeof buf), EIO);
}

static void writes(int fd)
{
    CHECK_EQ(write(fd, "x", 1), 1);
}

static void takes_terminal(int fd)
{
    CHECK_OK(tcsetpgrp(fd, getpgrp()));   /* SIGTTOU stops us first */
}

static void takes_terminal_blocked(int fd)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTTOU);
    sigprocmask(SIG_BLOCK, &set, NULL);
    CHECK_OK(tcsetpgrp(fd, getpgrp()));
    CHECK_EQ(tcgetpgrp(fd), getpgrp());
    CHECK_OK(tcsetpgrp(fd, getsid(0)));   /* give it back */
}

static void waits(int fd)
{
    (void)fd;
    for (;;)
        pause();
}

static void leader(void)
{
    CHECK_OK(setsid());
    int fd = CHECK_OK(open(name, O_RDWR));   /* becomes the controlling tty */
    CHECK_EQ(tcgetpgrp(fd), getpid());
    sigset_t ttou;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, NULL);   /* as shells do */

    /* Errors: a group of another session; a number nobody has. */
    CHECK_ERR(tcsetpgrp(fd, getppid()), EPERM);
    pid_t gone = CHECK_OK(fork());
    if (gone == 0)
        _exit(0);
    CHECK_CHILD_EXIT(gone, 0);
    CHECK_ERR(tcsetpgrp(fd, gone), ESRCH);
    CHECK_ERR(tcsetpgrp(fd, -1), EINVAL);

    /* A background read stops with SIGTTIN; in the foreground it reads. */
    pid_t j = job(reads, fd);
    CHECK_EQ(stop_signal(j), SIGTTIN);
    CHECK_OK(tcsetpgrp(fd, j));
    CHECK_EQ(tcgetpgrp(fd), j);
    CHECK_OK(kill(j, SIGCONT));
    tell_parent('r');   /* the parent types "go" */
    CHECK_CHILD_EXIT(j, 0);
    CHECK_OK(tcsetpgrp(fd, getpgrp()));   /* from the background: SIGTTOU blocked */

    /* SIGTTIN ignored: EIO. */
    j = job(reads_ignoring, fd);
    CHECK_CHILD_EXIT(j, 0);

    /* Background writes are fine, until TOSTOP. */
    j = job(writes, fd);
    CHECK_CHILD_EXIT(j, 0);
    struct termios t;
    CHECK_OK(tcgetattr(fd, &t));
    t.c_lflag |= TOSTOP;
    CHECK_OK(tcsetattr(fd, TCSANOW, &t));
    j = job(writes, fd);
    CHECK_EQ(stop_signal(j), SIGTTOU);
    CHECK_OK(kill(j, SIGKILL));
    CHECK_CHILD_SIGNALED(j, SIGKILL);
    t.c_lflag &= ~(tcflag_t)TOSTOP;
    CHECK_OK(tcsetattr(fd, TCSANOW, &t));

    /* tcsetpgrp from the background: SIGTTOU, unless blocked. */
    j = job(takes_terminal, fd);
    CHECK_EQ(stop_signal(j), SIGTTOU);
    CHECK_OK(kill(j, SIGKILL));
    CHECK_CHILD_SIGNALED(j, SIGKILL);
    CHECK_EQ(tcgetpgrp(fd), getpgrp());
    j = job(takes_terminal_blocked, fd);
    CHECK_CHILD_EXIT(j, 0);
    CHECK_EQ(tcgetpgrp(fd), getpgrp());

    /* ^Z stops the foreground job; SIGCONT continues it. */
    j = job(waits, fd);
    CHECK_OK(tcsetpgrp(fd, j));
    tell_parent('z');   /* the parent types ^Z */
    CHECK_EQ(stop_signal(j), SIGTSTP);
    CHECK_OK(tcsetpgrp(fd, getpgrp()));
    CHECK_OK(kill(j, SIGCONT));
    int st;
    CHECK_EQ(waitpid(j, &st, WCONTINUED), j);
    CHECK(WIFCONTINUED(st));
    CHECK_OK(kill(j, SIGKILL));
    CHECK_CHILD_SIGNALED(j, SIGKILL);

    /* An orphaned group (its parent gone, no other parent in the
     * session): EIO rather than a stop nobody could undo. */
    int op[2];
    CHECK_OK(pipe(op));
    pid_t k = CHECK_OK(fork());
    if (k == 0) {
        pid_t o = CHECK_OK(fork());
        if (o == 0) {
            CHECK_OK(setpgid(0, 0));
            pid_t parent = getppid();
            CHECK_EQ(write(op[1], "o", 1), 1);
            while (getppid() == parent)
                sleep_ms(5);
            char buf[4];
            ssize_t r = read(fd, buf, sizeof buf);
            CHECK_EQ(write(op[1], r == -1 && errno == EIO ? "E" : "X", 1), 1);
            _exit(0);
        }
        char c;
        CHECK_EQ(read(op[0], &c, 1), 1);
        _exit(0);
    }
    CHECK_CHILD_EXIT(k, 0);
    char c;
    CHECK_EQ(read(op[0], &c, 1), 1);
    CHECK_EQ(c, 'E');
    _exit(0);
}

int main(void)
{
    m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    name = ptsname(m);
    int s = CHECK_OK(open(name, O_RDWR | O_NOCTTY));
    /* Not our controlling terminal. */
    CHECK_ERR(tcgetpgrp(s), ENOTTY);
    CHECK_ERR(tcsetpgrp(s, getpgrp()), ENOTTY);

    CHECK_OK(pipe(to_parent));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        leader();
    char c;
    CHECK_EQ(read(to_parent[0], &c, 1), 1);
    CHECK_EQ(c, 'r');
    CHECK_EQ(write(m, "go\n", 3), 3);
    CHECK_EQ(read(to_parent[0], &c, 1), 1);
    CHECK_EQ(c, 'z');
    CHECK_EQ(write(m, "\032", 1), 1);
    CHECK_CHILD_EXIT(pid, 0);
    close(s);
    return 0;
}
