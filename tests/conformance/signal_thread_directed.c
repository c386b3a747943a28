/* Which thread gets a signal: a process-directed signal goes to a thread
 * that does not block it; pthread_kill/tgkill reach exactly the named
 * thread (SI_TKILL) and stay pending for it alone while it blocks them;
 * a process-directed signal blocked everywhere is pending for every thread
 * and taken by the first one to unblock it. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

static atomic_int handled_tid, handled_code, handled_pid, handled_count;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    atomic_store(&handled_code, si->si_code);
    atomic_store(&handled_pid, si->si_pid);
    atomic_store(&handled_tid, gettid());
    atomic_fetch_add(&handled_count, 1);
}

static void wait_count(int n)
{
    for (int i = 0; i < 5000 && atomic_load(&handled_count) < n; i++)
        sleep_ms(1);
    CHECK_EQ(atomic_load(&handled_count), n);
}

struct worker {
    pthread_t th;
    atomic_int tid;
    atomic_int cmd;             /* 1 = unblock SIGUSR1, 2 = quit */
    atomic_int pending_usr1, pending_usr2, done_cmd;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    atomic_store(&w->tid, gettid());
    for (;;) {
        int c = atomic_load(&w->cmd);
        if (c == 2)
            return NULL;
        if (c == 1) {
            sigset_t s;
            sigemptyset(&s);
            sigaddset(&s, SIGUSR1);
            pthread_sigmask(SIG_UNBLOCK, &s, NULL);
            atomic_store(&w->cmd, 0);
            atomic_store(&w->done_cmd, 1);
        }
        if (c == 3) {           /* report what is pending for us */
            sigset_t p;
            sigpending(&p);
            atomic_store(&w->pending_usr1, sigismember(&p, SIGUSR1));
            atomic_store(&w->pending_usr2, sigismember(&p, SIGUSR2));
            atomic_store(&w->cmd, 0);
            atomic_store(&w->done_cmd, 3);
        }
        sleep_ms(1);
    }
}

static void command(struct worker *w, int c)
{
    atomic_store(&w->done_cmd, 0);
    atomic_store(&w->cmd, c);
    for (int i = 0; i < 5000 && atomic_load(&w->done_cmd) != c; i++)
        sleep_ms(1);
    CHECK_EQ(atomic_load(&w->done_cmd), c);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));

    /* Everyone (new threads inherit it) blocks SIGUSR1 and SIGUSR2. */
    sigset_t both, pend;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &both, NULL));

    enum { N = 3 };
    static struct worker w[N];
    for (int i = 0; i < N; i++)
        CHECK_RET(pthread_create(&w[i].th, NULL, worker_main, &w[i]), 0);
    for (int i = 0; i < N; i++)
        while (atomic_load(&w[i].tid) == 0)
            sleep_ms(1);

    /* kill() with only w[1] not blocking SIGUSR1: w[1] runs the handler. */
    command(&w[1], 1);
    CHECK_OK(kill(getpid(), SIGUSR1));
    wait_count(1);
    CHECK_EQ(atomic_load(&handled_tid), atomic_load(&w[1].tid));
    CHECK_EQ(atomic_load(&handled_code), SI_USER);
    CHECK_EQ(atomic_load(&handled_pid), getpid());

    /* pthread_kill to w[0], which blocks SIGUSR2: pending for w[0] only. */
    CHECK_RET(pthread_kill(w[0].th, SIGUSR2), 0);
    sleep_ms(20);
    CHECK_EQ(atomic_load(&handled_count), 1);
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR2));            /* not ours */
    command(&w[0], 3);
    CHECK_EQ(atomic_load(&w[0].pending_usr2), 1);
    command(&w[2], 3);
    CHECK_EQ(atomic_load(&w[2].pending_usr2), 0);

    /* tgkill to w[1], which does not block SIGUSR1: only w[1]. */
    CHECK_EQ(syscall(SYS_tgkill, getpid(), atomic_load(&w[1].tid), SIGUSR1), 0);
    wait_count(2);
    CHECK_EQ(atomic_load(&handled_tid), atomic_load(&w[1].tid));
    CHECK_EQ(atomic_load(&handled_code), SI_TKILL);

    /* With w[1] gone every thread blocks SIGUSR1: a process-directed one
     * is pending for all of them. */
    atomic_store(&w[1].cmd, 2);
    CHECK_RET(pthread_join(w[1].th, NULL), 0);
    CHECK_OK(kill(getpid(), SIGUSR1));
    sleep_ms(20);
    CHECK_EQ(atomic_load(&handled_count), 2);
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR1));
    command(&w[0], 3);
    CHECK_EQ(atomic_load(&w[0].pending_usr1), 1);
    command(&w[2], 3);
    CHECK_EQ(atomic_load(&w[2].pending_usr1), 1);

    /* The first to unblock it takes it: w[2]. */
    command(&w[2], 1);
    wait_count(3);
    CHECK_EQ(atomic_load(&handled_tid), atomic_load(&w[2].tid));
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR1));

    /* w[0]'s private SIGUSR2 is still waiting for it. */
    command(&w[0], 3);
    CHECK_EQ(atomic_load(&w[0].pending_usr2), 1);
    CHECK_EQ(atomic_load(&w[0].pending_usr1), 0);

    /* pthread_kill to a thread that does not block it, from another
     * thread: handled there, even while we block it ourselves. */
    CHECK_RET(pthread_kill(w[2].th, SIGUSR1), 0);
    wait_count(4);
    CHECK_EQ(atomic_load(&handled_tid), atomic_load(&w[2].tid));

    atomic_store(&w[0].cmd, 2);
    atomic_store(&w[2].cmd, 2);
    CHECK_RET(pthread_join(w[0].th, NULL), 0);
    CHECK_RET(pthread_join(w[2].th, NULL), 0);
    /* w[0]'s pending SIGUSR2 died with it. */
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR2));
    CHECK_EQ(atomic_load(&handled_count), 4);
    return 0;
}
