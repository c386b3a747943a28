/*
 * exh.h - shared by the exhaustion programs (exh_*.c), after attack.h.
 *
 * The peak handshake with tests/security/run.sh: when an attack holds its
 * sandbox at a limit it creates /rw/NAME.peak (/rw is run.sh's WORK/rw);
 * run.sh then runs a neighbour sandbox and checks that the host still
 * forks, and creates /rw/NAME.release; the attack keeps up the pressure
 * until then.
 */
#ifndef SECURITY_EXH_H
#define SECURITY_EXH_H

#include <dirent.h>

/* How long an attack waits for run.sh at most: a hang bound only. */
#define EXH_PEAK_BOUND_S 300

/* Processes in the sandbox (numeric entries of /proc), or -1. */
static inline int exh_count_procs(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            n++;
    closedir(d);
    return n;
}

/* For exh_peak: keeps the largest count seen in *(int *)arg. */
static inline void exh_sample_procs(void *arg)
{
    int n = exh_count_procs();
    if (n > *(int *)arg)
        *(int *)arg = n;
}

/* Says NAME is at its peak and waits for run.sh's release, calling
 * work(arg) meanwhile (to keep up the pressure or to sample); false if no
 * release came within EXH_PEAK_BOUND_S. */
static inline bool exh_peak(const char *name, void (*work)(void *), void *arg)
{
    char peak[128], release[128];
    snprintf(peak, sizeof peak, "/rw/%s.peak", name);
    snprintf(release, sizeof release, "/rw/%s.release", name);
    int fd = open(peak, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return false;
    close(fd);
    double t0 = now_s();
    struct stat st;
    while (stat(release, &st) < 0) {
        if (now_s() - t0 > EXH_PEAK_BOUND_S)
            return false;
        if (work)
            work(arg);
        usleep(50000);
    }
    return true;
}

#endif
