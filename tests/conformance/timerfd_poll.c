/* timerfd readiness and settings: poll/select see POLLIN once it expired
 * (and not before), TFD_TIMER_ABSTIME on CLOCK_REALTIME in the future and
 * in the past, TFD_TIMER_CANCEL_ON_SET accepted, a new setting clears the
 * count, a blocking read interrupted by a handler fails with EINTR, and the
 * timer keeps running across fork (the file is shared). */
#include "check.h"

#include <poll.h>
#include <sys/time.h>
#include <sys/select.h>
#include <sys/timerfd.h>

static void on_alrm(int sig)
{
    (void)sig;
}

int main(void)
{
    int fd = CHECK_OK(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK));
    struct pollfd pfd = { fd, POLLIN, 0 };

    /* Disarmed: not readable. */
    CHECK_EQ(poll(&pfd, 1, 20), 0);

    /* Absolute, 40 ms from now: poll waits for it. */
    struct timespec now;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
    long long at = now.tv_sec * 1000000000LL + now.tv_nsec + 40000000LL;
    struct itimerspec set = { { 0, 0 }, { at / 1000000000LL, at % 1000000000LL } };
    long long t0 = now_ns();
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &set, NULL));
    struct itimerspec cur;
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
          cur.it_value.tv_nsec <= 40000000);
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    CHECK_EQ(poll(&pfd, 1, 3000), 1);
    CHECK_EQ(pfd.revents, POLLIN);
    CHECK(now_ns() - t0 >= 35000000LL);
    /* select agrees. */
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(fd, &rd);
    struct timeval tv = { 0, 0 };
    CHECK_EQ(select(fd + 1, &rd, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(fd, &rd));
    uint64_t n = 0;
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    CHECK_EQ(n, 1);
    CHECK_EQ(poll(&pfd, 1, 0), 0);

    /* An absolute time in the past expires at once. */
    set.it_value = (struct timespec){ 1, 0 };
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &set, NULL));
    CHECK_EQ(poll(&pfd, 1, 1000), 1);
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    CHECK_EQ(n, 1);

    /* A new setting throws away expirations not read yet. */
    set = (struct itimerspec){ { 0, 0 }, { 0, 5000000 } };
    CHECK_OK(timerfd_settime(fd, 0, &set, NULL));
    sleep_ms(20);
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    set.it_value.tv_sec = 10;
    CHECK_OK(timerfd_settime(fd, 0, &set, NULL));
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);

    /* A blocking read interrupted by a handler (no SA_RESTART): EINTR. */
    int bfd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    struct itimerval it = { { 0, 0 }, { 0, 30000 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_ERR(read(bfd, &n, sizeof n), EINTR);

    /* fork shares the file: the child reads what the parent's timer
     * counted. */
    set = (struct itimerspec){ { 0, 0 }, { 0, 20000000 } };
    CHECK_OK(timerfd_settime(bfd, 0, &set, NULL));
    fflush(NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        uint64_t c = 0;
        if (read(bfd, &c, sizeof c) != 8 || c != 1)
            _exit(1);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    close(bfd);
    close(fd);
    return 0;
}
