/* The fs base must be a user address when the kernel sets it: clone with
 * CLONE_SETTLS and arch_prctl(ARCH_SET_FS/GS) refuse one at or above the top
 * of the user range (EPERM; clone makes no child).  Guest code may set any
 * canonical base itself with wrfsbase (where the CPU and kernel allow it):
 * a syscall made meanwhile works and leaves it as it was. */
#include "check.h"
#include <asm/prctl.h>
#include <sched.h>
#include <setjmp.h>

static const uint64_t bad[] = { 0x7ffffffff000ULL, 0x7fffffffffffULL, 0xffff800000000000ULL,
                                0xffffffffff600000ULL, 0x8000000000000000ULL };

static sigjmp_buf jb;

static void on_ill(int sig)
{
    siglongjmp(jb, sig);
}

static int have_fsgsbase(void)
{
    struct sigaction sa = { .sa_handler = on_ill }, old;
    volatile int ok = 0;
    uint64_t v;
    CHECK_OK(sigaction(SIGILL, &sa, &old));
    if (sigsetjmp(jb, 1) == 0) {
        __asm__ volatile("rdfsbase %0" : "=r"(v));
        ok = 1;
    }
    CHECK_OK(sigaction(SIGILL, &old, NULL));
    return ok;
}

/* With fs (glibc's TLS) pointing at base: getpid by hand, then back. */
static long getpid_with_fsbase(uint64_t base, uint64_t *seen)
{
    uint64_t saved, got;
    long r;
    __asm__ volatile("rdfsbase %[saved]\n\t"
                     "wrfsbase %[base]\n\t"
                     "syscall\n\t"
                     "rdfsbase %[got]\n\t"
                     "wrfsbase %[saved]\n\t"
                     : [saved] "=&r"(saved), [got] "=&r"(got), "=a"(r)
                     : [base] "r"(base), "a"((long)SYS_getpid)
                     : "rcx", "r11", "memory");
    *seen = got;
    return r;
}

int main(void)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long r = syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, 0, 0, bad[i]);
        if (r == 0)
            _exit(7);
        CHECK_EQ(r, -1);
        CHECK_EQ(errno, EPERM);
        CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, bad[i]), EPERM);
        CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_GS, bad[i]), EPERM);
    }
    CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);

    /* The last user page is a valid base. */
    pid_t pid = CHECK_OK(syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, 0, 0,
                                 0x7fffffffe000ULL));
    if (pid == 0)   /* no libc: fs is not its TLS */
        __asm__ volatile("syscall" : : "a"((long)SYS_exit), "D"(5L) : "rcx", "r11", "memory");
    CHECK_CHILD_EXIT(pid, 5);

    if (!have_fsgsbase())
        return 0;
    for (size_t i = 0; i < 3; i++) {
        uint64_t seen = 0;
        CHECK_EQ(getpid_with_fsbase(bad[i], &seen), getpid());
        CHECK_EQ(seen, bad[i]);
    }
    return 0;
}
