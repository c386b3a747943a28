/* clock_nanosleep: relative and TIMER_ABSTIME sleeps on several clocks;
 * errors are returned, not stored in errno. */
#include "check.h"

static long long ts_ns(struct timespec t)
{
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void)
{
    struct timespec req = { 0, 50 * 1000000L }, now, target;

    /* Relative, on CLOCK_MONOTONIC and CLOCK_REALTIME. */
    long long t0 = now_ns();
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    t0 = now_ns();
    CHECK_RET(clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);

    /* Absolute: wakes no earlier than the target. */
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
    target = now;
    target.tv_nsec += 60 * 1000000L;
    if (target.tv_nsec >= 1000000000L) {
        target.tv_sec++;
        target.tv_nsec -= 1000000000L;
    }
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL), 0);
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
    CHECK(ts_ns(now) >= ts_ns(target));
    CHECK(ts_ns(now) - ts_ns(target) < 3000000000LL);

    /* An absolute time in the past returns at once. */
    struct timespec past = { 1, 0 };
    t0 = now_ns();
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
    CHECK(now_ns() - t0 < 1000000000LL);
    CHECK_RET(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL), 0);

    /* CLOCK_BOOTTIME works too. */
    struct timespec shortreq = { 0, 10 * 1000000L };
    t0 = now_ns();
    CHECK_RET(clock_nanosleep(CLOCK_BOOTTIME, 0, &shortreq, NULL), 0);
    CHECK(now_ns() - t0 >= 10 * 1000000LL);

    /* Errors come back as the return value. */
    struct timespec bad = { 0, 1000000000L };
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    bad.tv_nsec = -5;
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL), EINVAL);
    CHECK_RET(clock_nanosleep((clockid_t)12345, 0, &req, NULL), EINVAL);
    /* The thread CPU clock is not allowed (clock_nanosleep(2)). */
    CHECK_RET(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EINVAL);
    /* The raw syscall reports errors through errno as usual. */
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_clock_nanosleep, (clockid_t)12345, 0, &req, NULL), EINVAL);
    CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &shortreq, NULL), 0);
    return 0;
}
