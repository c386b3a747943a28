/* mkdirat / unlinkat: dirfd handling, AT_REMOVEDIR, flag errors. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;

    CHECK_OK(mkdir("base", 0755));
    int dfd = CHECK_OK(open("base", O_RDONLY | O_DIRECTORY));

    CHECK_EQ(mkdirat(dfd, "x", 0755), 0);
    CHECK_OK(stat("base/x", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(mkdirat(AT_FDCWD, "y", 0755), 0);
    CHECK_OK(stat("y", &st));
    CHECK_EQ(mkdirat(-1, tpath("z"), 0755), 0);    /* absolute: dirfd ignored */
    CHECK_ERR(mkdirat(dfd, "x", 0755), EEXIST);
    CHECK_ERR(mkdirat(-1, "w", 0755), EBADF);
    CHECK_ERR(mkdirat(12345, "w", 0755), EBADF);
    int ffd = CHECK_OK(open("base/f", O_CREAT | O_WRONLY, 0644));
    CHECK_ERR(mkdirat(ffd, "w", 0755), ENOTDIR);

    /* unlinkat without flags removes non-directories only. */
    CHECK_EQ(unlinkat(dfd, "f", 0), 0);
    CHECK_ERR(stat("base/f", &st), ENOENT);
    CHECK_ERR(unlinkat(dfd, "x", 0), EISDIR);
    CHECK_ERR(unlinkat(dfd, "f", 0), ENOENT);

    /* AT_REMOVEDIR acts like rmdir. */
    CHECK_OK(mkdirat(dfd, "x/inner", 0755));
    CHECK_ERR(unlinkat(dfd, "x", AT_REMOVEDIR), ENOTEMPTY);
    CHECK_EQ(unlinkat(dfd, "x/inner", AT_REMOVEDIR), 0);
    CHECK_EQ(unlinkat(dfd, "x", AT_REMOVEDIR), 0);
    CHECK_ERR(stat("base/x", &st), ENOENT);
    CHECK_ERR(unlinkat(dfd, ".", AT_REMOVEDIR), EINVAL);
    write_file("base/g", "");
    CHECK_ERR(unlinkat(dfd, "g", AT_REMOVEDIR), ENOTDIR);
    CHECK_EQ(unlinkat(AT_FDCWD, "y", AT_REMOVEDIR), 0);

    /* Only AT_REMOVEDIR is a valid flag. */
    CHECK_ERR(unlinkat(dfd, "g", AT_SYMLINK_NOFOLLOW), EINVAL);
    CHECK_ERR(unlinkat(dfd, "g", 0x40000000), EINVAL);
    CHECK_OK(stat("base/g", &st));

    /* dirfd errors. */
    CHECK_ERR(unlinkat(-1, "g", 0), EBADF);
    CHECK_ERR(unlinkat(12345, "g", 0), EBADF);
    int gfd = CHECK_OK(open("base/g", O_RDONLY));
    CHECK_ERR(unlinkat(gfd, "g", 0), ENOTDIR);
    CHECK_EQ(unlinkat(dfd, "g", 0), 0);
    return 0;
}
