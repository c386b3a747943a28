/* SA_NODEFER makes a handler re-entrant: raising the signal inside its own
 * handler nests immediately (depth grows); without it the new instance
 * waits until the handler returns and then runs (sequentially, depth 1).
 * sa_mask still applies under SA_NODEFER.  SA_RESETHAND alone keeps the
 * signal blocked in the handler; the re-raised instance then meets the
 * default action (in a child). */
#include "check.h"

static volatile int depth, max_depth, calls, order[16], norder;

static void recursive(int sig)
{
    calls++;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (norder < 16)
        order[norder++] = depth;
    if (calls < 4)
        raise(sig);
    if (norder < 16)
        order[norder++] = -depth;
    depth--;
}

static volatile int usr2_seen_inside;
static void masked_check(int sig)
{
    (void)sig;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    usr2_seen_inside = sigismember(&cur, SIGUSR2) * 2 + sigismember(&cur, SIGUSR1);
}

static void set(int sig, void (*h)(int), int flags, int mask_sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    if (mask_sig)
        sigaddset(&sa.sa_mask, mask_sig);
    CHECK_OK(sigaction(sig, &sa, NULL));
}

int main(void)
{
    /* Re-entrant: 1, 2, 3, 4 deep, then unwinding. */
    set(SIGUSR1, recursive, SA_NODEFER, 0);
    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(calls, 4);
    CHECK_EQ(max_depth, 4);
    static const int nested[8] = { 1, 2, 3, 4, -4, -3, -2, -1 };
    CHECK_EQ(norder, 8);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(order[i], nested[i]);

    /* Deferred: each instance runs after the previous returns. */
    calls = max_depth = norder = 0;
    set(SIGUSR1, recursive, 0, 0);
    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(calls, 4);
    CHECK_EQ(max_depth, 1);
    static const int serial[8] = { 1, -1, 1, -1, 1, -1, 1, -1 };
    CHECK_EQ(norder, 8);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(order[i], serial[i]);

    /* SA_NODEFER with sa_mask: the mask still applies, the signal not. */
    set(SIGUSR1, masked_check, SA_NODEFER, SIGUSR2);
    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(usr2_seen_inside, 2);
    set(SIGUSR1, masked_check, 0, SIGUSR2);
    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(usr2_seen_inside, 3);

    /* SA_RESETHAND alone: the signal is blocked inside (Linux does not
     * imply SA_NODEFER), so the raise inside is delivered after return,
     * to the now default action. */
    int rfd;
    pid_t pid = fork_reporting(&rfd);
    if (pid == 0) {
        set(SIGUSR1, masked_check, SA_RESETHAND, 0);
        raise(SIGUSR1);                 /* caught once */
        char c = (char)('0' + usr2_seen_inside);
        (void)!write(5, &c, 1);
        struct sigaction cur;
        sigaction(SIGUSR1, NULL, &cur);
        c = cur.sa_handler == SIG_DFL ? 'D' : 'H';
        (void)!write(5, &c, 1);
        raise(SIGUSR1);                 /* default action: killed */
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGUSR1);
    char buf[4] = { 0 };
    CHECK_EQ(read(rfd, buf, sizeof buf), 2);
    CHECK_EQ(buf[0], '1');              /* SIGUSR1 blocked inside */
    CHECK_EQ(buf[1], 'D');
    return 0;
}
