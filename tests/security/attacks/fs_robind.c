/*
 * fs_robind: write to a read-only bind mount through every path.
 *
 * run.sh binds WORK/ro read-only at /ro (victim = "original\n", an empty
 * directory empty/, a directory sub/ holding file) and WORK/rw writable at
 * /rw, and compares a snapshot of WORK/ro (names, modes, owners, sizes,
 * times, contents, xattrs) taken before and after: nothing may change.
 * Each call here must fail.
 */
#include "attack.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <linux/fs.h>

static void try_open(const char *name, const char *path, int flags)
{
    int fd = open(path, flags, 0644);

    expect_fail(name, fd);
    if (fd >= 0)
        close(fd);
}

static void opens(void)
{
    try_open("open-wronly", "/ro/victim", O_WRONLY);
    try_open("open-rdwr", "/ro/victim", O_RDWR);
    try_open("open-wronly-trunc", "/ro/victim", O_WRONLY | O_TRUNC);
    try_open("open-rdonly-trunc", "/ro/victim", O_RDONLY | O_TRUNC);
    try_open("open-append", "/ro/victim", O_WRONLY | O_APPEND);
    try_open("open-creat-new", "/ro/newfile", O_WRONLY | O_CREAT);
    try_open("open-creat-excl", "/ro/newfile2", O_WRONLY | O_CREAT | O_EXCL);
    try_open("open-creat-existing-trunc", "/ro/victim", O_RDWR | O_CREAT | O_TRUNC);
    try_open("open-tmpfile", "/ro", O_TMPFILE | O_RDWR);
    try_open("open-creat-in-subdir", "/ro/sub/new", O_WRONLY | O_CREAT);
    try_open("open-trunc-via-dotdot", "/ro/sub/../victim", O_WRONLY | O_TRUNC);
    expect_fail("creat", creat("/ro/victim", 0644));
}

/* Through a read-only fd of the file. */
static void via_rdonly_fd(void)
{
    int fd = open("/ro/victim", O_RDONLY);
    int pfd, rw;
    char p[64];
    void *m;

    if (fd < 0) {
        printf("setup: open /ro/victim: %s\n", strerror(errno));
        exit(2);
    }
    expect_fail("write-rdonly-fd", write(fd, "x", 1));
    expect_fail("pwrite-rdonly-fd", pwrite(fd, "x", 1, 0));
    expect_fail("ftruncate-rdonly-fd", ftruncate(fd, 0));
    expect_fail("fallocate-rdonly-fd", fallocate(fd, 0, 0, 4096));
    expect_fail("fallocate-punch-hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4));
    expect_fail("fchmod", fchmod(fd, 0777));
    expect_fail("fchown", fchown(fd, 1234, 1234));
    expect_fail("futimens", futimens(fd, NULL));
    expect_fail("fsetxattr", fsetxattr(fd, "user.pwned", "1", 1, 0));
    expect_fail("ioctl-setflags", ioctl(fd, FS_IOC_SETFLAGS, &(int){0}));
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    expect_fail("mmap-shared-writable", m == MAP_FAILED ? -1 : 0);
    m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) {
        expect_fail("mprotect-shared-to-writable", mprotect(m, 4096, PROT_READ | PROT_WRITE));
        munmap(m, 4096);
    }
    /* A private writable mapping is allowed, but must stay private. */
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
        memcpy(m, "PWNED", 5);
        msync(m, 4096, MS_SYNC);
        munmap(m, 4096);
        refused("mmap-private-write", "private copy (run.sh checks the host file)");
    }
    /* Reopen it writable through the magic link. */
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    try_open("reopen-proc-fd-rdwr", p, O_RDWR);
    pfd = open("/ro/victim", O_PATH);
    if (pfd >= 0) {
        snprintf(p, sizeof p, "/proc/self/fd/%d", pfd);
        try_open("reopen-o_path-rdwr", p, O_RDWR);
        try_open("reopen-o_path-trunc", p, O_WRONLY | O_TRUNC);
        close(pfd);
    }
    /* Copies into it. */
    rw = open("/rw/src", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (rw >= 0) {
        (void)!write(rw, "PWNED\n", 6);
        expect_fail("copy_file_range-into", copy_file_range(rw, &(loff_t){0}, fd, &(loff_t){0}, 6, 0));
        expect_fail("sendfile-into", sendfile(fd, rw, &(off_t){0}, 6));
        int pp[2];
        if (pipe(pp) == 0) {
            (void)!write(pp[1], "PWNED\n", 6);
            expect_fail("splice-into", splice(pp[0], NULL, fd, &(loff_t){0}, 6, 0));
            close(pp[0]);
            close(pp[1]);
        }
        close(rw);
    }
    close(fd);
}

static void names(void)
{
    struct timeval tv[2] = {{1, 0}, {1, 0}};
    struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};

    expect_fail("rename-within", rename("/ro/victim", "/ro/renamed"));
    expect_fail("rename-onto-from-rw", rename("/rw/src", "/ro/victim"));
    expect_fail("rename-away-to-rw", rename("/ro/victim", "/rw/stolen"));
    expect_fail("rename-dir", rename("/ro/sub", "/ro/sub2"));
    expect_fail("renameat2-exchange",
                syscall(SYS_renameat2, AT_FDCWD, "/ro/victim", AT_FDCWD, "/ro/sub/file", 2));
    expect_fail("renameat2-exchange-with-rw",
                syscall(SYS_renameat2, AT_FDCWD, "/rw/src", AT_FDCWD, "/ro/victim", 2));
    expect_fail("renameat2-whiteout",
                syscall(SYS_renameat2, AT_FDCWD, "/ro/victim", AT_FDCWD, "/ro/w", 4));
    expect_fail("link-within", link("/ro/victim", "/ro/hardlink"));
    expect_fail("link-into-rw", link("/ro/victim", "/rw/hardlink"));
    expect_fail("link-from-rw", link("/rw/src", "/ro/linked"));
    expect_fail("symlink", symlink("/etc/passwd", "/ro/symlink"));
    expect_fail("mkdir", mkdir("/ro/newdir", 0755));
    expect_fail("rmdir-empty", rmdir("/ro/empty"));
    expect_fail("unlink", unlink("/ro/victim"));
    expect_fail("unlinkat-dir", unlinkat(AT_FDCWD, "/ro/empty", AT_REMOVEDIR));
    expect_fail("unlink-in-subdir", unlink("/ro/sub/file"));
    expect_fail("truncate", truncate("/ro/victim", 0));
    expect_fail("truncate-grow", truncate("/ro/victim", 1 << 20));
    expect_fail("utimes", utimes("/ro/victim", tv));
    expect_fail("utimensat-now", utimensat(AT_FDCWD, "/ro/victim", NULL, 0));
    expect_fail("utimensat-utime-now", utimensat(AT_FDCWD, "/ro/victim", ts, 0));
    expect_fail("utime-dir", utimes("/ro/sub", tv));
    expect_fail("chmod", chmod("/ro/victim", 04777));
    expect_fail("chmod-dir", chmod("/ro/sub", 0777));
    expect_fail("fchmodat", fchmodat(AT_FDCWD, "/ro/victim", 0600, 0));
    expect_fail("chown", chown("/ro/victim", 1234, 1234));
    expect_fail("lchown", lchown("/ro/victim", 1234, 1234));
    expect_fail("setxattr", setxattr("/ro/victim", "user.pwned", "1", 1, 0));
    expect_fail("setxattr-trusted", setxattr("/ro/victim", "trusted.pwned", "1", 1, 0));
    expect_fail("setxattr-security", setxattr("/ro/victim", "security.capability", "\1\0\0\2", 4, 0));
    expect_fail("lsetxattr", lsetxattr("/ro/victim", "user.pwned", "1", 1, 0));
    expect_fail("removexattr", removexattr("/ro/victim", "user.keep"));
    expect_fail("mknod-fifo", mknod("/ro/fifo", S_IFIFO | 0644, 0));
    expect_fail("mknod-reg", mknod("/ro/regnode", S_IFREG | 0644, 0));
    expect_fail("mknod-chr", mknod("/ro/mem", S_IFCHR | 0644, makedev(1, 1)));

    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "/ro/sock"};
    expect_fail("bind-unix-socket", bind(s, (struct sockaddr *)&sa, sizeof sa));
    close(s);
}

int main(void)
{
    char buf[64];

    attack_begin("fs");
    if (read_small("/ro/victim", buf, sizeof buf) != 9 || strcmp(buf, "original\n") != 0) {
        printf("setup: /ro/victim is not 'original'\n");
        return 2;
    }
    opens();
    via_rdonly_fd();
    names();
    if (read_small("/ro/victim", buf, sizeof buf) == 9 && strcmp(buf, "original\n") == 0)
        refused("victim-unchanged-in-sandbox", "still 'original'");
    else
        escaped("victim-unchanged-in-sandbox", "now '%s'", buf);
    return attack_end();
}
