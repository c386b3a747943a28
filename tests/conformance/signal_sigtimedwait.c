/* rt_sigtimedwait: a timeout gives EAGAIN (not early), a zero timeout
 * polls, the info is filled (signo, code, pid, uid, value), the signal
 * leaves the pending set, standard before real-time and lowest first, a
 * caught signal outside the set interrupts it (EINTR), a waited-for
 * signal that arrives during the wait is taken even if not blocked (its
 * handler does not run); argument errors. */
#include "check.h"
#include <pthread.h>

static volatile int hits, hit_sig;
static void handler(int sig) { hit_sig = sig; hits++; }

static void wait_blocked(pid_t tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    for (int i = 0; i < 5000; i++) {
        read_file(path, buf, sizeof buf);
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S') {
            sleep_ms(10);
            return;
        }
        sleep_ms(1);
    }
    syscall(SYS_exit_group, 60);
}

static pid_t main_tid;
static void *send_when_blocked(void *arg)
{
    wait_blocked(main_tid);
    syscall(SYS_tgkill, getpid(), main_tid, (int)(long)arg);
    return NULL;
}

static pthread_t later(int sig)
{
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, send_when_blocked, (void *)(long)sig), 0);
    return th;
}

int main(void)
{
    main_tid = gettid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(sigaction(SIGRTMIN, &sa, NULL));

    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGTERM);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    siginfo_t si;

    /* Timeouts. */
    struct timespec ts = { 0, 50 * 1000000L };
    long long t0 = now_ns();
    CHECK_ERR(sigtimedwait(&set, &si, &ts), EAGAIN);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    struct timespec zero = { 0, 0 };
    t0 = now_ns();
    CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
    CHECK(now_ns() - t0 < 1000000000LL);

    /* Info and pending state. */
    union sigval v = { .sival_int = 606 };
    CHECK_OK(sigqueue(getpid(), SIGRTMIN, v));
    CHECK_OK(kill(getpid(), SIGTERM));
    CHECK_OK(kill(getpid(), SIGUSR1));
    memset(&si, 0, sizeof si);
    CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGUSR1);      /* lowest std */
    CHECK_EQ(si.si_signo, SIGUSR1);
    CHECK_EQ(si.si_code, SI_USER);
    CHECK_EQ(si.si_pid, getpid());
    CHECK_EQ(si.si_uid, getuid());
    CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGTERM);
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR1));
    CHECK(!sigismember(&pend, SIGTERM));
    CHECK(sigismember(&pend, SIGRTMIN));
    memset(&si, 0, sizeof si);
    CHECK_EQ(sigwaitinfo(&set, &si), SIGRTMIN);
    CHECK_EQ(si.si_code, SI_QUEUE);
    CHECK_EQ(si.si_value.sival_int, 606);
    CHECK_EQ(si.si_pid, getpid());
    CHECK_EQ(hits, 0);                                     /* no handlers */
    /* NULL info is allowed. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(sigtimedwait(&set, NULL, &zero), SIGUSR1);

    /* Blocking until another thread's signal arrives.  (Raw call: glibc's
     * wrapper reports SI_TKILL as SI_USER.) */
    pthread_t th = later(SIGTERM);
    CHECK_EQ(syscall(SYS_rt_sigtimedwait, &set, &si, NULL, 8), SIGTERM);
    CHECK_EQ(si.si_code, SI_TKILL);
    CHECK_RET(pthread_join(th, NULL), 0);

    /* A caught signal outside the set interrupts the wait. */
    th = later(SIGUSR2);
    ts.tv_sec = 5;
    CHECK_ERR(sigtimedwait(&set, &si, &ts), EINTR);
    CHECK_EQ(hits, 1);
    CHECK_EQ(hit_sig, SIGUSR2);
    CHECK_RET(pthread_join(th, NULL), 0);

    /* SIGUSR2 in the set but not blocked: taken by the wait, no handler. */
    sigset_t u2;
    sigemptyset(&u2);
    sigaddset(&u2, SIGUSR2);
    th = later(SIGUSR2);
    CHECK_EQ(sigtimedwait(&u2, &si, &ts), SIGUSR2);
    CHECK_EQ(hits, 1);
    CHECK_RET(pthread_join(th, NULL), 0);

    /* Errors. */
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 4), EINVAL);
    ts.tv_nsec = 1000000000L;
    CHECK_ERR(sigtimedwait(&set, &si, &ts), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, BAD_PTR, &si, &zero, 8), EFAULT);
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, BAD_PTR, &zero, 8), EFAULT);
    return 0;
}
