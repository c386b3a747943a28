/*
 * exh_limits: exhaust what the guest can, each for a bounded time; the
 * sentry must survive and keep serving (a fork and a wait at the end), and
 * the limits that exist must hold.  The sentry has no --pids or --memory
 * limit yet: the fork bomb is capped at 300 processes and the memory bomb
 * at 1 GiB (RLIMIT_AS, which the sentry enforces, is checked to stop it).
 */
#include "attack.h"

#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>

static void fd_exhaustion(void)
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
    if (e == EMFILE)
        refused("fd-exhaustion", "EMFILE after %d opens (RLIMIT_NOFILE %llu)", n,
                (unsigned long long)rl.rlim_cur);
    else
        escaped("fd-exhaustion", "%d opens, then %s", n, attack_errname(e));
    expect_fail("pipe-at-emfile", pipe((int[2]){0, 0}));
    expect_errno("dup2-above-limit", dup2(0, (int)rl.rlim_cur + 10), EBADF);
    expect_errno("fcntl-dupfd-above-limit", fcntl(0, F_DUPFD, (int)rl.rlim_cur), EINVAL);
    struct rlimit huge = {1UL << 40, 1UL << 40};
    expect_fail("setrlimit-nofile-above-nr_open", setrlimit(RLIMIT_NOFILE, &huge));
    for (int fd = 3; fd < (int)rl.rlim_cur; fd++)
        close(fd);
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

static atomic_int *bomb_count;

static void bomb(void)
{
    for (;;) {
        if (atomic_fetch_add(bomb_count, 1) >= 300)
            break;
        pid_t p = fork();
        if (p < 0)
            break;
        if (p == 0)
            continue; /* the child bombs on */
    }
    pause();
    _exit(0);
}

static void fork_bomb(void)
{
    bomb_count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    double t = now_s();
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        bomb();
    }
    setpgid(leader, leader);
    while (atomic_load(bomb_count) < 300 && now_s() - t < 10)
        usleep(10000);
    usleep(200000);
    double t1 = now_s();
    int st;
    pid_t q = fork();
    if (q == 0)
        _exit(42);
    waitpid(q, &st, 0);
    double lat = now_s() - t1;
    kill(-leader, SIGKILL);
    while (waitpid(-1, &st, 0) > 0 || errno == EINTR)
        ;
    if (lat < 2.0)
        refused("fork-bomb-300", "300 processes in %.1f s (counter %d); a fork+wait amid them took %.0f ms; all reaped",
                t1 - t, atomic_load(bomb_count), lat * 1000);
    else
        escaped("fork-bomb-300", "the sentry took %.1f s for a fork+wait", lat);
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

    /* Without a limit (the sentry has no --memory yet): 1 GiB, touched. */
    p = fork();
    if (p == 0) {
        for (size_t total = 0; total < (1UL << 30); total += 64 << 20) {
            char *m = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED)
                _exit(0);
            memset(m, 1, 64 << 20);
        }
        _exit(0);
    }
    waitpid(p, &st, 0);
    refused("memory-bomb-1GiB", "bounded at 1 GiB (no --memory limit yet); status 0x%x, the sentry survived", st);
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

int main(void)
{
    attack_begin("exhaustion");
    fd_exhaustion();
    long_paths();
    fork_bomb();
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
