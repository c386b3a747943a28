/* The socket syscalls (net/socket.c): argument checks, copying addresses,
 * message headers and options between the guest and the sentry, and
 * dispatch to the socket's family (sentry/socket/). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/socket/socket.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define SOCK_TYPE_MASK  0xf
#ifndef UIO_MAXIOV
#define UIO_MAXIOV      1024
#endif
#define MSG_CMSG_COMPAT 0x80000000U
#define OPT_MAX         256   /* the largest option value copied in or out */

/* The guest's struct msghdr and struct mmsghdr (x86-64). */
struct guest_msghdr {
	uint64_t name;
	uint32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad1;
};

struct guest_mmsghdr {
	struct guest_msghdr hdr;
	uint32_t len;
	uint32_t pad;
};

/* The socket at fd (a file reference in *fp), or NULL with *err. */
static struct socket *sockfd_get(struct task *t, int fd, struct file **fp, long *err)
{
	struct file *f = fd_get(t->files, fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	struct socket *s = socket_from_file(f);
	if (!s) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

/* move_addr_to_kernel() */
static long addr_from_user(struct task *t, uint64_t uaddr, int len, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	if (len < 0 || (size_t)len > sizeof *out)
		return -EINVAL;
	if (len == 0)
		return 0;
	return copy_from_user(t, out, uaddr, (size_t)len) < 0 ? -EFAULT : 0;
}

/* move_addr_to_user(): copies what fits, then writes the full length. */
static long addr_to_user(struct task *t, const struct sockaddr_storage *addr, int klen,
			 uint64_t uaddr, uint64_t ulen)
{
	int len;
	if (copy_from_user(t, &len, ulen, sizeof len) < 0)
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(t, uaddr, addr, (size_t)len) < 0)
		return -EFAULT;
	return copy_to_user(t, ulen, &klen, sizeof klen) < 0 ? -EFAULT : 0;
}

static long new_socket_fd(struct task *t, struct socket *s, unsigned flags)
{
	struct file *f = socket_file_new(s, flags & O_NONBLOCK);
	if (!f) {
		s->ops->release(s);
		return -ENOMEM;
	}
	long fd = install_fd(t, f, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

SYSCALL_DEFINE(socket)
{
	int family = (int)a0, type = (int)a1, protocol = (int)a2;
	unsigned flags = (unsigned)type & ~SOCK_TYPE_MASK;
	if (flags & ~(unsigned)(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	struct socket *s;
	long err = socket_create(t, family, type & SOCK_TYPE_MASK, protocol, &s);
	if (err < 0)
		return err;
	return new_socket_fd(t, s, flags);
}

SYSCALL_DEFINE(socketpair)
{
	int family = (int)a0, type = (int)a1, protocol = (int)a2;
	unsigned flags = (unsigned)type & ~SOCK_TYPE_MASK;
	if (flags & ~(unsigned)(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	type &= SOCK_TYPE_MASK;
	if (!mm_access_ok(t, a3, 2 * sizeof(int), PROT_WRITE))
		return -EFAULT;
	struct socket *sa, *sb;
	long err = socket_create(t, family, type, protocol, &sa);
	if (err < 0)
		return err;
	if ((err = socket_create(t, family, type, protocol, &sb)) < 0) {
		sa->ops->release(sa);
		return err;
	}
	err = sa->ops->socketpair ? sa->ops->socketpair(sa, sb, t) : -EOPNOTSUPP;
	struct file *fa = err < 0 ? NULL : socket_file_new(sa, flags);
	struct file *fb = fa ? socket_file_new(sb, flags) : NULL;
	if (!fb) {
		if (fa)
			file_put(fa);   /* releases sa */
		else
			sa->ops->release(sa);
		sb->ops->release(sb);
		return err < 0 ? err : -ENOMEM;
	}
	int fds[2] = { -1, -1 };
	fds[0] = install_fd(t, fa, flags & O_CLOEXEC);
	if (fds[0] >= 0)
		fds[1] = install_fd(t, fb, flags & O_CLOEXEC);
	file_put(fa);
	file_put(fb);
	err = fds[0] < 0 ? fds[0] : fds[1];
	if (err >= 0 && copy_to_user(t, a3, fds, sizeof fds) < 0)
		err = -EFAULT;
	if (err < 0) {
		if (fds[0] >= 0)
			fd_close(t->files, fds[0]);
		if (fds[1] >= 0)
			fd_close(t->files, fds[1]);
		return err;
	}
	return 0;
}

SYSCALL_DEFINE(bind)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage addr;
	err = addr_from_user(t, a1, (int)a2, &addr);
	if (err == 0)
		err = s->ops->bind ? s->ops->bind(s, t, (struct sockaddr *)&addr, (int)a2)
				   : -EOPNOTSUPP;
	file_put(f);
	return err;
}

SYSCALL_DEFINE(listen)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	int backlog = (int)a1;
	if ((unsigned)backlog > SOCK_SOMAXCONN)
		backlog = SOCK_SOMAXCONN;
	err = s->ops->listen ? s->ops->listen(s, t, backlog) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long do_accept(struct task *t, int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, fd, &f, &err);
	if (!s)
		return err;
	struct socket *child;
	err = s->ops->accept ? s->ops->accept(s, t, f->flags & O_NONBLOCK, &child) : -EOPNOTSUPP;
	if (err < 0) {
		file_put(f);
		return err;
	}
	struct file *nf = socket_file_new(child, (unsigned)flags & O_NONBLOCK);
	if (!nf) {
		child->ops->release(child);
		file_put(f);
		return -ENOMEM;
	}
	long newfd = install_fd(t, nf, flags & SOCK_CLOEXEC);
	if (newfd < 0) {
		/* Linux reserves the descriptor first: the connection stays queued. */
		nf->priv = NULL;
		file_put(nf);
		child->file = NULL;
		if (s->ops->unaccept)
			s->ops->unaccept(s, child);
		else
			child->ops->release(child);
		file_put(f);
		return newfd;
	}
	file_put(f);
	if (uaddr) {
		struct sockaddr_storage addr;
		int len = child->ops->getname(child, &addr, true);
		err = len < 0 ? -ECONNABORTED : addr_to_user(t, &addr, len, uaddr, ulen);
		if (err < 0) {
			fd_close(t->files, (int)newfd);   /* the connection goes, as in Linux */
			file_put(nf);
			return err;
		}
	}
	file_put(nf);
	return newfd;
}

SYSCALL_DEFINE(accept)
{
	return do_accept(t, (int)a0, a1, a2, 0);
}

SYSCALL_DEFINE(accept4)
{
	return do_accept(t, (int)a0, a1, a2, (int)a3);
}

SYSCALL_DEFINE(connect)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage addr;
	err = addr_from_user(t, a1, (int)a2, &addr);
	if (err == 0)
		err = s->ops->connect ? s->ops->connect(s, t, (struct sockaddr *)&addr, (int)a2,
							f->flags & O_NONBLOCK)
				      : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long do_getname(struct task *t, int fd, uint64_t uaddr, uint64_t ulen, bool peer)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, fd, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage addr;
	memset(&addr, 0, sizeof addr);
	int len = s->ops->getname(s, &addr, peer);
	file_put(f);
	if (len < 0)
		return len;
	return addr_to_user(t, &addr, len, uaddr, ulen);
}

SYSCALL_DEFINE(getsockname)
{
	return do_getname(t, (int)a0, a1, a2, false);
}

SYSCALL_DEFINE(getpeername)
{
	return do_getname(t, (int)a0, a1, a2, true);
}

SYSCALL_DEFINE(shutdown)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	err = s->ops->shutdown ? s->ops->shutdown(s, (int)a1) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* --- sending and receiving ------------------------------------------------------------ */

static long do_send(struct task *t, struct socket *s, struct file *f, struct sock_msg *m,
		    int flags)
{
	if (f->flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	return s->ops->sendmsg(s, t, m, flags);
}

static long do_recv(struct task *t, struct socket *s, struct file *f, struct sock_msg *m,
		    int flags)
{
	if (f->flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	return s->ops->recvmsg(s, t, m, m->data->left, flags);
}

SYSCALL_DEFINE(sendto)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	struct iovec v = { (void *)a1, a2 };
	struct sock_iter it;
	sock_iter_init(&it, t, false, &v, 1);
	struct sockaddr_storage addr;
	struct sock_msg m = { .data = &it };
	err = 0;
	if (a4) {
		err = addr_from_user(t, a4, (int)a5, &addr);
		m.name = &addr;
		m.namelen = (int)a5;
	}
	if (err == 0)
		err = do_send(t, s, f, &m, (int)a3);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(recvfrom)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	struct iovec v = { (void *)a1, a2 };
	struct sock_iter it;
	sock_iter_init(&it, t, false, &v, 1);
	struct sockaddr_storage addr;
	memset(&addr, 0, sizeof addr);
	struct sock_msg m = { .data = &it, .name = a4 ? &addr : NULL };
	err = do_recv(t, s, f, &m, (int)a3);
	if (err >= 0 && a4) {
		long e2 = addr_to_user(t, &addr, m.namelen, a4, a5);
		if (e2 < 0)
			err = e2;
	}
	file_put(f);
	return err;
}

/* A message header and its iovecs, in the sentry. */
struct kmsg {
	struct guest_msghdr h;
	struct iovec *iov;
	struct sock_iter it;
	struct sockaddr_storage addr;
	void *control;
};

static void kmsg_free(struct kmsg *k)
{
	free(k->iov);
	free(k->control);
}

/* copy_msghdr_from_user() and import_iovec(). */
static long kmsg_from_user(struct task *t, uint64_t umsg, struct kmsg *k, bool send)
{
	memset(k, 0, sizeof *k);
	if (copy_from_user(t, &k->h, umsg, sizeof k->h) < 0)
		return -EFAULT;
	if (!k->h.name)
		k->h.namelen = 0;
	if ((int)k->h.namelen < 0)
		return -EINVAL;
	if (k->h.namelen > sizeof(struct sockaddr_storage))
		k->h.namelen = sizeof(struct sockaddr_storage);
	if (send && k->h.name && k->h.namelen &&
	    copy_from_user(t, &k->addr, k->h.name, k->h.namelen) < 0)
		return -EFAULT;
	if (k->h.iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	size_t n = k->h.iovlen;
	k->iov = calloc(n ? n : 1, sizeof *k->iov);
	if (!k->iov)
		return -ENOMEM;
	if (n && copy_from_user(t, k->iov, k->h.iov, n * sizeof *k->iov) < 0)
		return -EFAULT;
	for (size_t i = 0; i < n; i++)
		if ((ssize_t)k->iov[i].iov_len < 0)
			return -EINVAL;
	sock_iter_init(&k->it, t, false, k->iov, (int)n);
	return 0;
}

/* ____sys_sendmsg(): the control data is copied into the sentry. */
static long sendmsg_one(struct task *t, struct socket *s, struct file *f, uint64_t umsg,
			unsigned flags, bool mmsg)
{
	struct kmsg k;
	long err = kmsg_from_user(t, umsg, &k, true);
	if (err == 0 && k.h.controllen > INT_MAX)
		err = -ENOBUFS;
	if (err == 0 && k.h.controllen) {
		if (k.h.controllen > SOCK_OPTMEM_MAX)
			err = -ENOBUFS;
		else if (!(k.control = malloc(k.h.controllen)))
			err = -ENOMEM;
		else if (copy_from_user(t, k.control, k.h.control, k.h.controllen) < 0)
			err = -EFAULT;
	}
	if (err == 0) {
		if (mmsg)
			flags |= (unsigned)k.h.flags & MSG_EOR;
		struct sock_msg m = { .data = &k.it, .control = k.control,
				      .controllen = k.h.controllen };
		if (k.h.namelen) {
			m.name = &k.addr;
			m.namelen = (int)k.h.namelen;
		}
		err = do_send(t, s, f, &m, (int)flags);
	}
	kmsg_free(&k);
	return err;
}

/* ____sys_recvmsg(): the source address, flags and control length go back
 * into the guest's header. */
static long recvmsg_one(struct task *t, struct socket *s, struct file *f, uint64_t umsg,
			unsigned flags)
{
	struct kmsg k;
	long err = kmsg_from_user(t, umsg, &k, false);
	if (err < 0) {
		kmsg_free(&k);
		return err;
	}
	struct sock_msg m = { .data = &k.it, .name = &k.addr, .ucontrol = k.h.control,
			      .ucontrollen = k.h.controllen,
			      .flags = (int)(flags & MSG_CMSG_CLOEXEC) };
	long len = do_recv(t, s, f, &m, (int)flags);
	kmsg_free(&k);
	if (len < 0)
		return len;
	if (k.h.name &&
	    (err = addr_to_user(t, &k.addr, m.namelen, k.h.name,
				umsg + offsetof(struct guest_msghdr, namelen))) < 0)
		return err;
	int32_t oflags = m.flags;
	uint64_t clen = m.ucontrol - k.h.control;
	if (copy_to_user(t, umsg + offsetof(struct guest_msghdr, flags), &oflags, sizeof oflags) < 0 ||
	    copy_to_user(t, umsg + offsetof(struct guest_msghdr, controllen), &clen, sizeof clen) < 0)
		return -EFAULT;
	return len;
}

SYSCALL_DEFINE(sendmsg)
{
	unsigned flags = (unsigned)a2;
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	err = sendmsg_one(t, s, f, a1, flags, false);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(recvmsg)
{
	unsigned flags = (unsigned)a2;
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	err = recvmsg_one(t, s, f, a1, flags);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(sendmmsg)
{
	unsigned vlen = (unsigned)a2, flags = (unsigned)a3;
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	unsigned done = 0;
	err = 0;
	while (done < vlen) {
		uint64_t entry = a1 + (uint64_t)done * sizeof(struct guest_mmsghdr);
		err = sendmsg_one(t, s, f, entry, flags, true);
		if (err < 0)
			break;
		uint32_t sent = (uint32_t)err;
		err = 0;
		if (copy_to_user(t, entry + offsetof(struct guest_mmsghdr, len), &sent,
				 sizeof sent) < 0) {
			err = -EFAULT;
			break;
		}
		done++;
	}
	file_put(f);
	return done ? (long)done : err;
}

SYSCALL_DEFINE(recvmmsg)
{
	unsigned vlen = (unsigned)a2, flags = (unsigned)a3;
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	struct timespec deadline, left;
	bool timed = a4 != 0;
	if (timed) {
		struct timespec ts;
		if (copy_from_user(t, &ts, a4, sizeof ts) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts);
	}
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	if (!(flags & MSG_ERRQUEUE) && (err = sock_error(s)) < 0) {
		file_put(f);
		return err;
	}
	unsigned done = 0;
	err = 0;
	while (done < vlen) {
		uint64_t entry = a1 + (uint64_t)done * sizeof(struct guest_mmsghdr);
		err = recvmsg_one(t, s, f, entry, flags & ~(unsigned)MSG_WAITFORONE);
		if (err < 0)
			break;
		uint32_t got = (uint32_t)err;
		err = 0;
		if (copy_to_user(t, entry + offsetof(struct guest_mmsghdr, len), &got,
				 sizeof got) < 0) {
			err = -EFAULT;
			break;
		}
		done++;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (timed) {
			left = ts_sub(deadline, ts_now(CLOCK_MONOTONIC));
			if (left.tv_sec < 0 || (left.tv_sec == 0 && left.tv_nsec == 0))
				break;
		}
	}
	if (err < 0 && done > 0 && err != -EAGAIN)
		atomic_store(&s->err, (int)-err);   /* reported by the next call */
	file_put(f);
	if (done == 0 && err < 0)
		return err;
	if (timed && done > 0) {
		left = ts_sub(deadline, ts_now(CLOCK_MONOTONIC));
		if (left.tv_sec < 0)
			left.tv_sec = left.tv_nsec = 0;
		if (copy_to_user(t, a4, &left, sizeof left) < 0)
			return -EFAULT;
	}
	return done;
}

/* --- options ---------------------------------------------------------------------------- */

SYSCALL_DEFINE(setsockopt)
{
	int level = (int)a1, name = (int)a2, optlen = (int)a4;
	if (optlen < 0)
		return -EINVAL;
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	char buf[OPT_MAX];
	memset(buf, 0, sizeof buf);
	size_t n = (size_t)optlen < sizeof buf ? (size_t)optlen : sizeof buf;
	err = n && copy_from_user(t, buf, a3, n) < 0 ? -EFAULT : 0;
	if (err == 0)
		err = socket_setsockopt(s, t, level, name, buf, (unsigned)optlen);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(getsockopt)
{
	int level = (int)a1, name = (int)a2;
	struct file *f;
	long err;
	struct socket *s = sockfd_get(t, (int)a0, &f, &err);
	if (!s)
		return err;
	int len;
	err = copy_from_user(t, &len, a4, sizeof len) < 0 ? -EFAULT : 0;
	if (err == 0 && len < 0)
		err = -EINVAL;
	if (err == 0) {
		char buf[OPT_MAX];
		memset(buf, 0, sizeof buf);
		unsigned ulen = (unsigned)len < sizeof buf ? (unsigned)len : sizeof buf;
		err = socket_getsockopt(s, t, level, name, buf, &ulen);
		if (err == 0) {
			len = (int)ulen;
			if ((ulen && copy_to_user(t, a3, buf, ulen) < 0) ||
			    copy_to_user(t, a4, &len, sizeof len) < 0)
				err = -EFAULT;
		}
	}
	file_put(f);
	return err;
}
