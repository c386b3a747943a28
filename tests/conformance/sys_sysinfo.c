/* sysinfo: plausible, self-consistent values; EFAULT. */
#include "check.h"
#include <sys/sysinfo.h>

int main(void)
{
    struct sysinfo a, b;
    memset(&a, 0, sizeof a);
    CHECK_EQ(sysinfo(&a), 0);
    CHECK(a.uptime >= 0);
    CHECK(a.mem_unit >= 1);
    CHECK(a.totalram > 0);
    CHECK(a.freeram <= a.totalram);
    CHECK(a.freeswap <= a.totalswap);
    CHECK(a.procs >= 1);                 /* at least this process */
    /* The machine has at least 16 MiB of memory. */
    CHECK((unsigned long long)a.totalram * a.mem_unit >= 16ULL << 20);

    /* Uptime does not go backwards; totals do not change. */
    sleep_ms(20);
    CHECK_EQ(syscall(SYS_sysinfo, &b), 0);
    CHECK(b.uptime >= a.uptime);
    CHECK_EQ(b.totalram, a.totalram);
    CHECK_EQ(b.mem_unit, a.mem_unit);

    /* Uptime agrees with CLOCK_BOOTTIME (to the second, with slack). */
    struct timespec ts;
    CHECK_OK(clock_gettime(CLOCK_BOOTTIME, &ts));
    CHECK(b.uptime >= ts.tv_sec - 2 && b.uptime <= ts.tv_sec + 2);

    CHECK_ERR(sysinfo(BAD_PTR), EFAULT);
    return 0;
}
