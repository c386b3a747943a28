/* The socket layer's common part: socket files on sockfs, dispatch to the
 * address families, the data iterator, blocking with timeouts and the
 * common ioctls.  Ancillary data is in scm.c, SOL_SOCKET options in
 * sockopt.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/socket/netlink.h"
#include "sentry/socket/socket.h"


/* --- the data iterator --------------------------------------------------------- */

void sock_iter_init(struct sock_iter *it, struct task *t, bool kernel, const struct iovec *iov,
		    int nr)
{
	it->t = t;
	it->kernel = kernel;
	it->iov = iov;
	it->nr = nr;
	it->idx = 0;
	it->off = 0;
	size_t total = 0;
	for (int i = 0; i < nr; i++) {
		/* import_iovec: the total is cut to MAX_RW_COUNT. */
		if (iov[i].iov_len > (size_t)SOCK_MAX_RW - total) {
			total = SOCK_MAX_RW;
			break;
		}
		total += iov[i].iov_len;
	}
	it->left = total;
}

/* Moves n bytes between buf and the iterator (to_iter: into it). */
static int iter_copy(struct sock_iter *it, void *buf, size_t n, bool to_iter)
{
	char *p = buf;
	if (n > it->left)
		return -EFAULT;
	while (n > 0) {
		if (it->idx >= it->nr)
			return -EFAULT;
		const struct iovec *v = &it->iov[it->idx];
		size_t room = v->iov_len - it->off;
		if (room == 0) {
			it->idx++;
			it->off = 0;
			continue;
		}
		size_t c = n < room ? n : room;
		uint64_t at = (uint64_t)v->iov_base + it->off;
		int err = 0;
		if (it->kernel) {
			if (to_iter)
				memcpy((char *)at, p, c);
			else
				memcpy(p, (const char *)at, c);
		} else {
			err = to_iter ? copy_to_user(it->t, at, p, c) : copy_from_user(it->t, p, at, c);
		}
		if (err < 0)
			return -EFAULT;
		p += c;
		n -= c;
		it->off += c;
		it->left -= c;
	}
	return 0;
}

int sock_iter_copy_from(struct sock_iter *it, void *dst, size_t n)
{
	return iter_copy(it, dst, n, false);
}

int sock_iter_copy_to(struct sock_iter *it, const void *src, size_t n)
{
	return iter_copy(it, (void *)src, n, true);
}

/* --- socket files ------------------------------------------------------------------ */

static const struct file_ops socket_fops;
static struct super_block *sockfs_sb;

static void init_sockfs(void)
{
	sockfs_sb = sb_new("sockfs", SOCKFS_MAGIC, NULL, 0);
}

struct socket *socket_from_file(struct file *f)
{
	return f && f->fop == &socket_fops ? f->priv : NULL;
}

static ssize_t sock_io(struct file *f, struct task *t, const struct iovec *iov, int n,
		       bool kernel, bool write)
{
	struct socket *s = f->priv;
	struct sock_iter it;
	sock_iter_init(&it, t, kernel, iov, n);
	struct sock_msg m = { .data = &it };
	int flags = (f->flags & O_NONBLOCK) ? MSG_DONTWAIT : 0;
	if (write)
		return s->ops->sendmsg(s, t, &m, flags | (s->type == SOCK_SEQPACKET ? MSG_EOR : 0));
	if (it.left == 0)
		return 0;   /* sock_read_iter: nothing asked, nothing read */
	return s->ops->recvmsg(s, t, &m, it.left, flags);
}

static ssize_t sock_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct iovec v = { buf, len };
	return sock_io(f, t, &v, 1, true, false);
}

static ssize_t sock_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *pos)
{
	struct iovec v = { (void *)buf, len };
	return sock_io(f, t, &v, 1, true, true);
}

static ssize_t sock_read_iov(struct file *f, struct task *t, const struct iovec *iov, int n)
{
	return sock_io(f, t, iov, n, false, false);
}

static ssize_t sock_write_iov(struct file *f, struct task *t, const struct iovec *iov, int n)
{
	return sock_io(f, t, iov, n, false, true);
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->priv;
	return s->ops->poll(s, pt, ~0U);
}

static long sock_file_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	return socket_ioctl(f->priv, t, cmd, arg);
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;
	if (s) {
		s->file = NULL;
		s->ops->release(s);
	}
}

static const struct file_ops socket_fops = {
	.read = sock_read,
	.write = sock_write,
	.read_iov = sock_read_iov,
	.write_iov = sock_write_iov,
	.poll = sock_poll,
	.ioctl = sock_file_ioctl,
	.release = sock_release,
};

struct file *socket_file_new(struct socket *s, unsigned flags)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, init_sockfs);
	if (!sockfs_sb)
		return NULL;
	struct inode *inode = inode_new(sockfs_sb, S_IFSOCK | 0777, NULL, &socket_fops);
	if (!inode)
		return NULL;
	/* Owned by whoever makes it (sock_alloc: the current fsuid/fsgid). */
	struct task *t = task_current();
	if (t) {
		pthread_mutex_lock(&t->k->lock);
		inode->uid = t->tg->cred.fsuid;
		inode->gid = t->tg->cred.fsgid;
		pthread_mutex_unlock(&t->k->lock);
	}
	struct file *f = file_new(inode, NULL, &socket_fops, O_RDWR | (flags & O_NONBLOCK));
	inode_put(inode);
	if (!f)
		return NULL;
	f->priv = s;
	s->file = f;
	return f;
}

void socket_init(struct socket *s, int family, int type, int protocol,
		 const struct socket_ops *ops)
{
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->ops = ops;
	s->file = NULL;
	atomic_init(&s->sndbuf, SOCK_WMEM_DEFAULT);
	atomic_init(&s->rcvbuf, SOCK_WMEM_DEFAULT);
	atomic_init(&s->rcvlowat, 1);
	atomic_init(&s->rcvtimeo_ns, INT64_MAX);
	atomic_init(&s->sndtimeo_ns, INT64_MAX);
	atomic_init(&s->err, 0);
	atomic_init(&s->passcred, false);
	atomic_init(&s->flags, 0);
	atomic_init(&s->linger_secs, 0);
	atomic_init(&s->priority, 0);
	atomic_init(&s->mark, 0);
	atomic_init(&s->cookie, 0);
}

int sock_error(struct socket *s)
{
	if (atomic_load(&s->err) == 0)
		return 0;
	return -atomic_exchange(&s->err, 0);
}

/* --- blocking ----------------------------------------------------------------------- */

void sock_timeo_init(struct sock_timeo *to, struct socket *s, bool nonblock, bool send)
{
	long long ns = atomic_load(send ? &s->sndtimeo_ns : &s->rcvtimeo_ns);
	to->nonblock = nonblock || ns == 0;
	to->has_deadline = !to->nonblock && ns != INT64_MAX;
	if (to->has_deadline) {
		struct timespec rel = { ns / 1000000000LL, ns % 1000000000LL };
		to->deadline = ts_add(ts_now(CLOCK_MONOTONIC), rel);
	}
}

int sock_block(struct task *t, const struct sock_timeo *to)
{
	if (to->nonblock)
		return -EAGAIN;
	if (to->has_deadline && ts_cmp(to->deadline, ts_now(CLOCK_MONOTONIC)) <= 0)
		return -EAGAIN;
	int err = task_block(t, to->has_deadline ? &to->deadline : NULL, NULL, 0);
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	if (err == -EINTR)
		return to->has_deadline ? -EINTR : -ERESTARTSYS;
	return 0;
}

/* --- families ------------------------------------------------------------------------ */

#define MAX_FAMILIES 8

static pthread_mutex_t families_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int family;
	socket_create_fn create;
} families[MAX_FAMILIES] = { { AF_UNIX, unix_create }, { AF_NETLINK, netlink_create } };

void socket_register_family(int family, socket_create_fn create)
{
	pthread_mutex_lock(&families_lock);
	for (int i = 0; i < MAX_FAMILIES; i++) {
		if (!families[i].create || families[i].family == family) {
			families[i].family = family;
			families[i].create = create;
			break;
		}
	}
	pthread_mutex_unlock(&families_lock);
}

int socket_create(struct task *t, int family, int type, int protocol, struct socket **out)
{
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= 11)   /* SOCK_MAX */
		return -EINVAL;
	socket_create_fn create = NULL;
	pthread_mutex_lock(&families_lock);
	for (int i = 0; i < MAX_FAMILIES && families[i].create; i++)
		if (families[i].family == family)
			create = families[i].create;
	pthread_mutex_unlock(&families_lock);
	if (!create)
		return -EAFNOSUPPORT;
	return create(t, type, protocol, out);
}

/* --- ioctls ---------------------------------------------------------------------------- */

long socket_ioctl(struct socket *s, struct task *t, unsigned long cmd, uint64_t arg)
{
	long r = s->ops->ioctl ? s->ops->ioctl(s, t, cmd, arg) : -ENOIOCTLCMD;
	if (r != -ENOIOCTLCMD)
		return r;
	switch (cmd) {
	case FIOSETOWN:
	case SIOCSPGRP:
		return 0;   /* no SIGIO/SIGURG delivery yet; the owner is not kept */
	case FIOGETOWN:
	case SIOCGPGRP: {
		int owner = 0;
		return copy_to_user(t, arg, &owner, sizeof owner);
	}
	case SIOCGSTAMP:
	case SIOCGSTAMPNS:
		return -ENOENT;
	default:
		/* Interface ioctls (SIOCGIFCONF, SIOCGIFINDEX...): netdev.c. */
		return netdev_ioctl(t, cmd, arg);
	}
}
