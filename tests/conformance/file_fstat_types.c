/* fstat reports the file type of every kind of descriptor. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;

    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fstat(p[0], &st));
    CHECK(S_ISFIFO(st.st_mode));
    CHECK_OK(fstat(p[1], &st));
    CHECK(S_ISFIFO(st.st_mode));

    int nul = CHECK_OK(open("/dev/null", O_RDWR));
    CHECK_OK(fstat(nul, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_EQ(st.st_size, 0);

    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(fstat(dfd, &st));
    CHECK(S_ISDIR(st.st_mode));

    write_file("reg", "abc");
    int rfd = CHECK_OK(open("reg", O_RDONLY));
    CHECK_OK(fstat(rfd, &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, 3);

    /* An O_PATH|O_NOFOLLOW descriptor of a symlink refers to the link. */
    CHECK_OK(symlink("reg", "lnk"));
    int lfd = CHECK_OK(open("lnk", O_PATH | O_NOFOLLOW));
    CHECK_OK(fstat(lfd, &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(st.st_size, 3);
    /* ...and without O_NOFOLLOW to the target. */
    int tfd = CHECK_OK(open("lnk", O_PATH));
    CHECK_OK(fstat(tfd, &st));
    CHECK(S_ISREG(st.st_mode));
    /* O_PATH descriptors cannot be read. */
    char c;
    CHECK_ERR(read(tfd, &c, 1), EBADF);

    /* stdio-style descriptors from dup keep the type. */
    int d = CHECK_OK(dup(p[0]));
    CHECK_OK(fstat(d, &st));
    CHECK(S_ISFIFO(st.st_mode));
    return 0;
}
