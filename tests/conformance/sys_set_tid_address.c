/* set_tid_address and CLONE_CHILD_SETTID/CLEARTID: the tid word is cleared
 * (and futex-woken) when a process sharing the memory exits. */
#include "check.h"
#include <sched.h>
#include <sys/mman.h>

static volatile pid_t word = -1, child_tid = -1, returned = -1;
static volatile pid_t ctid = -1;

static int via_syscall(void *arg)
{
    (void)arg;
    child_tid = (pid_t)syscall(SYS_gettid);
    word = child_tid;
    returned = (pid_t)syscall(SYS_set_tid_address, &word);
    return 0;
}

static int via_flags(void *arg)
{
    (void)arg;
    /* CLONE_CHILD_SETTID stored our tid before we started running. */
    return ctid == (pid_t)syscall(SYS_gettid) ? 0 : 1;
}

int main(void)
{
    /* It returns the caller's thread id. */
    CHECK_EQ(syscall(SYS_set_tid_address, NULL), gettid());
    static volatile int dummy;
    CHECK_EQ(syscall(SYS_set_tid_address, &dummy), gettid());

    size_t sz = 256 * 1024;
    char *stack = CHECK_OK(mmap(NULL, sz, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

    /* A child sharing our memory registers &word; its exit zeroes it. */
    pid_t pid = CHECK_OK(clone(via_syscall, stack + sz, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(child_tid, pid);
    CHECK_EQ(returned, pid);
    CHECK_EQ(word, 0);

    /* The same through clone flags. */
    pid = CHECK_OK(clone(via_flags, stack + sz,
                         CLONE_VM | CLONE_VFORK | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
                         NULL, NULL, NULL, &ctid));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(ctid, 0);

    /* Without shared memory the parent's copy is untouched. */
    word = 77;
    pid = CHECK_OK(fork());
    if (pid == 0) {
        syscall(SYS_set_tid_address, &word);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(word, 77);
    return 0;
}
