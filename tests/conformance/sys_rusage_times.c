/* getrusage and times report real CPU time: of the process (its threads
 * summed, time before an execve included), of one thread, and of reaped
 * children; wait4 reports the child's. */
#include "check.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/times.h>

static long long cpu_ns(clockid_t clk)
{
    struct timespec ts;
    if (clock_gettime(clk, &ts) != 0)
        FAIL("clock_gettime");
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Burns ms of CPU time as clk counts it. */
static void spin(clockid_t clk, long ms)
{
    long long end = cpu_ns(clk) + ms * 1000000LL;
    volatile unsigned long x = 0;
    while (cpu_ns(clk) < end)
        for (int i = 0; i < 100000; i++)
            x += (unsigned long)i;
}

static long long tv_ms(struct timeval tv)
{
    return tv.tv_sec * 1000LL + tv.tv_usec / 1000;
}

static long long usage_ms(int who, long long *user)
{
    struct rusage ru;
    if (getrusage(who, &ru) != 0)
        FAIL("getrusage");
    if (user)
        *user = tv_ms(ru.ru_utime);
    return tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
}

static void *thread_fn(void *arg)
{
    (void)arg;
    spin(CLOCK_THREAD_CPUTIME_ID, 200);
    long long ms = usage_ms(RUSAGE_THREAD, NULL);
    return (void *)(long)ms;
}

int main(int argc, char **argv)
{
    if (argc > 1) {   /* exec'd after burning 200 ms: they still count */
        CHECK(usage_ms(RUSAGE_SELF, NULL) >= 180);
        return 0;
    }
    CHECK_EQ(usage_ms(RUSAGE_CHILDREN, NULL), 0);
    CHECK_ERR(getrusage(42, NULL), EINVAL);
    struct rusage ru;
    CHECK_ERR(getrusage(RUSAGE_SELF, BAD_PTR), EFAULT);

    /* Our own time: at least what we burned, and mostly user time. */
    long long before = usage_ms(RUSAGE_SELF, NULL);
    spin(CLOCK_PROCESS_CPUTIME_ID, 300);
    long long user, after = usage_ms(RUSAGE_SELF, &user);
    CHECK(after - before >= 280);
    CHECK(after - before < 5000);
    CHECK(user >= 150);
    long long clock_ms = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) / 1000000;
    CHECK(after <= clock_ms + 50);
    struct tms tm;
    CHECK(times(&tm) != (clock_t)-1);
    CHECK(tm.tms_utime + tm.tms_stime >= 28);
    CHECK_EQ(tm.tms_cutime, 0);

    /* A thread's own time, and the process's includes it. */
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, thread_fn, NULL), 0);
    void *ret;
    CHECK_EQ(pthread_join(th, &ret), 0);
    CHECK((long)ret >= 180);
    CHECK(usage_ms(RUSAGE_SELF, NULL) >= after + 180);
    CHECK(usage_ms(RUSAGE_THREAD, NULL) < usage_ms(RUSAGE_SELF, NULL));

    /* A child's time shows once it is reaped, and in wait4. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        spin(CLOCK_PROCESS_CPUTIME_ID, 200);
        _exit(0);
    }
    int status;
    CHECK_EQ(wait4(pid, &status, 0, &ru), pid);
    CHECK(WIFEXITED(status));
    CHECK(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) >= 180);
    CHECK(usage_ms(RUSAGE_CHILDREN, NULL) >= 180);
    CHECK(times(&tm) != (clock_t)-1);
    CHECK(tm.tms_cutime + tm.tms_cstime >= 18);

    /* Time spent before execve stays with the process. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        spin(CLOCK_PROCESS_CPUTIME_ID, 200);
        char *args[] = { argv[0], "exec", NULL };
        execv(self_path(argv), args);
        _exit(99);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK(usage_ms(RUSAGE_CHILDREN, NULL) >= 360);
    return 0;
}
