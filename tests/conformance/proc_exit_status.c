/* exit / exit_group: status truncation, SYS_exit vs SYS_exit_group,
 * atexit only for exit(), descriptors closed and zombies until reaped. */
#include "check.h"

static int atexit_fd = -1;

static void on_exit_handler(void)
{
    if (write(atexit_fd, "A", 1) != 1)
        _exit(99);
}

static pid_t child_exiting(int how, int code)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        switch (how) {
        case 0: _exit(code);
        case 1: exit(code);
        case 2: syscall(SYS_exit, code); break;
        case 3: syscall(SYS_exit_group, code); break;
        }
        _exit(99);
    }
    return pid;
}

int main(void)
{
    /* Only the low 8 bits of the exit code are reported. */
    CHECK_CHILD_EXIT(child_exiting(0, 0), 0);
    CHECK_CHILD_EXIT(child_exiting(0, 255), 255);
    CHECK_CHILD_EXIT(child_exiting(0, 256), 0);
    CHECK_CHILD_EXIT(child_exiting(0, 300), 44);
    CHECK_CHILD_EXIT(child_exiting(0, -1), 255);
    CHECK_CHILD_EXIT(child_exiting(1, 513), 1);
    /* Raw exit (single thread) and exit_group both end the process. */
    CHECK_CHILD_EXIT(child_exiting(2, 9), 9);
    CHECK_CHILD_EXIT(child_exiting(3, 10), 10);
    CHECK_CHILD_EXIT(child_exiting(3, 0x1234), 0x34);

    /* exit() runs atexit handlers, _exit() does not. */
    int p[2];
    char buf[8];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(p[0]);
        atexit_fd = p[1];
        atexit(on_exit_handler);
        exit(0);
    }
    close(p[1]);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), 1);
    CHECK_EQ(buf[0], 'A');
    close(p[0]);

    CHECK_OK(pipe(p));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        close(p[0]);
        atexit_fd = p[1];
        atexit(on_exit_handler);
        _exit(0);
    }
    close(p[1]);
    CHECK_CHILD_EXIT(pid, 0);
    /* EOF: the handler never wrote, and exit closed the child's write end. */
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    close(p[0]);

    /* An exited child stays a zombie until reaped: it can still be
     * signalled (kill(pid, 0) == 0), and afterwards ESRCH. */
    pid = child_exiting(0, 4);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
    CHECK_EQ(si.si_pid, pid);
    CHECK_EQ(kill(pid, 0), 0);
    CHECK_CHILD_EXIT(pid, 4);
    CHECK_ERR(kill(pid, 0), ESRCH);
    return 0;
}
