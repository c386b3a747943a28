/* link: st_nlink accounting, shared data, symlinks not followed, errors. */
#include "check.h"

static nlink_t nl(const char *p)
{
    struct stat st;
    CHECK_OK(lstat(p, &st));
    return st.st_nlink;
}

int main(void)
{
    enter_tmpdir();
    char buf[16];
    struct stat a, b;

    write_file("f", "one");
    CHECK_EQ(nl("f"), 1);
    CHECK_EQ(link("f", "g"), 0);
    CHECK_EQ(nl("f"), 2);
    CHECK_EQ(nl("g"), 2);
    CHECK_OK(stat("f", &a));
    CHECK_OK(stat("g", &b));
    CHECK_EQ(a.st_ino, b.st_ino);
    CHECK_EQ(a.st_dev, b.st_dev);
    CHECK_OK(mkdir("sub", 0755));
    CHECK_EQ(link("g", "sub/h"), 0);
    CHECK_EQ(nl("f"), 3);

    /* Data written through one name is seen through the others. */
    write_file("sub/h", "changed");
    CHECK_EQ(read_file("f", buf, sizeof buf), 7);
    CHECK_STREQ(buf, "changed");

    /* Removing names counts down. */
    CHECK_OK(unlink("f"));
    CHECK_EQ(nl("g"), 2);
    CHECK_OK(unlink("sub/h"));
    CHECK_EQ(nl("g"), 1);

    /* link() does not follow a symlink given as the source (Linux since
     * 2.0): the new name is a second link to the symlink itself. */
    CHECK_OK(symlink("g", "sl"));
    CHECK_EQ(link("sl", "sl2"), 0);
    CHECK_OK(lstat("sl2", &a));
    CHECK(S_ISLNK(a.st_mode));
    CHECK_EQ(nl("sl"), 2);
    CHECK_EQ(nl("g"), 1);

    /* Errors. */
    CHECK_ERR(link("sub", "sub2"), EPERM);             /* directories */
    CHECK_ERR(link("g", "sl"), EEXIST);
    CHECK_ERR(link("g", "sub"), EEXIST);
    CHECK_ERR(link("missing", "x"), ENOENT);
    CHECK_ERR(link("g", "nodir/x"), ENOENT);
    CHECK_ERR(link("", "x"), ENOENT);
    CHECK_ERR(link("g", ""), ENOENT);
    CHECK_ERR(link("g/x", "x"), ENOTDIR);
    CHECK_ERR(link("g", "g/x"), ENOTDIR);
    CHECK_ERR(link(BAD_PTR, "x"), EFAULT);
    CHECK_ERR(link("g", BAD_PTR), EFAULT);
    CHECK_EQ(nl("g"), 1);
    /* The raw syscall. */
    CHECK_EQ(syscall(SYS_link, "g", "raw"), 0);
    CHECK_EQ(nl("g"), 2);
    return 0;
}
