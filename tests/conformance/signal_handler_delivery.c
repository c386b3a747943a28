/* Delivery of caught signals: synchronous delivery to self, siginfo
 * contents, the mask while a handler runs and after it returns,
 * SA_NODEFER, SA_RESETHAND, nesting, signals from another process. */
#include "check.h"

static volatile sig_atomic_t count1, count2, in_handler_blocked1, in_handler_blocked2;
static volatile int si_signo_, si_code_, si_pid_, si_uid_, got_uc, order_pos;
static volatile int order[4];

static void h1(int sig, siginfo_t *si, void *uc)
{
    sigset_t cur;
    count1++;
    si_signo_ = si->si_signo;
    si_code_ = si->si_code;
    si_pid_ = si->si_pid;
    si_uid_ = si->si_uid;
    got_uc = uc != NULL;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    in_handler_blocked1 = sigismember(&cur, sig);
    in_handler_blocked2 = sigismember(&cur, SIGUSR2);
}

static void nest_outer(int sig)
{
    (void)sig;
    order[order_pos++] = 1;
    raise(SIGUSR2);                 /* not blocked: runs right now */
    order[order_pos++] = 3;
}

static void nest_inner(int sig)
{
    (void)sig;
    order[order_pos++] = 2;
}

static void counter(int sig)
{
    (void)sig;
    count2++;
}

int main(void)
{
    struct sigaction sa, old;
    sigset_t cur;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    sigemptyset(&cur);
    CHECK_OK(sigprocmask(SIG_SETMASK, &cur, NULL));

    /* A signal sent to oneself is delivered before kill() returns. */
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(count1, 1);
    CHECK_EQ(si_signo_, SIGUSR1);
    CHECK_EQ(si_code_, SI_USER);
    CHECK_EQ(si_pid_, getpid());
    CHECK_EQ(si_uid_, getuid());
    CHECK(got_uc);
    /* While the handler ran, the signal itself and sa_mask were blocked... */
    CHECK(in_handler_blocked1);
    CHECK(in_handler_blocked2);
    /* ...and afterwards the old mask is back. */
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(!sigismember(&cur, SIGUSR1));
    CHECK(!sigismember(&cur, SIGUSR2));

    /* raise() uses tgkill: si_code SI_TKILL. */
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK_EQ(count1, 2);
    CHECK_EQ(si_code_, SI_TKILL);

    /* SA_NODEFER: the signal is not blocked inside its handler. */
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(count1, 3);
    CHECK(!in_handler_blocked1);

    /* SA_RESETHAND: one delivery, then back to SIG_DFL. */
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(count1, 4);
    CHECK_OK(sigaction(SIGUSR1, NULL, &old));
    CHECK(old.sa_handler == SIG_DFL);

    /* A handler can be interrupted by another, unblocked, signal. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = nest_outer;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    sa.sa_handler = nest_inner;
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(order_pos, 3);
    CHECK_EQ(order[0], 1);
    CHECK_EQ(order[1], 2);
    CHECK_EQ(order[2], 3);

    /* A signal from another process carries that process's pid. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h1;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    pid_t parent = getpid();
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(kill(parent, SIGUSR1) == 0 ? 0 : 1);
    CHECK_CHILD_EXIT(pid, 0);
    count1 = 0;
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));   /* delivered here */
    CHECK_EQ(count1, 1);
    CHECK_EQ(si_pid_, pid);
    CHECK_EQ(si_code_, SI_USER);

    /* Plain sa_handler form, and signals that default to "ignore" are
     * still delivered when caught. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = counter;
    CHECK_OK(sigaction(SIGURG, &sa, NULL));
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    CHECK_OK(kill(getpid(), SIGURG));
    CHECK_OK(kill(getpid(), SIGCHLD));
    CHECK_EQ(count2, 2);
    return 0;
}
