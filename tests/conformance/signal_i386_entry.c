/* The i386 entries from 64-bit code, and 32-bit code.  Linux with IA32
 * emulation runs `int $0x80` as an i386 syscall; without it (ia32_emulation=0,
 * and the sandbox, which has no i386 syscall table) the vector is not there:
 * SIGSEGV, SI_KERNEL, si_addr 0, rip at the instruction, trap 13, rax
 * untouched.  Either way, one of the two, and the same for a second call.
 * `sysenter` from 64-bit code kills with SIGSEGV on Intel (the host's compat
 * entry returns to 32-bit code at a 32-bit address; or a #GP without IA32
 * emulation), SIGILL on AMD (#UD), whatever %ebp points at.  A far call into
 * 32-bit code and back works; a fault there kills with its own signal. */
#include "check.h"
#include <cpuid.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile siginfo_t got;
static volatile long long rip, trapno, rax;
static volatile int hits;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    memcpy((void *)&got, si, sizeof *si);
    rip = uc->uc_mcontext.gregs[REG_RIP];
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    rax = uc->uc_mcontext.gregs[REG_RAX];
    hits++;
    uc->uc_mcontext.gregs[REG_RIP] += 2;   /* over cd 80 */
}

/* A page below 4 GiB (32-bit code and stacks need one), with code at 0. */
static unsigned char *page32(const unsigned char *code, size_t n)
{
    unsigned char *p = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0));
    CHECK((uintptr_t)p < 0xffff0000UL);
    memset(p, 0xcc, 4096);
    if (n)
        memcpy(p, code, n);
    return p;
}

static int is_amd(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return 0;
    return b == 0x68747541;   /* "Auth"enticAMD */
}

/* sysenter with %ebp = ebp (the i386 convention: the user stack, whose first
 * word the kernel reads) and eax = 20 (i386 getpid). */
static void sysenter_child(uint32_t ebp)
{
    no_core_dumps();
    __asm__ volatile("mov %0, %%ebp\n\tmov $20, %%eax\n\tsysenter"
                     : : "r"(ebp) : "rax", "rbp", "rcx", "r11", "memory");
    _exit(0);
}

/* Calls code at p (64-bit) on a stack in the same page: it far-calls 32-bit
 * code at p + 16 through the far pointer at p + 32. */
static void far_call(unsigned char *p)
{
    uintptr_t stack = (uintptr_t)p + 4096;
    __asm__ volatile("mov %%rsp, %%r12\n\t"
                     "mov %0, %%rsp\n\t"
                     "call *%1\n\t"
                     "mov %%r12, %%rsp\n\t"
                     : : "r"(stack), "r"(p), "a"(p + 32)
                     : "r12", "memory", "cc");
}

static unsigned char *far_call_page(unsigned char insn32)
{
    static const unsigned char code[] = { 0xff, 0x18, 0xc3 };   /* lcall *(%rax); ret */
    unsigned char *p = page32(code, sizeof code);
    p[16] = insn32;
    p[17] = 0x0b;   /* with 0x0f: ud2 */
    uint32_t off = (uint32_t)(uintptr_t)(p + 16);
    uint16_t sel = 0x23;   /* Linux's 32-bit user code segment */
    memcpy(p + 32, &off, 4);
    memcpy(p + 36, &sel, 2);
    return p;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));

    /* mov eax,20 (i386 getpid); int $0x80; ret */
    static const unsigned char getpid32[] = { 0xb8, 0x14, 0, 0, 0, 0xcd, 0x80, 0xc3 };
    unsigned char *f = page32(getpid32, sizeof getpid32);
    long r = ((long (*)(void))f)();
    int ia32 = hits == 0;
    if (ia32) {
        CHECK_EQ(r, getpid());
    } else {
        CHECK_EQ(hits, 1);
        CHECK_EQ(got.si_signo, SIGSEGV);
        CHECK_EQ(got.si_code, SI_KERNEL);
        CHECK(got.si_addr == NULL);
        CHECK_EQ(rip, (long long)(f + 5));
        CHECK_EQ(trapno, 13);
        CHECK_EQ(rax, 20);
        CHECK_EQ(r, 20);   /* eax as it was, past the instruction */
    }

    /* i386 exit(42): exits, or SIGSEGV as the first time. */
    static const unsigned char exit32[] = { 0xb8, 1, 0, 0, 0, 0xbb, 42, 0, 0, 0, 0xcd, 0x80, 0xc3 };
    unsigned char *e = page32(exit32, sizeof exit32);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGSEGV, SIG_DFL);
        ((void (*)(void))e)();
        _exit(3);
    }
    if (ia32)
        CHECK_CHILD_EXIT(pid, 42);
    else
        CHECK_CHILD_SIGNALED(pid, SIGSEGV);

    /* sysenter: %ebp unreadable, then readable. */
    int want = is_amd() ? SIGILL : SIGSEGV;
    signal(SIGSEGV, SIG_DFL);
    pid = CHECK_OK(fork());
    if (pid == 0)
        sysenter_child(0);
    CHECK_CHILD_SIGNALED(pid, want);
    unsigned char *stk = page32(NULL, 0);
    pid = CHECK_OK(fork());
    if (pid == 0)
        sysenter_child((uint32_t)(uintptr_t)(stk + 2048));
    CHECK_CHILD_SIGNALED(pid, want);

    /* 32-bit code: lret straight back; then ud2 there. */
    far_call(far_call_page(0xcb));
    unsigned char *bad = far_call_page(0x0f);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        far_call(bad);
        _exit(3);
    }
    CHECK_CHILD_SIGNALED(pid, SIGILL);
    return 0;
}
