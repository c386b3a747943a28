/* stat / lstat / fstat: fields of files, directories and symlinks, and the
 * error paths. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    umask(0);
    struct stat s, l, f, d;

    int fd = CHECK_OK(open("file", O_CREAT | O_RDWR, 0640));
    CHECK_EQ(write(fd, "12345", 5), 5);
    CHECK_OK(stat("file", &s));
    CHECK(S_ISREG(s.st_mode));
    CHECK_EQ(s.st_mode & 07777, 0640);
    CHECK_EQ(s.st_size, 5);
    CHECK_EQ(s.st_nlink, 1);
    CHECK_EQ(s.st_uid, geteuid());
    CHECK_EQ(s.st_gid, getegid());
    CHECK(s.st_ino != 0);
    CHECK(s.st_blksize > 0);
    CHECK(s.st_blocks >= 0);
    /* stat, lstat and fstat agree on a non-symlink. */
    CHECK_OK(lstat("file", &l));
    CHECK_OK(fstat(fd, &f));
    CHECK_EQ(l.st_ino, s.st_ino);
    CHECK_EQ(f.st_ino, s.st_ino);
    CHECK_EQ(f.st_dev, s.st_dev);
    CHECK_EQ(f.st_mode, s.st_mode);
    CHECK_EQ(f.st_size, s.st_size);
    /* Size follows writes through the descriptor. */
    CHECK_EQ(write(fd, "678", 3), 3);
    CHECK_OK(fstat(fd, &f));
    CHECK_EQ(f.st_size, 8);

    /* A directory, on the same device as its entries. */
    CHECK_OK(stat(".", &d));
    CHECK(S_ISDIR(d.st_mode));
    CHECK_EQ(d.st_dev, s.st_dev);
    CHECK(d.st_nlink >= 2);
    struct stat d2;
    CHECK_OK(stat(make_tmpdir(), &d2));
    CHECK_EQ(d2.st_ino, d.st_ino);

    /* A symlink: lstat describes the link, stat the target. */
    CHECK_OK(symlink("file", "link"));
    CHECK_OK(lstat("link", &l));
    CHECK(S_ISLNK(l.st_mode));
    CHECK_EQ(l.st_size, 4);                    /* strlen("file") */
    CHECK_NE(l.st_ino, s.st_ino);
    CHECK_OK(stat("link", &f));
    CHECK(S_ISREG(f.st_mode));
    CHECK_EQ(f.st_ino, s.st_ino);
    /* A dangling symlink: stat ENOENT, lstat fine. */
    CHECK_OK(symlink("nowhere", "dangling"));
    CHECK_ERR(stat("dangling", &f), ENOENT);
    CHECK_OK(lstat("dangling", &l));
    CHECK_EQ(l.st_size, 7);

    /* Errors. */
    CHECK_ERR(stat("missing", &f), ENOENT);
    CHECK_ERR(lstat("missing", &f), ENOENT);
    CHECK_ERR(stat("", &f), ENOENT);
    CHECK_ERR(stat("file/x", &f), ENOTDIR);
    CHECK_ERR(stat("file/", &f), ENOTDIR);
    CHECK_ERR(stat(BAD_PTR, &f), EFAULT);
    CHECK_ERR(stat("file", BAD_PTR), EFAULT);
    CHECK_ERR(fstat(-1, &f), EBADF);
    CHECK_ERR(fstat(12345, &f), EBADF);
    CHECK_ERR(fstat(fd, BAD_PTR), EFAULT);
    /* The legacy syscalls directly. */
    CHECK_OK(syscall(SYS_stat, "file", &f));
    CHECK_EQ(f.st_ino, s.st_ino);
    CHECK_OK(syscall(SYS_lstat, "link", &f));
    CHECK(S_ISLNK(f.st_mode));
    CHECK_OK(syscall(SYS_fstat, fd, &f));
    CHECK_EQ(f.st_size, 8);
    CHECK_ERR(syscall(SYS_stat, "missing", &f), ENOENT);
    return 0;
}
