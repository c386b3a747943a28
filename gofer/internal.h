/* Internals of the gofer shared by its files; not for use outside gofer/. */
#ifndef GOFER_INTERNAL_H
#define GOFER_INTERNAL_H

#include "gofer/gofer.h"
#include "gofer/protocol.h"

#include <stdint.h>

struct stat;

/* --- nodes.c: the node table ---------------------------------------------- */

struct gofer_node {
	int fd;			/* O_PATH|O_NOFOLLOW; -1 while the slot is free */
	uint32_t gen;		/* bumped on release, so stale ids fail */
	uint32_t mount;		/* index into the server's mounts */
	uint32_t next_free;	/* free list: index + 1 of the next free slot */
	uint64_t dev;		/* st_dev, to notice mount crossings cheaply */
};

struct node_table {
	struct gofer_node *slots;
	uint32_t len;		/* slots ever used */
	uint32_t cap;		/* slots allocated */
	uint32_t max;		/* limit on slots */
	uint32_t free_head;	/* index + 1 of the first free slot, 0 if none */
};

int nodes_init(struct node_table *t, uint32_t max);
void nodes_destroy(struct node_table *t);
/* Adds a node owning fd; on success the table owns fd and *id is set. */
int nodes_add(struct node_table *t, int fd, uint32_t mount, uint64_t dev, uint64_t *id);
/* Copies the node out (the table may move when it grows); -EBADF if the id
 * is not live. */
int nodes_get(const struct node_table *t, uint64_t id, struct gofer_node *n);
int nodes_release(struct node_table *t, uint64_t id);

/* --- server.c ------------------------------------------------------------- */

struct gofer_server {
	int sock;
	int procfd;			/* /proc/self/fd, for re-opening nodes */
	const struct gofer_mount *mounts;
	size_t nmounts;
	int *roots;			/* mount roots (O_PATH), or -errno */
	struct node_table nodes;
	struct gofer_req req;
	struct gofer_reply reply;
	uint8_t in[GOFER_MSG_MAX];
	uint8_t out[GOFER_MSG_MAX];
	uint8_t dirents[GOFER_DIRENTS_MAX];
};

/* confine.c: the gofer's own mount namespace (its roots and /fd re-opened
 * in it), capabilities and seccomp filter, after server_init.  0 or
 * -errno (logged). */
int gofer_confine(struct gofer_server *s);

/* --- ops.c, ops_modify.c: one handler per op ------------------------------ */

/* Fills rp's body and may set *fd to an fd to donate with the reply (the
 * caller closes it after sending).  0 or -errno. */
typedef int (*gofer_op_fn)(struct gofer_server *s, const struct gofer_req *rq,
			   struct gofer_reply *rp, int *fd);

extern const gofer_op_fn gofer_ops[GOFER_OP_COUNT];

/* Helpers shared by the op files (ops.c). */
int gofer_get_node(struct gofer_server *s, uint64_t id, struct gofer_node *n);
int gofer_get_writable(struct gofer_server *s, uint64_t id, struct gofer_node *n);
int gofer_open_beneath(int dirfd, const char *name);
int gofer_reopen(struct gofer_server *s, int fd, int flags);
int gofer_reply_node(struct gofer_server *s, int *fd, uint32_t mount,
		     const struct stat *st, struct gofer_reply *rp);
int gofer_reply_stat(int fd, struct gofer_reply *rp);
/* -EACCES if fd is on a host pseudo file system. */
int gofer_check_fs(int fd);

int gofer_op_create(struct gofer_server *s, const struct gofer_req *rq,
		    struct gofer_reply *rp, int *fd);
int gofer_op_mkdir(struct gofer_server *s, const struct gofer_req *rq,
		   struct gofer_reply *rp, int *fd);
int gofer_op_mknod(struct gofer_server *s, const struct gofer_req *rq,
		   struct gofer_reply *rp, int *fd);
int gofer_op_symlink(struct gofer_server *s, const struct gofer_req *rq,
		     struct gofer_reply *rp, int *fd);
int gofer_op_link(struct gofer_server *s, const struct gofer_req *rq,
		  struct gofer_reply *rp, int *fd);
int gofer_op_unlink(struct gofer_server *s, const struct gofer_req *rq,
		    struct gofer_reply *rp, int *fd);
int gofer_op_rename(struct gofer_server *s, const struct gofer_req *rq,
		    struct gofer_reply *rp, int *fd);
int gofer_op_setattr(struct gofer_server *s, const struct gofer_req *rq,
		     struct gofer_reply *rp, int *fd);

#endif
