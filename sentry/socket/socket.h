/* The socket layer: what the socket syscalls (sentry/syscalls/sys_socket.c)
 * and the address families (unix*.c here; the netstack later) share.
 * socket.c has the files, families, data iterator and waits; scm.c the
 * ancillary data; sockopt.c the SOL_SOCKET options.
 *
 * A socket is an open file on the sentry's sockfs (SOCKFS_MAGIC, mode
 * S_IFSOCK | 0777: fstat and /proc/[pid]/fd show "socket:[ino]") whose
 * priv is the struct socket.  The family allocates the socket (struct
 * socket is the first member of its own structure), fills in ops, and the
 * file's last reference calls ops->release.  read/write/readv/writev on
 * the file are recvmsg/sendmsg without flags (MSG_DONTWAIT when the file
 * is O_NONBLOCK).
 *
 * Families: AF_UNIX (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET; SOCK_RAW is
 * SOCK_DGRAM, as Linux has it).  Every other family, AF_INET, AF_INET6
 * and AF_NETLINK included, gives -EAFNOSUPPORT until it registers itself
 * with socket_register_family() (the netstack, issue 5).
 *
 * Data moves through a sock_iter: guest memory (iovecs of guest addresses,
 * read and written only with the copy helpers) or, for file_ops callers
 * such as sendfile, sentry memory.
 *
 * Not yet: MSG_OOB on unix streams (EOPNOTSUPP, as a kernel built without
 * CONFIG_AF_UNIX_OOB answers), SO_PEEK_OFF, SO_PEERGROUPS, pidfd options,
 * SIOCUNIXFILE, timestamps in control messages, SIGIO/SIGURG owners.
 *
 * Blocking follows Linux: O_NONBLOCK or MSG_DONTWAIT gives -EAGAIN; a
 * timeout (SO_RCVTIMEO/SO_SNDTIMEO) that expires gives -EAGAIN; a signal
 * gives -ERESTARTSYS, or -EINTR when a timeout is set (sock_intr_errno).
 */
#ifndef SENTRY_SOCKET_SOCKET_H
#define SENTRY_SOCKET_SOCKET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

struct task;
struct file;
struct poll_table;
struct socket;

#define SOCK_MIN_SNDBUF   4608       /* 2 * (2048 + sizeof(struct sk_buff)), as Linux */
#define SOCK_MIN_RCVBUF   2304
#define SOCK_WMEM_DEFAULT 212992     /* net.core.wmem_default / rmem_default */
#define SOCK_WMEM_MAX     212992     /* net.core.wmem_max / rmem_max */
#define SOCK_SOMAXCONN    4096       /* net.core.somaxconn */
#define SOCK_MAX_RW       0x7ffff000L   /* MAX_RW_COUNT: one call moves at most this */
#define SCM_MAX_FD        253        /* fds in one message */
#define SOCK_OPTMEM_MAX   131072     /* net.core.optmem_max: control data of a sendmsg */
#define ENOIOCTLCMD       515        /* kernel-internal: "not my ioctl" */

/* --- data ------------------------------------------------------------------ */

struct sock_iter {
	struct task *t;
	bool kernel;               /* iov_base are sentry pointers */
	const struct iovec *iov;
	int nr;
	int idx;                   /* current segment */
	size_t off;                /* offset in it */
	size_t left;               /* bytes still to move (at most SOCK_MAX_RW) */
};

void sock_iter_init(struct sock_iter *it, struct task *t, bool kernel, const struct iovec *iov,
		    int nr);
/* Copy n bytes (n <= it->left) out of / into the iterator, advancing it;
 * 0 or -EFAULT (the position is then undefined). */
int sock_iter_copy_from(struct sock_iter *it, void *dst, size_t n);
int sock_iter_copy_to(struct sock_iter *it, const void *src, size_t n);

/* One sendmsg or recvmsg, in the sentry. */
struct sock_msg {
	/* sendmsg: the destination (namelen 0: none).  recvmsg: the family
	 * stores the source there and sets namelen (0: unnamed). */
	struct sockaddr_storage *name;
	int namelen;
	struct sock_iter *data;
	/* sendmsg: the control messages, copied into the sentry. */
	const void *control;
	size_t controllen;
	/* recvmsg: the guest's control buffer (0: none), advanced past each
	 * message put there; ucontrollen is what is left of it. */
	uint64_t ucontrol;
	size_t ucontrollen;
	/* recvmsg: MSG_CMSG_CLOEXEC in; MSG_TRUNC, MSG_CTRUNC... out. */
	int flags;
};

/* Ancillary data of one message (Linux's scm_cookie). */
struct scm_cookie {
	struct file **fp;          /* SCM_RIGHTS: references held */
	int nfp;
	bool has_creds;            /* SCM_CREDENTIALS sent, or added by the family */
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* Parses the control messages of a sendmsg (__scm_send): SCM_RIGHTS
 * (only if fds_allowed, else -EINVAL), SCM_CREDENTIALS (checked against
 * the sender's ids: its own unless it has the capabilities); a malformed
 * header is -EINVAL, a bad fd -EBADF, an unknown pid -ESRCH. */
int scm_send(struct task *t, const struct sock_msg *m, bool fds_allowed,
	     struct scm_cookie *scm);
void scm_destroy(struct scm_cookie *scm);
/* The caller's own credentials as SCM_CREDENTIALS carries them (tgid,
 * real uid and gid), and as SO_PEERCRED reports them (effective ids). */
void scm_current_creds(struct task *t, pid_t *pid, uid_t *uid, gid_t *gid);
void sock_peer_creds(struct task *t, struct ucred *uc);
/* put_cmsg(): one control message into the guest's buffer; MSG_CTRUNC
 * when it does not fit.  0 or -EFAULT. */
int sock_put_cmsg(struct task *t, struct sock_msg *m, int level, int type, const void *data,
		  size_t len);
/* scm_recv(): SCM_CREDENTIALS if passcred, then the fds of scm installed
 * in t's fd table (as many as fit the buffer and RLIMIT_NOFILE; the rest
 * are closed and MSG_CTRUNC set).  Consumes scm. */
void scm_recv(struct task *t, struct sock_msg *m, struct scm_cookie *scm, bool passcred);

/* --- sockets ----------------------------------------------------------------- */

struct socket_ops {
	/* addr/len as the guest gave them (len <= sizeof(sockaddr_storage)). */
	int (*bind)(struct socket *s, struct task *t, const struct sockaddr *addr, int len);
	int (*connect)(struct socket *s, struct task *t, const struct sockaddr *addr, int len,
		       bool nonblock);
	int (*listen)(struct socket *s, struct task *t, int backlog);
	/* The new connection's socket (no file yet); flags: O_NONBLOCK. */
	int (*accept)(struct socket *s, struct task *t, bool nonblock, struct socket **out);
	/* Undoes an accept whose descriptor could not be installed. */
	void (*unaccept)(struct socket *s, struct socket *child);
	/* Fills addr; returns its length or -errno (-ENOTCONN for a peer). */
	int (*getname)(struct socket *s, struct sockaddr_storage *addr, bool peer);
	int (*socketpair)(struct socket *a, struct socket *b, struct task *t);
	/* Bytes sent/received or -errno; flags are MSG_*. */
	ssize_t (*sendmsg)(struct socket *s, struct task *t, struct sock_msg *m, int flags);
	ssize_t (*recvmsg)(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
			   int flags);
	int (*shutdown)(struct socket *s, int how);
	/* Family options, and SOL_SOCKET ones the family owns (SO_PEERCRED,
	 * SO_ACCEPTCONN...): -ENOPROTOOPT lets the common code answer. */
	int (*setsockopt)(struct socket *s, struct task *t, int level, int name, const void *val,
			  unsigned len);
	int (*getsockopt)(struct socket *s, struct task *t, int level, int name, void *val,
			  unsigned *len);
	unsigned (*poll)(struct socket *s, struct poll_table *pt, unsigned requested);
	/* -ENOIOCTLCMD: not the family's (the common code answers). */
	long (*ioctl)(struct socket *s, struct task *t, unsigned long cmd, uint64_t arg);
	/* SO_SNDBUF changed: wake writers that may now proceed. */
	void (*write_space)(struct socket *s);
	/* The file's last reference is gone. */
	void (*release)(struct socket *s);
};

struct socket {
	int family, type, protocol;
	const struct socket_ops *ops;
	struct file *file;              /* no reference; NULL before accept */
	/* Options (atomics: read without a lock on the data paths). */
	atomic_int sndbuf, rcvbuf, rcvlowat;
	atomic_llong rcvtimeo_ns, sndtimeo_ns;   /* 0: none */
	atomic_int err;                 /* sk_err: reported once (SO_ERROR, I/O) */
	atomic_bool passcred;
	atomic_uint flags;              /* SOCKF_* */
	atomic_int linger_secs;
	atomic_int priority, mark;
	atomic_uint_fast64_t cookie;     /* SO_COOKIE: 0 until asked */
};

#define SOCKF_REUSEADDR 0x01
#define SOCKF_KEEPALIVE 0x02
#define SOCKF_BROADCAST 0x04
#define SOCKF_OOBINLINE 0x08
#define SOCKF_LINGER    0x10
#define SOCKF_DONTROUTE 0x20
#define SOCKF_TIMESTAMP 0x40
#define SOCKF_REUSEPORT 0x80

/* Defaults for a new socket of the family. */
void socket_init(struct socket *s, int family, int type, int protocol,
		 const struct socket_ops *ops);
/* A new open file for s (flags: O_NONBLOCK; the file is O_RDWR); the file
 * owns s from then on.  NULL when out of memory (s is not released). */
struct file *socket_file_new(struct socket *s, unsigned flags);
/* The socket behind an open file, or NULL if it is not one. */
struct socket *socket_from_file(struct file *f);

/* sock_error(): takes the pending error (0 if none). */
int sock_error(struct socket *s);

/* Waiting: the deadline of a blocking operation. */
struct sock_timeo {
	bool nonblock;
	bool has_deadline;
	struct timespec deadline;       /* CLOCK_MONOTONIC */
};
void sock_timeo_init(struct sock_timeo *to, struct socket *s, bool nonblock, bool send);
/* What a wait that ended says: 0 (woken), -EAGAIN (no time, or timed
 * out), -ERESTARTSYS or -EINTR (signal; -EINTR with a timeout set). */
int sock_block(struct task *t, const struct sock_timeo *to);

/* Families. */
typedef int (*socket_create_fn)(struct task *t, int type, int protocol, struct socket **out);
/* Adds a family (at start-up, before any guest runs). */
void socket_register_family(int family, socket_create_fn create);
/* socket(2) after the flag checks: the family's new socket. */
int socket_create(struct task *t, int family, int type, int protocol, struct socket **out);

/* SOL_SOCKET options every family has (sock_setsockopt/sock_getsockopt).
 * val is in the sentry; *len is the guest's buffer size in and the size
 * of the answer out. */
int socket_setsockopt(struct socket *s, struct task *t, int level, int name, const void *val,
		      unsigned len);
int socket_getsockopt(struct socket *s, struct task *t, int level, int name, void *val,
		      unsigned *len);
long socket_ioctl(struct socket *s, struct task *t, unsigned long cmd, uint64_t arg);

/* AF_UNIX (unix.c). */
int unix_create(struct task *t, int type, int protocol, struct socket **out);

#endif
