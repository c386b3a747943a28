/* setitimer/getitimer(ITIMER_REAL): values and intervals in microseconds,
 * the old value, periodic SIGALRMs with SI_KERNEL, disarming (also with a
 * NULL new value), and the errors. */
#include "check.h"

#include <sys/time.h>

static long long tv_us(struct timeval tv)
{
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int run(void)
{
    struct itimerval it, old, cur;

    /* Disarmed at start. */
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK_EQ(tv_us(cur.it_value), 0);
    CHECK_EQ(tv_us(cur.it_interval), 0);

    /* Set, read back: the value counts down, the interval is exact. */
    it = (struct itimerval){ { 1, 250000 }, { 5, 500000 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, &old));
    CHECK_EQ(tv_us(old.it_value), 0);
    CHECK_EQ(tv_us(old.it_interval), 0);
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK(tv_us(cur.it_value) <= 5500000);
    CHECK(tv_us(cur.it_value) > 5000000);
    CHECK_EQ(cur.it_interval.tv_sec, 1);
    CHECK_EQ(cur.it_interval.tv_usec, 250000);

    /* A new setting returns the old one. */
    it = (struct itimerval){ { 0, 0 }, { 20, 0 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, &old));
    CHECK(tv_us(old.it_value) <= 5500000 && tv_us(old.it_value) > 5000000);
    CHECK_EQ(tv_us(old.it_interval), 1250000);

    /* A zero value disarms, whatever the interval says. */
    it = (struct itimerval){ { 3, 0 }, { 0, 0 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, &old));
    CHECK(tv_us(old.it_value) > 19000000);
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK_EQ(tv_us(cur.it_value), 0);
    CHECK_EQ(tv_us(cur.it_interval), 0);

    /* NULL as the new value disarms too (a Linux misfeature). */
    it = (struct itimerval){ { 0, 0 }, { 20, 0 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_OK(syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));
    CHECK(tv_us(old.it_value) > 19000000);
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK_EQ(tv_us(cur.it_value), 0);

    /* Periodic: 30 ms then every 20 ms, SIGALRM from the kernel each time. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    long long t0 = now_ns();
    it = (struct itimerval){ { 0, 20000 }, { 0, 30000 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    for (int i = 0; i < 4; i++) {
        siginfo_t si;
        struct timespec tmo = { 3, 0 };
        CHECK_EQ(sigtimedwait(&set, &si, &tmo), SIGALRM);
        CHECK_EQ(si.si_code, SI_KERNEL);
    }
    long long el = now_ns() - t0;
    CHECK(el >= (30 + 3 * 20) * 1000000LL);
    CHECK(el < 2000000000LL);
    /* Still armed, with its interval. */
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK(tv_us(cur.it_value) > 0 && tv_us(cur.it_value) <= 20000);
    CHECK_EQ(tv_us(cur.it_interval), 20000);
    it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    /* Nothing more comes once disarmed (drain one in flight). */
    struct timespec shortwait = { 0, 5000000 };
    sigtimedwait(&set, NULL, &shortwait);
    struct timespec wait = { 0, 60000000 };
    CHECK_ERR(sigtimedwait(&set, NULL, &wait), EAGAIN);

    /* Errors. */
    it = (struct itimerval){ { 0, 0 }, { 0, 1000000 } };
    CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
    it = (struct itimerval){ { 0, -1 }, { 1, 0 } };
    CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
    it = (struct itimerval){ { 0, 0 }, { -1, 0 } };
    CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
    it = (struct itimerval){ { 0, 0 }, { 1, 0 } };
    CHECK_ERR(syscall(SYS_setitimer, 3, &it, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_setitimer, -1, &it, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_getitimer, 3, &cur), EINVAL);
    CHECK_ERR(syscall(SYS_setitimer, ITIMER_REAL, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, NULL), EFAULT);
    /* None of the failures armed anything. */
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK_EQ(tv_us(cur.it_value), 0);
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
