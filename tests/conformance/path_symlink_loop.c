/* Symlink loops and the limit of 40 symlinks per lookup: ELOOP. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;
    char name[32], target[32];

    /* A link to itself. */
    CHECK_OK(symlink("self", "self"));
    CHECK_ERR(open("self", O_RDONLY), ELOOP);
    CHECK_ERR(open("self", O_CREAT | O_WRONLY, 0644), ELOOP);
    CHECK_ERR(stat("self", &st), ELOOP);
    CHECK_ERR(access("self", F_OK), ELOOP);
    CHECK_ERR(chdir("self"), ELOOP);
    CHECK_ERR(open("self/x", O_RDONLY), ELOOP);
    CHECK_ERR(mkdir("self/x", 0755), ELOOP);
    CHECK_ERR(truncate("self", 0), ELOOP);
    /* The link itself is fine to look at, read and remove. */
    CHECK_OK(lstat("self", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(readlink("self", name, sizeof name), 4);

    /* A two-link cycle. */
    CHECK_OK(symlink("b", "a"));
    CHECK_OK(symlink("a", "b"));
    CHECK_ERR(open("a", O_RDONLY), ELOOP);
    CHECK_ERR(stat("b", &st), ELOOP);
    CHECK_ERR(open("a/", O_RDONLY), ELOOP);
    CHECK_EQ(unlink("a"), 0);
    CHECK_ERR(stat("b", &st), ENOENT);          /* now merely dangling */

    /* A chain: L0 -> file, Ln -> L(n-1).  Opening Ln follows n+1 links.
     * Linux follows at most 40 per lookup (path_resolution(7)). */
    write_file("file", "end");
    CHECK_OK(symlink("file", "L0"));
    for (int i = 1; i <= 40; i++) {
        snprintf(name, sizeof name, "L%d", i);
        snprintf(target, sizeof target, "L%d", i - 1);
        CHECK_OK(symlink(target, name));
    }
    int fd = CHECK_OK(open("L39", O_RDONLY));     /* 40 links: allowed */
    CHECK_OK(close(fd));
    CHECK_OK(stat("L39", &st));
    CHECK_ERR(open("L40", O_RDONLY), ELOOP);     /* 41 links */
    CHECK_ERR(stat("L40", &st), ELOOP);
    CHECK_OK(lstat("L40", &st));
    /* The count is per whole lookup: a 20-link chain to a directory
     * followed by a 21-link chain in the same path exceeds it. */
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(symlink("../L20", "dir/deep"));     /* 1 + 21 links */
    CHECK_OK(symlink("dir", "D0"));
    for (int i = 1; i < 20; i++) {
        snprintf(name, sizeof name, "D%d", i);
        snprintf(target, sizeof target, "D%d", i - 1);
        CHECK_OK(symlink(target, name));
    }
    CHECK_OK(stat("D19", &st));                  /* 20 links */
    CHECK_OK(stat("dir/deep", &st));             /* 22 links */
    CHECK_ERR(stat("D19/deep", &st), ELOOP);     /* 42 links */
    return 0;
}
