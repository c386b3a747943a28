/* Identity: set*uid, set*gid, setfs*id, setgroups/getgroups, capget,
 * capset and the capability prctls (kernel/sys.c, kernel/groups.c,
 * kernel/capability.c and security/commoncap.c are the reference; the
 * capability bookkeeping of a uid change is cred_fix_setuid's).
 *
 * Each change works on a copy of the process's credentials taken under
 * k->lock and is committed, still under it, only if every check passed. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/prctl.h>
#include <linux/securebits.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define NO_ID ((uid_t)-1)

struct cred_change {
	struct cred old, new;
};

static void change_begin(struct task *t, struct cred_change *cc)
{
	pthread_mutex_lock(&t->k->lock);
	cc->old = t->tg->cred;
	cc->new = cc->old;
}

/* Commits cc->new if r is 0; returns r. */
static long change_end(struct task *t, struct cred_change *cc, long r)
{
	if (r == 0)
		tg_commit_cred_locked(t->tg, &cc->new);
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

/* --- uids ---------------------------------------------------------------------- */

static bool is_one_of(uid_t id, uid_t a, uid_t b, uid_t c)
{
	return id == a || id == b || id == c;
}

SYSCALL_DEFINE(setuid)
{
	uid_t uid = (uid_t)a0;
	if (uid == NO_ID)
		return -EINVAL;
	struct cred_change cc;
	change_begin(t, &cc);
	struct cred *n = &cc.new;
	const struct cred *o = &cc.old;
	long r = 0;
	if (cred_capable(o, CAP_SETUID))
		n->uid = n->suid = uid;
	else if (uid != o->uid && uid != o->suid)
		r = -EPERM;
	n->euid = n->fsuid = uid;
	if (r == 0)
		cred_fix_setuid(n, o, CRED_SETID_ID);
	return change_end(t, &cc, r);
}

SYSCALL_DEFINE(setreuid)
{
	uid_t ruid = (uid_t)a0, euid = (uid_t)a1;
	struct cred_change cc;
	change_begin(t, &cc);
	struct cred *n = &cc.new;
	const struct cred *o = &cc.old;
	bool cap = cred_capable(o, CAP_SETUID);
	long r = 0;
	if (ruid != NO_ID) {
		n->uid = ruid;
		if (ruid != o->uid && ruid != o->euid && !cap)
			r = -EPERM;
	}
	if (euid != NO_ID) {
		n->euid = euid;
		if (!is_one_of(euid, o->uid, o->euid, o->suid) && !cap)
			r = -EPERM;
	}
	/* The saved id follows the effective one when the real one is set,
	 * or the effective one moves away from the real one. */
	if (ruid != NO_ID || (euid != NO_ID && euid != o->uid))
		n->suid = n->euid;
	n->fsuid = n->euid;
	if (r == 0)
		cred_fix_setuid(n, o, CRED_SETID_RE);
	return change_end(t, &cc, r);
}

SYSCALL_DEFINE(setresuid)
{
	uid_t ruid = (uid_t)a0, euid = (uid_t)a1, suid = (uid_t)a2;
	struct cred_change cc;
	change_begin(t, &cc);
	struct cred *n = &cc.new;
	const struct cred *o = &cc.old;
	/* Without CAP_SETUID each id may only take one of the current three. */
	bool ruid_new = ruid != NO_ID && !is_one_of(ruid, o->uid, o->euid, o->suid);
	bool euid_new = euid != NO_ID && !is_one_of(euid, o->uid, o->euid, o->suid);
	bool suid_new = suid != NO_ID && !is_one_of(suid, o->uid, o->euid, o->suid);
	if ((ruid_new || euid_new || suid_new) && !cred_capable(o, CAP_SETUID))
		return change_end(t, &cc, -EPERM);
	if (ruid != NO_ID)
		n->uid = ruid;
	if (euid != NO_ID)
		n->euid = euid;
	if (suid != NO_ID)
		n->suid = suid;
	n->fsuid = n->euid;
	cred_fix_setuid(n, o, CRED_SETID_RES);
	return change_end(t, &cc, 0);
}

/* setfsuid/setfsgid always return the old value, whether or not they
 * changed anything. */
SYSCALL_DEFINE(setfsuid)
{
	uid_t uid = (uid_t)a0;
	struct cred_change cc;
	change_begin(t, &cc);
	const struct cred *o = &cc.old;
	long old = o->fsuid;
	bool ok = uid != NO_ID && (is_one_of(uid, o->uid, o->euid, o->suid) || uid == o->fsuid ||
				   cred_capable(o, CAP_SETUID));
	if (ok && uid != o->fsuid) {
		cc.new.fsuid = uid;
		cred_fix_setuid(&cc.new, o, CRED_SETID_FS);
		change_end(t, &cc, 0);
	} else {
		change_end(t, &cc, -EPERM);
	}
	return old;
}

/* --- gids ---------------------------------------------------------------------- */

SYSCALL_DEFINE(setgid)
{
	gid_t gid = (gid_t)a0;
	if (gid == (gid_t)NO_ID)
		return -EINVAL;
	struct cred_change cc;
	change_begin(t, &cc);
	struct cred *n = &cc.new;
	const struct cred *o = &cc.old;
	long r = 0;
	if (cred_capable(o, CAP_SETGID))
		n->gid = n->egid = n->sgid = n->fsgid = gid;
	else if (gid == o->gid || gid == o->sgid)
		n->egid = n->fsgid = gid;
	else
		r = -EPERM;
	return change_end(t, &cc, r);
}

SYSCALL_DEFINE(setregid)
{
	gid_t rgid = (gid_t)a0, egid = (gid_t)a1;
	struct cred_change cc;
	change_begin(t, &cc);
	struct cred *n = &cc.new;
	const struct cred *o = &cc.old;
	bool cap = cred_capable(o, CAP_SETGID);
	long r = 0;
	if (rgid != (gid_t)NO_ID) {
		if (rgid == o->gid || rgid == o->egid || cap)
			n->gid = rgid;
		else
			r = -EPERM;
	}
	if (egid != (gid_t)NO_ID) {
		if (is_one_of(egid, o->gid, o->egid, o->sgid) || cap)
			n->egid = egid;
		else
			r = -EPERM;
	}
	if (rgid != (gid_t)NO_ID || (egid != (gid_t)NO_ID && egid != o->gid))
		n->sgid = n->egid;
	n->fsgid = n->egid;
	return change_end(t, &cc, r);
}

SYSCALL_DEFINE(setresgid)
{
	gid_t rgid = (gid_t)a0, egid = (gid_t)a1, sgid = (gid_t)a2;
	struct cred_change cc;
	change_begin(t, &cc);
	struct cred *n = &cc.new;
	const struct cred *o = &cc.old;
	bool rgid_new = rgid != (gid_t)NO_ID && !is_one_of(rgid, o->gid, o->egid, o->sgid);
	bool egid_new = egid != (gid_t)NO_ID && !is_one_of(egid, o->gid, o->egid, o->sgid);
	bool sgid_new = sgid != (gid_t)NO_ID && !is_one_of(sgid, o->gid, o->egid, o->sgid);
	if ((rgid_new || egid_new || sgid_new) && !cred_capable(o, CAP_SETGID))
		return change_end(t, &cc, -EPERM);
	if (rgid != (gid_t)NO_ID)
		n->gid = rgid;
	if (egid != (gid_t)NO_ID)
		n->egid = egid;
	if (sgid != (gid_t)NO_ID)
		n->sgid = sgid;
	n->fsgid = n->egid;
	return change_end(t, &cc, 0);
}

SYSCALL_DEFINE(setfsgid)
{
	gid_t gid = (gid_t)a0;
	struct cred_change cc;
	change_begin(t, &cc);
	const struct cred *o = &cc.old;
	long old = o->fsgid;
	bool ok = gid != (gid_t)NO_ID &&
		  (is_one_of(gid, o->gid, o->egid, o->sgid) || gid == o->fsgid ||
		   cred_capable(o, CAP_SETGID));
	if (ok && gid != o->fsgid)
		cc.new.fsgid = gid;
	change_end(t, &cc, ok ? 0 : -EPERM);
	return old;
}

/* --- supplementary groups ---------------------------------------------------------- */

SYSCALL_DEFINE(getgroups)
{
	int size = (int)a0;
	if (size < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	const struct cred *c = &t->tg->cred;
	int n = c->ngroups;
	gid_t groups[CRED_NGROUPS_MAX];
	memcpy(groups, c->groups, (size_t)n * sizeof groups[0]);
	pthread_mutex_unlock(&t->k->lock);
	if (size == 0)
		return n;
	if (size < n)
		return -EINVAL;
	if (copy_to_user(t, a1, groups, (size_t)n * sizeof(gid_t)) < 0)
		return -EFAULT;
	return n;
}

static int compare_gids(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
	return x < y ? -1 : x > y;
}

SYSCALL_DEFINE(setgroups)
{
	int size = (int)a0;
	if (!cred_capable(&t->tg->cred, CAP_SETGID))
		return -EPERM;
	if (size < 0 || size > CRED_NGROUPS_MAX)
		return -EINVAL;
	gid_t groups[CRED_NGROUPS_MAX];
	if (size && copy_from_user(t, groups, a1, (size_t)size * sizeof(gid_t)) < 0)
		return -EFAULT;
	/* Kept sorted, as Linux does (getgroups shows the order). */
	qsort(groups, (size_t)size, sizeof groups[0], compare_gids);
	struct cred_change cc;
	change_begin(t, &cc);
	memcpy(cc.new.groups, groups, (size_t)size * sizeof groups[0]);
	cc.new.ngroups = size;
	return change_end(t, &cc, 0);
}

/* --- capget, capset --------------------------------------------------------------- */

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/* How many 32-bit words of each set the header's version has; an unknown
 * version is answered with the one the kernel prefers. */
static long cap_version(struct task *t, uint64_t uheader, unsigned *words)
{
	uint32_t version;
	if (copy_from_user(t, &version, uheader, sizeof version) < 0)
		return -EFAULT;
	switch (version) {
	case _LINUX_CAPABILITY_VERSION_1:
		*words = 1;
		return 0;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		*words = 2;
		return 0;
	default:
		version = _LINUX_CAPABILITY_VERSION_3;
		if (copy_to_user(t, uheader, &version, sizeof version) < 0)
			return -EFAULT;
		return -EINVAL;
	}
}

SYSCALL_DEFINE(capget)
{
	unsigned words;
	long r = cap_version(t, a0, &words);
	if (!a1 || r < 0)
		return !a1 && r == -EINVAL ? 0 : r;
	struct cap_header h;
	if (copy_from_user(t, &h, a0, sizeof h) < 0)
		return -EFAULT;
	if (h.pid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	struct task *target = h.pid ? kernel_find_task(t->k, h.pid) : t;
	struct cred c;
	if (target)
		c = target->tg->cred;
	pthread_mutex_unlock(&t->k->lock);
	if (!target)
		return -ESRCH;
	struct cap_data d[2];
	for (unsigned i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c.cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(c.cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c.cap_inheritable >> (32 * i));
	}
	return copy_to_user(t, a1, d, words * sizeof d[0]) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(capset)
{
	unsigned words;
	long r = cap_version(t, a0, &words);
	if (r < 0)
		return r;
	struct cap_header h;
	if (copy_from_user(t, &h, a0, sizeof h) < 0)
		return -EFAULT;
	if (h.pid != 0 && h.pid != t->tid)
		return -EPERM;   /* only one's own capabilities */
	struct cap_data d[2];
	memset(d, 0, sizeof d);
	if (copy_from_user(t, d, a1, words * sizeof d[0]) < 0)
		return -EFAULT;
	uint64_t e = d[0].effective | (uint64_t)d[1].effective << 32;
	uint64_t p = d[0].permitted | (uint64_t)d[1].permitted << 32;
	uint64_t i = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	struct cred_change cc;
	change_begin(t, &cc);
	return change_end(t, &cc, cred_capset(&cc.new, &cc.old, e, i, p));
}

/* --- the capability prctls (cap_task_prctl) ------------------------------------------- */

static bool cap_valid_arg(uint64_t cap)
{
	return cap <= CRED_CAP_LAST;
}

static long ambient(struct task *t, uint64_t op, uint64_t cap, uint64_t a4, uint64_t a5)
{
	struct cred_change cc;
	if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (cap || a4 || a5)
			return -EINVAL;
		change_begin(t, &cc);
		cc.new.cap_ambient = 0;
		return change_end(t, &cc, 0);
	}
	if (!cap_valid_arg(cap) || a4 || a5)
		return -EINVAL;
	uint64_t bit = 1ULL << cap;
	if (op == PR_CAP_AMBIENT_IS_SET)
		return (t->tg->cred.cap_ambient & bit) != 0;
	change_begin(t, &cc);
	const struct cred *o = &cc.old;
	long r = 0;
	if (op == PR_CAP_AMBIENT_RAISE) {
		/* Only what is both permitted and inheritable. */
		if (!(o->cap_permitted & bit) || !(o->cap_inheritable & bit) ||
		    (o->securebits & SECBIT_NO_CAP_AMBIENT_RAISE))
			r = -EPERM;
		cc.new.cap_ambient |= bit;
	} else if (op == PR_CAP_AMBIENT_LOWER) {
		cc.new.cap_ambient &= ~bit;
	} else {
		r = -EINVAL;
	}
	return change_end(t, &cc, r);
}

static long set_securebits(struct task *t, uint64_t bits)
{
	struct cred_change cc;
	change_begin(t, &cc);
	const struct cred *o = &cc.old;
	uint64_t locks = o->securebits & SECURE_ALL_LOCKS;
	long r = 0;
	/* No change to a locked bit, no unlocking, nothing unknown, and
	 * CAP_SETPCAP for anything. */
	if (((locks >> 1) & (o->securebits ^ bits)) || (locks & ~bits) ||
	    (bits & ~(uint64_t)(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) ||
	    !cred_capable(o, CAP_SETPCAP))
		r = -EPERM;
	cc.new.securebits = (unsigned)bits;
	return change_end(t, &cc, r);
}

long prctl_caps(struct task *t, int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const struct cred *c = &t->tg->cred;
	struct cred_change cc;
	long r;
	switch (option) {
	case PR_CAPBSET_READ:
		if (!cap_valid_arg(a2))
			return -EINVAL;
		return (c->cap_bset >> a2) & 1;
	case PR_CAPBSET_DROP:
		if (!cred_capable(c, CAP_SETPCAP))
			return -EPERM;
		if (!cap_valid_arg(a2))
			return -EINVAL;
		change_begin(t, &cc);
		cc.new.cap_bset &= ~(1ULL << a2);
		return change_end(t, &cc, 0);
	case PR_GET_KEEPCAPS:
		return (c->securebits & SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS:
		if (a2 > 1)
			return -EINVAL;
		change_begin(t, &cc);
		r = cc.old.securebits & SECBIT_KEEP_CAPS_LOCKED ? -EPERM : 0;
		if (a2)
			cc.new.securebits |= SECBIT_KEEP_CAPS;
		else
			cc.new.securebits &= ~(unsigned)SECBIT_KEEP_CAPS;
		return change_end(t, &cc, r);
	case PR_GET_SECUREBITS:
		return c->securebits;
	case PR_SET_SECUREBITS:
		return set_securebits(t, a2);
	case PR_CAP_AMBIENT:
		return ambient(t, a2, a3, a4, a5);
	default:
		return -ENOSYS;   /* not a capability prctl */
	}
}
