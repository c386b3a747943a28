/* chdir / getcwd: resolved absolute paths, symlinks, ERANGE, removed cwd,
 * per-process cwd. */
#include "check.h"

static long raw_getcwd(char *buf, size_t size)
{
    return syscall(SYS_getcwd, buf, size);
}

int main(void)
{
    const char *tmp = make_tmpdir();
    char real[PATH_MAX], buf[PATH_MAX], want[PATH_MAX + 16];
    CHECK(realpath(tmp, real) != NULL);

    CHECK_EQ(chdir(tmp), 0);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, real);
    /* The raw syscall returns the length including the NUL. */
    CHECK_EQ(raw_getcwd(buf, sizeof buf), (long)strlen(real) + 1);
    CHECK_STREQ(buf, real);

    /* Relative chdir, "..", and "." */
    CHECK_OK(mkdir("sub", 0755));
    CHECK_OK(chdir("sub"));
    snprintf(want, sizeof want, "%s/sub", real);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, want);
    CHECK_OK(chdir("."));
    CHECK_OK(chdir(".."));
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, real);

    /* Through a symlink: getcwd shows the physical path. */
    CHECK_OK(symlink("sub", "lnk"));
    CHECK_OK(chdir("lnk"));
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, want);
    CHECK_OK(chdir(real));

    /* Buffer too small: ERANGE. */
    CHECK_ERR(raw_getcwd(buf, strlen(real)), ERANGE);
    CHECK_ERR(raw_getcwd(buf, 1), ERANGE);
    CHECK(getcwd(buf, 2) == NULL && errno == ERANGE);
    CHECK_ERR(raw_getcwd(BAD_PTR, sizeof buf), EFAULT);

    /* chdir errors. */
    write_file("file", "");
    CHECK_ERR(chdir("missing"), ENOENT);
    CHECK_ERR(chdir(""), ENOENT);
    CHECK_ERR(chdir("file"), ENOTDIR);
    CHECK_ERR(chdir("file/x"), ENOTDIR);
    CHECK_ERR(chdir(BAD_PTR), EFAULT);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, real);                    /* unchanged */

    /* Renaming an ancestor is reflected by getcwd. */
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("a/b", 0755));
    CHECK_OK(chdir("a/b"));
    CHECK_OK(rename(tpath("a"), tpath("renamed")));
    snprintf(want, sizeof want, "%s/renamed/b", real);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, want);

    /* A removed cwd: getcwd fails with ENOENT, relative lookups fail. */
    CHECK_OK(rmdir(tpath("renamed/b")));
    CHECK_ERR(raw_getcwd(buf, sizeof buf), ENOENT);
    CHECK_ERR(open("new", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK_OK(chdir(real));

    /* The cwd is per process: inherited by a child, which can change its
     * own without affecting ours. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char b2[PATH_MAX];
        CHECK(getcwd(b2, sizeof b2) != NULL);
        CHECK_STREQ(b2, real);
        CHECK_OK(chdir("/"));
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, real);
    return 0;
}
