/* RLIMIT_NOFILE: once every descriptor below the soft limit is in use,
 * allocation fails with EMFILE; numbers at or above it are invalid. */
#include "check.h"
#include <sys/resource.h>

#define LIMIT 16

int main(void)
{
    /* Done in a child so the parent keeps its normal limit. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct rlimit rl, orig;
        CHECK_OK(getrlimit(RLIMIT_NOFILE, &orig));
        CHECK(orig.rlim_cur > LIMIT);
        rl.rlim_cur = LIMIT;
        rl.rlim_max = orig.rlim_max;
        CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));

        /* Fill every slot below the limit. */
        int last = -1;
        for (;;) {
            int fd = open("/dev/null", O_RDONLY);
            if (fd == -1) {
                CHECK_EQ(errno, EMFILE);
                break;
            }
            CHECK(fd < LIMIT);
            last = fd;
        }
        CHECK_EQ(fcntl(LIMIT - 1, F_GETFD) >= 0, 1);
        CHECK(last >= 0);
        int p[2];
        CHECK_ERR(open("/dev/null", O_RDONLY), EMFILE);
        CHECK_ERR(pipe(p), EMFILE);
        CHECK_ERR(dup(last), EMFILE);
        CHECK_ERR(fcntl(last, F_DUPFD, 0), EMFILE);
        CHECK_ERR(fcntl(last, F_DUPFD, LIMIT), EINVAL);
        CHECK_ERR(dup2(last, LIMIT), EBADF);
        /* dup2 onto an existing descriptor below the limit still works. */
        CHECK_EQ(dup2(last, LIMIT - 1), LIMIT - 1);

        /* Freeing one slot allows exactly one more. */
        CHECK_OK(close(last));
        CHECK_EQ(open("/dev/null", O_RDONLY), last);
        CHECK_ERR(open("/dev/null", O_RDONLY), EMFILE);

        /* A pipe needs two free slots. */
        CHECK_OK(close(LIMIT - 1));
        CHECK_ERR(pipe(p), EMFILE);
        CHECK_OK(close(LIMIT - 2));
        CHECK_OK(pipe(p));

        /* Raising the soft limit back up (to the hard limit) is allowed. */
        CHECK_OK(setrlimit(RLIMIT_NOFILE, &orig));
        CHECK(open("/dev/null", O_RDONLY) >= LIMIT);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
