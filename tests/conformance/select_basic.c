/* select on pipes: readiness sets, timeouts (and Linux updating the
 * timeout), EOF and broken pipes counting as ready, errors. */
#include "check.h"
#include <sys/select.h>

int main(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    fd_set r, w;
    struct timeval tv;
    int maxfd = (p[0] > p[1] ? p[0] : p[1]) + 1;

    /* Empty pipe: only the write end is ready. */
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    tv = (struct timeval){ 0, 0 };
    CHECK_EQ(select(maxfd, &r, &w, NULL, &tv), 1);
    CHECK(!FD_ISSET(p[0], &r));
    CHECK(FD_ISSET(p[1], &w));

    /* A 50 ms timeout sleeps at least that long; Linux then stores the
     * unslept time (zero) back into the timeval. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv = (struct timeval){ 0, 50000 };
    long long t0 = now_ns();
    CHECK_EQ(select(maxfd, &r, NULL, NULL, &tv), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    CHECK(!FD_ISSET(p[0], &r));
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 0);

    /* Data: readable, and an early return leaves most of the timeout. */
    CHECK_EQ(write(p[1], "x", 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv = (struct timeval){ 10, 0 };
    CHECK_EQ(select(maxfd, &r, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(p[0], &r));
    CHECK(tv.tv_sec >= 8 && tv.tv_sec <= 10);
    /* The raw syscall and a NULL timeout. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_EQ(syscall(SYS_select, maxfd, &r, NULL, NULL, NULL), 1);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);

    /* EOF is "readable" (read will not block). */
    int q[2];
    CHECK_OK(pipe(q));
    CHECK_OK(close(q[1]));
    FD_ZERO(&r);
    FD_SET(q[0], &r);
    tv = (struct timeval){ 0, 0 };
    CHECK_EQ(select(q[0] + 1, &r, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(q[0], &r));
    CHECK_OK(close(q[0]));
    /* No reader: "writable" (write fails at once with EPIPE). */
    CHECK_OK(pipe(q));
    CHECK_OK(close(q[0]));
    FD_ZERO(&w);
    FD_SET(q[1], &w);
    CHECK_EQ(select(q[1] + 1, NULL, &w, NULL, &tv), 1);
    CHECK(FD_ISSET(q[1], &w));
    CHECK_OK(close(q[1]));

    /* nfds 0: a plain sleep. */
    tv = (struct timeval){ 0, 20000 };
    t0 = now_ns();
    CHECK_EQ(select(0, NULL, NULL, NULL, &tv), 0);
    CHECK(now_ns() - t0 >= 20 * 1000000LL);

    /* Errors. */
    int closed = CHECK_OK(dup(p[0]));
    CHECK_OK(close(closed));
    FD_ZERO(&r);
    FD_SET(closed, &r);
    tv = (struct timeval){ 0, 0 };
    CHECK_ERR(select(closed + 1, &r, NULL, NULL, &tv), EBADF);
    FD_ZERO(&r);
    CHECK_ERR(select(-1, &r, NULL, NULL, &tv), EINVAL);
    tv = (struct timeval){ -1, 0 };
    CHECK_ERR(select(maxfd, &r, NULL, NULL, &tv), EINVAL);
    tv = (struct timeval){ 0, 0 };
    CHECK_ERR(syscall(SYS_select, maxfd, BAD_PTR, NULL, NULL, &tv), EFAULT);
    return 0;
}
