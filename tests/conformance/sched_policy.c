/* sched_yield, scheduling policy and parameters of a normal task:
 * SCHED_OTHER with priority 0, the priority ranges of every policy,
 * sched_rr_get_interval, and the errors (bad policy EINVAL, bad pid
 * ESRCH, NULL param EINVAL).  Two threads ping-ponging with sched_yield
 * both make progress. */
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static atomic_int turn, rounds_done;

static void *ponger(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        while (atomic_load(&turn) != 1)
            sched_yield();
        atomic_store(&turn, 0);
    }
    return NULL;
}

int main(void)
{
    CHECK_EQ(sched_yield(), 0);
    CHECK_EQ(syscall(SYS_sched_yield), 0);

    CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
    CHECK_EQ(sched_getscheduler(getpid()), SCHED_OTHER);
    CHECK_ERR(sched_getscheduler(999999), ESRCH);
    CHECK_ERR(sched_getscheduler(-1), EINVAL);
    struct sched_param sp = { .sched_priority = 42 };
    CHECK_OK(sched_getparam(0, &sp));
    CHECK_EQ(sp.sched_priority, 0);
    CHECK_ERR(sched_getparam(0, NULL), EINVAL);
    CHECK_ERR(sched_getparam(999999, &sp), ESRCH);

    CHECK_EQ(sched_get_priority_min(SCHED_OTHER), 0);
    CHECK_EQ(sched_get_priority_max(SCHED_OTHER), 0);
    CHECK_EQ(sched_get_priority_min(SCHED_BATCH), 0);
    CHECK_EQ(sched_get_priority_max(SCHED_IDLE), 0);
    CHECK_EQ(sched_get_priority_min(SCHED_FIFO), 1);
    CHECK_EQ(sched_get_priority_max(SCHED_FIFO), 99);
    CHECK_EQ(sched_get_priority_min(SCHED_RR), 1);
    CHECK_EQ(sched_get_priority_max(SCHED_RR), 99);
    CHECK_ERR(sched_get_priority_max(12345), EINVAL);
    CHECK_ERR(sched_get_priority_min(-1), EINVAL);

    /* Setting SCHED_OTHER with priority 0 is allowed; priority 1 is not. */
    sp.sched_priority = 0;
    CHECK_OK(sched_setscheduler(0, SCHED_OTHER, &sp));
    sp.sched_priority = 1;
    CHECK_ERR(sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
    CHECK_ERR(sched_setscheduler(0, 12345, &sp), EINVAL);
    sp.sched_priority = 0;
    CHECK_OK(sched_setparam(0, &sp));
    CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);

    struct timespec ts = { -1, -1 };
    CHECK_OK(sched_rr_get_interval(0, &ts));
    CHECK(ts.tv_sec >= 0);
    CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
    CHECK_ERR(sched_rr_get_interval(999999, &ts), ESRCH);

    /* Yield-based ping-pong between two threads completes. */
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, ponger, NULL), 0);
    for (int i = 0; i < 200; i++) {
        while (atomic_load(&turn) != 0)
            sched_yield();
        atomic_store(&turn, 1);
        atomic_fetch_add(&rounds_done, 1);
    }
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(atomic_load(&rounds_done), 200);
    CHECK_EQ(atomic_load(&turn), 0);
    return 0;
}
