/* unlink: names vs. open files, link counts, symlinks, error paths. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;
    char buf[16];

    write_file("f", "payload");
    CHECK_OK(link("f", "g"));
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_nlink, 2);

    /* Removing one name drops the count; the other name still works. */
    CHECK_EQ(unlink("f"), 0);
    CHECK_ERR(stat("f", &st), ENOENT);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_nlink, 1);
    CHECK_EQ(read_file("g", buf, sizeof buf), 7);

    /* Removing the last name: the open file lives on with nlink 0. */
    CHECK_EQ(unlink("g"), 0);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_nlink, 0);
    CHECK_EQ(read(fd, buf, sizeof buf), 7);
    CHECK_MEMEQ(buf, "payload", 7);
    /* The name can be reused for a brand-new file. */
    write_file("f", "new");
    CHECK_EQ(pread(fd, buf, 3, 0), 3);
    CHECK_MEMEQ(buf, "pay", 3);
    CHECK_OK(close(fd));

    /* unlink on a symlink removes the link, not the target. */
    CHECK_OK(symlink("f", "sl"));
    CHECK_EQ(unlink("sl"), 0);
    CHECK_ERR(lstat("sl", &st), ENOENT);
    CHECK_OK(stat("f", &st));
    /* A dangling symlink can be unlinked too. */
    CHECK_OK(symlink("nowhere", "dangling"));
    CHECK_EQ(unlink("dangling"), 0);

    /* Errors.  Linux returns EISDIR (not POSIX's EPERM) for directories. */
    CHECK_OK(mkdir("d", 0755));
    CHECK_ERR(unlink("d"), EISDIR);
    CHECK_ERR(unlink("missing"), ENOENT);
    CHECK_ERR(unlink(""), ENOENT);
    CHECK_ERR(unlink("missing/x"), ENOENT);
    CHECK_ERR(unlink("f/x"), ENOTDIR);
    CHECK_ERR(unlink("f/"), ENOTDIR);
    CHECK_ERR(unlink(BAD_PTR), EFAULT);
    CHECK_OK(stat("d", &st));
    /* The raw syscall. */
    CHECK_EQ(syscall(SYS_unlink, "f"), 0);
    CHECK_ERR(syscall(SYS_unlink, "f"), ENOENT);
    return 0;
}
