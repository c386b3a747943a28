/* clone(2) creating new processes (never threads): flags, tid stores,
 * exit signals and __WCLONE/__WALL, shared VM/files, invalid combinations. */
#include "check.h"
#include <sched.h>
#include <sys/mman.h>

static long raw_clone(unsigned long flags, void *stack, pid_t *ptid, pid_t *ctid)
{
    /* x86_64 argument order: flags, stack, parent_tid, child_tid, tls */
    return syscall(SYS_clone, flags, stack, ptid, ctid, 0UL);
}

static volatile int shared_var;
static int target_fd;

static int vm_child(void *arg)
{
    shared_var = (int)(long)arg;
    return 17;                       /* becomes the exit status */
}

static int files_child(void *arg)
{
    (void)arg;
    return close(target_fd) == 0 ? 0 : 1;
}

int main(void)
{
    int st;

    /* Plain fork-like clone: child gets 0, parent gets the pid. */
    pid_t me = getpid();
    long pid = CHECK_OK(raw_clone(SIGCHLD, NULL, NULL, NULL));
    if (pid == 0)
        _exit(getppid() == me ? 0 : 1);
    CHECK_CHILD_EXIT(pid, 0);

    /* CLONE_PARENT_SETTID stores in the parent's memory, CLONE_CHILD_SETTID
     * in the child's: without CLONE_VM the parent's ctid stays 0. */
    pid_t ptid = 0, ctid = 0;
    pid = CHECK_OK(raw_clone(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD,
                             NULL, &ptid, &ctid));
    if (pid == 0)
        _exit(ctid == getpid() ? 0 : 1);
    CHECK_EQ(ptid, pid);
    CHECK_EQ(ctid, 0);
    CHECK_CHILD_EXIT(pid, 0);

    /* A child with no exit signal is a "clone" child: plain waitpid does not
     * see it (ECHILD), __WCLONE and __WALL do. */
    pid = CHECK_OK(raw_clone(0, NULL, NULL, NULL));
    if (pid == 0)
        _exit(5);
    CHECK_ERR(waitpid(pid, &st, 0), ECHILD);
    CHECK_EQ(waitpid(pid, &st, __WCLONE), pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 5);
    pid = CHECK_OK(raw_clone(0, NULL, NULL, NULL));
    if (pid == 0)
        _exit(6);
    CHECK_EQ(waitpid(pid, &st, __WALL), pid);
    CHECK_EQ(WEXITSTATUS(st), 6);
    /* ...and __WCLONE does not see ordinary SIGCHLD children. */
    pid = CHECK_OK(raw_clone(SIGCHLD, NULL, NULL, NULL));
    if (pid == 0)
        _exit(0);
    CHECK_ERR(waitpid(pid, &st, __WCLONE), ECHILD);
    CHECK_EQ(waitpid(pid, &st, 0), pid);

    /* Invalid flag combinations. */
    CHECK_ERR(raw_clone(CLONE_SIGHAND | SIGCHLD, NULL, NULL, NULL), EINVAL);
    CHECK_ERR(raw_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD, NULL, NULL, NULL), EINVAL);

    /* CLONE_VM|CLONE_VFORK on a separate stack: a new process sharing our
     * memory; the parent resumes after the child exits. */
    size_t stsz = 256 * 1024;
    char *stack = CHECK_OK(mmap(NULL, stsz, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    shared_var = 0;
    pid = CHECK_OK(clone(vm_child, stack + stsz, CLONE_VM | CLONE_VFORK | SIGCHLD,
                         (void *)99L));
    CHECK_EQ(shared_var, 99);
    CHECK_CHILD_EXIT(pid, 17);

    /* Without CLONE_VM the child's store stays in its own copy. */
    shared_var = 0;
    pid = CHECK_OK(clone(vm_child, stack + stsz, SIGCHLD, (void *)55L));
    CHECK_CHILD_EXIT(pid, 17);
    CHECK_EQ(shared_var, 0);

    /* CLONE_FILES shares the descriptor table: a close in the child closes
     * the parent's descriptor; without it, only the child's copy. */
    target_fd = CHECK_OK(open("/dev/null", O_RDONLY));
    pid = CHECK_OK(clone(files_child, stack + stsz, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(fcntl(target_fd, F_GETFD));       /* still open here */
    CHECK_OK(close(target_fd));
    target_fd = CHECK_OK(open("/dev/null", O_RDONLY));
    pid = CHECK_OK(clone(files_child, stack + stsz,
                         CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, NULL));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_ERR(fcntl(target_fd, F_GETFD), EBADF);
    munmap(stack, stsz);
    return 0;
}
