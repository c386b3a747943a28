/* /proc and threads: /proc/self/task lists every thread, each
 * task/<tid>/status says Pid: tid and Tgid: the pid, task/<tid>/stat
 * starts with the tid, comm is per thread (prctl PR_SET_NAME and
 * pthread_setname_np), /proc/thread-self points to <pid>/task/<tid>,
 * /proc/<tid> of a non-leader thread can be opened but is not listed in
 * /proc, and an exited thread's directory is gone. */
#include "check.h"
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>

static pthread_barrier_t bar;
static atomic_int tids[2];

static void *worker(void *arg)
{
    long i = (long)arg;
    atomic_store(&tids[i], gettid());
    if (i == 0)
        prctl(PR_SET_NAME, "worker-zero", 0, 0, 0);
    /* thread-self from inside the thread. */
    char link[64], want[64];
    ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
    if (n < 0)
        return (void *)1L;
    link[n] = '\0';
    snprintf(want, sizeof want, "%d/task/%d", getpid(), gettid());
    long bad = strcmp(link, want) != 0 ? 2 : 0;
    pthread_barrier_wait(&bar);     /* main inspects us */
    pthread_barrier_wait(&bar);
    return (void *)bad;
}

static long field(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    if (!p)
        FAIL("no %s", name);
    return atol(p + strlen(name));
}

static int listed(const char *dir, pid_t id)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        if (atoi(e->d_name) == id)
            found = 1;
    closedir(d);
    return found;
}

int main(void)
{
    CHECK_RET(pthread_barrier_init(&bar, NULL, 3), 0);
    pthread_t th[2];
    for (long i = 0; i < 2; i++)
        CHECK_RET(pthread_create(&th[i], NULL, worker, (void *)i), 0);
    pthread_barrier_wait(&bar);
    pid_t t0 = atomic_load(&tids[0]), t1 = atomic_load(&tids[1]);
    CHECK_RET(pthread_setname_np(th[1], "worker-one"), 0);

    CHECK(listed("/proc/self/task", getpid()));
    CHECK(listed("/proc/self/task", t0));
    CHECK(listed("/proc/self/task", t1));

    char path[128], buf[4096];
    for (int i = 0; i < 2; i++) {
        pid_t t = i ? t1 : t0;
        snprintf(path, sizeof path, "/proc/self/task/%d/status", t);
        read_file(path, buf, sizeof buf);
        CHECK_EQ(field(buf, "\nPid:"), t);
        CHECK_EQ(field(buf, "\nTgid:"), getpid());
        CHECK_EQ(field(buf, "\nPPid:"), getppid());
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", t);
        read_file(path, buf, sizeof buf);
        CHECK_EQ(atol(buf), t);
        snprintf(path, sizeof path, "/proc/self/task/%d/comm", t);
        read_file(path, buf, sizeof buf);
        CHECK_STREQ(buf, i ? "worker-one\n" : "worker-zero\n");
    }
    /* The main thread's name is unchanged, in task/ and at the top. */
    char mine[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", getpid());
    read_file(path, mine, sizeof mine);
    read_file("/proc/self/comm", buf, sizeof buf);
    CHECK_STREQ(buf, mine);
    CHECK(strcmp(mine, "worker-zero\n") != 0);

    /* /proc/<tid>: reachable, not listed; its Tgid is ours. */
    snprintf(path, sizeof path, "/proc/%d/status", t0);
    read_file(path, buf, sizeof buf);
    CHECK_EQ(field(buf, "\nPid:"), t0);
    CHECK_EQ(field(buf, "\nTgid:"), getpid());
    CHECK(!listed("/proc", t0));
    CHECK(listed("/proc", getpid()));

    /* Our own thread-self. */
    char link[64], want[64];
    ssize_t n = CHECK_OK(readlink("/proc/thread-self", link, sizeof link - 1));
    link[n] = '\0';
    snprintf(want, sizeof want, "%d/task/%d", getpid(), getpid());
    CHECK_STREQ(link, want);

    pthread_barrier_wait(&bar);
    for (int i = 0; i < 2; i++) {
        void *ret;
        CHECK_RET(pthread_join(th[i], &ret), 0);
        CHECK(ret == NULL);
    }
    /* Gone once released (shortly after join returns). */
    snprintf(path, sizeof path, "/proc/self/task/%d", t0);
    struct stat st;
    for (int i = 0; i < 2000 && stat(path, &st) == 0; i++)
        sleep_ms(1);
    CHECK_ERR(stat(path, &st), ENOENT);
    CHECK(!listed("/proc/self/task", t1) || (sleep_ms(50), !listed("/proc/self/task", t1)));
    return 0;
}
