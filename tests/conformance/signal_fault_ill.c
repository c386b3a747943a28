/* SIGILL from ud2: ILL_ILLOPN with si_addr and rip at the instruction
 * (trap 6); a handler can step over it and return.  A privileged
 * instruction (hlt) is a general protection fault instead: SIGSEGV,
 * SI_KERNEL, si_addr 0, rip at hlt.  Uncaught, SIGILL kills (in a child,
 * via __builtin_trap). */
#include "check.h"
#include <sys/mman.h>
#include <ucontext.h>

static volatile siginfo_t got;
static volatile long long rip, trapno;
static volatile int hits, last_sig;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    memcpy((void *)&got, si, sizeof *si);
    rip = uc->uc_mcontext.gregs[REG_RIP];
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    last_sig = sig;
    hits++;
    /* Step over: ud2 is 2 bytes, hlt 1. */
    uc->uc_mcontext.gregs[REG_RIP] += sig == SIGILL ? 2 : 1;
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
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGILL, &sa, NULL));
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));

    /* mov eax,5; nop; ud2; ret */
    static const unsigned char code[] = { 0xb8, 0x05, 0x00, 0x00, 0x00, 0x90, 0x0f, 0x0b, 0xc3 };
    unsigned char *f = jit(code, sizeof code);
    int r = ((int (*)(void))f)();
    CHECK_EQ(r, 5);
    CHECK_EQ(hits, 1);
    CHECK_EQ(last_sig, SIGILL);
    CHECK_EQ(got.si_signo, SIGILL);
    CHECK_EQ(got.si_code, ILL_ILLOPN);
    CHECK_EQ(got.si_errno, 0);
    CHECK(got.si_addr == f + 6);
    CHECK_EQ(rip, (long long)(f + 6));
    CHECK_EQ(trapno, 6);

    /* Twice in a row: the handler is still installed. */
    r = ((int (*)(void))f)();
    CHECK_EQ(r, 5);
    CHECK_EQ(hits, 2);

    /* mov eax,9; hlt; ret */
    static const unsigned char priv[] = { 0xb8, 0x09, 0x00, 0x00, 0x00, 0xf4, 0xc3 };
    unsigned char *g = jit(priv, sizeof priv);
    r = ((int (*)(void))g)();
    CHECK_EQ(r, 9);
    CHECK_EQ(hits, 3);
    CHECK_EQ(last_sig, SIGSEGV);
    CHECK_EQ(got.si_code, SI_KERNEL);
    CHECK(got.si_addr == NULL);
    CHECK_EQ(rip, (long long)(g + 5));
    CHECK_EQ(trapno, 13);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGILL, SIG_DFL);
        __builtin_trap();
    }
    CHECK_CHILD_SIGNALED(pid, SIGILL);
    return 0;
}
