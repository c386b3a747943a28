/* Ending a whole multi-threaded process from a secondary thread: exit()
 * and _exit() (exit_group), a fatal signal aimed at one thread, a fault in
 * one thread, SIGKILL from outside.  Threads blocked in syscalls do not
 * delay it. */
#include "check.h"
#include <pthread.h>

static int mode;

static void *blocker(void *arg)
{
    int fd = (int)(long)arg;
    char c;
    (void)!read(fd, &c, 1);            /* never returns: nobody writes */
    return NULL;
}

static void *killer(void *arg)
{
    (void)arg;
    sleep_ms(20);
    switch (mode) {
    case 0: exit(7);                    /* runs atexit handlers, exit_group */
    case 1: _exit(4);
    case 2: syscall(SYS_exit_group, 6); break;
    case 3: syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1); break;
    case 4: *(volatile int *)16 = 1; break;
    case 5: for (;;) pause();
    }
    return NULL;
}

static void at_exit_msg(void)
{
    /* exit() in a thread runs the handlers in that thread. */
    if (gettid() != getpid())
        (void)!write(3, "T", 1);
}

/* A child with a blocked main thread, a thread blocked in read, and the
 * killer thread.  Returns its pid; *out is the read end of its fd 3. */
static pid_t spawn(int m, int *out)
{
    int p[2], q[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGUSR1, SIG_DFL);
        dup2(q[1], 3);
        close(q[0]);
        close(p[1]);
        mode = m;
        atexit(at_exit_msg);
        pthread_t a, b;
        pthread_create(&a, NULL, blocker, (void *)(long)p[0]);
        pthread_create(&b, NULL, killer, NULL);
        struct timespec ts = { 30, 0 };
        nanosleep(&ts, NULL);
        _exit(100);
    }
    close(p[0]);
    close(q[1]);
    *out = q[0];
    /* p[1] stays open in the parent only until the test ends. */
    return pid;
}

int main(void)
{
    int fd;
    char buf[8];
    long long t0 = now_ns();

    pid_t pid = spawn(0, &fd);
    CHECK_CHILD_EXIT(pid, 7);
    CHECK_EQ(read(fd, buf, sizeof buf), 1);
    CHECK_EQ(buf[0], 'T');
    close(fd);

    pid = spawn(1, &fd);
    CHECK_CHILD_EXIT(pid, 4);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);  /* _exit: no atexit handlers */
    close(fd);

    pid = spawn(2, &fd);
    CHECK_CHILD_EXIT(pid, 6);
    close(fd);

    /* A signal whose default action kills, sent to one thread, kills the
     * whole process. */
    pid = spawn(3, &fd);
    CHECK_CHILD_SIGNALED(pid, SIGUSR1);
    close(fd);

    /* A fault in a secondary thread takes the process down. */
    pid = spawn(4, &fd);
    CHECK_CHILD_SIGNALED(pid, SIGSEGV);
    close(fd);

    /* SIGKILL from outside. */
    pid = spawn(5, &fd);
    sleep_ms(50);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    close(fd);

    /* None of this waited for the 30 s sleep of the main threads. */
    CHECK(now_ns() - t0 < 10000000000LL);
    return 0;
}
