/* The virtual file system: inodes, dentries, mounts, open files, fd tables
 * and the path walk.  File systems (sentry/fs/) implement inode_ops and
 * file_ops; syscalls (sentry/syscalls/) use the functions declared here.
 *
 * Reference counting: every pointer stored in a structure holds a reference;
 * functions that return an object through an out-parameter hand the caller
 * a new reference, released with the matching *_put().
 *
 * Locking: the dentry tree (names, parents, children lists, mounts) is
 * protected by one lock inside vfs.c; an inode's attributes and file-system
 * data by inode->lock; an open file's offset by file->pos_lock.  No lock is
 * held while a file system does I/O or talks to the gofer.
 */
#ifndef SENTRY_VFS_VFS_H
#define SENTRY_VFS_VFS_H

#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <time.h>

#include "common/list.h"

struct task;
struct cred;
struct inode;
struct dentry;
struct mount;
struct file;
struct super_block;
struct poll_table;
struct epoll_links;
struct iovec;

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* --- super blocks ---------------------------------------------------------- */

#define SB_RDONLY  0x1   /* nothing on it can be changed (EROFS) */
#define SB_NOCACHE 0x2   /* dentries are not kept: every walk asks lookup (procfs) */

struct super_ops {
	int (*statfs)(struct super_block *sb, struct statfs *st);
	void (*destroy)(struct super_block *sb);
};

struct super_block {
	atomic_long refcount;
	const struct super_ops *ops;
	const char *fstype;      /* as /proc/mounts shows it: "tmpfs", "proc"... */
	uint64_t magic;          /* statfs f_type */
	dev_t dev;               /* st_dev of its inodes */
	unsigned flags;
	atomic_uint_fast64_t next_ino;
	void *priv;
};

struct super_block *sb_new(const char *fstype, uint64_t magic, const struct super_ops *ops,
			   unsigned flags);
void sb_get(struct super_block *sb);
void sb_put(struct super_block *sb);
uint64_t sb_next_ino(struct super_block *sb);

/* --- inodes ---------------------------------------------------------------- */

/* Attribute changes for setattr; `valid` says which fields to apply. */
#define ATTR_MODE  0x01
#define ATTR_UID   0x02
#define ATTR_GID   0x04
#define ATTR_SIZE  0x08
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20
#define ATTR_CTIME 0x40
#define ATTR_TIMES_SET 0x80   /* explicit times (not "now"): owner only */
#define ATTR_KILL_SUID 0x100  /* chown: clear set-user/group-ID as Linux does */

struct iattr {
	unsigned valid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	int64_t size;
	struct timespec atime, mtime;   /* already resolved from UTIME_NOW */
};

/* Identity of the caller of a create-like operation. */
struct owner {
	uid_t uid;
	gid_t gid;
};

struct inode_ops {
	/* A new reference to the child called name, or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	int (*create)(struct inode *dir, const char *name, mode_t mode, const struct owner *o,
		      struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, mode_t mode, const struct owner *o,
		     struct inode **out);
	int (*mknod)(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
		     const struct owner *o, struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, const char *target,
		       const struct owner *o, struct inode **out);
	int (*link)(struct inode *dir, const char *name, struct inode *target);
	/* victim is the inode being removed (already looked up). */
	int (*unlink)(struct inode *dir, const char *name, struct inode *victim);
	int (*rmdir)(struct inode *dir, const char *name, struct inode *victim);
	/* flags: RENAME_NOREPLACE, RENAME_EXCHANGE; the VFS has already
	 * checked the types; target is the inode being replaced or exchanged
	 * (NULL if newname is free), whose emptiness the file system checks. */
	int (*rename)(struct inode *olddir, const char *oldname, struct inode *source,
		      struct inode *newdir, const char *newname, struct inode *target,
		      unsigned flags);
	/* Text of a symlink; returns its length (not NUL-terminated).  t is
	 * the task asking (procfs's "self" depends on it; may be NULL). */
	int (*readlink)(struct task *t, struct inode *inode, char *buf, size_t size);
	/* A "magic" link (procfs fd/, cwd, exe): jumps to a path instead of text.
	 * Returns -ENOENT when there is nothing to jump to. */
	int (*get_link)(struct task *t, struct inode *inode, struct path *out);
	int (*setattr)(struct inode *inode, const struct iattr *attr);
	/* Refreshes the inode's attributes before a stat (optional). */
	int (*getattr)(struct inode *inode);
	/* Prepares an open file (optional); f->fop may be changed here.  May
	 * block (FIFOs wait for a peer). */
	int (*open)(struct task *t, struct inode *inode, struct file *f);
};

struct inode {
	atomic_long refcount;
	struct super_block *sb;
	const struct inode_ops *iop;
	const struct file_ops *fop;     /* default operations of open files */
	pthread_mutex_t lock;
	uint64_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	dev_t rdev;
	int64_t size;
	int64_t blocks;                 /* 512-byte blocks */
	struct timespec atime, mtime, ctime;
	void *priv;                     /* the file system's */
	void (*destroy)(struct inode *inode);   /* frees priv */
	/* Linux's i_writecount: > 0 open for writing, < 0 running as a
	 * program (writes get ETXTBSY). */
	atomic_int writecount;
	/* Advisory locks (fcntl, OFD, flock): the lock code's, under its own
	 * lock; NULL while the inode has none. */
	void *locks;
	/* The unix socket bound to this S_IFSOCK inode (sentry/socket/unix.c;
	 * under lock, no reference: the socket clears it when it goes). */
	void *socket;
};

/* Write access against execution: -ETXTBSY when the other one holds it. */
int inode_get_write(struct inode *inode);
void inode_put_write(struct inode *inode);
int inode_deny_write(struct inode *inode);
void inode_allow_write(struct inode *inode);

/* A new inode with one reference, owned by sb. */
struct inode *inode_new(struct super_block *sb, mode_t mode, const struct inode_ops *iop,
			const struct file_ops *fop);
void inode_get(struct inode *inode);
void inode_put(struct inode *inode);
void inode_fill_stat(struct inode *inode, struct stat *st);
void inode_touch(struct inode *inode, bool atime, bool mtime, bool ctime);
/* Applies iattr fields to the in-memory inode (for file systems that keep
 * attributes in memory). */
void inode_apply_attr(struct inode *inode, const struct iattr *attr);

/* --- dentries -------------------------------------------------------------- */

#define DENTRY_COMPLETE 0x1   /* every child is cached: a miss means ENOENT */
#define DENTRY_DEAD     0x2   /* unlinked */

struct dentry {
	atomic_long refcount;
	char *name;
	struct dentry *parent;          /* NULL for a file system's root */
	struct inode *inode;
	struct super_block *sb;
	unsigned flags;
	int mounted;                    /* mounts whose mountpoint this is */
	struct list_head children;
	struct list_head sibling;
	bool cached;                    /* in parent->children */
};

struct dentry *dentry_new_root(struct inode *inode);
void dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);

/* Adds (or replaces) a cached child for a new inode, for file systems whose
 * tree lives in the dcache (tmpfs) and for create-like operations. */
int dentry_add_child(struct dentry *parent, const char *name, struct inode *inode,
		     struct dentry **out);
/* Marks parent's listing complete: misses no longer ask lookup(). */
void dentry_set_complete(struct dentry *d);

/* d's parent (a new reference; NULL for a root) and, in name, d's name,
 * read together under the dcache lock (for events about a child). */
struct dentry *dentry_get_parent_name(struct dentry *d, char name[NAME_MAX + 1]);

/* Calls fn for every cached child of d, under the dcache lock (fn must not
 * call back into the VFS). */
void dentry_for_each_child(struct dentry *d, void (*fn)(struct dentry *child, void *arg),
			   void *arg);

/* --- mounts ---------------------------------------------------------------- */

#define MNT_RDONLY 0x1
#define MNT_NOSUID 0x2
#define MNT_NODEV  0x4
#define MNT_NOEXEC 0x8

struct mount {
	atomic_long refcount;
	int id;
	struct mount *parent;           /* NULL for the root mount */
	struct dentry *mountpoint;      /* in parent */
	struct dentry *root;
	struct super_block *sb;
	unsigned flags;
	char *source;                   /* for /proc/mounts */
	struct mount_table *table;
	struct list_head node;          /* in the mount table */
};

void mount_get(struct mount *m);
void mount_put(struct mount *m);

/* The mount table of the sandbox (one mount namespace). */
struct mount_table;
struct mount_table *mount_table_new(struct dentry *root, const char *source, unsigned flags);
struct mount *mount_table_root(struct mount_table *mt);
/* Mounts root on the directory at where (absolute guest path, created in
 * the parent file system if missing). */
int mount_at(struct mount_table *mt, const char *where, struct dentry *root,
	     const char *source, unsigned flags);
/* Calls fn for each mount in mount order (for /proc/mounts). */
void mount_table_for_each(struct mount_table *mt,
			  void (*fn)(struct mount *m, void *arg), void *arg);
/* Takes apart a mount table nothing uses any more (a pod container's, once
 * its processes are gone; sentry/kernel/container.c): the cached trees of
 * the file systems owned() says are the table's own are dropped from the
 * dcache, so that their inodes, and the host files they hold, go as soon as
 * nothing else holds them; then every mount goes.  -EBUSY if a path still
 * refers to one of its mounts: the trees are dropped all the same, the
 * mounts stay (leaked, for whatever uses them; lookups there find only
 * what their file systems find anew).  (A mount holds a reference on its
 * parent mount.) */
int mount_table_destroy(struct mount_table *mt, bool (*owned)(struct dentry *root, void *arg),
			void *arg);

void path_get(const struct path *p);
void path_put(struct path *p);
/* Absolute path of p as seen from root; returns its length or -errno
 * ("(deleted)" is appended to unlinked files, as Linux does). */
int path_to_string(const struct path *p, const struct path *root, char *buf, size_t size);

/* --- open files ------------------------------------------------------------ */

/* Walks a directory: emit() returns false when the caller's buffer is full. */
struct dir_emitter {
	bool (*emit)(struct dir_emitter *e, const char *name, size_t namelen, uint64_t ino,
		     unsigned char type, int64_t next_pos);
	int64_t pos;                    /* where to resume (file-system cookie) */
};

struct file_ops {
	/* pos is the file's offset, or the caller's for pread/pwrite.  Either
	 * may block (through the task) and returns -ERESTARTSYS when a signal
	 * interrupts it before any data moved. */
	ssize_t (*read)(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos);
	ssize_t (*write)(struct file *f, struct task *t, const void *buf, size_t len,
			 int64_t *pos);
	/* Optional, for large reads: straight into guest memory at buf (one
	 * copy instead of two); -EOPNOTSUPP sends the caller to read(). */
	ssize_t (*read_user)(struct file *f, struct task *t, uint64_t buf, size_t len,
			     int64_t *pos);
	/* NULL means not seekable (ESPIPE). */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	int (*readdir)(struct file *f, struct dir_emitter *e);
	long (*ioctl)(struct file *f, struct task *t, unsigned long cmd, uint64_t arg);
	/* Current readiness (POLLIN...); with pt, also registers interest. */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/* A host fd that can be mapped (borrowed reference), or -ENODEV. */
	int (*mmap_fd)(struct file *f, bool shared_write);
	int (*fsync)(struct file *f);
	/* Optional: an fd of f was closed (each close(2), as Linux's ->flush),
	 * by the task running on this thread if any (task_current()). */
	void (*flush)(struct file *f);
	void (*release)(struct file *f);
	/* fstat of a file without an inode (host fds). */
	int (*fstat)(struct file *f, struct stat *st);
	/* fallocate(2) (mode FALLOC_FL_*, already validated as the VFS does);
	 * NULL: EOPNOTSUPP. */
	int (*fallocate)(struct file *f, int mode, int64_t off, int64_t len);
	/* read(2)/write(2)/readv(2)/writev(2) in one call on guest memory (iov
	 * holds guest addresses), for files where cutting the request into
	 * chunks would change its meaning (a socket's datagram is the whole
	 * vector).  Optional: when set, those syscalls use it instead of
	 * read/write (which remain for callers with sentry buffers). */
	ssize_t (*read_iov)(struct file *f, struct task *t, const struct iovec *iov, int iovcnt);
	ssize_t (*write_iov)(struct file *f, struct task *t, const struct iovec *iov, int iovcnt);
	/* Mapping it maps anonymous memory (/dev/zero). */
	bool mmap_anonymous;
};

struct file {
	atomic_long refcount;
	const struct file_ops *fop;
	struct path path;               /* empty for anonymous files (pipes) */
	struct inode *inode;
	unsigned flags;                 /* O_ACCMODE, O_APPEND, O_NONBLOCK, ... */
	bool write_access;              /* holds inode_get_write() */
	pthread_mutex_t pos_lock;
	int64_t pos;
	void *priv;
	/* The epoll items watching this file (sentry/fs/epoll.c): set by
	 * epoll_ctl, taken apart by eventpoll_release() when the last
	 * reference goes.  The items hold no reference to the file. */
	struct epoll_links *_Atomic ep_links;
};

struct file *file_new(struct inode *inode, const struct path *path, const struct file_ops *fop,
		      unsigned flags);
void file_get(struct file *f);
void file_put(struct file *f);
static inline bool file_readable(const struct file *f)
{
	return (f->flags & 3) == 0 || (f->flags & 3) == 2;
}
static inline bool file_writable(const struct file *f)
{
	return (f->flags & 3) == 1 || (f->flags & 3) == 2;
}

/* readdir of a directory through a listing taken when a pass starts at
 * offset 0 (kept in f->priv): ".", "..", then whatever fill() adds. */
struct dir_snapshot {
	size_t n, cap;
	struct dir_snap_entry {
		char *name;
		uint64_t ino;
		unsigned char type;
	} *e;
};
typedef int (*dir_fill_fn)(struct file *f, struct dir_snapshot *s);
int dir_snapshot_add(struct dir_snapshot *s, const char *name, uint64_t ino, unsigned char type);
int dir_snapshot_readdir(struct file *f, struct dir_emitter *e, dir_fill_fn fill);
void dir_snapshot_release(struct file *f);
int64_t dir_snapshot_llseek(struct file *f, int64_t off, int whence);

/* Generic llseek for files with a size in inode->size. */
int64_t generic_llseek(struct file *f, int64_t off, int whence);

/* Advisory locks: the lock code (fcntl, flock) installs these hooks when it
 * takes its first lock, and the VFS calls them as Linux calls
 * locks_remove_posix() and locks_remove_file(). */
struct file_lock_hooks {
	/* An fd of f was closed by the fd table owner (its POSIX locks go,
	 * whichever fd they were taken through). */
	void (*fd_closed)(struct file *f, const void *owner);
	/* The open file's last reference is going (OFD and flock locks go). */
	void (*file_released)(struct file *f);
};
void vfs_set_lock_hooks(const struct file_lock_hooks *hooks);

/* file_put() of the last reference: removes f from every epoll set
 * (Linux's eventpoll_release; sentry/fs/epoll.c). */
void eventpoll_release(struct file *f);

/* --- fd tables ------------------------------------------------------------- */

struct fdtable;

struct fdtable *fdtable_new(void);
struct fdtable *fdtable_copy(struct fdtable *src);
void fdtable_get(struct fdtable *t);
void fdtable_put(struct fdtable *t);
/* Installs f at the lowest free fd >= min_fd below limit; returns the fd. */
int fd_install(struct fdtable *t, struct file *f, int min_fd, bool cloexec, unsigned limit);
/* Installs f at exactly fd, closing what was there (dup2). */
int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec, unsigned limit);
/* A new reference to the file at fd, or NULL. */
struct file *fd_get(struct fdtable *t, int fd);
int fd_close(struct fdtable *t, int fd);
int fd_get_cloexec(struct fdtable *t, int fd);
int fd_set_cloexec(struct fdtable *t, int fd, bool cloexec);
void fdtable_close_on_exec(struct fdtable *t);
/* Highest open fd + 1 (for iteration), and the file at fd without a ref
 * (caller holds the table alive and only reads). */
int fdtable_max_fd(struct fdtable *t);
/* Number of open descriptors. */
int fdtable_count(struct fdtable *t);
/* Is the table used by more than one task (CLONE_FILES)? */
bool fdtable_shared(struct fdtable *t);

/* --- the path walk --------------------------------------------------------- */

#define LOOKUP_FOLLOW     0x01   /* follow a symlink in the last component */
#define LOOKUP_DIRECTORY  0x02   /* the result must be a directory */
#define LOOKUP_EMPTY      0x04   /* "" means dirfd itself (AT_EMPTY_PATH) */
#define LOOKUP_NO_MAGIC   0x08   /* do not jump through procfs magic links */

#define VFS_MAX_SYMLINKS 40

/* Where a walk starts and what it may not leave. */
struct walk_root {
	struct path root;   /* "/" and the limit of ".." */
	struct path start;  /* for relative paths */
};

/* Resolves path to a new reference in out. */
int vfs_walk(struct task *t, const struct walk_root *w, const char *path, unsigned flags,
	     struct path *out);
/* Resolves everything but the last component: out is the parent directory
 * and *last points into path (or to a copy in lastbuf when the last
 * component came from a symlink).  "." and ".." as last give -EINVAL... as
 * the callers require; trailing slashes set *trailing_slash. */
int vfs_walk_parent(struct task *t, const struct walk_root *w, const char *path,
		    struct path *out, char lastbuf[NAME_MAX + 1], bool *trailing_slash);
/* Looks up one name in a directory (no symlinks followed), returning the
 * child's dentry in *out; -ENOENT if absent. */
int vfs_lookup_child(const struct path *dir, const char *name, struct path *out);

/* The mount a path is on is read-only? */
bool path_is_readonly(const struct path *p);

/* Permission check: mask of MAY_READ, MAY_WRITE, MAY_EXEC. */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4
int inode_permission(const struct cred *c, struct inode *inode, int mask);

/* --- namespace operations (ops.c) -----------------------------------------
 * They check what Linux checks (existence, types, permissions, read-only
 * mounts), call the file system and keep the dcache right. */

/* Internal open flag: opened by execve (needs exec, not read, permission). */
#define VFS_OPEN_EXEC 0x40000000

/* open(2) after the path walk and O_CREAT: returns a new open file. */
int vfs_open(struct task *t, const struct walk_root *wr, const char *path, int flags,
	     mode_t mode, struct file **out);
/* Opens an already resolved path (execve, /proc magic links). */
int vfs_open_path(struct task *t, const struct path *p, int flags, struct file **out);
int vfs_mknod(struct task *t, const struct walk_root *wr, const char *path, mode_t mode,
	      dev_t rdev);
int vfs_mkdir(struct task *t, const struct walk_root *wr, const char *path, mode_t mode);
int vfs_symlink(struct task *t, const char *target, const struct walk_root *wr,
		const char *path);
int vfs_link(struct task *t, const struct walk_root *old_wr, const char *old_path,
	     unsigned old_flags, const struct walk_root *new_wr, const char *new_path);
int vfs_unlink(struct task *t, const struct walk_root *wr, const char *path);
int vfs_rmdir(struct task *t, const struct walk_root *wr, const char *path);
int vfs_rename(struct task *t, const struct walk_root *old_wr, const char *old_path,
	       const struct walk_root *new_wr, const char *new_path, unsigned flags);
int vfs_readlink(struct task *t, const struct path *p, char *buf, size_t size);
/* setattr with the checks of chmod/chown/truncate/utimes. */
int vfs_setattr(struct task *t, const struct path *p, struct iattr *attr);
int vfs_getattr(const struct path *p, struct stat *st);
int vfs_statfs(const struct path *p, struct statfs *st);

/* --- change notification (inotify: sentry/fs/inotify.c) -------------------
 * Called after a change succeeded; each returns at once when nothing is
 * watched.  Names are the child's name in the directory dir. */

/* IN_CREATE in dir (open O_CREAT, mkdir, mknod, symlink). */
void fsnotify_create(struct dentry *dir, const char *name, struct inode *inode);
/* link(): IN_ATTRIB on inode, then IN_CREATE in dir. */
void fsnotify_link(struct dentry *dir, const char *name, struct inode *inode);
/* IN_ATTRIB on inode alone (its link count changed: unlink, rename over). */
void fsnotify_link_count(struct inode *inode);
/* IN_DELETE in dir (unlink, rmdir). */
void fsnotify_delete(struct dentry *dir, const char *name, bool is_dir);
/* A dead dentry's last reference went: if inode has no link left,
 * IN_DELETE_SELF and the end of its watches (IN_IGNORED). */
void fsnotify_inoderemove(struct inode *inode);
/* rename(): IN_MOVED_FROM/IN_MOVED_TO with one cookie, IN_ATTRIB on a
 * replaced target, IN_MOVE_SELF on source. */
void fsnotify_move(struct dentry *olddir, const char *oldname, struct dentry *newdir,
		   const char *newname, struct inode *source, struct inode *target);
/* On an open file with a path: IN_OPEN, IN_CLOSE_WRITE/NOWRITE (last
 * reference), IN_ACCESS (data read), IN_MODIFY (data written). */
void fsnotify_open(struct file *f);
void fsnotify_close(struct file *f);
void fsnotify_access(struct file *f);
void fsnotify_modify(struct file *f);
/* Attributes set on d (ATTR_* in valid): IN_ATTRIB, or IN_MODIFY for a
 * size or mtime change, as Linux's fsnotify_change. */
void fsnotify_change(struct dentry *d, unsigned valid);

/* The VFS's own state (dcache lock, device numbers). */
int vfs_init(void);
dev_t vfs_new_dev(void);

#endif
