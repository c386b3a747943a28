/* arch_prctl: ARCH_GET_FS matches the TLS pointer, ARCH_SET_FS in a child,
 * inheritance over fork, invalid codes and addresses. */
#include "check.h"
#include <asm/prctl.h>

static long ap(int code, unsigned long addr)
{
    return syscall(SYS_arch_prctl, code, addr);
}

static unsigned long fs_word(unsigned long off)
{
    unsigned long v;
    __asm__ volatile("movq %%fs:(%1), %0" : "=r"(v) : "r"(off));
    return v;
}

int main(void)
{
    unsigned long fs = 0;
    CHECK_EQ(ap(ARCH_GET_FS, (unsigned long)&fs), 0);
    CHECK(fs != 0);
    /* x86-64 TLS convention: the word at %fs:0 points to itself. */
    CHECK_EQ(fs_word(0), fs);
    /* ...and &errno (a TLS variable) is near it. */
    CHECK((unsigned long)&errno < fs && fs - (unsigned long)&errno < 65536);
    unsigned long gs = 1;
    CHECK_EQ(ap(ARCH_GET_GS, (unsigned long)&gs), 0);

    /* A forked child has the same FS base. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        unsigned long c = 0;
        ap(ARCH_GET_FS, (unsigned long)&c);
        _exit(c == fs ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* ARCH_SET_FS in a child: %fs-relative loads follow the new base.  The
     * new block is a copy of the old TCB (stack canary etc.) with its own
     * self pointer; the old base is restored before any libc call. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        static unsigned long block[64];
        memcpy(block, (void *)fs, sizeof block);
        block[0] = (unsigned long)block;
        block[1] = 0x5eed;
        unsigned long got = 0, w0, w1;
        if (ap(ARCH_SET_FS, (unsigned long)block) != 0)
            _exit(2);
        ap(ARCH_GET_FS, (unsigned long)&got);
        w0 = fs_word(0);
        w1 = fs_word(8);
        ap(ARCH_SET_FS, fs);
        if (got != (unsigned long)block)
            _exit(3);
        if (w0 != (unsigned long)block || w1 != 0x5eed)
            _exit(4);
        _exit(fs_word(0) == fs ? 0 : 5);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Errors. */
    CHECK_ERR(ap(0x9999, 0), EINVAL);
    CHECK_ERR(ap(ARCH_GET_FS, 1), EFAULT);
    /* A non-canonical base is refused (in a child, in case it is not). */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        errno = 0;
        long r = ap(ARCH_SET_FS, 0x8000000000000000UL);
        int e = errno;
        ap(ARCH_SET_FS, fs);
        _exit(r == -1 && e == EPERM ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
