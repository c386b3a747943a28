/*
 * proc_attacks: reach other processes and the host kernel.
 *
 *   proc_attacks VICTIM_PID HOSTNAME
 *
 * VICTIM_PID is a host process run.sh started (also its own process group);
 * run.sh checks that it is still alive afterwards, that the host's name is
 * still HOSTNAME and that the host clock did not jump.  The attacks run in a
 * child (pid 1 has init semantics in the sandbox).
 */
#include "attack.h"

#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sched.h>
#include <sys/personality.h>
#include <linux/reboot.h>

static pid_t victim;
static char host_name[256];

static void ptraces(pid_t self, pid_t parent)
{
    pid_t targets[] = {1, parent, victim, 2, 100, 1000, 32768, 4194303};
    char nm[64];

    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        snprintf(nm, sizeof nm, "ptrace-attach-%d", targets[i]);
        expect_fail(nm, ptrace(PTRACE_ATTACH, targets[i], 0, 0));
        snprintf(nm, sizeof nm, "ptrace-seize-%d", targets[i]);
        expect_fail(nm, ptrace(PTRACE_SEIZE, targets[i], 0, 0));
        char buf[8];
        struct iovec l = {buf, sizeof buf}, r = {(void *)0x400000, sizeof buf};
        snprintf(nm, sizeof nm, "process_vm_readv-%d", targets[i]);
        expect_fail(nm, process_vm_readv(targets[i], &l, 1, &r, 1, 0));
        snprintf(nm, sizeof nm, "process_vm_writev-%d", targets[i]);
        expect_fail(nm, process_vm_writev(targets[i], &l, 1, &r, 1, 0));
    }
    (void)self;
}

static void kills(pid_t self, pid_t parent)
{
    int others = 0;

    /* By number: only the sandbox's own processes exist. */
    for (pid_t p = 2; p <= 4096; p++) {
        if (p == self || p == parent)
            continue;
        if (kill(p, 0) == 0 || errno != ESRCH)
            others++;
    }
    if (others)
        escaped("kill-0-scan-2..4096", "%d pids other than ours answer", others);
    else
        refused("kill-0-scan-2..4096", "ESRCH for every pid but ours");
    expect_fail("kill-victim", kill(victim, SIGKILL));
    expect_fail("kill-victim-group", kill(-victim, SIGKILL));
    expect_fail("tgkill-victim", syscall(SYS_tgkill, victim, victim, SIGKILL));
    expect_fail("tkill-victim", syscall(SYS_tkill, victim, SIGKILL));
    siginfo_t si = {.si_signo = SIGKILL, .si_code = SI_QUEUE};
    expect_fail("rt_sigqueueinfo-victim", syscall(SYS_rt_sigqueueinfo, victim, SIGKILL, &si));
    expect_fail("pidfd_open-victim", syscall(SYS_pidfd_open, victim, 0));
    int pfd = syscall(SYS_pidfd_open, victim, 0);
    if (pfd >= 0)
        expect_fail("pidfd_send_signal-victim", syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0));
    expect_fail("setpgid-into-victim-group", setpgid(0, victim));
}

static void namespaces(void)
{
    static const struct {
        const char *name;
        int flag;
    } ns[] = {
        {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},     {"net", CLONE_NEWNET},
        {"pid", CLONE_NEWPID},   {"uts", CLONE_NEWUTS},    {"ipc", CLONE_NEWIPC},
        {"cgroup", CLONE_NEWCGROUP}, {"time", 0x80},
    };
    char nm[64], p[64];

    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        snprintf(nm, sizeof nm, "unshare-%s", ns[i].name);
        expect_fail(nm, unshare(ns[i].flag));
        snprintf(p, sizeof p, "/proc/1/ns/%s", ns[i].name);
        int fd = open(p, O_RDONLY);
        snprintf(nm, sizeof nm, "setns-%s", ns[i].name);
        if (fd >= 0) {
            expect_fail(nm, setns(fd, 0));
            close(fd);
        } else {
            refused(nm, "no %s: %s", p, attack_errname(errno));
        }
    }
    expect_fail("clone-newns", syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
}

static void kernel_surface(void)
{
    char attr[128] = {0};

    expect_fail("bpf-map-create", syscall(SYS_bpf, 0, attr, sizeof attr));
    expect_fail("bpf-prog-load", syscall(SYS_bpf, 5, attr, sizeof attr));
    expect_fail("perf_event_open", syscall(SYS_perf_event_open, attr, -1, 0, -1, 0));
    expect_fail("userfaultfd", syscall(SYS_userfaultfd, 0));
    expect_fail("open-dev-userfaultfd", open("/dev/userfaultfd", O_RDWR));
    expect_fail("keyctl-session", syscall(SYS_keyctl, 0 /*GET_KEYRING_ID*/, -3, 1));
    expect_fail("add_key", syscall(SYS_add_key, "user", "pwned", "x", 1, -3));
    expect_fail("request_key", syscall(SYS_request_key, "user", "pwned", NULL, -3));
    expect_fail("io_uring_setup", syscall(SYS_io_uring_setup, 8, attr));
    expect_fail("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
    expect_fail("kexec_file_load-unload", syscall(SYS_kexec_file_load, -1, -1, 0, "", 2));
    expect_fail("init_module", syscall(SYS_init_module, attr, sizeof attr, ""));
    int fd = open("/proc/self/exe", O_RDONLY);
    expect_fail("finit_module", syscall(SYS_finit_module, fd, "", 0));
    close(fd);
    expect_fail("delete_module", syscall(SYS_delete_module, "loop", O_NONBLOCK));
    expect_fail("reboot-cad-off", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                                          LINUX_REBOOT_CMD_CAD_OFF, NULL));
    expect_fail("iopl-3", syscall(SYS_iopl, 3));
    expect_fail("ioperm-0x80", syscall(SYS_ioperm, 0x80, 1, 1));
    close(open("/tmp/acct", O_CREAT | O_WRONLY, 0600));
    expect_fail("acct", syscall(SYS_acct, "/tmp/acct"));
    expect_fail("swapon", syscall(SYS_swapon, "/tmp/acct", 0));
    expect_fail("swapoff", syscall(SYS_swapoff, "/tmp/acct"));
    expect_fail("quotactl", syscall(SYS_quotactl, 0x800002 /*Q_QUOTAON*/, "/dev/sda1", 0, "/tmp/acct"));
    expect_fail("lookup_dcookie", syscall(212, 0, attr, sizeof attr));
    expect_fail("vhangup", syscall(SYS_vhangup));
    expect_fail("syslog-clear", syscall(SYS_syslog, 5 /*CLEAR*/, NULL, 0));
    expect_fail("syslog-read-all", syscall(SYS_syslog, 3 /*READ_ALL*/, attr, sizeof attr));
}

static void clocks_and_names(void)
{
    struct timeval tv;
    struct timespec before, after, ts;
    struct timex tx = {.modes = ADJ_SETOFFSET | ADJ_NANO};

    /* Moving the clock by an hour, were it the host's, is seen at once: the
     * guest's clock is the host's (vDSO). */
    clock_gettime(CLOCK_REALTIME, &before);
    gettimeofday(&tv, NULL);
    tv.tv_sec += 3600;
    long r1 = settimeofday(&tv, NULL);
    ts = before;
    ts.tv_sec += 3600;
    long r2 = clock_settime(CLOCK_REALTIME, &ts);
    tx.time.tv_sec = 3600;
    long r3 = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
    struct timex tx2 = {.modes = ADJ_OFFSET | ADJ_STATUS, .status = 0, .offset = 500000};
    long r4 = adjtimex(&tx2);
    clock_gettime(CLOCK_REALTIME, &after);
    int jumped = after.tv_sec - before.tv_sec > 60 || after.tv_sec < before.tv_sec;
    if (jumped)
        escaped("settime", "the real-time clock moved by %ld s", (long)(after.tv_sec - before.tv_sec));
    expect_fail("settimeofday+1h", r1);
    expect_fail("clock_settime+1h", r2);
    expect_fail("clock_adjtime-setoffset", r3);
    expect_fail("adjtimex-offset", r4);

    /* sethostname may work: it is the sandbox's own name (run.sh checks the
     * host's). */
    struct utsname u;
    if (sethostname("pwned-by-sandbox", 16) == 0) {
        uname(&u);
        if (strcmp(u.nodename, host_name) == 0)
            escaped("sethostname", "the sandbox saw the host's name");
        else
            refused("sethostname", "changed the sandbox's name only (run.sh checks the host)");
    } else {
        refused("sethostname", "%s", attack_errname(errno));
    }
    if (setdomainname("pwned-domain", 12) == 0)
        refused("setdomainname", "the sandbox's own (run.sh checks the host)");
    else
        refused("setdomainname", "%s", attack_errname(errno));
}

static void personality_tricks(void)
{
    /* Personalities are the guest's; none may widen what it reaches. */
    long old = personality(0xffffffff);
    long r = personality(0x0008 /*PER_LINUX32*/);
    if (r >= 0)
        personality(old);
    refused("personality-linux32", "%s", r < 0 ? attack_errname(errno) : "set, affects the guest only");
    r = personality(0x0400000 /*READ_IMPLIES_EXEC*/ | 0x0040000 /*ADDR_NO_RANDOMIZE*/);
    if (r >= 0)
        personality(old);
    refused("personality-read-implies-exec", "%s", r < 0 ? attack_errname(errno) : "the guest's own");
}

static void attacks(void *arg)
{
    pid_t self = getpid(), parent = getppid();

    (void)arg;
    ptraces(self, parent);
    kills(self, parent);
    namespaces();
    kernel_surface();
    clocks_and_names();
    personality_tricks();
    fflush(stdout);
    _exit(attack_end());
}

static void kill_all(void *arg)
{
    (void)arg;
    /* Every process this one may signal: in the sandbox, only its own. */
    kill(-1, SIGKILL);
    kill(-1, SIGTERM);
    _exit(0);
}

int main(int argc, char **argv)
{
    attack_begin("proc");
    if (argc < 3)
        return 2;
    victim = atoi(argv[1]);
    snprintf(host_name, sizeof host_name, "%s", argv[2]);
    int st = in_child(attacks, NULL);
    if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("the attack child ended with status 0x%x\n", st);
        return 1;
    }
    st = in_child(kill_all, NULL);
    if (kill(victim, 0) < 0 && errno == ESRCH)
        refused("kill-minus-1", "in a child; the host victim is checked by run.sh");
    else
        escaped("kill-minus-1", "the victim pid is visible");
    /* The attack child's summary was its own; this process adds one. */
    return attack_end();
}
