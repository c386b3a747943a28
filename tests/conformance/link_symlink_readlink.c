/* symlink / readlink: verbatim targets, no NUL, truncation, errors. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    char buf[64];

    /* The target is stored verbatim and need not exist. */
    CHECK_EQ(symlink("some/where//odd/../path/", "l1"), 0);
    memset(buf, 'X', sizeof buf);
    CHECK_EQ(readlink("l1", buf, sizeof buf), 24);
    CHECK_MEMEQ(buf, "some/where//odd/../path/", 24);
    /* readlink does not append a NUL. */
    CHECK_EQ(buf[24], 'X');

    /* A too-small buffer truncates silently and returns bufsiz. */
    memset(buf, 'X', sizeof buf);
    CHECK_EQ(readlink("l1", buf, 4), 4);
    CHECK_MEMEQ(buf, "someX", 5);
    CHECK_EQ(readlink("l1", buf, 1), 1);

    /* Relative targets are resolved from the link's directory. */
    CHECK_OK(mkdir("d", 0755));
    write_file("d/t", "target-data");
    CHECK_OK(symlink("t", "d/rel"));
    CHECK_EQ(read_file("d/rel", buf, sizeof buf), 11);
    CHECK_EQ(readlink("d/rel", buf, sizeof buf), 1);
    /* Absolute targets. */
    CHECK_OK(symlink(tpath("d/t"), "abs"));
    CHECK_EQ(read_file("abs", buf, sizeof buf), 11);
    CHECK_EQ(readlink("abs", buf, sizeof buf), (long)strlen(tpath("d/t")));
    /* A symlink to a symlink. */
    CHECK_OK(symlink("abs", "chain"));
    CHECK_EQ(read_file("chain", buf, sizeof buf), 11);
    CHECK_EQ(readlink("chain", buf, sizeof buf), 3);
    CHECK_MEMEQ(buf, "abs", 3);

    /* symlink errors. */
    CHECK_ERR(symlink("x", "l1"), EEXIST);           /* existing link */
    CHECK_ERR(symlink("x", "d"), EEXIST);            /* existing dir */
    CHECK_ERR(symlink("x", "d/t"), EEXIST);          /* existing file */
    CHECK_ERR(symlink("", "empty"), ENOENT);         /* empty target */
    CHECK_ERR(symlink("x", ""), ENOENT);
    CHECK_ERR(symlink("x", "missing/l"), ENOENT);
    CHECK_ERR(symlink("x", "d/t/l"), ENOTDIR);
    CHECK_ERR(symlink(BAD_PTR, "l2"), EFAULT);
    CHECK_ERR(symlink("x", BAD_PTR), EFAULT);

    /* readlink errors. */
    CHECK_ERR(readlink("d/t", buf, sizeof buf), EINVAL);    /* not a link */
    CHECK_ERR(readlink("d", buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink("missing", buf, sizeof buf), ENOENT);
    CHECK_ERR(readlink("", buf, sizeof buf), ENOENT);
    CHECK_ERR(readlink("d/t/x", buf, sizeof buf), ENOTDIR);
    CHECK_ERR(readlink("l1", BAD_PTR, sizeof buf), EFAULT);
    CHECK_ERR(syscall(SYS_readlink, "l1", buf, 0), EINVAL);  /* bufsiz 0 */
    CHECK_ERR(syscall(SYS_readlink, "l1", buf, -1), EINVAL);
    /* Only the final component is not followed. */
    CHECK_OK(symlink("d", "dlink"));
    CHECK_EQ(readlink("dlink/rel", buf, sizeof buf), 1);
    return 0;
}
