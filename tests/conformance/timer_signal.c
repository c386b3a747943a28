/* POSIX timer signals: SIGEV_SIGNAL with the signal, si_code SI_TIMER,
 * si_timerid, si_value and si_overrun of the sigevent; with no sigevent,
 * SIGALRM carrying the timer id; SIGEV_NONE sends nothing; a deleted timer
 * sends nothing more; overruns of a periodic timer whose signal stays
 * blocked, and timer_getoverrun. */
#include "check.h"

static int tcreate(clockid_t clock, struct sigevent *ev)
{
    int id = -1;
    CHECK_OK(syscall(SYS_timer_create, clock, ev, &id));
    return id;
}

static void tset(int id, long long first_ns, long long every_ns)
{
    struct itimerspec its = {
        { every_ns / 1000000000, every_ns % 1000000000 },
        { first_ns / 1000000000, first_ns % 1000000000 },
    };
    CHECK_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
}

/* Waits up to 3 s for one of set. */
static int wait_sig(const sigset_t *set, siginfo_t *si)
{
    struct timespec tmo = { 3, 0 };
    return sigtimedwait(set, si, &tmo);
}

static int run(void)
{
    int rt = SIGRTMIN + 2;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, rt);
    sigaddset(&set, SIGALRM);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));

    /* One shot with a real-time signal and a value. */
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = rt;
    ev.sigev_value.sival_int = 1234;
    int a = tcreate(CLOCK_MONOTONIC, &ev);
    long long t0 = now_ns();
    tset(a, 20000000, 0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_EQ(wait_sig(&set, &si), rt);
    CHECK(now_ns() - t0 >= 20000000LL);
    CHECK_EQ(si.si_code, SI_TIMER);
    CHECK_EQ(si.si_timerid, a);
    CHECK_EQ(si.si_value.sival_int, 1234);
    CHECK_EQ(si.si_overrun, 0);
    CHECK_EQ(syscall(SYS_timer_getoverrun, a), 0);
    /* A one-shot timer is disarmed after it fired. */
    struct itimerspec cur;
    CHECK_OK(syscall(SYS_timer_gettime, a, &cur));
    CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_nsec, 0);

    /* No sigevent: SIGALRM, with the timer id as the value. */
    int b = tcreate(CLOCK_REALTIME, NULL);
    tset(b, 10000000, 0);
    memset(&si, 0, sizeof si);
    CHECK_EQ(wait_sig(&set, &si), SIGALRM);
    CHECK_EQ(si.si_code, SI_TIMER);
    CHECK_EQ(si.si_timerid, b);
    CHECK_EQ(si.si_value.sival_int, b);

    /* SIGEV_NONE: nothing arrives. */
    ev.sigev_notify = SIGEV_NONE;
    int c = tcreate(CLOCK_MONOTONIC, &ev);
    tset(c, 10000000, 0);
    struct timespec wait = { 0, 50000000 };
    CHECK_ERR(sigtimedwait(&set, NULL, &wait), EAGAIN);

    /* A deleted timer sends nothing more. */
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    int d = tcreate(CLOCK_MONOTONIC, &ev);
    tset(d, 30000000, 10000000);
    CHECK_OK(syscall(SYS_timer_delete, d));
    CHECK_ERR(sigtimedwait(&set, NULL, &wait), EAGAIN);

    /* Overruns: every 5 ms for 100 ms while the signal stays blocked:
     * one signal, the others counted in si_overrun. */
    ev.sigev_signo = rt;
    ev.sigev_value.sival_int = 77;
    int e = tcreate(CLOCK_MONOTONIC, &ev);
    tset(e, 5000000, 5000000);
    sleep_ms(100);
    memset(&si, 0, sizeof si);
    CHECK_EQ(wait_sig(&set, &si), rt);
    CHECK_EQ(si.si_timerid, e);
    CHECK_EQ(si.si_value.sival_int, 77);
    CHECK(si.si_overrun >= 10);
    CHECK(si.si_overrun <= 40);
    /* timer_getoverrun: that of the signal just taken. */
    CHECK_EQ(syscall(SYS_timer_getoverrun, e), si.si_overrun);
    /* Only one was queued for all those expiries. */
    struct itimerspec off = { { 0, 0 }, { 0, 0 } };
    CHECK_OK(syscall(SYS_timer_settime, e, 0, &off, NULL));
    CHECK_ERR(sigtimedwait(&set, NULL, &wait), EAGAIN);

    CHECK_OK(syscall(SYS_timer_delete, a));
    CHECK_OK(syscall(SYS_timer_delete, b));
    CHECK_OK(syscall(SYS_timer_delete, c));
    CHECK_OK(syscall(SYS_timer_delete, e));
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
