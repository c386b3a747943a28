/* rt_sigreturn: returning from a handler restores every register, and the
 * values a handler edits in its ucontext (registers, signal mask) are what
 * execution resumes with. */
#include "check.h"
#include <ucontext.h>

static volatile int mode;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    /* Clobber lots of registers, integer and vector, on purpose. */
    volatile double d = 1.0;
    for (int i = 0; i < 100; i++)
        d = d * 1.0001 + 0.5;
    char junk[256];
    memset(junk, 0xee, sizeof junk);
    (void)junk[(int)d & 0xff];
    /* Caller-saved registers are not restored by the handler's own code:
     * only rt_sigreturn can bring the interrupted values back. */
    __asm__ volatile("movq $-1, %%r8\n\t"
                     "movq $-1, %%r9\n\t"
                     "movq $-1, %%r10\n\t"
                     "movq $-1, %%r11\n\t"
                     "pcmpeqd %%xmm6, %%xmm6\n\t"
                     ::: "r8", "r9", "r10", "r11", "xmm6");
    if (mode == 1) {
        /* Resume with a different rax (the syscall's return value) and r12. */
        uc->uc_mcontext.gregs[REG_RAX] = 4242;
        uc->uc_mcontext.gregs[REG_R12] = 0x1212;
    } else if (mode == 2) {
        /* Resume with SIGUSR2 blocked. */
        sigaddset(&uc->uc_sigmask, SIGUSR2);
    }
}

/* Load known values into many registers, make a tgkill syscall that
 * delivers SIGUSR1 on its way back to user space, store the registers.
 * Globals are used so that no register is needed for operands. */
long g_pid, g_tid, g_out[12];
double g_in_x = 3.25, g_out_x;

static void probe(long out[12])
{
    g_pid = getpid();
    g_tid = gettid();
    g_out_x = 0;
    __asm__ volatile(
        "movq $0x1111, %%rbx\n\t"
        "movq $0x8888, %%r8\n\t"
        "movq $0x9999, %%r9\n\t"
        "movq $0xaaaa, %%r10\n\t"
        "movq $0xcccc, %%r12\n\t"
        "movq $0xdddd, %%r13\n\t"
        "movq $0xeeee, %%r14\n\t"
        "movq $0xffff, %%r15\n\t"
        "movsd g_in_x(%%rip), %%xmm6\n\t"
        "movq %[nr], %%rax\n\t"
        "movq g_pid(%%rip), %%rdi\n\t"
        "movq g_tid(%%rip), %%rsi\n\t"
        "movq %[sig], %%rdx\n\t"
        "syscall\n\t"
        "movq %%rax, g_out+0(%%rip)\n\t"
        "movq %%rbx, g_out+8(%%rip)\n\t"
        "movq %%r8, g_out+16(%%rip)\n\t"
        "movq %%r9, g_out+24(%%rip)\n\t"
        "movq %%r10, g_out+32(%%rip)\n\t"
        "movq %%r12, g_out+40(%%rip)\n\t"
        "movq %%r13, g_out+48(%%rip)\n\t"
        "movq %%r14, g_out+56(%%rip)\n\t"
        "movq %%r15, g_out+64(%%rip)\n\t"
        "movq %%rdi, g_out+72(%%rip)\n\t"
        "movq %%rsi, g_out+80(%%rip)\n\t"
        "movq %%rdx, g_out+88(%%rip)\n\t"
        "movsd %%xmm6, g_out_x(%%rip)\n\t"
        :
        : [nr] "i"(SYS_tgkill), [sig] "i"((long)SIGUSR1)
        : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
          "r12", "r13", "r14", "r15", "xmm6", "memory", "cc");
    CHECK(g_out_x == 3.25);       /* vector registers are restored too */
    memcpy(out, g_out, sizeof g_out);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    long r[12];
    long pid = getpid(), tid = gettid();

    /* Plain return: everything as it was, rax = the syscall's result. */
    mode = 0;
    probe(r);
    CHECK_EQ(r[0], 0);
    CHECK_EQ(r[1], 0x1111);
    CHECK_EQ(r[2], 0x8888);
    CHECK_EQ(r[3], 0x9999);
    CHECK_EQ(r[4], 0xaaaa);
    CHECK_EQ(r[5], 0xcccc);
    CHECK_EQ(r[6], 0xdddd);
    CHECK_EQ(r[7], 0xeeee);
    CHECK_EQ(r[8], 0xffff);
    CHECK_EQ(r[9], pid);
    CHECK_EQ(r[10], tid);
    CHECK_EQ(r[11], SIGUSR1);

    /* Edited registers take effect. */
    mode = 1;
    probe(r);
    CHECK_EQ(r[0], 4242);
    CHECK_EQ(r[5], 0x1212);
    CHECK_EQ(r[6], 0xdddd);

    /* An edited uc_sigmask becomes the mask after return. */
    mode = 2;
    sigset_t cur;
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(!sigismember(&cur, SIGUSR2));
    CHECK_OK(raise(SIGUSR1));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR2));
    CHECK(!sigismember(&cur, SIGUSR1));
    return 0;
}
