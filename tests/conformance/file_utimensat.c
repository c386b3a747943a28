/* utimensat / futimens: explicit times, UTIME_NOW, UTIME_OMIT, NULL,
 * AT_SYMLINK_NOFOLLOW, writes updating mtime, errors. */
#include "check.h"

static struct stat st_of(const char *p, int nofollow)
{
    struct stat st;
    if (nofollow)
        CHECK_OK(lstat(p, &st));
    else
        CHECK_OK(stat(p, &st));
    return st;
}

/* The file's timestamp must be "now": within a second of the clock. */
#define CHECK_RECENT(ts, t0, t1)                                            \
    CHECK((ts).tv_sec >= (t0) - 1 && (ts).tv_sec <= (t1) + 1)

int main(void)
{
    enter_tmpdir();
    write_file("f", "x");
    struct stat st;

    /* Explicit times, to the nanosecond. */
    struct timespec t[2] = { { 1000000000, 123456789 }, { 1234567890, 500000000 } };
    CHECK_EQ(utimensat(AT_FDCWD, "f", t, 0), 0);
    st = st_of("f", 0);
    CHECK_EQ(st.st_atim.tv_sec, 1000000000);
    CHECK_EQ(st.st_atim.tv_nsec, 123456789);
    CHECK_EQ(st.st_mtim.tv_sec, 1234567890);
    CHECK_EQ(st.st_mtim.tv_nsec, 500000000);

    /* UTIME_OMIT leaves a time alone, UTIME_NOW sets the current time. */
    time_t t0 = time(NULL);
    struct timespec t2[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    CHECK_EQ(utimensat(AT_FDCWD, "f", t2, 0), 0);
    time_t t1 = time(NULL);
    st = st_of("f", 0);
    CHECK_EQ(st.st_atim.tv_sec, 1000000000);
    CHECK_EQ(st.st_atim.tv_nsec, 123456789);
    CHECK_RECENT(st.st_mtim, t0, t1);
    /* ...tv_sec is ignored with the special values. */
    struct timespec t3[2] = { { 5, UTIME_NOW }, { 77, UTIME_OMIT } };
    CHECK_EQ(utimensat(AT_FDCWD, "f", t3, 0), 0);
    st = st_of("f", 0);
    CHECK_RECENT(st.st_atim, t0, time(NULL));
    /* Both omitted: success, nothing changes. */
    CHECK_OK(utimensat(AT_FDCWD, "f", t, 0));
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    CHECK_EQ(utimensat(AT_FDCWD, "f", omit, 0), 0);
    st = st_of("f", 0);
    CHECK_EQ(st.st_mtim.tv_sec, 1234567890);
    /* NULL times: both set to now; the ctime moves too. */
    t0 = time(NULL);
    CHECK_EQ(utimensat(AT_FDCWD, "f", NULL, 0), 0);
    st = st_of("f", 0);
    CHECK_RECENT(st.st_atim, t0, time(NULL));
    CHECK_RECENT(st.st_mtim, t0, time(NULL));
    CHECK_RECENT(st.st_ctim, t0, time(NULL));

    /* Symlinks: followed by default, AT_SYMLINK_NOFOLLOW sets the link's. */
    CHECK_OK(symlink("f", "l"));
    CHECK_OK(utimensat(AT_FDCWD, "f", t, 0));
    struct timespec lt[2] = { { 300, 0 }, { 400, 0 } };
    CHECK_EQ(utimensat(AT_FDCWD, "l", lt, AT_SYMLINK_NOFOLLOW), 0);
    CHECK_EQ(st_of("l", 1).st_mtim.tv_sec, 400);
    CHECK_EQ(st_of("f", 0).st_mtim.tv_sec, 1234567890);
    CHECK_EQ(utimensat(AT_FDCWD, "l", lt, 0), 0);
    CHECK_EQ(st_of("f", 0).st_mtim.tv_sec, 400);

    /* futimens on a descriptor; a write then updates the mtime. */
    int fd = CHECK_OK(open("f", O_WRONLY));
    CHECK_EQ(futimens(fd, t), 0);
    CHECK_EQ(st_of("f", 0).st_mtim.tv_sec, 1234567890);
    t0 = time(NULL);
    CHECK_EQ(write(fd, "y", 1), 1);
    CHECK_RECENT(st_of("f", 0).st_mtim, t0, time(NULL));
    /* Relative to a dirfd. */
    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_EQ(utimensat(dfd, "f", lt, 0), 0);
    CHECK_EQ(st_of("f", 0).st_atim.tv_sec, 300);

    /* Errors. */
    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    CHECK_ERR(utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
    bad[0].tv_nsec = -1;
    CHECK_ERR(utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, "f", t, 0x40000000), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, "missing", t, 0), ENOENT);
    CHECK_ERR(utimensat(AT_FDCWD, "f/x", t, 0), ENOTDIR);
    CHECK_ERR(utimensat(AT_FDCWD, "f", BAD_PTR, 0), EFAULT);
    CHECK_ERR(utimensat(12345, "f", t, 0), EBADF);
    CHECK_ERR(futimens(12345, t), EBADF);
    CHECK_EQ(st_of("f", 0).st_atim.tv_sec, 300);
    return 0;
}
