/* linkat: dirfds, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH, invalid flags. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat s, t;
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("b", 0755));
    write_file("a/f", "data");
    CHECK_OK(stat("a/f", &s));
    int da = CHECK_OK(open("a", O_RDONLY | O_DIRECTORY));
    int db = CHECK_OK(open("b", O_RDONLY | O_DIRECTORY));

    CHECK_EQ(linkat(da, "f", db, "g", 0), 0);
    CHECK_OK(stat("b/g", &t));
    CHECK_EQ(t.st_ino, s.st_ino);
    CHECK_EQ(t.st_nlink, 2);
    CHECK_EQ(linkat(AT_FDCWD, "a/f", AT_FDCWD, "top", 0), 0);

    /* By default a symlink source is linked itself; AT_SYMLINK_FOLLOW
     * dereferences it. */
    CHECK_OK(symlinkat("f", da, "sl"));
    CHECK_EQ(linkat(da, "sl", db, "nofollow", 0), 0);
    CHECK_OK(lstat("b/nofollow", &t));
    CHECK(S_ISLNK(t.st_mode));
    CHECK_EQ(linkat(da, "sl", db, "follow", AT_SYMLINK_FOLLOW), 0);
    CHECK_OK(lstat("b/follow", &t));
    CHECK(S_ISREG(t.st_mode));
    CHECK_EQ(t.st_ino, s.st_ino);

    /* AT_EMPTY_PATH links the file an open descriptor refers to (needs
     * CAP_DAC_READ_SEARCH, which root has). */
    int fd = CHECK_OK(open("a/f", O_RDONLY));
    CHECK_EQ(linkat(fd, "", db, "fromfd", AT_EMPTY_PATH), 0);
    CHECK_OK(stat("b/fromfd", &t));
    CHECK_EQ(t.st_ino, s.st_ino);
    /* Without AT_EMPTY_PATH, an empty name is ENOENT. */
    CHECK_ERR(linkat(fd, "", db, "x", 0), ENOENT);

    /* Errors. */
    CHECK_ERR(linkat(da, "f", db, "g", 0), EEXIST);
    CHECK_ERR(linkat(da, "f", db, "x", 0x40000000), EINVAL);
    CHECK_ERR(linkat(da, "f", db, "x", AT_SYMLINK_NOFOLLOW), EINVAL);
    CHECK_ERR(linkat(-1, "f", db, "x", 0), EBADF);
    CHECK_ERR(linkat(da, "f", 12345, "x", 0), EBADF);
    CHECK_ERR(linkat(fd, "f", db, "x", 0), ENOTDIR);
    CHECK_ERR(linkat(da, "missing", db, "x", 0), ENOENT);
    CHECK_ERR(linkat(AT_FDCWD, "a", db, "x", 0), EPERM);    /* a directory */
    CHECK_ERR(faccessat(db, "x", F_OK, 0), ENOENT);
    CHECK_OK(stat("a/f", &t));
    CHECK_EQ(t.st_nlink, 5);   /* f, b/g, top, b/follow, b/fromfd */
    return 0;
}
