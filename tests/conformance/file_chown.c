/* chown / fchown / lchown / fchownat as root: ids, -1 meaning "unchanged",
 * symlink handling, set-id bits cleared, errors. */
#include "check.h"

static void ids(const char *p, int nofollow, uid_t *u, gid_t *g)
{
    struct stat st;
    if (nofollow)
        CHECK_OK(lstat(p, &st));
    else
        CHECK_OK(stat(p, &st));
    *u = st.st_uid;
    *g = st.st_gid;
}

int main(void)
{
    enter_tmpdir();
    uid_t u;
    gid_t g;
    write_file("f", "x");

    CHECK_EQ(chown("f", 1234, 5678), 0);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 1234);
    CHECK_EQ(g, 5678);
    /* -1 leaves that id unchanged. */
    CHECK_EQ(chown("f", (uid_t)-1, 42), 0);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 1234);
    CHECK_EQ(g, 42);
    CHECK_EQ(chown("f", 7, (gid_t)-1), 0);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 7);
    CHECK_EQ(g, 42);

    /* chown follows symlinks, lchown changes the link itself. */
    CHECK_OK(symlink("f", "l"));
    CHECK_EQ(chown("l", 100, 200), 0);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 100);
    uid_t lu;
    gid_t lg;
    ids("l", 1, &lu, &lg);
    CHECK_EQ(lu, getuid());
    CHECK_EQ(lchown("l", 300, 400), 0);
    ids("l", 1, &lu, &lg);
    CHECK_EQ(lu, 300);
    CHECK_EQ(lg, 400);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 100);

    /* fchown on a descriptor; fchownat with a dirfd and flags. */
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(fchown(fd, 11, 22), 0);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 11);
    CHECK_EQ(g, 22);
    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(fchownat(dfd, "l", 500, 600, AT_SYMLINK_NOFOLLOW), 0);
    ids("l", 1, &lu, &lg);
    CHECK_EQ(lu, 500);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 11);
    CHECK_EQ(fchownat(dfd, "l", 33, 44, 0), 0);       /* follows */
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 33);
    CHECK_EQ(fchownat(fd, "", 55, 66, AT_EMPTY_PATH), 0);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 55);
    CHECK_EQ(g, 66);

    /* Changing the owner of an executable clears set-user-ID and
     * set-group-ID, for root too (Linux >= 2.2.13). */
    CHECK_OK(chmod("f", 06755));
    CHECK_EQ(chown("f", 1, 1), 0);
    struct stat st;
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_mode & 07777, 0755);
    /* Directories keep their set-group-ID bit. */
    CHECK_OK(mkdir("d", 02755));
    CHECK_OK(chmod("d", 02755));
    CHECK_EQ(chown("d", 1, 1), 0);
    CHECK_OK(stat("d", &st));
    CHECK_EQ(st.st_mode & 07777, 02755);

    /* Errors. */
    CHECK_ERR(chown("missing", 1, 1), ENOENT);
    CHECK_ERR(chown("f/x", 1, 1), ENOTDIR);
    CHECK_ERR(chown(BAD_PTR, 1, 1), EFAULT);
    CHECK_ERR(lchown("missing", 1, 1), ENOENT);
    CHECK_ERR(fchown(-1, 1, 1), EBADF);
    CHECK_ERR(fchown(12345, 1, 1), EBADF);
    CHECK_ERR(fchownat(dfd, "f", 1, 1, 0x40000000), EINVAL);
    CHECK_ERR(fchownat(-1, "f", 1, 1, 0), EBADF);
    CHECK_ERR(fchownat(fd, "f", 1, 1, 0), ENOTDIR);
    /* The raw syscalls. */
    CHECK_EQ(syscall(SYS_chown, "f", 9, 9), 0);
    CHECK_EQ(syscall(SYS_lchown, "l", 8, 8), 0);
    ids("f", 0, &u, &g);
    CHECK_EQ(u, 9);
    ids("l", 1, &lu, &lg);
    CHECK_EQ(lu, 8);
    return 0;
}
