/* Path resolution: ".", "..", repeated and trailing slashes, symlinks in
 * the middle of a path, ".." after a symlink, "/..". */
#include "check.h"

static ino_t ino(const char *p)
{
    struct stat st;
    CHECK_OK(stat(p, &st));
    return st.st_ino;
}

int main(void)
{
    enter_tmpdir();
    struct stat st;
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("a/b", 0755));
    CHECK_OK(mkdir("a/b/c", 0755));
    write_file("a/b/c/f", "x");
    ino_t f = ino("a/b/c/f"), b = ino("a/b");

    /* Redundant components. */
    CHECK_EQ(ino("a//b///c/f"), f);
    CHECK_EQ(ino("./a/./b/c/./f"), f);
    CHECK_EQ(ino("a/b/../b/c/../c/f"), f);
    CHECK_EQ(ino("a/b/c/"), ino("a/b/c"));
    CHECK_EQ(ino("a/b/c/."), ino("a/b/c"));
    CHECK_EQ(ino("a/b/c/.."), b);
    /* ".." at the root stays at the root. */
    CHECK_EQ(ino("/.."), ino("/"));
    CHECK_EQ(ino("/../../.."), ino("/"));
    CHECK_EQ(ino("//"), ino("/"));

    /* A trailing slash or "." requires a directory. */
    CHECK_ERR(stat("a/b/c/f/", &st), ENOTDIR);
    CHECK_ERR(stat("a/b/c/f/.", &st), ENOTDIR);
    CHECK_ERR(stat("a/b/c/f/..", &st), ENOTDIR);

    /* Symlinks in the middle of a path are always followed. */
    CHECK_OK(symlink("a/b", "lb"));
    CHECK_EQ(ino("lb/c/f"), f);
    CHECK_OK(lstat("lb/c/f", &st));
    CHECK(S_ISREG(st.st_mode));
    /* A trailing slash after a symlink to a directory follows it, even
     * for lstat. */
    CHECK_OK(lstat("lb/", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(lstat("lb", &st));
    CHECK(S_ISLNK(st.st_mode));

    /* ".." after a symlink is the physical parent of the link's target,
     * not the directory containing the link. */
    CHECK_OK(symlink("a/b/c", "lc"));
    CHECK_EQ(ino("lc/.."), b);
    /* Absolute symlink targets restart at the root. */
    CHECK_OK(symlink(tpath("a/b"), "a/abs"));
    CHECK_EQ(ino("a/abs/c/f"), f);
    /* A relative target is interpreted relative to the link's directory. */
    CHECK_OK(symlink("../b/c", "a/b/rel"));
    CHECK_EQ(ino("a/b/rel/f"), f);

    /* Components that do not exist / are not directories. */
    CHECK_ERR(stat("a/missing/f", &st), ENOENT);
    CHECK_ERR(stat("a/b/c/f/g", &st), ENOTDIR);
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_ERR(stat("dangling/x", &st), ENOENT);
    CHECK_OK(symlink("a/b/c/f", "tofile"));
    CHECK_ERR(stat("tofile/x", &st), ENOTDIR);
    return 0;
}
