/* alarm(2): the seconds left of the previous alarm (rounded to nearest,
 * never 0 for a pending alarm), SIGALRM with SI_KERNEL, one signal per
 * alarm, alarm(0) cancels, and the default action kills (in a child: pid 1
 * ignores signals it has no handler for). */
#include "check.h"

#include <sys/time.h>

static volatile int hits, hit_code;

static void on_alrm(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    hits++;
    hit_code = si->si_code;
}

int main(void)
{
    /* Nothing pending at start. */
    CHECK_EQ(alarm(0), 0);

    /* The previous alarm's seconds: 30 s set a moment ago reads as 30. */
    CHECK_EQ(alarm(30), 0);
    CHECK_EQ(alarm(7), 30);
    CHECK_EQ(alarm(0), 7);
    CHECK_EQ(alarm(0), 0);

    /* Rounding: 2.5 s left or more rounds up, below 0.5 s left is never 0. */
    struct itimerval it = { { 0, 0 }, { 2, 600000 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_EQ(alarm(0), 3);
    it.it_value.tv_sec = 2;
    it.it_value.tv_usec = 100000;
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_EQ(alarm(0), 2);
    it.it_value.tv_sec = 0;
    it.it_value.tv_usec = 300000;
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_EQ(alarm(0), 1);

    /* alarm sets ITIMER_REAL: getitimer sees it, with no interval. */
    CHECK_EQ(alarm(10), 0);
    struct itimerval cur;
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK(cur.it_value.tv_sec == 9 || cur.it_value.tv_sec == 10);
    CHECK_EQ(cur.it_interval.tv_sec, 0);
    CHECK_EQ(cur.it_interval.tv_usec, 0);
    CHECK_EQ(alarm(0), 10);
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK_EQ(cur.it_value.tv_sec, 0);
    CHECK_EQ(cur.it_value.tv_usec, 0);

    /* Expiry: one SIGALRM, from the kernel, after about a second. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alrm;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    long long t0 = now_ns();
    CHECK_EQ(alarm(1), 0);
    while (!hits && now_ns() - t0 < 3000000000LL)
        pause();
    long long el = now_ns() - t0;
    CHECK_EQ(hits, 1);
    CHECK_EQ(hit_code, SI_KERNEL);
    CHECK(el >= 990000000LL);
    CHECK(el < 2500000000LL);
    /* Fired: nothing is left, and no second signal comes. */
    CHECK_EQ(alarm(0), 0);
    sleep_ms(100);
    CHECK_EQ(hits, 1);

    /* The default action of SIGALRM terminates. */
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        struct itimerval shot = { { 0, 0 }, { 0, 50000 } };
        setitimer(ITIMER_REAL, &shot, NULL);
        for (;;)
            pause();
    }
    CHECK_CHILD_SIGNALED(pid, SIGALRM);
    return 0;
}
