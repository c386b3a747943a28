/* SIGFPE from integer division: division by zero and INT_MIN / -1 (both
 * x86 #DE) give FPE_INTDIV with si_addr and rip at the div instruction
 * (trap 0); a handler can skip the instruction by editing rip and return;
 * floating-point division by zero does not trap (masked by default);
 * uncaught, the process dies of SIGFPE (in a child).  The code runs from
 * a page we fill ourselves, so every address is known. */
#include "check.h"
#include <setjmp.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile siginfo_t got;
static volatile long long rip, trapno;
static volatile int hits;
static volatile int skip_len;

static void on_fpe(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    memcpy((void *)&got, si, sizeof *si);
    rip = uc->uc_mcontext.gregs[REG_RIP];
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    hits++;
    uc->uc_mcontext.gregs[REG_RIP] += skip_len;     /* skip the div */
}

static unsigned char *jit(const unsigned char *code, size_t n)
{
    unsigned char *p = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memcpy(p, code, n);
    CHECK_OK(mprotect(p, 4096, PROT_READ | PROT_EXEC));
    return p;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGFPE, &sa, NULL));

    /* mov eax,7; xor edx,edx; xor ecx,ecx; div ecx; ret */
    static const unsigned char divzero[] = {
        0xb8, 0x07, 0x00, 0x00, 0x00, 0x31, 0xd2, 0x31, 0xc9, 0xf7, 0xf1, 0xc3 };
    unsigned char *f = jit(divzero, sizeof divzero);
    skip_len = 2;
    int r = ((int (*)(void))f)();
    CHECK_EQ(hits, 1);
    CHECK_EQ(r, 7);                         /* eax untouched by the skipped div */
    CHECK_EQ(got.si_signo, SIGFPE);
    CHECK_EQ(got.si_code, FPE_INTDIV);
    CHECK_EQ(got.si_errno, 0);
    CHECK(got.si_addr == f + 9);
    CHECK_EQ(rip, (long long)(f + 9));
    CHECK_EQ(trapno, 0);

    /* mov eax,0x80000000; cdq; mov ecx,-1; idiv ecx; ret */
    static const unsigned char overflow[] = {
        0xb8, 0x00, 0x00, 0x00, 0x80, 0x99, 0xb9, 0xff, 0xff, 0xff, 0xff,
        0xf7, 0xf9, 0xc3 };
    unsigned char *g = jit(overflow, sizeof overflow);
    r = ((int (*)(void))g)();
    CHECK_EQ(hits, 2);
    CHECK_EQ(r, INT32_MIN);
    CHECK_EQ(got.si_code, FPE_INTDIV);
    CHECK(got.si_addr == g + 11);
    CHECK_EQ(rip, (long long)(g + 11));

    /* Floating point: no signal, IEEE results. */
    volatile double zero = 0.0, one = 1.0;
    double inf = one / zero;
    CHECK(inf > 1e308);
    CHECK_EQ(hits, 2);

    /* Uncaught (compiled C this time). */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGFPE, SIG_DFL);
        volatile int z = 0;
        z = 10 / z;
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGFPE);
    return 0;
}
