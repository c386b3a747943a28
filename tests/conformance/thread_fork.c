/* fork from a secondary thread: the child has exactly one thread (a copy
 * of the forking one: its TLS, its signal mask, tid == pid), atfork
 * handlers run, the child can start threads; in the parent, any thread
 * can wait for the child unless __WNOTHREAD is given. */
#include "check.h"
#include <dirent.h>
#include <pthread.h>

static __thread int tls_mark = 1;
static pthread_barrier_t bar, bar2;
static int prepare_calls, parent_calls, child_calls;
static pid_t child_pid;

static void at_prepare(void) { prepare_calls++; }
static void at_parent(void) { parent_calls++; }
static void at_child(void) { child_calls++; }

static int status_threads(void)
{
    char buf[4096];
    read_file("/proc/self/status", buf, sizeof buf);
    char *p = strstr(buf, "\nThreads:");
    if (!p)
        return -1;
    return atoi(p + strlen("\nThreads:"));
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void *noop(void *arg) { return arg; }

static int child_checks(pid_t parent)
{
    if (getppid() != parent) return 10;
    if (gettid() != getpid()) return 11;
    if (status_threads() != 1) return 12;
    if (task_count() != 1) return 13;
    if (tls_mark != 2) return 14;                 /* the forking thread's */
    if (child_calls != 1) return 15;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    if (!sigismember(&cur, SIGUSR2)) return 16;   /* the forking thread's */
    if (sigismember(&cur, SIGUSR1)) return 17;    /* not the main thread's */
    pthread_t th;                                 /* threads work here too */
    void *ret;
    if (pthread_create(&th, NULL, noop, (void *)5L) != 0) return 18;
    if (pthread_join(th, &ret) != 0 || ret != (void *)5L) return 19;
    return 0;
}

static void *forker(void *arg)
{
    (void)arg;
    tls_mark = 2;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_SETMASK, &s, NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_checks(parent));
    child_pid = pid;
    pthread_barrier_wait(&bar2);        /* the child exists */
    pthread_barrier_wait(&bar2);        /* the main thread has reaped it */
    return NULL;
}

static void *bystander(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&bar);         /* alive during the fork */
    pthread_barrier_wait(&bar);
    return NULL;
}

int main(void)
{
    CHECK_RET(pthread_atfork(at_prepare, at_parent, at_child), 0);
    CHECK_RET(pthread_barrier_init(&bar, NULL, 2), 0);
    CHECK_RET(pthread_barrier_init(&bar2, NULL, 2), 0);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));

    pthread_t by, fk;
    CHECK_RET(pthread_create(&by, NULL, bystander, NULL), 0);
    pthread_barrier_wait(&bar);
    CHECK_EQ(status_threads(), 2);
    CHECK_RET(pthread_create(&fk, NULL, forker, NULL), 0);
    pthread_barrier_wait(&bar2);
    CHECK(child_pid > 0);
    CHECK_EQ(prepare_calls, 1);
    CHECK_EQ(parent_calls, 1);
    CHECK_EQ(child_calls, 0);
    CHECK_EQ(tls_mark, 1);

    /* The child is the forking thread's, but any thread of the process
     * may wait for it; with __WNOTHREAD, only the forking thread. */
    int st;
    CHECK_ERR(waitpid(child_pid, &st, __WNOTHREAD | WNOHANG), ECHILD);
    CHECK_CHILD_EXIT(child_pid, 0);
    pthread_barrier_wait(&bar2);
    CHECK_RET(pthread_join(fk, NULL), 0);

    /* The parent's threads are untouched by the fork. */
    CHECK_EQ(status_threads(), 2);
    pthread_barrier_wait(&bar);
    CHECK_RET(pthread_join(by, NULL), 0);

    /* fork from the main thread while another thread runs: still one
     * thread in the child. */
    CHECK_RET(pthread_create(&by, NULL, bystander, NULL), 0);
    pthread_barrier_wait(&bar);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(status_threads() == 1 && task_count() == 1 ? 0 : 1);
    CHECK_CHILD_EXIT(pid, 0);
    pthread_barrier_wait(&bar);
    CHECK_RET(pthread_join(by, NULL), 0);
    return 0;
}
