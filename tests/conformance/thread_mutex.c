/* pthread mutexes under contention (futex-based): exact counts from 8
 * threads, trylock EBUSY, error-checking mutexes (EDEADLK, EPERM),
 * recursive mutexes, timedlock ETIMEDOUT after the deadline. */
#include "check.h"
#include <pthread.h>

#define NT 8
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;        /* protected by lock, deliberately not atomic */
static long per_thread[NT];

static void *contend(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        long v = counter;
        if ((i & 63) == 0)
            sched_yield();          /* hold it a while: force contention */
        counter = v + 1;
        per_thread[id]++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static pthread_mutex_t held;
static void *try_other(void *arg)
{
    (void)arg;
    long r1 = pthread_mutex_trylock(&held);
    long r2 = pthread_mutex_unlock(&held);
    return (void *)(r1 << 8 | r2);
}

static void *timed_other(void *arg)
{
    (void)arg;
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 100 * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    long long t0 = now_ns();
    long r = pthread_mutex_timedlock(&lock, &dl);
    long long ms = (now_ns() - t0) / 1000000;
    return (void *)(r == ETIMEDOUT && ms >= 90 ? 0L : 1000 + r);
}

int main(void)
{
    pthread_t th[NT];
    for (long i = 0; i < NT; i++)
        CHECK_RET(pthread_create(&th[i], NULL, contend, (void *)i), 0);
    for (int i = 0; i < NT; i++)
        CHECK_RET(pthread_join(th[i], NULL), 0);
    CHECK_EQ(counter, (long)NT * ITERS);
    for (int i = 0; i < NT; i++)
        CHECK_EQ(per_thread[i], ITERS);

    /* Error-checking mutex: relock EDEADLK, unlock by non-owner EPERM,
     * trylock by another thread EBUSY. */
    pthread_mutexattr_t ma;
    CHECK_RET(pthread_mutexattr_init(&ma), 0);
    CHECK_RET(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK), 0);
    CHECK_RET(pthread_mutex_init(&held, &ma), 0);
    CHECK_RET(pthread_mutex_unlock(&held), EPERM);
    CHECK_RET(pthread_mutex_lock(&held), 0);
    CHECK_RET(pthread_mutex_lock(&held), EDEADLK);
    void *ret;
    pthread_t t;
    CHECK_RET(pthread_create(&t, NULL, try_other, NULL), 0);
    CHECK_RET(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, (EBUSY << 8) | EPERM);
    CHECK_RET(pthread_mutex_unlock(&held), 0);
    CHECK_RET(pthread_mutex_destroy(&held), 0);

    /* Recursive mutex: lock twice, unlock twice, then others get it. */
    CHECK_RET(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE), 0);
    CHECK_RET(pthread_mutex_init(&held, &ma), 0);
    CHECK_RET(pthread_mutex_lock(&held), 0);
    CHECK_RET(pthread_mutex_lock(&held), 0);
    CHECK_RET(pthread_mutex_trylock(&held), 0);
    CHECK_RET(pthread_mutex_unlock(&held), 0);
    CHECK_RET(pthread_mutex_unlock(&held), 0);
    CHECK_RET(pthread_create(&t, NULL, try_other, NULL), 0);
    CHECK_RET(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, (EBUSY << 8) | EPERM);     /* still held once */
    CHECK_RET(pthread_mutex_unlock(&held), 0);
    CHECK_RET(pthread_create(&t, NULL, try_other, NULL), 0);
    CHECK_RET(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, 0);                         /* free now */
    CHECK_RET(pthread_mutex_destroy(&held), 0);
    pthread_mutexattr_destroy(&ma);

    /* timedlock on a held mutex waits (in the kernel) until the deadline. */
    CHECK_RET(pthread_mutex_lock(&lock), 0);
    CHECK_RET(pthread_create(&t, NULL, timed_other, NULL), 0);
    CHECK_RET(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, 0);
    CHECK_RET(pthread_mutex_unlock(&lock), 0);
    return 0;
}
