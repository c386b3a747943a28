/* Robust mutexes: a thread that dies holding one leaves it to the next
 * locker with EOWNERDEAD (through the kernel's robust-list walk at thread
 * exit, which also wakes a waiter already blocked on it);
 * pthread_mutex_consistent repairs it, otherwise it becomes
 * ENOTRECOVERABLE.  The same across processes with a process-shared
 * robust mutex in a MAP_SHARED mapping. */
#include "check.h"
#include <pthread.h>
#include <sys/mman.h>

static pthread_mutex_t *mx;

static void *lock_and_die(void *arg)
{
    (void)arg;
    if (pthread_mutex_lock(mx) != 0)
        return (void *)1L;
    /* Exit while holding it, without unlocking. */
    syscall(SYS_exit, 0);
    return NULL;
}

static pthread_barrier_t bar;
static void *lock_wait_die(void *arg)
{
    (void)arg;
    pthread_mutex_lock(mx);
    pthread_barrier_wait(&bar);     /* main is about to block on it */
    sleep_ms(100);
    pthread_exit(NULL);             /* still holding */
}

static void init_robust(pthread_mutex_t *m, int pshared)
{
    pthread_mutexattr_t a;
    CHECK_RET(pthread_mutexattr_init(&a), 0);
    CHECK_RET(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST), 0);
    if (pshared)
        CHECK_RET(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED), 0);
    CHECK_RET(pthread_mutex_init(m, &a), 0);
    pthread_mutexattr_destroy(&a);
}

int main(void)
{
    pthread_mutex_t local;
    pthread_t th;
    mx = &local;
    init_robust(mx, 0);

    /* Owner dies; the next lock gets EOWNERDEAD and owns the mutex. */
    CHECK_RET(pthread_create(&th, NULL, lock_and_die, NULL), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_RET(pthread_mutex_lock(mx), EOWNERDEAD);
    CHECK_RET(pthread_mutex_consistent(mx), 0);
    CHECK_RET(pthread_mutex_unlock(mx), 0);
    CHECK_RET(pthread_mutex_lock(mx), 0);           /* healthy again */
    CHECK_RET(pthread_mutex_unlock(mx), 0);

    /* Same, but unlocked without pthread_mutex_consistent: unusable. */
    CHECK_RET(pthread_create(&th, NULL, lock_and_die, NULL), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_RET(pthread_mutex_trylock(mx), EOWNERDEAD);
    CHECK_RET(pthread_mutex_unlock(mx), 0);
    CHECK_RET(pthread_mutex_lock(mx), ENOTRECOVERABLE);
    CHECK_RET(pthread_mutex_trylock(mx), ENOTRECOVERABLE);
    pthread_mutex_destroy(mx);

    /* A waiter blocked in the kernel is woken by the owner's death. */
    init_robust(mx, 0);
    CHECK_RET(pthread_barrier_init(&bar, NULL, 2), 0);
    CHECK_RET(pthread_create(&th, NULL, lock_wait_die, NULL), 0);
    pthread_barrier_wait(&bar);
    long long t0 = now_ns();
    CHECK_RET(pthread_mutex_lock(mx), EOWNERDEAD);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_RET(pthread_mutex_consistent(mx), 0);
    CHECK_RET(pthread_mutex_unlock(mx), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    pthread_mutex_destroy(mx);

    /* Process-shared: a child locks and exits. */
    mx = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    init_robust(mx, 1);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        if (pthread_mutex_lock(mx) != 0)
            _exit(1);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_RET(pthread_mutex_lock(mx), EOWNERDEAD);
    CHECK_RET(pthread_mutex_consistent(mx), 0);
    CHECK_RET(pthread_mutex_unlock(mx), 0);

    /* ...and a parent blocked on it is woken when the child dies. */
    int p[2];
    CHECK_OK(pipe(p));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        if (pthread_mutex_lock(mx) != 0)
            _exit(1);
        (void)!write(p[1], "x", 1);
        sleep_ms(100);
        _exit(0);
    }
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_RET(pthread_mutex_lock(mx), EOWNERDEAD);
    CHECK_RET(pthread_mutex_consistent(mx), 0);
    CHECK_RET(pthread_mutex_unlock(mx), 0);
    CHECK_CHILD_EXIT(pid, 0);
    munmap(mx, 4096);
    return 0;
}
