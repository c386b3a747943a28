/* capget and capset, the bounding set (PR_CAPBSET_READ/DROP), ambient
 * capabilities and PR_SET_KEEPCAPS across a uid change.  Everything is
 * relative to the capabilities root has here (a container may have fewer
 * than all). */
#include "check.h"
#include <linux/capability.h>

#define BIT(c) (1ULL << (c))

struct caps {
    unsigned long long eff, prm, inh;
};

static int capget_v(unsigned version, pid_t pid, struct caps *c)
{
    struct __user_cap_header_struct h = { version, pid };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    int r = (int)syscall(SYS_capget, &h, d);
    if (r == 0 && c) {
        c->eff = d[0].effective | (unsigned long long)d[1].effective << 32;
        c->prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
        c->inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
    }
    return r;
}

static struct caps get_caps(void)
{
    struct caps c;
    if (capget_v(_LINUX_CAPABILITY_VERSION_3, 0, &c) != 0)
        FAIL("capget");
    return c;
}

static int set_caps(unsigned long long eff, unsigned long long prm, unsigned long long inh)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (unsigned)eff, (unsigned)prm, (unsigned)inh },
        { (unsigned)(eff >> 32), (unsigned)(prm >> 32), (unsigned)(inh >> 32) },
    };
    return (int)syscall(SYS_capset, &h, d);
}

int main(void)
{
    struct caps root = get_caps();
    unsigned long long need = BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_SETPCAP) |
                              BIT(CAP_CHOWN) | BIT(CAP_KILL);
    CHECK_EQ(root.prm & need, need);
    CHECK_EQ(root.eff, root.prm);

    /* Versions: an unknown one is EINVAL and the header says which to use;
     * with a NULL data pointer that is the way to ask (0). */
    struct __user_cap_header_struct h = { 0x12345678, 0 };
    struct __user_cap_data_struct d[2];
    CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
    CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
    h.version = 0x12345678;
    CHECK_EQ(syscall(SYS_capget, &h, NULL), 0);
    CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
    CHECK_ERR(syscall(SYS_capget, BAD_PTR, d), EFAULT);
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = -1;
    CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
    /* Version 1 has the lower 32 capabilities only. */
    struct caps v1;
    CHECK_EQ(capget_v(_LINUX_CAPABILITY_VERSION_1, 0, &v1), 0);
    CHECK_EQ(v1.prm, root.prm & 0xffffffffULL);
    /* Another process's capabilities; a pid nobody has. */
    struct caps other;
    CHECK_EQ(capget_v(_LINUX_CAPABILITY_VERSION_3, getpid(), &other), 0);
    CHECK_EQ(other.prm, root.prm);
    pid_t gone = CHECK_OK(fork());
    if (gone == 0)
        _exit(0);
    CHECK_CHILD_EXIT(gone, 0);
    CHECK_ERR(capget_v(_LINUX_CAPABILITY_VERSION_3, gone, NULL), ESRCH);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* capset only for oneself. */
        struct __user_cap_header_struct hh = { _LINUX_CAPABILITY_VERSION_3, getppid() };
        struct __user_cap_data_struct dd[2];
        memset(dd, 0, sizeof dd);
        CHECK_ERR(syscall(SYS_capset, &hh, dd), EPERM);
        /* Effective must be within permitted. */
        CHECK_ERR(set_caps(root.prm, root.prm & ~BIT(CAP_KILL), 0), EPERM);
        /* Drop CAP_KILL from effective only: it can come back. */
        CHECK_EQ(set_caps(root.prm & ~BIT(CAP_KILL), root.prm, 0), 0);
        struct caps c = get_caps();
        CHECK_EQ(c.eff, root.prm & ~BIT(CAP_KILL));
        CHECK_EQ(c.prm, root.prm);
        CHECK_EQ(set_caps(root.prm, root.prm, 0), 0);
        /* Dropped from permitted, it cannot. */
        CHECK_EQ(set_caps(root.prm & ~BIT(CAP_KILL), root.prm & ~BIT(CAP_KILL), 0), 0);
        CHECK_ERR(set_caps(root.prm, root.prm, 0), EPERM);
        c = get_caps();
        CHECK_EQ(c.prm, root.prm & ~BIT(CAP_KILL));
        /* Inheritable: from permitted (with CAP_SETPCAP, anything in the
         * bounding set). */
        CHECK_EQ(set_caps(c.eff, c.prm, BIT(CAP_CHOWN)), 0);
        CHECK_EQ(get_caps().inh, BIT(CAP_CHOWN));

        /* Ambient: only what is permitted and inheritable. */
        CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0), 0);
        CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SETUID, 0, 0), EPERM);
        CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0), 0);
        CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0), 1);
        CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 1000, 0, 0), EINVAL);
        CHECK_ERR(prctl(PR_CAP_AMBIENT, 99, CAP_CHOWN, 0, 0), EINVAL);
        CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
        /* Taking it out of inheritable takes it out of ambient. */
        CHECK_EQ(set_caps(c.eff, c.prm, 0), 0);
        CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0), 0);
        CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), 0);

        /* The bounding set: readable, droppable with CAP_SETPCAP. */
        CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 1);
        CHECK_ERR(prctl(PR_CAPBSET_READ, 1000, 0, 0, 0), EINVAL);
        CHECK_ERR(prctl(PR_CAPBSET_READ, -1, 0, 0, 0), EINVAL);
        CHECK_EQ(prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0), 0);
        CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 0);
        CHECK_ERR(prctl(PR_CAPBSET_DROP, 1000, 0, 0, 0), EINVAL);
        /* Not in the bounding set: not even CAP_SETPCAP puts it into the
         * inheritable set. */
        CHECK_ERR(set_caps(c.eff, c.prm, BIT(CAP_CHOWN)), EPERM);
        /* Without CAP_SETPCAP, no more dropping. */
        CHECK_EQ(set_caps(c.eff & ~BIT(CAP_SETPCAP), c.prm, 0), 0);
        CHECK_ERR(prctl(PR_CAPBSET_DROP, CAP_SETUID, 0, 0, 0), EPERM);
        CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SETUID, 0, 0, 0), 1);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* keep-caps: the permitted set survives the change to all non-zero
     * uids; the effective set does not. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
        CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
        CHECK_EQ(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
        CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
        CHECK_EQ(setresuid(1000, 1000, 1000), 0);
        struct caps c = get_caps();
        CHECK_EQ(c.prm, root.prm);
        CHECK_EQ(c.eff, 0);
        /* It may raise them again into the effective set... */
        CHECK_EQ(set_caps(BIT(CAP_CHOWN) | BIT(CAP_SETUID), c.prm, 0), 0);
        CHECK_EQ(get_caps().eff, BIT(CAP_CHOWN) | BIT(CAP_SETUID));
        /* ...and use them, as uid 1000. */
        CHECK_EQ(setuid(2000), 0);
        CHECK_EQ(getuid(), 2000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Without keep-caps, everything goes; and a child starts with its
     * parent's sets. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        struct caps c = get_caps();
        CHECK_EQ(c.prm, root.prm);
        CHECK_EQ(setuid(1000), 0);
        c = get_caps();
        CHECK_EQ(c.prm, 0);
        CHECK_EQ(c.eff, 0);
        CHECK_ERR(set_caps(BIT(CAP_CHOWN), BIT(CAP_CHOWN), 0), EPERM);
        CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 1);   /* bounding stays */
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(get_caps().prm, root.prm);
    return 0;
}
