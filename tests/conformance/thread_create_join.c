/* pthread_create / join / detach: return values travel through join, every
 * thread shares the pid but has its own tid, joining oneself is EDEADLK,
 * detached threads run to completion, pthread_exit from a thread. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

static pid_t main_pid, main_tid;
static atomic_int detached_done;
static atomic_int shared_counter;

struct ids { pid_t pid, tid, ppid; };

static void *report_ids(void *arg)
{
    struct ids *ids = arg;
    ids->pid = getpid();
    ids->tid = gettid();
    ids->ppid = getppid();
    return (void *)(long)(ids->tid ^ 0x5a5a);
}

static void *exit_early(void *arg)
{
    (void)arg;
    pthread_exit((void *)1234L);
    return NULL;
}

static void *join_self(void *arg)
{
    (void)arg;
    return (void *)(long)pthread_join(pthread_self(), NULL);
}

static void *detached(void *arg)
{
    atomic_fetch_add(&shared_counter, (int)(long)arg);
    atomic_fetch_add(&detached_done, 1);
    return NULL;
}

int main(void)
{
    main_pid = getpid();
    main_tid = gettid();
    /* The main thread's tid is the pid. */
    CHECK_EQ(main_tid, main_pid);
    CHECK_EQ(syscall(SYS_gettid), main_pid);

    /* Ids seen by another thread: same pid and ppid, a new tid. */
    struct ids ids;
    pthread_t th;
    void *ret;
    CHECK_RET(pthread_create(&th, NULL, report_ids, &ids), 0);
    CHECK_RET(pthread_join(th, &ret), 0);
    CHECK_EQ(ids.pid, main_pid);
    CHECK_EQ(ids.ppid, getppid());
    CHECK_NE(ids.tid, main_tid);
    CHECK(ids.tid > 0);
    CHECK_EQ((long)ret, (long)(ids.tid ^ 0x5a5a));

    /* Two live threads have distinct tids. */
    struct ids a, b;
    pthread_t ta, tb;
    CHECK_RET(pthread_create(&ta, NULL, report_ids, &a), 0);
    CHECK_RET(pthread_create(&tb, NULL, report_ids, &b), 0);
    CHECK_RET(pthread_join(ta, NULL), 0);
    CHECK_RET(pthread_join(tb, NULL), 0);
    CHECK_NE(a.tid, b.tid);
    CHECK_EQ(a.pid, b.pid);

    /* pthread_exit's value is what join returns. */
    CHECK_RET(pthread_create(&th, NULL, exit_early, NULL), 0);
    CHECK_RET(pthread_join(th, &ret), 0);
    CHECK_EQ((long)ret, 1234);

    /* Joining oneself is refused. */
    CHECK_RET(pthread_join(pthread_self(), NULL), EDEADLK);
    CHECK_RET(pthread_create(&th, NULL, join_self, NULL), 0);
    CHECK_RET(pthread_join(th, &ret), 0);
    CHECK_EQ((long)ret, EDEADLK);

    /* Detached threads (by attribute and by pthread_detach) still run. */
    pthread_attr_t attr;
    CHECK_RET(pthread_attr_init(&attr), 0);
    CHECK_RET(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), 0);
    for (int i = 1; i <= 4; i++)
        CHECK_RET(pthread_create(&th, &attr, detached, (void *)(long)i), 0);
    CHECK_RET(pthread_create(&th, NULL, detached, (void *)100L), 0);
    CHECK_RET(pthread_detach(th), 0);
    for (int i = 0; i < 5000 && atomic_load(&detached_done) < 5; i++)
        sleep_ms(1);
    CHECK_EQ(atomic_load(&detached_done), 5);
    CHECK_EQ(atomic_load(&shared_counter), 110);
    pthread_attr_destroy(&attr);

    /* A small explicit stack works too. */
    CHECK_RET(pthread_attr_init(&attr), 0);
    CHECK_RET(pthread_attr_setstacksize(&attr, 64 * 1024), 0);
    CHECK_RET(pthread_create(&th, &attr, report_ids, &ids), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(ids.pid, main_pid);
    pthread_attr_destroy(&attr);
    return 0;
}
