/* Executing "#!" scripts: interpreter argument handling, exit status,
 * missing interpreters and permissions. */
#include "check.h"

/* Execs path with argv in a child, captures stdout.  Returns the wait
 * status; an execve failure exits with 100 + errno. */
static int run(const char *path, char *const argv[], char *out, size_t cap)
{
    int op[2];
    CHECK_OK(pipe2(op, O_CLOEXEC));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* stdout := the pipe, kept open across execve */
        if (op[1] == 1)
            fcntl(1, F_SETFD, 0);
        else
            dup2(op[1], 1);
        char *env[] = { "PATH=/usr/bin:/bin", NULL };
        execve(path, argv, env);
        _exit(100 + errno);
    }
    close(op[1]);
    size_t len = 0;
    ssize_t n;
    while ((n = read(op[0], out + len, cap - 1 - len)) > 0)
        len += n;
    out[len] = '\0';
    close(op[0]);
    return wait_status(pid);
}

static void script(const char *name, const char *text, mode_t mode)
{
    write_file(tpath(name), text);
    CHECK_OK(chmod(tpath(name), mode));
}

int main(void)
{
    make_tmpdir();
    char out[4096], want[PATH_MAX + 64];
    int st;

    /* The script gets its path as $0 and the arguments after it. */
    script("s1", "#!/bin/sh\necho \"script:$0:$1:$#\"\nexit 7\n", 0755);
    char *a1[] = { "ignored-argv0", "arg1", "arg2", NULL };
    st = run(tpath("s1"), a1, out, sizeof out);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 7);
    snprintf(want, sizeof want, "script:%s:arg1:2\n", tpath("s1"));
    CHECK_STREQ(out, want);

    /* Linux passes everything after the interpreter as ONE argument:
     * "#!/bin/echo a  b" runs /bin/echo "a  b" <script> <args>. */
    script("s2", "#!/bin/echo a  b\n", 0755);
    char *a2[] = { "x", "tail", NULL };
    st = run(tpath("s2"), a2, out, sizeof out);
    CHECK_EQ(WEXITSTATUS(st), 0);
    snprintf(want, sizeof want, "a  b %s tail\n", tpath("s2"));
    CHECK_STREQ(out, want);
    /* Spaces between "#!" and the interpreter are allowed. */
    script("s3", "#! /bin/echo\n", 0755);
    char *a3[] = { "x", NULL };
    st = run(tpath("s3"), a3, out, sizeof out);
    snprintf(want, sizeof want, "%s\n", tpath("s3"));
    CHECK_STREQ(out, want);

    /* Errors: missing interpreter, no execute permission, a directory as
     * interpreter. */
    script("s4", "#!/nonexistent/interp\n", 0755);
    st = run(tpath("s4"), a3, out, sizeof out);
    CHECK_EQ(WEXITSTATUS(st), 100 + ENOENT);
    script("s5", "#!/bin/sh\nexit 0\n", 0644);
    st = run(tpath("s5"), a3, out, sizeof out);
    CHECK_EQ(WEXITSTATUS(st), 100 + EACCES);
    script("s6", "#!/tmp\n", 0755);
    st = run(tpath("s6"), a3, out, sizeof out);
    CHECK_EQ(WEXITSTATUS(st), 100 + EACCES);

    /* A script run through a symlink sees the symlink's path as $0. */
    CHECK_OK(symlink(tpath("s1"), tpath("link")));
    st = run(tpath("link"), a1, out, sizeof out);
    CHECK_EQ(WEXITSTATUS(st), 7);
    snprintf(want, sizeof want, "script:%s:arg1:2\n", tpath("link"));
    CHECK_STREQ(out, want);
    return 0;
}
