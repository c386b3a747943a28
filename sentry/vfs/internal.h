/* Shared between the files of sentry/vfs/ only. */
#ifndef SENTRY_VFS_INTERNAL_H
#define SENTRY_VFS_INTERNAL_H

#include "sentry/vfs/vfs.h"

/* Protects every dentry's name, parent, children list and mount count, and
 * the mount table. */
extern pthread_mutex_t dcache_lock;
/* Serialises namespace changes (create, link, unlink, rename). */
extern pthread_mutex_t namespace_lock;

/* A child of d by name, with a new reference, from the cache only. */
struct dentry *dcache_find_locked(struct dentry *d, const char *name);
/* Looks name up in d: the cache first, then the file system. */
int dcache_lookup(struct dentry *d, const char *name, struct dentry **out);
/* Does d have a cached, live child? */
bool dentry_has_children(struct dentry *d);
/* Removes a child from the cache (after unlink/rmdir/rename-over). */
void dcache_drop(struct dentry *d);
/* Moves d to a new parent and name (rename). */
int dcache_move(struct dentry *d, struct dentry *new_parent, const char *new_name);

/* The mount on top of (mnt, dentry), or NULL; under dcache_lock. */
struct mount *mount_lookup_locked(struct mount *mnt, struct dentry *dentry);

#endif
