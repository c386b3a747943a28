/* execve: argv/envp passing, pid preserved, exit status, error paths. */
#include "check.h"

extern char **environ;

/* Re-exec'd modes: "args" checks argv/envp, "pid N" checks the pid. */
static int child_mode(int argc, char **argv)
{
    if (strcmp(argv[1], "args") == 0) {
        int n = 0;
        for (char **e = environ; *e; e++)
            n++;
        if (argc != 5 || strcmp(argv[2], "a b") != 0 || strcmp(argv[3], "") != 0 ||
            strcmp(argv[4], "last") != 0)
            return 10;
        if (n != 2 || strcmp(environ[0], "FOO=bar") != 0 || strcmp(environ[1], "EMPTY=") != 0)
            return 11;
        return 0;
    }
    if (strcmp(argv[1], "pid") == 0)
        return atol(argv[2]) == (long)getpid() ? 0 : 12;
    return 13;
}

/* Run execve(path, argv, envp) in a child, return the child's wait status;
 * a failed execve makes the child exit with 100 + errno. */
static int exec_status(const char *path, char *const *argv, char *const *envp)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        execve(path, argv, envp);
        _exit(100 + errno);
    }
    return wait_status(pid);
}

#define CHECK_EXEC_FAILS(path, argv, envp, E)                                \
    do {                                                                     \
        int s_ = exec_status(path, argv, envp);                              \
        CHECK(WIFEXITED(s_));                                                \
        CHECK_EQ(WEXITSTATUS(s_), 100 + (E));                                \
    } while (0)

int main(int argc, char **argv)
{
    if (argc > 1)
        return child_mode(argc, argv);
    const char *self = self_path(argv);
    make_tmpdir();

    /* argv (including an empty string) and envp arrive verbatim. */
    char *args[] = { "self", "args", "a b", "", "last", NULL };
    char *env[] = { "FOO=bar", "EMPTY=", NULL };
    int st = exec_status(self, args, env);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);

    /* The process keeps its pid across execve. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%ld", (long)getpid());
        char *a[] = { "self", "pid", buf, NULL };
        execve(self, a, env);
        _exit(100 + errno);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The exit status of the new program is what the parent sees. */
    char *sh[] = { "sh", "-c", "exit 37", NULL };
    st = exec_status("/bin/sh", sh, env);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 37);

    char *none[] = { "x", NULL };
    /* Missing file, empty path, a non-directory path component. */
    CHECK_EXEC_FAILS("/nonexistent/prog", none, env, ENOENT);
    CHECK_EXEC_FAILS(tpath("missing"), none, env, ENOENT);
    CHECK_EXEC_FAILS("", none, env, ENOENT);
    CHECK_EXEC_FAILS("/etc/passwd/x", none, env, ENOTDIR);
    /* A directory is not executable. */
    CHECK_EXEC_FAILS("/tmp", none, env, EACCES);
    /* A regular file without any execute bit: EACCES even for root. */
    write_file(tpath("noexec"), "#!/bin/sh\nexit 0\n");
    CHECK_OK(chmod(tpath("noexec"), 0644));
    CHECK_EXEC_FAILS(tpath("noexec"), none, env, EACCES);
    /* Executable bits but neither ELF nor "#!": ENOEXEC. */
    write_file(tpath("garbage"), "\x01\x02\x03 this is not a program\n");
    CHECK_OK(chmod(tpath("garbage"), 0755));
    CHECK_EXEC_FAILS(tpath("garbage"), none, env, ENOEXEC);
    /* Bad pointers: path, argv array, an argv element, envp array. */
    CHECK_EXEC_FAILS(BAD_PTR, none, env, EFAULT);
    CHECK_EXEC_FAILS("/bin/true", BAD_PTR, env, EFAULT);
    char *badarg[] = { "x", BAD_PTR, NULL };
    CHECK_EXEC_FAILS("/bin/true", badarg, env, EFAULT);
    CHECK_EXEC_FAILS("/bin/true", none, BAD_PTR, EFAULT);

    /* A failed execve leaves the caller intact and running. */
    CHECK_ERR(execve("/nonexistent/prog", none, env), ENOENT);
    CHECK_ERR(execve(tpath("garbage"), none, env), ENOEXEC);
    return 0;
}
