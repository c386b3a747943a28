/* mkdir / rmdir: link counts, modes and every common error. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    umask(022);
    struct stat st, parent0, parent1;

    CHECK_OK(stat(".", &parent0));
    CHECK_EQ(mkdir("d", 0777), 0);
    CHECK_OK(stat("d", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0755);
    /* A new directory has 2 links ("d" and "d/."), and its ".." adds one
     * to the parent (classic Unix counting, kept by tmpfs and ext4; /tmp is
     * one of those both natively and in the sandbox). */
    CHECK_EQ(st.st_nlink, 2);
    CHECK_OK(stat(".", &parent1));
    CHECK_EQ(parent1.st_nlink, parent0.st_nlink + 1);
    CHECK_OK(mkdir("d/sub", 0700));
    CHECK_OK(stat("d", &st));
    CHECK_EQ(st.st_nlink, 3);
    /* A trailing slash is fine for mkdir. */
    CHECK_EQ(mkdir("e/", 0755), 0);

    /* mkdir errors. */
    write_file("file", "x");
    CHECK_OK(symlink("nowhere", "dangling"));
    CHECK_ERR(mkdir("d", 0755), EEXIST);
    CHECK_ERR(mkdir("file", 0755), EEXIST);
    CHECK_ERR(mkdir("dangling", 0755), EEXIST);   /* not followed */
    CHECK_ERR(mkdir(".", 0755), EEXIST);
    CHECK_ERR(mkdir("missing/x", 0755), ENOENT);
    CHECK_ERR(mkdir("", 0755), ENOENT);
    CHECK_ERR(mkdir("file/x", 0755), ENOTDIR);
    CHECK_ERR(mkdir(BAD_PTR, 0755), EFAULT);

    /* rmdir errors. */
    CHECK_ERR(rmdir("d"), ENOTEMPTY);             /* contains sub */
    CHECK_ERR(rmdir("file"), ENOTDIR);
    CHECK_ERR(rmdir("missing"), ENOENT);
    CHECK_ERR(rmdir("."), EINVAL);
    CHECK_ERR(rmdir("d/sub/."), EINVAL);
    CHECK_ERR(rmdir("d/sub/.."), ENOTEMPTY);
    CHECK_OK(symlink("e", "link-to-dir"));
    CHECK_ERR(rmdir("link-to-dir"), ENOTDIR);     /* not followed */
    CHECK_ERR(rmdir("file/x"), ENOTDIR);
    CHECK_ERR(rmdir(BAD_PTR), EFAULT);

    /* rmdir removes an empty directory and decrements the parent count. */
    CHECK_EQ(rmdir("d/sub"), 0);
    CHECK_OK(stat("d", &st));
    CHECK_EQ(st.st_nlink, 2);
    CHECK_ERR(stat("d/sub", &st), ENOENT);
    CHECK_EQ(rmdir("e/"), 0);

    /* A removed directory that is still open is dead: no new entries, and
     * reading it yields nothing. */
    int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(rmdir("d"), 0);
    CHECK_ERR(openat(dfd, "x", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK_ERR(mkdirat(dfd, "x", 0755), ENOENT);
    CHECK_OK(fstat(dfd, &st));
    CHECK_EQ(st.st_nlink, 0);
    CHECK_OK(stat(".", &parent1));
    CHECK_EQ(parent1.st_nlink, parent0.st_nlink);
    return 0;
}
