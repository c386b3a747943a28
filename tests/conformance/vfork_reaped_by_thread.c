/* vfork from one thread while another thread of the process reaps the
 * children as they exit: the vforking thread wakes up when its child exits
 * and must not look at the child after the other thread reaped it (found
 * by the syscall fuzzer: a use after free in the sentry, which the ASan
 * sentry of the conformance suite catches when the race is hit).  Every
 * child is reaped exactly once and vfork returns its pid each time. */
#include "check.h"

#include <pthread.h>

#define ROUNDS 300

static int reaped;

static void *reaper(void *arg)
{
    (void)arg;
    while (reaped < ROUNDS) {
        int st;
        pid_t p = waitpid(-1, &st, __WALL);
        if (p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7)
            reaped++;
        else if (p < 0 && errno != ECHILD && errno != EINTR)
            break;
    }
    return NULL;
}

int main(void)
{
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, reaper, NULL), 0);
    for (int i = 0; i < ROUNDS; i++) {
        pid_t pid = vfork();
        if (pid == 0)
            _exit(7);
        CHECK_OK(pid);
    }
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(reaped, ROUNDS);
    return 0;
}
