/* renameat2: RENAME_NOREPLACE, RENAME_EXCHANGE and invalid flags. */
#include "check.h"
#include <linux/fs.h>

static long r2(int od, const char *o, int nd, const char *n, unsigned flags)
{
    return syscall(SYS_renameat2, od, o, nd, n, flags);
}

static ino_t ino(const char *p)
{
    struct stat st;
    CHECK_OK(lstat(p, &st));
    return st.st_ino;
}

int main(void)
{
    enter_tmpdir();
    char buf[16];
    write_file("a", "AAA");
    write_file("b", "BB");
    ino_t ia = ino("a"), ib = ino("b");

    /* flags 0 behaves like renameat. */
    CHECK_EQ(r2(AT_FDCWD, "a", AT_FDCWD, "a1", 0), 0);
    CHECK_EQ(ino("a1"), ia);
    CHECK_EQ(r2(AT_FDCWD, "a1", AT_FDCWD, "a", 0), 0);

    /* RENAME_NOREPLACE refuses to overwrite, even with an identical link. */
    CHECK_ERR(r2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
    CHECK_EQ(ino("a"), ia);
    CHECK_EQ(ino("b"), ib);
    CHECK_OK(symlink("nowhere", "dangling"));
    CHECK_ERR(r2(AT_FDCWD, "a", AT_FDCWD, "dangling", RENAME_NOREPLACE), EEXIST);
    /* ...but renames to a free name. */
    CHECK_EQ(r2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE), 0);
    CHECK_EQ(ino("c"), ia);
    CHECK_ERR(access("a", F_OK), ENOENT);

    /* RENAME_EXCHANGE swaps two names atomically. */
    CHECK_EQ(r2(AT_FDCWD, "b", AT_FDCWD, "c", RENAME_EXCHANGE), 0);
    CHECK_EQ(ino("b"), ia);
    CHECK_EQ(ino("c"), ib);
    CHECK_EQ(read_file("b", buf, sizeof buf), 3);
    CHECK_STREQ(buf, "AAA");
    /* ...including a file with a directory, across directories. */
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(mkdir("other", 0755));
    write_file("dir/inner", "");
    ino_t idir = ino("dir");
    CHECK_EQ(r2(AT_FDCWD, "dir", AT_FDCWD, "other/../b", RENAME_EXCHANGE), 0);
    CHECK_EQ(ino("b"), idir);
    CHECK_EQ(ino("dir"), ia);
    CHECK_OK(access("b/inner", F_OK));
    int od = CHECK_OK(open("other", O_RDONLY | O_DIRECTORY));
    write_file("other/x", "xx");
    ino_t ix = ino("other/x");
    CHECK_EQ(r2(od, "x", AT_FDCWD, "c", RENAME_EXCHANGE), 0);
    CHECK_EQ(ino("c"), ix);
    CHECK_EQ(ino("other/x"), ib);
    /* Both names must exist. */
    CHECK_ERR(r2(AT_FDCWD, "c", AT_FDCWD, "missing", RENAME_EXCHANGE), ENOENT);
    CHECK_ERR(r2(AT_FDCWD, "missing", AT_FDCWD, "c", RENAME_EXCHANGE), ENOENT);
    CHECK_EQ(ino("c"), ix);

    /* Invalid flag combinations. */
    CHECK_ERR(r2(AT_FDCWD, "c", AT_FDCWD, "d",
                 RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
    CHECK_ERR(r2(AT_FDCWD, "c", AT_FDCWD, "d", 0x80000000u), EINVAL);
    CHECK_ERR(access("d", F_OK), ENOENT);
    CHECK_ERR(r2(12345, "c", AT_FDCWD, "d", RENAME_NOREPLACE), EBADF);
    return 0;
}
