/* chown, chgrp and chmod rules for an unprivileged owner: no giving files
 * away, a group only to one it belongs to, set-group-ID dropped by chmod
 * when not a member, set-user-ID cleared by chown; and what only the
 * owner (or CAP_FOWNER) may do. */
#include "check.h"
#include <grp.h>

int main(void)
{
    const char *dir = make_tmpdir();
    CHECK_OK(chmod(dir, 0777));
    write_file(tpath("f"), "x");
    CHECK_OK(chown(tpath("f"), 1000, 1000));
    write_file(tpath("rootfile"), "r");
    CHECK_OK(chmod(tpath("rootfile"), 0666));

    /* Root gives a file away; chown clears set-user-ID (root too). */
    CHECK_OK(chmod(tpath("rootfile"), 04755));
    CHECK_OK(chown(tpath("rootfile"), 0, 0));
    struct stat st;
    CHECK_OK(stat(tpath("rootfile"), &st));
    CHECK_EQ(st.st_mode & 07777, 0755);
    CHECK_OK(chmod(tpath("rootfile"), 0666));

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setgroups(2, (gid_t[]){ 2000, 2001 }), 0);
        CHECK_EQ(setgid(1000), 0);
        CHECK_EQ(setuid(1000), 0);
        /* Giving it to someone else: no. To ourselves: a no-op. */
        CHECK_ERR(chown(tpath("f"), 1001, -1), EPERM);
        CHECK_ERR(chown(tpath("f"), 0, -1), EPERM);
        CHECK_EQ(chown(tpath("f"), 1000, -1), 0);
        CHECK_EQ(chown(tpath("f"), -1, -1), 0);
        /* A group we are in (supplementary or our own), or its own. */
        CHECK_EQ(chown(tpath("f"), -1, 2001), 0);
        CHECK_OK(stat(tpath("f"), &st));
        CHECK_EQ(st.st_gid, 2001);
        CHECK_EQ(chown(tpath("f"), 1000, 1000), 0);
        CHECK_EQ(lchown(tpath("f"), -1, 2000), 0);
        CHECK_EQ(chown(tpath("f"), -1, 2000), 0);   /* its current group */
        CHECK_ERR(chown(tpath("f"), -1, 3000), EPERM);
        CHECK_ERR(chown(tpath("f"), -1, 0), EPERM);
        /* Not our file: even "changing" to its current owner is refused. */
        CHECK_ERR(chown(tpath("rootfile"), 0, -1), EPERM);
        CHECK_ERR(chown(tpath("rootfile"), -1, 0), EPERM);
        CHECK_ERR(chmod(tpath("rootfile"), 0600), EPERM);
        /* utimes: explicit times need ownership; "now" needs only write
         * permission. */
        struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
        CHECK_ERR(utimensat(AT_FDCWD, tpath("rootfile"), ts, 0), EPERM);
        CHECK_EQ(utimensat(AT_FDCWD, tpath("rootfile"), NULL, 0), 0);
        CHECK_EQ(utimensat(AT_FDCWD, tpath("f"), ts, 0), 0);

        /* chmod by the owner; set-group-ID kept only for a group we are
         * in. */
        CHECK_EQ(chmod(tpath("f"), 02755), 0);   /* group 2000: member */
        CHECK_OK(stat(tpath("f"), &st));
        CHECK_EQ(st.st_mode & 07777, 02755);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The file's group is one the owner is not in (root set it). */
    CHECK_OK(chown(tpath("f"), 1000, 4000));
    CHECK_OK(chmod(tpath("f"), 0644));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setgroups(0, NULL), 0);
        CHECK_EQ(setgid(1000), 0);
        CHECK_EQ(setuid(1000), 0);
        CHECK_EQ(chmod(tpath("f"), 06755), 0);
        CHECK_OK(stat(tpath("f"), &st));
        CHECK_EQ(st.st_mode & 07777, 04755);   /* set-group-ID silently dropped */
        /* chown by the owner (to its own group) clears set-user-ID. */
        CHECK_EQ(chown(tpath("f"), -1, 1000), 0);
        CHECK_OK(stat(tpath("f"), &st));
        CHECK_EQ(st.st_mode & 07777, 0755);
        CHECK_EQ(st.st_gid, 1000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
