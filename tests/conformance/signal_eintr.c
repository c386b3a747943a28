/* Blocking calls interrupted by a caught signal: EINTR without SA_RESTART,
 * transparent restart with it; nanosleep reports the remaining time. */
#include "check.h"
#include <poll.h>

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

/* A child that sends SIGUSR1 to `target` every 20 ms until the stop pipe
 * is closed (or 5 s pass); with `data_fd` >= 0 it then writes one byte
 * there after `n_before_data` signals and keeps signalling. */
static pid_t pinger(pid_t target, int *stop_w, int data_fd, int n_before_data)
{
    int s[2];
    CHECK_OK(pipe(s));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(s[1]);
        struct pollfd pfd = { .fd = s[0], .events = POLLIN };
        for (int i = 0; i < 250; i++) {
            kill(target, SIGUSR1);
            if (i + 1 == n_before_data && data_fd >= 0 && write(data_fd, "d", 1) != 1)
                _exit(1);
            if (poll(&pfd, 1, 20) != 0)
                _exit(0);                 /* parent closed the stop pipe */
        }
        _exit(0);
    }
    close(s[0]);
    *stop_w = s[1];
    return pid;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = 0;                      /* no SA_RESTART */
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    pid_t me = getpid();
    int p[2], stop;
    char c;

    /* read() on an empty pipe: interrupted, EINTR. */
    CHECK_OK(pipe(p));
    pid_t pid = pinger(me, &stop, -1, 0);
    CHECK_ERR(read(p[0], &c, 1), EINTR);
    CHECK(hits >= 1);
    close(stop);
    CHECK_CHILD_EXIT(pid, 0);

    /* nanosleep: EINTR, and the remaining time is stored. */
    hits = 0;
    pid = pinger(me, &stop, -1, 0);
    struct timespec req = { 10, 0 }, rem = { -1, -1 };
    long long t0 = now_ns();
    CHECK_ERR(nanosleep(&req, &rem), EINTR);
    CHECK(now_ns() - t0 < 9000000000LL);
    CHECK(rem.tv_sec >= 0 && rem.tv_sec <= 10);
    CHECK(rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L);
    CHECK(rem.tv_sec * 1000000000LL + rem.tv_nsec > 0);
    close(stop);
    CHECK_CHILD_EXIT(pid, 0);

    /* wait4 for a child that does not exit yet: EINTR as well. */
    int w[2];
    CHECK_OK(pipe(w));
    pid_t lazy = CHECK_OK(fork());
    if (lazy == 0) {
        close(w[1]);
        while (read(w[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(w[0]);
    pid = pinger(me, &stop, -1, 0);
    CHECK_ERR(wait4(lazy, NULL, 0, NULL), EINTR);
    close(stop);
    CHECK_CHILD_EXIT(pid, 0);
    close(w[1]);
    CHECK_CHILD_EXIT(lazy, 0);

    /* With SA_RESTART, read() is restarted after the handler and returns
     * the data written later. */
    sa.sa_flags = SA_RESTART;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    hits = 0;
    close(p[0]);
    close(p[1]);
    CHECK_OK(pipe(p));
    pid = pinger(me, &stop, p[1], 5);
    close(p[1]);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(c, 'd');
    CHECK(hits >= 1);        /* signals arrived, yet read() did not fail */
    close(stop);
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
