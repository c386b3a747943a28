/* Controlling terminals and job control (drivers/tty/tty_jobctrl.c is the
 * reference).
 *
 * A process's controlling terminal is tg->tty (a counted reference, copied
 * at fork, dropped by setsid and at exit); a terminal knows the session it
 * controls and that session's foreground process group.  All of it is under
 * k->lock.  A session leader acquires a terminal by opening one without
 * O_NOCTTY or with TIOCSCTTY; when it exits the foreground group gets
 * SIGHUP and the session loses the terminal; when the terminal hangs up
 * (its master closed) the leader gets SIGHUP and SIGCONT.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/fs/tty.h"
#include "sentry/mm/mm.h"

bool tty_capable_admin(struct task *t)
{
	return cred_capable(&t->tg->cred, CAP_SYS_ADMIN);
}

static bool is_leader(const struct thread_group *tg)
{
	return tg->sid == tg->tgid;
}

/* kill_pgrp: sig to every live process of the group; priv: from the
 * kernel (SEND_SIG_PRIV), otherwise as if from sender. */
static void kill_pgrp_locked(struct kernel *k, pid_t pgrp, int sig,
			     const struct thread_group *sender)
{
	siginfo_t si = { .si_signo = sig, .si_code = SI_KERNEL };
	if (sender) {
		si.si_code = SI_USER;
		si.si_pid = sender->tgid;
		si.si_uid = sender->cred.uid;
	}
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = k->groups[i];
		if (g && g->state == TG_ALIVE && g->pgid == pgrp)
			send_signal_tg_locked(g, sig, &si);
	}
}

/* will_become_orphaned_pgrp(pgrp, NULL): no member has a parent in another
 * group of the same session, that could continue it. */
static bool pgrp_orphaned_locked(struct kernel *k, pid_t pgrp)
{
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = k->groups[i];
		if (!g || g->state != TG_ALIVE || g->pgid != pgrp)
			continue;
		struct thread_group *p = g->parent;
		if (p && p->pgid != pgrp && p->sid == g->sid)
			return false;
	}
	return true;
}

static void proc_clear_tty_locked(struct thread_group *tg)
{
	struct tty *tty = tg->tty;
	tg->tty = NULL;
	tty_put(tty);
}

/* session_clear_tty: nobody in the session keeps a controlling terminal. */
static void session_clear_tty_locked(struct kernel *k, pid_t sid)
{
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = k->groups[i];
		if (g && g->state != TG_REAPED && g->sid == sid && g->tty)
			proc_clear_tty_locked(g);
	}
}

void tty_set_ctty_locked(struct thread_group *tg, struct tty *tty)
{
	tty->session = tg->sid;
	tty->pgrp = tg->pgid;
	tty_get(tty);
	if (tg->tty)
		tty_put(tg->tty);
	tg->tty = tty;
	tg->tty_old_pgrp = 0;
}

struct tty *tty_current(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	struct tty *tty = t->tg->tty;
	if (tty)
		tty_get(tty);
	pthread_mutex_unlock(&t->k->lock);
	return tty;
}

bool tty_is_ctty(struct task *t, struct tty *tty)
{
	pthread_mutex_lock(&t->k->lock);
	bool r = t->tg->tty == tty;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

/* --- job-control checks -------------------------------------------------------- */

static bool sig_ignored_by(struct task *t, int sig)
{
	return (t->blocked & SIGBIT(sig)) ||
	       t->tg->sighand->action[sig - 1].handler == (uint64_t)SIG_IGN;
}

int tty_check_change(struct task *t, struct tty *tty, int sig)
{
	if (!t)
		return 0;
	struct kernel *k = t->k;
	int ret = 0;
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = t->tg;
	if (tg->tty == tty && tty->pgrp && tg->pgid != tty->pgrp) {
		if (sig_ignored_by(t, sig)) {
			if (sig == SIGTTIN)
				ret = -EIO;
		} else if (pgrp_orphaned_locked(k, tg->pgid)) {
			ret = -EIO;
		} else {
			kill_pgrp_locked(k, tg->pgid, sig, NULL);
			ret = -ERESTARTSYS;
		}
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

void tty_open_set_ctty(struct task *t, struct tty *tty, struct file *f, bool noctty)
{
	if (noctty)
		return;
	pthread_mutex_lock(&t->k->lock);
	struct thread_group *tg = t->tg;
	/* Write-only access does not make a controlling terminal. */
	if (is_leader(tg) && !tg->tty && !tty->session && file_readable(f))
		tty_set_ctty_locked(tg, tty);
	pthread_mutex_unlock(&t->k->lock);
}

/* --- hangups and signals --------------------------------------------------------- */

void tty_signal_pgrp(struct tty *tty, unsigned sigs)
{
	struct kernel *k = tty->k;
	pthread_mutex_lock(&k->lock);
	pid_t pgrp = tty->pgrp;
	for (int sig = 1; pgrp && sig < 32; sig++)
		if (sigs & (1u << sig))
			kill_pgrp_locked(k, pgrp, sig, NULL);
	pthread_mutex_unlock(&k->lock);
}

void tty_hangup_session(struct tty *tty)
{
	struct kernel *k = tty->k;
	siginfo_t si = { .si_code = SI_KERNEL };
	pthread_mutex_lock(&k->lock);
	/* tty_signal_session_leader(tty, 0) */
	for (pid_t i = 1; tty->session && i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = k->groups[i];
		if (!g || g->state == TG_REAPED || g->sid != tty->session)
			continue;
		if (g->tty == tty)
			proc_clear_tty_locked(g);
		if (!is_leader(g) || g->state != TG_ALIVE)
			continue;
		si.si_signo = SIGHUP;
		send_signal_tg_locked(g, SIGHUP, &si);
		si.si_signo = SIGCONT;
		send_signal_tg_locked(g, SIGCONT, &si);
		g->tty_old_pgrp = tty->pgrp;
	}
	tty->session = tty->pgrp = 0;
	pthread_mutex_unlock(&k->lock);
}

/* disassociate_ctty for a pty: the foreground group gets SIGHUP (and
 * SIGCONT when it is TIOCNOTTY, not an exit), the session loses the
 * terminal. */
static void disassociate_ctty_locked(struct thread_group *tg, bool on_exit)
{
	struct kernel *k = tg->k;
	if (!is_leader(tg))
		return;
	struct tty *tty = tg->tty;
	if (!tty) {
		if (on_exit && tg->tty_old_pgrp) {
			kill_pgrp_locked(k, tg->tty_old_pgrp, SIGHUP, NULL);
			kill_pgrp_locked(k, tg->tty_old_pgrp, SIGCONT, NULL);
		}
		tg->tty_old_pgrp = 0;
		return;
	}
	if (tty->pgrp) {
		kill_pgrp_locked(k, tty->pgrp, SIGHUP, on_exit ? NULL : tg);
		if (!on_exit)
			kill_pgrp_locked(k, tty->pgrp, SIGCONT, tg);
	}
	tg->tty_old_pgrp = 0;
	tty->session = tty->pgrp = 0;
	session_clear_tty_locked(k, tg->sid);
}

/* --- the kernel's hooks ------------------------------------------------------------ */

void tty_fork_locked(struct thread_group *child, struct thread_group *parent)
{
	child->tty = parent->tty;
	if (child->tty)
		tty_get(child->tty);
	child->tty_old_pgrp = 0;
}

void tty_setsid_locked(struct thread_group *tg)
{
	if (tg->tty)
		proc_clear_tty_locked(tg);
	tg->tty_old_pgrp = 0;
}

void tty_exit_locked(struct thread_group *tg)
{
	disassociate_ctty_locked(tg, true);
	if (tg->tty)
		proc_clear_tty_locked(tg);
}

void tty_proc_stat_locked(struct thread_group *tg, int *tty_nr, pid_t *tpgid)
{
	struct tty *tty = tg->tty;
	*tty_nr = 0;
	*tpgid = -1;
	if (tty) {
		unsigned minor = (unsigned)tty->index;
		*tty_nr = (int)((minor & 0xff) | (PTY_SLAVE_MAJOR << 8) | ((minor & ~0xffu) << 12));
		*tpgid = tty->pgrp ? tty->pgrp : -1;
	}
}

/* --- ioctls --------------------------------------------------------------------------- */

/* tiocsctty: a session leader without a terminal takes this one (root may
 * steal it from another session with arg 1). */
static long tiocsctty(struct task *t, struct tty *tty, struct file *f, uint64_t arg)
{
	struct kernel *k = t->k;
	bool admin = tty_capable_admin(t);
	long ret = 0;
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = t->tg;
	if (is_leader(tg) && tty->session == tg->sid)
		goto out;   /* already ours */
	if (!is_leader(tg) || tg->tty) {
		ret = -EPERM;
		goto out;
	}
	if (tty->session) {
		if (arg != 1 || !admin) {
			ret = -EPERM;
			goto out;
		}
		session_clear_tty_locked(k, tty->session);
	}
	if (!file_readable(f) && !admin) {
		ret = -EPERM;
		goto out;
	}
	tty_set_ctty_locked(tg, tty);
out:
	pthread_mutex_unlock(&k->lock);
	return ret;
}

/* The session a process group belongs to (session_of_pgrp: a member, else
 * the process with that pid); -ESRCH if the number is nobody's. */
static pid_t session_of_pgrp_locked(struct kernel *k, pid_t pgrp)
{
	pid_t by_pid = -1;
	bool used = false;
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = k->groups[i];
		if (!g || g->state == TG_REAPED)
			continue;
		if (g->pgid == pgrp)
			return g->sid;
		if (g->tgid == pgrp)
			by_pid = g->sid;
		if (g->tgid == pgrp || g->sid == pgrp)
			used = true;
	}
	if (by_pid > 0)
		return by_pid;
	return used ? 0 : -ESRCH;
}

static long tiocspgrp(struct task *t, struct tty *tty, uint64_t arg)
{
	int ret = tty_check_change(t, tty, SIGTTOU);
	if (ret == -EIO)
		return -ENOTTY;
	if (ret < 0)
		return ret;
	pid_t pgrp;
	if (copy_from_user(t, &pgrp, arg, sizeof pgrp) < 0)
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = t->tg;
	long r;
	if (tg->tty != tty || tty->session != tg->sid) {
		r = -ENOTTY;
	} else {
		pid_t sid = session_of_pgrp_locked(k, pgrp);
		if (sid < 0) {
			r = sid;
		} else if (sid != tg->sid) {
			r = -EPERM;
		} else {
			tty->pgrp = pgrp;
			r = 0;
		}
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

long tty_jobctrl_ioctl(struct task *t, struct tty *tty, bool master, struct file *f,
		       unsigned long cmd, uint64_t arg)
{
	struct kernel *k = t->k;
	pid_t v;
	switch (cmd) {
	case TIOCNOTTY:
		pthread_mutex_lock(&k->lock);
		if (master || t->tg->tty != tty) {
			pthread_mutex_unlock(&k->lock);
			return -ENOTTY;
		}
		disassociate_ctty_locked(t->tg, false);   /* no_tty() */
		if (t->tg->tty)
			proc_clear_tty_locked(t->tg);
		pthread_mutex_unlock(&k->lock);
		return 0;
	case TIOCSCTTY:
		return tiocsctty(t, tty, f, arg);
	case TIOCGPGRP:
	case TIOCGSID:
		/* Through the master anyone may ask; through the slave only
		 * the processes it is the controlling terminal of. */
		pthread_mutex_lock(&k->lock);
		if (!master && t->tg->tty != tty) {
			pthread_mutex_unlock(&k->lock);
			return -ENOTTY;
		}
		v = cmd == TIOCGPGRP ? tty->pgrp : tty->session;
		pthread_mutex_unlock(&k->lock);
		if (cmd == TIOCGSID && !v)
			return -ENOTTY;
		return copy_to_user(t, arg, &v, sizeof v) < 0 ? -EFAULT : 0;
	case TIOCSPGRP:
		return tiocspgrp(t, tty, arg);
	default:
		return -ENOIOCTLCMD;
	}
}
