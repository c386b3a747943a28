/* A thread ending by itself: SYS_exit of one thread leaves the others
 * running (and pthread_join still works: the kernel clears the tid word);
 * the main thread can exit first, the process lives on until its last
 * thread ends, and the last thread's exit code is the process status. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

static atomic_long ticks;
static atomic_int stop;

static void *ticker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        atomic_fetch_add(&ticks, 1);
        sched_yield();
    }
    return (void *)77L;
}

static void *raw_exit(void *arg)
{
    syscall(SYS_exit, (long)arg);
    return NULL;
}

/* In the children below: outlive the main thread, then end. */
static int read_fd = -1;
static void *survivor(void *arg)
{
    char c;
    /* Wait for the parent to look at us with the main thread gone. */
    if (read(read_fd, &c, 1) != 1)
        syscall(SYS_exit_group, 99);
    if (getpid() <= 0 || kill(getpid(), 0) != 0)
        syscall(SYS_exit_group, 98);
    if ((long)arg < 0)
        pthread_exit(NULL);
    syscall(SYS_exit, (long)arg);
    return NULL;
}

static pid_t spawn(long code, int mode, int *wfd)
{
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pthread_t th;
        close(p[1]);
        read_fd = p[0];
        if (pthread_create(&th, NULL, survivor, (void *)code) != 0)
            _exit(97);
        if (mode == 0)
            pthread_exit(NULL);             /* main thread leaves first */
        syscall(SYS_exit, 5);               /* the same, raw, code 5 */
        _exit(96);
    }
    close(p[0]);
    *wfd = p[1];
    return pid;
}

int main(void)
{
    pthread_t tick, th;
    void *ret;
    CHECK_RET(pthread_create(&tick, NULL, ticker, NULL), 0);

    /* A raw SYS_exit in a thread: only that thread ends. */
    CHECK_RET(pthread_create(&th, NULL, raw_exit, (void *)3L), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    long before = atomic_load(&ticks);
    for (int i = 0; i < 5000 && atomic_load(&ticks) == before; i++)
        sleep_ms(1);
    CHECK(atomic_load(&ticks) > before);    /* the ticker still runs */
    atomic_store(&stop, 1);
    CHECK_RET(pthread_join(tick, &ret), 0);
    CHECK_EQ((long)ret, 77);

    /* Main thread exits first: the process is not reapable while a
     * thread lives; its exit code is the last thread's. */
    int wfd, st;
    pid_t pid = spawn(9, 0, &wfd);
    sleep_ms(50);
    CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
    CHECK_EQ(kill(pid, 0), 0);
    CHECK_EQ(write(wfd, "x", 1), 1);
    CHECK_CHILD_EXIT(pid, 9);
    close(wfd);

    /* Both leave through SYS_exit: main with 5, the last thread with 11:
     * the process reports 11. */
    pid = spawn(11, 1, &wfd);
    sleep_ms(50);
    CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
    CHECK_EQ(write(wfd, "x", 1), 1);
    CHECK_CHILD_EXIT(pid, 11);
    close(wfd);

    /* The last thread leaving with pthread_exit: status 0. */
    pid = spawn(-1, 0, &wfd);
    CHECK_EQ(write(wfd, "x", 1), 1);
    CHECK_CHILD_EXIT(pid, 0);
    close(wfd);
    return 0;
}
