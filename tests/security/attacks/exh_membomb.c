/*
 * exh_membomb: unbounded memory bombs under `sentry run --memory M
 * --overlay-size Q` (run.sh passes M and Q in MiB as argv[1] and argv[2]).
 * Each bomb is a child that takes memory for ever, in one way: private
 * anonymous pages, the heap, shared anonymous pages, threads, a
 * copy-on-write fork army, files in /tmp and /dev/shm (mapped and written).
 * As a process in a memory cgroup on Linux, it must end by ENOMEM or be
 * OOM-killed (SIGKILL) with no more than M MiB taken; files stop at the
 * quota (ENOSPC) first, since Q < M.  The sentry must survive each and
 * serve the next; the memory must come back (a child then takes half of M
 * and keeps it).  At the peak the program keeps bombing while run.sh runs
 * a neighbour sandbox.
 *
 * A backstop, should the host not enforce --memory (no cgroup: the sentry
 * warns, run.sh fails the run): every bomb also has RLIMIT_AS at 4 M, so
 * it never takes the host down, and going past M is reported.
 *
 *     exh_membomb M Q
 */
#include "attack.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "exh.h"

#define MIB (1UL << 20)
#define CHUNK (4 * MIB)

static size_t limit_mib, quota_mib;

/* What a bomb has taken so far (MiB), and the copies the cow army made,
 * in memory shared with init. */
static atomic_long *taken, *copies;

enum { BOMB_ENOMEM = 12, BOMB_ENOSPC = 28, BOMB_OTHER = 99 };

static _Noreturn void take_anon(int flags)
{
    for (;;) {
        char *m = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            _exit(errno == ENOMEM ? BOMB_ENOMEM : BOMB_OTHER);
        memset(m, 0x5a, CHUNK);
        atomic_fetch_add(taken, CHUNK / MIB);
    }
}

static _Noreturn void bomb_private(void)
{
    take_anon(MAP_PRIVATE);
}

static _Noreturn void bomb_shared(void)
{
    take_anon(MAP_SHARED);
}

static _Noreturn void bomb_heap(void)
{
    for (;;) {
        char *m = malloc(MIB);
        if (!m)
            _exit(BOMB_ENOMEM);
        memset(m, 0x5a, MIB);
        atomic_fetch_add(taken, 1);
    }
}

static void *thread_take(void *arg)
{
    (void)arg;
    take_anon(MAP_PRIVATE);
}

static _Noreturn void bomb_threads(void)
{
    pthread_t th;
    for (int i = 0; i < 7; i++)
        if (pthread_create(&th, NULL, thread_take, NULL) != 0)
            _exit(BOMB_OTHER);
    thread_take(NULL);
    _exit(BOMB_OTHER);
}

/* A file grown by write(): the sentry's own memory holds it (tmpfs). */
static _Noreturn void take_file(const char *path)
{
    static char b[1 << 20];
    memset(b, 0x5a, sizeof b);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        _exit(BOMB_OTHER);
    for (;;) {
        ssize_t w = write(fd, b, sizeof b);
        if (w < 0)
            _exit(errno == ENOSPC ? BOMB_ENOSPC : errno == ENOMEM ? BOMB_ENOMEM : BOMB_OTHER);
        atomic_fetch_add(taken, 1);   /* (whole MiBs; a short write ends it next) */
    }
}

static _Noreturn void bomb_tmp_file(void)
{
    take_file("/tmp/membomb");
}

/* A /dev/shm file grown by ftruncate and touched through a shared mapping
 * (a host memfd behind it). */
static _Noreturn void bomb_shm_mapped(void)
{
    int fd = open("/dev/shm/membomb", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        _exit(BOMB_OTHER);
    for (off_t off = 0;; off += CHUNK) {
        if (ftruncate(fd, off + (off_t)CHUNK) < 0)
            _exit(errno == ENOSPC ? BOMB_ENOSPC : errno == ENOMEM ? BOMB_ENOMEM : BOMB_OTHER);
        char *m = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
        if (m == MAP_FAILED)
            _exit(errno == ENOMEM ? BOMB_ENOMEM : BOMB_OTHER);
        memset(m, 0x5a, CHUNK);
        atomic_fetch_add(taken, CHUNK / MIB);
    }
}

/* A copy-on-write army: a process with a third of M touched forks 6
 * children that each write all of it again; 7 copies cannot fit.  It
 * exits 0 once every child has copied or been killed, and some were. */
static _Noreturn void bomb_cow(void)
{
    size_t sz = limit_mib / 3 * MIB;
    char *m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        _exit(BOMB_OTHER);
    memset(m, 1, sz);
    atomic_fetch_add(taken, (long)(sz / MIB));
    pid_t kids[6];
    for (int i = 0; i < 6; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            memset(m, 2, sz);
            atomic_fetch_add(copies, 1);
            pause();
            _exit(0);
        }
    }
    int killed = 0, st;
    while (atomic_load(copies) + killed < 6) {
        pid_t r = waitpid(-1, &st, WNOHANG);
        if (r < 0)
            break;
        if (r > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            killed++;
        if (r == 0)
            usleep(10000);
    }
    for (int i = 0; i < 6; i++)
        kill(kids[i], SIGKILL);
    _exit(killed > 0 ? 0 : BOMB_OTHER);
}

struct bomb {
    const char *name;
    void (*fn)(void);
    bool file;   /* stopped by the quota, not by the memory limit */
};

static const struct bomb bombs[] = {
    { "private-anon", bomb_private, false },
    { "heap", bomb_heap, false },
    { "shared-anon", bomb_shared, false },
    { "threads", bomb_threads, false },
    { "tmp-file", bomb_tmp_file, true },
    { "dev-shm-mapped", bomb_shm_mapped, true },
};

/* Runs one bomb in a child of its own (process group), waits for it and
 * reaps whatever it left; its wait status. */
static int run_bomb(void (*fn)(void))
{
    atomic_store(taken, 0);
    atomic_store(copies, 0);
    pid_t p = fork();
    if (p == 0) {
        setpgid(0, 0);
        struct rlimit rl = { 4 * limit_mib * MIB, 4 * limit_mib * MIB };
        setrlimit(RLIMIT_AS, &rl);
        fn();
        _exit(BOMB_OTHER);
    }
    if (p < 0)
        return -1;
    setpgid(p, p);
    int st = -1;
    waitpid(p, &st, 0);
    kill(-p, SIGKILL);   /* (a child of the army may be left) */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return st;
}

static const char *how(int st)
{
    static char b[48];
    if (WIFSIGNALED(st))
        snprintf(b, sizeof b, "killed by signal %d", WTERMSIG(st));
    else if (WIFEXITED(st) && WEXITSTATUS(st) == BOMB_ENOMEM)
        snprintf(b, sizeof b, "ENOMEM");
    else if (WIFEXITED(st) && WEXITSTATUS(st) == BOMB_ENOSPC)
        snprintf(b, sizeof b, "ENOSPC");
    else
        snprintf(b, sizeof b, "status 0x%x", st);
    return b;
}

/* The sentry serves after a bomb, and the memory came back: a child takes
 * half of M and exits normally. */
static void after(const char *bomb)
{
    char name[96];
    snprintf(name, sizeof name, "memory-returned-after-%s", bomb);
    unlink("/tmp/membomb");
    unlink("/dev/shm/membomb");
    pid_t p = fork();
    if (p == 0) {
        size_t sz = limit_mib / 2 * MIB;
        char *m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            _exit(1);
        memset(m, 1, sz);
        _exit(7);
    }
    int st = -1;
    if (p > 0)
        waitpid(p, &st, 0);
    if (p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7)
        refused(name, "a fork, and %zu MiB taken and given back", limit_mib / 2);
    else
        escaped(name, "fork %d, status 0x%x", (int)p, st);
}

static void one_bomb(const struct bomb *b)
{
    char name[64];
    snprintf(name, sizeof name, "memory-bomb-%s", b->name);
    int st = run_bomb(b->fn);
    long got = atomic_load(taken);
    bool killed = st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
    bool enomem = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == BOMB_ENOMEM;
    bool enospc = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == BOMB_ENOSPC;
    if (b->file && enospc && (size_t)got <= quota_mib)
        refused(name, "ENOSPC after %ld MiB (--overlay-size %zu MiB)", got, quota_mib);
    else if (!b->file && (killed || enomem) && (size_t)got <= limit_mib)
        refused(name, "%s after %ld MiB (--memory %zu MiB)", how(st), got, limit_mib);
    else
        escaped(name, "%s after %ld MiB (--memory %zu MiB, --overlay-size %zu MiB)", how(st),
            got, limit_mib, quota_mib);
    after(b->name);
}

/* At the peak: bomb after bomb while the neighbour runs. */
struct pressure {
    int rounds, bad, last_status;
};

static void keep_bombing(void *arg)
{
    struct pressure *pr = arg;
    int st = run_bomb(bomb_private);
    pr->rounds++;
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) &&
        !(WIFEXITED(st) && WEXITSTATUS(st) == BOMB_ENOMEM))
        pr->bad++, pr->last_status = st;
    else if ((size_t)atomic_load(taken) > limit_mib)
        pr->bad++, pr->last_status = st;
}

int main(int argc, char **argv)
{
    attack_begin("exhaustion");
    limit_mib = argc > 2 ? strtoul(argv[1], NULL, 10) : 0;
    quota_mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    taken = mmap(NULL, 2 * sizeof *taken, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (limit_mib < 64 || quota_mib >= limit_mib || taken == MAP_FAILED) {
        escaped("memory-bomb-setup", "usage: exh_membomb M Q (MiB, Q < M)");
        return attack_end();
    }
    copies = taken + 1;
    for (size_t i = 0; i < sizeof bombs / sizeof bombs[0]; i++)
        one_bomb(&bombs[i]);

    int st = run_bomb(bomb_cow);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        refused("memory-bomb-cow-army", "copies OOM-killed (%ld MiB asked of --memory %zu)",
            (long)(7 * (limit_mib / 3)), limit_mib);
    else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
        refused("memory-bomb-cow-army", "its leader OOM-killed (%ld MiB asked of --memory %zu)",
            (long)(7 * (limit_mib / 3)), limit_mib);
    else
        escaped("memory-bomb-cow-army", "%s, no copy killed", how(st));
    after("cow-army");

    struct pressure pr = { 0 };
    if (exh_peak("exh_membomb", keep_bombing, &pr))
        refused("neighbour-at-peak", "run.sh ran a neighbour sandbox and forked on the host");
    else
        escaped("neighbour-at-peak", "no release from run.sh");
    if (pr.rounds > 0 && pr.bad == 0)
        refused("memory-bombs-at-peak", "%d more bombs meanwhile, each stopped within the limit",
            pr.rounds);
    else
        escaped("memory-bombs-at-peak", "%d of %d bombs not stopped within the limit (last %s)",
            pr.bad, pr.rounds, how(pr.last_status));
    after("peak");
    return attack_end();
}
