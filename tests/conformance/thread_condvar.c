/* Condition variables under contention: a bounded queue with 4 producers
 * and 4 consumers moves every item exactly once; broadcast wakes every
 * waiter; timedwait (CLOCK_MONOTONIC and CLOCK_REALTIME) times out at its
 * deadline with the mutex held again. */
#include "check.h"
#include <pthread.h>

#define NP 4
#define NC 4
#define PER 5000
#define QCAP 8

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long q[QCAP];
static int qhead, qlen, producers_left = NP;
static long consumed_sum[NC], consumed_n[NC];

static void *producer(void *arg)
{
    long base = (long)arg * PER;
    for (long i = 1; i <= PER; i++) {
        pthread_mutex_lock(&m);
        while (qlen == QCAP)
            pthread_cond_wait(&not_full, &m);
        q[(qhead + qlen) % QCAP] = base + i;
        qlen++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&m);
    }
    pthread_mutex_lock(&m);
    if (--producers_left == 0)
        pthread_cond_broadcast(&not_empty);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *consumer(void *arg)
{
    long id = (long)arg;
    for (;;) {
        pthread_mutex_lock(&m);
        while (qlen == 0 && producers_left > 0)
            pthread_cond_wait(&not_empty, &m);
        if (qlen == 0) {
            pthread_mutex_unlock(&m);
            return NULL;
        }
        long v = q[qhead];
        qhead = (qhead + 1) % QCAP;
        qlen--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&m);
        consumed_sum[id] += v;
        consumed_n[id]++;
    }
}

static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static int gate_open, waiting, woke;
static void *gate_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    waiting++;
    while (!gate_open)
        pthread_cond_wait(&gate, &m);
    woke++;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void timed_case(clockid_t clk)
{
    pthread_condattr_t ca;
    pthread_cond_t c;
    CHECK_RET(pthread_condattr_init(&ca), 0);
    CHECK_RET(pthread_condattr_setclock(&ca, clk), 0);
    CHECK_RET(pthread_cond_init(&c, &ca), 0);
    struct timespec dl;
    clock_gettime(clk, &dl);
    dl.tv_nsec += 80 * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    CHECK_RET(pthread_mutex_lock(&m), 0);
    CHECK_RET(pthread_cond_timedwait(&c, &m, &dl), ETIMEDOUT);
    struct timespec now;
    clock_gettime(clk, &now);
    CHECK(now.tv_sec > dl.tv_sec || (now.tv_sec == dl.tv_sec && now.tv_nsec >= dl.tv_nsec));
    /* The mutex is ours again. */
    CHECK_RET(pthread_mutex_trylock(&m), EBUSY);
    CHECK_RET(pthread_mutex_unlock(&m), 0);
    pthread_cond_destroy(&c);
    pthread_condattr_destroy(&ca);
}

int main(void)
{
    pthread_t p[NP], c[NC];
    for (long i = 0; i < NC; i++)
        CHECK_RET(pthread_create(&c[i], NULL, consumer, (void *)i), 0);
    for (long i = 0; i < NP; i++)
        CHECK_RET(pthread_create(&p[i], NULL, producer, (void *)i), 0);
    for (int i = 0; i < NP; i++)
        CHECK_RET(pthread_join(p[i], NULL), 0);
    for (int i = 0; i < NC; i++)
        CHECK_RET(pthread_join(c[i], NULL), 0);
    long n = 0, sum = 0;
    for (int i = 0; i < NC; i++) {
        n += consumed_n[i];
        sum += consumed_sum[i];
    }
    long total = (long)NP * PER;
    CHECK_EQ(n, total);
    CHECK_EQ(sum, total * (total + 1) / 2);
    CHECK_EQ(qlen, 0);

    /* Broadcast releases all 6 waiters. */
    enum { NW = 6 };
    pthread_t w[NW];
    for (int i = 0; i < NW; i++)
        CHECK_RET(pthread_create(&w[i], NULL, gate_waiter, NULL), 0);
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&m);
        int k = waiting;
        pthread_mutex_unlock(&m);
        if (k == NW)
            break;
        sleep_ms(1);
    }
    sleep_ms(20);
    pthread_mutex_lock(&m);
    CHECK_EQ(waiting, NW);
    CHECK_EQ(woke, 0);
    gate_open = 1;
    CHECK_RET(pthread_cond_broadcast(&gate), 0);
    pthread_mutex_unlock(&m);
    for (int i = 0; i < NW; i++)
        CHECK_RET(pthread_join(w[i], NULL), 0);
    CHECK_EQ(woke, NW);

    timed_case(CLOCK_MONOTONIC);
    timed_case(CLOCK_REALTIME);
    return 0;
}
