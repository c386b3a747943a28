/* Shared file mappings are coherent with read()/write(), beyond-EOF
 * behaviour (zero tail, SIGBUS past the last page), access-mode checks. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
    enter_tmpdir();
    long page = sysconf(_SC_PAGESIZE);
    char buf[64];

    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
    char *init = calloc(1, 2 * page);
    CHECK(init != NULL);
    memcpy(init, "first page", 10);
    memcpy(init + page, "second page", 11);
    CHECK_EQ(write(fd, init, 2 * page), 2 * page);

    char *m = CHECK_OK(mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    CHECK_MEMEQ(m, "first page", 10);
    CHECK_MEMEQ(m + page, "second page", 11);

    /* write() is visible through the mapping... */
    CHECK_EQ(pwrite(fd, "WRITTEN", 7, 3), 7);
    CHECK_MEMEQ(m, "firWRITTEN", 10);
    /* ...and stores through the mapping are visible to read(). */
    memcpy(m + page + 100, "stored", 6);
    CHECK_EQ(pread(fd, buf, 6, page + 100), 6);
    CHECK_MEMEQ(buf, "stored", 6);

    /* A second shared mapping (here of the second page only, via the
     * offset) sees the same pages. */
    char *m2 = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page));
    CHECK_MEMEQ(m2, "second page", 11);
    m2[0] = 'S';
    CHECK_EQ(m[page], 'S');

    /* A child's stores through the inherited mapping reach the file. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        memcpy(m + 20, "child", 5);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(pread(fd, buf, 5, 20), 5);
    CHECK_MEMEQ(buf, "child", 5);

    /* The data stays after munmap and close. */
    CHECK_OK(munmap(m2, page));
    CHECK_OK(munmap(m, 2 * page));
    CHECK_OK(close(fd));
    CHECK_EQ(read_file("f", buf, 11), 10);
    CHECK_MEMEQ(buf, "firWRITTEN", 10);

    /* A mapping stays valid after its descriptor is closed. */
    fd = CHECK_OK(open("f", O_RDWR));
    m = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    CHECK_OK(close(fd));
    m[0] = 'X';
    CHECK_EQ(read_file("f", buf, 2), 1);
    CHECK_EQ(buf[0], 'X');
    CHECK_OK(munmap(m, page));

    /* Short file: the rest of the last page reads as zero and is not
     * written back; whole pages past EOF raise SIGBUS. */
    write_file("short", "0123456789");
    fd = CHECK_OK(open("short", O_RDWR));
    m = CHECK_OK(mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    CHECK_MEMEQ(m, "0123456789", 10);
    for (long i = 10; i < page; i++)
        CHECK_EQ(m[i], 0);
    m[100] = 'Z';
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 10);
    CHECK_EQ(probe_access(m + page, 0), SIGBUS);
    /* Extending the file makes that page valid (and zero). */
    CHECK_OK(ftruncate(fd, 2 * page));
    CHECK_EQ(probe_access(m + page, 0), 0);
    CHECK_EQ(m[page + 5], 0);

    /* Access-mode checks. */
    int ro = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    int wo = CHECK_OK(open("f", O_WRONLY));
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_SHARED, wo, 0), EACCES);
    char *ok = CHECK_OK(mmap(NULL, page, PROT_READ, MAP_SHARED, ro, 0));
    CHECK_EQ(ok[0], 'X');
    /* Unaligned offsets; unmappable files. */
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_SHARED, ro, 1), EINVAL);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_SHARED, p[0], 0), ENODEV);
    free(init);
    return 0;
}
