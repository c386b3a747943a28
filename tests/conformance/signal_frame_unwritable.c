/* A handler whose signal frame cannot be written: the process gets SIGSEGV
 * (Linux's force_sigsegv), and when that SIGSEGV's own handler cannot get a
 * frame either, the process dies of SIGSEGV rather than trying again
 * forever.  Here both handlers run on an alternate stack that is not
 * mapped.  A handler registered without SA_RESTORER (raw rt_sigaction) has
 * no way back on x86-64: SIGSEGV too.  Found by the syscall fuzzer: the
 * sentry looped delivering SIGSEGV to a handler it could not reach. */
#include "check.h"

#include <sys/mman.h>

static void handler(int sig)
{
    (void)sig;
    (void)!write(5, "ran", 3);
}

/* The raw kernel sigaction (no restorer unless asked). */
struct k_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

enum { BOTH_UNREACHABLE, NO_RESTORER };

static pid_t run(int mode, int *rfd)
{
    pid_t pid = fork_reporting(rfd);
    if (pid == 0) {
        no_core_dumps();
        if (mode == BOTH_UNREACHABLE) {
            void *gone = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            munmap(gone, 65536);
            stack_t ss = { .ss_sp = gone, .ss_size = 65536 };
            sigaltstack(&ss, NULL);
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = handler;
            sa.sa_flags = SA_ONSTACK;
            sigaction(SIGUSR1, &sa, NULL);
            sigaction(SIGSEGV, &sa, NULL);
        } else {
            struct k_sigaction ka = { .handler = handler };
            syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
        }
        raise(SIGUSR1);
        (void)!write(5, "survived", 8);
        _exit(0);
    }
    return pid;
}

int main(void)
{
    for (int mode = BOTH_UNREACHABLE; mode <= NO_RESTORER; mode++) {
        int rfd;
        pid_t pid = run(mode, &rfd);
        CHECK_CHILD_SIGNALED(pid, SIGSEGV);
        char buf[16];
        CHECK_EQ(read(rfd, buf, sizeof buf), 0);   /* no handler ran, nothing after */
        close(rfd);
    }
    return 0;
}
