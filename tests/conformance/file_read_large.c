/* Large reads of regular files (systrap copies those of a file read again
 * while open from a file window inside the address space, the first pass
 * through the sentry): the data is right on every pass, across a 64 MiB
 * boundary of the file, after writes, truncation and fork, from several
 * threads at once; a buffer that is only partly writable gives a short read
 * up to its first unwritable byte, one not writable at all EFAULT, and the
 * offset moves by what was delivered. */
#include "check.h"
#include <pthread.h>
#include <sys/mman.h>

#define KiB 1024L
#define MiB (1024L * KiB)
#define CHUNK (128 * KiB)

static unsigned char byte_at(long off, unsigned seed)
{
    return (unsigned char)((off * 2654435761UL >> 13) + seed);
}

static void fill(unsigned char *b, long off, long n, unsigned seed)
{
    for (long i = 0; i < n; i++)
        b[i] = byte_at(off + i, seed);
}

static void check_data(const unsigned char *b, long off, long n, unsigned seed)
{
    for (long i = 0; i < n; i++)
        if (b[i] != byte_at(off + i, seed))
            FAIL("byte %ld: %u, want %u", off + i, b[i], byte_at(off + i, seed));
}

static int make_file(const char *name, long size, unsigned seed)
{
    int fd = CHECK_OK(open(name, O_RDWR | O_CREAT | O_TRUNC, 0600));
    unsigned char *b = malloc(MiB);
    CHECK(b != NULL);
    for (long off = 0; off < size; off += MiB) {
        long n = size - off < MiB ? size - off : MiB;
        fill(b, off, n, seed);
        CHECK_EQ(pwrite(fd, b, (size_t)n, off), n);
    }
    free(b);
    return fd;
}

/* Reads the whole file from offset 0 in reads of step bytes, checking it. */
static void read_all(int fd, long size, long step, unsigned seed)
{
    unsigned char *b = malloc((size_t)step);
    CHECK(b != NULL);
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    long off = 0;
    for (;;) {
        ssize_t r = CHECK_OK(read(fd, b, (size_t)step));
        if (r == 0)
            break;
        CHECK_EQ(r, size - off < step ? size - off : step);
        check_data(b, off, r, seed);
        off += r;
    }
    CHECK_EQ(off, size);
    free(b);
}

/* A buffer whose second half is unwritable (PROT_NONE, PROT_READ or not
 * mapped at all). */
static void partial_buffers(int fd, long size)
{
    unsigned char *m = mmap(NULL, 4 * CHUNK, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    const int prots[] = { PROT_NONE, PROT_READ };
    for (int i = 0; i < 2; i++) {
        CHECK_OK(mprotect(m + 2 * CHUNK, 2 * CHUNK, prots[i]));
        CHECK_EQ(pread(fd, m, 4 * CHUNK, 0), 2 * CHUNK);
        check_data(m, 0, 2 * CHUNK, 0);
        /* Not at a page boundary: up to the first unwritable byte. */
        CHECK_EQ(pread(fd, m + CHUNK + 100, 2 * CHUNK, 4096), CHUNK - 100);
        check_data(m + CHUNK + 100, 4096, CHUNK - 100, 0);
        /* Small reads too. */
        CHECK_EQ(pread(fd, m + 2 * CHUNK - 10, 4096, 0), 10);
        check_data(m + 2 * CHUNK - 10, 0, 10, 0);
        /* The file's offset moves by what was delivered. */
        CHECK_OK(lseek(fd, 5, SEEK_SET));
        CHECK_EQ(read(fd, m + CHUNK, 2 * CHUNK), CHUNK);
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5 + CHUNK);
        CHECK_EQ(read(fd, m + 2 * CHUNK - 1, CHUNK), 1);
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6 + CHUNK);
        /* Nothing writable: EFAULT, the offset stays. */
        CHECK_ERR(read(fd, m + 2 * CHUNK, CHUNK), EFAULT);
        CHECK_ERR(read(fd, m + 2 * CHUNK, 100), EFAULT);
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6 + CHUNK);
        /* Only what the file has is written: the rest may be anything. */
        CHECK_EQ(pread(fd, m, 4 * CHUNK, size - 4096), 4096);
    }
    CHECK_OK(munmap(m + 2 * CHUNK, 2 * CHUNK));
    CHECK_EQ(pread(fd, m, 4 * CHUNK, 0), 2 * CHUNK);
    CHECK_ERR(pread(fd, m + 2 * CHUNK, CHUNK, 0), EFAULT);
    CHECK_OK(munmap(m, 2 * CHUNK));
}

/* Data around the 64 MiB mark of a sparse file, in one read. */
static void across_64m(void)
{
    int fd = CHECK_OK(open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0600));
    long mark = 64 * MiB, n = 2 * CHUNK;
    CHECK_OK(ftruncate(fd, mark + CHUNK));
    unsigned char *b = malloc((size_t)n), *r = malloc((size_t)n);
    CHECK(b != NULL && r != NULL);
    fill(b, mark - CHUNK, n, 7);
    CHECK_EQ(pwrite(fd, b, (size_t)n, mark - CHUNK), n);
    /* Mapping a file moves it into a memfd on some runtimes: read both. */
    for (int pass = 0; pass < 2; pass++) {
        memset(r, 0, (size_t)n);
        CHECK_EQ(pread(fd, r, (size_t)n, mark - CHUNK), n);
        check_data(r, mark - CHUNK, n, 7);
        void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(m != MAP_FAILED);
        CHECK_OK(munmap(m, 4096));
    }
    free(b);
    free(r);
    CHECK_OK(close(fd));
    CHECK_OK(unlink("sparse"));
}

/* New data and a new size are seen by the next large read. */
static void writes_and_truncate(int fd, long size)
{
    unsigned char *b = malloc(CHUNK);
    CHECK(b != NULL);
    fill(b, 0, CHUNK, 3);
    CHECK_EQ(pwrite(fd, b, CHUNK, CHUNK), CHUNK);
    memset(b, 0, CHUNK);
    CHECK_EQ(pread(fd, b, CHUNK, CHUNK), CHUNK);
    check_data(b, 0, CHUNK, 3);
    CHECK_OK(ftruncate(fd, CHUNK + 100));
    CHECK_EQ(pread(fd, b, CHUNK, CHUNK), 100);
    CHECK_EQ(pread(fd, b, CHUNK, CHUNK + 100), 0);
    CHECK_OK(ftruncate(fd, size));
    CHECK_EQ(pread(fd, b, CHUNK, 2 * CHUNK), CHUNK);
    for (long i = 0; i < CHUNK; i++)
        CHECK_EQ(b[i], 0);
    free(b);
}

struct reader {
    const char *name;
    unsigned seed;
};

static void *reader_thread(void *arg)
{
    const struct reader *r = arg;
    int fd = CHECK_OK(open(r->name, O_RDONLY));
    for (int pass = 0; pass < 3; pass++)
        read_all(fd, 8 * MiB, CHUNK, r->seed);
    CHECK_OK(close(fd));
    return NULL;
}

static void partial_buffers_rootfs(int fd, const unsigned char *want)
{
    unsigned char *m = mmap(NULL, 4 * CHUNK, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK_OK(mprotect(m + 2 * CHUNK, 2 * CHUNK, PROT_NONE));
    CHECK_EQ(pread(fd, m, 4 * CHUNK, 0), 2 * CHUNK);
    CHECK(memcmp(m, want, 2 * CHUNK) == 0);
    CHECK_EQ(pread(fd, m + CHUNK + 100, 2 * CHUNK, 4096), CHUNK - 100);
    CHECK(memcmp(m + CHUNK + 100, want + 4096, CHUNK - 100) == 0);
    CHECK_ERR(pread(fd, m + 2 * CHUNK, CHUNK, 0), EFAULT);
    CHECK_OK(munmap(m, 4 * CHUNK));
}

/* A file of the host's root file system: large reads and small ones agree. */
static void rootfs_file(void)
{
    int fd = open("/usr/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY);
    if (fd < 0)
        return;
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    long size = st.st_size;
    unsigned char *big = malloc((size_t)size), *small = malloc((size_t)size);
    CHECK(big != NULL && small != NULL);
    for (long off = 0; off < size; off += 4096)
        CHECK_EQ(pread(fd, small + off, 4096, off), size - off < 4096 ? size - off : 4096);
    if (size >= 4 * CHUNK)
        partial_buffers_rootfs(fd, small);   /* a first read */
    for (int pass = 0; pass < 3; pass++) {
        memset(big, 0, (size_t)size);
        CHECK_EQ(pread(fd, big, (size_t)size, 0), size);
        CHECK(memcmp(big, small, (size_t)size) == 0);
    }
    if (size >= 4 * CHUNK)
        partial_buffers_rootfs(fd, small);
    free(big);
    free(small);
    CHECK_OK(close(fd));
}

int main(void)
{
    enter_tmpdir();
    long size = 4 * MiB;
    int fd = make_file("f", size, 0);
    partial_buffers(fd, size);   /* a first read */
    for (int pass = 0; pass < 3; pass++)
        read_all(fd, size, CHUNK, 0);
    read_all(fd, size, MiB, 0);
    read_all(fd, size, 3 * MiB + 5, 0);
    partial_buffers(fd, size);

    /* A child reads the same file on its own, and sees its parent's later
     * writes (and the parent its child's). */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        read_all(fd, size, CHUNK, 0);
        unsigned char one = 0x5a;
        CHECK_EQ(pwrite(fd, &one, 1, 3 * MiB), 1);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    unsigned char *b = malloc(CHUNK);
    CHECK(b != NULL);
    CHECK_EQ(pread(fd, b, CHUNK, 3 * MiB), CHUNK);
    CHECK_EQ(b[0], 0x5a);
    check_data(b + 1, 3 * MiB + 1, CHUNK - 1, 0);
    free(b);

    writes_and_truncate(fd, size);
    CHECK_OK(close(fd));

    struct reader r[3] = { { "t0", 10 }, { "t1", 11 }, { "t2", 12 } };
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        CHECK_OK(close(make_file(r[i].name, 8 * MiB, r[i].seed)));
        CHECK_EQ(pthread_create(&th[i], NULL, reader_thread, &r[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        CHECK_EQ(pthread_join(th[i], NULL), 0);

    across_64m();
    rootfs_file();
    return 0;
}
