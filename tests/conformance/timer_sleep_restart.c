/* A relative sleep stopped and continued (a signal without handler) goes on
 * with the time left, not from scratch (restart_syscall with the task's
 * restart block); an absolute sleep keeps its deadline; a handler makes
 * nanosleep fail with EINTR and the time left. */
#include "check.h"

static void on_usr1(int sig)
{
    (void)sig;
}

/* In a child: sleeps 400 ms the way `how` says; exits with the elapsed
 * time in units of 10 ms. */
static int sleeper(int how)
{
    struct timespec req = { 0, 400000000 };
    long long t0 = now_ns();
    int r;
    if (how == 0) {
        r = nanosleep(&req, NULL);
    } else if (how == 1) {
        r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    } else {
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        at.tv_nsec += 400000000;
        if (at.tv_nsec >= 1000000000) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000;
        }
        r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL);
    }
    if (r != 0)
        return 255;
    return (int)((now_ns() - t0) / 10000000);
}

static void stop_and_continue(int how)
{
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(sleeper(how));
    /* Stop it 100 ms into its sleep, continue it 200 ms later. */
    sleep_ms(100);
    CHECK_OK(kill(pid, SIGSTOP));
    int st;
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    sleep_ms(200);
    CHECK_OK(kill(pid, SIGCONT));
    st = wait_status(pid);
    CHECK(WIFEXITED(st));
    /* 400 ms in all, not 300 + 400. */
    int el = WEXITSTATUS(st);
    if (el < 39 || el > 60)
        FAIL("sleep %d took %d0 ms", how, el);
}

int main(void)
{
    stop_and_continue(0);
    stop_and_continue(1);
    stop_and_continue(2);

    /* With a handler: EINTR and what was left. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    struct itimerspec its = { { 0, 0 }, { 0, 50000000 } };
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    int id;
    CHECK_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    CHECK_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
    struct timespec req = { 2, 0 }, rem = { 0, 0 };
    CHECK_ERR(nanosleep(&req, &rem), EINTR);
    long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
    CHECK(left > 1500000000LL && left < 1960000000LL);
    /* Also through clock_nanosleep, which returns the error. */
    CHECK_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
    left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
    CHECK(left > 1500000000LL && left < 1960000000LL);
    /* restart_syscall with nothing to restart: EINTR. */
    CHECK_ERR(syscall(SYS_restart_syscall), EINTR);
    CHECK_OK(syscall(SYS_timer_delete, id));
    return 0;
}
