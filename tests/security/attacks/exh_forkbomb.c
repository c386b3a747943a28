/*
 * exh_forkbomb: an unbounded fork bomb under `sentry run --pids N --cpus 1`
 * (run.sh passes N as argv[1]).  Every bomb process forks for ever, also
 * after EAGAIN; the limit must hold (never more than N tasks, counted in
 * /proc), every fork and thread past it must fail with EAGAIN, zombies must
 * count too, and the sentry must keep serving everything else.  At the peak
 * the program asks run.sh (through /rw) to run a neighbour sandbox and to
 * check that the host still forks; then it kills the bomb, reaps every
 * process, and all N pids must be usable again.
 *
 *     exh_forkbomb N
 */
#include "attack.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "exh.h"

struct bomb_counts {
    atomic_long forks, eagain, other;
};

static _Noreturn void bomb(struct bomb_counts *c)
{
    for (;;) {
        pid_t p = fork();
        if (p > 0)
            atomic_fetch_add(&c->forks, 1);
        else if (p < 0 && errno == EAGAIN)
            atomic_fetch_add(&c->eagain, 1);
        else if (p < 0)
            atomic_fetch_add(&c->other, 1);
        /* the child bombs on too */
    }
}

static void *thread_fn(void *arg)
{
    return arg;
}

/* Everything but a new task works at the limit: files, pipes, /proc,
 * signals to oneself. */
static bool serves_at_limit(char *why, size_t n)
{
    char buf[64];
    int fd[2];
    int f = open("/tmp/at-limit", O_RDWR | O_CREAT | O_TRUNC, 0600);
    bool ok = f >= 0 && write(f, "limit", 5) == 5 && pread(f, buf, 5, 0) == 5 &&
          memcmp(buf, "limit", 5) == 0;
    if (f >= 0)
        close(f);
    unlink("/tmp/at-limit");
    ok = ok && pipe(fd) == 0;
    if (ok) {
        ok = write(fd[1], "p", 1) == 1 && read(fd[0], buf, 1) == 1 && buf[0] == 'p';
        close(fd[0]);
        close(fd[1]);
    }
    ok = ok && read_small("/proc/self/status", buf, sizeof buf) > 0;
    ok = ok && kill(getpid(), 0) == 0;
    snprintf(why, n, "%s", ok ? "a file, a pipe, /proc, kill(self, 0)" : strerror(errno));
    return ok;
}

int main(int argc, char **argv)
{
    attack_begin("exhaustion");
    int limit = argc > 1 ? atoi(argv[1]) : 0;
    if (limit < 8) {
        escaped("fork-bomb-setup", "usage: exh_forkbomb N (the --pids limit)");
        return attack_end();
    }
    struct bomb_counts *c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED) {
        escaped("fork-bomb-setup", "mmap: %s", strerror(errno));
        return attack_end();
    }

    /* Zombies hold their pids: children that exit at once, never waited
     * for, stop at the limit too. */
    int z = 0;
    pid_t p;
    while (z < 4 * limit && (p = fork()) >= 0) {
        if (p == 0)
            _exit(0);
        z++;
    }
    int ze = errno;
    while (wait(NULL) > 0)
        ;
    if (z == limit - 1 && ze == EAGAIN)
        refused("zombie-bomb", "%d zombies, then EAGAIN (init + %d = --pids %d)", z, z, limit);
    else
        escaped("zombie-bomb", "%d zombies, then %s (--pids %d)", z, attack_errname(ze), limit);

    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        bomb(c);
    }
    setpgid(leader, leader);
    /* The bomb has filled the table once forks keep failing with EAGAIN
     * and the count stays at the limit (a hang bound, not a timing). */
    double t0 = now_s();
    int n = 0, most = 0;
    while (now_s() - t0 < 120) {
        n = exh_count_procs();
        if (n > most)
            most = n;
        if (n >= limit && atomic_load(&c->eagain) > 1000)
            break;
        usleep(20000);
    }
    if (n == limit)
        refused("fork-bomb-reaches-limit", "%d tasks, %ld forks done, %ld refused with EAGAIN, %ld other errors",
            n, atomic_load(&c->forks), atomic_load(&c->eagain), atomic_load(&c->other));
    else
        escaped("fork-bomb-reaches-limit", "%d tasks after %.0f s (--pids %d), %ld EAGAIN", n,
            now_s() - t0, limit, atomic_load(&c->eagain));

    errno = 0;
    p = fork();
    if (p == 0)
        _exit(0);
    expect_errno("fork-at-limit", p, EAGAIN);
    pthread_t th;
    int err = pthread_create(&th, NULL, thread_fn, NULL);
    if (err == 0)
        pthread_join(th, NULL);
    errno = err;
    expect_errno("thread-at-limit", err ? -1 : 0, EAGAIN);
    char why[128];
    if (serves_at_limit(why, sizeof why))
        refused("sentry-serves-at-limit", "%s", why);
    else
        escaped("sentry-serves-at-limit", "%s", why);

    /* A neighbour sandbox runs while the bomb keeps trying; the count is
     * sampled meanwhile. */
    bool released = exh_peak("exh_forkbomb", exh_sample_procs, &most);
    if (released)
        refused("neighbour-at-peak", "run.sh ran a neighbour sandbox and forked on the host");
    else
        escaped("neighbour-at-peak", "no release from run.sh");
    if (most <= limit)
        refused("fork-bomb-limit-holds", "at most %d tasks seen (--pids %d)", most, limit);
    else
        escaped("fork-bomb-limit-holds", "%d tasks seen (--pids %d)", most, limit);

    /* Everything goes: a group kill, then every process reaped (orphans
     * come to us, pid 1). */
    kill(-leader, SIGKILL);
    int reaped = 0;
    t0 = now_s();
    for (;;) {
        pid_t r = waitpid(-1, NULL, WNOHANG);
        if (r > 0) {
            reaped++;
            continue;
        }
        if (r < 0 && errno == ECHILD)
            break;
        if (now_s() - t0 > 120)
            break;
        usleep(10000);
    }
    n = exh_count_procs();
    if (n == 1 && reaped == limit - 1)
        refused("fork-bomb-all-reaped", "%d reaped, only pid 1 left", reaped);
    else
        escaped("fork-bomb-all-reaped", "%d reaped, %d processes left", reaped, n);

    /* Every pid is usable again: limit - 1 children at once. */
    pid_t kids[limit];
    int live = 0;
    for (; live < limit - 1; live++) {
        kids[live] = fork();
        if (kids[live] < 0)
            break;
        if (kids[live] == 0) {
            pause();
            _exit(0);
        }
    }
    int e = errno;
    for (int i = 0; i < live; i++)
        kill(kids[i], SIGKILL);
    while (wait(NULL) > 0)
        ;
    if (live == limit - 1)
        refused("pids-usable-again", "%d children at once after the bomb", live);
    else
        escaped("pids-usable-again", "only %d children, then %s", live, attack_errname(e));
    return attack_end();
}
