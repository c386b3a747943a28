/* timerfd: create flags and clocks, 8-byte reads of the expiration count
 * (blocking, EAGAIN, EINVAL for short buffers), one-shot and periodic
 * timers, timerfd_gettime, the old value, and the errors. */
#include "check.h"

#include <sys/timerfd.h>

static long long ts_ns(struct timespec ts)
{
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct itimerspec its_ms(long first_ms, long every_ms)
{
    return (struct itimerspec){
        { every_ms / 1000, (every_ms % 1000) * 1000000L },
        { first_ms / 1000, (first_ms % 1000) * 1000000L },
    };
}

int main(void)
{
    /* Flags and clocks. */
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x1234), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
    CHECK_ERR(timerfd_create(-1, 0), EINVAL);
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0));
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    int nb = CHECK_OK(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
    CHECK_EQ(fcntl(nb, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    CHECK_EQ(fcntl(nb, F_GETFD), FD_CLOEXEC);
    int bt = CHECK_OK(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK));

    /* Disarmed: gettime reads zero, a non-blocking read has nothing. */
    struct itimerspec cur, old;
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK_EQ(ts_ns(cur.it_value) + ts_ns(cur.it_interval), 0);
    uint64_t n = 0;
    CHECK_ERR(read(nb, &n, sizeof n), EAGAIN);

    /* One shot: a blocking read waits for it and returns 1. */
    struct itimerspec set = its_ms(30, 0);
    long long t0 = now_ns();
    CHECK_OK(timerfd_settime(fd, 0, &set, &old));
    CHECK_EQ(ts_ns(old.it_value), 0);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 30000000LL);
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    CHECK(now_ns() - t0 >= 30000000LL);
    CHECK_EQ(n, 1);
    /* Expired: disarmed, nothing more to read. */
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK_EQ(ts_ns(cur.it_value) + ts_ns(cur.it_interval), 0);
    CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);

    /* Periodic: expirations add up between reads. */
    set = its_ms(10, 10);
    CHECK_OK(timerfd_settime(bt, 0, &set, NULL));
    sleep_ms(65);
    n = 0;
    CHECK_EQ(read(bt, &n, sizeof n), 8);
    CHECK(n >= 5 && n <= 8);
    /* The count was reset by the read. */
    CHECK_ERR(read(bt, &n, sizeof n), EAGAIN);
    CHECK_OK(timerfd_gettime(bt, &cur));
    CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 10000000LL);
    CHECK_EQ(ts_ns(cur.it_interval), 10000000LL);
    /* A larger buffer is fine; a smaller one is EINVAL. */
    sleep_ms(15);
    char small[4], big[16];
    CHECK_ERR(read(bt, small, sizeof small), EINVAL);
    CHECK_EQ(read(bt, big, sizeof big), 8);
    /* Disarming returns the old setting and clears the count. */
    sleep_ms(15);
    struct itimerspec off = its_ms(0, 0);
    CHECK_OK(timerfd_settime(bt, 0, &off, &old));
    CHECK_EQ(ts_ns(old.it_interval), 10000000LL);
    CHECK(ts_ns(old.it_value) > 0 && ts_ns(old.it_value) <= 10000000LL);
    CHECK_ERR(read(bt, &n, sizeof n), EAGAIN);
    CHECK_OK(timerfd_gettime(bt, &cur));
    CHECK_EQ(ts_ns(cur.it_value) + ts_ns(cur.it_interval), 0);

    /* Not writable. */
    CHECK_ERR(write(fd, &n, sizeof n), EINVAL);

    /* settime/gettime errors. */
    set = its_ms(10, 0);
    CHECK_ERR(timerfd_settime(fd, 0x100, &set, NULL), EINVAL);
    struct itimerspec bad = { { 0, 0 }, { 0, 1000000000 } };
    CHECK_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    bad = (struct itimerspec){ { -1, 0 }, { 1, 0 } };
    CHECK_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    CHECK_ERR(timerfd_settime(999, 0, &set, NULL), EBADF);
    CHECK_ERR(timerfd_gettime(999, &cur), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(timerfd_settime(p[0], 0, &set, NULL), EINVAL);
    CHECK_ERR(timerfd_gettime(p[0], &cur), EINVAL);
    CHECK_ERR(syscall(SYS_timerfd_settime, fd, 0, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_timerfd_gettime, fd, BAD_PTR), EFAULT);
    close(p[0]);
    close(p[1]);
    close(fd);
    close(nb);
    close(bt);
    return 0;
}
