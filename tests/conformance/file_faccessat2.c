/* faccessat2: the flags argument (AT_SYMLINK_NOFOLLOW, AT_EACCESS,
 * AT_EMPTY_PATH) and its validation. */
#include "check.h"

static long fa2(int dirfd, const char *path, int mode, int flags)
{
    return syscall(SYS_faccessat2, dirfd, path, mode, flags);
}

int main(void)
{
    enter_tmpdir();
    write_file("f", "x");
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_OK(symlink("f", "l"));
    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));

    CHECK_EQ(fa2(dfd, "f", F_OK, 0), 0);
    CHECK_EQ(fa2(AT_FDCWD, "f", R_OK | W_OK, 0), 0);
    CHECK_ERR(fa2(dfd, "f", X_OK, 0), EACCES);       /* no x bit, even root */

    /* AT_SYMLINK_NOFOLLOW checks the link itself: a dangling link exists. */
    CHECK_ERR(fa2(dfd, "dangling", F_OK, 0), ENOENT);
    CHECK_EQ(fa2(dfd, "dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0);
    CHECK_EQ(fa2(dfd, "l", F_OK, AT_SYMLINK_NOFOLLOW), 0);

    /* AT_EACCESS uses the effective ids (the same here). */
    CHECK_EQ(fa2(dfd, "f", R_OK, AT_EACCESS), 0);
    CHECK_ERR(fa2(dfd, "f", X_OK, AT_EACCESS), EACCES);

    /* AT_EMPTY_PATH checks the descriptor's file. */
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(fa2(fd, "", R_OK, AT_EMPTY_PATH), 0);
    CHECK_ERR(fa2(fd, "", F_OK, 0), ENOENT);
    CHECK_OK(chmod("f", 0755));
    CHECK_EQ(fa2(fd, "", X_OK, AT_EMPTY_PATH), 0);

    /* Invalid flags and modes. */
    CHECK_ERR(fa2(dfd, "f", F_OK, 0x40000000), EINVAL);
    CHECK_ERR(fa2(dfd, "f", 0x10, 0), EINVAL);
    /* Descriptor and path errors. */
    CHECK_ERR(fa2(-1, "f", F_OK, 0), EBADF);
    CHECK_ERR(fa2(12345, "f", F_OK, 0), EBADF);
    CHECK_ERR(fa2(fd, "x", F_OK, 0), ENOTDIR);
    CHECK_ERR(fa2(dfd, "missing", F_OK, 0), ENOENT);
    CHECK_ERR(fa2(dfd, "f/x", F_OK, 0), ENOTDIR);
    CHECK_ERR(fa2(dfd, BAD_PTR, F_OK, 0), EFAULT);
    /* The glibc wrapper with flags. */
    CHECK_EQ(faccessat(dfd, "dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0);
    return 0;
}
