/* newfstatat: dirfd-relative lookups, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
#include "check.h"

static long nfsat(int dirfd, const char *path, struct stat *st, int flags)
{
    return syscall(SYS_newfstatat, dirfd, path, st, flags);
}

int main(void)
{
    enter_tmpdir();
    struct stat s, t;

    CHECK_OK(mkdir("d", 0755));
    write_file("d/f", "hello");
    CHECK_OK(symlink("f", "d/l"));
    int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));

    /* Relative to a directory descriptor, and to AT_FDCWD. */
    CHECK_EQ(nfsat(dfd, "f", &s, 0), 0);
    CHECK(S_ISREG(s.st_mode));
    CHECK_EQ(s.st_size, 5);
    CHECK_EQ(nfsat(AT_FDCWD, "d/f", &t, 0), 0);
    CHECK_EQ(t.st_ino, s.st_ino);
    /* An absolute path ignores dirfd. */
    CHECK_EQ(nfsat(-1, tpath("d/f"), &t, 0), 0);
    CHECK_EQ(t.st_ino, s.st_ino);

    /* Symlinks: followed by default, not with AT_SYMLINK_NOFOLLOW. */
    CHECK_EQ(nfsat(dfd, "l", &t, 0), 0);
    CHECK_EQ(t.st_ino, s.st_ino);
    CHECK_EQ(nfsat(dfd, "l", &t, AT_SYMLINK_NOFOLLOW), 0);
    CHECK(S_ISLNK(t.st_mode));
    CHECK_EQ(t.st_size, 1);

    /* AT_EMPTY_PATH: stat the descriptor itself, of any kind. */
    int fd = CHECK_OK(open("d/f", O_RDONLY));
    CHECK_EQ(nfsat(fd, "", &t, AT_EMPTY_PATH), 0);
    CHECK_EQ(t.st_ino, s.st_ino);
    CHECK_EQ(nfsat(dfd, "", &t, AT_EMPTY_PATH), 0);
    CHECK(S_ISDIR(t.st_mode));
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(nfsat(p[0], "", &t, AT_EMPTY_PATH), 0);
    CHECK(S_ISFIFO(t.st_mode));
    /* ...with AT_FDCWD it is the cwd. */
    CHECK_EQ(nfsat(AT_FDCWD, "", &t, AT_EMPTY_PATH), 0);
    struct stat cwd;
    CHECK_OK(stat(".", &cwd));
    CHECK_EQ(t.st_ino, cwd.st_ino);
    /* O_PATH descriptor of the symlink itself. */
    int lfd = CHECK_OK(open("d/l", O_PATH | O_NOFOLLOW));
    CHECK_EQ(nfsat(lfd, "", &t, AT_EMPTY_PATH), 0);
    CHECK(S_ISLNK(t.st_mode));

    /* Errors. */
    CHECK_ERR(nfsat(fd, "", &t, 0), ENOENT);          /* no AT_EMPTY_PATH */
    CHECK_ERR(nfsat(dfd, "missing", &t, 0), ENOENT);
    CHECK_ERR(nfsat(dfd, "f", &t, 0x10000000), EINVAL);
    CHECK_ERR(nfsat(-1, "f", &t, 0), EBADF);
    CHECK_ERR(nfsat(12345, "f", &t, 0), EBADF);
    CHECK_ERR(nfsat(12345, "", &t, AT_EMPTY_PATH), EBADF);
    CHECK_ERR(nfsat(fd, "x", &t, 0), ENOTDIR);       /* dirfd is a file */
    CHECK_ERR(nfsat(dfd, "f", BAD_PTR, 0), EFAULT);
    CHECK_ERR(nfsat(dfd, BAD_PTR, &t, 0), EFAULT);
    /* The glibc wrapper. */
    CHECK_OK(fstatat(dfd, "l", &t, AT_SYMLINK_NOFOLLOW));
    CHECK(S_ISLNK(t.st_mode));
    return 0;
}
