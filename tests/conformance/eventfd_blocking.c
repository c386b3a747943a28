/* eventfd: blocking reads and writes, woken by the other side; signals
 * (SA_RESTART restarts, otherwise EINTR); semaphore readers in threads;
 * poll/select wake-ups. */
#include "check.h"
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

static int efd;

static void *sem_reader(void *arg)
{
    (void)arg;
    uint64_t v = 0;
    if (read(efd, &v, 8) != 8)
        return (void *)-1L;
    return (void *)(long)v;
}

/* A child that writes value to fd after ms, or signals the parent. */
static pid_t later(int fd, uint64_t value, int sig, long ms)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(ms);
        if (sig)
            _exit(kill(parent, sig) == 0 ? 0 : 1);
        _exit(write(fd, &value, 8) == 8 ? 0 : 1);
    }
    return pid;
}

int main(void)
{
    uint64_t v;
    int fd = CHECK_OK(eventfd(0, 0));

    /* A blocking read waits for a write. */
    pid_t pid = later(fd, 6, 0, 100);
    long long t0 = now_ns();
    CHECK_EQ(read(fd, &v, 8), 8);
    CHECK_EQ(v, 6);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    CHECK_CHILD_EXIT(pid, 0);

    /* A blocking write waits until a read makes room. */
    v = UINT64_MAX - 1;
    CHECK_EQ(write(fd, &v, 8), 8);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        uint64_t r;
        _exit(read(fd, &r, 8) == 8 && r == UINT64_MAX - 1 ? 0 : 1);
    }
    v = 2;
    t0 = now_ns();
    CHECK_EQ(write(fd, &v, 8), 8);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(read(fd, &v, 8), 8);
    CHECK_EQ(v, 2);

    /* A signal with SA_RESTART: the read goes on waiting. */
    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    pid_t sig_child = later(fd, 0, SIGUSR1, 50);
    pid = later(fd, 8, 0, 250);
    CHECK_EQ(read(fd, &v, 8), 8);
    CHECK_EQ(v, 8);
    CHECK_EQ(hits, 1);
    CHECK_CHILD_EXIT(sig_child, 0);
    CHECK_CHILD_EXIT(pid, 0);
    /* Without SA_RESTART: EINTR. */
    sa.sa_flags = 0;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    sig_child = later(fd, 0, SIGUSR1, 50);
    CHECK_ERR(read(fd, &v, 8), EINTR);
    CHECK_EQ(hits, 2);
    CHECK_CHILD_EXIT(sig_child, 0);

    /* poll and select wake up on a write. */
    pid = later(fd, 1, 0, 100);
    struct pollfd p = { .fd = fd, .events = POLLIN };
    CHECK_EQ(poll(&p, 1, 5000), 1);
    CHECK_EQ(p.revents, POLLIN);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(read(fd, &v, 8), 8);
    pid = later(fd, 1, 0, 100);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(fd, &rs);
    struct timeval tv = { 5, 0 };
    CHECK_EQ(select(fd + 1, &rs, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(fd, &rs));
    CHECK_CHILD_EXIT(pid, 0);
    close(fd);

    /* Semaphore mode: one write of 2 lets two blocked readers through,
     * each with 1. */
    efd = CHECK_OK(eventfd(0, EFD_SEMAPHORE));
    pthread_t a, b;
    CHECK_EQ(pthread_create(&a, NULL, sem_reader, NULL), 0);
    CHECK_EQ(pthread_create(&b, NULL, sem_reader, NULL), 0);
    sleep_ms(100);
    v = 2;
    CHECK_EQ(write(efd, &v, 8), 8);
    void *ra, *rb;
    CHECK_EQ(pthread_join(a, &ra), 0);
    CHECK_EQ(pthread_join(b, &rb), 0);
    CHECK_EQ((long)ra, 1);
    CHECK_EQ((long)rb, 1);
    int flags = fcntl(efd, F_GETFL);
    CHECK_OK(fcntl(efd, F_SETFL, flags | O_NONBLOCK));
    CHECK_ERR(read(efd, &v, 8), EAGAIN);
    return 0;
}
