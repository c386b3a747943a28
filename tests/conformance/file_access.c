/* access / faccessat as root: existence, root's permission overrides, the
 * "any execute bit" rule, error paths. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    CHECK_EQ(geteuid(), 0);    /* the suite runs as root */
    write_file("f", "x");

    CHECK_EQ(access("f", F_OK), 0);
    CHECK_EQ(access("f", R_OK | W_OK), 0);
    /* Root may read and write regardless of the mode bits... */
    CHECK_OK(chmod("f", 0));
    CHECK_EQ(access("f", R_OK), 0);
    CHECK_EQ(access("f", W_OK), 0);
    /* ...but execute only if some execute bit is set. */
    CHECK_ERR(access("f", X_OK), EACCES);
    CHECK_ERR(access("f", R_OK | X_OK), EACCES);
    CHECK_OK(chmod("f", 0001));
    CHECK_EQ(access("f", X_OK), 0);
    CHECK_OK(chmod("f", 0010));
    CHECK_EQ(access("f", X_OK), 0);
    CHECK_OK(chmod("f", 0644));
    CHECK_ERR(access("f", X_OK), EACCES);
    /* Directories are always searchable for root. */
    CHECK_OK(mkdir("d", 0));
    CHECK_EQ(access("d", X_OK), 0);
    CHECK_EQ(access("d", R_OK | W_OK | X_OK), 0);
    write_file("d/inner", "");
    CHECK_EQ(access("d/inner", F_OK), 0);

    /* Symlinks are followed. */
    CHECK_OK(symlink("f", "l"));
    CHECK_EQ(access("l", R_OK), 0);
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_ERR(access("dangling", F_OK), ENOENT);

    /* Errors. */
    CHECK_ERR(access("missing", F_OK), ENOENT);
    CHECK_ERR(access("", F_OK), ENOENT);
    CHECK_ERR(access("f/x", F_OK), ENOTDIR);
    CHECK_ERR(access(BAD_PTR, F_OK), EFAULT);
    CHECK_ERR(access("f", 0x10), EINVAL);            /* unknown mode bit */
    CHECK_ERR(access("f", -1), EINVAL);

    /* The raw faccessat syscall (no flags argument) with a dirfd. */
    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(syscall(SYS_faccessat, dfd, "f", R_OK), 0);
    CHECK_EQ(syscall(SYS_faccessat, AT_FDCWD, "d/inner", F_OK), 0);
    CHECK_ERR(syscall(SYS_faccessat, dfd, "missing", F_OK), ENOENT);
    CHECK_ERR(syscall(SYS_faccessat, dfd, "f", X_OK), EACCES);
    CHECK_ERR(syscall(SYS_faccessat, -1, "f", F_OK), EBADF);
    int ffd = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(syscall(SYS_faccessat, ffd, "x", F_OK), ENOTDIR);
    CHECK_EQ(syscall(SYS_faccessat, -1, tpath("f"), F_OK), 0);  /* absolute */
    CHECK_EQ(syscall(SYS_access, "f", W_OK), 0);
    return 0;
}
