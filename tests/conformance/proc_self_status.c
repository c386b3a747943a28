/* /proc/self/status: Name, State, Tgid, Pid, PPid, Uid, Gid, Threads and
 * the signal masks SigBlk / SigIgn / SigCgt. */
#include "check.h"
#include <libgen.h>

static char status[8192];

/* Returns the text after "Key:\t" up to the end of the line. */
static const char *field(const char *key)
{
    static char val[256];
    size_t kl = strlen(key);
    for (const char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            const char *v = l + kl + 1;
            while (*v == '\t' || *v == ' ')
                v++;
            size_t n = strcspn(v, "\n");
            CHECK(n < sizeof val);
            memcpy(val, v, n);
            val[n] = '\0';
            return val;
        }
    }
    FAIL("no \"%s:\" line in /proc/self/status", key);
}

static void handler(int sig) { (void)sig; }

int main(int argc, char **argv)
{
    (void)argc;
    char name[PATH_MAX], comm[16], want[128];
    snprintf(name, sizeof name, "%s", argv[0]);
    snprintf(comm, sizeof comm, "%s", basename(name));

    /* Set up recognisable signal state: SIGUSR1 (bit 9) blocked, SIGUSR2
     * (bit 11) ignored, SIGTERM (bit 14) caught. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_SETMASK, &set, NULL));
    signal(SIGUSR2, SIG_IGN);
    signal(SIGTERM, handler);

    read_file("/proc/self/status", status, sizeof status);
    CHECK_STREQ(field("Name"), comm);
    CHECK(strncmp(field("State"), "R", 1) == 0);
    snprintf(want, sizeof want, "%d", getpid());
    CHECK_STREQ(field("Pid"), want);
    CHECK_STREQ(field("Tgid"), want);
    snprintf(want, sizeof want, "%d", getppid());
    CHECK_STREQ(field("PPid"), want);
    /* Uid/Gid: real, effective, saved, filesystem. */
    snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getuid(), geteuid(), geteuid(), geteuid());
    CHECK_STREQ(field("Uid"), want);
    snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getgid(), getegid(), getegid(), getegid());
    CHECK_STREQ(field("Gid"), want);
    CHECK_STREQ(field("Threads"), "1");
    /* 64-bit hex masks, bit n-1 for signal n. */
    unsigned long long blk = strtoull(field("SigBlk"), NULL, 16);
    unsigned long long ign = strtoull(field("SigIgn"), NULL, 16);
    unsigned long long cgt = strtoull(field("SigCgt"), NULL, 16);
    CHECK_EQ(strlen(field("SigBlk")), 16);
    CHECK_EQ(blk, 1ULL << (SIGUSR1 - 1));
    CHECK(ign & (1ULL << (SIGUSR2 - 1)));
    CHECK(cgt & (1ULL << (SIGTERM - 1)));
    CHECK(!(cgt & (1ULL << (SIGUSR2 - 1))));

    /* A child reports its own pid, and us as its parent. */
    pid_t me = getpid();
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char w[32];
        read_file("/proc/self/status", status, sizeof status);
        snprintf(w, sizeof w, "%d", getpid());
        CHECK_STREQ(field("Pid"), w);
        snprintf(w, sizeof w, "%d", me);
        CHECK_STREQ(field("PPid"), w);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
