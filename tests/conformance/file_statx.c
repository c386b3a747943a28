/* statx: mask, fields consistent with fstat, flags, errors. */
#include "check.h"
#include <sys/sysmacros.h>

static long sx(int dirfd, const char *path, int flags, unsigned mask,
               struct statx *buf)
{
    return syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

/* The fields every local filesystem can provide. */
#define NEEDED (STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID | \
                STATX_INO | STATX_SIZE | STATX_MTIME)

int main(void)
{
    enter_tmpdir();
    umask(0);
    struct statx x;
    struct stat st;

    int fd = CHECK_OK(open("f", O_CREAT | O_RDWR, 0604));
    CHECK_EQ(write(fd, "abcdefg", 7), 7);
    CHECK_OK(fstat(fd, &st));

    memset(&x, 0xaa, sizeof x);
    CHECK_EQ(sx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &x), 0);
    CHECK_EQ(x.stx_mask & NEEDED, NEEDED);
    CHECK(S_ISREG(x.stx_mode));
    CHECK_EQ(x.stx_mode & 07777, 0604);
    CHECK_EQ(x.stx_size, 7);
    CHECK_EQ(x.stx_ino, st.st_ino);
    CHECK_EQ(x.stx_nlink, 1);
    CHECK_EQ(x.stx_uid, geteuid());
    CHECK_EQ(x.stx_gid, getegid());
    CHECK_EQ(x.stx_mtime.tv_sec, st.st_mtim.tv_sec);
    CHECK_EQ(x.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
    CHECK(x.stx_blksize > 0);
    CHECK_EQ(makedev(x.stx_dev_major, x.stx_dev_minor), st.st_dev);

    /* AT_EMPTY_PATH on the descriptor, including a pipe. */
    CHECK_EQ(sx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &x), 0);
    CHECK_EQ(x.stx_ino, st.st_ino);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(sx(p[1], "", AT_EMPTY_PATH, STATX_TYPE, &x), 0);
    CHECK(x.stx_mask & STATX_TYPE);
    CHECK(S_ISFIFO(x.stx_mode));

    /* Symlinks: followed unless AT_SYMLINK_NOFOLLOW. */
    CHECK_OK(symlink("f", "l"));
    CHECK_EQ(sx(AT_FDCWD, "l", 0, STATX_BASIC_STATS, &x), 0);
    CHECK_EQ(x.stx_ino, st.st_ino);
    CHECK_EQ(sx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x), 0);
    CHECK(S_ISLNK(x.stx_mode));
    CHECK_EQ(x.stx_size, 1);

    /* Directory, relative to a dirfd; sync flags are accepted. */
    CHECK_OK(mkdir("d", 0755));
    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(sx(dfd, "d", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &x), 0);
    CHECK(S_ISDIR(x.stx_mode));
    CHECK_EQ(sx(dfd, "d", AT_STATX_DONT_SYNC, STATX_TYPE, &x), 0);
    CHECK_EQ(sx(dfd, "d", AT_STATX_FORCE_SYNC, STATX_TYPE, &x), 0);
    /* A zero mask is allowed. */
    CHECK_EQ(sx(dfd, "d", 0, 0, &x), 0);

    /* Errors. */
    CHECK_ERR(sx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &x), ENOENT);
    CHECK_ERR(sx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &x), ENOENT);
    CHECK_ERR(sx(AT_FDCWD, "f/x", 0, STATX_BASIC_STATS, &x), ENOTDIR);
    /* The reserved mask bit, unknown flags, both sync flags at once. */
    CHECK_ERR(sx(AT_FDCWD, "f", 0, STATX__RESERVED, &x), EINVAL);
    CHECK_ERR(sx(AT_FDCWD, "f", 0x40000000, STATX_BASIC_STATS, &x), EINVAL);
    CHECK_ERR(sx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
                 STATX_BASIC_STATS, &x), EINVAL);
    CHECK_ERR(sx(12345, "f", 0, STATX_BASIC_STATS, &x), EBADF);
    CHECK_ERR(sx(fd, "x", 0, STATX_BASIC_STATS, &x), ENOTDIR);
    CHECK_ERR(sx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, BAD_PTR), EFAULT);
    CHECK_ERR(sx(AT_FDCWD, BAD_PTR, 0, STATX_BASIC_STATS, &x), EFAULT);
    return 0;
}
