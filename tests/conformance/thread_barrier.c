/* pthread barriers: over many rounds, nobody passes before everyone has
 * arrived, exactly one thread per round gets PTHREAD_BARRIER_SERIAL_THREAD,
 * and invalid counts are refused. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

#define NT 6
#define ROUNDS 200

static pthread_barrier_t bar;
static atomic_int arrived[ROUNDS];
static atomic_int serial[ROUNDS];
static atomic_int early;

static void *worker(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        atomic_fetch_add(&arrived[r], 1);
        int ret = pthread_barrier_wait(&bar);
        if (ret == PTHREAD_BARRIER_SERIAL_THREAD)
            atomic_fetch_add(&serial[r], 1);
        else if (ret != 0)
            return (void *)(long)ret;
        /* Everyone of this round must have arrived before anyone left. */
        if (atomic_load(&arrived[r]) != NT)
            atomic_fetch_add(&early, 1);
    }
    return NULL;
}

int main(void)
{
    pthread_barrier_t b;
    CHECK_RET(pthread_barrier_init(&b, NULL, 0), EINVAL);
    /* A barrier of one never blocks and its only waiter is the serial one. */
    CHECK_RET(pthread_barrier_init(&b, NULL, 1), 0);
    CHECK_RET(pthread_barrier_wait(&b), PTHREAD_BARRIER_SERIAL_THREAD);
    CHECK_RET(pthread_barrier_wait(&b), PTHREAD_BARRIER_SERIAL_THREAD);
    CHECK_RET(pthread_barrier_destroy(&b), 0);

    CHECK_RET(pthread_barrier_init(&bar, NULL, NT), 0);
    pthread_t th[NT];
    for (int i = 0; i < NT; i++)
        CHECK_RET(pthread_create(&th[i], NULL, worker, NULL), 0);
    for (int i = 0; i < NT; i++) {
        void *ret;
        CHECK_RET(pthread_join(th[i], &ret), 0);
        CHECK(ret == NULL);
    }
    CHECK_EQ(atomic_load(&early), 0);
    for (int r = 0; r < ROUNDS; r++) {
        CHECK_EQ(atomic_load(&arrived[r]), NT);
        CHECK_EQ(atomic_load(&serial[r]), 1);
    }
    CHECK_RET(pthread_barrier_destroy(&bar), 0);
    return 0;
}
