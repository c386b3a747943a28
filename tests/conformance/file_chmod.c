/* chmod / fchmod / fchmodat: permission and special bits, symlinks
 * followed, error paths. */
#include "check.h"

static mode_t mode_of(const char *p)
{
    struct stat st;
    CHECK_OK(stat(p, &st));
    return st.st_mode;
}

int main(void)
{
    enter_tmpdir();
    umask(0);
    write_file("f", "x");

    CHECK_EQ(chmod("f", 0600), 0);
    CHECK_EQ(mode_of("f") & 07777, 0600);
    CHECK(S_ISREG(mode_of("f")));              /* type bits untouched */
    CHECK_EQ(chmod("f", 0), 0);
    CHECK_EQ(mode_of("f") & 07777, 0);
    /* Special bits are kept when root sets them. */
    CHECK_EQ(chmod("f", 07755), 0);
    CHECK_EQ(mode_of("f") & 07777, 07755);

    /* chmod follows symlinks: the target changes, the link stays 0777. */
    CHECK_OK(symlink("f", "l"));
    CHECK_EQ(chmod("l", 0640), 0);
    CHECK_EQ(mode_of("f") & 07777, 0640);
    struct stat st;
    CHECK_OK(lstat("l", &st));
    CHECK_EQ(st.st_mode & 07777, 0777);

    /* fchmod on a descriptor, even a read-only one. */
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(fchmod(fd, 0604), 0);
    CHECK_EQ(mode_of("f") & 07777, 0604);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0604);

    /* fchmodat relative to a directory; the raw syscall has no flags. */
    CHECK_OK(mkdir("d", 0755));
    write_file("d/g", "");
    int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(fchmodat(dfd, "g", 0611, 0), 0);
    CHECK_EQ(mode_of("d/g") & 07777, 0611);
    CHECK_EQ(syscall(SYS_fchmodat, dfd, "g", 0644), 0);
    CHECK_EQ(mode_of("d/g") & 07777, 0644);
    CHECK_EQ(fchmodat(AT_FDCWD, "d", 01777, 0), 0);   /* sticky dir */
    CHECK_EQ(mode_of("d") & 07777, 01777);
    CHECK(S_ISDIR(mode_of("d")));

    /* Errors. */
    CHECK_ERR(chmod("missing", 0644), ENOENT);
    CHECK_ERR(chmod("", 0644), ENOENT);
    CHECK_ERR(chmod("f/x", 0644), ENOTDIR);
    CHECK_ERR(chmod(BAD_PTR, 0644), EFAULT);
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_ERR(chmod("dangling", 0644), ENOENT);
    CHECK_ERR(fchmod(-1, 0644), EBADF);
    CHECK_ERR(fchmod(12345, 0644), EBADF);
    CHECK_ERR(fchmodat(-1, "g", 0644, 0), EBADF);
    CHECK_ERR(fchmodat(fd, "g", 0644, 0), ENOTDIR);
    CHECK_ERR(fchmodat(dfd, "missing", 0644, 0), ENOENT);
    CHECK_EQ(mode_of("f") & 07777, 0604);
    return 0;
}
