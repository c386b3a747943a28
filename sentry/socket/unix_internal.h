/* AF_UNIX internals, shared by unix.c (connections, the socket calls),
 * unix_name.c (names), unix_msg.c (data) and unix_gc.c (garbage
 * collection of sockets only referenced from messages in flight).  net/unix/af_unix.c
 * is the model, names included.
 *
 * Locking: u->lock guards a socket's state, peer, shutdown bits, address
 * and receive queue; two sockets are locked in address order
 * (unix_state_double_lock), except that connect locks the listener, then
 * the connecting socket (which is never a listener).  u->iolock orders the
 * readers of one socket (a stream read spans several buffers); it is taken
 * before u->lock and dropped while a reader sleeps.  u->bindlock makes
 * bind/autobind one at a time.  The GC lock (unix_gc.c) is taken before
 * any socket lock, never under one.  No lock is held while files are
 * released (a released socket may be the last reference to others).
 */
#ifndef SENTRY_SOCKET_UNIX_INTERNAL_H
#define SENTRY_SOCKET_UNIX_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#include "common/list.h"
#include "sentry/kernel/kernel.h"
#include "sentry/socket/socket.h"

enum unix_state { UNIX_CLOSE, UNIX_LISTEN, UNIX_ESTABLISHED };

#define RCV_SHUTDOWN  1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

#define UNIX_MAX_DGRAM_QLEN 10     /* net.unix.max_dgram_qlen */
#define UNIX_SKB_OVERHEAD   767    /* what a buffer costs beyond its data (truesize) */
#define UNIX_ADDR_MIN       offsetof(struct sockaddr_un, sun_path)

struct unix_sock;

/* A bound name, shared by a listener and the sockets it accepted. */
struct unix_addr {
	atomic_long refcount;
	int len;                        /* of name, as getsockname reports it */
	/* A path of the full 108 bytes has its NUL past sockaddr_un: a
	 * length of 111, as Linux reports. */
	union {
		struct sockaddr_un name;
		struct sockaddr_storage storage;
	};
};

/* One buffer in a receive queue (sk_buff). */
struct unix_skb {
	struct list_head node;
	struct unix_sock *sender;       /* reference; its wmem counts truesize */
	size_t len, consumed, truesize;
	struct file **fp;               /* SCM_RIGHTS in flight */
	int nfp;
	bool has_creds;                 /* UNIXCB(skb).pid set */
	pid_t pid;
	uid_t uid;
	gid_t gid;
	struct unix_sock *embryo;       /* a listener's queue: a connection (reference) */
	char data[];
};

struct unix_sock {
	struct socket sock;             /* first: socket_from_file() gives this */
	atomic_long refcount;
	pthread_mutex_t lock;
	pthread_mutex_t iolock;
	pthread_mutex_t bindlock;
	enum unix_state state;
	bool dead;                      /* released (SOCK_DEAD) */
	int shutdown;                   /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	struct unix_sock *peer;         /* reference */
	struct unix_addr *addr;         /* reference; set once */
	struct path path;               /* the socket file of a bound (or accepted) socket */
	struct inode *bound_inode;      /* whose ->socket is us (bind only) */
	struct list_head table_node;    /* abstract names; empty if not there */
	struct list_head recvq;         /* struct unix_skb */
	unsigned qlen;
	int max_backlog;                /* listen backlog; max_dgram_qlen otherwise */
	atomic_long wmem;               /* truesize of our buffers not yet consumed */
	struct waitq wq;                /* our readers, writers and pollers */
	struct waitq peer_wait;         /* senders waiting for room in our queue */
	/* A dgram socket whose peer's queue is full relays the peer's
	 * peer_wait wake-ups to its own wq; the target is under the target's
	 * peer_wait.lock and is only ever our current peer. */
	struct waitq_entry peer_wake;
	struct unix_sock *peer_wake_target;
	bool has_peercred;
	struct ucred peercred;          /* SO_PEERCRED */
	/* Garbage collection (under the GC lock). */
	long inflight;                  /* times our file is in some queue */
	struct list_head gc_node;       /* in the in-flight list while inflight > 0 */
	long gc_refs;
	bool gc_candidate, gc_alive;
};

static inline struct unix_sock *unix_sk(struct socket *s)
{
	return (struct unix_sock *)s;
}

/* unix_name.c */
struct unix_addr *unix_addr_get(struct unix_addr *a);
void unix_addr_put(struct unix_addr *a);
int unix_validate_addr(const struct sockaddr *addr, int len);
int unix_bind(struct socket *s, struct task *t, const struct sockaddr *addr, int len);
int unix_autobind(struct unix_sock *u);
/* Our name leads nowhere any more (release). */
void unix_unbind(struct unix_sock *u);
/* The socket named by addr, of type type (a reference), or -errno. */
struct unix_sock *unix_find_other(struct task *t, const struct sockaddr_un *addr, int len,
				  int type, int *err);
int unix_getname(struct socket *s, struct sockaddr_storage *addr, bool peer);

/* unix.c */
void unix_sock_get(struct unix_sock *u);
void unix_sock_put(struct unix_sock *u);
/* The socket behind f if it is an AF_UNIX one (no reference taken). */
struct unix_sock *unix_sock_from_file(struct file *f);
enum unix_state unix_state_of(struct unix_sock *u);
void unix_state_double_lock(struct unix_sock *a, struct unix_sock *b);
void unix_state_double_unlock(struct unix_sock *a, struct unix_sock *b);
/* A connection that was never accepted goes: its client sees ECONNRESET. */
void unix_release_embryo(struct unix_sock *u);
/* Our peer's queue is full: relay its wake-ups (u->lock held, u->peer ==
 * other).  Returns true if it is still full (not writable). */
bool unix_dgram_peer_wake_me(struct unix_sock *u, struct unix_sock *other);
void unix_dgram_peer_wake_disconnect(struct unix_sock *u, struct unix_sock *other);
/* A dgram socket lost its peer (dgram connect, dead peer). */
void unix_dgram_disconnected(struct unix_sock *u, struct unix_sock *other);
static inline bool unix_recvq_full(const struct unix_sock *u)
{
	return u->qlen > (unsigned)u->max_backlog;
}

/* unix_msg.c */
ssize_t unix_stream_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags);
ssize_t unix_stream_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
			    int flags);
ssize_t unix_dgram_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags);
ssize_t unix_dgram_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
			   int flags);
ssize_t unix_seqpacket_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags);
ssize_t unix_seqpacket_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
			       int flags);
/* A buffer of len bytes charged to sender (NULL: a connection request). */
struct unix_skb *unix_skb_alloc(struct unix_sock *sender, size_t len);
/* Frees a buffer no longer in any queue (no lock held: it may release
 * files and wake the sender). */
void unix_skb_free(struct unix_skb *skb);
/* Frees every buffer of a detached list. */
void unix_skb_free_list(struct list_head *list);
/* Bytes waiting to be read (SIOCINQ), -EINVAL for a listener. */
long unix_inq_len(struct unix_sock *u);

/* unix_gc.c */
/* The fds of a message enter or leave a queue. */
void unix_inflight(struct file **fp, int n);
void unix_notinflight(struct file **fp, int n);
/* Frees the buffers of sockets that only messages in flight keep alive
 * (called after a release while anything is in flight). */
void unix_gc(void);
bool unix_gc_needed(void);
/* Before a send that passes fds: collects first when too many sockets are
 * in flight (Linux's wait_for_unix_gc). */
void unix_gc_before_send(const struct scm_cookie *scm);

#endif
