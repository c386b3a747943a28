/* setreuid: which values each id may take, and when the saved
 * set-user-ID follows the effective one. */
#include "check.h"

static void check_ids(uid_t r, uid_t e, uid_t s)
{
    uid_t rr, ee, ss;
    CHECK_EQ(getresuid(&rr, &ee, &ss), 0);
    CHECK_EQ(rr, r);
    CHECK_EQ(ee, e);
    CHECK_EQ(ss, s);
}

int main(void)
{
    /* Only the effective id changes, to something other than the real
     * id: the saved id follows it. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setreuid(-1, 1000), 0);
        check_ids(0, 1000, 1000);
        /* The real id (0) still allows going back to it. */
        CHECK_EQ(setreuid(-1, 0), 0);
        check_ids(0, 0, 1000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Setting the real id makes saved = effective. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setreuid(1000, 2000), 0);
        check_ids(1000, 2000, 2000);
        /* Unprivileged now: swap real and effective (allowed), but no
         * other value. */
        CHECK_EQ(setreuid(2000, 1000), 0);
        check_ids(2000, 1000, 1000);
        CHECK_ERR(setreuid(0, -1), EPERM);
        CHECK_ERR(setreuid(-1, 0), EPERM);
        CHECK_ERR(setreuid(3000, -1), EPERM);
        /* The real id may take the effective one. */
        CHECK_EQ(setreuid(1000, -1), 0);
        check_ids(1000, 1000, 1000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The effective id may take the saved one, the real one may not. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setresuid(1000, 2000, 3000), 0);
        check_ids(1000, 2000, 3000);
        CHECK_ERR(setreuid(3000, -1), EPERM);
        /* euid back to the real id: the saved id stays as it was. */
        CHECK_EQ(setreuid(-1, 1000), 0);
        check_ids(1000, 1000, 3000);
        CHECK_EQ(setreuid(-1, 3000), 0);   /* to the saved id */
        check_ids(1000, 3000, 3000);
        /* A failed call changes nothing. */
        CHECK_ERR(setreuid(1000, 4000), EPERM);
        check_ids(1000, 3000, 3000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    check_ids(0, 0, 0);
    return 0;
}
