/* open: O_CREAT (mode & ~umask), O_EXCL, O_TRUNC, access modes. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    umask(022);
    struct stat st;
    char buf[16];

    /* O_CREAT creates the file with mode & ~umask, owned by the caller,
     * empty, and the descriptor starts at offset 0. */
    int fd = CHECK_OK(open("f", O_CREAT | O_WRONLY, 0666));
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0644);
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(st.st_uid, geteuid());
    CHECK_EQ(st.st_gid, getegid());
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
    CHECK_EQ(write(fd, "hello", 5), 5);
    /* Write-only: reading is EBADF. */
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_OK(close(fd));

    /* O_CREAT on an existing file opens it: mode and data unchanged. */
    fd = CHECK_OK(open("f", O_CREAT | O_RDONLY, 0600));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0644);
    CHECK_EQ(st.st_size, 5);
    CHECK_EQ(read(fd, buf, sizeof buf), 5);
    /* Read-only: writing is EBADF. */
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_OK(close(fd));

    /* O_CREAT|O_EXCL: EEXIST if it exists, otherwise creates it. */
    CHECK_ERR(open("f", O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
    fd = CHECK_OK(open("g", O_CREAT | O_EXCL | O_RDWR, 0600));
    CHECK_OK(close(fd));
    /* O_EXCL does not follow a symlink, even a dangling one. */
    CHECK_OK(symlink("does-not-exist", "dangling"));
    CHECK_ERR(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
    CHECK_ERR(access("does-not-exist", F_OK), ENOENT);
    /* Without O_EXCL, O_CREAT through a dangling symlink creates the target. */
    fd = CHECK_OK(open("dangling", O_CREAT | O_WRONLY, 0600));
    CHECK_OK(close(fd));
    CHECK_OK(access("does-not-exist", F_OK));

    /* O_TRUNC empties an existing file opened for writing. */
    fd = CHECK_OK(open("f", O_WRONLY | O_TRUNC));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 0);
    CHECK_OK(close(fd));

    /* O_RDWR can do both; the mode given at creation only restricts later
     * opens, not the creating one. */
    fd = CHECK_OK(open("ro", O_CREAT | O_RDWR, 0444));
    CHECK_EQ(write(fd, "abc", 3), 3);
    CHECK_EQ(pread(fd, buf, 3, 0), 3);
    CHECK_MEMEQ(buf, "abc", 3);
    CHECK_OK(stat("ro", &st));
    CHECK_EQ(st.st_mode & 07777, 0444);
    CHECK_OK(close(fd));

    /* The mode argument is ignored without O_CREAT. */
    fd = CHECK_OK(open("g", O_RDONLY, 0777));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0600);

    /* open returns the lowest free descriptor: `a` was the lowest when it
     * was opened, so after closing it, it is the lowest again. */
    int a = CHECK_OK(open("g", O_RDONLY));
    int b = CHECK_OK(open("g", O_RDONLY));
    CHECK(b > a);
    CHECK_OK(close(a));
    CHECK_EQ(open("g", O_RDONLY), a);
    return 0;
}
