/* splice(2) between a pipe and a file, both ways: with the file's own
 * offset or an explicit one, EOF, an empty pipe (blocking, SPLICE_F_NONBLOCK,
 * no writer), and the argument checks. */
#include "check.h"

int main(void)
{
    make_tmpdir();
    int fd = CHECK_OK(open(tpath("src"), O_RDWR | O_CREAT, 0600));
    CHECK_EQ(write(fd, "hello, splice world", 19), 19);
    int p[2];
    CHECK_OK(pipe(p));

    /* File -> pipe at an explicit offset: the file's offset stays. */
    loff_t off = 7;
    CHECK_EQ(splice(fd, &off, p[1], NULL, 6, 0), 6);
    CHECK_EQ(off, 13);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 19);
    char buf[64];
    CHECK_EQ(read(p[0], buf, sizeof buf), 6);
    CHECK_MEMEQ(buf, "splice", 6);

    /* File -> pipe at the file's offset, which moves; short at EOF. */
    CHECK_OK(lseek(fd, 14, SEEK_SET));
    CHECK_EQ(splice(fd, NULL, p[1], NULL, 100, 0), 5);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 19);
    CHECK_EQ(splice(fd, NULL, p[1], NULL, 100, 0), 0);   /* EOF */

    /* Pipe -> file: at most what the pipe holds; an explicit offset. */
    int out = CHECK_OK(open(tpath("dst"), O_RDWR | O_CREAT, 0600));
    off = 3;
    CHECK_EQ(splice(p[0], NULL, out, &off, 100, 0), 5);
    CHECK_EQ(off, 8);
    CHECK_EQ(lseek(out, 0, SEEK_CUR), 0);
    CHECK_EQ(pread(out, buf, sizeof buf, 0), 8);
    CHECK_MEMEQ(buf, "\0\0\0world", 8);
    /* ...and at the file's offset. */
    CHECK_EQ(write(p[1], "abcdef", 6), 6);
    CHECK_EQ(splice(p[0], NULL, out, NULL, 4, 0), 4);
    CHECK_EQ(lseek(out, 0, SEEK_CUR), 4);
    CHECK_EQ(read(p[0], buf, sizeof buf), 2);   /* the rest stayed */
    CHECK_MEMEQ(buf, "ef", 2);

    /* An empty pipe: EAGAIN with SPLICE_F_NONBLOCK (or O_NONBLOCK)... */
    CHECK_ERR(splice(p[0], NULL, out, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(splice(p[0], NULL, out, NULL, 10, 0), EAGAIN);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));
    /* ...blocks until a writer writes... */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(100);
        CHECK_EQ(write(p[1], "late", 4), 4);
        _exit(0);
    }
    CHECK_EQ(splice(p[0], NULL, out, NULL, 10, 0), 4);
    CHECK_CHILD_EXIT(pid, 0);
    /* ...and is EOF without writers. */
    CHECK_OK(close(p[1]));
    CHECK_EQ(splice(p[0], NULL, out, NULL, 10, 0), 0);
    CHECK_OK(close(p[0]));

    /* A full pipe: SPLICE_F_NONBLOCK gives EAGAIN; no reader: EPIPE. */
    CHECK_OK(pipe(p));
    long size = CHECK_OK(fcntl(p[1], F_GETPIPE_SZ));
    char *big = calloc(1, (size_t)size);
    CHECK(big != NULL);
    CHECK_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    CHECK_EQ(write(p[1], big, (size_t)size), size);
    off = 0;
    CHECK_ERR(splice(fd, &off, p[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_EQ(off, 0);
    CHECK_OK(close(p[0]));
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(splice(fd, &off, p[1], NULL, 10, 0), EPIPE);
    CHECK_OK(close(p[1]));
    free(big);

    /* Errors. */
    CHECK_OK(pipe(p));
    CHECK_EQ(splice(fd, NULL, p[1], NULL, 0, 0), 0);          /* len 0 */
    CHECK_ERR(splice(fd, NULL, p[1], NULL, 1, 0x100), EINVAL); /* flags */
    CHECK_ERR(splice(fd, NULL, out, NULL, 1, 0), EINVAL);      /* no pipe */
    off = 0;
    CHECK_ERR(splice(p[0], &off, out, NULL, 1, 0), ESPIPE);   /* pipe offset */
    CHECK_ERR(splice(fd, NULL, p[1], &off, 1, 0), ESPIPE);
    CHECK_ERR(splice(999, NULL, p[1], NULL, 1, 0), EBADF);
    CHECK_ERR(splice(p[1], NULL, out, NULL, 1, 0), EBADF);     /* write end as input */
    CHECK_ERR(splice(fd, BAD_PTR, p[1], NULL, 1, 0), EFAULT);
    int ro = CHECK_OK(open(tpath("dst"), O_RDONLY));
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_ERR(splice(p[0], NULL, ro, NULL, 1, 0), EBADF);
    int app = CHECK_OK(open(tpath("dst"), O_WRONLY | O_APPEND));
    CHECK_ERR(splice(p[0], NULL, app, NULL, 1, 0), EINVAL);
    off = -1;
    CHECK_ERR(splice(fd, &off, p[1], NULL, 1, 0), EINVAL);
    return 0;
}
