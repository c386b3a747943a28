/* /proc/self/stat and /proc/PID/stat: pid, comm, state, ppid, pgrp,
 * session, threads; a zombie shows state Z. */
#include "check.h"
#include <libgen.h>

struct pstat {
    long pid;
    char comm[64];
    char state;
    long ppid, pgrp, session, threads;
};

static void parse(const char *path, struct pstat *s)
{
    char buf[4096];
    read_file(path, buf, sizeof buf);
    /* "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt
     *  cminflt majflt cmajflt utime stime cutime cstime priority nice
     *  num_threads ..." -- comm may contain spaces and ')', so split at
     *  the last ')'. */
    char *open = strchr(buf, '(');
    char *close = strrchr(buf, ')');
    CHECK(open != NULL && close != NULL && close > open);
    s->pid = atol(buf);
    size_t n = (size_t)(close - open - 1);
    CHECK(n < sizeof s->comm);
    memcpy(s->comm, open + 1, n);
    s->comm[n] = '\0';
    long f[20];
    char st;
    int got = sscanf(close + 2, "%c %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld",
                     &st, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8],
                     &f[9], &f[10], &f[11], &f[12], &f[13], &f[14], &f[15], &f[16]);
    CHECK_EQ(got, 18);
    s->state = st;
    s->ppid = f[0];
    s->pgrp = f[1];
    s->session = f[2];
    s->threads = f[16];
}

int main(int argc, char **argv)
{
    (void)argc;
    char name[PATH_MAX], comm[16];
    snprintf(name, sizeof name, "%s", argv[0]);
    /* comm is the executable's base name, truncated to 15 bytes. */
    snprintf(comm, sizeof comm, "%s", basename(name));

    struct pstat s;
    parse("/proc/self/stat", &s);
    CHECK_EQ(s.pid, getpid());
    CHECK_STREQ(s.comm, comm);
    CHECK_EQ(s.state, 'R');                 /* we are running, reading it */
    CHECK_EQ(s.ppid, getppid());
    CHECK_EQ(s.pgrp, getpgrp());
    CHECK_EQ(s.session, getsid(0));
    CHECK_EQ(s.threads, 1);

    /* The same file through /proc/PID. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", getpid());
    struct pstat t;
    parse(path, &t);
    CHECK_EQ(t.pid, s.pid);
    CHECK_STREQ(t.comm, s.comm);

    /* A child sees its own values. */
    pid_t me = getpid();
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct pstat c;
        setpgid(0, 0);
        parse("/proc/self/stat", &c);
        CHECK_EQ(c.pid, getpid());
        CHECK_EQ(c.ppid, me);
        CHECK_EQ(c.pgrp, getpid());
        CHECK_STREQ(c.comm, comm);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* An exited, unreaped child is a zombie: state 'Z'. */
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    siginfo_t si;
    CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    parse(path, &t);
    CHECK_EQ(t.pid, pid);
    CHECK_EQ(t.state, 'Z');
    CHECK_EQ(t.ppid, me);
    CHECK_CHILD_EXIT(pid, 0);
    /* Once reaped, it is gone from /proc. */
    CHECK_ERR(open(path, O_RDONLY), ENOENT);
    return 0;
}
