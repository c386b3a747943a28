/*
 * exh_limits: exhaust what the guest can, under `sentry run --nofile N`
 * (run.sh passes N as argv[1]); the sentry must survive and keep serving (a
 * fork and a wait at the end), and the limits must hold: fds (EMFILE at
 * exactly N, for every kind of fd, with every pipe full), fds in flight
 * (unix sockets sent over themselves and closed, which only the garbage
 * collection frees), 4096/8191-byte paths, long names, 1500-deep nesting,
 * symlink loops, RLIMIT_AS, a flood of signals.  Fork, memory and
 * upper-layer bombs under --pids, --memory and --overlay-size are
 * exh_forkbomb, exh_membomb and exh_overlay.
 *
 *     exh_limits N
 */
#include "attack.h"

#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

/* Every way to make an fd, at EMFILE: none gets past the limit. */
static void every_kind_at_emfile(void)
{
    int sv[2];
    sigset_t ss;
    sigemptyset(&ss);
    expect_errno("emfile-pipe", pipe(sv), EMFILE);
    expect_errno("emfile-socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EMFILE);
    expect_errno("emfile-socket", socket(AF_INET, SOCK_STREAM, 0), EMFILE);
    expect_errno("emfile-dup", dup(0), EMFILE);
    expect_errno("emfile-fcntl-dupfd", fcntl(0, F_DUPFD, 0), EMFILE);
    expect_errno("emfile-eventfd", eventfd(0, 0), EMFILE);
    expect_errno("emfile-epoll", epoll_create1(0), EMFILE);
    expect_errno("emfile-inotify", inotify_init1(0), EMFILE);
    expect_errno("emfile-signalfd", signalfd(-1, &ss, 0), EMFILE);
    expect_errno("emfile-timerfd", timerfd_create(CLOCK_MONOTONIC, 0), EMFILE);
    expect_errno("emfile-memfd", memfd_create("x", 0), EMFILE);
    expect_errno("emfile-pidfd", syscall(SYS_pidfd_open, getpid(), 0), EMFILE);
    expect_errno("emfile-open-proc", open("/proc/self/status", O_RDONLY), EMFILE);
}

static void fd_exhaustion(int want)
{
    struct rlimit rl;
    int n = 0, e = 0;

    getrlimit(RLIMIT_NOFILE, &rl);
    for (;;) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            e = errno;
            break;
        }
        if (++n > 1 << 20)
            break;
    }
    /* 0, 1 and 2 are open: N - 3 more. */
    if (e == EMFILE && (int)rl.rlim_cur == want && n == want - 3)
        refused("fd-exhaustion", "EMFILE after %d opens (--nofile %d)", n, want);
    else
        escaped("fd-exhaustion", "%d opens, then %s (RLIMIT_NOFILE %llu, --nofile %d)", n,
            attack_errname(e), (unsigned long long)rl.rlim_cur, want);
    every_kind_at_emfile();
    expect_errno("dup2-above-limit", dup2(0, (int)rl.rlim_cur + 10), EBADF);
    expect_errno("fcntl-dupfd-above-limit", fcntl(0, F_DUPFD, (int)rl.rlim_cur), EINVAL);
    struct rlimit huge = {1UL << 40, 1UL << 40};
    expect_fail("setrlimit-nofile-above-nr_open", setrlimit(RLIMIT_NOFILE, &huge));
    for (int fd = 3; fd < (int)rl.rlim_cur; fd++)
        close(fd);
}

/* Every fd a full pipe: the sentry holds their buffers (64 KiB each, the
 * default size), bounded by the limit; run.sh bounds its peak RSS. */
static void full_pipes(int want)
{
    int np = 0;
    size_t held = 0;
    static char b[1 << 16];
    for (;;) {
        int fd[2];
        if (pipe2(fd, O_NONBLOCK) < 0)
            break;
        np++;
        ssize_t w;
        while ((w = write(fd[1], b, sizeof b)) > 0)
            held += (size_t)w;
    }
    int e = errno;
    if (e == EMFILE && np == (want - 3) / 2)
        refused("full-pipes-at-emfile", "%d pipes holding %zu KiB, then EMFILE", np, held >> 10);
    else
        escaped("full-pipes-at-emfile", "%d pipes, then %s", np, attack_errname(e));
    for (int fd = 3; fd < want; fd++)
        close(fd);
}

/* A unix socket pair sent over itself and closed: nothing but the garbage
 * collection can free it.  Many such cycles must not grow the sentry for
 * ever (run.sh bounds its peak RSS). */
static void inflight_cycles(void)
{
    long n = 0, failed = 0;
    for (; n < 40000; n++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
            failed++;
            break;
        }
        char c = 'x';
        struct iovec iov = { &c, 1 };
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(2 * sizeof(int))];
        } u;
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                    .msg_controllen = sizeof u.b };
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        h->cmsg_level = SOL_SOCKET;
        h->cmsg_type = SCM_RIGHTS;
        h->cmsg_len = CMSG_LEN(2 * sizeof(int));
        memcpy(CMSG_DATA(h), sv, 2 * sizeof(int));
        if (sendmsg(sv[0], &m, 0) < 0)
            failed++;
        close(sv[0]);
        close(sv[1]);
    }
    if (failed == 0)
        refused("fds-in-flight-cycles", "%ld socket pairs sent over themselves and closed; "
            "run.sh bounds the sentry's memory", n);
    else
        escaped("fds-in-flight-cycles", "%ld cycles, %ld failed: %s", n, failed, strerror(errno));
}

static void long_paths(void)
{
    static char p[8192];

    memset(p, 'a', sizeof p - 1);
    p[0] = '/';
    p[4096] = 0;
    expect_errno("open-4096-byte-path", open(p, O_RDONLY), ENAMETOOLONG);
    p[4096] = 'a';
    p[sizeof p - 1] = 0;
    expect_errno("open-8191-byte-path", open(p, O_RDONLY), ENAMETOOLONG);
    char name[300];
    memset(name, 'b', sizeof name - 1);
    name[sizeof name - 1] = 0;
    expect_errno("mkdir-299-byte-name", mkdir(name, 0755), ENAMETOOLONG);

    /* Deep nesting in the sandbox's /tmp: 1500 levels, relative steps. */
    if (chdir("/tmp") == 0 && mkdir("deep", 0755) == 0 && chdir("deep") == 0) {
        int depth = 0;
        for (; depth < 1500; depth++)
            if (mkdir("dddddddddd", 0755) < 0 || chdir("dddddddddd") < 0)
                break;
        char cwd[4096];
        char *r = getcwd(cwd, sizeof cwd);
        int e = errno;
        if (depth == 1500 && r == NULL && (e == ENAMETOOLONG || e == ERANGE))
            refused("deep-nesting-getcwd", "%d levels, getcwd: %s", depth, attack_errname(e));
        else if (r == NULL)
            refused("deep-nesting-getcwd", "%d levels, getcwd: %s", depth, attack_errname(e));
        else
            escaped("deep-nesting-getcwd", "%d levels, getcwd gave %zu bytes", depth, strlen(r));
        /* The whole path from / is too long to walk. */
        static char full[20000];
        int off = snprintf(full, sizeof full, "/tmp/deep");
        for (int i = 0; i < depth && off < (int)sizeof full - 20; i++)
            off += snprintf(full + off, sizeof full - off, "/dddddddddd");
        expect_errno("deep-nesting-absolute-open", open(full, O_RDONLY), ENAMETOOLONG);
        (void)!chdir("/");
    } else {
        escaped("deep-nesting-getcwd", "setup failed: %s", strerror(errno));
    }
    (void)!symlink("loop-b", "/tmp/loop-a");
    (void)!symlink("loop-a", "/tmp/loop-b");
    expect_errno("symlink-loop", open("/tmp/loop-a", O_RDONLY), ELOOP);
    char a[64], b[64];
    for (int i = 0; i < 45; i++) {
        snprintf(a, sizeof a, "/tmp/chain%d", i);
        snprintf(b, sizeof b, "chain%d", i + 1);
        (void)!symlink(b, a);
    }
    close(open("/tmp/chain45", O_CREAT | O_WRONLY, 0644));
    expect_errno("symlink-chain-45", open("/tmp/chain0", O_RDONLY), ELOOP);
}

static void memory_bomb(void)
{
    struct rlimit rl = {256UL << 20, 256UL << 20};
    int st;
    pid_t p = fork();

    if (p == 0) {
        setrlimit(RLIMIT_AS, &rl);
        size_t total = 0;
        for (;;) {
            char *m = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED)
                _exit(errno == ENOMEM && total <= (256UL << 20) ? 0 : 3);
            memset(m, 1, 16 << 20);
            total += 16 << 20;
        }
    }
    waitpid(p, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        refused("memory-bomb-rlimit-as", "ENOMEM at RLIMIT_AS 256 MiB");
    else
        escaped("memory-bomb-rlimit-as", "status 0x%x", st);
}

static atomic_long got;

static void on_sig(int s)
{
    (void)s;
    atomic_fetch_add(&got, 1);
}

static void signal_flood(void)
{
    int st;
    pid_t p = fork();

    if (p == 0) {
        signal(SIGUSR1, on_sig);
        signal(SIGRTMIN, on_sig);
        for (;;)
            pause();
    }
    usleep(50000);
    long sent = 0, queued_fail = 0;
    double t = now_s();
    while (now_s() - t < 1.5) {
        for (int i = 0; i < 100; i++) {
            kill(p, SIGUSR1);
            if (sigqueue(p, SIGRTMIN, (union sigval){.sival_int = i}) < 0)
                queued_fail++;
            sent += 2;
        }
    }
    kill(p, SIGKILL);
    waitpid(p, &st, 0);
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
        refused("signal-flood", "%ld signals in 1.5 s (%ld rt refused with EAGAIN); the target still died of SIGKILL",
                sent, queued_fail);
    else
        escaped("signal-flood", "the target ended with 0x%x", st);
}

int main(int argc, char **argv)
{
    attack_begin("exhaustion");
    int nofile = argc > 1 ? atoi(argv[1]) : 0;
    fd_exhaustion(nofile);
    full_pipes(nofile);
    inflight_cycles();
    long_paths();
    memory_bomb();
    signal_flood();
    int st;
    pid_t p = fork();
    if (p == 0)
        _exit(7);
    if (p > 0 && waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 7)
        refused("sentry-still-serving", "fork+wait after everything");
    else
        escaped("sentry-still-serving", "fork/wait failed");
    return attack_end();
}
