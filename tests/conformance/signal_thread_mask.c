/* Signal masks are per thread: a new thread starts with its creator's mask
 * as it was at pthread_create, changes in one thread do not show in
 * another, and the classic dedicated-sigwait-thread pattern receives every
 * process-directed signal that all threads block. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

static sigset_t seen_at_start;
static atomic_int step;

static int blocked(int sig)
{
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig);
}

static void *inherit(void *arg)
{
    (void)arg;
    pthread_sigmask(SIG_BLOCK, NULL, &seen_at_start);
    /* Change ours; the main thread checks its own is unaffected. */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    atomic_store(&step, 1);
    while (atomic_load(&step) != 2)
        sleep_ms(1);
    /* The main thread's later changes do not reach us either. */
    long r = blocked(SIGHUP) && !blocked(SIGUSR1) && !blocked(SIGTERM);
    return (void *)r;
}

static atomic_int waited;
static void *sigwaiter(void *arg)
{
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    for (int i = 0; i < 20; i++) {
        int sig = 0;
        if (sigwait(&s, &sig) != 0 || sig != SIGUSR2)
            return (void *)1L;
        atomic_fetch_add(&waited, 1);
    }
    return NULL;
}

static void never(int sig)
{
    (void)sig;
    _exit(99);                  /* nobody may take SIGUSR2 by handler */
}

int main(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));

    pthread_t th;
    void *ret;
    CHECK_RET(pthread_create(&th, NULL, inherit, NULL), 0);
    while (atomic_load(&step) != 1)
        sleep_ms(1);
    CHECK(sigismember(&seen_at_start, SIGUSR1));
    CHECK(sigismember(&seen_at_start, SIGUSR2));
    CHECK(!sigismember(&seen_at_start, SIGHUP));
    /* Its changes are not ours. */
    CHECK(!blocked(SIGHUP));
    CHECK(blocked(SIGUSR1));
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    CHECK_RET(pthread_sigmask(SIG_BLOCK, &s, NULL), 0);
    atomic_store(&step, 2);
    CHECK_RET(pthread_join(th, &ret), 0);
    CHECK_EQ((long)ret, 1);
    CHECK_RET(pthread_sigmask(SIG_UNBLOCK, &s, NULL), 0);

    /* pthread_sigmask returns error numbers; SIGKILL/SIGSTOP never stick. */
    CHECK_RET(pthread_sigmask(12345, &s, NULL), EINVAL);
    sigfillset(&s);
    CHECK_RET(pthread_sigmask(SIG_BLOCK, &s, NULL), 0);
    CHECK(!blocked(SIGKILL));
    CHECK(!blocked(SIGSTOP));
    CHECK(blocked(SIGRTMAX));
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    CHECK_RET(pthread_sigmask(SIG_SETMASK, &s, NULL), 0);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 4), EINVAL);

    /* A dedicated sigwait thread gets every SIGUSR2 sent to the process;
     * a handler would _exit(99) if anyone took it by delivery. */
    signal(SIGUSR2, never);
    CHECK_RET(pthread_create(&th, NULL, sigwaiter, NULL), 0);
    for (int i = 0; i < 20; i++) {
        CHECK_OK(kill(getpid(), SIGUSR2));
        /* Standard signals coalesce: wait for each to be taken. */
        for (int k = 0; k < 5000 && atomic_load(&waited) <= i; k++)
            sleep_ms(1);
        CHECK_EQ(atomic_load(&waited), i + 1);
    }
    CHECK_RET(pthread_join(th, &ret), 0);
    CHECK(ret == NULL);
    return 0;
}
