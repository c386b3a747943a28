/* Running the host's /bin/sh (a dynamically linked program) and talking
 * to it through pipes: output, arguments, environment, stdin, exit status,
 * death by signal, and a lot of output. */
#include "check.h"

/* Makes `from` available as descriptor `to` across execve (the pipes are
 * close-on-exec, and `from` may already be `to`). */
static void to_fd(int from, int to)
{
    if (from == to)
        fcntl(to, F_SETFD, 0);
    else if (dup2(from, to) < 0)
        _exit(126);
}

/* Runs /bin/sh -c script with extra args; feeds `in` on stdin; captures
 * stdout into out.  Returns the wait status. */
static int run_sh(const char *script, const char *arg0, const char *arg1,
                  char *const envp[], const char *in, char *out, size_t cap,
                  size_t *outlen)
{
    int ip[2], op[2];
    CHECK_OK(pipe2(ip, O_CLOEXEC));
    CHECK_OK(pipe2(op, O_CLOEXEC));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        to_fd(ip[0], 0);
        to_fd(op[1], 1);
        char *argv[] = { "sh", "-c", (char *)script, (char *)arg0, (char *)arg1, NULL };
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    close(ip[0]);
    close(op[1]);
    if (in)
        CHECK_EQ(write(ip[1], in, strlen(in)), (ssize_t)strlen(in));
    close(ip[1]);
    size_t len = 0;
    ssize_t n;
    while ((n = read(op[0], out + len, cap - 1 - len)) > 0)
        len += n;
    CHECK_EQ(n, 0);
    out[len] = '\0';
    close(op[0]);
    if (outlen)
        *outlen = len;
    return wait_status(pid);
}

int main(void)
{
    static char out[1 << 16];
    char *env[] = { "GREETING=hi there", "PATH=/usr/bin:/bin", NULL };
    int st;

    /* Output and positional arguments ($0, $1). */
    st = run_sh("echo hello; echo \"$0 $1\"", "zero", "one", env, NULL, out, sizeof out, NULL);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    CHECK_STREQ(out, "hello\nzero one\n");

    /* The environment we pass is the one it sees. */
    st = run_sh("echo \"$GREETING\"", NULL, NULL, env, NULL, out, sizeof out, NULL);
    CHECK_STREQ(out, "hi there\n");

    /* stdin from our pipe. */
    st = run_sh("read a; read b; echo \"got $b/$a\"", NULL, NULL, env, "first\nsecond\n",
                out, sizeof out, NULL);
    CHECK_STREQ(out, "got second/first\n");

    /* Reading a host file with shell builtins only. */
    st = run_sh("IFS= read -r line < /etc/passwd; echo \"${line%%:*}\"", NULL, NULL, env,
                NULL, out, sizeof out, NULL);
    CHECK_STREQ(out, "root\n");

    /* Exit status, and a shell that runs another program. */
    st = run_sh("exit 3", NULL, NULL, env, NULL, out, sizeof out, NULL);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 3);
    st = run_sh("/bin/echo sub process; /bin/true && echo ok", NULL, NULL, env, NULL,
                out, sizeof out, NULL);
    CHECK_EQ(WEXITSTATUS(st), 0);
    CHECK_STREQ(out, "sub process\nok\n");
    st = run_sh("exec /bin/echo exec-ed", NULL, NULL, env, NULL, out, sizeof out, NULL);
    CHECK_STREQ(out, "exec-ed\n");
    st = run_sh("/nonexistent/cmd 2>/dev/null", NULL, NULL, env, NULL, out, sizeof out, NULL);
    CHECK_EQ(WEXITSTATUS(st), 127);

    /* Killed by a signal. */
    st = run_sh("kill -TERM $$", NULL, NULL, env, NULL, out, sizeof out, NULL);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGTERM);

    /* More output than a pipe holds: the writer blocks and resumes. */
    size_t len;
    st = run_sh("i=0; while [ $i -lt 5000 ]; do echo line-$i; i=$((i+1)); done", NULL, NULL,
                env, NULL, out, sizeof out, &len);
    CHECK_EQ(WEXITSTATUS(st), 0);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += out[i] == '\n';
    CHECK_EQ(lines, 5000);
    CHECK(strncmp(out, "line-0\nline-1\n", 14) == 0);
    CHECK(strstr(out, "\nline-4999\n") != NULL);
    CHECK(len > 65536 / 2);
    return 0;
}
