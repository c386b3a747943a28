/* Shared by tmpfs.c and overlay.c (internal to sentry/fs/).
 *
 * Both keep their tree in memory: the dcache is the directory structure.
 * An overlay node may also refer to an object of the lower layer: a
 * directory whose entries are merged in lazily, a file or symlink not yet
 * copied up.
 */
#ifndef SENTRY_FS_MEMFS_H
#define SENTRY_FS_MEMFS_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/fs/fs.h"
#include "sentry/vfs/vfs.h"

struct gofer_client;

/* Per-super-block state. */
struct memfs {
	uint64_t max_bytes;              /* 0: unlimited */
	_Atomic uint64_t used_bytes;
	struct gofer_client *gofer;      /* overlay only */
	/* Lower fds kept open with no open file using them, so that opening
	 * the file again needs no gofer round trip (bounded). */
	_Atomic int idle_lower_fds;
	/* Nodes with a read mapping (bounded: each is one of the sentry's
	 * own mappings, of which the host allows a limited number). */
	_Atomic int mapped_nodes;
	/* Counted against the sandbox's quota (--overlay-size): the overlay's
	 * upper layer and the sandbox's tmpfs mounts, not memfds. */
	bool in_quota;
};

#define MEMFS_MAPPED_NODES_MAX 256

#define OVERLAY_IDLE_LOWER_MAX 512

enum { MEMFS_MAP_NONE, MEMFS_MAP_LOWER, MEMFS_MAP_MEMFD };

struct name_set;   /* whiteouts of a directory */

struct mem_node {
	/* Regular file data: in buf until the file is mapped, then in memfd. */
	char *buf;
	size_t cap;
	int memfd;
	/* A read-only fd of memfd (confine_reopen), made at the first mapping
	 * that may not write the file: the stub that maps it gets that one. */
	int memfd_ro;
	/* Symlink text. */
	char *target;
	/* FIFO: the pipe, created at first open. */
	void *pipe;
	/* memfd: its F_SEAL_* (memfd.c). */
	unsigned seals;

	/* Overlay: the lower object, if any. */
	bool has_lower;
	uint64_t lower;                  /* gofer node */
	int lower_fd;                    /* open read-only fd of a lower file */
	int lower_opens;                 /* open files using lower_fd */
	bool lower_idle;                 /* lower_fd counted in idle_lower_fds */
	/* A read-only mapping of the file's host data (the lower file or the
	 * memfd), for read(2) to copy from straight into guest memory. */
	void *map;
	size_t map_len;
	int map_kind;                    /* MEMFS_MAP_* */
	/* The id of the host data for copy_file_to_user (unique; a new one
	 * when the data moves, e.g. from the lower file to a memfd), and which
	 * data it names (MEMFS_MAP_*). */
	uint64_t win_id;
	int win_kind;
	/* Bytes large reads took since the file was last closed: a file read
	 * again while open is copied by the platform (copy_file_to_user),
	 * from a memfd if it was in the heap. */
	uint64_t reread_bytes;
	char **whiteouts;                /* directory: names hidden from lower */
	int nwhiteouts;
	bool quota_inode;                /* MEMFS_INODE_COST charged for it */
	size_t quota_text;               /* symlink: its text's bytes, charged */
	int quota_links;                 /* names beyond the first, charged */
};

static inline struct mem_node *mem_node(struct inode *inode)
{
	return inode->priv;
}

static inline struct memfs *memfs_of(struct inode *inode)
{
	return inode->sb->priv;
}

extern const struct inode_ops memfs_dir_iops;
extern const struct inode_ops memfs_file_iops;
extern const struct inode_ops memfs_symlink_iops;
extern const struct inode_ops memfs_special_iops;
extern const struct file_ops memfs_file_fops;
extern const struct file_ops memfs_dir_fops;

/* Moves a regular file's data into its host memfd now (memfds and SysV
 * shared memory are mapped, not read); returns the memfd or -errno. */
int memfs_use_memfd(struct inode *inode);

/* The sandbox's quota (tmpfs_set_quota), for a file system counted in it:
 * take n bytes (0 or -ENOSPC), give them back. */
int memfs_quota_take(const struct memfs *fs, uint64_t n);
void memfs_quota_give(const struct memfs *fs, uint64_t n);

/* A new memfs inode of the given type on sb. */
struct inode *memfs_new_inode(struct super_block *sb, mode_t mode, const struct owner *o,
			      dev_t rdev);
struct super_block *memfs_new_sb(const char *fstype, uint64_t magic, uint64_t max_bytes);

/* Overlay hooks (overlay.c). */
extern const struct inode_ops overlay_dir_iops;
bool overlay_is_whiteout(struct inode *dir, const char *name);
void overlay_add_whiteout(struct inode *dir, const char *name);
void overlay_remove_whiteout(struct inode *dir, const char *name);
/* Copies a lower regular file's data into the node (before a write). */
int overlay_copy_up(struct inode *inode);
/* Calls add() for each entry of a directory's lower part that no whiteout
 * hides. */
typedef int (*lower_entry_fn)(void *arg, const char *name, uint64_t ino, unsigned char type);
int overlay_list_lower(struct inode *dir, lower_entry_fn add, void *arg);
/* The lower file's read-only fd, opened on demand (it stays open while an
 * open file counts on it: overlay_open_lower / overlay_release_lower). */
int overlay_lower_fd(struct inode *inode);
int overlay_open_lower(struct inode *inode);
void overlay_release_lower(struct inode *inode);
/* Looks name up in a directory's lower part (overlay_dir_iops.lookup). */
int overlay_lookup(struct inode *dir, const char *name, struct inode **out);
/* Drops the lower node of an inode being destroyed. */
void overlay_forget(struct inode *inode);
/* Reads a lower symlink's text. */
int overlay_readlink_lower(struct inode *inode, char *buf, size_t size);
/* Is the lower part of a directory empty once whiteouts are applied?
 * (Cached children are the VFS's to check.) 1, 0 or -errno. */
int overlay_lower_dir_empty(struct inode *dir);

#endif
