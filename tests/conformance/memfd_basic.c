/* memfd_create(2): an anonymous regular file with the name
 * "/memfd:NAME (deleted)", read/write like a file, MAP_SHARED mappings
 * coherent with read/write and shared with forked children, reopenable
 * through /proc/self/fd; flag and name checks. */
#include "check.h"

#include <sys/mman.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#ifndef MFD_NOEXEC_SEAL          /* Linux 6.3; not in every libc yet */
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC        0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC     0x0020
#endif

int main(void)
{
    int fd = CHECK_OK(memfd_create("test-name", 0));
    char link[64], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = CHECK_OK(readlink(path, link, sizeof link - 1));
    link[n] = 0;
    CHECK_STREQ(link, "/memfd:test-name (deleted)");
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);

    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0777);
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(st.st_nlink, 0);
    struct statfs sfs;
    CHECK_OK(fstatfs(fd, &sfs));
    CHECK_EQ(sfs.f_type, TMPFS_MAGIC);

    /* A file: write, seek, read, truncate. */
    CHECK_EQ(write(fd, "hello", 5), 5);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
    char buf[16];
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 5);
    CHECK_MEMEQ(buf, "hello", 5);
    CHECK_OK(ftruncate(fd, 8192));

    /* A shared mapping and the file agree, both ways. */
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    CHECK_MEMEQ(m, "hello", 5);
    memcpy(m + 4096, "mapped", 6);
    CHECK_EQ(pread(fd, buf, 6, 4096), 6);
    CHECK_MEMEQ(buf, "mapped", 6);
    CHECK_EQ(pwrite(fd, "HELLO", 5, 0), 5);
    CHECK_MEMEQ(m, "HELLO", 5);

    /* ...and with a forked child writing through its inherited mapping. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        memcpy(m + 100, "child", 5);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(pread(fd, buf, 5, 100), 5);
    CHECK_MEMEQ(buf, "child", 5);

    /* /proc/self/maps names it as Linux does. */
    char maps[65536];
    read_file("/proc/self/maps", maps, sizeof maps);
    CHECK(strstr(maps, "/memfd:test-name (deleted)") != NULL);

    /* Reopening through /proc/self/fd gives the same file, new offset. */
    int again = CHECK_OK(open(path, O_RDONLY));
    CHECK_EQ(lseek(again, 0, SEEK_CUR), 0);
    CHECK_EQ(read(again, buf, 5), 5);
    CHECK_MEMEQ(buf, "HELLO", 5);
    struct stat st2;
    CHECK_OK(fstat(again, &st2));
    CHECK_EQ(st2.st_ino, st.st_ino);
    CHECK_EQ(st2.st_dev, st.st_dev);
    CHECK_OK(close(again));
    CHECK_OK(munmap(m, 8192));

    /* Two memfds of one name are two files. */
    int other = CHECK_OK(memfd_create("test-name", MFD_CLOEXEC));
    CHECK_EQ(fcntl(other, F_GETFD), FD_CLOEXEC);
    CHECK_OK(fstat(other, &st2));
    CHECK_NE(st2.st_ino, st.st_ino);
    CHECK_EQ(st2.st_size, 0);

    /* Names: empty is fine, 249 bytes is the limit. */
    CHECK_OK(memfd_create("", 0));
    char name[300];
    memset(name, 'n', sizeof name);
    name[249] = 0;
    CHECK_OK(memfd_create(name, 0));
    name[249] = 'n';
    name[250] = 0;
    CHECK_ERR(memfd_create(name, 0), EINVAL);
    CHECK_ERR(memfd_create(BAD_PTR, 0), EFAULT);
    CHECK_ERR(memfd_create("x", 0x100), EINVAL);
    CHECK_ERR(memfd_create("x", MFD_EXEC | MFD_NOEXEC_SEAL), EINVAL);

    /* MFD_NOEXEC_SEAL: no exec bits, sealed against getting them. */
    int ne = CHECK_OK(memfd_create("noexec", MFD_NOEXEC_SEAL));
    CHECK_OK(fstat(ne, &st2));
    CHECK_EQ(st2.st_mode & 0111, 0);
    CHECK(fcntl(ne, F_GET_SEALS) & F_SEAL_EXEC);
    CHECK_ERR(fchmod(ne, 0755), EPERM);
    CHECK_OK(fchmod(ne, 0600));
    return 0;
}
