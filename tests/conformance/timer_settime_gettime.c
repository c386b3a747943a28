/* timer_settime/timer_gettime: the time left and the interval, the old
 * setting, TIMER_ABSTIME on CLOCK_REALTIME and CLOCK_MONOTONIC (in the
 * future and in the past), disarming with a zero value, and SIGEV_NONE
 * timers whose setting is only read back. */
#include "check.h"

static int tcreate(clockid_t clock, int notify, int sig)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = notify;
    ev.sigev_signo = sig;
    int id = -1;
    CHECK_OK(syscall(SYS_timer_create, clock, &ev, &id));
    return id;
}

static long long ts_ns(struct timespec ts)
{
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int settime(int id, int flags, struct timespec value, struct timespec every,
                   struct itimerspec *old)
{
    struct itimerspec its = { every, value };
    return (int)syscall(SYS_timer_settime, id, flags, &its, old);
}

static struct itimerspec gettime(int id)
{
    struct itimerspec cur;
    CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
    return cur;
}

static int run(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    struct timespec zero = { 0, 0 };
    struct itimerspec old, cur;

    /* Relative: the value counts down from what was set. */
    int a = tcreate(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1);
    CHECK_OK(settime(a, 0, (struct timespec){ 10, 0 }, (struct timespec){ 2, 500 }, &old));
    CHECK_EQ(ts_ns(old.it_value), 0);
    CHECK_EQ(ts_ns(old.it_interval), 0);
    cur = gettime(a);
    CHECK(ts_ns(cur.it_value) <= 10000000000LL);
    CHECK(ts_ns(cur.it_value) > 9000000000LL);
    CHECK_EQ(cur.it_interval.tv_sec, 2);
    CHECK_EQ(cur.it_interval.tv_nsec, 500);
    /* A new setting returns the old one. */
    CHECK_OK(settime(a, 0, (struct timespec){ 20, 0 }, zero, &old));
    CHECK(ts_ns(old.it_value) > 9000000000LL && ts_ns(old.it_value) <= 10000000000LL);
    CHECK_EQ(ts_ns(old.it_interval), 2000000500LL);
    /* A zero value disarms (the interval goes with it). */
    CHECK_OK(settime(a, 0, zero, (struct timespec){ 1, 0 }, &old));
    CHECK(ts_ns(old.it_value) > 19000000000LL);
    cur = gettime(a);
    CHECK_EQ(ts_ns(cur.it_value), 0);
    CHECK_EQ(ts_ns(cur.it_interval), 0);

    /* Absolute on CLOCK_REALTIME: 5 s from now reads as about 5 s left. */
    int b = tcreate(CLOCK_REALTIME, SIGEV_SIGNAL, SIGUSR1);
    struct timespec now;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
    struct timespec at = { now.tv_sec + 5, now.tv_nsec };
    CHECK_OK(settime(b, TIMER_ABSTIME, at, zero, NULL));
    cur = gettime(b);
    CHECK(ts_ns(cur.it_value) > 4000000000LL && ts_ns(cur.it_value) <= 5000000000LL);
    /* ...and 30 ms from now fires after 30 ms. */
    long long t0 = now_ns();
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
    long long when = ts_ns(now) + 30000000LL;
    at = (struct timespec){ when / 1000000000LL, when % 1000000000LL };
    CHECK_OK(settime(b, TIMER_ABSTIME, at, zero, NULL));
    struct timespec tmo = { 3, 0 };
    siginfo_t si;
    CHECK_EQ(sigtimedwait(&set, &si, &tmo), SIGUSR1);
    CHECK_EQ(si.si_timerid, b);
    CHECK(now_ns() - t0 >= 25000000LL);
    /* An absolute time already past fires at once. */
    t0 = now_ns();
    CHECK_OK(settime(b, TIMER_ABSTIME, (struct timespec){ 1, 0 }, zero, NULL));
    CHECK_EQ(sigtimedwait(&set, &si, &tmo), SIGUSR1);
    CHECK(now_ns() - t0 < 1000000000LL);
    cur = gettime(b);
    CHECK_EQ(ts_ns(cur.it_value), 0);

    /* Absolute on CLOCK_MONOTONIC, periodic. */
    int c = tcreate(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1);
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
    CHECK_OK(settime(c, TIMER_ABSTIME, (struct timespec){ now.tv_sec + 3, now.tv_nsec },
                     (struct timespec){ 1, 0 }, NULL));
    cur = gettime(c);
    CHECK(ts_ns(cur.it_value) > 2000000000LL && ts_ns(cur.it_value) <= 3000000000LL);
    CHECK_EQ(ts_ns(cur.it_interval), 1000000000LL);

    /* SIGEV_NONE: the time left still counts down; a one-shot one reads
     * zero once expired, a periodic one the time to its next period. */
    int d = tcreate(CLOCK_MONOTONIC, SIGEV_NONE, 0);
    CHECK_OK(settime(d, 0, (struct timespec){ 0, 20000000 }, zero, NULL));
    cur = gettime(d);
    CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 20000000LL);
    sleep_ms(40);
    cur = gettime(d);
    CHECK_EQ(ts_ns(cur.it_value), 0);
    CHECK_OK(settime(d, 0, (struct timespec){ 0, 10000000 }, (struct timespec){ 0, 30000000 },
                     NULL));
    sleep_ms(25);
    cur = gettime(d);
    CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 30000000LL);
    CHECK_EQ(ts_ns(cur.it_interval), 30000000LL);
    CHECK_EQ(syscall(SYS_timer_getoverrun, d), 0);

    /* The old value may be NULL; a bad one is EFAULT (after the change). */
    CHECK_OK(settime(a, 0, (struct timespec){ 7, 0 }, zero, NULL));
    CHECK_ERR(settime(a, 0, (struct timespec){ 8, 0 }, zero, BAD_PTR), EFAULT);
    cur = gettime(a);
    CHECK(ts_ns(cur.it_value) > 7000000000LL);
    return 0;
}

/* In a child: pid 1 of a sandbox drops signals it has no handler for,
 * even those it would take with sigtimedwait. */
int main(void)
{
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(run());
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
