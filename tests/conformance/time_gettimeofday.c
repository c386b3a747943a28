/* gettimeofday and time: consistent with CLOCK_REALTIME; NULL arguments;
 * EFAULT through the raw syscalls. */
#include "check.h"
#include <sys/time.h>

int main(void)
{
    struct timeval tv;
    struct timespec ts;

    CHECK_EQ(gettimeofday(&tv, NULL), 0);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    CHECK(tv.tv_sec > 1577836800);              /* after 2020 */
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &ts));
    CHECK(tv.tv_sec <= ts.tv_sec + 1 && tv.tv_sec >= ts.tv_sec - 2);

    /* The raw syscall, with a timezone argument too. */
    struct timezone tz;
    CHECK_EQ(syscall(SYS_gettimeofday, &tv, &tz), 0);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    CHECK_EQ(syscall(SYS_gettimeofday, NULL, NULL), 0);
    CHECK_ERR(syscall(SYS_gettimeofday, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_gettimeofday, &tv, BAD_PTR), EFAULT);

    /* time(): return value and stored value agree, NULL allowed. */
    time_t stored = 0;
    time_t t = time(&stored);
    CHECK_EQ(t, stored);
    /* time() may use a coarser clock that lags by up to a tick. */
    CHECK(t >= tv.tv_sec - 1 && t <= tv.tv_sec + 2);
    time_t raw_stored = 0;
    long raw = syscall(SYS_time, &raw_stored);
    CHECK(raw >= t - 1 && raw <= t + 2);
    CHECK_EQ(raw, raw_stored);
    CHECK(syscall(SYS_time, NULL) >= t - 1);
    CHECK_ERR(syscall(SYS_time, BAD_PTR), EFAULT);

    /* Wall-clock time moves forward across a 20 ms sleep. */
    struct timeval a, b;
    CHECK_OK(gettimeofday(&a, NULL));
    sleep_ms(20);
    CHECK_OK(gettimeofday(&b, NULL));
    long long d = (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_usec - a.tv_usec);
    CHECK(d >= 15000);            /* a little slack for clock slewing */
    return 0;
}
