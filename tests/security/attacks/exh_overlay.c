/*
 * exh_overlay: fill the in-memory upper layer under `sentry run
 * --overlay-size Q` (run.sh passes Q in MiB as argv[1]; the rootfs holds
 * /big, a sparse file larger than Q).  One quota covers / (the overlay's
 * upper layer), /tmp and /dev/shm.  Every way to grow it must stop with
 * ENOSPC within Q: one big file, many empty files in one directory,
 * directories, long symlinks, hard links, truncate and fallocate past Q, a
 * write at a far offset, an O_TMPFILE file, the copy-up of /big, a /dev/shm
 * file grown for a shared mapping.  After each, removing what was made
 * must give back exactly what it took (statfs shows the same free blocks
 * as at the start), and writing must work again.  While full, the sentry
 * must serve (a fork, reads), and run.sh runs a neighbour sandbox.
 *
 *     exh_overlay Q
 */
#include "attack.h"

#include <sys/mman.h>
#include <sys/statfs.h>

#include "exh.h"

#define MIB (1UL << 20)

static size_t quota;        /* bytes */
static long free_at_start;  /* statfs f_bfree of / */

static long free_blocks(const char *path)
{
    struct statfs s;
    return statfs(path, &s) == 0 ? (long)s.f_bfree : -1;
}

/* Makes names DIR/PREFIX0, 1... with make() until it fails; the count, and
 * errno in *err. */
static long make_until(const char *dir, const char *prefix, int (*make)(const char *), int *err)
{
    char p[128];
    long n = 0;
    for (;; n++) {
        snprintf(p, sizeof p, "%s/%s%ld", dir, prefix, n);
        if (make(p) < 0)
            break;
    }
    *err = errno;
    return n;
}

static void remove_made(const char *dir, const char *prefix, long n, bool is_dir)
{
    char p[128];
    for (long i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/%s%ld", dir, prefix, i);
        if (is_dir)
            rmdir(p);
        else
            unlink(p);
    }
}

static int make_file(const char *p)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    return fd < 0 ? -1 : close(fd);
}

static int make_dir(const char *p)
{
    return mkdir(p, 0700);
}

static char long_target[4096];

static int make_symlink(const char *p)
{
    return symlink(long_target, p);
}

static int make_link(const char *p)
{
    return link("/fill/linked", p);
}

/* After a fill and its removal: the quota is back to where it was before
 * (base: statfs f_bfree then) and a write of half of it works (then goes). */
static void given_back(const char *what, long base)
{
    char name[96];
    snprintf(name, sizeof name, "quota-given-back-after-%s", what);
    long now = free_blocks("/");
    int fd = open("/again", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static char b[1 << 16];
    size_t done = 0;
    while (fd >= 0 && done < quota / 2) {
        ssize_t w = write(fd, b, sizeof b);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (fd >= 0)
        close(fd);
    unlink("/again");
    if (now == base && done >= quota / 2)
        refused(name, "%ld free blocks as before, %zu KiB written again", now, done >> 10);
    else
        escaped(name, "%ld free blocks (%ld before), %zu KiB written again", now, base,
            done >> 10);
}

/* One fill by names: at least some made, then ENOSPC. */
static void fill_names(const char *what, const char *prefix, int (*make)(const char *), bool is_dir,
               long at_most)
{
    char name[64];
    snprintf(name, sizeof name, "fill-by-%s", what);
    long base = free_blocks("/");
    int err;
    long n = make_until("/fill", prefix, make, &err);
    if (err == ENOSPC && n > 0 && n <= at_most)
        refused(name, "ENOSPC after %ld (at most %ld fit in %zu KiB)", n, at_most, quota >> 10);
    else
        escaped(name, "%ld made, then %s (at most %ld fit)", n, attack_errname(err), at_most);
    remove_made("/fill", prefix, n, is_dir);
    given_back(what, base);
}

static void fill_big_file(void)
{
    static char b[1 << 16];
    memset(b, 'x', sizeof b);
    long base = free_blocks("/");
    int fd = open("/fill/big", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t done = 0;
    ssize_t w = 0;
    while (fd >= 0 && (w = write(fd, b, sizeof b)) > 0)
        done += (size_t)w;
    int e = errno;
    long full = free_blocks("/tmp");
    /* (a write that does not fit fails whole: less than one is left) */
    if (w < 0 && e == ENOSPC && done <= quota && done + 128 * 1024 >= quota &&
        full >= 0 && full < (long)(sizeof b / 4096))
        refused("fill-by-one-file", "ENOSPC after %zu KiB; /tmp (the same quota) has %ld free blocks",
            done >> 10, full);
    else
        escaped("fill-by-one-file", "%zu KiB written, then %s; /tmp free blocks %ld", done >> 10,
            attack_errname(e), full);

    /* Full: /tmp and /dev/shm share it; the sentry still serves. */
    errno = 0;
    int t = open("/tmp/more", O_WRONLY | O_CREAT, 0600);
    ssize_t tw = t >= 0 ? write(t, b, sizeof b) : -1;
    expect_errno("full-tmp-shares-quota", t < 0 ? -1 : tw, ENOSPC);
    if (t >= 0)
        close(t);
    unlink("/tmp/more");
    pid_t p = fork();
    if (p == 0)
        _exit(7);
    int st = -1;
    char buf[16];
    if (p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 7 &&
        read_small("/proc/self/stat", buf, sizeof buf) > 0)
        refused("sentry-serves-when-full", "a fork and a wait, /proc");
    else
        escaped("sentry-serves-when-full", "fork %d, status 0x%x", (int)p, st);
    if (exh_peak("exh_overlay", NULL, NULL))
        refused("neighbour-when-full", "run.sh ran a neighbour sandbox and forked on the host");
    else
        escaped("neighbour-when-full", "no release from run.sh");
    if (fd >= 0)
        close(fd);
    unlink("/fill/big");
    given_back("one-file", base);
}

/* Growing one file without writing its data: must count as much. */
static void fill_sparse(void)
{
    long base = free_blocks("/");
    int fd = open("/fill/sparse", O_RDWR | O_CREAT | O_TRUNC, 0600);
    off_t far = (off_t)(4 * quota);
    errno = 0;
    int r = ftruncate(fd, far);
    struct stat st;
    fstat(fd, &st);
    if (r < 0 && errno == ENOSPC)
        refused("truncate-past-quota", "ENOSPC");
    else if (r == 0 && free_blocks("/") >= base - 1)
        refused("truncate-past-quota", "sparse: size %lld, nothing taken", (long long)st.st_size);
    else
        escaped("truncate-past-quota", "ftruncate to %lld: %d (%s), free blocks %ld",
            (long long)far, r, attack_errname(errno), free_blocks("/"));
    ftruncate(fd, 0);
    errno = 0;
    expect_errno("fallocate-past-quota", fallocate(fd, 0, 0, far), ENOSPC);
    errno = 0;
    expect_errno("pwrite-at-far-offset", pwrite(fd, "x", 1, far), ENOSPC);
    close(fd);
    unlink("/fill/sparse");
    given_back("sparse", base);
}

static void fill_tmpfile(void)
{
    static char b[1 << 16];
    long base = free_blocks("/");
    int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
    size_t done = 0;
    ssize_t w = -1;
    while (fd >= 0 && (w = write(fd, b, sizeof b)) > 0)
        done += (size_t)w;
    int e = fd < 0 ? errno : (w < 0 ? errno : 0);
    if (fd >= 0 && e == ENOSPC && done <= quota)
        refused("fill-by-o-tmpfile", "ENOSPC after %zu KiB, unnamed", done >> 10);
    else if (fd < 0 && e == EOPNOTSUPP)
        refused("fill-by-o-tmpfile", "O_TMPFILE: EOPNOTSUPP (not supported by the sentry)");
    else
        escaped("fill-by-o-tmpfile", "fd %d, %zu KiB, then %s", fd, done >> 10, attack_errname(e));
    if (fd >= 0)
        close(fd);
    given_back("o-tmpfile", base);
}

/* The copy-up of a lower file larger than the quota. */
static void copy_up(void)
{
    struct stat st;
    long base = free_blocks("/");
    if (stat("/big", &st) < 0 || (size_t)st.st_size <= quota) {
        escaped("copy-up-past-quota", "no lower /big larger than the quota: %s", strerror(errno));
        return;
    }
    errno = 0;
    int fd = open("/big", O_RDWR);
    int e = errno;
    if (fd < 0 && e == ENOSPC)
        refused("copy-up-past-quota", "open O_RDWR of a %lld MiB lower file: ENOSPC",
            (long long)st.st_size >> 20);
    else
        escaped("copy-up-past-quota", "open O_RDWR of /big: %d (%s)", fd, attack_errname(e));
    if (fd >= 0)
        close(fd);
    given_back("copy-up", base);
}

/* A /dev/shm file grown for a shared mapping (a memfd behind it). */
static void fill_shm(void)
{
    long base = free_blocks("/");
    int fd = open("/dev/shm/fill", O_RDWR | O_CREAT | O_TRUNC, 0600);
    off_t size = 0;
    int e = 0;
    while (fd >= 0) {
        if (ftruncate(fd, size + 256 * 1024) < 0) {
            e = errno;
            break;
        }
        char *m = mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, fd, size);
        if (m == MAP_FAILED) {
            e = errno;
            break;
        }
        memset(m, 's', 256 * 1024);
        munmap(m, 256 * 1024);
        size += 256 * 1024;
    }
    if (fd >= 0 && e == ENOSPC && (size_t)size <= quota)
        refused("fill-by-dev-shm-mapping", "ENOSPC after %lld KiB mapped and written",
            (long long)size >> 10);
    else
        escaped("fill-by-dev-shm-mapping", "%lld KiB, then %s", (long long)size >> 10,
            attack_errname(e));
    if (fd >= 0)
        close(fd);
    unlink("/dev/shm/fill");
    given_back("dev-shm", base);
}

int main(int argc, char **argv)
{
    attack_begin("exhaustion");
    quota = argc > 1 ? strtoul(argv[1], NULL, 10) * MIB : 0;
    if (quota == 0 || mkdir("/fill", 0755) < 0) {
        escaped("overlay-setup", "usage: exh_overlay Q (MiB); mkdir /fill: %s", strerror(errno));
        return attack_end();
    }
    free_at_start = free_blocks("/");
    struct statfs sf;
    statfs("/", &sf);
    if ((size_t)sf.f_blocks * (size_t)sf.f_bsize == quota)
        refused("statfs-shows-quota", "%ld blocks of %ld bytes", (long)sf.f_blocks, (long)sf.f_bsize);
    else
        escaped("statfs-shows-quota", "%ld blocks of %ld bytes, quota %zu", (long)sf.f_blocks,
            (long)sf.f_bsize, quota);

    fill_big_file();
    /* A name costs 512 bytes of the quota; a symlink also its text. */
    fill_names("empty-files", "f", make_file, false, (long)(quota / 512));
    fill_names("directories", "d", make_dir, true, (long)(quota / 512));
    memset(long_target, 't', sizeof long_target - 1);
    fill_names("4095-byte-symlinks", "s", make_symlink, false, (long)(quota / 4096));
    if (make_file("/fill/linked") == 0)
        fill_names("hard-links", "l", make_link, false, (long)(quota / 512));
    unlink("/fill/linked");
    fill_sparse();
    fill_tmpfile();
    copy_up();
    fill_shm();
    long now = free_blocks("/");
    if (now == free_at_start)
        refused("quota-all-given-back", "%ld free blocks, as at the start", now);
    else
        escaped("quota-all-given-back", "%ld free blocks, %ld at the start", now, free_at_start);
    return attack_end();
}
