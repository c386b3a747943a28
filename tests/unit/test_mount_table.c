/* mount_table_destroy (sentry/vfs/dentry.c): a pod container's mount table
 * taken apart once its processes are gone.  Its own file systems' cached
 * trees leave the dcache (their inodes go: what they hold of the host with
 * them); a shared file system's tree stays; a mount still in use makes it
 * refuse (-EBUSY) but the trees go all the same, and a later call, once
 * it is unused, takes it apart. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "sentry/fs/fs.h"
#include "sentry/vfs/vfs.h"

static struct dentry *mkd(struct dentry *dir, const char *name)
{
	struct owner o = { 0, 0 };
	struct inode *inode;
	struct dentry *d;
	cr_assert_eq(dir->inode->iop->mkdir(dir->inode, name, 0755, &o, &inode), 0);
	cr_assert_eq(dentry_add_child(dir, name, inode, &d), 0);
	inode_put(inode);
	dentry_put(d);
	return d;   /* kept by the cache */
}

/* A file in dir; its inode with a reference of the caller's. */
static struct inode *mkf(struct dentry *dir, const char *name)
{
	struct owner o = { 0, 0 };
	struct inode *inode;
	cr_assert_eq(dir->inode->iop->create(dir->inode, name, 0644, &o, &inode), 0);
	cr_assert_eq(dentry_add_child(dir, name, inode, NULL), 0);
	return inode;
}

static long refs(struct inode *inode)
{
	return atomic_load(&inode->refcount);
}

static struct dentry *shared_root;

static bool not_shared(struct dentry *root, void *arg)
{
	return root != shared_root;
}

/* A table: a root tmpfs with a deep tree, a tmpfs on /a/b, one on /a/b/c,
 * and shared_root (another tmpfs, "the sandbox's") on /shared. */
struct fixture {
	struct mount_table *mt;
	struct inode *deep, *inner, *innermost, *kept;
};

static void build(struct fixture *f)
{
	struct dentry *r, *m1, *m2;
	cr_assert_eq(tmpfs_new(0755, 0, &r), 0);
	f->mt = mount_table_new(r, "tmpfs", 0);
	cr_assert_not_null(f->mt);
	struct dentry *d = r;
	for (int i = 0; i < 100; i++)
		d = mkd(d, "d");
	f->deep = mkf(d, "file");
	dentry_put(r);
	cr_assert_eq(tmpfs_new(0755, 0, &m1), 0);
	f->inner = mkf(mkd(m1, "x"), "file");
	cr_assert_eq(mount_at(f->mt, "/a/b", m1, "tmpfs", 0), 0);
	dentry_put(m1);
	cr_assert_eq(tmpfs_new(0755, 0, &m2), 0);
	f->innermost = mkf(m2, "file");
	cr_assert_eq(mount_at(f->mt, "/a/b/c", m2, "tmpfs", 0), 0);
	dentry_put(m2);
	cr_assert_eq(tmpfs_new(0755, 0, &shared_root), 0);
	f->kept = mkf(shared_root, "file");
	cr_assert_eq(mount_at(f->mt, "/shared", shared_root, "tmpfs", 0), 0);
	/* Each file: the cache's reference and ours. */
	cr_assert_eq(refs(f->deep), 2);
	cr_assert_eq(refs(f->inner), 2);
	cr_assert_eq(refs(f->innermost), 2);
}

Test(mount_table, destroy_releases_the_tables_own_trees)
{
	struct fixture f;
	build(&f);
	cr_assert_eq(mount_table_destroy(f.mt, not_shared, NULL), 0);
	cr_expect_eq(refs(f.deep), 1, "a file deep in the root's tree is released");
	cr_expect_eq(refs(f.inner), 1, "a file of a mounted file system is released");
	cr_expect_eq(refs(f.innermost), 1, "a file of a mount on a mount is released");
	cr_expect_eq(refs(f.kept), 2, "the shared file system keeps its tree");
	inode_put(f.deep);
	inode_put(f.inner);
	inode_put(f.innermost);
	inode_put(f.kept);
	dentry_put(shared_root);
}

Test(mount_table, destroy_of_a_table_in_use)
{
	struct fixture f;
	build(&f);
	/* A path into /a/b/c (an open file's, a cwd's) holds its mount. */
	struct path root = { mount_table_root(f.mt), mount_table_root(f.mt)->root }, p;
	struct walk_root w = { root, root };
	cr_assert_eq(vfs_walk(NULL, &w, "/a/b/c", LOOKUP_FOLLOW, &p), 0);
	cr_assert_eq(mount_table_destroy(f.mt, not_shared, NULL), -EBUSY);
	cr_expect_eq(refs(f.deep), 1, "the trees go all the same");
	cr_expect_eq(refs(f.innermost), 1);
	/* The path still works: its directory is there, now empty. */
	struct path q;
	struct walk_root w2 = { p, p };
	cr_expect_eq(vfs_walk(NULL, &w2, "file", 0, &q), -ENOENT);
	path_put(&p);
	/* Once nothing uses it any more, it goes (and leaks nothing). */
	cr_expect_eq(mount_table_destroy(f.mt, not_shared, NULL), 0);
	inode_put(f.deep);
	inode_put(f.inner);
	inode_put(f.innermost);
	inode_put(f.kept);
	dentry_put(shared_root);
}
