/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: nr_wake waiters are woken and up
 * to nr_requeue moved to the second futex; the return value counts both;
 * CMP_REQUEUE checks the first word (EAGAIN, nothing moved); requeued
 * waiters answer only wakes on the second word; negative counts EINVAL. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>

static long futex(void *uaddr, int op, unsigned val, unsigned long val2,
                  void *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void wait_blocked(pid_t tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    for (int i = 0; i < 5000; i++) {
        read_file(path, buf, sizeof buf);
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S') {
            sleep_ms(10);
            return;
        }
        sleep_ms(1);
    }
    FAIL("thread %d never blocked", tid);
}

static uint32_t fa, fb;
static atomic_int finished;

struct waiter {
    pthread_t th;
    atomic_int tid;
    long ret;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, gettid());
    w->ret = futex(&fa, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
    atomic_fetch_add(&finished, 1);
    return NULL;
}

static void start_waiters(struct waiter *w, int n)
{
    atomic_store(&finished, 0);
    for (int i = 0; i < n; i++) {
        memset(&w[i], 0, sizeof w[i]);
        CHECK_RET(pthread_create(&w[i].th, NULL, waiter_main, &w[i]), 0);
        while (atomic_load(&w[i].tid) == 0)
            sleep_ms(1);
        wait_blocked(atomic_load(&w[i].tid));
    }
}

/* Wait until exactly n waiters have returned (and no more, a moment later). */
static void expect_finished(int n)
{
    for (int i = 0; i < 5000 && atomic_load(&finished) < n; i++)
        sleep_ms(1);
    sleep_ms(20);
    CHECK_EQ(atomic_load(&finished), n);
}

static void join_all(struct waiter *w, int n)
{
    for (int i = 0; i < n; i++) {
        CHECK_RET(pthread_join(w[i].th, NULL), 0);
        CHECK_EQ(w[i].ret, 0);
    }
}

int main(void)
{
    struct waiter w[4];

    /* Errors, without waiters. */
    CHECK_ERR(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &fb, 1), EAGAIN);
    CHECK_EQ(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &fb, 0), 0);
    CHECK_EQ(futex(&fa, FUTEX_REQUEUE_PRIVATE, 1, 1, &fb, 0), 0);
    CHECK_ERR(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, (unsigned)-1, 1, &fb, 0), EINVAL);
    CHECK_ERR(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 0x80000000UL, &fb, 0), EINVAL);
    CHECK_ERR(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, (char *)&fb + 1, 0), EINVAL);

    /* CMP_REQUEUE: mismatch moves nobody. */
    start_waiters(w, 4);
    CHECK_ERR(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &fb, 7), EAGAIN);
    expect_finished(0);
    /* Wake 1, requeue 2: returns 3; one waiter stays on fa. */
    CHECK_EQ(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &fb, 0), 3);
    expect_finished(1);
    /* Wakes on fa reach only the one left there. */
    CHECK_EQ(futex(&fa, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, NULL, 0), 1);
    expect_finished(2);
    /* The two requeued ones wait on fb now. */
    CHECK_EQ(futex(&fb, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 1);
    expect_finished(3);
    CHECK_EQ(futex(&fb, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, NULL, 0), 1);
    expect_finished(4);
    join_all(w, 4);

    /* FUTEX_REQUEUE (no compare): wake none, move one; the rest stay. */
    start_waiters(w, 3);
    CHECK_EQ(futex(&fa, FUTEX_REQUEUE_PRIVATE, 0, 1, &fb, 0), 1);
    expect_finished(0);
    /* Zero of each: nothing at all. */
    CHECK_EQ(futex(&fa, FUTEX_REQUEUE_PRIVATE, 0, 0, &fb, 0), 0);
    /* Move the remaining two (asking for more is fine). */
    CHECK_EQ(futex(&fa, FUTEX_REQUEUE_PRIVATE, 0, 100, &fb, 0), 2);
    CHECK_EQ(futex(&fa, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, NULL, 0), 0);
    CHECK_EQ(futex(&fb, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, NULL, 0), 3);
    expect_finished(3);
    join_all(w, 3);

    /* Wake all by a large nr_wake: requeue count then irrelevant. */
    start_waiters(w, 2);
    CHECK_EQ(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, INT32_MAX, 5, &fb, 0), 2);
    expect_finished(2);
    join_all(w, 2);
    CHECK_EQ(futex(&fb, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, NULL, 0), 0);
    return 0;
}
