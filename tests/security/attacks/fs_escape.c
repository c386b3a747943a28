/*
 * fs_escape: get out of the sandbox's root and out of its bind mounts.
 *
 *   fs_escape WORK
 *
 * run.sh starts it with --rootfs WORK/rootfs (an empty directory), WORK/rw
 * bound writable at /rw, WORK/ro read-only at /ro and WORK/outside
 * read-only at /view.  WORK/outside/secret holds "SECRET...": reading it
 * by any path but /view is an escape, and so is making any file in
 * WORK/outside (seen through /view: a dentry miss asks the gofer, so a file
 * made on the host shows there; run.sh checks the host too).  The host's
 * /etc/passwd is not in the empty rootfs: reading it is an escape as well.
 */
#include "attack.h"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/syscall.h>

static char work[1024];

/* A path that must not lead to the secret (or to the host's /etc/passwd). */
static void no_read(const char *name, const char *path)
{
    char buf[256];
    ssize_t n = read_small(path, buf, sizeof buf);

    if (n < 0)
        refused(name, "%s", attack_errname(errno));
    else if (strncmp(buf, "SECRET", 6) == 0 || strstr(buf, "root:x:0:0") != NULL)
        escaped(name, "read the host's file through %s", path);
    else
        refused(name, "opened something else (%zd bytes), not the host file", n);
}

static int view_has(const char *leaf)
{
    char p[1200];
    struct stat st;

    snprintf(p, sizeof p, "/view/%s", leaf);
    return stat(p, &st) == 0;
}

/* A creation through PATH must not make WORK/outside/LEAF on the host. */
static void no_create(const char *name, const char *path, const char *leaf)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    int e = errno;

    if (fd >= 0) {
        (void)!write(fd, "pwned\n", 6);
        close(fd);
    }
    if (leaf && view_has(leaf))
        escaped(name, "created WORK/outside/%s on the host through %s", leaf, path);
    else if (fd < 0)
        refused(name, "%s", attack_errname(e));
    else
        refused(name, "created in the sandbox only (run.sh checks the host)");
}

static void symlink_escapes(void)
{
    char target[1200];

    /* The links live on the host (in WORK/rw): the gofer must not follow
     * them, the sentry resolves them inside the sandbox. */
    snprintf(target, sizeof target, "%s/outside/secret", work);
    if (symlink(target, "/rw/abs") < 0 || symlink("../outside/secret", "/rw/rel") < 0 ||
        symlink("../../../../../../../../../..", "/rw/up") < 0 ||
        symlink("/", "/rw/slash") < 0 || symlink("../outside", "/rw/reldir") < 0) {
        printf("setup: symlink in /rw: %s\n", strerror(errno));
        exit(2);
    }
    snprintf(target, sizeof target, "%s/outside", work);
    (void)!symlink(target, "/rw/absdir");
    no_read("symlink-abs-host-path", "/rw/abs");
    no_read("symlink-relative-dotdot", "/rw/rel");
    snprintf(target, sizeof target, "/rw/up%s/outside/secret", work);
    no_read("symlink-many-dotdots", target);
    no_read("symlink-many-dotdots-passwd", "/rw/up/etc/passwd");
    snprintf(target, sizeof target, "/rw/slash%s/outside/secret", work);
    no_read("symlink-to-root", target);
    no_read("symlink-dir-relative", "/rw/reldir/secret");
    no_read("symlink-dir-absolute", "/rw/absdir/secret");

    snprintf(target, sizeof target, "%s/outside/pwned-abs", work);
    (void)!symlink(target, "/rw/wabs");
    (void)!symlink("../outside/pwned-rel", "/rw/wrel");
    no_create("create-through-symlink-abs", "/rw/wabs", "pwned-abs");
    no_create("create-through-symlink-rel", "/rw/wrel", "pwned-rel");
    no_create("create-through-symlink-dir", "/rw/reldir/pwned-dir", "pwned-dir");
    no_create("create-through-symlink-absdir", "/rw/absdir/pwned-absdir", "pwned-absdir");
}

static void dotdot_escapes(void)
{
    char p[1400];
    int dfd;

    snprintf(p, sizeof p, "%s/outside/secret", work);
    no_read("host-path-in-empty-rootfs", p);
    no_read("host-passwd-in-empty-rootfs", "/etc/passwd");
    no_read("dotdot-out-of-rw", "/rw/../outside/secret");
    snprintf(p, sizeof p, "/rw/../../../..%s/outside/secret", work);
    no_read("dotdots-out-of-rw-host-path", p);
    no_read("dotdot-out-of-ro", "/ro/../outside/secret");
    no_read("dotdot-out-of-view-parent", "/view/../outside/secret");

    dfd = open("/rw", O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        int fd = openat(dfd, "../outside/secret", O_RDONLY);
        expect_fail("openat-dirfd-dotdot", fd);
        if (fd >= 0)
            close(fd);
        fd = openat(dfd, "../../../../../etc/passwd", O_RDONLY);
        expect_fail("openat-dirfd-dotdots-passwd", fd);
        if (fd >= 0)
            close(fd);
        snprintf(p, sizeof p, "../../../..%s/outside/secret", work);
        fd = openat(dfd, p, O_RDONLY);
        expect_fail("openat-dirfd-dotdots-host-path", fd);
        if (fd >= 0)
            close(fd);
        close(dfd);
    }
    /* cwd in the bind mount, then climb. */
    if (chdir("/rw") == 0) {
        for (int i = 0; i < 20; i++)
            (void)!chdir("..");
        char cwd[1200];
        if (getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0)
            refused("chdir-dotdot-above-root", "stopped at the sandbox's /");
        else
            escaped("chdir-dotdot-above-root", "cwd is %s", cwd);
        snprintf(p, sizeof p, ".%s/outside/secret", work);
        no_read("chdir-dotdot-then-host-path", p);
        (void)!chdir("/");
    }
    /* /view itself: its parent directory must not be reachable. */
    no_create("create-via-view-dotdot", "/view/../pwned-parent", NULL);
    no_create("create-in-view", "/view/pwned-view", "pwned-view");
}

static void proc_root_escapes(void)
{
    char p[1400], l[1200];
    ssize_t n;

    n = readlink("/proc/self/root", l, sizeof l - 1);
    if (n >= 0)
        l[n] = 0;
    if (n == 1 && l[0] == '/')
        refused("proc-self-root-link", "it says /");
    else
        escaped("proc-self-root-link", "readlink gave %s", n >= 0 ? l : strerror(errno));
    snprintf(p, sizeof p, "/proc/self/root%s/outside/secret", work);
    no_read("proc-self-root-host-path", p);
    no_read("proc-self-root-passwd", "/proc/self/root/etc/passwd");
    snprintf(p, sizeof p, "/proc/1/root%s/outside/secret", work);
    no_read("proc-1-root-host-path", p);
    no_read("proc-self-root-dotdot", "/proc/self/root/../../../etc/passwd");
    no_read("proc-self-cwd-dotdot", "/proc/self/cwd/../../../../etc/passwd");
    snprintf(p, sizeof p, "/proc/self/root/rw/../outside/secret");
    no_read("proc-self-root-rw-dotdot", p);
    /* The /proc/self/fd magic link of a directory fd in the bind mount. */
    int dfd = open("/rw", O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        snprintf(p, sizeof p, "/proc/self/fd/%d/../outside/secret", dfd);
        no_read("proc-fd-dir-dotdot", p);
        snprintf(p, sizeof p, "/proc/self/fd/%d/../../../..%s/outside/secret", dfd, work);
        no_read("proc-fd-dir-dotdots-host-path", p);
        close(dfd);
    }
}

/* Every /proc/N must be a process of the sandbox; the cwd and root of each
 * must lead into the sandbox. */
static void proc_scan(void)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int seen = 0, bad = 0;
    char p[300], l[1200];

    if (!d) {
        printf("setup: opendir /proc: %s\n", strerror(errno));
        exit(2);
    }
    while ((de = readdir(d)) != NULL) {
        long pid = strtol(de->d_name, NULL, 10);
        if (pid <= 0)
            continue;
        seen++;
        if (pid != getpid())
            bad++;
    }
    closedir(d);
    if (bad == 0)
        refused("proc-lists-only-own-processes", "%d pid(s), all the sandbox's", seen);
    else
        escaped("proc-lists-only-own-processes", "%d foreign pid(s) listed", bad);

    /* Pids 1..4096 by number, listed or not: only our own may exist. */
    int found = 0;
    for (int pid = 1; pid <= 4096; pid++) {
        struct stat st;
        snprintf(p, sizeof p, "/proc/%d", pid);
        if (pid == getpid() || stat(p, &st) < 0)
            continue;
        found++;
        snprintf(p, sizeof p, "/proc/%d/cwd", pid);
        ssize_t n = readlink(p, l, sizeof l - 1);
        printf("  /proc/%d exists, cwd -> %.*s\n", pid, (int)(n > 0 ? n : 0), l);
    }
    if (found == 0)
        refused("proc-pid-cwd-of-others", "no /proc/N but our own among 1..4096");
    else
        escaped("proc-pid-cwd-of-others", "%d other /proc/N", found);
}

struct handle {
    unsigned int handle_bytes;
    int handle_type;
    unsigned char f_handle[64];
};

static void handles(void)
{
    struct handle h = {.handle_bytes = 64};
    int mnt = -1;

    expect_fail("name_to_handle_at-ro",
                syscall(SYS_name_to_handle_at, AT_FDCWD, "/ro", &h, &mnt, 0));
    expect_fail("name_to_handle_at-rw",
                syscall(SYS_name_to_handle_at, AT_FDCWD, "/rw", &h, &mnt, 0));
    /* A forged handle of inode 2 (the root of most host file systems),
     * type FILEID_INO32_GEN, through a directory fd of the bind mount. */
    int dfd = open("/rw", O_RDONLY | O_DIRECTORY);
    memset(&h, 0, sizeof h);
    h.handle_bytes = 8;
    h.handle_type = 1;
    h.f_handle[0] = 2;
    expect_fail("open_by_handle_at-forged-root-inode",
                syscall(SYS_open_by_handle_at, dfd, &h, O_RDONLY));
    expect_fail("open_by_handle_at-forged-at-fdcwd",
                syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY | O_DIRECTORY));
    if (dfd >= 0)
        close(dfd);
}

static void mounts(void)
{
    char p[1200];

    expect_fail("mount-tmpfs-over-rw", syscall(SYS_mount, "none", "/rw", "tmpfs", 0, NULL));
    snprintf(p, sizeof p, "%s/outside", work);
    expect_fail("mount-bind-host-dir", syscall(SYS_mount, p, "/rw", NULL, MS_BIND, NULL));
    expect_fail("mount-remount-ro-rw",
                syscall(SYS_mount, "none", "/ro", NULL, MS_REMOUNT | MS_BIND, NULL));
    expect_fail("mount-block-device", syscall(SYS_mount, "/dev/sda1", "/rw", "ext4", 0, NULL));
    expect_fail("mount-host-proc", syscall(SYS_mount, "proc", "/rw", "proc", 0, NULL));
    expect_fail("umount2-ro", syscall(SYS_umount2, "/ro", 0));
    expect_fail("umount2-ro-detach", syscall(SYS_umount2, "/ro", MNT_DETACH));
    expect_fail("umount2-root", syscall(SYS_umount2, "/", MNT_DETACH));
    (void)!mkdir("/rw/old", 0755);
    expect_fail("pivot_root", syscall(SYS_pivot_root, "/rw", "/rw/old"));
    expect_fail("pivot_root-dot", syscall(SYS_pivot_root, ".", "."));
    /* The classic chroot escape: chroot below the cwd, climb, chroot(".") */
    (void)!mkdir("/rw/jail", 0755);
    long r = syscall(SYS_chroot, "/rw/jail");
    if (r == 0) {
        for (int i = 0; i < 20; i++)
            (void)!chdir("..");
        (void)!syscall(SYS_chroot, ".");
        snprintf(p, sizeof p, "%s/outside/secret", work);
        no_read("chroot-escape-then-host-path", p);
    } else {
        expect_fail("chroot", r);
    }
    expect_fail("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
    expect_fail("open_tree-host-dir", syscall(SYS_open_tree, AT_FDCWD, "/view", 1 /*CLONE*/));
    expect_fail("move_mount", syscall(SYS_move_mount, AT_FDCWD, "/ro", AT_FDCWD, "/rw", 0));
}

int main(int argc, char **argv)
{
    attack_begin("fs");
    if (argc < 2) {
        fprintf(stderr, "usage: fs_escape WORK\n");
        return 2;
    }
    snprintf(work, sizeof work, "%s", argv[1]);
    if (!view_has("secret")) {
        printf("setup: /view/secret is missing\n");
        return 2;
    }
    symlink_escapes();
    dotdot_escapes();
    proc_root_escapes();
    proc_scan();
    handles();
    mounts();
    return attack_end();
}
