/* statfs / fstatfs: sane values, agreement between path and fd, errors. */
#include "check.h"
#include <sys/vfs.h>
#include <linux/magic.h>

int main(void)
{
    enter_tmpdir();
    struct statfs a, b;

    write_file("f", "x");
    CHECK_EQ(statfs("f", &a), 0);
    CHECK(a.f_bsize > 0);
    CHECK(a.f_blocks >= a.f_bfree);
    CHECK(a.f_bfree >= a.f_bavail);
    CHECK(a.f_namelen > 0 && a.f_namelen <= 255 * 4);

    /* fstatfs on a descriptor of the same file agrees. */
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(fstatfs(fd, &b), 0);
    CHECK_EQ(b.f_type, a.f_type);
    CHECK_EQ(b.f_bsize, a.f_bsize);
    CHECK_EQ(b.f_blocks, a.f_blocks);
    /* ...and with the directory containing it (same filesystem). */
    CHECK_EQ(statfs(".", &b), 0);
    CHECK_EQ(b.f_type, a.f_type);

    /* /proc is procfs. */
    CHECK_EQ(statfs("/proc/self", &b), 0);
    CHECK_EQ(b.f_type, PROC_SUPER_MAGIC);
    int pfd = CHECK_OK(open("/proc", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(fstatfs(pfd, &b), 0);
    CHECK_EQ(b.f_type, PROC_SUPER_MAGIC);
    /* A pipe lives on pipefs. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(fstatfs(p[0], &b), 0);
    CHECK_EQ(b.f_type, PIPEFS_MAGIC);

    /* Errors. */
    CHECK_ERR(statfs("missing", &b), ENOENT);
    CHECK_ERR(statfs("", &b), ENOENT);
    CHECK_ERR(statfs("f/x", &b), ENOTDIR);
    CHECK_ERR(statfs(BAD_PTR, &b), EFAULT);
    CHECK_ERR(statfs("f", BAD_PTR), EFAULT);
    CHECK_ERR(fstatfs(-1, &b), EBADF);
    CHECK_ERR(fstatfs(12345, &b), EBADF);
    CHECK_ERR(fstatfs(fd, BAD_PTR), EFAULT);
    return 0;
}
