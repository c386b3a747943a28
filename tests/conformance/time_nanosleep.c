/* nanosleep: sleeps at least the requested time, validates the request. */
#include "check.h"

int main(void)
{
    /* 50 ms must take at least 50 ms (monotonic clock). */
    struct timespec req = { 0, 50 * 1000000L }, rem = { 7, 7 };
    long long t0 = now_ns();
    CHECK_EQ(nanosleep(&req, &rem), 0);
    long long el = now_ns() - t0;
    CHECK(el >= 50 * 1000000LL);
    CHECK(el < 3000000000LL);

    /* The raw syscall, with rem NULL. */
    t0 = now_ns();
    CHECK_EQ(syscall(SYS_nanosleep, &req, NULL), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);

    /* Zero and tiny sleeps return 0. */
    struct timespec zero = { 0, 0 }, one = { 0, 1 };
    CHECK_EQ(nanosleep(&zero, NULL), 0);
    CHECK_EQ(nanosleep(&one, NULL), 0);

    /* Invalid requests. */
    struct timespec bad = { 0, 1000000000L };
    CHECK_ERR(nanosleep(&bad, NULL), EINVAL);
    bad.tv_nsec = -1;
    CHECK_ERR(nanosleep(&bad, NULL), EINVAL);
    struct timespec neg = { -1, 0 };
    CHECK_ERR(nanosleep(&neg, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_nanosleep, BAD_PTR, NULL), EFAULT);
    return 0;
}
