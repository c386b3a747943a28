/* access(2) checks with the real ids (and root's capabilities only if the
 * real uid is 0), faccessat(AT_EACCESS) with the effective ones; execve
 * gives root the bounding set and anyone else nothing, and keeps the ids
 * (no set-id program is involved). */
#include "check.h"
#include <grp.h>
#include <linux/capability.h>
#include <sys/auxv.h>

#define BIT(c) (1ULL << (c))

static void get_caps(unsigned long long *eff, unsigned long long *prm)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        FAIL("capget");
    *eff = d[0].effective | (unsigned long long)d[1].effective << 32;
    *prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
}

/* Re-exec'd: report what the new program has. */
static int report(char **argv)
{
    unsigned long long eff, prm;
    get_caps(&eff, &prm);
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    unsigned long long want_eff = strtoull(argv[2], NULL, 16);
    unsigned long long want_prm = strtoull(argv[3], NULL, 16);
    uid_t want_r = (uid_t)atoi(argv[4]), want_e = (uid_t)atoi(argv[5]);
    CHECK_EQ(eff, want_eff);
    CHECK_EQ(prm, want_prm);
    CHECK_EQ(r, want_r);
    CHECK_EQ(e, want_e);
    CHECK_EQ(s, want_e);   /* execve sets the saved id to the effective one */
    /* A privilege-raising exec: euid other than the real uid. */
    CHECK_EQ(getauxval(AT_SECURE), want_e != want_r);
    CHECK_EQ(getauxval(AT_UID), want_r);
    CHECK_EQ(getauxval(AT_EUID), want_e);
    CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);   /* reset by execve */
    return 0;
}

static void exec_report(char **argv, unsigned long long eff, unsigned long long prm, uid_t r,
                        uid_t e)
{
    char se[32], sp[32], sr[16], s_e[16];
    snprintf(se, sizeof se, "%llx", eff);
    snprintf(sp, sizeof sp, "%llx", prm);
    snprintf(sr, sizeof sr, "%u", r);
    snprintf(s_e, sizeof s_e, "%u", e);
    char *args[] = { argv[0], "report", se, sp, sr, s_e, NULL };
    execv(self_path(argv), args);
    FAIL("execv");
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return report(argv);
    unsigned long long eff, prm;
    get_caps(&eff, &prm);

    const char *dir = make_tmpdir();
    CHECK_OK(chmod(dir, 0755));
    write_file(tpath("rootonly"), "x");
    CHECK_OK(chmod(tpath("rootonly"), 0600));
    write_file(tpath("usersonly"), "x");
    CHECK_OK(chown(tpath("usersonly"), 1000, 1000));
    CHECK_OK(chmod(tpath("usersonly"), 0600));

    /* Real uid 0, effective 1000. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setresuid(0, 1000, 0), 0);
        CHECK_ERR(open(tpath("rootonly"), O_RDONLY), EACCES);
        CHECK_EQ(access(tpath("rootonly"), R_OK | W_OK), 0);     /* as real root */
        CHECK_ERR(faccessat(AT_FDCWD, tpath("rootonly"), R_OK, AT_EACCESS), EACCES);
        CHECK_EQ(faccessat(AT_FDCWD, tpath("usersonly"), R_OK, AT_EACCESS), 0);
        int fd = CHECK_OK(open(tpath("usersonly"), O_RDONLY));
        close(fd);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Real uid 1000, effective 0: the other way round. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setresuid(1000, 0, 0), 0);
        int fd = CHECK_OK(open(tpath("rootonly"), O_RDONLY));
        close(fd);
        CHECK_ERR(access(tpath("rootonly"), R_OK), EACCES);
        CHECK_EQ(access(tpath("usersonly"), R_OK), 0);
        CHECK_EQ(faccessat(AT_FDCWD, tpath("rootonly"), R_OK, AT_EACCESS), 0);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* execve as root: permitted = bounding set (a dropped capability stays
     * out), effective = permitted. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0), 0);
        unsigned long long want = prm & ~BIT(CAP_KILL);
        fflush(NULL);
        exec_report(argv, want, want, 0, 0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* execve as uid 1000 with capabilities kept (keep-caps): they are gone
     * after the exec. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
        CHECK_EQ(setgroups(0, NULL), 0);
        CHECK_EQ(setresuid(1000, 1000, 1000), 0);
        unsigned long long e2, p2;
        get_caps(&e2, &p2);
        CHECK_EQ(p2, prm);
        exec_report(argv, 0, 0, 1000, 1000);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* execve with euid 0 and real uid 1000 (a root "set-user-ID" state):
     * root by euid still gets everything; the saved uid becomes 0. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setresuid(1000, 0, 1000), 0);
        exec_report(argv, prm, prm, 1000, 0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
