/* RLIMIT_AS: the address space may not grow beyond the limit: mmap,
 * mremap and brk fail with ENOMEM; replacing or freeing memory is fine. */
#include "check.h"
#include <sys/mman.h>

#define MB (1024UL * 1024)

/* The size of the address space now (statm's first field, in pages). */
static unsigned long vm_bytes(void)
{
    char buf[256];
    read_file("/proc/self/statm", buf, sizeof buf);
    return strtoul(buf, NULL, 10) * 4096;
}

int main(void)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* Pre-fault what the checks may need before the limit bites. */
        char *warm = malloc(4096);
        CHECK(warm != NULL);
        free(warm);
        unsigned long base = vm_bytes();
        struct rlimit rl = { base + 64 * MB, RLIM_INFINITY };
        CHECK_EQ(setrlimit(RLIMIT_AS, &rl), 0);

        /* 96 MiB more does not fit; 32 MiB does. */
        void *big = mmap(NULL, 96 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(big == MAP_FAILED);
        CHECK_EQ(errno, ENOMEM);
        char *a = mmap(NULL, 32 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(a != MAP_FAILED);
        a[0] = 1;
        /* Growing it past the limit in place or by moving: no. */
        CHECK(mremap(a, 32 * MB, 80 * MB, MREMAP_MAYMOVE) == MAP_FAILED);
        CHECK_EQ(errno, ENOMEM);
        /* Shrinking is fine, and so is growing back within the limit. */
        char *s = mremap(a, 32 * MB, 16 * MB, 0);
        CHECK(s == a);
        s = mremap(a, 16 * MB, 40 * MB, MREMAP_MAYMOVE);
        CHECK(s != MAP_FAILED);
        CHECK_EQ(s[0], 1);
        a = s;
        /* Mapping over existing pages (MAP_FIXED) does not grow anything. */
        char *f = mmap(a, 40 * MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        CHECK(f == a);
        /* What remains: about 24 MiB. */
        void *c = mmap(NULL, 32 * MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(c == MAP_FAILED);
        CHECK_EQ(errno, ENOMEM);
        /* The heap is limited too. */
        void *cur = sbrk(0);
        CHECK(cur != (void *)-1);
        CHECK(sbrk(64 * MB) == (void *)-1);
        CHECK_EQ(errno, ENOMEM);
        CHECK(sbrk(0) == cur);
        CHECK(malloc(48 * MB) == NULL);
        /* Freeing makes room again. */
        CHECK_OK(munmap(a, 40 * MB));
        c = mmap(NULL, 32 * MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(c != MAP_FAILED);
        CHECK_OK(munmap(c, 32 * MB));
        CHECK(sbrk(8 * MB) != (void *)-1);
        /* A limit below what is mapped already is accepted, and then
         * nothing more can be mapped. */
        rl.rlim_cur = 4 * MB;
        CHECK_EQ(setrlimit(RLIMIT_AS, &rl), 0);
        CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
        CHECK_EQ(errno, ENOMEM);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
