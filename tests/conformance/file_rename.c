/* rename: replacing files and directories atomically, same-inode no-op,
 * link counts of moved directories, and the error paths. */
#include "check.h"

static ino_t ino(const char *p)
{
    struct stat st;
    CHECK_OK(lstat(p, &st));
    return st.st_ino;
}

static nlink_t nlinks(const char *p)
{
    struct stat st;
    CHECK_OK(lstat(p, &st));
    return st.st_nlink;
}

int main(void)
{
    enter_tmpdir();
    struct stat st;
    char buf[16];

    /* Simple rename keeps the inode. */
    write_file("a", "AAA");
    ino_t ia = ino("a");
    CHECK_EQ(rename("a", "b"), 0);
    CHECK_ERR(lstat("a", &st), ENOENT);
    CHECK_EQ(ino("b"), ia);

    /* Renaming over an existing file replaces it; an open descriptor of the
     * replaced file still works and shows nlink 0. */
    write_file("c", "CCCCC");
    int cfd = CHECK_OK(open("c", O_RDONLY));
    CHECK_EQ(rename("b", "c"), 0);
    CHECK_EQ(ino("c"), ia);
    CHECK_EQ(read_file("c", buf, sizeof buf), 3);
    CHECK_OK(fstat(cfd, &st));
    CHECK_EQ(st.st_nlink, 0);
    CHECK_EQ(read(cfd, buf, sizeof buf), 5);

    /* Same name, or two hard links to the same file: success, no change. */
    CHECK_EQ(rename("c", "c"), 0);
    CHECK_OK(link("c", "c2"));
    CHECK_EQ(rename("c", "c2"), 0);
    CHECK_EQ(ino("c"), ia);
    CHECK_EQ(ino("c2"), ia);
    CHECK_EQ(nlinks("c"), 2);

    /* A symlink is renamed itself, not its target. */
    CHECK_OK(symlink("c", "sl"));
    CHECK_OK(rename("sl", "sl2"));
    CHECK_OK(lstat("sl2", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(ino("c"), ia);

    /* Directories: rename, replace an empty one, move between parents
     * (link counts of the parents follow the ".." entry). */
    CHECK_OK(mkdir("p1", 0755));
    CHECK_OK(mkdir("p2", 0755));
    CHECK_OK(mkdir("p1/d", 0755));
    write_file("p1/d/inner", "x");
    CHECK_EQ(nlinks("p1"), 3);
    CHECK_EQ(rename("p1/d", "p2/d"), 0);
    CHECK_EQ(nlinks("p1"), 2);
    CHECK_EQ(nlinks("p2"), 3);
    CHECK_OK(access("p2/d/inner", F_OK));
    CHECK_OK(mkdir("empty", 0755));
    CHECK_EQ(rename("empty", "p2/d2"), 0);
    CHECK_OK(mkdir("empty", 0755));
    CHECK_EQ(rename("empty", "p2/d2"), 0);       /* over an empty dir */
    CHECK_ERR(stat("empty", &st), ENOENT);

    /* Errors. */
    write_file("file", "f");
    CHECK_OK(mkdir("full", 0755));
    write_file("full/entry", "");
    CHECK_ERR(rename("p1", "full"), ENOTEMPTY);      /* non-empty target */
    CHECK_ERR(rename("file", "p1"), EISDIR);         /* file over dir */
    CHECK_ERR(rename("p1", "file"), ENOTDIR);        /* dir over file */
    CHECK_ERR(rename("p2", "p2/d/sub"), EINVAL);     /* into itself */
    CHECK_ERR(rename("missing", "x"), ENOENT);
    CHECK_ERR(rename("file", "nodir/x"), ENOENT);
    CHECK_ERR(rename("", "x"), ENOENT);
    CHECK_ERR(rename("file", ""), ENOENT);
    CHECK_ERR(rename("file/", "x"), ENOTDIR);
    CHECK_ERR(rename("file", "c/x"), ENOTDIR);
    CHECK_ERR(rename(BAD_PTR, "x"), EFAULT);
    CHECK_ERR(rename("file", BAD_PTR), EFAULT);
    /* Nothing moved on failure. */
    CHECK_OK(access("file", F_OK));
    CHECK_OK(access("p2/d2", F_OK));
    return 0;
}
