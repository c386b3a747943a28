/* ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time: a busy loop
 * gets SIGVTALRM / SIGPROF (SI_KERNEL) once it has used the time, a
 * sleeping process gets nothing; getitimer reads the CPU time left. */
#include "check.h"

#include <sys/time.h>

static volatile int got_sig, got_code;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
}

static long long cpu_ns(void)
{
    struct timespec ts;
    CHECK_OK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts));
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_us(struct timeval tv)
{
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Spins until sig arrives (or 4 s of wall time); returns the CPU time used. */
static long long spin_until(int sig)
{
    long long c0 = cpu_ns(), t0 = now_ns();
    while (got_sig != sig && now_ns() - t0 < 4000000000LL)
        ;
    return cpu_ns() - c0;
}

static void check_timer(int which, int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(sig, &sa, NULL));

    /* Read back: no more than what was set (plus a tick), not much less. */
    struct itimerval it = { { 0, 0 }, { 0, 100000 } }, cur;
    CHECK_OK(setitimer(which, &it, NULL));
    CHECK_OK(getitimer(which, &cur));
    CHECK(tv_us(cur.it_value) > 50000);
    CHECK(tv_us(cur.it_value) <= 100000 + 10000);
    CHECK_EQ(tv_us(cur.it_interval), 0);

    /* Sleeping uses no CPU time: nothing fires. */
    sleep_ms(150);
    CHECK_EQ(got_sig, 0);
    CHECK_OK(getitimer(which, &cur));
    CHECK(tv_us(cur.it_value) > 50000);

    /* Spinning does. */
    long long used = spin_until(sig);
    CHECK_EQ(got_sig, sig);
    CHECK_EQ(got_code, SI_KERNEL);
    CHECK(used >= 40000000LL);
    /* A one-shot timer is disarmed once it fired. */
    CHECK_OK(getitimer(which, &cur));
    CHECK_EQ(tv_us(cur.it_value), 0);

    /* Periodic, then disarmed by a zero value (the old value comes back). */
    got_sig = 0;
    it = (struct itimerval){ { 0, 20000 }, { 0, 20000 } };
    CHECK_OK(setitimer(which, &it, NULL));
    spin_until(sig);
    CHECK_EQ(got_sig, sig);
    got_sig = 0;
    spin_until(sig);
    CHECK_EQ(got_sig, sig);
    struct itimerval zero = { { 0, 0 }, { 0, 0 } }, old;
    CHECK_OK(setitimer(which, &zero, &old));
    CHECK_EQ(tv_us(old.it_interval), 20000);
    CHECK(tv_us(old.it_value) > 0);
    CHECK_OK(getitimer(which, &cur));
    CHECK_EQ(tv_us(cur.it_value), 0);
    CHECK_EQ(tv_us(cur.it_interval), 0);
    got_sig = 0;
}

int main(void)
{
    check_timer(ITIMER_VIRTUAL, SIGVTALRM);
    check_timer(ITIMER_PROF, SIGPROF);
    /* The two are independent of ITIMER_REAL. */
    struct itimerval cur;
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK_EQ(tv_us(cur.it_value), 0);
    return 0;
}
