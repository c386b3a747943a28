/* Encoding and decoding of gofer messages; the layout is documented in
 * protocol.h.  Pure functions: no I/O, no allocation.
 *
 * Both directions go through a cursor with a sticky error, so that a
 * sequence of puts or gets is checked once at the end instead of after
 * every field; a get past the end yields zeroes and -EINVAL, never a read
 * outside the buffer. */
#include "gofer/protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>		/* RENAME_* */
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* Which fields each request carries, in wire order (bit order). */
enum {
	RQ_MOUNT  = 1u << 0,
	RQ_NODE   = 1u << 1,
	RQ_NODE2  = 1u << 2,
	RQ_FLAGS  = 1u << 3,
	RQ_MODE   = 1u << 4,
	RQ_OWNER  = 1u << 5,
	RQ_RDEV   = 1u << 6,
	RQ_COOKIE = 1u << 7,
	RQ_ATTR   = 1u << 8,
	RQ_NAME   = 1u << 9,
	RQ_NAME2  = 1u << 10,
	RQ_TARGET = 1u << 11,
};

/* Which fields each successful reply carries, in wire order. */
enum {
	RP_NODE    = 1u << 0,
	RP_STAT    = 1u << 1,
	RP_STATFS  = 1u << 2,
	RP_TARGET  = 1u << 3,
	RP_DIRENTS = 1u << 4,
};

struct op_desc {
	const char *name;
	unsigned req;
	unsigned reply;
	bool fd;
};

static const struct op_desc ops[GOFER_OP_COUNT] = {
	[GOFER_OP_ATTACH]   = { "attach", RQ_MOUNT, RP_NODE | RP_STAT, false },
	[GOFER_OP_WALK]     = { "walk", RQ_NODE | RQ_NAME, RP_NODE | RP_STAT, false },
	[GOFER_OP_STAT]     = { "stat", RQ_NODE, RP_STAT, false },
	[GOFER_OP_OPEN]     = { "open", RQ_NODE | RQ_FLAGS, 0, true },
	[GOFER_OP_CREATE]   = { "create", RQ_NODE | RQ_FLAGS | RQ_MODE | RQ_OWNER | RQ_NAME,
				RP_NODE | RP_STAT, true },
	[GOFER_OP_MKDIR]    = { "mkdir", RQ_NODE | RQ_MODE | RQ_OWNER | RQ_NAME,
				RP_NODE | RP_STAT, false },
	[GOFER_OP_MKNOD]    = { "mknod", RQ_NODE | RQ_MODE | RQ_OWNER | RQ_RDEV | RQ_NAME,
				RP_NODE | RP_STAT, false },
	[GOFER_OP_SYMLINK]  = { "symlink", RQ_NODE | RQ_OWNER | RQ_NAME | RQ_TARGET,
				RP_NODE | RP_STAT, false },
	[GOFER_OP_LINK]     = { "link", RQ_NODE | RQ_NODE2 | RQ_NAME, RP_STAT, false },
	[GOFER_OP_UNLINK]   = { "unlink", RQ_NODE | RQ_FLAGS | RQ_NAME, 0, false },
	[GOFER_OP_RENAME]   = { "rename", RQ_NODE | RQ_NODE2 | RQ_FLAGS | RQ_NAME | RQ_NAME2,
				0, false },
	[GOFER_OP_READLINK] = { "readlink", RQ_NODE, RP_TARGET, false },
	[GOFER_OP_SETATTR]  = { "setattr", RQ_NODE | RQ_ATTR, RP_STAT, false },
	[GOFER_OP_READDIR]  = { "readdir", RQ_NODE | RQ_COOKIE, RP_DIRENTS, false },
	[GOFER_OP_STATFS]   = { "statfs", RQ_NODE, RP_STATFS, false },
	[GOFER_OP_RELEASE]  = { "release", RQ_NODE, 0, false },
};

bool gofer_op_valid(uint32_t op)
{
	return op > 0 && op < GOFER_OP_COUNT;
}

const char *gofer_op_name(uint32_t op)
{
	return gofer_op_valid(op) ? ops[op].name : "?";
}

bool gofer_op_returns_fd(uint32_t op)
{
	return gofer_op_valid(op) && ops[op].fd;
}

/* --- names ---------------------------------------------------------------- */

int gofer_check_name(const char *name, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > GOFER_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	return 0;
}

int gofer_check_target(const char *target, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > GOFER_PATH_MAX)
		return -ENAMETOOLONG;
	if (memchr(target, '\0', len))
		return -EINVAL;
	return 0;
}

int gofer_copy_name(char *dst, const char *name)
{
	size_t len = strnlen(name, GOFER_NAME_MAX + 1);
	int r = gofer_check_name(name, len);
	if (r < 0)
		return r;
	memcpy(dst, name, len);
	dst[len] = '\0';
	return 0;
}

int gofer_copy_target(char *dst, const char *target)
{
	size_t len = strnlen(target, GOFER_PATH_MAX + 1);
	int r = gofer_check_target(target, len);
	if (r < 0)
		return r;
	memcpy(dst, target, len);
	dst[len] = '\0';
	return 0;
}

/* --- cursors -------------------------------------------------------------- */

struct wcur {
	uint8_t *p;
	size_t cap, off;
	int err;
};

struct rcur {
	const uint8_t *p;
	size_t len, off;
	int err;
};

static void put(struct wcur *w, const void *v, size_t n)
{
	if (w->err)
		return;
	if (n > w->cap - w->off) {
		w->err = -EMSGSIZE;
		return;
	}
	memcpy(w->p + w->off, v, n);
	w->off += n;
}

static void put_u8(struct wcur *w, uint8_t v) { put(w, &v, sizeof v); }
static void put_u16(struct wcur *w, uint16_t v) { put(w, &v, sizeof v); }
static void put_u32(struct wcur *w, uint32_t v) { put(w, &v, sizeof v); }
static void put_u64(struct wcur *w, uint64_t v) { put(w, &v, sizeof v); }
static void put_i64(struct wcur *w, int64_t v) { put(w, &v, sizeof v); }

static void get(struct rcur *r, void *v, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = -EINVAL;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->off, n);
	r->off += n;
}

static uint8_t get_u8(struct rcur *r) { uint8_t v; get(r, &v, sizeof v); return v; }
static uint16_t get_u16(struct rcur *r) { uint16_t v; get(r, &v, sizeof v); return v; }
static uint32_t get_u32(struct rcur *r) { uint32_t v; get(r, &v, sizeof v); return v; }
static uint64_t get_u64(struct rcur *r) { uint64_t v; get(r, &v, sizeof v); return v; }
static int64_t get_i64(struct rcur *r) { int64_t v; get(r, &v, sizeof v); return v; }

static void fail(struct rcur *r, int err)
{
	if (!r->err)
		r->err = err;
}

/* A string field from a NUL-terminated array of size max + 1; check is
 * gofer_check_name or gofer_check_target. */
static void put_str(struct wcur *w, const char *s, size_t max,
		    int (*check)(const char *, size_t))
{
	size_t len = strnlen(s, max + 1);
	int e = check(s, len);
	if (e < 0) {
		if (!w->err)
			w->err = e;
		return;
	}
	put_u16(w, (uint16_t)len);
	put(w, s, len);
}

/* Reads a string into dst (max + 1 bytes), checked and NUL-terminated. */
static void get_str(struct rcur *r, char *dst, size_t max,
		    int (*check)(const char *, size_t))
{
	size_t len = get_u16(r);
	dst[0] = '\0';
	if (r->err)
		return;
	if (len > r->len - r->off) {
		fail(r, -EINVAL);
		return;
	}
	int e = check((const char *)r->p + r->off, len);
	if (e < 0) {
		fail(r, e);
		return;
	}
	get(r, dst, len);
	dst[len] = '\0';
}

/* --- header --------------------------------------------------------------- */

static void put_hdr(struct wcur *w, uint16_t op, uint32_t tag, uint32_t error)
{
	put_u32(w, 0);		/* length, patched by finish() */
	put_u16(w, op);
	put_u16(w, 0);
	put_u32(w, tag);
	put_u32(w, error);
}

static int finish(struct wcur *w)
{
	if (w->err)
		return w->err;
	uint32_t len = (uint32_t)w->off;
	memcpy(w->p, &len, sizeof len);
	return (int)len;
}

int gofer_decode_hdr(const void *buf, size_t len, struct gofer_hdr *h)
{
	memset(h, 0, sizeof *h);
	if (len < GOFER_HDR_SIZE)
		return -EINVAL;
	struct rcur r = { .p = buf, .len = len };
	h->len = get_u32(&r);
	h->op = get_u16(&r);
	h->flags = get_u16(&r);
	h->tag = get_u32(&r);
	h->error = get_u32(&r);
	if (len > GOFER_MSG_MAX || h->len > GOFER_MSG_MAX)
		return -EMSGSIZE;
	if (h->len != len || h->flags != 0)
		return -EINVAL;
	return 0;
}

/* --- stat ----------------------------------------------------------------- */

static void put_time(struct wcur *w, const struct gofer_time *t)
{
	put_i64(w, t->sec);
	put_u32(w, t->nsec);
}

static void get_time(struct rcur *r, struct gofer_time *t)
{
	t->sec = get_i64(r);
	t->nsec = get_u32(r);
}

static void put_stat(struct wcur *w, const struct gofer_stat *s)
{
	put_u64(w, s->ino);
	put_u64(w, s->dev);
	put_u64(w, s->rdev);
	put_u64(w, s->size);
	put_u64(w, s->blocks);
	put_u64(w, s->nlink);
	put_u32(w, s->mode);
	put_u32(w, s->uid);
	put_u32(w, s->gid);
	put_u32(w, s->blksize);
	put_time(w, &s->atime);
	put_time(w, &s->mtime);
	put_time(w, &s->ctime);
}

static void get_stat(struct rcur *r, struct gofer_stat *s)
{
	s->ino = get_u64(r);
	s->dev = get_u64(r);
	s->rdev = get_u64(r);
	s->size = get_u64(r);
	s->blocks = get_u64(r);
	s->nlink = get_u64(r);
	s->mode = get_u32(r);
	s->uid = get_u32(r);
	s->gid = get_u32(r);
	s->blksize = get_u32(r);
	get_time(r, &s->atime);
	get_time(r, &s->mtime);
	get_time(r, &s->ctime);
}

static void put_statfs(struct wcur *w, const struct gofer_statfs *s)
{
	put_u64(w, s->type);
	put_u64(w, s->bsize);
	put_u64(w, s->blocks);
	put_u64(w, s->bfree);
	put_u64(w, s->bavail);
	put_u64(w, s->files);
	put_u64(w, s->ffree);
	put_u32(w, s->fsid[0]);
	put_u32(w, s->fsid[1]);
	put_u64(w, s->namelen);
	put_u64(w, s->frsize);
	put_u64(w, s->flags);
}

static void get_statfs(struct rcur *r, struct gofer_statfs *s)
{
	s->type = get_u64(r);
	s->bsize = get_u64(r);
	s->blocks = get_u64(r);
	s->bfree = get_u64(r);
	s->bavail = get_u64(r);
	s->files = get_u64(r);
	s->ffree = get_u64(r);
	s->fsid[0] = get_u32(r);
	s->fsid[1] = get_u32(r);
	s->namelen = get_u64(r);
	s->frsize = get_u64(r);
	s->flags = get_u64(r);
}

static void put_attr(struct wcur *w, const struct gofer_setattr *a)
{
	put_u32(w, a->mask);
	put_u32(w, a->mode);
	put_u32(w, a->uid);
	put_u32(w, a->gid);
	put_u64(w, a->size);
	put_time(w, &a->atime);
	put_time(w, &a->mtime);
}

static void get_attr(struct rcur *r, struct gofer_setattr *a)
{
	a->mask = get_u32(r);
	a->mode = get_u32(r);
	a->uid = get_u32(r);
	a->gid = get_u32(r);
	a->size = get_u64(r);
	get_time(r, &a->atime);
	get_time(r, &a->mtime);
}

/* --- request semantics ---------------------------------------------------- */

static bool valid_accmode(uint32_t flags)
{
	return (flags & O_ACCMODE) != O_ACCMODE;
}

static bool valid_owner(uint32_t uid, uint32_t gid)
{
	/* -1 means "unchanged" to chown(2): never a real owner. */
	return uid != UINT32_MAX && gid != UINT32_MAX;
}

static bool valid_mknod_mode(uint32_t mode)
{
	if (mode & ~(uint32_t)(S_IFMT | 07777))
		return false;
	switch (mode & S_IFMT) {
	case 0: case S_IFREG: case S_IFIFO: case S_IFSOCK: case S_IFCHR: case S_IFBLK:
		return true;	/* devices are refused by the server (EPERM) */
	default:
		return false;
	}
}

static bool valid_time(const struct gofer_time *t)
{
	return t->nsec < 1000000000u || t->nsec == UTIME_NOW || t->nsec == UTIME_OMIT;
}

static bool valid_setattr(const struct gofer_setattr *a)
{
	if (a->mask & ~GOFER_SETATTR_ALL)
		return false;
	if ((a->mask & GOFER_SETATTR_MODE) && (a->mode & ~07777u))
		return false;
	if ((a->mask & GOFER_SETATTR_UID) && a->uid == UINT32_MAX)
		return false;
	if ((a->mask & GOFER_SETATTR_GID) && a->gid == UINT32_MAX)
		return false;
	if ((a->mask & GOFER_SETATTR_SIZE) && a->size > INT64_MAX)
		return false;
	if ((a->mask & GOFER_SETATTR_ATIME) && !valid_time(&a->atime))
		return false;
	if ((a->mask & GOFER_SETATTR_MTIME) && !valid_time(&a->mtime))
		return false;
	return true;
}

/* The checks on the fixed fields; names are checked as they are copied. */
static bool valid_req(const struct gofer_req *r)
{
	switch (r->op) {
	case GOFER_OP_OPEN:
		return !(r->flags & ~(uint32_t)GOFER_OPEN_FLAGS) && valid_accmode(r->flags);
	case GOFER_OP_CREATE:
		return !(r->flags & ~(uint32_t)GOFER_CREATE_FLAGS) && valid_accmode(r->flags) &&
		       !(r->mode & ~07777u) && valid_owner(r->uid, r->gid);
	case GOFER_OP_MKDIR:
		return !(r->mode & ~07777u) && valid_owner(r->uid, r->gid);
	case GOFER_OP_MKNOD:
		return valid_mknod_mode(r->mode) && valid_owner(r->uid, r->gid);
	case GOFER_OP_SYMLINK:
		return valid_owner(r->uid, r->gid);
	case GOFER_OP_UNLINK:
		return r->flags == 0 || r->flags == AT_REMOVEDIR;
	case GOFER_OP_RENAME:
		return r->flags == 0 || r->flags == RENAME_NOREPLACE ||
		       r->flags == RENAME_EXCHANGE;
	case GOFER_OP_SETATTR:
		return valid_setattr(&r->attr);
	default:
		return gofer_op_valid(r->op);
	}
}

/* --- requests ------------------------------------------------------------- */

static void put_req_body(struct wcur *w, const struct gofer_req *r, unsigned f)
{
	if (f & RQ_MOUNT)
		put_u32(w, r->mount);
	if (f & RQ_NODE)
		put_u64(w, r->node);
	if (f & RQ_NODE2)
		put_u64(w, r->node2);
	if (f & RQ_FLAGS)
		put_u32(w, r->flags);
	if (f & RQ_MODE)
		put_u32(w, r->mode);
	if (f & RQ_OWNER) {
		put_u32(w, r->uid);
		put_u32(w, r->gid);
	}
	if (f & RQ_RDEV)
		put_u64(w, r->rdev);
	if (f & RQ_COOKIE)
		put_u64(w, r->cookie);
	if (f & RQ_ATTR)
		put_attr(w, &r->attr);
	if (f & RQ_NAME)
		put_str(w, r->name, GOFER_NAME_MAX, gofer_check_name);
	if (f & RQ_NAME2)
		put_str(w, r->name2, GOFER_NAME_MAX, gofer_check_name);
	if (f & RQ_TARGET)
		put_str(w, r->target, GOFER_PATH_MAX, gofer_check_target);
}

static void get_req_body(struct rcur *c, struct gofer_req *r, unsigned f)
{
	if (f & RQ_MOUNT)
		r->mount = get_u32(c);
	if (f & RQ_NODE)
		r->node = get_u64(c);
	if (f & RQ_NODE2)
		r->node2 = get_u64(c);
	if (f & RQ_FLAGS)
		r->flags = get_u32(c);
	if (f & RQ_MODE)
		r->mode = get_u32(c);
	if (f & RQ_OWNER) {
		r->uid = get_u32(c);
		r->gid = get_u32(c);
	}
	if (f & RQ_RDEV)
		r->rdev = get_u64(c);
	if (f & RQ_COOKIE)
		r->cookie = get_u64(c);
	if (f & RQ_ATTR)
		get_attr(c, &r->attr);
	if (f & RQ_NAME)
		get_str(c, r->name, GOFER_NAME_MAX, gofer_check_name);
	if (f & RQ_NAME2)
		get_str(c, r->name2, GOFER_NAME_MAX, gofer_check_name);
	if (f & RQ_TARGET)
		get_str(c, r->target, GOFER_PATH_MAX, gofer_check_target);
}

static size_t clamp_cap(size_t cap)
{
	return cap < GOFER_MSG_MAX ? cap : GOFER_MSG_MAX;
}

int gofer_encode_req(const struct gofer_req *r, void *buf, size_t cap)
{
	if (!valid_req(r))
		return -EINVAL;
	struct wcur w = { .p = buf, .cap = clamp_cap(cap) };
	put_hdr(&w, r->op, r->tag, 0);
	put_req_body(&w, r, ops[r->op].req);
	return finish(&w);
}

int gofer_decode_req(const void *buf, size_t len, struct gofer_req *r)
{
	struct gofer_hdr h;
	memset(r, 0, sizeof *r);
	int e = gofer_decode_hdr(buf, len, &h);
	r->op = h.op;
	r->tag = h.tag;
	if (e < 0)
		return e;
	if (h.error != 0 || !gofer_op_valid(h.op))
		return -EINVAL;
	struct rcur c = { .p = buf, .len = len, .off = GOFER_HDR_SIZE };
	get_req_body(&c, r, ops[h.op].req);
	if (c.err)
		return c.err;
	if (c.off != len || !valid_req(r))
		return -EINVAL;
	return 0;
}

/* --- readdir entries ------------------------------------------------------ */

static bool valid_dtype(uint8_t type)
{
	return type < 16;
}

int gofer_dirent_put(void *buf, size_t cap, size_t *used, uint64_t ino,
		     uint64_t off, uint8_t type, const char *name)
{
	size_t len = strnlen(name, GOFER_NAME_MAX + 1);
	if (gofer_check_name(name, len) < 0 || !valid_dtype(type))
		return -EINVAL;
	if (*used > cap)
		return -EINVAL;
	struct wcur w = { .p = buf, .cap = cap, .off = *used };
	put_u64(&w, ino);
	put_u64(&w, off);
	put_u8(&w, type);
	put_u8(&w, (uint8_t)len);
	put(&w, name, len);
	if (w.err)
		return -ENOSPC;
	*used = w.off;
	return 0;
}

int gofer_dirent_next(const uint8_t **p, size_t *left, struct gofer_dirent *d)
{
	if (*left == 0)
		return 0;
	struct rcur c = { .p = *p, .len = *left };
	d->ino = get_u64(&c);
	d->off = get_u64(&c);
	d->type = get_u8(&c);
	size_t len = get_u8(&c);
	if (c.err || len > c.len - c.off || !valid_dtype(d->type) ||
	    gofer_check_name((const char *)c.p + c.off, len) < 0)
		return -EINVAL;
	get(&c, d->name, len);
	d->name[len] = '\0';
	*p += c.off;
	*left -= c.off;
	return 1;
}

/* Checks that a dirents blob holds exactly count well-formed entries. */
static int check_dirents(const uint8_t *p, size_t len, uint32_t count)
{
	struct gofer_dirent d;
	uint32_t n = 0;
	int r;
	while ((r = gofer_dirent_next(&p, &len, &d)) > 0) {
		if (++n > count)
			return -EINVAL;
	}
	if (r < 0 || n != count)
		return -EINVAL;
	return 0;
}

/* --- replies -------------------------------------------------------------- */

static void put_reply_body(struct wcur *w, const struct gofer_reply *r, unsigned f)
{
	if (f & RP_NODE)
		put_u64(w, r->node);
	if (f & RP_STAT)
		put_stat(w, &r->stat);
	if (f & RP_STATFS)
		put_statfs(w, &r->statfs);
	if (f & RP_TARGET)
		put_str(w, r->target, GOFER_PATH_MAX, gofer_check_target);
	if (f & RP_DIRENTS) {
		put_u64(w, r->cookie);
		put_u32(w, r->eof ? 1 : 0);
		put_u32(w, r->count);
		put(w, r->dirents, r->dirents_len);
	}
}

static void get_dirents(struct rcur *c, struct gofer_reply *r)
{
	r->cookie = get_u64(c);
	uint32_t eof = get_u32(c);
	r->count = get_u32(c);
	if (c->err)
		return;
	if (eof > 1) {
		fail(c, -EINVAL);
		return;
	}
	r->eof = eof;
	r->dirents = c->p + c->off;
	r->dirents_len = c->len - c->off;
	int e = check_dirents(r->dirents, r->dirents_len, r->count);
	if (e < 0)
		fail(c, e);
	c->off = c->len;
}

static void get_reply_body(struct rcur *c, struct gofer_reply *r, unsigned f)
{
	if (f & RP_NODE)
		r->node = get_u64(c);
	if (f & RP_STAT)
		get_stat(c, &r->stat);
	if (f & RP_STATFS)
		get_statfs(c, &r->statfs);
	if (f & RP_TARGET)
		get_str(c, r->target, GOFER_PATH_MAX, gofer_check_target);
	if (f & RP_DIRENTS)
		get_dirents(c, r);
}

int gofer_encode_reply(const struct gofer_reply *r, void *buf, size_t cap)
{
	if (!gofer_op_valid(r->op) || r->error > GOFER_ERRNO_MAX)
		return -EINVAL;
	unsigned f = r->error ? 0 : ops[r->op].reply;
	if ((f & RP_DIRENTS) &&
	    (r->dirents_len > GOFER_DIRENTS_MAX ||
	     check_dirents(r->dirents, r->dirents_len, r->count) < 0))
		return -EINVAL;
	struct wcur w = { .p = buf, .cap = clamp_cap(cap) };
	put_hdr(&w, r->op, r->tag, r->error);
	put_reply_body(&w, r, f);
	return finish(&w);
}

int gofer_encode_error(uint16_t op, uint32_t tag, uint32_t error, void *buf, size_t cap)
{
	if (error == 0 || error > GOFER_ERRNO_MAX)
		return -EINVAL;
	struct wcur w = { .p = buf, .cap = clamp_cap(cap) };
	put_hdr(&w, op, tag, error);
	return finish(&w);
}

int gofer_decode_reply(const void *buf, size_t len, struct gofer_reply *r)
{
	struct gofer_hdr h;
	memset(r, 0, sizeof *r);
	int e = gofer_decode_hdr(buf, len, &h);
	if (e < 0)
		return e;
	r->op = h.op;
	r->tag = h.tag;
	r->error = h.error;
	if (!gofer_op_valid(h.op) || h.error > GOFER_ERRNO_MAX)
		return -EINVAL;
	struct rcur c = { .p = buf, .len = len, .off = GOFER_HDR_SIZE };
	get_reply_body(&c, r, h.error ? 0 : ops[h.op].reply);
	if (c.err)
		return c.err;
	return c.off == len ? 0 : -EINVAL;
}

/* --- conversions ---------------------------------------------------------- */

static struct gofer_time time_from_host(const struct timespec *ts)
{
	return (struct gofer_time){ .sec = ts->tv_sec, .nsec = (uint32_t)ts->tv_nsec };
}

static struct timespec time_to_host(const struct gofer_time *t)
{
	return (struct timespec){ .tv_sec = t->sec, .tv_nsec = t->nsec };
}

void gofer_stat_from_host(struct gofer_stat *g, const struct stat *st)
{
	*g = (struct gofer_stat){
		.ino = st->st_ino, .dev = st->st_dev, .rdev = st->st_rdev,
		.size = (uint64_t)st->st_size, .blocks = (uint64_t)st->st_blocks,
		.nlink = st->st_nlink, .mode = st->st_mode, .uid = st->st_uid,
		.gid = st->st_gid, .blksize = (uint32_t)st->st_blksize,
		.atime = time_from_host(&st->st_atim),
		.mtime = time_from_host(&st->st_mtim),
		.ctime = time_from_host(&st->st_ctim),
	};
}

void gofer_stat_to_host(struct stat *st, const struct gofer_stat *g)
{
	memset(st, 0, sizeof *st);
	st->st_ino = g->ino;
	st->st_dev = g->dev;
	st->st_rdev = g->rdev;
	st->st_size = (off_t)g->size;
	st->st_blocks = (blkcnt_t)g->blocks;
	st->st_nlink = g->nlink;
	st->st_mode = g->mode;
	st->st_uid = g->uid;
	st->st_gid = g->gid;
	st->st_blksize = g->blksize;
	st->st_atim = time_to_host(&g->atime);
	st->st_mtim = time_to_host(&g->mtime);
	st->st_ctim = time_to_host(&g->ctime);
}

void gofer_statfs_from_host(struct gofer_statfs *g, const struct statfs *sf)
{
	int fsid[2];
	memcpy(fsid, &sf->f_fsid, sizeof fsid);
	*g = (struct gofer_statfs){
		.type = (uint64_t)sf->f_type, .bsize = (uint64_t)sf->f_bsize,
		.blocks = sf->f_blocks, .bfree = sf->f_bfree, .bavail = sf->f_bavail,
		.files = sf->f_files, .ffree = sf->f_ffree,
		.fsid = { (uint32_t)fsid[0], (uint32_t)fsid[1] },
		.namelen = (uint64_t)sf->f_namelen, .frsize = (uint64_t)sf->f_frsize,
		.flags = (uint64_t)sf->f_flags,
	};
}

void gofer_statfs_to_host(struct statfs *sf, const struct gofer_statfs *g)
{
	int fsid[2] = { (int)g->fsid[0], (int)g->fsid[1] };
	memset(sf, 0, sizeof *sf);
	sf->f_type = (__fsword_t)g->type;
	sf->f_bsize = (__fsword_t)g->bsize;
	sf->f_blocks = g->blocks;
	sf->f_bfree = g->bfree;
	sf->f_bavail = g->bavail;
	sf->f_files = g->files;
	sf->f_ffree = g->ffree;
	memcpy(&sf->f_fsid, fsid, sizeof fsid);
	sf->f_namelen = (__fsword_t)g->namelen;
	sf->f_frsize = (__fsword_t)g->frsize;
	sf->f_flags = (__fsword_t)g->flags;
}
