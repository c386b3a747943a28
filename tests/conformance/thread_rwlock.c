/* Read-write locks under contention: readers share the lock, writers are
 * alone (checked by counting who is inside), tryrdlock/trywrlock answer
 * EBUSY as they should, timed locks time out, writer updates are exact. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

#define NR 6
#define NW 3
#define ITERS 3000

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static atomic_int readers_in, writers_in, max_readers;
static atomic_int violations;
static long value;

static void *reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        pthread_rwlock_rdlock(&rw);
        int n = atomic_fetch_add(&readers_in, 1) + 1;
        int m = atomic_load(&max_readers);
        while (n > m && !atomic_compare_exchange_weak(&max_readers, &m, n))
            ;
        if (atomic_load(&writers_in) != 0)
            atomic_fetch_add(&violations, 1);
        if ((i & 31) == 0)
            sched_yield();
        atomic_fetch_sub(&readers_in, 1);
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        pthread_rwlock_wrlock(&rw);
        if (atomic_fetch_add(&writers_in, 1) != 0 || atomic_load(&readers_in) != 0)
            atomic_fetch_add(&violations, 1);
        long v = value;
        if ((i & 63) == 0)
            sched_yield();
        value = v + 1;
        atomic_fetch_sub(&writers_in, 1);
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *probe(void *arg)
{
    (void)arg;
    long r1 = pthread_rwlock_tryrdlock(&rw);
    if (r1 == 0)
        pthread_rwlock_unlock(&rw);
    long r2 = pthread_rwlock_trywrlock(&rw);
    if (r2 == 0)
        pthread_rwlock_unlock(&rw);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 50 * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    long r3 = pthread_rwlock_timedwrlock(&rw, &dl);
    if (r3 == 0)
        pthread_rwlock_unlock(&rw);
    return (void *)(r1 << 16 | r2 << 8 | r3);
}

int main(void)
{
    pthread_t th[NR + NW];
    for (int i = 0; i < NR; i++)
        CHECK_RET(pthread_create(&th[i], NULL, reader, NULL), 0);
    for (int i = 0; i < NW; i++)
        CHECK_RET(pthread_create(&th[NR + i], NULL, writer, NULL), 0);
    for (int i = 0; i < NR + NW; i++)
        CHECK_RET(pthread_join(th[i], NULL), 0);
    CHECK_EQ(atomic_load(&violations), 0);
    CHECK_EQ(value, (long)NW * ITERS);
    CHECK(atomic_load(&max_readers) >= 1);

    /* Read-held: other readers get in, writers do not. */
    void *ret;
    pthread_t t;
    CHECK_RET(pthread_rwlock_rdlock(&rw), 0);
    CHECK_RET(pthread_create(&t, NULL, probe, NULL), 0);
    CHECK_RET(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, (0 << 16) | (EBUSY << 8) | ETIMEDOUT);
    CHECK_RET(pthread_rwlock_unlock(&rw), 0);

    /* Write-held: nobody else. */
    CHECK_RET(pthread_rwlock_wrlock(&rw), 0);
    CHECK_RET(pthread_rwlock_tryrdlock(&rw), EBUSY);
    CHECK_RET(pthread_rwlock_wrlock(&rw), EDEADLK);
    CHECK_RET(pthread_rwlock_rdlock(&rw), EDEADLK);
    CHECK_RET(pthread_create(&t, NULL, probe, NULL), 0);
    CHECK_RET(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, (EBUSY << 16) | (EBUSY << 8) | ETIMEDOUT);
    CHECK_RET(pthread_rwlock_unlock(&rw), 0);

    /* Free: both succeed. */
    CHECK_RET(pthread_create(&t, NULL, probe, NULL), 0);
    CHECK_RET(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, 0);
    return 0;
}
