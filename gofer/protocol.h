/* The gofer wire protocol, shared by the gofer (gofer/server.c) and the
 * sentry's client (sentry/fs/gofer_client.c).
 *
 * Transport
 *   An AF_UNIX SOCK_SEQPACKET socketpair.  One message per request, one
 *   message per reply, strictly alternating: the client sends a request and
 *   waits for its reply before sending the next one.  A reply to OPEN or
 *   CREATE that succeeded carries exactly one fd (SCM_RIGHTS); no other
 *   message carries any.  A request that arrives with an fd is refused
 *   (EINVAL) and the fd closed.
 *
 * Byte layout
 *   All integers are in host byte order (both ends are the same binary on
 *   the same machine), packed, with no padding or alignment.  Strings are a
 *   u16 length followed by that many bytes, with no terminating NUL.
 *
 *   Header, GOFER_HDR_SIZE = 16 bytes, at the start of every message:
 *     0  u32 len     total message length, header included;
 *                    GOFER_HDR_SIZE <= len <= GOFER_MSG_MAX, and it must
 *                    equal the number of bytes actually received
 *     4  u16 op      enum gofer_op; a reply echoes its request's op
 *     6  u16 flags   must be 0
 *     8  u32 tag     chosen by the client; a reply echoes its request's tag
 *    12  u32 error   requests: 0; replies: 0 or a positive errno (< 4096).
 *                    A reply with error != 0 has no body.
 *
 *   Request bodies, fields in this order, only those listed for the op:
 *     ATTACH    u32 mount
 *     WALK      u64 dir, str name
 *     STAT      u64 node
 *     OPEN      u64 node, u32 flags
 *     CREATE    u64 dir, u32 flags, u32 mode, u32 uid, u32 gid, str name
 *     MKDIR     u64 dir, u32 mode, u32 uid, u32 gid, str name
 *     MKNOD     u64 dir, u32 mode, u32 uid, u32 gid, u64 rdev, str name
 *     SYMLINK   u64 dir, u32 uid, u32 gid, str name, str target
 *     LINK      u64 dir, u64 existing node, str name
 *     UNLINK    u64 dir, u32 flags, str name
 *     RENAME    u64 olddir, u64 newdir, u32 flags, str oldname, str newname
 *     READLINK  u64 node
 *     SETATTR   u64 node, setattr (48 bytes: u32 mask, u32 mode, u32 uid,
 *               u32 gid, u64 size, i64 atime_sec, u32 atime_nsec,
 *               i64 mtime_sec, u32 mtime_nsec)
 *     READDIR   u64 dir, u64 cookie
 *     STATFS    u64 node
 *     RELEASE   u64 node
 *
 *   Reply bodies (error == 0):
 *     ATTACH, WALK, CREATE, MKDIR, MKNOD, SYMLINK    u64 node, stat
 *     STAT, LINK, SETATTR                            stat
 *     OPEN, UNLINK, RENAME, RELEASE                  (empty)
 *     READLINK                                       str target
 *     STATFS                                         statfs
 *     READDIR   u64 cookie, u32 eof (0|1), u32 count, then count entries
 *               filling the rest of the message exactly:
 *                 u64 ino, u64 off (cookie to resume after this entry),
 *                 u8 d_type, u8 namelen, namelen bytes of name
 *
 *   stat   (100 bytes): u64 ino, dev, rdev, size, blocks, nlink;
 *          u32 mode, uid, gid, blksize; then atime, mtime, ctime, each
 *          i64 sec + u32 nsec.
 *   statfs (88 bytes): u64 type, bsize, blocks, bfree, bavail, files,
 *          ffree; u32 fsid[2]; u64 namelen, frsize, flags.
 *
 * Validation (done by both the encoders and the decoders, so that neither
 * side ever sends or accepts anything else):
 *   names: 1..GOFER_NAME_MAX bytes, no '/' or NUL, not "." or "..";
 *   symlink targets: 1..GOFER_PATH_MAX bytes, no NUL;
 *   every length field agrees with the bytes that are there; no trailing
 *   bytes; flags and modes only with the bits the op allows.
 *   Errors: ENAMETOOLONG for over-long names and targets, EMSGSIZE for a
 *   message over GOFER_MSG_MAX, EINVAL for everything else.  The error reply
 *   to a malformed request echoes its op and tag if its header was there
 *   (16 bytes or more), else carries op 0 and tag 0.
 *
 * Fields of a request carry Linux values: open flags (O_*), modes (S_IF*
 * and permission bits), AT_REMOVEDIR, RENAME_NOREPLACE/RENAME_EXCHANGE,
 * UTIME_NOW/UTIME_OMIT, DT_* types.
 *
 * Node ids are opaque to the client; 0 is never a valid id. */
#ifndef GOFER_PROTOCOL_H
#define GOFER_PROTOCOL_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stat;
struct statfs;

#define GOFER_HDR_SIZE     16u
#define GOFER_PAYLOAD_MAX  65536u
#define GOFER_MSG_MAX      (GOFER_HDR_SIZE + GOFER_PAYLOAD_MAX)
#define GOFER_NAME_MAX     255u
#define GOFER_PATH_MAX     4095u
#define GOFER_ERRNO_MAX    4095u
#define GOFER_STAT_SIZE    100u
#define GOFER_STATFS_SIZE  88u
/* Room for READDIR entries in one reply (after cookie, eof and count). */
#define GOFER_DIRENTS_MAX  (GOFER_PAYLOAD_MAX - 16u)
#define GOFER_DIRENT_HDR   18u

enum gofer_op {
	GOFER_OP_ATTACH = 1,
	GOFER_OP_WALK,
	GOFER_OP_STAT,
	GOFER_OP_OPEN,
	GOFER_OP_CREATE,
	GOFER_OP_MKDIR,
	GOFER_OP_MKNOD,
	GOFER_OP_SYMLINK,
	GOFER_OP_LINK,
	GOFER_OP_UNLINK,
	GOFER_OP_RENAME,
	GOFER_OP_READLINK,
	GOFER_OP_SETATTR,
	GOFER_OP_READDIR,
	GOFER_OP_STATFS,
	GOFER_OP_RELEASE,
	GOFER_OP_COUNT,		/* one past the last op */
};

/* SETATTR mask bits. */
#define GOFER_SETATTR_MODE   0x01u
#define GOFER_SETATTR_UID    0x02u
#define GOFER_SETATTR_GID    0x04u
#define GOFER_SETATTR_SIZE   0x08u
#define GOFER_SETATTR_ATIME  0x10u
#define GOFER_SETATTR_MTIME  0x20u
#define GOFER_SETATTR_ALL    0x3fu

struct gofer_hdr {
	uint32_t len;
	uint16_t op;
	uint16_t flags;
	uint32_t tag;
	uint32_t error;
};

struct gofer_time {
	int64_t sec;
	uint32_t nsec;		/* < 1e9, or UTIME_NOW / UTIME_OMIT in SETATTR */
};

struct gofer_stat {
	uint64_t ino, dev, rdev, size, blocks, nlink;
	uint32_t mode, uid, gid, blksize;
	struct gofer_time atime, mtime, ctime;
};

struct gofer_statfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree;
	uint32_t fsid[2];
	uint64_t namelen, frsize, flags;
};

struct gofer_setattr {
	uint32_t mask;		/* GOFER_SETATTR_* */
	uint32_t mode;		/* permission bits only (07777) */
	uint32_t uid, gid;
	uint64_t size;
	struct gofer_time atime, mtime;
};

/* A decoded request.  Only the fields its op uses are meaningful (see the
 * table above); strings are NUL-terminated copies. */
struct gofer_req {
	uint16_t op;
	uint32_t tag;
	uint32_t mount;		/* ATTACH */
	uint64_t node;		/* the node, or the directory, operated on */
	uint64_t node2;		/* LINK: the existing node; RENAME: new dir */
	uint32_t flags;		/* OPEN, CREATE: open flags; UNLINK; RENAME */
	uint32_t mode;
	uint32_t uid, gid;
	uint64_t rdev;
	uint64_t cookie;	/* READDIR */
	struct gofer_setattr attr;
	char name[GOFER_NAME_MAX + 1];
	char name2[GOFER_NAME_MAX + 1];	/* RENAME: new name */
	char target[GOFER_PATH_MAX + 1];	/* SYMLINK */
};

/* A decoded reply.  dirents points into the buffer that was decoded. */
struct gofer_reply {
	uint16_t op;
	uint32_t tag;
	uint32_t error;		/* 0 or a positive errno; no body if != 0 */
	uint64_t node;
	struct gofer_stat stat;
	struct gofer_statfs statfs;
	uint64_t cookie;	/* READDIR: where the next batch starts */
	bool eof;		/* READDIR: no entries after this batch */
	uint32_t count;		/* READDIR: entries in this batch */
	const uint8_t *dirents;
	size_t dirents_len;
	char target[GOFER_PATH_MAX + 1];	/* READLINK */
};

struct gofer_dirent {
	uint64_t ino;
	uint64_t off;
	uint8_t type;		/* DT_* */
	char name[GOFER_NAME_MAX + 1];
};

/* Open flags a request may carry. */
#define GOFER_OPEN_FLAGS   (O_ACCMODE | O_TRUNC | O_APPEND | O_DIRECTORY)
#define GOFER_CREATE_FLAGS (O_ACCMODE | O_TRUNC | O_APPEND | O_CREAT | O_EXCL)

/* Whether the op is known; a name for logs ("?" if not). */
bool gofer_op_valid(uint32_t op);
const char *gofer_op_name(uint32_t op);
/* Whether a successful reply to op carries an fd. */
bool gofer_op_returns_fd(uint32_t op);

/* 0 if name (len bytes, not necessarily NUL-terminated) is a valid single
 * path component; -EINVAL or -ENAMETOOLONG otherwise. */
int gofer_check_name(const char *name, size_t len);
/* 0 if it is a valid symlink target; -EINVAL or -ENAMETOOLONG otherwise. */
int gofer_check_target(const char *target, size_t len);
/* Copies a NUL-terminated string into dst (size GOFER_NAME_MAX + 1 or
 * GOFER_PATH_MAX + 1) after checking it. */
int gofer_copy_name(char *dst, const char *name);
int gofer_copy_target(char *dst, const char *target);

/* Decodes and checks the header at the start of buf; len is the number of
 * bytes received.  0 or -errno.  *h is filled whenever len >=
 * GOFER_HDR_SIZE, even on error, so that an error reply can echo op/tag. */
int gofer_decode_hdr(const void *buf, size_t len, struct gofer_hdr *h);

/* Encoders return the message length (<= cap) or -errno; decoders 0 or
 * -errno.  The decoders check the header too, and never read past len. */
int gofer_encode_req(const struct gofer_req *r, void *buf, size_t cap);
int gofer_decode_req(const void *buf, size_t len, struct gofer_req *r);
int gofer_encode_reply(const struct gofer_reply *r, void *buf, size_t cap);
int gofer_decode_reply(const void *buf, size_t len, struct gofer_reply *r);
/* An error reply (error in 1..GOFER_ERRNO_MAX) that echoes op and tag even
 * when op is unknown, for answering malformed requests. */
int gofer_encode_error(uint16_t op, uint32_t tag, uint32_t error, void *buf, size_t cap);

/* Appends one READDIR entry at buf + *used (cap bytes in all): 0, or
 * -ENOSPC when it does not fit, or -EINVAL for a bad name or type. */
int gofer_dirent_put(void *buf, size_t cap, size_t *used, uint64_t ino,
		     uint64_t off, uint8_t type, const char *name);
/* Takes the next entry from *p (*left bytes); 1 if one was taken, 0 at the
 * end, -EINVAL if malformed. */
int gofer_dirent_next(const uint8_t **p, size_t *left, struct gofer_dirent *d);

void gofer_stat_from_host(struct gofer_stat *g, const struct stat *st);
void gofer_stat_to_host(struct stat *st, const struct gofer_stat *g);
void gofer_statfs_from_host(struct gofer_statfs *g, const struct statfs *sf);
void gofer_statfs_to_host(struct statfs *sf, const struct gofer_statfs *g);

#endif
