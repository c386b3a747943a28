/* renameat: directory descriptors for both sides. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    CHECK_OK(mkdir("src", 0755));
    CHECK_OK(mkdir("dst", 0755));
    write_file("src/f", "data");
    int s = CHECK_OK(open("src", O_RDONLY | O_DIRECTORY));
    int d = CHECK_OK(open("dst", O_RDONLY | O_DIRECTORY));

    CHECK_EQ(renameat(s, "f", d, "g"), 0);
    CHECK_ERR(access("src/f", F_OK), ENOENT);
    CHECK_OK(access("dst/g", F_OK));
    /* AT_FDCWD on either side. */
    CHECK_EQ(renameat(d, "g", AT_FDCWD, "top"), 0);
    CHECK_OK(access("top", F_OK));
    CHECK_EQ(renameat(AT_FDCWD, "top", s, "back"), 0);
    CHECK_OK(access("src/back", F_OK));
    /* Absolute paths ignore the descriptors. */
    CHECK_EQ(renameat(-1, tpath("src/back"), -1, tpath("dst/abs")), 0);
    CHECK_OK(access("dst/abs", F_OK));
    /* The directories keep working after being renamed themselves. */
    CHECK_OK(rename("dst", "dst2"));
    CHECK_EQ(renameat(d, "abs", s, "again"), 0);
    CHECK_OK(access("src/again", F_OK));

    /* Errors. */
    CHECK_ERR(renameat(-1, "again", d, "x"), EBADF);
    CHECK_ERR(renameat(s, "again", 12345, "x"), EBADF);
    int f = CHECK_OK(open("src/again", O_RDONLY));
    CHECK_ERR(renameat(f, "x", d, "y"), ENOTDIR);
    CHECK_ERR(renameat(s, "again", f, "y"), ENOTDIR);
    CHECK_ERR(renameat(s, "missing", d, "y"), ENOENT);
    CHECK_OK(access("src/again", F_OK));
    /* The raw system call too. */
    CHECK_EQ(syscall(SYS_renameat, s, "again", d, "raw"), 0);
    CHECK_OK(access("dst2/raw", F_OK));
    CHECK_EQ(syscall(SYS_rename, "dst2/raw", "src/raw2"), 0);
    CHECK_OK(access("src/raw2", F_OK));
    return 0;
}
