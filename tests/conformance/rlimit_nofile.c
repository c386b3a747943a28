/* RLIMIT_NOFILE on every way of making a descriptor: dup, dup3, fcntl
 * F_DUPFD(_CLOEXEC), open, pipe; a limit lowered below open descriptors
 * leaves them usable; limit 0; inheritance by fork. */
#include "check.h"

static void set_nofile(rlim_t n)
{
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
    rl.rlim_cur = n;
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

int main(void)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* A descriptor above the limit we are about to set. */
        int null = CHECK_OK(open("/dev/null", O_RDONLY));
        int high = CHECK_OK(fcntl(null, F_DUPFD, 40));
        CHECK_OK(close(null));
        CHECK(high >= 40);
        set_nofile(20);
        /* Still usable... */
        CHECK_EQ(fcntl(high, F_GETFD), 0);
        int low = CHECK_OK(dup(high));
        CHECK(low < 20);
        /* ...but no new number at or above the limit. */
        CHECK_ERR(dup2(low, 25), EBADF);
        CHECK_ERR(dup3(low, 25, O_CLOEXEC), EBADF);
        CHECK_ERR(dup2(low, high), EBADF);   /* not even onto itself */
        CHECK_ERR(fcntl(low, F_DUPFD, 20), EINVAL);
        CHECK_ERR(fcntl(low, F_DUPFD_CLOEXEC, 30), EINVAL);
        CHECK_EQ(dup3(low, 19, O_CLOEXEC), 19);
        CHECK_EQ(fcntl(19, F_GETFD), FD_CLOEXEC);
        CHECK_EQ(dup2(low, low), low);
        CHECK_OK(close(high));

        /* Fill everything below the limit. */
        for (;;) {
            int fd = fcntl(low, F_DUPFD_CLOEXEC, 0);
            if (fd < 0) {
                CHECK_EQ(errno, EMFILE);
                break;
            }
            CHECK(fd < 20);
        }
        int p[2];
        CHECK_ERR(open("/dev/null", O_RDONLY), EMFILE);
        CHECK_ERR(openat(AT_FDCWD, "/dev/null", O_RDONLY), EMFILE);
        CHECK_ERR(pipe2(p, O_CLOEXEC), EMFILE);
        CHECK_ERR(dup(low), EMFILE);
        CHECK_ERR(fcntl(low, F_DUPFD, 5), EMFILE);
        /* A child inherits the limit. */
        pid_t c = CHECK_OK(fork());
        if (c == 0) {
            struct rlimit rl;
            CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
            CHECK_EQ(rl.rlim_cur, 20);
            CHECK_ERR(dup(low), EMFILE);
            _exit(0);
        }
        CHECK_CHILD_EXIT(c, 0);
        /* Limit 0: nothing new at all; what is open stays open. */
        set_nofile(0);
        CHECK_OK(close(19));
        CHECK_ERR(dup(low), EMFILE);
        CHECK_ERR(open("/dev/null", O_RDONLY), EMFILE);
        CHECK_ERR(dup2(low, 0), EBADF);
        CHECK_EQ(fcntl(low, F_GETFD), 0);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
