/* Interval timers across fork and execve: a fork child starts with no
 * alarm and no itimers, an alarm (and ITIMER_REAL with its interval)
 * survives execve and still fires after it, while POSIX timers are deleted
 * by execve. */
#include "check.h"

#include <sys/time.h>

static volatile int hits;

static void on_alrm(int sig)
{
    (void)sig;
    hits++;
}

/* After execve: the alarm is still there and fires; timer 0 is gone. */
static int after_exec(void)
{
    struct itimerval cur;
    CHECK_OK(getitimer(ITIMER_REAL, &cur));
    CHECK(cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0);
    CHECK(cur.it_value.tv_sec < 2);
    CHECK_EQ(cur.it_interval.tv_sec, 0);
    CHECK_EQ(cur.it_interval.tv_usec, 300000);
    struct itimerspec its;
    CHECK_ERR(syscall(SYS_timer_gettime, 0, &its), EINVAL);
    CHECK_ERR(syscall(SYS_timer_delete, 0), EINVAL);
    signal(SIGALRM, on_alrm);
    long long t0 = now_ns();
    while (hits < 2 && now_ns() - t0 < 3000000000LL)
        pause();
    CHECK_EQ(hits >= 2, 1);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "after-exec") == 0)
        return after_exec();

    /* fork: the child has none of the parent's interval timers. */
    CHECK_EQ(alarm(100), 0);
    struct itimerval prof = { { 0, 0 }, { 50, 0 } };
    CHECK_OK(setitimer(ITIMER_PROF, &prof, NULL));
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct itimerval cur;
        CHECK_EQ(alarm(0), 0);
        CHECK_OK(getitimer(ITIMER_REAL, &cur));
        CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_usec, 0);
        CHECK_OK(getitimer(ITIMER_PROF, &cur));
        CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_usec, 0);
        CHECK_OK(getitimer(ITIMER_VIRTUAL, &cur));
        CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_usec, 0);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    /* ...and the parent keeps its own. */
    unsigned left = alarm(0);
    CHECK(left == 100 || left == 99);
    struct itimerval cur;
    CHECK_OK(getitimer(ITIMER_PROF, &cur));
    CHECK(cur.it_value.tv_sec >= 49 && cur.it_value.tv_sec <= 50);
    struct itimerval zero = { { 0, 0 }, { 0, 0 } };
    CHECK_OK(setitimer(ITIMER_PROF, &zero, NULL));

    /* execve keeps ITIMER_REAL (alarm included) and drops POSIX timers. */
    fflush(NULL);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sigevent ev;
        memset(&ev, 0, sizeof ev);
        ev.sigev_notify = SIGEV_NONE;
        int id = -1;
        CHECK_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
        CHECK_EQ(id, 0);
        struct itimerspec its = { { 100, 0 }, { 100, 0 } };
        CHECK_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        struct itimerval it = { { 0, 300000 }, { 0, 400000 } };
        CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
        /* A pending SIGALRM must not kill us before the handler is set. */
        signal(SIGALRM, SIG_IGN);
        char *args[] = { (char *)self_path(argv), "after-exec", NULL };
        execv(args[0], args);
        _exit(99);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
