/* signalfd: the siginfo fields by kind (SIGCHLD's status and code, a fault
 * code's address), readiness through epoll, and whose signals a thread
 * reads (its own and its process's, not another thread's). */
#include "check.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

static int sfd;

static void *other_thread(void *arg)
{
    (void)arg;
    struct signalfd_siginfo si;
    /* A signal sent to the main thread is not this thread's to read. */
    if (read(sfd, &si, sizeof si) != -1 || errno != EAGAIN)
        return (void *)1L;
    if (syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2) != 0)
        return (void *)2L;
    if (read(sfd, &si, sizeof si) != sizeof si || si.ssi_signo != SIGUSR2)
        return (void *)3L;
    return NULL;
}

int main(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGSEGV);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &mask, NULL));
    sfd = CHECK_OK(signalfd(-1, &mask, SFD_NONBLOCK));
    struct signalfd_siginfo si;

    /* A child's exit: CLD_EXITED with the status, pid and uid. */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(7);
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 5 }, out;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev));
    CHECK_EQ(epoll_wait(ep, &out, 1, 5000), 1);   /* the SIGCHLD wakes it */
    CHECK_EQ(out.data.u32, 5);
    CHECK_EQ(read(sfd, &si, sizeof si), sizeof si);
    CHECK_EQ(si.ssi_signo, SIGCHLD);
    CHECK_EQ(si.ssi_code, CLD_EXITED);
    CHECK_EQ(si.ssi_pid, pid);
    CHECK_EQ(si.ssi_uid, getuid());
    CHECK_EQ(si.ssi_status, 7);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_CHILD_EXIT(pid, 7);

    /* Killed by a signal: CLD_KILLED and the signal number. */
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        for (;;)
            pause();
    }
    CHECK_OK(kill(pid, SIGTERM));
    CHECK_EQ(epoll_wait(ep, &out, 1, 5000), 1);
    CHECK_EQ(read(sfd, &si, sizeof si), sizeof si);
    CHECK_EQ(si.ssi_code, CLD_KILLED);
    CHECK_EQ(si.ssi_pid, pid);
    CHECK_EQ(si.ssi_status, SIGTERM);
    CHECK_CHILD_SIGNALED(pid, SIGTERM);

    /* A fault's code carries an address (queued to ourselves). */
    siginfo_t qi;
    memset(&qi, 0, sizeof qi);
    qi.si_signo = SIGSEGV;
    qi.si_code = SEGV_MAPERR;
    qi.si_addr = (void *)0x12345678;
    CHECK_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGSEGV, &qi));
    CHECK_EQ(read(sfd, &si, sizeof si), sizeof si);
    CHECK_EQ(si.ssi_signo, SIGSEGV);
    CHECK_EQ(si.ssi_code, SEGV_MAPERR);
    CHECK_EQ(si.ssi_addr, 0x12345678);
    CHECK_EQ(si.ssi_pid, 0);   /* a fault has no sender */
    /* The same code with a user signal number is just pid and uid. */
    memset(&qi, 0, sizeof qi);
    qi.si_code = SI_QUEUE;
    qi.si_pid = getpid();
    qi.si_uid = getuid();
    qi.si_value.sival_ptr = (void *)0xabcdef;
    CHECK_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &qi));
    CHECK_EQ(read(sfd, &si, sizeof si), sizeof si);
    CHECK_EQ(si.ssi_signo, SIGUSR1);
    CHECK_EQ(si.ssi_code, SI_QUEUE);
    CHECK_EQ(si.ssi_ptr, 0xabcdef);
    CHECK_EQ(si.ssi_addr, 0);

    /* Threads: a signal for the main thread is read by the main thread;
     * the other thread reads its own. */
    CHECK_OK(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1));
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, other_thread, NULL), 0);
    void *ret;
    CHECK_EQ(pthread_join(th, &ret), 0);
    CHECK_EQ((long)ret, 0);
    CHECK_EQ(read(sfd, &si, sizeof si), sizeof si);
    CHECK_EQ(si.ssi_signo, SIGUSR1);
    CHECK_EQ(si.ssi_code, SI_TKILL);
    CHECK_ERR(read(sfd, &si, sizeof si), EAGAIN);
    return 0;
}
