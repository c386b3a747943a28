/* Ancillary data (net/core/scm.c): parsing a sendmsg's control messages,
 * the credentials a process may claim, and putting control messages and
 * received fds into the guest's buffer at recvmsg. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/socket/socket.h"

void scm_current_creds(struct task *t, pid_t *pid, uid_t *uid, gid_t *gid)
{
	pthread_mutex_lock(&t->k->lock);
	*pid = t->tg->tgid;
	*uid = t->tg->cred.uid;
	*gid = t->tg->cred.gid;
	pthread_mutex_unlock(&t->k->lock);
}

void sock_peer_creds(struct task *t, struct ucred *uc)
{
	pthread_mutex_lock(&t->k->lock);
	uc->pid = t->tg->tgid;
	uc->uid = t->tg->cred.euid;
	uc->gid = t->tg->cred.egid;
	pthread_mutex_unlock(&t->k->lock);
}

void scm_destroy(struct scm_cookie *scm)
{
	for (int i = 0; i < scm->nfp; i++)
		file_put(scm->fp[i]);
	free(scm->fp);
	scm->fp = NULL;
	scm->nfp = 0;
}

static int scm_fp_copy(struct task *t, const struct cmsghdr *c, struct scm_cookie *scm)
{
	int num = (int)((c->cmsg_len - sizeof *c) / sizeof(int));
	if (num <= 0)
		return 0;
	if (num > SCM_MAX_FD || scm->nfp + num > SCM_MAX_FD)
		return -EINVAL;
	if (!scm->fp) {
		scm->fp = calloc(SCM_MAX_FD, sizeof *scm->fp);
		if (!scm->fp)
			return -ENOMEM;
	}
	const int *fds = (const int *)CMSG_DATA(c);
	for (int i = 0; i < num; i++) {
		int fd;
		memcpy(&fd, fds + i, sizeof fd);   /* the buffer is the guest's layout */
		struct file *f = fd < 0 ? NULL : fd_get(t->files, fd);
		if (!f)
			return -EBADF;
		scm->fp[scm->nfp++] = f;
	}
	return 0;
}

/* scm_check_creds(): a process may claim only ids it could set itself. */
static int scm_check_creds(struct task *t, const struct ucred *uc)
{
	if (uc->uid == (uid_t)-1 || uc->gid == (gid_t)-1)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	const struct cred *c = &t->tg->cred;
	bool pid_ok = uc->pid == t->tg->tgid || cred_capable(c, CAP_SYS_ADMIN);
	bool uid_ok = uc->uid == c->uid || uc->uid == c->euid || uc->uid == c->suid ||
		      cred_capable(c, CAP_SETUID);
	bool gid_ok = uc->gid == c->gid || uc->gid == c->egid || uc->gid == c->sgid ||
		      cred_capable(c, CAP_SETGID);
	bool exists = kernel_find_tg(t->k, uc->pid) != NULL;
	pthread_mutex_unlock(&t->k->lock);
	if (!(pid_ok && uid_ok && gid_ok))
		return -EPERM;
	return exists ? 0 : -ESRCH;
}

/* One control message of a sendmsg (SOL_SOCKET only; others are the
 * protocol's, and no protocol here has any). */
static int scm_one(struct task *t, const struct cmsghdr *cm, bool fds_allowed,
		   struct scm_cookie *scm)
{
	if (cm->cmsg_level != SOL_SOCKET)
		return 0;
	switch (cm->cmsg_type) {
	case SCM_RIGHTS:
		return fds_allowed ? scm_fp_copy(t, cm, scm) : -EINVAL;
	case SCM_CREDENTIALS: {
		if (cm->cmsg_len != CMSG_LEN(sizeof(struct ucred)))
			return -EINVAL;
		struct ucred uc;
		memcpy(&uc, CMSG_DATA(cm), sizeof uc);
		int err = scm_check_creds(t, &uc);
		if (err < 0)
			return err;
		scm->has_creds = true;
		scm->pid = uc.pid;
		scm->uid = uc.uid;
		scm->gid = uc.gid;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

int scm_send(struct task *t, const struct sock_msg *m, bool fds_allowed,
	     struct scm_cookie *scm)
{
	memset(scm, 0, sizeof *scm);
	const char *base = m->control;
	size_t len = m->controllen, off = 0;
	int err = 0;
	/* for_each_cmsghdr() with CMSG_OK(): every header whole and inside. */
	while (err == 0 && len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr hdr;
		memcpy(&hdr, base + off, sizeof hdr);
		if (hdr.cmsg_len < sizeof hdr || hdr.cmsg_len > len - off) {
			err = -EINVAL;
			break;
		}
		/* An aligned copy: the guest's buffer need not be. */
		struct cmsghdr *cm = malloc(hdr.cmsg_len);
		if (!cm) {
			err = -ENOMEM;
			break;
		}
		memcpy(cm, base + off, hdr.cmsg_len);
		err = scm_one(t, cm, fds_allowed, scm);
		free(cm);
		size_t next = off + CMSG_ALIGN(hdr.cmsg_len);
		if (next > len)
			break;
		off = next;
	}
	if (err < 0)
		scm_destroy(scm);
	return err;
}

int sock_put_cmsg(struct task *t, struct sock_msg *m, int level, int type, const void *data,
		  size_t len)
{
	size_t cmlen = CMSG_LEN(len);
	if (!m->ucontrol || m->ucontrollen < sizeof(struct cmsghdr)) {
		m->flags |= MSG_CTRUNC;
		return 0;
	}
	if (m->ucontrollen < cmlen) {
		m->flags |= MSG_CTRUNC;
		cmlen = m->ucontrollen;
	}
	struct cmsghdr hdr = { .cmsg_len = cmlen, .cmsg_level = level, .cmsg_type = type };
	if (copy_to_user(t, m->ucontrol, &hdr, sizeof hdr) < 0 ||
	    copy_to_user(t, m->ucontrol + sizeof hdr, data, cmlen - sizeof hdr) < 0)
		return -EFAULT;
	size_t used = CMSG_SPACE(len) < m->ucontrollen ? CMSG_SPACE(len) : m->ucontrollen;
	m->ucontrol += used;
	m->ucontrollen -= used;
	return 0;
}

static unsigned task_nofile(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	rlim_t cur = t->tg->rlim[RLIMIT_NOFILE].rlim_cur;
	pthread_mutex_unlock(&t->k->lock);
	return cur > (1 << 20) ? (1 << 20) : (unsigned)cur;
}

/* scm_detach_fds(): installs what fits; the rest is closed. */
static void scm_detach_fds(struct task *t, struct sock_msg *m, struct scm_cookie *scm)
{
	bool cloexec = m->flags & MSG_CMSG_CLOEXEC;
	size_t room = m->ucontrollen <= sizeof(struct cmsghdr)
			      ? 0 : (m->ucontrollen - sizeof(struct cmsghdr)) / sizeof(int);
	int fdmax = room < (size_t)scm->nfp ? (int)room : scm->nfp;
	unsigned limit = task_nofile(t);
	uint64_t data = m->ucontrol + CMSG_LEN(0);
	int i;
	for (i = 0; i < fdmax; i++) {
		int fd = fd_install(t->files, scm->fp[i], 0, cloexec, limit);
		if (fd < 0)
			break;
		if (copy_to_user(t, data + (uint64_t)i * sizeof(int), &fd, sizeof fd) < 0) {
			fd_close(t->files, fd);
			break;
		}
	}
	if (i > 0) {
		struct cmsghdr hdr = { .cmsg_len = CMSG_LEN((size_t)i * sizeof(int)),
				       .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS };
		if (copy_to_user(t, m->ucontrol, &hdr, sizeof hdr) == 0) {
			size_t used = CMSG_SPACE((size_t)i * sizeof(int));
			if (used > m->ucontrollen)
				used = m->ucontrollen;
			m->ucontrol += used;
			m->ucontrollen -= used;
		}
	}
	if (i < scm->nfp || (scm->nfp && fdmax <= 0))
		m->flags |= MSG_CTRUNC;
	scm_destroy(scm);
}

void scm_recv(struct task *t, struct sock_msg *m, struct scm_cookie *scm, bool passcred)
{
	if (!m->ucontrol) {
		if (passcred || scm->nfp)
			m->flags |= MSG_CTRUNC;
		scm_destroy(scm);
		return;
	}
	if (passcred) {
		struct ucred uc = { scm->pid, scm->uid, scm->gid };
		sock_put_cmsg(t, m, SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof uc);
	}
	if (scm->nfp)
		scm_detach_fds(t, m, scm);
	scm_destroy(scm);
}
