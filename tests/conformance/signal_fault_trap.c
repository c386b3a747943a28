/* SIGTRAP from int3: si_code SI_KERNEL, rip just after the breakpoint
 * (trap 3), so returning from the handler continues with the next
 * instruction; the two-byte "int $3" form the same.  Uncaught, SIGTRAP
 * kills (in a child). */
#include "check.h"
#include <sys/mman.h>
#include <ucontext.h>

static volatile siginfo_t got;
static volatile long long rip, trapno;
static volatile int hits;

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    memcpy((void *)&got, si, sizeof *si);
    rip = uc->uc_mcontext.gregs[REG_RIP];
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    hits++;
    /* Make the code return something else: set eax. */
    uc->uc_mcontext.gregs[REG_RAX] = 77;
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
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGTRAP, &sa, NULL));

    /* mov eax,1; int3; add eax,1; ret */
    static const unsigned char code[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, 0xcc, 0x83, 0xc0, 0x01, 0xc3 };
    unsigned char *f = jit(code, sizeof code);
    int r = ((int (*)(void))f)();
    CHECK_EQ(hits, 1);
    CHECK_EQ(r, 78);                        /* handler's eax, then the add */
    CHECK_EQ(got.si_signo, SIGTRAP);
    CHECK_EQ(got.si_code, SI_KERNEL);
    CHECK_EQ(rip, (long long)(f + 6));      /* after the int3 */
    CHECK_EQ(trapno, 3);

    /* mov eax,1; int $3; add eax,1; ret */
    static const unsigned char code2[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, 0xcd, 0x03, 0x83, 0xc0, 0x01, 0xc3 };
    unsigned char *g = jit(code2, sizeof code2);
    r = ((int (*)(void))g)();
    CHECK_EQ(hits, 2);
    CHECK_EQ(r, 78);
    CHECK_EQ(got.si_code, SI_KERNEL);
    CHECK_EQ(rip, (long long)(g + 7));

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGTRAP, SIG_DFL);
        ((void (*)(void))f)();
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGTRAP);
    return 0;
}
