/* Real-time signals queue with their values: SIGRTMIN..SIGRTMIN+3, several
 * of each sent interleaved while blocked, are delivered lowest signal
 * first and in sending order within one signal, by handler and by
 * sigtimedwait alike; the queue is bounded by RLIMIT_SIGPENDING (sigqueue
 * EAGAIN); SIGRTMAX works too. */
#include "check.h"

#define PER 4

static volatile int log_sig[64], log_val[64], nlog;

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (nlog < 64) {
        log_sig[nlog] = sig;
        log_val[nlog] = si->si_value.sival_int;
        nlog++;
    }
}

static void send_all(void)
{
    /* Interleaved, highest first, so order must come from the kernel. */
    for (int k = 0; k < PER; k++)
        for (int s = 3; s >= 0; s--) {
            union sigval v = { .sival_int = s * 100 + k };
            CHECK_OK(sigqueue(getpid(), SIGRTMIN + s, v));
        }
}

static void check_log(const int *sigs, const int *vals, int n)
{
    CHECK_EQ(n, 4 * PER);
    int i = 0;
    for (int s = 0; s < 4; s++)
        for (int k = 0; k < PER; k++, i++) {
            if (sigs[i] != SIGRTMIN + s || vals[i] != s * 100 + k)
                FAIL("entry %d: sig %d val %d, want sig %d val %d", i, sigs[i], vals[i],
                     SIGRTMIN + s, s * 100 + k);
        }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = record;
    sa.sa_flags = SA_SIGINFO;
    sigset_t rts;
    sigemptyset(&rts);
    for (int s = 0; s < 4; s++)
        sigaddset(&rts, SIGRTMIN + s);
    sa.sa_mask = rts;                       /* handlers do not nest */
    for (int s = 0; s < 4; s++)
        CHECK_OK(sigaction(SIGRTMIN + s, &sa, NULL));

    /* By handler, on unblock. */
    CHECK_OK(sigprocmask(SIG_BLOCK, &rts, NULL));
    send_all();
    CHECK_EQ(nlog, 0);
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    for (int s = 0; s < 4; s++)
        CHECK(sigismember(&pend, SIGRTMIN + s));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &rts, NULL));
    check_log((const int *)log_sig, (const int *)log_val, nlog);
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGRTMIN));

    /* By sigtimedwait. */
    CHECK_OK(sigprocmask(SIG_BLOCK, &rts, NULL));
    send_all();
    int sigs[4 * PER], vals[4 * PER], n = 0;
    struct timespec zero = { 0, 0 };
    siginfo_t si;
    int r;
    while ((r = sigtimedwait(&rts, &si, &zero)) > 0 && n < 4 * PER) {
        CHECK_EQ(si.si_signo, r);
        CHECK_EQ(si.si_code, SI_QUEUE);
        sigs[n] = r;
        vals[n] = si.si_value.sival_int;
        n++;
    }
    CHECK_EQ(r, -1);
    CHECK_EQ(errno, EAGAIN);
    check_log(sigs, vals, n);
    /* A partly drained queue stays pending until its last entry goes. */
    union sigval v = { .sival_int = 1 };
    CHECK_OK(sigqueue(getpid(), SIGRTMIN + 1, v));
    CHECK_OK(sigqueue(getpid(), SIGRTMIN + 1, v));
    CHECK_EQ(sigtimedwait(&rts, &si, &zero), SIGRTMIN + 1);
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGRTMIN + 1));
    CHECK_EQ(sigtimedwait(&rts, &si, &zero), SIGRTMIN + 1);
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGRTMIN + 1));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &rts, NULL));

    /* SIGRTMAX queues as well. */
    nlog = 0;
    CHECK_OK(sigaction(SIGRTMAX, &sa, NULL));
    sigset_t mx;
    sigemptyset(&mx);
    sigaddset(&mx, SIGRTMAX);
    CHECK_OK(sigprocmask(SIG_BLOCK, &mx, NULL));
    for (int k = 0; k < 3; k++) {
        v.sival_int = 900 + k;
        CHECK_OK(sigqueue(getpid(), SIGRTMAX, v));
    }
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &mx, NULL));
    CHECK_EQ(nlog, 3);
    for (int k = 0; k < 3; k++) {
        CHECK_EQ(log_sig[k], SIGRTMAX);
        CHECK_EQ(log_val[k], 900 + k);
    }

    /* RLIMIT_SIGPENDING bounds the queue: sigqueue fails with EAGAIN.  The
     * count is per (real) user, system-wide: the child switches to a uid
     * nobody else uses, so that it alone counts. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct rlimit rl = { 4, 4 };
        if (setrlimit(RLIMIT_SIGPENDING, &rl) != 0)
            _exit(1);
        if (setuid(54321) != 0)
            _exit(5);
        sigprocmask(SIG_BLOCK, &rts, NULL);
        int sent = 0;
        for (int k = 0; k < 64; k++) {
            if (sigqueue(getpid(), SIGRTMIN, v) != 0) {
                if (errno != EAGAIN)
                    _exit(2);
                break;
            }
            sent++;
        }
        if (sent != 4)
            _exit(3);
        /* What was queued is still all there. */
        int got = 0;
        while (sigtimedwait(&rts, &si, &zero) == SIGRTMIN)
            got++;
        _exit(got == sent ? 0 : 4);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
