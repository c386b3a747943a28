/* A SIGSEGV handler that repairs the cause and returns: the faulting
 * instruction is restarted and succeeds.  mprotect of a PROT_NONE page
 * (SEGV_ACCERR, one fault per page for a sweep over several pages), and
 * mmap(MAP_FIXED) over an unmapped address (SEGV_MAPERR); the registers
 * of the interrupted code survive the round trip. */
#include "check.h"
#include <sys/mman.h>
#include <ucontext.h>

#define NPAGES 6

static volatile int faults, last_code;
static volatile uintptr_t last_addr;

static void fixer(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    faults++;
    last_code = si->si_code;
    last_addr = (uintptr_t)si->si_addr;
    void *page = (void *)((uintptr_t)si->si_addr & ~(uintptr_t)4095);
    if (si->si_code == SEGV_ACCERR) {
        if (mprotect(page, 4096, PROT_READ | PROT_WRITE) != 0)
            _exit(90);
    } else {
        if (mmap(page, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != page)
            _exit(91);
    }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fixer;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));

    /* A sweep of writes over PROT_NONE pages: each page faults once. */
    volatile unsigned char *m = CHECK_OK(mmap(NULL, NPAGES * 4096, PROT_NONE,
                                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    for (int i = 0; i < NPAGES * 4096; i += 512)
        m[i] = (unsigned char)(i / 512);
    CHECK_EQ(faults, NPAGES);
    CHECK_EQ(last_code, SEGV_ACCERR);
    CHECK_EQ(last_addr, (uintptr_t)(m + (NPAGES - 1) * 4096));
    for (int i = 0; i < NPAGES * 4096; i += 512)
        CHECK_EQ(m[i], (unsigned char)(i / 512));

    /* A read that faults: the value read after the fix-up is the page's. */
    CHECK_OK(mprotect((void *)m, 4096, PROT_NONE));
    unsigned char v = m[512];
    CHECK_EQ(v, 1);
    CHECK_EQ(faults, NPAGES + 1);

    /* An unmapped page is mapped by the handler (fresh zero page). */
    CHECK_OK(munmap((void *)(m + 4096), 4096));
    m[4096 + 33] = 0xab;
    CHECK_EQ(faults, NPAGES + 2);
    CHECK_EQ(last_code, SEGV_MAPERR);
    CHECK_EQ(last_addr, (uintptr_t)(m + 4096 + 33));
    CHECK_EQ(m[4096 + 33], 0xab);
    CHECK_EQ(m[4096], 0);

    /* Register state across the fault: a loop with many live values. */
    CHECK_OK(mprotect((void *)m, NPAGES * 4096, PROT_NONE));
    long a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
    double x = 1.5, y = 2.5;
    for (int i = 0; i < NPAGES; i++) {
        m[i * 4096] = (unsigned char)(a + b + c + d + e + f + g + h);
        a += 1; b += 2; c += 3; d += 4; e += 5; f += 6; g += 7; h += 8;
        x *= 2; y += x;
    }
    CHECK_EQ(faults, 2 * NPAGES + 2);
    CHECK_EQ(a + b + c + d + e + f + g + h, 36 + 36 * NPAGES);
    CHECK(x == 1.5 * (1 << NPAGES));
    CHECK(y == 2.5 + 1.5 * ((2 << NPAGES) - 2));
    munmap((void *)m, NPAGES * 4096);
    return 0;
}
