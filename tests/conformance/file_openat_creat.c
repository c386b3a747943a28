/* openat (dirfd-relative, AT_FDCWD, absolute), creat, and the raw open and
 * creat system calls. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;
    char buf[16];

    CHECK_OK(mkdir("sub", 0755));
    int dfd = CHECK_OK(open("sub", O_RDONLY | O_DIRECTORY));

    /* Relative to the directory descriptor. */
    int fd = CHECK_OK(openat(dfd, "a", O_CREAT | O_WRONLY, 0600));
    CHECK_OK(close(fd));
    CHECK_OK(access("sub/a", F_OK));
    CHECK_ERR(access("a", F_OK), ENOENT);
    /* AT_FDCWD means the cwd. */
    fd = CHECK_OK(openat(AT_FDCWD, "b", O_CREAT | O_WRONLY, 0600));
    CHECK_OK(close(fd));
    CHECK_OK(access("b", F_OK));
    /* An absolute path ignores dirfd (even an invalid one). */
    const char *abs = tpath("c");
    fd = CHECK_OK(openat(-1, abs, O_CREAT | O_WRONLY, 0600));
    CHECK_OK(close(fd));
    fd = CHECK_OK(openat(dfd, abs, O_RDONLY));
    CHECK_OK(close(fd));
    /* ".." relative to dirfd. */
    fd = CHECK_OK(openat(dfd, "../b", O_RDONLY));
    CHECK_OK(close(fd));

    /* Errors specific to dirfd. */
    CHECK_ERR(openat(-1, "b", O_RDONLY), EBADF);
    CHECK_ERR(openat(12345, "b", O_RDONLY), EBADF);
    int ffd = CHECK_OK(open("b", O_RDONLY));
    CHECK_ERR(openat(ffd, "x", O_RDONLY), ENOTDIR);
    CHECK_ERR(openat(dfd, "missing", O_RDONLY), ENOENT);

    /* creat == open(O_CREAT|O_WRONLY|O_TRUNC). */
    umask(0);
    write_file("existing", "some data");
    fd = CHECK_OK(creat("existing", 0600));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 0);                   /* truncated */
    CHECK_EQ(st.st_mode & 07777, 0644);        /* mode of the old file kept */
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_OK(close(fd));
    fd = CHECK_OK(creat("new", 0640));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0640);
    CHECK_OK(close(fd));
    CHECK_ERR(creat("nodir/x", 0600), ENOENT);
    CHECK_ERR(creat("sub", 0600), EISDIR);

    /* The legacy system calls, not just openat. */
    fd = CHECK_OK((int)syscall(SYS_open, "sub/a", O_RDONLY, 0));
    CHECK_OK(close(fd));
    CHECK_ERR(syscall(SYS_open, "missing", O_RDONLY, 0), ENOENT);
    fd = CHECK_OK((int)syscall(SYS_creat, "raw", 0600));
    CHECK_EQ(write(fd, "x", 1), 1);
    CHECK_OK(close(fd));
    CHECK_OK(stat("raw", &st));
    CHECK_EQ(st.st_size, 1);
    CHECK_ERR(syscall(SYS_creat, BAD_PTR, 0600), EFAULT);
    return 0;
}
