/* symlinkat / readlinkat: directory descriptors and the empty-path form. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    char buf[64];
    CHECK_OK(mkdir("d", 0755));
    int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));

    CHECK_EQ(symlinkat("target", dfd, "l"), 0);
    struct stat st;
    CHECK_OK(lstat("d/l", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(symlinkat("t2", AT_FDCWD, "top"), 0);
    CHECK_OK(lstat("top", &st));
    CHECK_EQ(symlinkat("t3", -1, tpath("absl")), 0);   /* dirfd ignored */

    memset(buf, 0, sizeof buf);
    CHECK_EQ(readlinkat(dfd, "l", buf, sizeof buf), 6);
    CHECK_STREQ(buf, "target");
    memset(buf, 0, sizeof buf);
    CHECK_EQ(readlinkat(AT_FDCWD, "top", buf, sizeof buf), 2);
    CHECK_STREQ(buf, "t2");
    CHECK_EQ(readlinkat(-1, tpath("absl"), buf, sizeof buf), 2);

    /* Empty path: the symlink the O_PATH|O_NOFOLLOW descriptor refers to. */
    int lfd = CHECK_OK(openat(dfd, "l", O_PATH | O_NOFOLLOW));
    memset(buf, 0, sizeof buf);
    CHECK_EQ(readlinkat(lfd, "", buf, sizeof buf), 6);
    CHECK_STREQ(buf, "target");

    /* Errors. */
    CHECK_ERR(symlinkat("x", dfd, "l"), EEXIST);
    CHECK_ERR(symlinkat("x", -1, "rel"), EBADF);
    CHECK_ERR(symlinkat("x", 12345, "rel"), EBADF);
    CHECK_ERR(readlinkat(-1, "l", buf, sizeof buf), EBADF);
    CHECK_ERR(readlinkat(dfd, "missing", buf, sizeof buf), ENOENT);
    int ffd = CHECK_OK(open(tpath("f"), O_CREAT | O_RDONLY, 0644));
    CHECK_ERR(symlinkat("x", ffd, "rel"), ENOTDIR);
    CHECK_ERR(readlinkat(ffd, "rel", buf, sizeof buf), ENOTDIR);
    /* The raw syscalls. */
    CHECK_EQ(syscall(SYS_symlinkat, "raw-target", dfd, "raw"), 0);
    CHECK_EQ(syscall(SYS_readlinkat, dfd, "raw", buf, 3L), 3);
    CHECK_MEMEQ(buf, "raw", 3);
    CHECK_EQ(syscall(SYS_symlink, "t", tpath("rawsym")), 0);
    CHECK_ERR(syscall(SYS_readlinkat, dfd, "raw", buf, 0L), EINVAL);
    return 0;
}
