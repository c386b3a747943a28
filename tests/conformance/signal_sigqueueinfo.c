/* rt_sigqueueinfo / rt_tgsigqueueinfo: the caller's siginfo is delivered
 * as given (si_signo forced to the signal), a process may send itself any
 * si_code, but to another task si_code >= 0 or SI_TKILL (pretending to be
 * the kernel, kill or tgkill) is EPERM, while negative codes (SI_QUEUE,
 * custom) pass with whatever si_pid they claim.  "Itself" means the
 * calling thread's own id.  Argument errors too. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

static volatile siginfo_t last;
static atomic_int hits, last_tid;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    memcpy((void *)&last, si, sizeof *si);
    atomic_store(&last_tid, gettid());
    atomic_fetch_add(&hits, 1);
}

static long qinfo(pid_t pid, int sig, siginfo_t *si)
{
    return syscall(SYS_rt_sigqueueinfo, pid, sig, si);
}

static long tgqinfo(pid_t tgid, pid_t tid, int sig, siginfo_t *si)
{
    return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, si);
}

static siginfo_t make(int code, pid_t spid, uid_t suid, int val)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR2;              /* ignored: the signal argument wins */
    si.si_code = code;
    si.si_pid = spid;
    si.si_uid = suid;
    si.si_value.sival_int = val;
    return si;
}

static atomic_int thr_tid, thr_quit, thr_done;
static atomic_long thr_result;
static void *other_thread(void *arg)
{
    (void)arg;
    atomic_store(&thr_tid, gettid());
    /* From here, "ourself" is this tid, not the pid. */
    siginfo_t si = make(SI_USER, 1, 0, 0);
    long r = qinfo(getpid(), SIGUSR1, &si);
    atomic_store(&thr_result, r == -1 ? -errno : r);
    atomic_store(&thr_done, 1);
    while (!atomic_load(&thr_quit))
        sleep_ms(1);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));

    /* To ourselves: delivered exactly as given. */
    siginfo_t si = make(SI_QUEUE, 4242, 77, 5);
    CHECK_EQ(qinfo(getpid(), SIGUSR1, &si), 0);
    CHECK_EQ(atomic_load(&hits), 1);
    CHECK_EQ(last.si_signo, SIGUSR1);
    CHECK_EQ(last.si_code, SI_QUEUE);
    CHECK_EQ(last.si_pid, 4242);
    CHECK_EQ(last.si_uid, 77);
    CHECK_EQ(last.si_value.sival_int, 5);
    /* Any code is fine for ourselves. */
    si = make(SI_USER, 1, 0, 0);
    CHECK_EQ(qinfo(getpid(), SIGUSR1, &si), 0);
    CHECK_EQ(last.si_code, SI_USER);
    CHECK_EQ(last.si_pid, 1);
    si = make(SI_KERNEL, 0, 0, 0);
    CHECK_EQ(qinfo(getpid(), SIGUSR1, &si), 0);
    CHECK_EQ(last.si_code, SI_KERNEL);
    si = make(SI_TKILL, 0, 0, 0);
    CHECK_EQ(tgqinfo(getpid(), gettid(), SIGUSR1, &si), 0);
    CHECK_EQ(last.si_code, SI_TKILL);
    CHECK_EQ(atomic_load(&hits), 4);

    /* Errors. */
    si = make(SI_QUEUE, 0, 0, 0);
    CHECK_EQ(qinfo(getpid(), 0, &si), 0);                  /* probe only */
    CHECK_ERR(qinfo(getpid(), 65, &si), EINVAL);
    CHECK_ERR(qinfo(getpid(), SIGUSR1, BAD_PTR), EFAULT);
    CHECK_ERR(qinfo(999999, SIGUSR1, &si), ESRCH);
    CHECK_ERR(tgqinfo(0, gettid(), SIGUSR1, &si), EINVAL);
    CHECK_ERR(tgqinfo(getpid(), 0, SIGUSR1, &si), EINVAL);
    CHECK_ERR(tgqinfo(getpid(), 999999, SIGUSR1, &si), ESRCH);
    CHECK_EQ(atomic_load(&hits), 4);

    /* To a child: codes that impersonate the kernel, kill or tgkill are
     * refused; negative codes pass, claimed pid and all. */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    int go[2];
    CHECK_OK(pipe(go));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* Both signals are queued before we look: the thread-directed one
         * (rt_tgsigqueueinfo) is dequeued before the process-directed one. */
        siginfo_t got;
        char c;
        struct timespec ts = { 5, 0 };
        if (read(go[0], &c, 1) != 1) _exit(5);
        if (sigtimedwait(&block, &got, &ts) != SIGUSR1) _exit(1);
        if (got.si_code != -50 || got.si_pid != 1) _exit(2);
        if (sigtimedwait(&block, &got, &ts) != SIGUSR1) _exit(3);
        if (got.si_code != SI_QUEUE || got.si_pid != 31337 || got.si_value.sival_int != 9)
            _exit(4);
        _exit(0);
    }
    si = make(SI_USER, getpid(), 0, 0);
    CHECK_ERR(qinfo(pid, SIGUSR1, &si), EPERM);
    si = make(SI_KERNEL, 0, 0, 0);
    CHECK_ERR(qinfo(pid, SIGUSR1, &si), EPERM);
    si = make(SI_TKILL, 0, 0, 0);
    CHECK_ERR(qinfo(pid, SIGUSR1, &si), EPERM);
    CHECK_ERR(tgqinfo(pid, pid, SIGUSR1, &si), EPERM);
    si = make(CLD_EXITED, 0, 0, 0);
    CHECK_ERR(qinfo(pid, SIGUSR1, &si), EPERM);
    si = make(SI_QUEUE, 31337, 0, 9);
    CHECK_EQ(qinfo(pid, SIGUSR1, &si), 0);
    si = make(-50, 1, 0, 0);
    CHECK_EQ(tgqinfo(pid, pid, SIGUSR1, &si), 0);
    CHECK_EQ(write(go[1], "x", 1), 1);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));

    /* Threads: a non-main thread is not "itself" the pid. */
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, other_thread, NULL), 0);
    while (!atomic_load(&thr_done))
        sleep_ms(1);
    CHECK_EQ(atomic_load(&thr_result), -EPERM);
    /* ...nor is the main thread that thread. */
    pid_t tid = atomic_load(&thr_tid);
    si = make(SI_USER, 0, 0, 0);
    CHECK_ERR(tgqinfo(getpid(), tid, SIGUSR1, &si), EPERM);
    CHECK_ERR(tgqinfo(tid, tid, SIGUSR1, &si), EPERM);
    si = make(SI_QUEUE, 0, 0, 0);
    CHECK_ERR(tgqinfo(tid, tid, SIGUSR1, &si), ESRCH);     /* wrong tgid */
    /* A negative code reaches exactly that thread. */
    int before = atomic_load(&hits);
    si = make(SI_QUEUE, 5, 0, 123);
    CHECK_EQ(tgqinfo(getpid(), tid, SIGUSR1, &si), 0);
    for (int i = 0; i < 5000 && atomic_load(&hits) == before; i++)
        sleep_ms(1);
    CHECK_EQ(atomic_load(&hits), before + 1);
    CHECK_EQ(atomic_load(&last_tid), tid);
    CHECK_EQ(last.si_value.sival_int, 123);
    atomic_store(&thr_quit, 1);
    CHECK_RET(pthread_join(th, NULL), 0);
    return 0;
}
