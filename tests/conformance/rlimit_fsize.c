/* RLIMIT_FSIZE: a write that would start at or beyond the limit fails with
 * EFBIG and raises SIGXFSZ; one that crosses it is cut short (no signal);
 * growing a file by truncate beyond it fails the same way; pipes are not
 * files.  With SIGXFSZ's default action the process dies of it. */
#include "check.h"
#include <sys/uio.h>

#define LIMIT 1000

static volatile sig_atomic_t xfsz;

static void on_xfsz(int sig)
{
    (void)sig;
    xfsz++;
}

static void set_fsize(rlim_t n)
{
    struct rlimit rl = { n, RLIM_INFINITY };
    CHECK_EQ(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

int main(void)
{
    enter_tmpdir();
    static char buf[4096];
    memset(buf, 'x', sizeof buf);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sigaction sa = { .sa_handler = on_xfsz };
        CHECK_OK(sigaction(SIGXFSZ, &sa, NULL));
        set_fsize(LIMIT);
        int fd = CHECK_OK(open("f", O_CREAT | O_RDWR | O_TRUNC, 0644));
        CHECK_EQ(write(fd, buf, 600), 600);
        CHECK_EQ(write(fd, buf, 600), 400);   /* cut at the limit */
        CHECK_EQ(xfsz, 0);
        CHECK_ERR(write(fd, buf, 1), EFBIG);
        CHECK_EQ(xfsz, 1);
        CHECK_EQ(write(fd, buf, 0), 0);      /* nothing written: no limit */
        CHECK_EQ(xfsz, 1);
        CHECK_ERR(pwrite(fd, buf, 10, 5000), EFBIG);
        CHECK_EQ(xfsz, 2);
        CHECK_EQ(pwrite(fd, buf, 100, 990), 10);
        struct iovec iov[2] = { { buf, 500 }, { buf, 500 } };
        CHECK_EQ(pwritev(fd, iov, 2, 300), 700);
        struct stat st;
        CHECK_OK(fstat(fd, &st));
        CHECK_EQ(st.st_size, LIMIT);
        /* Rewriting inside the limit is fine. */
        CHECK_EQ(pwrite(fd, buf, 100, 0), 100);
        CHECK_EQ(xfsz, 2);

        /* Truncate: shrinking and growing up to the limit are fine. */
        CHECK_OK(ftruncate(fd, 10));
        CHECK_OK(ftruncate(fd, LIMIT));
        CHECK_ERR(ftruncate(fd, LIMIT + 1), EFBIG);
        CHECK_EQ(xfsz, 3);
        CHECK_ERR(truncate("f", 2 * LIMIT), EFBIG);
        CHECK_EQ(xfsz, 4);
        CHECK_OK(fstat(fd, &st));
        CHECK_EQ(st.st_size, LIMIT);

        /* O_APPEND writes at the end, which is the limit. */
        int afd = CHECK_OK(open("f", O_WRONLY | O_APPEND));
        CHECK_ERR(write(afd, buf, 1), EFBIG);
        CHECK_EQ(xfsz, 5);
        CHECK_OK(ftruncate(fd, 900));
        CHECK_EQ(write(afd, buf, 500), 100);
        close(afd);

        /* A pipe is not a file: no limit. */
        int p[2];
        CHECK_OK(pipe(p));
        CHECK_EQ(write(p[1], buf, sizeof buf), (ssize_t)sizeof buf);
        CHECK_EQ(xfsz, 5);

        /* Ignored, the signal does not stop the error. */
        signal(SIGXFSZ, SIG_IGN);
        CHECK_ERR(write(fd, buf, 1), EFBIG);
        close(fd);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Default action: killed by SIGXFSZ. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGXFSZ, SIG_DFL);
        set_fsize(10);
        int fd = CHECK_OK(open("g", O_CREAT | O_WRONLY | O_TRUNC, 0644));
        CHECK_EQ(write(fd, buf, 20), 10);
        (void)!write(fd, buf, 20);
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGXFSZ);
    struct stat st;
    CHECK_OK(stat("g", &st));
    CHECK_EQ(st.st_size, 10);
    return 0;
}
