/* setgid, setregid, setresgid, setfsgid and the supplementary groups
 * (setgroups, getgroups), as root and after dropping privileges. */
#include "check.h"
#include <grp.h>
#include <sys/fsuid.h>

static void check_gids(gid_t r, gid_t e, gid_t s)
{
    gid_t rr, ee, ss;
    CHECK_EQ(getresgid(&rr, &ee, &ss), 0);
    CHECK_EQ(rr, r);
    CHECK_EQ(ee, e);
    CHECK_EQ(ss, s);
    CHECK_EQ(getgid(), r);
    CHECK_EQ(getegid(), e);
}

int main(void)
{
    gid_t orig[64];
    int norig = CHECK_OK(getgroups(64, orig));

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* Groups come back sorted, whatever order they were given in. */
        gid_t set[] = { 300, 100, 200, 100 };
        CHECK_EQ(setgroups(4, set), 0);
        CHECK_EQ(getgroups(0, NULL), 4);
        gid_t got[8];
        CHECK_EQ(getgroups(8, got), 4);
        CHECK_EQ(got[0], 100);
        CHECK_EQ(got[1], 100);
        CHECK_EQ(got[2], 200);
        CHECK_EQ(got[3], 300);
        CHECK_ERR(syscall(SYS_getgroups, 3, got), EINVAL);   /* too small */
        CHECK_ERR(syscall(SYS_getgroups, -1, got), EINVAL);
        CHECK_ERR(syscall(SYS_getgroups, 8, BAD_PTR), EFAULT);
        CHECK_ERR(setgroups(1, BAD_PTR), EFAULT);
        CHECK_ERR(syscall(SYS_setgroups, -1, set), EINVAL);
        CHECK_EQ(getgroups(0, NULL), 4);        /* failures changed nothing */
        CHECK_EQ(setgroups(0, NULL), 0);
        CHECK_EQ(getgroups(0, NULL), 0);

        /* setgid as root sets all three. */
        CHECK_EQ(setgid(1000), 0);
        check_gids(1000, 1000, 1000);
        CHECK_EQ(setfsgid(-1), 1000);
        /* Still uid 0 with CAP_SETGID: setregid may pick anything. */
        CHECK_EQ(setregid(2000, 3000), 0);
        check_gids(2000, 3000, 3000);
        CHECK_EQ(setresgid(10, 20, 30), 0);
        check_gids(10, 20, 30);
        CHECK_ERR(setgid(-1), EINVAL);

        /* Now without privileges. */
        CHECK_EQ(setgroups(1, (gid_t[]){ 40 }), 0);
        CHECK_EQ(setuid(1000), 0);
        CHECK_ERR(setgroups(0, NULL), EPERM);
        CHECK_ERR(setgroups(1, (gid_t[]){ 0 }), EPERM);
        CHECK_EQ(getgroups(8, got), 1);
        CHECK_EQ(got[0], 40);
        /* setgid: only to the real or saved gid, and then only the
         * effective (and fs) gid change. */
        CHECK_ERR(setgid(40), EPERM);   /* a supplementary group is not enough */
        CHECK_EQ(setgid(30), 0);
        check_gids(10, 30, 30);
        CHECK_EQ(setgid(10), 0);
        check_gids(10, 10, 30);
        CHECK_ERR(setresgid(-1, 50, -1), EPERM);
        CHECK_EQ(setresgid(30, -1, 10), 0);
        check_gids(30, 10, 10);
        CHECK_ERR(setregid(-1, 20), EPERM);   /* 20 is none of ours now */
        CHECK_EQ(setregid(10, 30), 0);
        check_gids(10, 30, 30);
        /* setfsgid answers the old value and only takes one of ours. */
        CHECK_EQ(setfsgid(99), 30);
        CHECK_EQ(setfsgid(-1), 30);   /* unchanged */
        CHECK_EQ(setfsgid(10), 30);
        CHECK_EQ(setfsgid(-1), 10);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The parent keeps its own groups. */
    gid_t now[64];
    CHECK_EQ(getgroups(64, now), norig);
    CHECK_MEMEQ(now, orig, (size_t)norig * sizeof(gid_t));
    check_gids(0, 0, 0);
    return 0;
}
