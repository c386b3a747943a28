/* The whole user register state a syscall must not touch survives it: x87
 * stack and control word, MXCSR, xmm/ymm0-15, and on AVX-512 machines
 * zmm0-31 and the opmask registers k0-7, plus the direction flag and the
 * callee-saved registers.  Checked for a site a runtime can rewrite (`mov
 * $39, %eax; syscall`) and one it cannot (`mov %r12, %rax; syscall`), many
 * times each, while a 100 us interval timer delivers SIGALRM to a handler
 * that scribbles over the same registers: its sigreturn must restore them,
 * and a signal that arrives while a syscall is being intercepted must not
 * leak into the interrupted state either. */
#include "check.h"
#include <cpuid.h>
#include <sys/time.h>

enum { MODE_SSE, MODE_AVX, MODE_AVX512 };

#define ZMM_OFF  0      /* 32 x 64 bytes */
#define K_OFF    2048   /* 8 x 8 bytes */
#define FX_OFF   2112   /* FXSAVE area, 512 bytes */
#define GPR_OFF  2624   /* rbx, rbp, r12..r15, rflags after the syscall */
#define STATE_SIZE 2688

struct state {
    _Alignas(64) unsigned char b[STATE_SIZE];
};

/* fpu_roundtrip(in, out, nr, mode, patchable): loads every register from
 * in, makes syscall nr (39, getpid, in the patchable form), stores every
 * register to out. */
long fpu_roundtrip(const struct state *in, struct state *out, long nr, long mode, long patchable);
__asm__(
    ".text\n"
    ".globl fpu_roundtrip\n"
    "fpu_roundtrip:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  push %rsi\n"                 /* out */
    "  push %rcx\n"                 /* mode */
    "  mov %rdx, %r12\n"
    "  fxrstor64 2112(%rdi)\n"
    "  cmp $1, %ecx\n"
    "  jb 1f\n"
    "  je 2f\n"
    "  vmovdqu64 0(%rdi), %zmm0\n vmovdqu64 64(%rdi), %zmm1\n vmovdqu64 128(%rdi), %zmm2\n"
    "  vmovdqu64 192(%rdi), %zmm3\n vmovdqu64 256(%rdi), %zmm4\n vmovdqu64 320(%rdi), %zmm5\n"
    "  vmovdqu64 384(%rdi), %zmm6\n vmovdqu64 448(%rdi), %zmm7\n vmovdqu64 512(%rdi), %zmm8\n"
    "  vmovdqu64 576(%rdi), %zmm9\n vmovdqu64 640(%rdi), %zmm10\n vmovdqu64 704(%rdi), %zmm11\n"
    "  vmovdqu64 768(%rdi), %zmm12\n vmovdqu64 832(%rdi), %zmm13\n vmovdqu64 896(%rdi), %zmm14\n"
    "  vmovdqu64 960(%rdi), %zmm15\n vmovdqu64 1024(%rdi), %zmm16\n vmovdqu64 1088(%rdi), %zmm17\n"
    "  vmovdqu64 1152(%rdi), %zmm18\n vmovdqu64 1216(%rdi), %zmm19\n vmovdqu64 1280(%rdi), %zmm20\n"
    "  vmovdqu64 1344(%rdi), %zmm21\n vmovdqu64 1408(%rdi), %zmm22\n vmovdqu64 1472(%rdi), %zmm23\n"
    "  vmovdqu64 1536(%rdi), %zmm24\n vmovdqu64 1600(%rdi), %zmm25\n vmovdqu64 1664(%rdi), %zmm26\n"
    "  vmovdqu64 1728(%rdi), %zmm27\n vmovdqu64 1792(%rdi), %zmm28\n vmovdqu64 1856(%rdi), %zmm29\n"
    "  vmovdqu64 1920(%rdi), %zmm30\n vmovdqu64 1984(%rdi), %zmm31\n"
    "  kmovq 2048(%rdi), %k0\n kmovq 2056(%rdi), %k1\n kmovq 2064(%rdi), %k2\n kmovq 2072(%rdi), %k3\n"
    "  kmovq 2080(%rdi), %k4\n kmovq 2088(%rdi), %k5\n kmovq 2096(%rdi), %k6\n kmovq 2104(%rdi), %k7\n"
    "  jmp 1f\n"
    "2:\n"
    "  vmovdqu 0(%rdi), %ymm0\n vmovdqu 64(%rdi), %ymm1\n vmovdqu 128(%rdi), %ymm2\n"
    "  vmovdqu 192(%rdi), %ymm3\n vmovdqu 256(%rdi), %ymm4\n vmovdqu 320(%rdi), %ymm5\n"
    "  vmovdqu 384(%rdi), %ymm6\n vmovdqu 448(%rdi), %ymm7\n vmovdqu 512(%rdi), %ymm8\n"
    "  vmovdqu 576(%rdi), %ymm9\n vmovdqu 640(%rdi), %ymm10\n vmovdqu 704(%rdi), %ymm11\n"
    "  vmovdqu 768(%rdi), %ymm12\n vmovdqu 832(%rdi), %ymm13\n vmovdqu 896(%rdi), %ymm14\n"
    "  vmovdqu 960(%rdi), %ymm15\n"
    "1:\n"
    /* Callee-saved registers with patterns of their own (from the input's
     * GPR slots), the direction flag set across the syscall. */
    "  mov 2624(%rdi), %rbx\n mov 2632(%rdi), %rbp\n mov 2648(%rdi), %r13\n"
    "  mov 2656(%rdi), %r14\n mov 2664(%rdi), %r15\n"
    "  std\n"
    "  test %r8, %r8\n"
    "  jz 3f\n"
    "  mov $39, %eax\n"
    "  syscall\n"
    "  jmp 4f\n"
    "3:\n"
    "  mov %r12, %rax\n"
    "  syscall\n"
    "4:\n"
    "  pushfq\n"
    "  cld\n"
    "  pop %rdx\n"                  /* rflags */
    "  pop %rcx\n"                  /* mode */
    "  mov (%rsp), %rdi\n"          /* out */
    "  mov %rbx, 2624(%rdi)\n mov %rbp, 2632(%rdi)\n mov %r12, 2640(%rdi)\n"
    "  mov %r13, 2648(%rdi)\n mov %r14, 2656(%rdi)\n mov %r15, 2664(%rdi)\n"
    "  mov %rdx, 2672(%rdi)\n"
    "  cmp $1, %ecx\n"
    "  jb 5f\n"
    "  je 6f\n"
    "  vmovdqu64 %zmm0, 0(%rdi)\n vmovdqu64 %zmm1, 64(%rdi)\n vmovdqu64 %zmm2, 128(%rdi)\n"
    "  vmovdqu64 %zmm3, 192(%rdi)\n vmovdqu64 %zmm4, 256(%rdi)\n vmovdqu64 %zmm5, 320(%rdi)\n"
    "  vmovdqu64 %zmm6, 384(%rdi)\n vmovdqu64 %zmm7, 448(%rdi)\n vmovdqu64 %zmm8, 512(%rdi)\n"
    "  vmovdqu64 %zmm9, 576(%rdi)\n vmovdqu64 %zmm10, 640(%rdi)\n vmovdqu64 %zmm11, 704(%rdi)\n"
    "  vmovdqu64 %zmm12, 768(%rdi)\n vmovdqu64 %zmm13, 832(%rdi)\n vmovdqu64 %zmm14, 896(%rdi)\n"
    "  vmovdqu64 %zmm15, 960(%rdi)\n vmovdqu64 %zmm16, 1024(%rdi)\n vmovdqu64 %zmm17, 1088(%rdi)\n"
    "  vmovdqu64 %zmm18, 1152(%rdi)\n vmovdqu64 %zmm19, 1216(%rdi)\n vmovdqu64 %zmm20, 1280(%rdi)\n"
    "  vmovdqu64 %zmm21, 1344(%rdi)\n vmovdqu64 %zmm22, 1408(%rdi)\n vmovdqu64 %zmm23, 1472(%rdi)\n"
    "  vmovdqu64 %zmm24, 1536(%rdi)\n vmovdqu64 %zmm25, 1600(%rdi)\n vmovdqu64 %zmm26, 1664(%rdi)\n"
    "  vmovdqu64 %zmm27, 1728(%rdi)\n vmovdqu64 %zmm28, 1792(%rdi)\n vmovdqu64 %zmm29, 1856(%rdi)\n"
    "  vmovdqu64 %zmm30, 1920(%rdi)\n vmovdqu64 %zmm31, 1984(%rdi)\n"
    "  kmovq %k0, 2048(%rdi)\n kmovq %k1, 2056(%rdi)\n kmovq %k2, 2064(%rdi)\n kmovq %k3, 2072(%rdi)\n"
    "  kmovq %k4, 2080(%rdi)\n kmovq %k5, 2088(%rdi)\n kmovq %k6, 2096(%rdi)\n kmovq %k7, 2104(%rdi)\n"
    "  jmp 5f\n"
    "6:\n"
    "  vmovdqu %ymm0, 0(%rdi)\n vmovdqu %ymm1, 64(%rdi)\n vmovdqu %ymm2, 128(%rdi)\n"
    "  vmovdqu %ymm3, 192(%rdi)\n vmovdqu %ymm4, 256(%rdi)\n vmovdqu %ymm5, 320(%rdi)\n"
    "  vmovdqu %ymm6, 384(%rdi)\n vmovdqu %ymm7, 448(%rdi)\n vmovdqu %ymm8, 512(%rdi)\n"
    "  vmovdqu %ymm9, 576(%rdi)\n vmovdqu %ymm10, 640(%rdi)\n vmovdqu %ymm11, 704(%rdi)\n"
    "  vmovdqu %ymm12, 768(%rdi)\n vmovdqu %ymm13, 832(%rdi)\n vmovdqu %ymm14, 896(%rdi)\n"
    "  vmovdqu %ymm15, 960(%rdi)\n"
    "5:\n"
    "  fxsave64 2112(%rdi)\n"
    "  cmp $1, %ecx\n"
    "  jb 7f\n"
    "  vzeroupper\n"
    "7:\n"
    "  pop %rsi\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

/* The SIGALRM handler leaves every register it can reach changed: the
 * interrupted code must get its own back. */
static volatile unsigned long alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
                     "pcmpeqd %%xmm5, %%xmm5\n\t"
                     "pcmpeqd %%xmm15, %%xmm15\n\t"
                     "fninit\n\t"
                     "fldpi\n\t"
                     "fldpi\n\t"
                     :
                     :
                     : "xmm0", "xmm5", "xmm15", "st", "st(1)");
    unsigned int mxcsr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

static int cpu_mode(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
        return MODE_SSE;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0x6) != 0x6)
        return MODE_SSE;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX512F) && (lo & 0xe0) == 0xe0)
        return MODE_AVX512;
    return MODE_AVX;
}

static void fill(struct state *s, unsigned seed)
{
    /* Distinct bytes everywhere, then the parts with rules of their own. */
    for (unsigned i = 0; i < STATE_SIZE; i++)
        s->b[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
    unsigned char *fx = s->b + FX_OFF;
    memset(fx, 0, 512);
    uint16_t fcw = 0x0e7f;              /* round up, 64-bit precision, all masked */
    memcpy(fx + 0, &fcw, 2);
    uint32_t mxcsr = 0x7f80 | 0x8000;   /* round toward zero, flush to zero */
    memcpy(fx + 24, &mxcsr, 4);
    uint32_t mxcsr_mask = 0xffff;
    memcpy(fx + 28, &mxcsr_mask, 4);
    /* Eight valid 80-bit numbers on the x87 stack (the abridged tag word
     * marks them in use). */
    fx[4] = 0xff;
    for (int r = 0; r < 8; r++) {
        unsigned char *st = fx + 32 + 16 * r;
        uint64_t mant = 0x8000000000000000ULL | ((uint64_t)(seed + r) * 0x9e3779b97f4a7c15ULL >> 1);
        uint16_t exp = (uint16_t)(0x3fff + r + (int)(seed & 7));
        memcpy(st, &mant, 8);
        memcpy(st + 8, &exp, 2);
    }
    for (int r = 0; r < 16; r++)        /* xmm low halves as the vector loads have them */
        memcpy(fx + 160 + 16 * r, s->b + ZMM_OFF + 64 * r, 16);
}

static const char *check_state(const struct state *in, const struct state *out, int mode)
{
    static char what[64];
    int nvec = mode == MODE_AVX512 ? 32 : 16;
    int vlen = mode == MODE_AVX512 ? 64 : mode == MODE_AVX ? 32 : 16;
    for (int r = 0; r < nvec; r++) {
        const unsigned char *want = in->b + ZMM_OFF + 64 * r;
        const unsigned char *got = mode == MODE_SSE ? out->b + FX_OFF + 160 + 16 * r
                                                    : out->b + ZMM_OFF + 64 * r;
        if (memcmp(want, got, (size_t)vlen) != 0) {
            snprintf(what, sizeof what, "%s%d", vlen == 64 ? "zmm" : vlen == 32 ? "ymm" : "xmm", r);
            return what;
        }
    }
    if (mode == MODE_AVX512) {
        for (int r = 0; r < 8; r++)
            if (memcmp(in->b + K_OFF + 8 * r, out->b + K_OFF + 8 * r, 8) != 0) {
                snprintf(what, sizeof what, "k%d", r);
                return what;
            }
    }
    const unsigned char *fi = in->b + FX_OFF, *fo = out->b + FX_OFF;
    if (memcmp(fi + 0, fo + 0, 2) != 0)
        return "x87 control word";
    if (fi[4] != fo[4])
        return "x87 tag word";
    if (memcmp(fi + 24, fo + 24, 4) != 0)
        return "mxcsr";
    for (int r = 0; r < 8; r++)
        if (memcmp(fi + 32 + 16 * r, fo + 32 + 16 * r, 10) != 0) {
            snprintf(what, sizeof what, "st(%d)", r);
            return what;
        }
    static const char *gpr[] = { "rbx", "rbp", NULL, "r13", "r14", "r15" };
    for (int r = 0; r < 6; r++)
        if (gpr[r] && memcmp(in->b + GPR_OFF + 8 * r, out->b + GPR_OFF + 8 * r, 8) != 0)
            return gpr[r];
    uint64_t flags;
    memcpy(&flags, out->b + GPR_OFF + 48, 8);
    if (!(flags & 0x400))
        return "direction flag";
    return NULL;
}

int main(void)
{
    int mode = cpu_mode();
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    struct itimerval it = { .it_interval = { 0, 100 }, .it_value = { 0, 100 } };
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);

    static struct state in, out;
    pid_t me = getpid();
    for (int patchable = 0; patchable <= 1; patchable++) {
        for (int m = MODE_SSE; m <= mode; m++) {
            for (unsigned i = 0; i < 3000; i++) {
                fill(&in, i * 2 + (unsigned)patchable);
                memset(&out, 0, sizeof out);
                long r = fpu_roundtrip(&in, &out, SYS_getpid, m, patchable);
                if (r != me)
                    FAIL("mode %d, %s site, round %u: getpid returned %ld, not %d", m,
                         patchable ? "patchable" : "unpatchable", i, r, me);
                const char *bad = check_state(&in, &out, m);
                if (bad)
                    FAIL("mode %d, %s site, round %u: %s changed across the syscall", m,
                         patchable ? "patchable" : "unpatchable", i, bad);
            }
        }
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0);
    CHECK(alarms > 0);
    return 0;
}
