/* File permission checks after dropping privileges: a 0700 directory of
 * root's keeps an unprivileged process out (open, access, stat, mkdir,
 * unlink, chdir), its own files follow owner/group/other bits, and root
 * (with CAP_DAC_OVERRIDE) passes everything but executing a file no one
 * may execute. */
#include "check.h"
#include <grp.h>
#include <linux/capability.h>
#include <sys/fsuid.h>

static unsigned long long effective_caps(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        FAIL("capget");
    return d[0].effective | (unsigned long long)d[1].effective << 32;
}

static void drop_to(uid_t uid, gid_t gid)
{
    CHECK_EQ(setgroups(0, NULL), 0);
    CHECK_EQ(setgid(gid), 0);
    CHECK_EQ(setuid(uid), 0);
}

int main(void)
{
    const char *dir = make_tmpdir();
    CHECK_OK(chmod(dir, 0755));
    CHECK_OK(mkdir(tpath("private"), 0700));
    write_file(tpath("private/secret"), "s");
    CHECK_OK(mkdir(tpath("shared"), 0777));
    CHECK_OK(chmod(tpath("shared"), 0777));
    write_file(tpath("shared/rootfile"), "r");
    CHECK_OK(chmod(tpath("shared/rootfile"), 0644));
    write_file(tpath("noexec"), "#!/bin/sh\n");
    CHECK_OK(chmod(tpath("noexec"), 0644));

    /* Root reads and writes anything, but does not execute a file with no
     * execute bit at all. */
    CHECK_OK(chmod(tpath("private/secret"), 0));
    CHECK_EQ(access(tpath("private/secret"), R_OK | W_OK), 0);
    CHECK_ERR(access(tpath("noexec"), X_OK), EACCES);
    CHECK_OK(chmod(tpath("private/secret"), 0600));

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        drop_to(1000, 1000);
        struct stat st;
        /* The 0700 directory: no search, no listing, no creating. */
        CHECK_ERR(open(tpath("private/secret"), O_RDONLY), EACCES);
        CHECK_ERR(stat(tpath("private/secret"), &st), EACCES);
        CHECK_ERR(access(tpath("private/secret"), F_OK), EACCES);
        CHECK_ERR(open(tpath("private"), O_RDONLY | O_DIRECTORY), EACCES);
        CHECK_ERR(chdir(tpath("private")), EACCES);
        CHECK_ERR(mkdir(tpath("private/d"), 0755), EACCES);
        CHECK_ERR(unlink(tpath("private/secret")), EACCES);
        CHECK_ERR(open(tpath("private/new"), O_CREAT | O_WRONLY, 0644), EACCES);
        CHECK_EQ(stat(tpath("private"), &st), 0);   /* the directory itself is visible */
        CHECK_EQ(access(tpath("private"), R_OK), -1);
        /* A file of root's, 0644: readable, not writable. */
        CHECK_EQ(access(tpath("shared/rootfile"), R_OK), 0);
        CHECK_ERR(access(tpath("shared/rootfile"), W_OK), EACCES);
        CHECK_ERR(open(tpath("shared/rootfile"), O_WRONLY), EACCES);
        CHECK_ERR(truncate(tpath("shared/rootfile"), 0), EACCES);
        int fd = CHECK_OK(open(tpath("shared/rootfile"), O_RDONLY));
        close(fd);
        /* A world-writable directory: creating, and the new file is ours. */
        fd = CHECK_OK(open(tpath("shared/mine"), O_CREAT | O_WRONLY, 0600));
        CHECK_OK(fstat(fd, &st));
        CHECK_EQ(st.st_uid, 1000);
        CHECK_EQ(st.st_gid, 1000);
        close(fd);
        CHECK_OK(mkdir(tpath("shared/mydir"), 0700));
        /* Owner bits decide for the owner, even if others have more. */
        CHECK_OK(chmod(tpath("shared/mine"), 0077));
        CHECK_ERR(open(tpath("shared/mine"), O_RDONLY), EACCES);
        CHECK_OK(chmod(tpath("shared/mine"), 0600));
        CHECK_EQ(access(tpath("shared/mine"), R_OK | W_OK), 0);
        /* Root's file in a directory we may write: it can be removed. */
        CHECK_OK(unlink(tpath("shared/rootfile")));
        CHECK_OK(unlink(tpath("shared/mine")));
        CHECK_OK(rmdir(tpath("shared/mydir")));
        /* Other-bits: r-x on a directory means listing but no creating. */
        CHECK_ERR(mkdir(tpath("d"), 0755), EACCES);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The fsuid alone decides file access: leaving fsuid 0 drops the file
     * capabilities (not the others), coming back restores them. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        unsigned long long before = effective_caps();
        CHECK_EQ(setfsuid(1000), 0);
        CHECK_EQ(geteuid(), 0);
        unsigned long long now = effective_caps();
        CHECK_EQ(now & (1ULL << CAP_DAC_OVERRIDE), 0);
        CHECK_EQ(now & (1ULL << CAP_CHOWN), 0);
        CHECK_EQ(now & (1ULL << CAP_FOWNER), 0);
        CHECK_EQ(now & (1ULL << CAP_KILL), before & (1ULL << CAP_KILL));
        CHECK_EQ(now & (1ULL << CAP_SETUID), before & (1ULL << CAP_SETUID));
        CHECK_ERR(open(tpath("private/secret"), O_RDONLY), EACCES);
        CHECK_ERR(chmod(tpath("noexec"), 0600), EPERM);
        CHECK_EQ(access(tpath("private/secret"), R_OK), 0);   /* real uid 0 */
        int fd = CHECK_OK(open(tpath("shared/byfsuid"), O_CREAT | O_WRONLY, 0600));
        struct stat st;
        CHECK_OK(fstat(fd, &st));
        CHECK_EQ(st.st_uid, 1000);   /* created as the fsuid */
        close(fd);
        CHECK_EQ(setfsuid(0), 1000);
        CHECK_EQ(effective_caps(), before);
        fd = CHECK_OK(open(tpath("private/secret"), O_RDONLY));
        close(fd);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Group bits: a member of the file's group gets them. */
    CHECK_OK(chown(tpath("private"), 0, 4242));
    CHECK_OK(chmod(tpath("private"), 0750));
    CHECK_OK(chown(tpath("private/secret"), 0, 4242));
    CHECK_OK(chmod(tpath("private/secret"), 0640));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setgroups(1, (gid_t[]){ 4242 }), 0);
        CHECK_EQ(setgid(1000), 0);
        CHECK_EQ(setuid(1000), 0);
        char buf[8];
        CHECK_EQ(read_file(tpath("private/secret"), buf, sizeof buf), 1);
        CHECK_ERR(open(tpath("private/secret"), O_RDWR), EACCES);
        CHECK_ERR(unlink(tpath("private/secret")), EACCES);   /* r-x only */
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        drop_to(1000, 1000);   /* not a member any more */
        CHECK_ERR(open(tpath("private/secret"), O_RDONLY), EACCES);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
