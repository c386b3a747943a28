/* execve in a multi-threaded process: the other threads vanish; when a
 * non-main thread calls it, that thread takes over the process id (its
 * tid becomes the pid), keeps its own signal mask, and the parent still
 * sees the same child.  A failed execve leaves every thread in place. */
#include "check.h"
#include <dirent.h>
#include <pthread.h>

static const char *self;
static int pipe_r = -1;

static int status_threads(void)
{
    char buf[4096];
    read_file("/proc/self/status", buf, sizeof buf);
    char *p = strstr(buf, "\nThreads:");
    CHECK(p != NULL);
    return atoi(p + strlen("\nThreads:"));
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* The program after the exec. */
static int after_exec(pid_t want_pid, pid_t want_ppid, int want_usr2_blocked)
{
    CHECK_EQ(getpid(), want_pid);
    CHECK_EQ(gettid(), want_pid);
    CHECK_EQ(getppid(), want_ppid);
    CHECK_EQ(status_threads(), 1);
    CHECK_EQ(task_count(), 1);
    sigset_t cur;
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK_EQ(sigismember(&cur, SIGUSR2), want_usr2_blocked);
    CHECK(!sigismember(&cur, SIGUSR1));
    return 42;
}

static void do_exec(int usr2)
{
    char a1[32], a2[32], a3[32];
    snprintf(a1, sizeof a1, "%d", getpid());
    snprintf(a2, sizeof a2, "%d", getppid());
    snprintf(a3, sizeof a3, "%d", usr2);
    char *argv[] = { (char *)self, "--after", a1, a2, a3, NULL };
    execv(self, argv);
    _exit(91);
}

static void *blocked_reader(void *arg)
{
    (void)arg;
    char c;
    (void)!read(pipe_r, &c, 1);
    return NULL;
}

static void *exec_thread(void *arg)
{
    (void)arg;
    /* This thread's mask, not the main thread's, survives: it inherited
     * SIGUSR1 blocked from the main thread and swaps it for SIGUSR2. */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_SETMASK, &s, NULL);
    /* A failed exec first: nothing changes. */
    char *argv[] = { "nope", NULL };
    if (execv("/nonexistent/program", argv) != -1 || errno != ENOENT)
        _exit(92);
    if (status_threads() != 3)
        _exit(93);
    do_exec(1);
    return NULL;
}

static pid_t spawn(int from_main)
{
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pipe_r = p[0];
        /* The main thread blocks SIGUSR1: that must not survive an exec
         * by another thread. */
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        pthread_t a, b;
        pthread_create(&a, NULL, blocked_reader, NULL);
        if (from_main) {
            pthread_create(&b, NULL, blocked_reader, NULL);
            do_exec(0);
        }
        pthread_sigmask(SIG_BLOCK, &s, NULL);
        pthread_create(&b, NULL, exec_thread, NULL);
        for (;;)
            pause();
    }
    close(p[0]);
    /* p[1] stays open: the readers would block forever. */
    return pid;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--after") == 0)
        return after_exec(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    self = self_path(argv);

    /* A secondary thread execs. */
    pid_t pid = spawn(0);
    CHECK_CHILD_EXIT(pid, 42);

    /* The main thread execs while two threads are blocked in read. */
    pid = spawn(1);
    CHECK_CHILD_EXIT(pid, 42);
    return 0;
}
