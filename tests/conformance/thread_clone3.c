/* clone3: argument validation (size, stack/stack_size pairing, exit_signal
 * rules, flags clone3 refuses), a fork-like child with PARENT_SETTID and
 * CHILD_SETTID, and a thread on its own stack with SETTLS/CHILD_CLEARTID.
 *
 * The thread needs no assembly: the child returns from glibc's syscall()
 * wrapper with %rsp at the top of the new stack, so the wrapper's `ret`
 * pops the word we stored there: the address of the thread's function. */
#include "check.h"
#include <asm/prctl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
                      CLONE_THREAD | CLONE_SYSVSEM)

static long clone3_(struct clone_args *ca, size_t size)
{
    return syscall(SYS_clone3, ca, size);
}

static volatile pid_t ptid_word, ctid_word;
static atomic_int ready, go;
static long seen_tid, seen_pid, seen_ctid;
static unsigned long seen_fs;

static __attribute__((noreturn, used)) void thread_main(void)
{
    seen_tid = syscall(SYS_gettid);
    seen_pid = syscall(SYS_getpid);
    seen_ctid = ctid_word;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &seen_fs);
    atomic_store(&ready, 1);
    while (!atomic_load(&go))
        syscall(SYS_sched_yield);
    syscall(SYS_exit, 0);
    for (;;)
        ;
}

int main(void)
{
    struct clone_args ca;

    /* Validation. */
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = SIGCHLD;
    CHECK_ERR(clone3_(&ca, CLONE_ARGS_SIZE_VER0 - 8), EINVAL);
    CHECK_ERR(clone3_(&ca, 0), EINVAL);
    CHECK_ERR(clone3_(&ca, 2 * 4096 * 2), E2BIG);
    CHECK_ERR(clone3_(BAD_PTR, sizeof ca), EFAULT);
    {
        /* A bigger struct is fine only if the extra bytes are zero. */
        char big[sizeof ca + 16];
        memset(big, 0, sizeof big);
        memcpy(big, &ca, sizeof ca);
        big[sizeof ca + 3] = 1;
        CHECK_ERR(clone3_((struct clone_args *)big, sizeof big), E2BIG);
    }
    ca.stack = 0x100000;                /* stack without stack_size */
    CHECK_ERR(clone3_(&ca, sizeof ca), EINVAL);
    ca.stack = 0;
    ca.stack_size = 4096;               /* stack_size without stack */
    CHECK_ERR(clone3_(&ca, sizeof ca), EINVAL);
    ca.stack_size = 0;
    ca.exit_signal = 65;                /* not a signal */
    CHECK_ERR(clone3_(&ca, sizeof ca), EINVAL);
    ca.exit_signal = 0;
    ca.flags = SIGCHLD;                 /* CSIGNAL bits belong in exit_signal */
    CHECK_ERR(clone3_(&ca, sizeof ca), EINVAL);
    ca.flags = CLONE_DETACHED;
    CHECK_ERR(clone3_(&ca, sizeof ca), EINVAL);
    ca.flags = THREAD_FLAGS;            /* a thread with an exit signal */
    ca.exit_signal = SIGCHLD;
    CHECK_ERR(clone3_(&ca, sizeof ca), EINVAL);

    /* Fork-like: the parent's word gets the pid, the child's copy of its
     * word gets it too (in the child's memory only). */
    memset(&ca, 0, sizeof ca);
    ptid_word = 0;
    ctid_word = 0;
    ca.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
    ca.parent_tid = (uintptr_t)&ptid_word;
    ca.child_tid = (uintptr_t)&ctid_word;
    ca.exit_signal = SIGCHLD;
    pid_t me = getpid();
    long pid = CHECK_OK(clone3_(&ca, sizeof ca));
    if (pid == 0)
        _exit(ctid_word == getpid() && getppid() == me ? 0 : 1);
    CHECK_EQ(ptid_word, pid);
    CHECK_EQ(ctid_word, 0);
    CHECK_CHILD_EXIT(pid, 0);

    /* The old version-0 size works the same. */
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = SIGCHLD;
    pid = CHECK_OK(clone3_(&ca, CLONE_ARGS_SIZE_VER0));
    if (pid == 0)
        _exit(7);
    CHECK_CHILD_EXIT(pid, 7);

    /* exit_signal 0: only __WALL/__WCLONE waits see the child. */
    memset(&ca, 0, sizeof ca);
    pid = CHECK_OK(clone3_(&ca, sizeof ca));
    if (pid == 0)
        _exit(8);
    int ws;
    CHECK_ERR(waitpid(pid, &ws, 0), ECHILD);
    CHECK_EQ(waitpid(pid, &ws, __WALL), pid);
    CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 8);

    /* A thread on its own stack. */
    size_t stsz = 256 * 1024;
    char *stack = CHECK_OK(mmap(NULL, stsz, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    unsigned long *tls = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    unsigned long *tcb = tls + 256, my_fs;
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &my_fs), 0);
    memcpy(tcb, (void *)my_fs, 64);
    tcb[0] = tcb[2] = (unsigned long)tcb;
    /* The child's %rsp = stack + stack_size; the word there is popped. */
    size_t usable = stsz - 64;
    *(void **)(stack + usable) = (void *)thread_main;

    memset(&ca, 0, sizeof ca);
    ptid_word = -1;
    ctid_word = -1;
    ca.flags = THREAD_FLAGS | CLONE_SETTLS | CLONE_PARENT_SETTID |
               CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    ca.parent_tid = (uintptr_t)&ptid_word;
    ca.child_tid = (uintptr_t)&ctid_word;
    ca.stack = (uintptr_t)stack;
    ca.stack_size = usable;
    ca.tls = (uintptr_t)tcb;
    long tid = CHECK_OK(clone3_(&ca, sizeof ca));
    CHECK(tid > 0);
    CHECK_EQ(ptid_word, tid);
    while (!atomic_load(&ready))
        sched_yield();
    CHECK_EQ(seen_tid, tid);
    CHECK_EQ(seen_pid, getpid());
    CHECK_EQ(seen_ctid, tid);
    CHECK_EQ(seen_fs, (unsigned long)tcb);
    atomic_store(&go, 1);
    struct timespec ts = { 5, 0 };
    pid_t v;
    while ((v = ctid_word) != 0) {
        long r = syscall(SYS_futex, &ctid_word, FUTEX_WAIT, v, &ts, NULL, 0);
        if (r == -1 && errno == ETIMEDOUT)
            FAIL("CLONE_CHILD_CLEARTID: no futex wake on the tid word");
    }
    for (int i = 0; i < 2000 && syscall(SYS_tgkill, getpid(), tid, 0) == 0; i++)
        sleep_ms(1);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 0), ESRCH);
    return 0;
}
