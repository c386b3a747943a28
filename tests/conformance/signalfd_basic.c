/* signalfd: reading blocked signals as struct signalfd_siginfo (SI_USER,
 * SI_QUEUE, SI_TKILL), several at once, EAGAIN, the mask and its update,
 * the flags and the argument errors. */
#include "check.h"
#include <poll.h>
#include <sys/signalfd.h>

static int rd(int fd, struct signalfd_siginfo *si, int n)
{
    ssize_t r = read(fd, si, (size_t)n * sizeof *si);
    if (r < 0)
        return -1;
    CHECK_EQ(r % (ssize_t)sizeof *si, 0);
    return (int)(r / (ssize_t)sizeof *si);
}

int main(void)
{
    CHECK_EQ(sizeof(struct signalfd_siginfo), 128);
    sigset_t mask, usr1, all;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    sigaddset(&mask, SIGRTMIN);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &mask, NULL));

    /* Arguments. */
    CHECK_ERR(signalfd(-1, &mask, 0x1234), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, -1, &mask, 4, 0), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, -1, BAD_PTR, 8, 0), EFAULT);
    CHECK_ERR(signalfd(9999, &mask, 0), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(signalfd(p[0], &mask, 0), EINVAL);

    int fd = CHECK_OK(signalfd(-1, &mask, SFD_NONBLOCK));
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    char link[64], buf[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = CHECK_OK(readlink(link, buf, sizeof buf - 1));
    buf[n] = 0;
    CHECK_STREQ(buf, "anon_inode:[signalfd]");

    struct signalfd_siginfo si[4];
    CHECK_ERR(read(fd, si, sizeof si), EAGAIN);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    CHECK_EQ(poll(&pfd, 1, 0), 0);

    /* kill(): SI_USER with the sender's pid and uid. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    CHECK_EQ(pfd.revents, POLLIN);
    CHECK_ERR(read(fd, si, sizeof si[0] - 1), EINVAL);   /* too small for one */
    memset(si, 0xff, sizeof si);
    CHECK_EQ(rd(fd, si, 4), 1);
    CHECK_EQ(si[0].ssi_signo, SIGUSR1);
    CHECK_EQ(si[0].ssi_code, SI_USER);
    CHECK_EQ(si[0].ssi_pid, getpid());
    CHECK_EQ(si[0].ssi_uid, getuid());
    CHECK_EQ(si[0].ssi_errno, 0);
    CHECK_EQ(si[0].ssi_int, 0);
    CHECK_EQ(si[0].ssi_addr, 0);
    /* Taken: no longer pending. */
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR1));
    CHECK_ERR(read(fd, si, sizeof si), EAGAIN);

    /* Several at once, lowest number first; a buffer for two takes two. */
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_OK(kill(getpid(), SIGUSR1));
    union sigval val = { .sival_int = 41 };
    CHECK_OK(sigqueue(getpid(), SIGRTMIN, val));
    val.sival_int = 42;
    CHECK_OK(sigqueue(getpid(), SIGRTMIN, val));
    CHECK_EQ(rd(fd, si, 2), 2);
    CHECK_EQ(si[0].ssi_signo, SIGUSR1);
    CHECK_EQ(si[1].ssi_signo, SIGUSR2);
    /* Real-time signals queue, with their values, in order. */
    CHECK_EQ(rd(fd, si, 4), 2);
    CHECK_EQ(si[0].ssi_signo, SIGRTMIN);
    CHECK_EQ(si[0].ssi_code, SI_QUEUE);
    CHECK_EQ(si[0].ssi_int, 41);
    CHECK_EQ(si[0].ssi_pid, getpid());
    CHECK_EQ(si[1].ssi_int, 42);
    CHECK_EQ(si[1].ssi_ptr, 42);

    /* tgkill(): SI_TKILL. */
    CHECK_OK(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2));
    CHECK_EQ(rd(fd, si, 1), 1);
    CHECK_EQ(si[0].ssi_signo, SIGUSR2);
    CHECK_EQ(si[0].ssi_code, SI_TKILL);
    CHECK_EQ(si[0].ssi_pid, getpid());

    /* Signals outside the mask stay pending. */
    int fd1 = CHECK_OK(signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC));
    CHECK_EQ(fcntl(fd1, F_GETFD), FD_CLOEXEC);
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_ERR(read(fd1, si, sizeof si), EAGAIN);
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR2));
    /* A new mask for the same descriptor (returned again). */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigaddset(&usr2, SIGKILL);   /* SIGKILL and SIGSTOP are left out quietly */
    CHECK_EQ(signalfd(fd1, &usr2, 0), fd1);
    CHECK_EQ(fcntl(fd1, F_GETFL) & O_NONBLOCK, O_NONBLOCK);   /* flags unchanged */
    CHECK_EQ(rd(fd1, si, 4), 1);
    CHECK_EQ(si[0].ssi_signo, SIGUSR2);

    /* A blocking read waits for the signal. */
    int fdb = CHECK_OK(signalfd(-1, &usr1, 0));
    pid_t parent = getpid();
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        _exit(kill(parent, SIGUSR1) == 0 ? 0 : 1);
    }
    CHECK_EQ(rd(fdb, si, 4), 1);
    CHECK_EQ(si[0].ssi_signo, SIGUSR1);
    CHECK_EQ(si[0].ssi_pid, pid);
    CHECK_CHILD_EXIT(pid, 0);

    /* Not writable. */
    CHECK_ERR(write(fd, si, sizeof si[0]), EINVAL);
    sigfillset(&all);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &all, NULL));
    return 0;
}
