/* 64 threads alive at once: distinct tids, each one listed in
 * /proc/self/task, "Threads: 65" in /proc/self/status, shared memory
 * updates from all of them, and the count back to 1 after the joins. */
#include "check.h"
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>

#define NTHREADS 64

static pthread_barrier_t all_started, may_exit;
static pid_t tids[NTHREADS];
static atomic_long sum;

static void *worker(void *arg)
{
    long i = (long)arg;
    tids[i] = gettid();
    for (int k = 0; k < 1000; k++)
        atomic_fetch_add(&sum, i);
    pthread_barrier_wait(&all_started);
    pthread_barrier_wait(&may_exit);
    return (void *)(i + 1);
}

static int status_threads(void)
{
    char buf[4096];
    read_file("/proc/self/status", buf, sizeof buf);
    char *p = strstr(buf, "\nThreads:");
    if (!p)
        FAIL("no Threads: line in /proc/self/status");
    return atoi(p + strlen("\nThreads:"));
}

/* Number of entries of /proc/self/task, and whether tid is one of them. */
static int task_entries(pid_t want, int *found)
{
    DIR *d = opendir("/proc/self/task");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    *found = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        if (atoi(e->d_name) == want)
            *found = 1;
    }
    closedir(d);
    return n;
}

int main(void)
{
    pthread_t th[NTHREADS];
    pthread_attr_t attr;
    CHECK_RET(pthread_attr_init(&attr), 0);
    CHECK_RET(pthread_attr_setstacksize(&attr, 64 * 1024), 0);
    CHECK_RET(pthread_barrier_init(&all_started, NULL, NTHREADS + 1), 0);
    CHECK_RET(pthread_barrier_init(&may_exit, NULL, NTHREADS + 1), 0);

    CHECK_EQ(status_threads(), 1);
    for (long i = 0; i < NTHREADS; i++)
        CHECK_RET(pthread_create(&th[i], &attr, worker, (void *)i), 0);
    pthread_barrier_wait(&all_started);

    /* Every thread has its own tid, none is the pid. */
    for (int i = 0; i < NTHREADS; i++) {
        CHECK(tids[i] > 0);
        CHECK_NE(tids[i], getpid());
        for (int j = 0; j < i; j++)
            CHECK_NE(tids[i], tids[j]);
    }
    CHECK_EQ(atomic_load(&sum), 1000L * (NTHREADS * (NTHREADS - 1) / 2));

    /* procfs sees them all. */
    CHECK_EQ(status_threads(), NTHREADS + 1);
    int found;
    CHECK_EQ(task_entries(tids[NTHREADS - 1], &found), NTHREADS + 1);
    CHECK(found);
    CHECK_EQ(task_entries(getpid(), &found), NTHREADS + 1);
    CHECK(found);

    pthread_barrier_wait(&may_exit);
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        CHECK_RET(pthread_join(th[i], &ret), 0);
        CHECK_EQ((long)ret, i + 1);
    }
    /* Joined threads leave procfs.  join returns at the kernel's
     * CLONE_CHILD_CLEARTID store, a little before the thread is released,
     * so allow a moment. */
    for (int i = 0; i < 2000 && status_threads() != 1; i++)
        sleep_ms(1);
    CHECK_EQ(status_threads(), 1);
    CHECK_EQ(task_entries(getpid(), &found), 1);
    CHECK(found);
    pthread_barrier_destroy(&all_started);
    pthread_barrier_destroy(&may_exit);
    return 0;
}
