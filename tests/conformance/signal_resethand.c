/* SA_RESETHAND (SA_ONESHOT): the first delivery runs the handler and resets
 * the disposition to SIG_DFL, so the second delivery takes the default
 * action (observed in children); with SA_NODEFER too, a re-raise inside
 * the handler kills at once; the reset is visible through sigaction. */
#include "check.h"

static int out_fd = -1;
static void say(char c) { (void)!write(out_fd, &c, 1); }

static void note(int sig)
{
    (void)sig;
    say('h');
}

static void reraise(int sig)
{
    say('1');
    raise(sig);             /* SA_NODEFER: the default action, right now */
    say('2');
}

static pid_t child(void (*h)(int), int flags, int *rfd, int wait_parent)
{
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(p[0]);
        out_fd = p[1];
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = h;
        sa.sa_flags = flags;
        sigaction(SIGTERM, &sa, NULL);
        say('r');
        if (wait_parent)
            for (;;)
                pause();
        raise(SIGTERM);
        say('e');
        _exit(0);
    }
    close(p[1]);
    *rfd = p[0];
    return pid;
}

int main(void)
{
    int rfd;
    char buf[8];

    /* Parent sends twice: caught, then killed. */
    pid_t pid = child(note, SA_RESETHAND, &rfd, 1);
    CHECK_EQ(read(rfd, buf, 1), 1);
    CHECK_EQ(buf[0], 'r');
    CHECK_OK(kill(pid, SIGTERM));
    CHECK_EQ(read(rfd, buf, 1), 1);
    CHECK_EQ(buf[0], 'h');
    CHECK_OK(kill(pid, SIGTERM));
    CHECK_CHILD_SIGNALED(pid, SIGTERM);
    close(rfd);

    /* SA_RESETHAND | SA_NODEFER: killed inside the handler. */
    pid = child(reraise, SA_RESETHAND | SA_NODEFER, &rfd, 0);
    CHECK_CHILD_SIGNALED(pid, SIGTERM);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(rfd, buf, sizeof buf), 2);
    CHECK_STREQ(buf, "r1");
    close(rfd);

    /* Without SA_RESETHAND the handler stays. */
    pid = child(note, 0, &rfd, 0);
    CHECK_CHILD_EXIT(pid, 0);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(rfd, buf, sizeof buf), 3);
    CHECK_STREQ(buf, "rhe");
    close(rfd);

    /* Seen through sigaction after one delivery. */
    struct sigaction sa, cur;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = note;
    sa.sa_flags = SA_RESETHAND;
    out_fd = open("/dev/null", O_WRONLY);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR1, NULL, &cur));
    CHECK(cur.sa_handler == note);
    CHECK(cur.sa_flags & SA_RESETHAND);
    CHECK_OK(raise(SIGUSR1));
    CHECK_OK(sigaction(SIGUSR1, NULL, &cur));
    CHECK(cur.sa_handler == SIG_DFL);
    return 0;
}
