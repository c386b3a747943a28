/* /proc/self/fd: listing, link targets (files, pipes, deleted files),
 * stat through the links, reopening. */
#include "check.h"
#include <dirent.h>

/* Is descriptor number `fd` listed in /proc/self/fd?  The directory is
 * read through a high descriptor so it cannot reuse a just-closed number. */
static int listed(int fd)
{
    int dfd = CHECK_OK(open("/proc/self/fd", O_RDONLY | O_DIRECTORY));
    int high = CHECK_OK(fcntl(dfd, F_DUPFD, 500));
    CHECK_OK(close(dfd));
    DIR *d = fdopendir(high);
    CHECK(d != NULL);
    struct dirent *e;
    int found = 0;
    char want[16];
    snprintf(want, sizeof want, "%d", fd);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, want) == 0)
            found = 1;
    closedir(d);
    return found;
}

static const char *link_of(int fd)
{
    static char buf[PATH_MAX];
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n < 0)
        FAIL("readlink(%s)", path);
    buf[n] = '\0';
    return buf;
}

int main(void)
{
    const char *tmp = make_tmpdir();
    char real[PATH_MAX], want[PATH_MAX + 32];
    CHECK(realpath(tmp, real) != NULL);

    write_file(tpath("file"), "0123456789");
    int fd = CHECK_OK(open(tpath("file"), O_RDWR));
    int p[2];
    CHECK_OK(pipe(p));
    int nul = CHECK_OK(open("/dev/null", O_RDONLY));

    CHECK(listed(fd));
    CHECK(listed(p[0]));
    CHECK(listed(p[1]));
    /* Link targets: absolute paths, "pipe:[inode]". */
    snprintf(want, sizeof want, "%s/file", real);
    CHECK_STREQ(link_of(fd), want);
    CHECK_STREQ(link_of(nul), "/dev/null");
    struct stat ps;
    CHECK_OK(fstat(p[0], &ps));
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)ps.st_ino);
    CHECK_STREQ(link_of(p[0]), want);
    CHECK_STREQ(link_of(p[1]), want);
    /* The entries are symlinks; stat follows them to the file. */
    struct stat a, b;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    CHECK_OK(lstat(path, &a));
    CHECK(S_ISLNK(a.st_mode));
    CHECK_OK(stat(path, &a));
    CHECK_OK(fstat(fd, &b));
    CHECK_EQ(a.st_ino, b.st_ino);

    /* Opening the entry opens the file anew (own offset). */
    CHECK_OK(lseek(fd, 4, SEEK_SET));
    int re = CHECK_OK(open(path, O_RDONLY));
    char buf[16];
    CHECK_EQ(read(re, buf, 2), 2);
    CHECK_MEMEQ(buf, "01", 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);

    /* Closed descriptors disappear. */
    CHECK_OK(close(p[1]));
    CHECK(!listed(p[1]));
    CHECK(listed(p[0]));
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    CHECK_ERR(readlink(path, buf, sizeof buf), ENOENT);

    /* An unlinked file's link says " (deleted)". */
    CHECK_OK(unlink(tpath("file")));
    snprintf(want, sizeof want, "%s/file (deleted)", real);
    CHECK_STREQ(link_of(fd), want);
    return 0;
}
