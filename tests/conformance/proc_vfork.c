/* vfork: the parent is suspended until the child exits or execs, and the
 * child shares the parent's memory until then (see vfork(2), "Linux notes"). */
#include "check.h"

static volatile int shared_var;

int main(void)
{
    /* The child's store is visible to the parent: memory is shared. */
    shared_var = 1;
    pid_t pid = vfork();
    if (pid == 0) {
        shared_var = 42;
        _exit(3);
    }
    CHECK(pid > 0);
    CHECK_EQ(shared_var, 42);
    CHECK_CHILD_EXIT(pid, 3);

    /* The parent does not run until the child exits: a child that sleeps
     * 50 ms delays the parent's return from vfork by at least that long. */
    long long t0 = now_ns();
    pid = vfork();
    if (pid == 0) {
        struct timespec ts = { 0, 50 * 1000000L };
        syscall(SYS_nanosleep, &ts, NULL);
        _exit(0);
    }
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    CHECK_CHILD_EXIT(pid, 0);

    /* execve in the child releases the parent; the status is the program's. */
    char *argv[] = { "true", NULL };
    char *envp[] = { NULL };
    pid = vfork();
    if (pid == 0) {
        execve("/bin/true", argv, envp);
        _exit(127);
    }
    CHECK(pid > 0);
    CHECK_CHILD_EXIT(pid, 0);

    /* A failed execve returns in the child, which reports errno. */
    pid = vfork();
    if (pid == 0) {
        execve("/nonexistent/program", argv, envp);
        _exit(errno);
    }
    CHECK_CHILD_EXIT(pid, ENOENT);

    /* The child has its own pid and sees us as its parent. */
    pid_t me = getpid();
    volatile pid_t child_ppid = -1, child_pid = -1;
    pid = vfork();
    if (pid == 0) {
        child_pid = (pid_t)syscall(SYS_getpid);
        child_ppid = (pid_t)syscall(SYS_getppid);
        _exit(0);
    }
    CHECK_EQ(child_pid, pid);
    CHECK_NE(child_pid, me);
    CHECK_EQ(child_ppid, me);
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
