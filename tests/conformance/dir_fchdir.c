/* fchdir: change to a directory descriptor; ENOTDIR, EBADF. */
#include "check.h"

int main(void)
{
    const char *tmp = make_tmpdir();
    char real[PATH_MAX], buf[PATH_MAX], want[PATH_MAX + 8];
    CHECK(realpath(tmp, real) != NULL);

    CHECK_OK(mkdir(tpath("d"), 0755));
    int dfd = CHECK_OK(open(tpath("d"), O_RDONLY | O_DIRECTORY));
    CHECK_OK(chdir("/"));
    CHECK_EQ(fchdir(dfd), 0);
    snprintf(want, sizeof want, "%s/d", real);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, want);
    /* Relative names now resolve inside it. */
    write_file("inside", "x");
    CHECK_OK(access(tpath("d/inside"), F_OK));

    /* An O_PATH descriptor of a directory also works. */
    int pfd = CHECK_OK(open(tmp, O_PATH | O_DIRECTORY));
    CHECK_EQ(fchdir(pfd), 0);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, real);

    /* Errors leave the cwd alone. */
    int ffd = CHECK_OK(open(tpath("d/inside"), O_RDONLY));
    CHECK_ERR(fchdir(ffd), ENOTDIR);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fchdir(p[0]), ENOTDIR);
    CHECK_ERR(fchdir(-1), EBADF);
    CHECK_ERR(fchdir(12345), EBADF);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, real);

    /* The descriptor keeps working after a rename of the directory. */
    CHECK_OK(rename(tpath("d"), tpath("d2")));
    CHECK_OK(fchdir(dfd));
    snprintf(want, sizeof want, "%s/d2", real);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STREQ(buf, want);
    CHECK_OK(chdir("/"));
    return 0;
}
