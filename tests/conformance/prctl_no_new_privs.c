/* PR_SET_NO_NEW_PRIVS (set once, for good, inherited by fork and kept by
 * execve) and PR_SET_DUMPABLE (0 or 1, inherited by fork, reset by
 * execve). */
#include "check.h"

int main(int argc, char **argv)
{
    if (argc > 1) {   /* exec'd with no_new_privs set and dumpable 0 */
        CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
        CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
        return 0;
    }
    CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
    CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
    CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
        CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
        CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
        CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
        CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
        CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);   /* again: fine */
        /* Dumpable: 0 and 1 only. */
        CHECK_ERR(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
        CHECK_EQ(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 0);
        CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        pid_t c = CHECK_OK(fork());
        if (c == 0) {
            CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
            CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
            _exit(0);
        }
        CHECK_CHILD_EXIT(c, 0);
        /* execve keeps no_new_privs and makes the process dumpable again. */
        char *args[] = { argv[0], "exec", NULL };
        execv(self_path(argv), args);
        _exit(99);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The parent is untouched. */
    CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
    CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);

    /* Capabilities are still usable under no_new_privs (it only stops
     * execve from granting more). */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        CHECK_EQ(setuid(1000), 0);
        CHECK_EQ(getuid(), 1000);
        CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
