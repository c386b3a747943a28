/* /sys/devices/system/cpu: online, possible and present are CPU lists
 * ("0-3,5"), online agrees with get_nprocs() and sched_getaffinity allows
 * no CPU outside it; there is a cpuN directory for each present CPU. */
#include "check.h"
#include <dirent.h>
#include <sched.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>

#define MAXCPU 4096

/* Parses a CPU list into a set; returns how many, or -1 if malformed. */
static int parse_list(const char *s, unsigned char *set)
{
    memset(set, 0, MAXCPU);
    int n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        if (*p < '0' || *p > '9')
            return -1;
        long lo = strtol(p, &end, 10), hi = lo;
        if (*end == '-') {
            if (end[1] < '0' || end[1] > '9')
                return -1;
            hi = strtol(end + 1, &end, 10);
        }
        if (hi < lo || hi >= MAXCPU)
            return -1;
        for (long i = lo; i <= hi; i++) {
            if (!set[i])
                n++;
            set[i] = 1;
        }
        if (*end == ',') {
            p = end + 1;
            continue;
        }
        return *end == '\n' && end[1] == 0 ? n : -1;
    }
}

static int read_list(const char *name, unsigned char *set)
{
    char path[128], buf[512];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/%s", name);
    read_file(path, buf, sizeof buf);
    int n = parse_list(buf, set);
    if (n <= 0)
        FAIL("%s: bad CPU list '%s'", path, buf);
    return n;
}

int main(void)
{
    static unsigned char online[MAXCPU], possible[MAXCPU], present[MAXCPU];
    int non = read_list("online", online);
    int npos = read_list("possible", possible);
    int npres = read_list("present", present);
    CHECK(online[0]);
    CHECK(non <= npres);
    CHECK(npres <= npos);
    for (int i = 0; i < MAXCPU; i++) {
        if (online[i])
            CHECK(present[i]);
        if (present[i])
            CHECK(possible[i]);
    }
    CHECK_EQ(get_nprocs(), non);
    CHECK_EQ(sysconf(_SC_NPROCESSORS_ONLN), non);

    cpu_set_t aff;
    CPU_ZERO(&aff);
    CHECK_OK(sched_getaffinity(0, sizeof aff, &aff));
    CHECK(CPU_COUNT(&aff) >= 1);
    for (int i = 0; i < CPU_SETSIZE && i < MAXCPU; i++)
        if (CPU_ISSET(i, &aff))
            CHECK(online[i]);

    /* One cpuN directory per present CPU, and no other. */
    DIR *d = opendir("/sys/devices/system/cpu");
    CHECK(d != NULL);
    int ndirs = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        if (strncmp(e->d_name, "cpu", 3) != 0 || e->d_name[3] < '0' || e->d_name[3] > '9')
            continue;
        long n = strtol(e->d_name + 3, &end, 10);
        if (*end)
            continue;
        CHECK(n < MAXCPU);
        CHECK(present[n]);
        CHECK(e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
        ndirs++;
    }
    closedir(d);
    CHECK_EQ(ndirs, npres);
    struct stat st;
    CHECK_OK(stat("/sys/devices/system/cpu/cpu0", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(stat("/sys/devices/system/cpu/online", &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_mode & 0777, 0444);
    CHECK_ERR(stat("/sys/devices/system/cpu/nosuchfile", &st), ENOENT);

    /* It is sysfs. */
    struct statfs sf;
    CHECK_OK(statfs("/sys/devices/system/cpu", &sf));
    CHECK_EQ(sf.f_type, 0x62656572);
    return 0;
}
