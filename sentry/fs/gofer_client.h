/* The sentry's side of the gofer protocol (gofer/protocol.h): a
 * synchronous, thread-safe client.  Each call sends one request and waits
 * for its reply; calls from many threads are serialised on one mutex.
 *
 * Every function returns >= 0 on success or -errno.  The errors the gofer
 * reports (ENOENT, EROFS, ...) come back as they are; if the gofer dies,
 * or answers anything that is not the well-formed reply to the request just
 * sent, the call returns -EIO and so does every later call (the stream can
 * no longer be trusted).
 *
 * Names are single path components (1..255 bytes, no '/', not "." or
 * ".."): the sentry walks paths, and resolves symlinks, itself.  Nodes are
 * the gofer's handles on host files; each must be released exactly once. */
#ifndef SENTRY_FS_GOFER_CLIENT_H
#define SENTRY_FS_GOFER_CLIENT_H

#include "gofer/protocol.h"	/* GOFER_SETATTR_*, struct gofer_setattr */

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

typedef uint64_t gofer_node_t;

struct gofer_client;

/* Takes ownership of sock (the sentry's end of the SOCK_SEQPACKET pair). */
int gofer_client_new(int sock, struct gofer_client **out);
/* Closes the socket, which makes the gofer exit.  NULL is allowed. */
void gofer_client_free(struct gofer_client *c);
/* Makes the gofer exit (its socket shut down) while the client stays, for
 * whatever still refers to it: every call returns -EIO from then on.  For
 * a pod container's gofer whose files are still in use at the container's
 * end (sentry/kernel/container.c).  NULL is allowed. */
void gofer_client_shutdown(struct gofer_client *c);
/* The client's socket, to watch for the gofer's death (its end closes:
 * POLLRDHUP); still the client's.  -1 for NULL. */
int gofer_client_sock(const struct gofer_client *c);

/* Output pointers for a stat (st, sf) may be NULL; node and fd may not.  */

/* The root of mount number index (its position in the gofer's mount list). */
int gofer_attach(struct gofer_client *c, uint32_t index, gofer_node_t *node, struct stat *st);
/* The child name of dir, not following a symlink (lstat semantics). */
int gofer_walk(struct gofer_client *c, gofer_node_t dir, const char *name,
	       gofer_node_t *node, struct stat *st);
int gofer_stat(struct gofer_client *c, gofer_node_t node, struct stat *st);
/* A host fd (close-on-exec) for a regular file or directory; flags are
 * O_RDONLY/O_WRONLY/O_RDWR with O_TRUNC, O_APPEND, O_DIRECTORY only.
 * Symlinks: ELOOP; fifos, sockets: ENXIO; devices: EACCES.  EMFILE if the
 * sentry has no fd free for it (the client stays usable). */
int gofer_open(struct gofer_client *c, gofer_node_t node, int flags, int *fd);
/* Creates name (O_CREAT|O_EXCL implied) owned by uid:gid, with the mode
 * exactly as given (the guest's umask is the caller's business); returns
 * its node, stat and an fd opened with flags.  On EMFILE (no fd free in the
 * sentry) the new file is removed again. */
int gofer_create(struct gofer_client *c, gofer_node_t dir, const char *name, int flags,
		 mode_t mode, uid_t uid, gid_t gid, gofer_node_t *node, struct stat *st,
		 int *fd);
int gofer_mkdir(struct gofer_client *c, gofer_node_t dir, const char *name, mode_t mode,
		uid_t uid, gid_t gid, gofer_node_t *node, struct stat *st);
/* Only S_IFREG, S_IFIFO and S_IFSOCK; devices fail with EPERM. */
int gofer_mknod(struct gofer_client *c, gofer_node_t dir, const char *name, mode_t mode,
		dev_t rdev, uid_t uid, gid_t gid, gofer_node_t *node, struct stat *st);
int gofer_symlink(struct gofer_client *c, gofer_node_t dir, const char *name,
		  const char *target, uid_t uid, gid_t gid, gofer_node_t *node,
		  struct stat *st);
/* A new name in dir for node; st is node's stat afterwards (st may be NULL). */
int gofer_link(struct gofer_client *c, gofer_node_t dir, const char *name, gofer_node_t node,
	       struct stat *st);
/* flags: 0 or AT_REMOVEDIR. */
int gofer_unlink(struct gofer_client *c, gofer_node_t dir, const char *name, int flags);
/* flags: 0, RENAME_NOREPLACE or RENAME_EXCHANGE; EXDEV across mounts. */
int gofer_rename(struct gofer_client *c, gofer_node_t olddir, const char *oldname,
		 gofer_node_t newdir, const char *newname, unsigned flags);
/* Returns the target's length; copies at most size bytes of it into buf,
 * NUL-terminated if there is room (like snprintf: the target was cut if the
 * result is >= size; a buffer of GOFER_PATH_MAX + 1 always suffices). */
int gofer_readlink(struct gofer_client *c, gofer_node_t node, char *buf, size_t size);
/* Applies the fields of attr named by attr->mask (GOFER_SETATTR_*; times
 * may be UTIME_NOW or UTIME_OMIT); st gets the new stat (may be NULL). */
int gofer_setattr(struct gofer_client *c, gofer_node_t node, const struct gofer_setattr *attr,
		  struct stat *st);
int gofer_statfs(struct gofer_client *c, gofer_node_t node, struct statfs *sf);
int gofer_release(struct gofer_client *c, gofer_node_t node);

/* Called once per entry ("." and ".." are never listed); next_cookie
 * resumes the listing after this entry.  Return 0 to go on, anything else
 * to stop before this entry (it is then not counted and the cookie stays
 * before it). */
typedef int (*gofer_dirent_fn)(void *arg, const char *name, uint64_t ino,
			       unsigned char d_type, uint64_t next_cookie);

/* One batch of dir's entries from *cookie on (0: the start), handed to fn
 * without the client's lock held; *cookie is advanced past the entries fn
 * took.  Returns their number, 0 at the end of the directory (or if fn
 * refused the first entry). */
int gofer_readdir(struct gofer_client *c, gofer_node_t dir, uint64_t *cookie,
		  gofer_dirent_fn fn, void *arg);
/* Every entry, batch after batch; returns how many fn took. */
int gofer_readdir_all(struct gofer_client *c, gofer_node_t dir, gofer_dirent_fn fn, void *arg);

#endif
