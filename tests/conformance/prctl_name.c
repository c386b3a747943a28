/* PR_SET_NAME / PR_GET_NAME: a name per thread, cut to 15 bytes, shown in
 * /proc/self/task/TID/comm (and /proc/self/comm for the main thread);
 * a child inherits the name of the thread that forked it. */
#include "check.h"
#include <pthread.h>

static pthread_barrier_t barrier;
static char thread_saw[16];
static volatile pid_t thread_tid;

static void comm_of(pid_t tid, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tid);
    read_file(path, out, size);
    out[strcspn(out, "\n")] = 0;
}

static void *thread_fn(void *arg)
{
    (void)arg;
    if (prctl(PR_SET_NAME, "worker-thread", 0, 0, 0) != 0)
        return (void *)1;
    thread_tid = gettid();
    pthread_barrier_wait(&barrier);   /* named */
    pthread_barrier_wait(&barrier);   /* main has looked */
    if (prctl(PR_GET_NAME, thread_saw, 0, 0, 0) != 0)
        return (void *)1;
    return NULL;
}

int main(void)
{
    char name[32];
    memset(name, 'z', sizeof name);
    CHECK_EQ(prctl(PR_SET_NAME, "main-name", 0, 0, 0), 0);
    CHECK_EQ(prctl(PR_GET_NAME, name, 0, 0, 0), 0);
    CHECK_STREQ(name, "main-name");
    char comm[64];
    read_file("/proc/self/comm", comm, sizeof comm);
    CHECK_STREQ(comm, "main-name\n");

    /* Longer names are cut to 15 bytes; the result is always terminated. */
    CHECK_EQ(prctl(PR_SET_NAME, "a-name-much-longer-than-fifteen", 0, 0, 0), 0);
    memset(name, 'z', sizeof name);
    CHECK_EQ(prctl(PR_GET_NAME, name, 0, 0, 0), 0);
    CHECK_STREQ(name, "a-name-much-lon");
    CHECK_EQ(name[15], 0);
    CHECK_ERR(prctl(PR_SET_NAME, BAD_PTR, 0, 0, 0), EFAULT);
    CHECK_ERR(prctl(PR_GET_NAME, BAD_PTR, 0, 0, 0), EFAULT);
    CHECK_EQ(prctl(PR_SET_NAME, "main", 0, 0, 0), 0);

    /* Each thread has its own. */
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, thread_fn, NULL), 0);
    pthread_barrier_wait(&barrier);
    CHECK_EQ(prctl(PR_GET_NAME, name, 0, 0, 0), 0);
    CHECK_STREQ(name, "main");
    CHECK_NE(thread_tid, getpid());
    comm_of(thread_tid, comm, sizeof comm);
    CHECK_STREQ(comm, "worker-thread");
    comm_of(getpid(), comm, sizeof comm);
    CHECK_STREQ(comm, "main");
    CHECK_EQ(prctl(PR_SET_NAME, "main-again", 0, 0, 0), 0);
    pthread_barrier_wait(&barrier);
    void *ret;
    CHECK_EQ(pthread_join(th, &ret), 0);
    CHECK(ret == NULL);
    CHECK_STREQ(thread_saw, "worker-thread");   /* not changed by main */

    /* A forked child starts with the forking thread's name. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char n[16];
        CHECK_EQ(prctl(PR_GET_NAME, n, 0, 0, 0), 0);
        CHECK_STREQ(n, "main-again");
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
