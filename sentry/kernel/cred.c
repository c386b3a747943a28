/* Credentials: ids, supplementary groups and capability sets, with the
 * rules Linux applies when they change (security/commoncap.c for the
 * capabilities, fs/exec.c for execve).  The syscalls that change ids
 * (kernel/sys.c's rules) are in sentry/syscalls/sys_identity.c.
 *
 * Credentials belong to the process (struct thread_group), not to each
 * thread: glibc makes every thread of a process change its ids together
 * anyway (SIGSETXID), and the id syscalls are idempotent for the threads
 * that follow the first.  Programs have no file capabilities (the sentry
 * stores no security.capability attributes); set-user-ID and set-group-ID
 * bits are honoured as Linux does, except on nosuid mounts (/proc, /tmp,
 * /dev...) and under no_new_privs.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <string.h>

#include "sentry/kernel/internal.h"

#define CAP_BIT(c) (1ULL << (c))

/* What fsuid 0 stood for before capabilities (CAP_FS_SET): leaving fsuid 0
 * drops these from the effective set, coming back raises them again from
 * the permitted one. */
#define CAP_FS_SET                                                                      \
	(CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_DAC_OVERRIDE) |          \
	 CAP_BIT(CAP_DAC_READ_SEARCH) | CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_FSETID) |     \
	 CAP_BIT(CAP_LINUX_IMMUTABLE) | CAP_BIT(CAP_MAC_OVERRIDE))

void cred_init(struct cred *c, uid_t uid, gid_t gid)
{
	memset(c, 0, sizeof *c);
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	c->cap_bset = CRED_CAP_FULL;
	if (uid == 0)
		c->cap_permitted = c->cap_effective = CRED_CAP_FULL;
}

bool cred_capable(const struct cred *c, int cap)
{
	return cap >= 0 && cap <= CRED_CAP_LAST && (c->cap_effective & CAP_BIT(cap));
}

bool cred_in_group(const struct cred *c, gid_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

void cred_for_access(struct cred *c)
{
	c->fsuid = c->uid;
	c->fsgid = c->gid;
	if (!(c->securebits & SECBIT_NO_SETUID_FIXUP))
		c->cap_effective = c->uid == 0 ? c->cap_permitted : 0;
}

/* --- id changes ----------------------------------------------------------------- */

static bool any_root(const struct cred *c)
{
	return c->uid == 0 || c->euid == 0 || c->suid == 0;
}

/* cap_emulate_setxuid */
static void emulate_setxuid(struct cred *new, const struct cred *old)
{
	if (any_root(old) && !any_root(new)) {
		if (!(new->securebits & SECBIT_KEEP_CAPS))
			new->cap_permitted = new->cap_effective = 0;
		/* Dropping root then exec'ing must drop everything, ambient too. */
		new->cap_ambient = 0;
	}
	if (old->euid == 0 && new->euid != 0)
		new->cap_effective = 0;
	if (old->euid != 0 && new->euid == 0)
		new->cap_effective = new->cap_permitted;
}

void cred_fix_setuid(struct cred *new, const struct cred *old, enum cred_setid kind)
{
	if (new->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	if (kind != CRED_SETID_FS) {
		emulate_setxuid(new, old);
		return;
	}
	if (old->fsuid == 0 && new->fsuid != 0)
		new->cap_effective &= ~CAP_FS_SET;
	if (old->fsuid != 0 && new->fsuid == 0)
		new->cap_effective |= new->cap_permitted & CAP_FS_SET;
}

int cred_capset(struct cred *new, const struct cred *old, uint64_t effective,
		uint64_t inheritable, uint64_t permitted)
{
	effective &= CRED_CAP_FULL;
	inheritable &= CRED_CAP_FULL;
	permitted &= CRED_CAP_FULL;
	/* Without CAP_SETPCAP, the inheritable set can only take from the
	 * permitted one; never beyond the bounding set. */
	if (!cred_capable(old, CAP_SETPCAP) &&
	    (inheritable & ~(old->cap_inheritable | old->cap_permitted)))
		return -EPERM;
	if (inheritable & ~(old->cap_inheritable | old->cap_bset))
		return -EPERM;
	if (permitted & ~old->cap_permitted)
		return -EPERM;
	if (effective & ~permitted)
		return -EPERM;
	new->cap_effective = effective;
	new->cap_inheritable = inheritable;
	new->cap_permitted = permitted;
	new->cap_ambient &= permitted & inheritable;
	return 0;
}

void tg_commit_cred_locked(struct thread_group *tg, const struct cred *new)
{
	const struct cred *old = &tg->cred;
	if (old->euid != new->euid || old->egid != new->egid || old->fsuid != new->fsuid ||
	    old->fsgid != new->fsgid) {
		/* fs.suid_dumpable is 0 in the sandbox. */
		tg->undumpable = true;
		struct task *o;
		list_for_each_entry(o, &tg->threads, tg_node)
			o->pdeath_signal = 0;
	}
	if (new != old)
		tg->cred = *new;
}

/* --- execve ------------------------------------------------------------------------ */

/* bprm_fill_uid: the set-user-ID and set-group-ID bits of the program. */
static void exec_setid(struct task *t, struct file *f, struct cred *c)
{
	if ((f->path.mnt && (f->path.mnt->flags & MNT_NOSUID)) || t->no_new_privs)
		return;
	struct inode *inode = f->inode;
	pthread_mutex_lock(&inode->lock);
	mode_t mode = inode->mode;
	uid_t uid = inode->uid;
	gid_t gid = inode->gid;
	pthread_mutex_unlock(&inode->lock);
	if (mode & S_ISUID)
		c->euid = uid;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		c->egid = gid;
}

void cred_exec_prepare(struct task *t, struct file *f, struct exec_cred *out)
{
	pthread_mutex_lock(&t->k->lock);
	const struct cred old = t->tg->cred;
	pthread_mutex_unlock(&t->k->lock);
	struct cred *c = &out->cred;
	*c = old;
	exec_setid(t, f, c);

	/* cap_bprm_creds_from_file for a program without file capabilities:
	 * pP' = root ? (bset | pI) : 0, then | pA; pE' = euid 0 ? pP' : pA. */
	bool effective = false;
	c->cap_permitted = 0;
	if (!(c->securebits & SECBIT_NOROOT)) {
		if (c->euid == 0 || c->uid == 0)
			c->cap_permitted = old.cap_bset | old.cap_inheritable;
		effective = c->euid == 0;
	}
	bool is_setid = c->euid != old.uid || c->egid != old.gid;
	bool gained = (c->cap_permitted & ~old.cap_permitted) != 0;
	if ((is_setid || gained) && t->no_new_privs) {
		/* Never more than the caller had. */
		c->euid = c->uid;
		c->egid = c->gid;
		c->cap_permitted &= old.cap_permitted;
	}
	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
	if (is_setid)
		c->cap_ambient = 0;
	c->cap_permitted |= c->cap_ambient;
	c->cap_effective = effective ? c->cap_permitted : c->cap_ambient;
	c->securebits &= ~(unsigned)SECBIT_KEEP_CAPS;

	/* A privilege-elevating exec: root running anything is not one. */
	out->secure = is_setid ||
		      (c->uid != 0 && (effective || (c->cap_permitted & ~c->cap_ambient)));
	/* Undumpable when the caller's ids were mixed, when the program may
	 * not be read, or when the ids change (begin_new_exec). */
	out->undumpable = old.euid != old.uid || old.egid != old.gid ||
			  inode_permission(&old, f->inode, MAY_READ) < 0;
}

void cred_exec_commit(struct task *t, const struct exec_cred *ec)
{
	pthread_mutex_lock(&t->k->lock);
	struct thread_group *tg = t->tg;
	tg->undumpable = ec->undumpable;
	if (ec->secure)
		t->pdeath_signal = 0;   /* the parent may not signal a privileged program */
	tg_commit_cred_locked(tg, &ec->cred);
	pthread_mutex_unlock(&t->k->lock);
}
