/* clock_gettime / clock_getres: clocks are valid, monotonic clocks do not
 * go back, CPU clocks advance with work, errors. */
#include "check.h"

static long long ns(struct timespec t)
{
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The raw syscall: the vDSO would crash on bad pointers instead of EFAULT. */
static long raw_gettime(clockid_t c, void *ts)
{
    return syscall(SYS_clock_gettime, c, ts);
}

int main(void)
{
    clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
                           CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                           CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                           CLOCK_MONOTONIC_COARSE };
    struct timespec t, r;
    for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        CHECK_EQ(clock_gettime(clocks[i], &t), 0);
        CHECK(t.tv_sec >= 0);
        CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L);
        CHECK_EQ(raw_gettime(clocks[i], &t), 0);
        CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L);
        /* A positive resolution of at most one second. */
        CHECK_EQ(clock_getres(clocks[i], &r), 0);
        CHECK(r.tv_sec == 0 || (r.tv_sec == 1 && r.tv_nsec == 0));
        CHECK(ns(r) > 0);
        CHECK_EQ(syscall(SYS_clock_getres, clocks[i], &r), 0);
        /* res may be NULL. */
        CHECK_EQ(syscall(SYS_clock_getres, clocks[i], NULL), 0);
    }

    /* The real-time clock is after 2020-01-01 and agrees with time(). */
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &t));
    CHECK(t.tv_sec > 1577836800);
    time_t now = time(NULL);
    CHECK(now >= t.tv_sec - 2 && now <= t.tv_sec + 2);

    /* CLOCK_MONOTONIC never goes backwards; BOOTTIME >= MONOTONIC. */
    struct timespec m0, m1, b;
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &m0));
    for (int i = 0; i < 1000; i++) {
        CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &m1));
        CHECK(ns(m1) >= ns(m0));
        m0 = m1;
    }
    CHECK_OK(clock_gettime(CLOCK_BOOTTIME, &b));
    CHECK(ns(b) >= ns(m1));

    /* Process CPU time advances when we burn CPU. */
    struct timespec c0, c1;
    CHECK_OK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0));
    volatile unsigned long x = 0;
    long long start = now_ns();
    while (now_ns() - start < 50000000LL)   /* ~50 ms of work */
        x++;
    CHECK_OK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1));
    CHECK(ns(c1) > ns(c0));
    CHECK_OK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1));
    CHECK(ns(c1) > 0);

    /* Errors. */
    CHECK_ERR(clock_gettime((clockid_t)12345, &t), EINVAL);
    CHECK_ERR(raw_gettime((clockid_t)12345, &t), EINVAL);
    CHECK_ERR(clock_getres((clockid_t)12345, &r), EINVAL);
    CHECK_ERR(raw_gettime(CLOCK_MONOTONIC, BAD_PTR), EFAULT);
    CHECK_ERR(raw_gettime(CLOCK_REALTIME, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BAD_PTR), EFAULT);
    return 0;
}
