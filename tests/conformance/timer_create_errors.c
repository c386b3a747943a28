/* timer_create/timer_delete and friends: timer ids as Linux hands them out
 * (counting up from 0, not reused at once), the clocks a timer may use,
 * sigevent checks, and EINVAL for ids that name no timer.  Raw syscalls,
 * so that the kernel's ids are seen. */
#include "check.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static int tcreate(clockid_t clock, struct sigevent *ev)
{
    int id = -1;
    if (syscall(SYS_timer_create, clock, ev, &id) < 0)
        return -errno;
    return id;
}

int main(void)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_NONE;

    /* Ids: 0, 1, 2; a deleted id is not handed out again at once. */
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), 0);
    CHECK_EQ(tcreate(CLOCK_REALTIME, &ev), 1);
    CHECK_EQ(tcreate(CLOCK_BOOTTIME, NULL), 2);
    CHECK_OK(syscall(SYS_timer_delete, 0));
    CHECK_EQ(tcreate(CLOCK_PROCESS_CPUTIME_ID, &ev), 3);
    CHECK_EQ(tcreate(CLOCK_THREAD_CPUTIME_ID, &ev), 4);
    CHECK_EQ(tcreate(CLOCK_TAI, &ev), 5);

    /* A deleted id is gone. */
    struct itimerspec its = { { 0, 0 }, { 1, 0 } }, cur;
    CHECK_ERR(syscall(SYS_timer_delete, 0), EINVAL);
    CHECK_ERR(syscall(SYS_timer_gettime, 0, &cur), EINVAL);
    CHECK_ERR(syscall(SYS_timer_settime, 0, 0, &its, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_timer_getoverrun, 0), EINVAL);
    /* ...and so are ids never handed out. */
    CHECK_ERR(syscall(SYS_timer_delete, 100), EINVAL);
    CHECK_ERR(syscall(SYS_timer_delete, -1), EINVAL);
    CHECK_ERR(syscall(SYS_timer_gettime, 12345, &cur), EINVAL);
    CHECK_ERR(syscall(SYS_timer_getoverrun, -5), EINVAL);

    /* Clocks: unknown ones are EINVAL, those without timers EOPNOTSUPP. */
    CHECK_EQ(tcreate(99, &ev), -EINVAL);
    CHECK_EQ(tcreate(CLOCK_MONOTONIC_RAW, &ev), -EOPNOTSUPP);
    CHECK_EQ(tcreate(CLOCK_REALTIME_COARSE, &ev), -EOPNOTSUPP);
    CHECK_EQ(tcreate(CLOCK_MONOTONIC_COARSE, &ev), -EOPNOTSUPP);
    /* A CPU clock of this process from clock_getcpuclockid() works. */
    clockid_t cpuclock;
    CHECK_EQ(clock_getcpuclockid(0, &cpuclock), 0);
    CHECK_EQ(tcreate(cpuclock, &ev), 6);

    /* sigevent checks.  Linux hands out the id before it checks the
     * sigevent: each of these failures uses one up (7 to 12). */
    ev.sigev_notify = 99;
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), -EINVAL);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = 0;
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), -EINVAL);
    ev.sigev_signo = 65;
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), -EINVAL);
    ev.sigev_signo = -1;
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), -EINVAL);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_notify_thread_id = 0;
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), -EINVAL);
    /* A thread of another process is not ours to signal. */
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pause();
        _exit(0);
    }
    ev.sigev_notify_thread_id = pid;
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), -EINVAL);
    kill(pid, SIGKILL);
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    /* Our own thread is. */
    ev.sigev_notify_thread_id = gettid();
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), 13);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMAX;
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, &ev), 14);

    /* Bad pointers. */
    int id;
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, BAD_PTR, &id), EFAULT);
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_timer_settime, 1, 0, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_timer_settime, 1, 0, NULL, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_timer_gettime, 1, BAD_PTR), EFAULT);
    /* Invalid settings. */
    struct itimerspec bad = { { 0, 0 }, { 0, 1000000000 } };
    CHECK_ERR(syscall(SYS_timer_settime, 1, 0, &bad, NULL), EINVAL);
    bad = (struct itimerspec){ { 0, -1 }, { 1, 0 } };
    CHECK_ERR(syscall(SYS_timer_settime, 1, 0, &bad, NULL), EINVAL);
    bad = (struct itimerspec){ { 0, 0 }, { -1, 0 } };
    CHECK_ERR(syscall(SYS_timer_settime, 1, 0, &bad, NULL), EINVAL);
    /* A fresh timer is disarmed. */
    memset(&cur, 0xff, sizeof cur);
    CHECK_OK(syscall(SYS_timer_gettime, 1, &cur));
    CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_nsec, 0);
    CHECK_EQ(cur.it_interval.tv_sec + cur.it_interval.tv_nsec, 0);
    CHECK_EQ(syscall(SYS_timer_getoverrun, 1), 0);

    int live[] = { 1, 2, 3, 4, 5, 6, 13, 14 };
    for (unsigned i = 0; i < sizeof live / sizeof live[0]; i++)
        CHECK_OK(syscall(SYS_timer_delete, live[i]));
    CHECK_ERR(syscall(SYS_timer_delete, 14), EINVAL);
    CHECK_ERR(syscall(SYS_timer_delete, 7), EINVAL);
    /* Ids keep counting up (the EFAULT for the id used one more). */
    CHECK_EQ(tcreate(CLOCK_MONOTONIC, NULL), 16);
    return 0;
}
