/* What /proc and /sys say about the machine: /proc/cpuinfo has one
 * "processor" block per CPU online (as get_nprocs() and
 * /sys/devices/system/cpu/online count them), /proc/meminfo's totals are
 * sysinfo()'s, /proc/stat has a line per CPU, /proc/uptime follows
 * CLOCK_BOOTTIME and /proc/loadavg has its five fields.  (The sandbox reads
 * the host's text before it confines itself; tests/e2e/t_runsc_pod.sh runs
 * this in a pod's second container, whose /proc and /sys are made after.) */
#include "check.h"
#include <sys/sysinfo.h>

#define BIG (1 << 20)

static char text[BIG];

/* The whole file (read in small pieces, as a reader of /proc would). */
static size_t slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    size_t len = 0;
    ssize_t r;
    while (len < sizeof text - 1 && (r = read(fd, text + len, 100)) > 0)
        len += (size_t)r;
    CHECK(r >= 0);
    close(fd);
    text[len] = 0;
    if (len == 0)
        FAIL("%s is empty", path);
    return len;
}

/* Lines of text that start with prefix. */
static int count_lines(const char *prefix)
{
    int n = 0;
    size_t plen = strlen(prefix);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, prefix, plen) == 0)
            n++;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return n;
}

/* The number after "name:" in /proc/meminfo's text, in kB. */
static unsigned long long meminfo_kb(const char *name)
{
    char key[64];
    int klen = snprintf(key, sizeof key, "%s:", name);
    const char *p = text;
    while (p && strncmp(p, key, (size_t)klen) != 0) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        FAIL("meminfo has no %s", name);
    unsigned long long v;
    char unit[8] = "";
    CHECK_EQ(sscanf(p + klen, "%llu %7s", &v, unit), 2);
    CHECK_STREQ(unit, "kB");
    return v;
}

/* CPUs in a list such as "0-3,6\n"; -1 if it is not one. */
static int count_cpu_list(const char *s)
{
    int n = 0;
    for (const char *p = s;;) {
        char *end;
        if (*p < '0' || *p > '9')
            return -1;
        long lo = strtol(p, &end, 10), hi = lo;
        if (*end == '-')
            hi = strtol(end + 1, &end, 10);
        if (hi < lo)
            return -1;
        n += (int)(hi - lo + 1);
        if (*end != ',')
            return *end == '\n' ? n : -1;
        p = end + 1;
    }
}

static void check_cpuinfo(int ncpus)
{
    slurp("/proc/cpuinfo");
    CHECK_EQ(count_lines("processor\t: "), ncpus);
#ifdef __x86_64__
    CHECK_EQ(count_lines("vendor_id\t: "), ncpus);
    CHECK_EQ(count_lines("model name\t: "), ncpus);
    CHECK_EQ(count_lines("flags\t\t: "), ncpus);
#endif
}

static void check_meminfo(void)
{
    struct sysinfo si;
    CHECK_OK(sysinfo(&si));
    unsigned long long unit = si.mem_unit ? si.mem_unit : 1;
    slurp("/proc/meminfo");
    unsigned long long total = meminfo_kb("MemTotal");
    CHECK_EQ(total, si.totalram * unit / 1024);
    CHECK_EQ(meminfo_kb("SwapTotal"), si.totalswap * unit / 1024);
    unsigned long long free_ = meminfo_kb("MemFree"), avail = meminfo_kb("MemAvailable");
    CHECK(free_ > 0 && free_ <= total);
    CHECK(avail > 0 && avail <= total);
    CHECK(meminfo_kb("SwapFree") <= meminfo_kb("SwapTotal"));
}

static void check_stat(int ncpus)
{
    slurp("/proc/stat");
    CHECK_EQ(strncmp(text, "cpu  ", 5), 0);
    unsigned long long f[4];
    CHECK_EQ(sscanf(text + 5, "%llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3]), 4);
    CHECK_EQ(count_lines("cpu"), ncpus + 1);
    const char *bt = strstr(text, "\nbtime ");
    CHECK(bt != NULL);
    long long btime = atoll(bt + 7);
    struct timespec real, boot;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &real));
    CHECK_OK(clock_gettime(CLOCK_BOOTTIME, &boot));
    long long want = (long long)(real.tv_sec - boot.tv_sec);
    CHECK(btime >= want - 2 && btime <= want + 2);
}

/* uptime follows CLOCK_BOOTTIME: a live value, not one read at start. */
static void check_uptime(void)
{
    struct timespec before, after;
    CHECK_OK(clock_gettime(CLOCK_BOOTTIME, &before));
    slurp("/proc/uptime");
    CHECK_OK(clock_gettime(CLOCK_BOOTTIME, &after));
    double up, idle;
    CHECK_EQ(sscanf(text, "%lf %lf", &up, &idle), 2);
    CHECK(up > 0 && idle >= 0);
    CHECK(up >= (double)before.tv_sec - 1 && up <= (double)after.tv_sec + 1);
}

static void check_loadavg(void)
{
    slurp("/proc/loadavg");
    double l1, l5, l15;
    int running, total, last;
    CHECK_EQ(sscanf(text, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &total, &last), 6);
    CHECK(l1 >= 0 && l5 >= 0 && l15 >= 0);
    CHECK(running >= 1 && total >= running && last >= 1);
}

int main(void)
{
    int ncpus = get_nprocs();
    CHECK(ncpus >= 1);
    slurp("/sys/devices/system/cpu/online");
    CHECK_EQ(count_cpu_list(text), ncpus);
    check_cpuinfo(ncpus);
    check_meminfo();
    check_stat(ncpus);
    check_uptime();
    check_loadavg();
    return 0;
}
