/* getdents64: entry layout, d_type, d_ino, resumption with small buffers,
 * rewinding, and the error paths. */
#include "check.h"
#include <dirent.h>
#include <stddef.h>

struct dent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static long gd(int fd, void *buf, size_t len)
{
    return syscall(SYS_getdents64, fd, buf, len);
}

static const char *names[] = { ".", "..", "file", "dir", "link" };
static const unsigned char types[] = { DT_DIR, DT_DIR, DT_REG, DT_DIR, DT_LNK };
#define N 5

/* Read the whole directory with a buffer of bufsize; returns a bitmask of
 * which expected names were seen, failing on duplicates or strangers. */
static int scan(int fd, size_t bufsize)
{
    char buf[4096] __attribute__((aligned(8)));
    int seen = 0;
    long n;
    CHECK(bufsize <= sizeof buf);
    while ((n = gd(fd, buf, bufsize)) > 0) {
        for (long off = 0; off < n;) {
            struct dent64 *d = (struct dent64 *)(buf + off);
            size_t len = strlen(d->d_name);
            /* Records are 8-byte aligned and hold the NUL-terminated name. */
            CHECK_EQ(d->d_reclen % 8, 0);
            CHECK(d->d_reclen >= offsetof(struct dent64, d_name) + len + 1);
            CHECK(off + d->d_reclen <= n);
            CHECK(d->d_ino != 0);
            int i;
            for (i = 0; i < N; i++)
                if (strcmp(d->d_name, names[i]) == 0)
                    break;
            if (i == N)
                FAIL("unexpected entry \"%s\"", d->d_name);
            CHECK(!(seen & (1 << i)));
            seen |= 1 << i;
            /* The type may be DT_UNKNOWN, but must not be wrong. */
            CHECK(d->d_type == types[i] || d->d_type == DT_UNKNOWN);
            if (i != 1) {   /* ".." may be a mount point's parent */
                struct stat st;
                CHECK_OK(fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW));
                CHECK_EQ(d->d_ino, st.st_ino);
            }
            off += d->d_reclen;
        }
    }
    CHECK_EQ(n, 0);
    return seen;
}

int main(void)
{
    enter_tmpdir();
    write_file("file", "x");
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(symlink("file", "link"));
    int all = (1 << N) - 1;

    int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(scan(fd, 4096), all);
    /* At the end it keeps returning 0. */
    char buf[512] __attribute__((aligned(8)));
    CHECK_EQ(gd(fd, buf, sizeof buf), 0);
    /* lseek to 0 rewinds. */
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(scan(fd, 4096), all);
    /* A buffer that fits only about one entry still visits every entry
     * exactly once across many calls. */
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_EQ(scan(fd, 32), all);

    /* A buffer too small for even one entry: EINVAL. */
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_ERR(gd(fd, buf, 1), EINVAL);
    CHECK_ERR(gd(fd, buf, 0), EINVAL);
    /* Bad buffer, bad descriptor, not a directory. */
    CHECK_ERR(gd(fd, BAD_PTR, sizeof buf), EFAULT);
    CHECK_ERR(gd(-1, buf, sizeof buf), EBADF);
    CHECK_ERR(gd(12345, buf, sizeof buf), EBADF);
    int ffd = CHECK_OK(open("file", O_RDONLY));
    CHECK_ERR(gd(ffd, buf, sizeof buf), ENOTDIR);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(gd(p[0], buf, sizeof buf), ENOTDIR);

    /* An empty directory has exactly "." and "..". */
    int dfd = CHECK_OK(open("dir", O_RDONLY | O_DIRECTORY));
    long n = CHECK_OK(gd(dfd, buf, sizeof buf));
    int count = 0;
    for (long off = 0; off < n; count++)
        off += ((struct dent64 *)(buf + off))->d_reclen;
    CHECK_EQ(count, 2);
    return 0;
}
