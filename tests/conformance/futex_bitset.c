/* FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET: absolute timeouts on
 * CLOCK_MONOTONIC and (FUTEX_CLOCK_REALTIME) CLOCK_REALTIME, deadlines in
 * the past, bitset 0 refused, selective wakes by bitset, plain waits
 * matching any bitset, FUTEX_CLOCK_REALTIME refused on wakes. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts,
                  unsigned bitset)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, bitset);
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

static struct timespec in_ms(clockid_t clk, long ms)
{
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static int reached(clockid_t clk, const struct timespec *dl)
{
    struct timespec now;
    clock_gettime(clk, &now);
    return now.tv_sec > dl->tv_sec ||
           (now.tv_sec == dl->tv_sec && now.tv_nsec >= dl->tv_nsec);
}

static uint32_t word;

struct waiter {
    pthread_t th;
    unsigned bitset;        /* 0: plain FUTEX_WAIT */
    atomic_int tid, done;
    long ret;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, gettid());
    if (w->bitset)
        w->ret = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, w->bitset);
    else
        w->ret = futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, 0);
    atomic_store(&w->done, 1);
    return NULL;
}

int main(void)
{
    uint32_t v = 1;

    /* Absolute deadline on CLOCK_MONOTONIC (the default for BITSET). */
    struct timespec dl = in_ms(CLOCK_MONOTONIC, 60);
    CHECK_ERR(futex(&v, FUTEX_WAIT_BITSET_PRIVATE, 1, &dl, FUTEX_BITSET_MATCH_ANY),
              ETIMEDOUT);
    CHECK(reached(CLOCK_MONOTONIC, &dl));
    /* ...on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME. */
    dl = in_ms(CLOCK_REALTIME, 60);
    CHECK_ERR(futex(&v, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &dl,
                    FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK(reached(CLOCK_REALTIME, &dl));
    /* A realtime deadline read as monotonic would be decades away: this
     * returns at once only if the clock is the right one. */
    dl = in_ms(CLOCK_REALTIME, -1000);
    long long t0 = now_ns();
    CHECK_ERR(futex(&v, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &dl,
                    FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK(now_ns() - t0 < 1000000000LL);
    dl.tv_sec = 0;                                      /* long past */
    dl.tv_nsec = 0;
    CHECK_ERR(futex(&v, FUTEX_WAIT_BITSET_PRIVATE, 1, &dl, ~0u), ETIMEDOUT);
    /* The value check comes first. */
    dl = in_ms(CLOCK_MONOTONIC, 1000);
    CHECK_ERR(futex(&v, FUTEX_WAIT_BITSET_PRIVATE, 2, &dl, ~0u), EAGAIN);

    /* Errors. */
    CHECK_ERR(futex(&v, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, 0), EINVAL);
    CHECK_ERR(futex(&v, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, 0), EINVAL);
    CHECK_ERR(futex(&v, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, 0), ENOSYS);
    CHECK_ERR(futex(&v, FUTEX_WAKE_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, ~0u),
              ENOSYS);
    /* Only the bitset wait (of the non-PI commands) takes the flag; a
     * plain FUTEX_WAIT with it is refused too (as Linux 6.x does). */
    struct timespec rel = { 0, 1000000 };
    CHECK_ERR(futex(&v, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &rel, 0), ENOSYS);
    dl.tv_nsec = -1;
    CHECK_ERR(futex(&v, FUTEX_WAIT_BITSET_PRIVATE, 1, &dl, ~0u), EINVAL);

    /* Selective wakes. */
    static const unsigned bits[5] = { 0x1, 0x2, 0x4, 0x6, 0 };
    struct waiter w[5];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 5; i++) {
        w[i].bitset = bits[i];
        CHECK_RET(pthread_create(&w[i].th, NULL, waiter_main, &w[i]), 0);
        while (atomic_load(&w[i].tid) == 0)
            sleep_ms(1);
        wait_blocked(atomic_load(&w[i].tid));
    }
    /* Bit 3 matches nobody but the plain waiter (bitset "any"). */
    CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT32_MAX, NULL, 0x8), 1);
    CHECK_RET(pthread_join(w[4].th, NULL), 0);
    /* Bit 1 matches 0x2 and 0x6. */
    CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT32_MAX, NULL, 0x2), 2);
    CHECK_RET(pthread_join(w[1].th, NULL), 0);
    CHECK_RET(pthread_join(w[3].th, NULL), 0);
    sleep_ms(10);
    CHECK_EQ(atomic_load(&w[0].done), 0);
    CHECK_EQ(atomic_load(&w[2].done), 0);
    /* Waking bit 2 with nr 1: only the 0x4 waiter. */
    CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, 0x4), 1);
    CHECK_RET(pthread_join(w[2].th, NULL), 0);
    /* A plain FUTEX_WAKE matches every bitset. */
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, 0), 1);
    CHECK_RET(pthread_join(w[0].th, NULL), 0);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(w[i].ret, 0);
    return 0;
}
