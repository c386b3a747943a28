/* O_NOFOLLOW applies to the last component only: ELOOP on a final
 * symlink, normal behaviour everywhere else. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;
    write_file("file", "data");
    CHECK_OK(mkdir("dir", 0755));
    write_file("dir/inner", "in");
    CHECK_OK(symlink("file", "lfile"));
    CHECK_OK(symlink("dir", "ldir"));
    CHECK_OK(symlink("missing", "dangling"));

    /* A final symlink: ELOOP, whatever it points to. */
    CHECK_ERR(open("lfile", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("ldir", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("dangling", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("lfile", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644), ELOOP);
    CHECK_ERR(access("missing", F_OK), ENOENT);   /* nothing created */

    /* Symlinks earlier in the path are still followed. */
    int fd = CHECK_OK(open("ldir/inner", O_RDONLY | O_NOFOLLOW));
    CHECK_OK(close(fd));
    /* Regular files and directories open normally. */
    fd = CHECK_OK(open("file", O_RDONLY | O_NOFOLLOW));
    CHECK_OK(close(fd));
    fd = CHECK_OK(open("dir", O_RDONLY | O_NOFOLLOW));
    CHECK_OK(close(fd));

    /* With O_PATH, O_NOFOLLOW yields a descriptor for the link itself. */
    fd = CHECK_OK(open("lfile", O_PATH | O_NOFOLLOW));
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(close(fd));

    /* openat with a dirfd behaves the same. */
    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(openat(dfd, "lfile", O_RDONLY | O_NOFOLLOW), ELOOP);
    fd = CHECK_OK(openat(dfd, "ldir/inner", O_RDONLY | O_NOFOLLOW));
    CHECK_OK(close(fd));
    /* Without O_NOFOLLOW the same names open fine. */
    fd = CHECK_OK(open("lfile", O_RDONLY));
    char buf[8];
    CHECK_EQ(read(fd, buf, sizeof buf), 4);
    return 0;
}
