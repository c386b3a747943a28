/* Timers and threads: SIGEV_THREAD_ID sends the signal to that thread
 * (whatever the others' masks), glibc's SIGEV_THREAD (built on
 * SIGEV_THREAD_ID) runs its function, and a CLOCK_THREAD_CPUTIME_ID timer
 * counts the CPU time of the thread that created it. */
#include "check.h"

#include <pthread.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static volatile pid_t handled_by;
static volatile int handled;
static volatile pid_t worker_tid;
static volatile int stop;
static volatile int notified;
static volatile int notified_value;

static void on_usr1(int sig)
{
    (void)sig;
    handled_by = gettid();
    handled++;
}

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = gettid();
    while (!stop)
        usleep(1000);
    return NULL;
}

static void on_notify(union sigval v)
{
    notified_value = v.sival_int;
    notified++;
}

static volatile int cpu_fired, cpu_code, cpu_timerid;

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    cpu_fired++;
    cpu_code = si->si_code;
    cpu_timerid = si->si_timerid;
}

static long long cpu_now(clockid_t clock)
{
    struct timespec ts;
    CHECK_OK(clock_gettime(clock, &ts));
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void check_cpu_timer(clockid_t clock)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr2;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    cpu_fired = 0;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR2;
    int id = -1;
    CHECK_OK(syscall(SYS_timer_create, clock, &ev, &id));
    struct itimerspec its = { { 0, 0 }, { 0, 50000000 } }, cur;
    CHECK_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
    CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
    CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
          cur.it_value.tv_nsec <= 50000000);
    sleep_ms(100);
    CHECK_EQ(cpu_fired, 0);
    long long c0 = cpu_now(clock), t0 = now_ns();
    while (!cpu_fired && now_ns() - t0 < 4000000000LL)
        ;
    CHECK_EQ(cpu_fired, 1);
    CHECK(cpu_now(clock) - c0 >= 30000000LL);
    CHECK_EQ(cpu_code, SI_TIMER);
    CHECK_EQ(cpu_timerid, id);
    CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
    CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_nsec, 0);
    CHECK_OK(syscall(SYS_timer_delete, id));
}

static int run(void)
{
    signal(SIGUSR1, on_usr1);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, worker, NULL), 0);
    while (!worker_tid)
        usleep(1000);

    /* SIGEV_THREAD_ID: the worker takes it, though main could too. */
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_notify_thread_id = worker_tid;
    int id = -1;
    CHECK_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    struct itimerspec its = { { 0, 0 }, { 0, 20000000 } };
    CHECK_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
    long long t0 = now_ns();
    while (!handled && now_ns() - t0 < 3000000000LL)
        usleep(1000);
    CHECK_EQ(handled, 1);
    CHECK_EQ(handled_by, worker_tid);
    CHECK_OK(syscall(SYS_timer_delete, id));
    stop = 1;
    CHECK_EQ(pthread_join(th, NULL), 0);

    /* glibc's SIGEV_THREAD: the function runs with the value. */
    timer_t tt;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = on_notify;
    ev.sigev_value.sival_int = 4321;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &tt));
    CHECK_OK(timer_settime(tt, 0, &its, NULL));
    t0 = now_ns();
    while (!notified && now_ns() - t0 < 3000000000LL)
        usleep(1000);
    CHECK_EQ(notified, 1);
    CHECK_EQ(notified_value, 4321);
    CHECK_OK(timer_delete(tt));

    /* CPU-time timers: a thread's fires once this thread has spun 50 ms,
     * the process's likewise; sleeping does not count. */
    check_cpu_timer(CLOCK_THREAD_CPUTIME_ID);
    check_cpu_timer(CLOCK_PROCESS_CPUTIME_ID);
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
