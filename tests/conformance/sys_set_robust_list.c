/* set_robust_list: size validation, and the kernel's exit-time walk that
 * marks futexes still held by a dying owner with FUTEX_OWNER_DIED. */
#include "check.h"
#include <linux/futex.h>
#include <stddef.h>
#include <sys/mman.h>

/* A robust lock as user space lays it out: list link + futex word. */
struct lock {
    struct robust_list link;
    uint32_t futex;
};

int main(void)
{
    struct robust_list_head head;
    head.list.next = &head.list;            /* empty list */
    head.futex_offset = 0;
    head.list_op_pending = NULL;

    /* Only sizeof(struct robust_list_head) is accepted.  Done in children
     * so the parent keeps glibc's registration. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(syscall(SYS_set_robust_list, &head, sizeof head), 0);
        CHECK_ERR(syscall(SYS_set_robust_list, &head, sizeof head - 1), EINVAL);
        CHECK_ERR(syscall(SYS_set_robust_list, &head, sizeof head + 8), EINVAL);
        CHECK_ERR(syscall(SYS_set_robust_list, &head, 0), EINVAL);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Two locks in shared memory: one held by the child when it dies, one
     * held by someone else.  Only the child's gets FUTEX_OWNER_DIED. */
    struct lock *locks = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                       MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        struct robust_list_head h;
        locks[0].futex = (uint32_t)syscall(SYS_gettid);      /* we own it */
        locks[1].futex = 12345;                             /* not ours */
        h.list.next = &locks[0].link;
        locks[0].link.next = &locks[1].link;
        locks[1].link.next = &h.list;
        h.futex_offset = offsetof(struct lock, futex) - offsetof(struct lock, link);
        h.list_op_pending = NULL;
        if (syscall(SYS_set_robust_list, &h, sizeof h) != 0)
            _exit(2);
        _exit(0);                  /* dies holding locks[0] */
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(locks[0].futex, FUTEX_OWNER_DIED);
    CHECK_EQ(locks[1].futex, 12345);

    /* An empty list: nothing happens at exit. */
    locks[0].futex = 0;
    pid = CHECK_OK(fork());
    if (pid == 0) {
        struct robust_list_head h = { { &h.list }, 0, NULL };
        locks[0].futex = (uint32_t)syscall(SYS_gettid);
        _exit(syscall(SYS_set_robust_list, &h, sizeof h) == 0 ? 0 : 2);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(locks[0].futex, pid);
    return 0;
}
