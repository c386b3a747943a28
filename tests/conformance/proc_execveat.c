/* execveat: dirfd-relative paths, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW,
 * O_CLOEXEC script descriptors, and the error paths. */
#include "check.h"
#include <libgen.h>

static long raw_execveat(int dirfd, const char *path, char *const argv[],
                         char *const envp[], int flags)
{
    return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

static char *argv_ok[] = { "self", "child", NULL };
static char *envp[] = { NULL };

/* Run execveat in a child; child exits 100+errno if it fails. */
static int run(int dirfd, const char *path, int flags)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        raw_execveat(dirfd, path, argv_ok, envp, flags);
        _exit(100 + errno);
    }
    int st = wait_status(pid);
    CHECK(WIFEXITED(st));
    return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return strcmp(argv[1], "child") == 0 ? 42 : 1;
    const char *self = self_path(argv);
    char dir[PATH_MAX], base[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", self);
    snprintf(base, sizeof base, "%s", self);
    make_tmpdir();

    int dfd = CHECK_OK(open(dirname(dir), O_RDONLY | O_DIRECTORY));
    const char *name = basename(base);

    /* Relative to a directory fd, and relative to the cwd. */
    CHECK_EQ(run(dfd, name, 0), 42);
    CHECK_OK(fchdir(dfd));
    CHECK_EQ(run(AT_FDCWD, name, 0), 42);
    CHECK_OK(chdir("/"));
    /* An absolute path ignores dirfd, even an invalid one. */
    CHECK_EQ(run(-1, self, 0), 42);

    /* AT_EMPTY_PATH executes the file referred to by the descriptor. */
    int efd = CHECK_OK(open(self, O_RDONLY));
    CHECK_EQ(run(efd, "", AT_EMPTY_PATH), 42);
    /* Without AT_EMPTY_PATH, an empty path is ENOENT. */
    CHECK_EQ(run(efd, "", 0), 100 + ENOENT);

    /* Error paths. */
    CHECK_EQ(run(999, name, 0), 100 + EBADF);        /* bad dirfd */
    CHECK_EQ(run(efd, name, 0), 100 + ENOTDIR);      /* dirfd is a file */
    CHECK_EQ(run(dfd, name, 0x40000000), 100 + EINVAL);
    CHECK_EQ(run(dfd, "no-such-file", 0), 100 + ENOENT);

    /* AT_SYMLINK_NOFOLLOW refuses a symlink as the final component. */
    CHECK_OK(symlink(self, tpath("link")));
    CHECK_EQ(run(AT_FDCWD, tpath("link"), 0), 42);
    CHECK_EQ(run(AT_FDCWD, tpath("link"), AT_SYMLINK_NOFOLLOW), 100 + ELOOP);

    /* A script run through an O_CLOEXEC descriptor cannot be reopened by the
     * interpreter (/dev/fd/N is gone): ENOENT.  Without O_CLOEXEC it runs. */
    write_file(tpath("script"), "#!/bin/sh\nexit 33\n");
    CHECK_OK(chmod(tpath("script"), 0755));
    int sfd = CHECK_OK(open(tpath("script"), O_RDONLY | O_CLOEXEC));
    CHECK_EQ(run(sfd, "", AT_EMPTY_PATH), 100 + ENOENT);
    CHECK_OK(close(sfd));
    int tdfd = CHECK_OK(open(make_tmpdir(), O_RDONLY | O_DIRECTORY));
    CHECK_EQ(run(tdfd, "script", 0), 33);
    return 0;
}
