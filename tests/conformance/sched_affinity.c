/* sched_getaffinity / sched_setaffinity / getcpu: the mask is non-empty
 * and within the configured CPUs, the raw call returns the bytes copied
 * and refuses sizes too small or not a multiple of a long (EINVAL); an
 * empty mask or one with only absent CPUs is EINVAL; pinning to one CPU
 * moves the caller there (getcpu says so) and is per thread; ESRCH for no
 * such task. */
#include "check.h"
#include <pthread.h>
#include <sched.h>

static long getcpu_(unsigned *cpu, unsigned *node)
{
    return syscall(SYS_getcpu, cpu, node, NULL);
}

static int first_cpu(const cpu_set_t *s)
{
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, s))
            return i;
    return -1;
}

static cpu_set_t thread_mask;
static void *report_mask(void *arg)
{
    (void)arg;
    sched_getaffinity(0, sizeof thread_mask, &thread_mask);
    return NULL;
}

int main(void)
{
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    CHECK(ncpu >= 1);
    cpu_set_t orig, s;
    CHECK_OK(sched_getaffinity(0, sizeof orig, &orig));
    CHECK(CPU_COUNT(&orig) >= 1);
    CHECK(CPU_COUNT(&orig) <= ncpu);
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &orig))
            CHECK(i < ncpu);

    /* Raw call: bytes copied, a whole number of longs covering the CPUs. */
    unsigned char raw[1024];
    memset(raw, 0, sizeof raw);
    long n = syscall(SYS_sched_getaffinity, 0, sizeof raw, raw);
    CHECK(n >= 8);
    CHECK_EQ(n % 8, 0);
    CHECK(n * 8 >= ncpu);
    CHECK_MEMEQ(raw, &orig, 8);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, raw), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, raw), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 12, raw), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof raw, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 999999, sizeof raw, raw), ESRCH);

    /* getcpu: a CPU we may run on. */
    unsigned cpu = 9999, node = 9999;
    CHECK_EQ(getcpu_(&cpu, &node), 0);
    CHECK(cpu < (unsigned)ncpu);
    CHECK(CPU_ISSET(cpu, &orig));
    CHECK(node < 9999);
    CHECK_EQ(getcpu_(NULL, NULL), 0);

    /* Pin to one CPU: we are on it when the call returns. */
    int target = first_cpu(&orig);
    CPU_ZERO(&s);
    CPU_SET(target, &s);
    CHECK_OK(sched_setaffinity(0, sizeof s, &s));
    CHECK_EQ(getcpu_(&cpu, NULL), 0);
    CHECK_EQ(cpu, (unsigned)target);
    CHECK_EQ(sched_getcpu(), target);
    cpu_set_t now;
    CHECK_OK(sched_getaffinity(0, sizeof now, &now));
    CHECK_EQ(CPU_COUNT(&now), 1);
    CHECK(CPU_ISSET(target, &now));
    /* A new thread inherits it; the mask is per thread afterwards. */
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, report_mask, NULL), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK(CPU_EQUAL(&thread_mask, &now));
    if (CPU_COUNT(&orig) > 1) {
        CHECK_OK(sched_setaffinity(0, sizeof orig, &orig));
        CHECK_RET(pthread_create(&th, NULL, report_mask, NULL), 0);
        CHECK_RET(pthread_join(th, NULL), 0);
        CHECK(CPU_EQUAL(&thread_mask, &orig));
    }

    /* Invalid masks. */
    CPU_ZERO(&s);
    CHECK_ERR(sched_setaffinity(0, sizeof s, &s), EINVAL);
    CPU_ZERO(&s);
    CPU_SET(CPU_SETSIZE - 1, &s);               /* no such CPU */
    CHECK_ERR(sched_setaffinity(0, sizeof s, &s), EINVAL);
    CHECK_ERR(sched_setaffinity(999999, sizeof orig, &orig), ESRCH);
    CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof orig, BAD_PTR), EFAULT);

    CHECK_OK(sched_setaffinity(0, sizeof orig, &orig));
    CHECK_OK(sched_getaffinity(0, sizeof now, &now));
    CHECK(CPU_EQUAL(&now, &orig));
    return 0;
}
