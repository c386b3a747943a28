/* AF_UNIX names: filesystem names (a socket inode made by bind, found by
 * connect through inode->socket), the abstract namespace (a table for the
 * whole sandbox, one per socket type, as the type is part of Linux's
 * hash), autobind, and getsockname/getpeername. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sentry/socket/unix_internal.h"

struct unix_addr *unix_addr_get(struct unix_addr *a)
{
	atomic_fetch_add(&a->refcount, 1);
	return a;
}

void unix_addr_put(struct unix_addr *a)
{
	if (a && atomic_fetch_sub(&a->refcount, 1) == 1)
		free(a);
}

/* --- the abstract namespace ------------------------------------------------------ */

#define UNIX_HASH_SIZE 256

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head table[UNIX_HASH_SIZE];
static bool table_ready;

static unsigned abstract_hash(const struct unix_addr *a, int type)
{
	unsigned h = 2166136261u ^ (unsigned)type;
	const unsigned char *p = (const unsigned char *)&a->name;
	for (int i = 0; i < a->len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % UNIX_HASH_SIZE;
}

static struct list_head *bucket_locked(const struct unix_addr *a, int type)
{
	if (!table_ready) {
		for (int i = 0; i < UNIX_HASH_SIZE; i++)
			list_init(&table[i]);
		table_ready = true;
	}
	return &table[abstract_hash(a, type)];
}

static struct unix_sock *table_find_locked(const struct unix_addr *a, int type)
{
	struct unix_sock *u;
	list_for_each_entry(u, bucket_locked(a, type), table_node) {
		if (u->sock.type == type && u->addr->len == a->len &&
		    memcmp(&u->addr->name, &a->name, (size_t)a->len) == 0)
			return u;
	}
	return NULL;
}

static void table_insert_locked(struct unix_sock *u, struct unix_addr *a)
{
	list_add_tail(&u->table_node, bucket_locked(a, u->sock.type));
}

static struct unix_addr *unix_addr_new(const void *name, int len)
{
	struct unix_addr *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	atomic_init(&a->refcount, 1);
	a->len = len;
	memcpy(&a->name, name, (size_t)len);
	return a;
}

static void set_addr(struct unix_sock *u, struct unix_addr *a)
{
	pthread_mutex_lock(&u->lock);
	u->addr = a;
	pthread_mutex_unlock(&u->lock);
}

int unix_validate_addr(const struct sockaddr *addr, int len)
{
	if (len <= (int)UNIX_ADDR_MIN || len > (int)sizeof(struct sockaddr_un))
		return -EINVAL;
	if (addr->sa_family != AF_UNIX)
		return -EINVAL;
	return 0;
}

int unix_autobind(struct unix_sock *u)
{
	static atomic_uint order;
	static atomic_bool seeded;
	if (!atomic_exchange(&seeded, true)) {
		unsigned r = 0;
		if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
			r = (unsigned)time(NULL);
		atomic_store(&order, r);
	}
	pthread_mutex_lock(&u->bindlock);
	int err = 0;
	if (u->addr)
		goto out;
	struct unix_addr *a = calloc(1, sizeof *a);
	err = -ENOMEM;
	if (!a)
		goto out;
	atomic_init(&a->refcount, 1);
	a->name.sun_family = AF_UNIX;
	a->len = (int)UNIX_ADDR_MIN + 6;   /* "\0" and five hex digits */
	err = -ENOSPC;
	pthread_mutex_lock(&table_lock);
	for (unsigned tries = 0; tries <= 0xFFFFF; tries++) {
		char name[8];
		snprintf(name, sizeof name, "%05x", atomic_fetch_add(&order, 1) & 0xFFFFF);
		memcpy(a->name.sun_path + 1, name, 5);
		if (!table_find_locked(a, u->sock.type)) {
			table_insert_locked(u, a);
			set_addr(u, a);
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	if (err < 0)
		free(a);
out:
	pthread_mutex_unlock(&u->bindlock);
	return err;
}

static int bind_abstract(struct unix_sock *u, const struct sockaddr_un *sun, int len)
{
	struct unix_addr *a = unix_addr_new(sun, len);
	if (!a)
		return -ENOMEM;
	pthread_mutex_lock(&u->bindlock);
	int err = -EINVAL;
	if (!u->addr) {
		pthread_mutex_lock(&table_lock);
		err = -EADDRINUSE;
		if (!table_find_locked(a, u->sock.type)) {
			table_insert_locked(u, a);
			set_addr(u, a);
			err = 0;
		}
		pthread_mutex_unlock(&table_lock);
	}
	pthread_mutex_unlock(&u->bindlock);
	if (err < 0)
		free(a);
	return err;
}

/* The path of a filesystem name, NUL-terminated (unix_mkname_bsd). */
static void path_of(const struct sockaddr_un *sun, int len, char out[sizeof sun->sun_path + 1])
{
	size_t n = (size_t)len - UNIX_ADDR_MIN;
	memcpy(out, sun->sun_path, n);
	out[n] = 0;
}

static int bind_path(struct unix_sock *u, struct task *t, const struct sockaddr_un *sun, int len)
{
	char path[sizeof sun->sun_path + 1];
	path_of(sun, len, path);
	/* The name is the family, the path and its NUL (up to 111 bytes). */
	struct sockaddr_storage name = { .ss_family = AF_UNIX };
	memcpy((char *)&name + UNIX_ADDR_MIN, path, strlen(path) + 1);
	struct unix_addr *a = unix_addr_new(&name, (int)(strlen(path) + UNIX_ADDR_MIN + 1));
	if (!a)
		return -ENOMEM;
	struct walk_root wr;
	int err = task_walk_root(t, AT_FDCWD, path, &wr);
	if (err < 0) {
		free(a);
		return err;
	}
	/* The socket file is created first, as Linux does: an existing name
	 * is EADDRINUSE even for a socket that is bound already. */
	err = vfs_mknod(t, &wr, path, S_IFSOCK | 0777, 0);
	if (err < 0) {
		walk_root_put(&wr);
		free(a);
		return err == -EEXIST ? -EADDRINUSE : err;
	}
	struct path p;
	err = vfs_walk(t, &wr, path, 0, &p);
	if (err == 0 && !S_ISSOCK(p.dentry->inode->mode)) {
		path_put(&p);
		err = -EADDRINUSE;   /* replaced under us */
	}
	if (err == 0) {
		pthread_mutex_lock(&u->bindlock);
		struct inode *inode = p.dentry->inode;
		if (u->addr) {
			err = -EINVAL;
		} else {
			pthread_mutex_lock(&inode->lock);
			if (inode->socket)
				err = -EADDRINUSE;
			else
				inode->socket = u;
			pthread_mutex_unlock(&inode->lock);
		}
		if (err == 0) {
			pthread_mutex_lock(&u->lock);
			u->addr = a;
			u->path = p;
			u->bound_inode = inode;
			pthread_mutex_unlock(&u->lock);
		}
		pthread_mutex_unlock(&u->bindlock);
		if (err < 0)
			path_put(&p);
	}
	if (err < 0) {
		vfs_unlink(t, &wr, path);   /* undo the mknod */
		free(a);
	}
	walk_root_put(&wr);
	return err;
}

int unix_bind(struct socket *s, struct task *t, const struct sockaddr *addr, int len)
{
	struct unix_sock *u = unix_sk(s);
	if (len == (int)UNIX_ADDR_MIN && addr->sa_family == AF_UNIX)
		return unix_autobind(u);
	int err = unix_validate_addr(addr, len);
	if (err < 0)
		return err;
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
	return sun->sun_path[0] ? bind_path(u, t, sun, len) : bind_abstract(u, sun, len);
}

static struct unix_sock *find_path(struct task *t, const struct sockaddr_un *sun, int len,
				   int type, int *err)
{
	char path[sizeof sun->sun_path + 1];
	path_of(sun, len, path);
	struct walk_root wr;
	if ((*err = task_walk_root(t, AT_FDCWD, path, &wr)) < 0)
		return NULL;
	struct path p;
	*err = vfs_walk(t, &wr, path, LOOKUP_FOLLOW, &p);
	walk_root_put(&wr);
	if (*err < 0)
		return NULL;
	struct inode *inode = p.dentry->inode;
	struct unix_sock *other = NULL;
	pthread_mutex_lock(&t->k->lock);
	struct cred cred = t->tg->cred;
	pthread_mutex_unlock(&t->k->lock);
	*err = inode_permission(&cred, inode, MAY_WRITE);
	if (*err == 0) {
		*err = -ECONNREFUSED;
		if (S_ISSOCK(inode->mode)) {
			pthread_mutex_lock(&inode->lock);
			other = inode->socket;
			if (other)
				unix_sock_get(other);
			pthread_mutex_unlock(&inode->lock);
		}
		if (other && other->sock.type != type) {
			unix_sock_put(other);
			other = NULL;
			*err = -EPROTOTYPE;
		}
	}
	path_put(&p);
	return other;
}

static struct unix_sock *find_abstract(const struct sockaddr_un *sun, int len, int type,
				       int *err)
{
	struct unix_addr key = { .len = len };
	memcpy(&key.name, sun, (size_t)len);
	pthread_mutex_lock(&table_lock);
	struct unix_sock *other = table_find_locked(&key, type);
	if (other)
		unix_sock_get(other);
	pthread_mutex_unlock(&table_lock);
	*err = other ? 0 : -ECONNREFUSED;
	return other;
}

struct unix_sock *unix_find_other(struct task *t, const struct sockaddr_un *addr, int len,
				  int type, int *err)
{
	return addr->sun_path[0] ? find_path(t, addr, len, type, err)
				 : find_abstract(addr, len, type, err);
}

int unix_getname(struct socket *s, struct sockaddr_storage *out, bool peer)
{
	struct unix_sock *u = unix_sk(s);
	if (peer) {
		pthread_mutex_lock(&u->lock);
		u = u->peer;
		if (u)
			unix_sock_get(u);
		pthread_mutex_unlock(&unix_sk(s)->lock);
		if (!u)
			return -ENOTCONN;
	}
	pthread_mutex_lock(&u->lock);
	int len;
	struct sockaddr_un *sun = (struct sockaddr_un *)out;
	if (!u->addr) {
		sun->sun_family = AF_UNIX;
		sun->sun_path[0] = 0;
		len = (int)UNIX_ADDR_MIN;
	} else {
		len = u->addr->len;
		memcpy(out, &u->addr->name, (size_t)len);
	}
	pthread_mutex_unlock(&u->lock);
	if (peer)
		unix_sock_put(u);
	return len;
}

void unix_unbind(struct unix_sock *u)
{
	pthread_mutex_lock(&table_lock);
	if (!list_empty(&u->table_node))
		list_del(&u->table_node);
	pthread_mutex_unlock(&table_lock);
	if (u->bound_inode) {
		pthread_mutex_lock(&u->bound_inode->lock);
		if (u->bound_inode->socket == u)
			u->bound_inode->socket = NULL;
		pthread_mutex_unlock(&u->bound_inode->lock);
	}
}
