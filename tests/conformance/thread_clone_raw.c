/* A raw thread made with glibc's clone(): CLONE_THREAD with CLONE_SETTLS
 * (the child's %fs base is the given block), CLONE_PARENT_SETTID (stored
 * before clone returns), CLONE_CHILD_SETTID (stored before the child runs)
 * and CLONE_CHILD_CLEARTID (cleared and futex-woken when it exits: the
 * wake is a shared-futex wake).  The thread is not a waitable child, and
 * its flag combinations are checked. */
#include "check.h"
#include <asm/prctl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
                      CLONE_THREAD | CLONE_SYSVSEM)

static volatile pid_t ptid_word, ctid_word;
static atomic_int ready, go;
static long seen_tid, seen_pid, seen_ctid, seen_ptid;
static unsigned long seen_fs;

/* Runs on its own stack with a fake TLS: only raw syscalls (the syscall()
 * wrapper touches no TLS when it succeeds). */
static int raw_thread(void *arg)
{
    (void)arg;
    seen_tid = syscall(SYS_gettid);
    seen_pid = syscall(SYS_getpid);
    seen_ctid = ctid_word;
    seen_ptid = ptid_word;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &seen_fs);
    atomic_store(&ready, 1);
    while (!atomic_load(&go))
        syscall(SYS_sched_yield);
    return 0;                       /* glibc's clone() then calls SYS_exit */
}

static int status_threads(void)
{
    char buf[4096];
    read_file("/proc/self/status", buf, sizeof buf);
    char *p = strstr(buf, "\nThreads:");
    CHECK(p != NULL);
    return atoi(p + strlen("\nThreads:"));
}

int main(void)
{
    size_t stsz = 256 * 1024;
    char *stack = CHECK_OK(mmap(NULL, stsz, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    /* A fake thread control block: x86-64 wants fs:0 (and glibc fs:0x10)
     * to point at itself; copy the stack guard words from ours. */
    unsigned long *tls = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    unsigned long *tcb = tls + 256;
    unsigned long my_fs;
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &my_fs), 0);
    memcpy(tcb, (void *)my_fs, 64);
    tcb[0] = (unsigned long)tcb;
    tcb[2] = (unsigned long)tcb;

    ctid_word = -1;
    ptid_word = -1;
    int flags = THREAD_FLAGS | CLONE_SETTLS | CLONE_PARENT_SETTID |
                CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    pid_t tid = CHECK_OK(clone(raw_thread, stack + stsz, flags, NULL,
                               (pid_t *)&ptid_word, tcb, (pid_t *)&ctid_word));
    CHECK(tid > 0);
    CHECK_NE(tid, getpid());
    CHECK_EQ(ptid_word, tid);           /* stored before clone returned */

    while (!atomic_load(&ready))
        sched_yield();
    CHECK_EQ(seen_tid, tid);
    CHECK_EQ(seen_pid, getpid());       /* same thread group */
    CHECK_EQ(seen_ctid, tid);           /* CHILD_SETTID before it ran */
    CHECK_EQ(seen_ptid, tid);
    CHECK_EQ(seen_fs, (unsigned long)tcb);
    CHECK_EQ(ctid_word, tid);

    /* It is a thread of ours: listed, signalable, not a child. */
    CHECK_EQ(status_threads(), 2);
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/task/%d", tid);
    CHECK_OK(stat(path, &st));
    CHECK_EQ(syscall(SYS_tgkill, getpid(), tid, 0), 0);
    int ws;
    CHECK_ERR(waitpid(tid, &ws, __WALL | WNOHANG), ECHILD);

    /* Let it exit: the tid word is cleared and a FUTEX_WAIT (shared, as
     * the kernel's wake is) on it returns. */
    atomic_store(&go, 1);
    struct timespec ts = { 5, 0 };
    long long t0 = now_ns();
    pid_t v;
    while ((v = ctid_word) != 0) {
        long r = syscall(SYS_futex, &ctid_word, FUTEX_WAIT, v, &ts, NULL, 0);
        if (r == -1 && errno == ETIMEDOUT)
            FAIL("CLONE_CHILD_CLEARTID: no futex wake on the tid word");
        CHECK(r == 0 || errno == EAGAIN || errno == EINTR);
    }
    CHECK(now_ns() - t0 < 5000000000LL);
    CHECK_EQ(ptid_word, tid);           /* only the child tid is cleared */

    /* Once released it is gone (the release follows the clear closely). */
    int i;
    for (i = 0; i < 2000 && syscall(SYS_tgkill, getpid(), tid, 0) == 0; i++)
        sleep_ms(1);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 0), ESRCH);
    CHECK_EQ(status_threads(), 1);

    /* Invalid thread flag combinations (see clone(2)). */
    CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, stack + stsz, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND, stack + stsz, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_SIGHAND | SIGCHLD | CLONE_NEWPID,
                      stack + stsz, 0, 0, 0), EINVAL);
    munmap(stack, stsz);
    munmap(tls, 4096);
    return 0;
}
