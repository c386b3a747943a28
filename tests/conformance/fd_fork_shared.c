/* Descriptors inherited over fork share the open file description (offset,
 * status flags) but not the descriptor flags. */
#include "check.h"

int main(void)
{
    make_tmpdir();
    int fd = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT, 0600));
    int other = CHECK_OK(open(tpath("f"), O_RDWR));

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(write(fd, "child", 5), 5);
        CHECK_OK(fcntl(fd, F_SETFL, O_APPEND));
        CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    /* The child's write moved our offset; its F_SETFL is visible. */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
    CHECK(fcntl(fd, F_GETFL) & O_APPEND);
    /* Its FD_CLOEXEC was on its own descriptor only. */
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    /* An independent open of the same file has its own offset/flags. */
    CHECK_EQ(lseek(other, 0, SEEK_CUR), 0);
    CHECK_EQ(fcntl(other, F_GETFL) & O_APPEND, 0);

    /* Interleaved writes from two processes through a shared offset never
     * overwrite each other. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(write(fd, "AAAA", 4), 4);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(write(fd, "BBBB", 4), 4);
    char buf[32];
    CHECK_EQ(pread(other, buf, sizeof buf, 0), 13);
    CHECK_MEMEQ(buf, "childAAAABBBB", 13);

    /* Closing in the child does not close in the parent. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(close(fd));
        CHECK_ERR(fcntl(fd, F_GETFD), EBADF);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(fcntl(fd, F_GETFD));
    return 0;
}
