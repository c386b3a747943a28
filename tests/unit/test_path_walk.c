/* The path walk (sentry/vfs/walk.c) over a real in-memory tree: a tmpfs
 * root with a second tmpfs mounted on /mnt.  Absolute and relative paths,
 * "." and "..", confinement to the walk root (also through symlinks and at
 * mount boundaries), symlink resolution and its limits, trailing slashes,
 * LOOKUP_* flags, name lengths, mounts, vfs_walk_parent, reference counts,
 * and a few namespace operations that walk (with a minimal root task). */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/vfs/vfs.h"

/* --- the tree ----------------------------------------------------------------
 *
 * /                              (root mount, tmpfs)
 *   etc/shadow etc/passwd        files
 *   target                       file
 *   a/
 *     b/c/file                   file
 *     link_abs   -> /etc/shadow
 *     link_rel   -> b/c/file
 *     link_esc   -> ../../../../etc          (".." stops at the root)
 *     link_up    -> ../../../../../..
 *     dangling   -> /nonexistent/x
 *     dir_link   -> b
 *     file_link  -> b/c/file
 *     slash_link -> b/c/file/                (a file with a trailing slash)
 *     empty_link -> ""
 *   loop1 -> loop2, loop2 -> loop1, self -> self
 *   chain/c1 -> /target, chain/cN -> cN-1     (N up to 41)
 *   dchain/d1 -> /a, dchain/dN -> dN-1        (N up to 40)
 *   sub/                         a "sandbox root" inside the tree
 *     etc/shadow                 the sandbox's own shadow
 *     abs    -> /etc/shadow
 *     escape -> ../../../..
 *   noexec/ (0700) secret        file
 *   mnt/                         second tmpfs mounted here:
 *     inner/deep                 file
 *     up  -> ../..
 *     abs -> /etc/passwd
 */

static struct mount_table *mt;
static struct mount *root_mnt, *sub_mnt;
static struct dentry *R, *M;   /* roots of the two file systems */
static struct dentry *d_etc, *d_shadow, *d_passwd, *d_target, *d_a, *d_b, *d_c, *d_file,
	*d_sub, *d_sub_etc, *d_sub_shadow, *d_inner, *d_deep, *d_dangling, *d_link_abs, *d_dir_link,
	*d_mnt_under, *d_noexec, *d_chain;

/* The child dentries are kept alive by their parent's cache: the helpers
 * return borrowed pointers. */
static struct dentry *add(struct dentry *dir, const char *name, struct inode *inode)
{
	struct dentry *d;
	cr_assert_eq(dentry_add_child(dir, name, inode, &d), 0);
	inode_put(inode);
	dentry_put(d);
	return d;
}

static struct dentry *mkd(struct dentry *dir, const char *name, mode_t mode)
{
	struct owner o = { 0, 0 };
	struct inode *inode;
	cr_assert_eq(dir->inode->iop->mkdir(dir->inode, name, mode, &o, &inode), 0,
		     "mkdir %s", name);
	return add(dir, name, inode);
}

static struct dentry *mkf(struct dentry *dir, const char *name)
{
	struct owner o = { 0, 0 };
	struct inode *inode;
	cr_assert_eq(dir->inode->iop->create(dir->inode, name, 0644, &o, &inode), 0, "create %s",
		     name);
	return add(dir, name, inode);
}

static struct dentry *mkl(struct dentry *dir, const char *name, const char *target)
{
	struct owner o = { 0, 0 };
	struct inode *inode;
	cr_assert_eq(dir->inode->iop->symlink(dir->inode, name, target, &o, &inode), 0,
		     "symlink %s", name);
	return add(dir, name, inode);
}

static void setup(void)
{
	cr_assert_eq(tmpfs_new(0755, 0, &R), 0);
	mt = mount_table_new(R, "tmpfs", 0);
	cr_assert_not_null(mt);
	root_mnt = mount_table_root(mt);

	d_etc = mkd(R, "etc", 0755);
	d_shadow = mkf(d_etc, "shadow");
	d_passwd = mkf(d_etc, "passwd");
	d_target = mkf(R, "target");
	d_a = mkd(R, "a", 0755);
	d_b = mkd(d_a, "b", 0755);
	d_c = mkd(d_b, "c", 0755);
	d_file = mkf(d_c, "file");
	d_link_abs = mkl(d_a, "link_abs", "/etc/shadow");
	mkl(d_a, "link_rel", "b/c/file");
	mkl(d_a, "link_esc", "../../../../etc");
	mkl(d_a, "link_up", "../../../../../..");
	d_dangling = mkl(d_a, "dangling", "/nonexistent/x");
	d_dir_link = mkl(d_a, "dir_link", "b");
	mkl(d_a, "file_link", "b/c/file");
	mkl(d_a, "slash_link", "b/c/file/");
	mkl(d_a, "empty_link", "");
	mkl(R, "loop1", "loop2");
	mkl(R, "loop2", "loop1");
	mkl(R, "self", "self");

	struct dentry *chain = d_chain = mkd(R, "chain", 0755);
	mkl(chain, "c1", "/target");
	for (int i = 2; i <= 41; i++) {
		char name[16], target[16];
		snprintf(name, sizeof name, "c%d", i);
		snprintf(target, sizeof target, "c%d", i - 1);
		mkl(chain, name, target);
	}
	struct dentry *dchain = mkd(R, "dchain", 0755);
	mkl(dchain, "d1", "/a");
	for (int i = 2; i <= 40; i++) {
		char name[16], target[16];
		snprintf(name, sizeof name, "d%d", i);
		snprintf(target, sizeof target, "d%d", i - 1);
		mkl(dchain, name, target);
	}

	d_sub = mkd(R, "sub", 0755);
	d_sub_etc = mkd(d_sub, "etc", 0755);
	d_sub_shadow = mkf(d_sub_etc, "shadow");
	mkl(d_sub, "abs", "/etc/shadow");
	mkl(d_sub, "escape", "../../../..");

	d_noexec = mkd(R, "noexec", 0700);
	mkf(d_noexec, "secret");

	cr_assert_eq(tmpfs_new(0755, 0, &M), 0);
	d_inner = mkd(M, "inner", 0755);
	d_deep = mkf(d_inner, "deep");
	mkl(M, "up", "../..");
	mkl(M, "abs", "/etc/passwd");
	cr_assert_eq(mount_at(mt, "/mnt", M, "tmpfs", 0), 0);   /* creates /mnt */
	/* The directory the mount hides (kept alive by the cache): */
	struct path rp = { root_mnt, R }, mp;
	cr_assert_eq(vfs_lookup_child(&rp, "mnt", &mp), 0);
	d_mnt_under = mp.dentry;
	path_put(&mp);
	struct walk_root w = { rp, rp };
	struct path p;
	cr_assert_eq(vfs_walk(NULL, &w, "/mnt", 0, &p), 0);
	sub_mnt = p.mnt;
	cr_assert_neq(sub_mnt, root_mnt);
	path_put(&p);
}

/* Each test runs in its own process on a fresh tree.  The mount table is
 * never freed (nothing unmounts); it stays reachable through mt. */
TestSuite(path_walk, .init = setup);

/* --- helpers ---------------------------------------------------------------- */

static struct walk_root wr_at(struct mount *rm, struct dentry *rd, struct mount *sm,
			      struct dentry *sd)
{
	struct walk_root w = { { rm, rd }, { sm, sd } };
	return w;
}

/* The sandbox's root with the cwd at start (on the root mount). */
static struct walk_root wr_cwd(struct dentry *start)
{
	return wr_at(root_mnt, R, root_mnt, start);
}

static int walk(const struct walk_root *w, const char *path, unsigned flags, struct path *out)
{
	out->mnt = NULL;
	out->dentry = NULL;
	int err = vfs_walk(NULL, w, path, flags, out);
	if (err < 0)
		cr_assert(out->mnt == NULL && out->dentry == NULL, "%s: out set on error", path);
	return err;
}

/* Walks path and checks it lands on (mnt, d). */
static void expect_at(const struct walk_root *w, const char *path, unsigned flags,
		      struct mount *mnt, struct dentry *d)
{
	struct path p;
	int err = walk(w, path, flags, &p);
	cr_assert_eq(err, 0, "walk \"%s\" flags %#x: %d (%s)", path, flags, err, strerror(-err));
	cr_assert_eq(p.dentry, d, "walk \"%s\": landed on \"%s\", wanted \"%s\"", path,
		     p.dentry->name, d->name);
	cr_assert_eq(p.mnt, mnt, "walk \"%s\": wrong mount", path);
	path_put(&p);
}

static void expect_err(const struct walk_root *w, const char *path, unsigned flags, int want)
{
	struct path p;
	int err = walk(w, path, flags, &p);
	if (err == 0)
		path_put(&p);
	cr_assert_eq(err, want, "walk \"%s\" flags %#x: got %d (%s), wanted %d (%s)", path, flags,
		     err, strerror(-err), want, strerror(-want));
}

#define F LOOKUP_FOLLOW

/* --- absolute and relative paths ---------------------------------------------- */

Test(path_walk, absolute_paths)
{
	struct walk_root w = wr_cwd(d_c);
	expect_at(&w, "/", 0, root_mnt, R);
	expect_at(&w, "/etc", 0, root_mnt, d_etc);
	expect_at(&w, "/etc/shadow", 0, root_mnt, d_shadow);
	expect_at(&w, "/a/b/c/file", F, root_mnt, d_file);
	/* Repeated slashes count as one. */
	expect_at(&w, "//a///b//c/file", 0, root_mnt, d_file);
	expect_at(&w, "///", 0, root_mnt, R);
}

Test(path_walk, relative_paths_start_at_start)
{
	struct walk_root w = wr_cwd(d_a);
	expect_at(&w, "b", 0, root_mnt, d_b);
	expect_at(&w, "b/c/file", 0, root_mnt, d_file);
	expect_at(&w, "b//c/", 0, root_mnt, d_c);
	w = wr_cwd(d_c);
	expect_at(&w, "file", 0, root_mnt, d_file);
	expect_err(&w, "shadow", 0, -ENOENT);
}

Test(path_walk, dot_and_dotdot)
{
	struct walk_root w = wr_cwd(d_a);
	expect_at(&w, ".", 0, root_mnt, d_a);
	expect_at(&w, "./b/./c/.", 0, root_mnt, d_c);
	expect_at(&w, "..", 0, root_mnt, R);
	expect_at(&w, "../etc/shadow", 0, root_mnt, d_shadow);
	expect_at(&w, "b/c/../../b/c/file", 0, root_mnt, d_file);
	expect_at(&w, "/a/b/..", 0, root_mnt, d_a);
	expect_at(&w, "b/c/..", 0, root_mnt, d_b);
}

Test(path_walk, dotdot_at_the_root_stays_at_the_root)
{
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "..", 0, root_mnt, R);
	expect_at(&w, "/..", 0, root_mnt, R);
	expect_at(&w, "../../../..", 0, root_mnt, R);
	expect_at(&w, "/../../etc/../../etc/shadow", 0, root_mnt, d_shadow);
	w = wr_cwd(d_c);
	expect_at(&w, "../../../../../../../../etc/passwd", 0, root_mnt, d_passwd);
}

Test(path_walk, dotdot_never_leaves_a_walk_root_below_the_top)
{
	/* A chroot into /sub. */
	struct walk_root w = wr_at(root_mnt, d_sub, root_mnt, d_sub);
	expect_at(&w, "..", 0, root_mnt, d_sub);
	expect_at(&w, "/..", 0, root_mnt, d_sub);
	expect_at(&w, "../../..", 0, root_mnt, d_sub);
	expect_at(&w, "../etc/shadow", 0, root_mnt, d_sub_shadow);
	expect_at(&w, "/../../etc/shadow", 0, root_mnt, d_sub_shadow);
	expect_at(&w, "etc/../../../etc/shadow", 0, root_mnt, d_sub_shadow);
	expect_err(&w, "../a", 0, -ENOENT);
	expect_err(&w, "/../../a/b", 0, -ENOENT);
}

/* --- symlinks ---------------------------------------------------------------------- */

Test(path_walk, absolute_symlinks_resolve_from_the_walk_root)
{
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "/a/link_abs", F, root_mnt, d_shadow);
	/* Chrooted in /sub: /etc/shadow is the sandbox's, not the outer one. */
	w = wr_at(root_mnt, d_sub, root_mnt, d_sub);
	expect_at(&w, "/abs", F, root_mnt, d_sub_shadow);
	expect_at(&w, "abs", F, root_mnt, d_sub_shadow);
	/* The landing spot is in the in-memory file system, whatever the host
	 * has at /etc/shadow. */
	struct path p;
	cr_assert_eq(walk(&w, "abs", F, &p), 0);
	cr_assert_eq(p.dentry->sb, R->sb);
	cr_assert_str_eq(R->sb->fstype, "tmpfs");
	path_put(&p);
}

Test(path_walk, symlinks_with_dotdot_never_climb_above_the_root)
{
	struct walk_root w = wr_cwd(R);
	/* ../../../../etc from /a is /etc. */
	expect_at(&w, "/a/link_esc", F, root_mnt, d_etc);
	expect_at(&w, "/a/link_esc/shadow", 0, root_mnt, d_shadow);
	expect_at(&w, "/a/link_up", F, root_mnt, R);
	expect_at(&w, "/a/link_up/etc/passwd", 0, root_mnt, d_passwd);
	expect_at(&w, "/a/link_up/..", 0, root_mnt, R);
	/* Chrooted in /sub, "escape" -> ../../../.. is /sub itself. */
	w = wr_at(root_mnt, d_sub, root_mnt, d_sub);
	expect_at(&w, "escape", F, root_mnt, d_sub);
	expect_at(&w, "escape/etc/shadow", 0, root_mnt, d_sub_shadow);
	expect_at(&w, "/escape/../escape/..", 0, root_mnt, d_sub);
	expect_err(&w, "escape/a", 0, -ENOENT);
}

Test(path_walk, relative_symlinks_resolve_from_their_directory)
{
	/* The start directory does not matter, only the link's. */
	struct walk_root w = wr_cwd(d_c);
	expect_at(&w, "/a/link_rel", F, root_mnt, d_file);
	expect_at(&w, "/a/dir_link", F, root_mnt, d_b);
	expect_at(&w, "/a/dir_link/c/file", 0, root_mnt, d_file);
	/* ".." after a symlinked directory is the target's parent, as on
	 * Linux (not lexical). */
	expect_at(&w, "/a/dir_link/c/..", 0, root_mnt, d_b);
	expect_at(&w, "/a/link_esc/..", 0, root_mnt, R);
	w = wr_cwd(d_a);
	expect_at(&w, "file_link", F, root_mnt, d_file);
}

Test(path_walk, follow_only_on_request_for_the_last_component)
{
	struct walk_root w = wr_cwd(R);
	/* Without LOOKUP_FOLLOW the link itself. */
	expect_at(&w, "/a/link_abs", 0, root_mnt, d_link_abs);
	expect_at(&w, "/a/dir_link", 0, root_mnt, d_dir_link);
	struct path p;
	cr_assert_eq(walk(&w, "/a/link_abs", 0, &p), 0);
	cr_assert(S_ISLNK(p.dentry->inode->mode));
	path_put(&p);
	/* Intermediate components are always followed. */
	expect_at(&w, "/a/dir_link/c", 0, root_mnt, d_c);
	expect_at(&w, "/a/link_esc/shadow", 0, root_mnt, d_shadow);
}

Test(path_walk, chain_of_40_symlinks_is_followed_41_is_eloop)
{
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "/chain/c1", F, root_mnt, d_target);
	expect_at(&w, "/chain/c40", F, root_mnt, d_target);
	expect_err(&w, "/chain/c41", F, -ELOOP);
	/* Not followed: no count. */
	struct path p;
	cr_assert_eq(walk(&w, "/chain/c41", 0, &p), 0);
	cr_assert(S_ISLNK(p.dentry->inode->mode));
	cr_assert_str_eq(p.dentry->name, "c41");
	path_put(&p);
	/* A trailing slash makes the last component followed: 41 links. */
	expect_err(&w, "/chain/c41/", 0, -ELOOP);
	/* ... and 40 links to a file, then a slash: ENOTDIR. */
	expect_err(&w, "/chain/c40/", 0, -ENOTDIR);
}

Test(path_walk, the_symlink_limit_counts_the_whole_walk)
{
	/* dN -> ... -> d1 -> /a: N links per use. */
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "/dchain/d40", F, root_mnt, d_a);
	expect_at(&w, "/dchain/d40/b/c/file", 0, root_mnt, d_file);
	expect_at(&w, "/dchain/d20/../dchain/d20", F, root_mnt, d_a);
	expect_at(&w, "/dchain/d39/link_rel", F, root_mnt, d_file);
	expect_err(&w, "/dchain/d40/link_rel", F, -ELOOP);
	expect_err(&w, "/dchain/d20/../dchain/d21", F, -ELOOP);
	expect_err(&w, "/dchain/d21/../dchain/d20/b", 0, -ELOOP);
	/* Each walk starts with a fresh count. */
	expect_at(&w, "/dchain/d40", F, root_mnt, d_a);
}

Test(path_walk, symlink_loops_are_eloop)
{
	struct walk_root w = wr_cwd(R);
	expect_err(&w, "/loop1", F, -ELOOP);
	expect_err(&w, "/loop2", F, -ELOOP);
	expect_err(&w, "/self", F, -ELOOP);
	expect_err(&w, "/self/x", 0, -ELOOP);
	expect_err(&w, "/loop1/", 0, -ELOOP);
	/* Not following the last component: the link. */
	struct path p;
	cr_assert_eq(walk(&w, "/loop1", 0, &p), 0);
	cr_assert(S_ISLNK(p.dentry->inode->mode));
	path_put(&p);
}

Test(path_walk, dangling_symlinks)
{
	struct walk_root w = wr_cwd(R);
	expect_err(&w, "/a/dangling", F, -ENOENT);
	expect_err(&w, "/a/dangling/", 0, -ENOENT);
	expect_err(&w, "/a/dangling/x", 0, -ENOENT);
	expect_at(&w, "/a/dangling", 0, root_mnt, d_dangling);
	/* An empty target resolves to nothing. */
	expect_err(&w, "/a/empty_link", F, -ENOENT);
	expect_err(&w, "/a/empty_link/x", 0, -ENOENT);
}

Test(path_walk, symlink_target_with_trailing_slash_to_a_file)
{
	struct walk_root w = wr_cwd(R);
	expect_err(&w, "/a/slash_link", F, -ENOTDIR);
	struct path p;
	cr_assert_eq(walk(&w, "/a/slash_link", 0, &p), 0);
	cr_assert(S_ISLNK(p.dentry->inode->mode));
	path_put(&p);
}

/* --- trailing slashes and flags ------------------------------------------------ */

Test(path_walk, trailing_slashes)
{
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "/a/", 0, root_mnt, d_a);
	expect_at(&w, "/a/b//", 0, root_mnt, d_b);
	expect_err(&w, "/a/b/c/file/", 0, -ENOTDIR);
	expect_err(&w, "/a/b/c/file/", F, -ENOTDIR);
	expect_err(&w, "/a/b/c/file//", 0, -ENOTDIR);
	expect_err(&w, "/a/b/c/file/.", 0, -ENOTDIR);
	expect_err(&w, "/a/b/c/file/..", 0, -ENOTDIR);
	/* A symlink to a directory with a slash: followed even without
	 * LOOKUP_FOLLOW. */
	expect_at(&w, "/a/dir_link/", 0, root_mnt, d_b);
	/* ... to a file: ENOTDIR. */
	expect_err(&w, "/a/file_link/", 0, -ENOTDIR);
	expect_err(&w, "/a/link_abs/", 0, -ENOTDIR);
}

Test(path_walk, lookup_directory)
{
	struct walk_root w = wr_cwd(R);
	unsigned D = LOOKUP_DIRECTORY;
	expect_at(&w, "/a/b", D, root_mnt, d_b);
	expect_at(&w, "/", D, root_mnt, R);
	expect_at(&w, ".", D, root_mnt, R);
	expect_err(&w, "/a/b/c/file", D, -ENOTDIR);
	expect_err(&w, "/a/b/c/file", D | F, -ENOTDIR);
	/* A symlink to a directory is a directory only when followed. */
	expect_at(&w, "/a/dir_link", D | F, root_mnt, d_b);
	expect_err(&w, "/a/dir_link", D, -ENOTDIR);
	expect_err(&w, "/a/missing", D, -ENOENT);
}

Test(path_walk, lookup_empty)
{
	struct walk_root w = wr_cwd(d_b);
	expect_err(&w, "", 0, -ENOENT);
	expect_err(&w, "", F, -ENOENT);
	expect_at(&w, "", LOOKUP_EMPTY, root_mnt, d_b);
	/* Even a file as start (fstatat(fd, "", AT_EMPTY_PATH)). */
	w = wr_cwd(d_file);
	expect_at(&w, "", LOOKUP_EMPTY, root_mnt, d_file);
	expect_err(&w, "x", 0, -ENOTDIR);
	/* LOOKUP_EMPTY changes nothing for other paths. */
	w = wr_cwd(d_b);
	expect_at(&w, "c", LOOKUP_EMPTY, root_mnt, d_c);
}

/* --- names ---------------------------------------------------------------------- */

Test(path_walk, component_of_255_bytes_ok_256_enametoolong)
{
	char n255[256], n256[257];
	memset(n255, 'x', 255);
	n255[255] = 0;
	memset(n256, 'y', 256);
	n256[256] = 0;
	struct dentry *long_file = mkf(d_b, n255);
	struct dentry *long_dir = mkd(d_a, n255, 0755);

	struct walk_root w = wr_cwd(d_a);
	char path[1024];
	snprintf(path, sizeof path, "b/%s", n255);
	expect_at(&w, path, 0, root_mnt, long_file);
	snprintf(path, sizeof path, "%s/../b/%s", n255, n255);
	expect_at(&w, path, 0, root_mnt, long_file);
	snprintf(path, sizeof path, "/a/%s/", n255);
	expect_at(&w, path, 0, root_mnt, long_dir);

	/* 256 bytes: refused whether or not it exists, wherever it is. */
	snprintf(path, sizeof path, "b/%s", n256);
	expect_err(&w, path, 0, -ENAMETOOLONG);
	snprintf(path, sizeof path, "%s/b", n256);
	expect_err(&w, path, 0, -ENAMETOOLONG);
	expect_err(&w, n256, F, -ENAMETOOLONG);

	struct path p;
	char last[NAME_MAX + 1];
	bool slash;
	snprintf(path, sizeof path, "/a/b/%s", n256);
	cr_assert_eq(vfs_walk_parent(NULL, &w, path, &p, last, &slash), -ENAMETOOLONG);
	snprintf(path, sizeof path, "/a/b/%s", n255);
	cr_assert_eq(vfs_walk_parent(NULL, &w, path, &p, last, &slash), 0);
	cr_assert_str_eq(last, n255);
	cr_assert_eq(p.dentry, d_b);
	path_put(&p);
}

Test(path_walk, file_used_as_a_directory_is_enotdir)
{
	struct walk_root w = wr_cwd(R);
	expect_err(&w, "/a/b/c/file/x", 0, -ENOTDIR);
	expect_err(&w, "/etc/shadow/x/y", F, -ENOTDIR);
	expect_err(&w, "/a/file_link/x", 0, -ENOTDIR);
	expect_err(&w, "/a/link_abs/x", 0, -ENOTDIR);
}

Test(path_walk, missing_components_are_enoent)
{
	struct walk_root w = wr_cwd(R);
	expect_err(&w, "/nope", 0, -ENOENT);
	expect_err(&w, "/nope/x", 0, -ENOENT);
	expect_err(&w, "/a/nope/c/file", 0, -ENOENT);
	expect_err(&w, "/a/b/c/file2", F, -ENOENT);
	expect_err(&w, "nope/..", 0, -ENOENT);   /* not lexical: the name must exist */
	expect_err(&w, "/a/b/nope/../c", 0, -ENOENT);
}

/* --- mounts ------------------------------------------------------------------------ */

Test(path_walk, crossing_a_mount_down_and_back)
{
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "/mnt", 0, sub_mnt, M);
	expect_at(&w, "/mnt/", 0, sub_mnt, M);
	expect_at(&w, "/mnt/.", 0, sub_mnt, M);
	expect_at(&w, "/mnt/inner/deep", 0, sub_mnt, d_deep);
	expect_at(&w, "mnt/inner", 0, sub_mnt, d_inner);
	/* ".." from the mount's root goes to the mountpoint's parent. */
	expect_at(&w, "/mnt/..", 0, root_mnt, R);
	expect_at(&w, "/mnt/inner/../..", 0, root_mnt, R);
	expect_at(&w, "/mnt/inner/../../etc/passwd", 0, root_mnt, d_passwd);
	expect_at(&w, "/mnt/../mnt/inner", 0, sub_mnt, d_inner);
	/* The mount's mount point and parent. */
	cr_assert_eq(sub_mnt->parent, root_mnt);
	cr_assert_eq(sub_mnt->mountpoint, d_mnt_under);
	cr_assert_eq(sub_mnt->root, M);
}

Test(path_walk, relative_walks_starting_inside_a_mount)
{
	struct walk_root w = wr_at(root_mnt, R, sub_mnt, d_inner);
	expect_at(&w, "deep", 0, sub_mnt, d_deep);
	expect_at(&w, "..", 0, sub_mnt, M);
	expect_at(&w, "../..", 0, root_mnt, R);
	expect_at(&w, "../../a", 0, root_mnt, d_a);
	expect_at(&w, "../../mnt/inner/deep", 0, sub_mnt, d_deep);
	w = wr_at(root_mnt, R, sub_mnt, M);
	expect_at(&w, "..", 0, root_mnt, R);
	expect_at(&w, ".", 0, sub_mnt, M);
}

Test(path_walk, symlinks_inside_a_mount)
{
	struct walk_root w = wr_cwd(R);
	/* up -> ../.. from the mount's root: out of the mount, to "/". */
	expect_at(&w, "/mnt/up", F, root_mnt, R);
	expect_at(&w, "/mnt/up/mnt/inner", 0, sub_mnt, d_inner);
	/* abs -> /etc/passwd: from the walk root, not the mount's root. */
	expect_at(&w, "/mnt/abs", F, root_mnt, d_passwd);
}

Test(path_walk, a_walk_root_on_a_mount_root_confines_dotdot)
{
	/* Chrooted into the mounted file system. */
	struct walk_root w = wr_at(sub_mnt, M, sub_mnt, d_inner);
	expect_at(&w, "/", 0, sub_mnt, M);
	expect_at(&w, "..", 0, sub_mnt, M);
	expect_at(&w, "../..", 0, sub_mnt, M);
	expect_at(&w, "/../../inner/deep", 0, sub_mnt, d_deep);
	expect_at(&w, "/up", F, sub_mnt, M);
	expect_err(&w, "/abs", F, -ENOENT);   /* no /etc in there */
	expect_err(&w, "../../etc", 0, -ENOENT);
}

Test(path_walk, a_symlink_to_a_mountpoint_crosses_the_mount)
{
	mkl(d_a, "to_mnt", "/mnt");
	mkl(d_a, "to_mnt_rel", "../mnt/inner");
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "/a/to_mnt", F, sub_mnt, M);
	expect_at(&w, "/a/to_mnt/inner/deep", 0, sub_mnt, d_deep);
	expect_at(&w, "/a/to_mnt_rel", F, sub_mnt, d_inner);
}

Test(path_walk, stacked_mounts_show_the_top_one)
{
	struct dentry *top;
	cr_assert_eq(tmpfs_new(0755, 0, &top), 0);
	struct dentry *only = mkf(top, "only_in_top");
	cr_assert_eq(mount_at(mt, "/mnt", top, "tmpfs", 0), 0);
	dentry_put(top);   /* the mount holds it */
	struct walk_root w = wr_cwd(R);
	struct path p;
	cr_assert_eq(walk(&w, "/mnt", 0, &p), 0);
	cr_assert_eq(p.dentry, top);
	cr_assert_eq(p.mnt->parent, sub_mnt);
	struct mount *top_mnt = p.mnt;
	path_put(&p);
	expect_at(&w, "/mnt/only_in_top", 0, top_mnt, only);
	expect_err(&w, "/mnt/inner", 0, -ENOENT);
	/* ".." out of the top goes through both. */
	expect_at(&w, "/mnt/..", 0, root_mnt, R);
}

Test(path_walk, mount_at_a_new_deep_path)
{
	struct dentry *t2;
	cr_assert_eq(tmpfs_new(0755, 0, &t2), 0);
	cr_assert_eq(mount_at(mt, "/x/y/z", t2, "tmpfs", 0), 0);
	dentry_put(t2);
	struct walk_root w = wr_cwd(R);
	struct path p;
	cr_assert_eq(walk(&w, "/x/y/z", 0, &p), 0);
	cr_assert_eq(p.dentry, t2);
	path_put(&p);
	expect_at(&w, "/x/y/z/../../..", 0, root_mnt, R);
	/* Not on a file. */
	struct dentry *t3;
	cr_assert_eq(tmpfs_new(0755, 0, &t3), 0);
	cr_assert_eq(mount_at(mt, "/etc/shadow", t3, "tmpfs", 0), -ENOTDIR);
	dentry_put(t3);
}

/* --- vfs_lookup_child ------------------------------------------------------------ */

Test(path_walk, lookup_child)
{
	struct path dir = { root_mnt, d_a }, out;
	cr_assert_eq(vfs_lookup_child(&dir, "b", &out), 0);
	cr_assert_eq(out.dentry, d_b);
	cr_assert_eq(out.mnt, root_mnt);
	path_put(&out);
	/* Symlinks are not followed. */
	cr_assert_eq(vfs_lookup_child(&dir, "dir_link", &out), 0);
	cr_assert_eq(out.dentry, d_dir_link);
	path_put(&out);
	cr_assert_eq(vfs_lookup_child(&dir, "nope", &out), -ENOENT);
	/* Mounts are not crossed: the mountpoint itself. */
	struct path root = { root_mnt, R };
	cr_assert_eq(vfs_lookup_child(&root, "mnt", &out), 0);
	cr_assert_eq(out.dentry, d_mnt_under);
	cr_assert_eq(out.mnt, root_mnt);
	path_put(&out);
}

/* --- vfs_walk_parent -------------------------------------------------------------- */

static void expect_parent(const struct walk_root *w, const char *path, struct mount *mnt,
			  struct dentry *dir, const char *last, bool slash)
{
	struct path p = { 0 };
	char buf[NAME_MAX + 1];
	bool trailing = !slash;
	int err = vfs_walk_parent(NULL, w, path, &p, buf, &trailing);
	cr_assert_eq(err, 0, "walk_parent \"%s\": %d (%s)", path, err, strerror(-err));
	cr_assert_eq(p.dentry, dir, "walk_parent \"%s\": parent \"%s\", wanted \"%s\"", path,
		     p.dentry->name, dir->name);
	cr_assert_eq(p.mnt, mnt, "walk_parent \"%s\": wrong mount", path);
	cr_assert_str_eq(buf, last, "walk_parent \"%s\"", path);
	cr_assert_eq(trailing, slash, "walk_parent \"%s\": trailing slash %d", path, trailing);
	path_put(&p);
}

static void expect_parent_err(const struct walk_root *w, const char *path, int want)
{
	struct path p = { 0 };
	char buf[NAME_MAX + 1];
	bool trailing;
	int err = vfs_walk_parent(NULL, w, path, &p, buf, &trailing);
	if (err == 0)
		path_put(&p);
	cr_assert_eq(err, want, "walk_parent \"%s\": %d (%s), wanted %d", path, err,
		     strerror(-err), want);
}

Test(path_walk, walk_parent_returns_the_last_component)
{
	struct walk_root w = wr_cwd(d_a);
	expect_parent(&w, "/a/b/c/file", root_mnt, d_c, "file", false);
	expect_parent(&w, "/a/b/c/new", root_mnt, d_c, "new", false);   /* need not exist */
	expect_parent(&w, "b/c", root_mnt, d_b, "c", false);
	expect_parent(&w, "x", root_mnt, d_a, "x", false);
	expect_parent(&w, "/etc", root_mnt, R, "etc", false);
	/* Trailing slashes: the flag. */
	expect_parent(&w, "/a/b/", root_mnt, d_a, "b", true);
	expect_parent(&w, "/a/b///", root_mnt, d_a, "b", true);
	expect_parent(&w, "newdir/", root_mnt, d_a, "newdir", true);
	/* "." and ".." are returned as such, for the callers to refuse. */
	expect_parent(&w, "/a/b/.", root_mnt, d_b, ".", false);
	expect_parent(&w, "b/..", root_mnt, d_b, "..", false);
	expect_parent(&w, "/", root_mnt, R, ".", false);
	expect_parent(&w, ".", root_mnt, d_a, ".", false);
	/* The last component is not followed, earlier ones are. */
	expect_parent(&w, "link_abs", root_mnt, d_a, "link_abs", false);
	expect_parent(&w, "dangling", root_mnt, d_a, "dangling", false);
	expect_parent(&w, "dir_link/c/x", root_mnt, d_c, "x", false);
	expect_parent(&w, "link_esc/shadow", root_mnt, d_etc, "shadow", false);
	expect_parent(&w, "/chain/c41", root_mnt, d_chain, "c41", false);
	/* Whatever the last component is: a file with a slash is the
	 * caller's business. */
	expect_parent(&w, "/a/b/c/file/", root_mnt, d_c, "file", true);
	/* Across a mount. */
	expect_parent(&w, "/mnt/inner/deep", sub_mnt, d_inner, "deep", false);
	expect_parent(&w, "/mnt/x", sub_mnt, M, "x", false);
	/* "mnt" itself: the parent is the root (the caller crosses). */
	expect_parent(&w, "/mnt", root_mnt, R, "mnt", false);
}

Test(path_walk, walk_parent_errors)
{
	struct walk_root w = wr_cwd(d_a);
	expect_parent_err(&w, "", -ENOENT);
	expect_parent_err(&w, "/nope/x", -ENOENT);
	expect_parent_err(&w, "/a/b/c/file/x", -ENOTDIR);
	expect_parent_err(&w, "/dangling/x", -ENOENT);
	expect_parent_err(&w, "/loop1/x", -ELOOP);
	expect_parent_err(&w, "/chain/c41/x", -ELOOP);
	expect_parent_err(&w, "dangling/x", -ENOENT);
}

Test(path_walk, walk_parent_confined_to_the_walk_root)
{
	struct walk_root w = wr_at(root_mnt, d_sub, root_mnt, d_sub);
	expect_parent(&w, "../../etc/shadow", root_mnt, d_sub_etc, "shadow", false);
	expect_parent(&w, "escape/etc/new", root_mnt, d_sub_etc, "new", false);
	expect_parent(&w, "/../x", root_mnt, d_sub, "x", false);
	expect_parent(&w, "/..", root_mnt, d_sub, "..", false);
}

/* --- magic links ------------------------------------------------------------------- */

static int magic_get_link(struct task *t, struct inode *inode, struct path *out)
{
	out->mnt = sub_mnt;
	out->dentry = d_inner;
	path_get(out);
	return 0;
}

static const struct inode_ops magic_iops = { .get_link = magic_get_link };

Test(path_walk, magic_links_jump_unless_no_magic)
{
	struct inode *inode = inode_new(R->sb, S_IFLNK | 0777, &magic_iops, NULL);
	cr_assert_not_null(inode);
	add(d_a, "magic", inode);
	struct walk_root w = wr_cwd(R);
	expect_at(&w, "/a/magic", F, sub_mnt, d_inner);
	expect_at(&w, "/a/magic/deep", 0, sub_mnt, d_deep);
	expect_at(&w, "/a/magic/..", 0, sub_mnt, M);
	expect_err(&w, "/a/magic", F | LOOKUP_NO_MAGIC, -ELOOP);
	expect_err(&w, "/a/magic/deep", LOOKUP_NO_MAGIC, -ELOOP);
	struct path p;
	cr_assert_eq(walk(&w, "/a/magic", LOOKUP_NO_MAGIC, &p), 0);   /* not followed */
	cr_assert(S_ISLNK(p.dentry->inode->mode));
	path_put(&p);
}

/* --- reference counts ---------------------------------------------------------------- */

Test(path_walk, walks_leave_reference_counts_balanced)
{
	struct dentry *ds[] = { R, M, d_etc, d_shadow, d_a, d_b, d_c, d_file, d_sub, d_sub_etc,
				d_inner, d_deep, d_target, d_mnt_under };
	enum { N = sizeof ds / sizeof ds[0] };
	long before[N], mnt_before[2];
	for (int i = 0; i < N; i++)
		before[i] = atomic_load(&ds[i]->refcount);
	mnt_before[0] = atomic_load(&root_mnt->refcount);
	mnt_before[1] = atomic_load(&sub_mnt->refcount);

	static const char *paths[] = {
		"/a/b/c/file", "/a/link_abs", "/a/link_up/etc", "/chain/c40", "/chain/c41",
		"/dchain/d21/../dchain/d20/b", "/loop1", "/a/dangling", "/a/b/c/file/",
		"/a/b/c/file/x", "/mnt/inner/deep", "/mnt/up", "/mnt/../mnt/..", "/mnt/abs",
		"../../..", "/nope/x", "/a/slash_link", "/a/dir_link/c/../c/file", "",
		"/a/empty_link", "/sub/escape/etc/shadow",
	};
	struct walk_root w = wr_at(root_mnt, R, sub_mnt, d_inner);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
			for (unsigned fl = 0; fl < 8; fl++) {
				struct path p;
				if (vfs_walk(NULL, &w, paths[i], fl, &p) == 0)
					path_put(&p);
				char last[NAME_MAX + 1];
				bool slash;
				if (vfs_walk_parent(NULL, &w, paths[i], &p, last, &slash) == 0)
					path_put(&p);
			}
		}
	}
	for (int i = 0; i < N; i++)
		cr_expect_eq(atomic_load(&ds[i]->refcount), before[i], "dentry \"%s\": %ld -> %ld",
			     ds[i]->name, before[i], atomic_load(&ds[i]->refcount));
	cr_expect_eq(atomic_load(&root_mnt->refcount), mnt_before[0]);
	cr_expect_eq(atomic_load(&sub_mnt->refcount), mnt_before[1]);
}

/* --- with a task: permissions and namespace operations --------------------------------- */

/* The least of a task the VFS looks at: credentials and the umask. */
struct mini_task {
	struct task t;
	struct thread_group tg;
	struct fs_context fs;
};

static void mini_task_init(struct mini_task *m, uid_t uid, mode_t umask)
{
	memset(m, 0, sizeof *m);
	cred_init(&m->tg.cred, uid, uid);   /* root gets its capabilities */
	m->t.tg = &m->tg;
	pthread_mutex_init(&m->fs.lock, NULL);
	m->fs.umask = umask;
	m->t.fs = &m->fs;
}

Test(path_walk, search_permission_with_a_task)
{
	struct mini_task user, root;
	mini_task_init(&user, 1000, 022);
	mini_task_init(&root, 0, 022);
	struct walk_root w = wr_cwd(R);
	struct path p;
	cr_assert_eq(vfs_walk(&user.t, &w, "/noexec/secret", 0, &p), -EACCES);
	cr_assert_eq(vfs_walk(&user.t, &w, "/noexec", 0, &p), 0);   /* the dir itself is fine */
	path_put(&p);
	cr_assert_eq(vfs_walk(&root.t, &w, "/noexec/secret", 0, &p), 0);
	path_put(&p);
	cr_assert_eq(vfs_walk(NULL, &w, "/noexec/secret", 0, &p), 0);   /* no task: no checks */
	path_put(&p);
	char last[NAME_MAX + 1];
	bool slash;
	cr_assert_eq(vfs_walk_parent(&user.t, &w, "/noexec/secret", &p, last, &slash), -EACCES);
	cr_assert_eq(vfs_walk_parent(&user.t, &w, "/noexec", &p, last, &slash), 0);
	path_put(&p);
	/* ".." from inside needs search permission on the directory too. */
	struct walk_root in = wr_cwd(d_noexec);
	cr_assert_eq(vfs_walk(&user.t, &in, "..", 0, &p), -EACCES);
}

/* Linux's order for each component: ENOTDIR (the current one is not a
 * directory), then EACCES (no search permission on it), then the name
 * itself (ENAMETOOLONG, ENOENT).  And search permission on the parent is
 * needed even when the last component is "." or "..". */
/* expr must give want; desc says which case failed and what it gave. */
#define EXPECT_ERRNO(expr, want, desc)                                                   \
	do {                                                                             \
		int got_ = (expr);                                                       \
		cr_expect_eq(got_, want, "%s: got %d (%s), wanted %d (%s)", desc, got_,  \
			     strerror(-got_), want, strerror(-(want)));                  \
	} while (0)

Test(path_walk, errors_come_in_linux_order)
{
	char n256[257], path[512];
	memset(n256, 'y', 256);
	n256[256] = 0;
	struct walk_root w = wr_cwd(R);
	struct path p;
	char last[NAME_MAX + 1];
	bool slash;

	snprintf(path, sizeof path, "/a/b/c/file/%s", n256);
	EXPECT_ERRNO(vfs_walk(NULL, &w, path, 0, &p), -ENOTDIR, "file/<256 bytes>");
	EXPECT_ERRNO(vfs_walk_parent(NULL, &w, path, &p, last, &slash), -ENOTDIR,
		     "walk_parent file/<256 bytes>");
	snprintf(path, sizeof path, "/a/file_link/%s/x", n256);
	EXPECT_ERRNO(vfs_walk(NULL, &w, path, 0, &p), -ENOTDIR, "file_link/<256 bytes>/x");
	snprintf(path, sizeof path, "/nope/%s", n256);
	EXPECT_ERRNO(vfs_walk(NULL, &w, path, 0, &p), -ENOENT, "nope/<256 bytes>");

	struct mini_task user;
	mini_task_init(&user, 1000, 022);
	snprintf(path, sizeof path, "/noexec/%s", n256);
	EXPECT_ERRNO(vfs_walk(&user.t, &w, path, 0, &p), -EACCES, "noexec/<256 bytes>");
	EXPECT_ERRNO(vfs_walk_parent(&user.t, &w, path, &p, last, &slash), -EACCES,
		     "walk_parent noexec/<256 bytes>");
	EXPECT_ERRNO(vfs_walk_parent(&user.t, &w, "/noexec/.", &p, last, &slash), -EACCES,
		     "walk_parent noexec/.");
	EXPECT_ERRNO(vfs_walk_parent(&user.t, &w, "/noexec/..", &p, last, &slash), -EACCES,
		     "walk_parent noexec/..");
	EXPECT_ERRNO(vfs_walk_parent(&user.t, &w, "/noexec/./", &p, last, &slash), -EACCES,
		     "walk_parent noexec/./");
	/* As mkdir and rmdir see it. */
	EXPECT_ERRNO(vfs_mkdir(&user.t, &w, "/noexec/.", 0777), -EACCES, "mkdir noexec/.");
	EXPECT_ERRNO(vfs_rmdir(&user.t, &w, "/noexec/.."), -EACCES, "rmdir noexec/..");
	/* "/" has no component: nothing to search. */
	cr_assert_eq(vfs_walk_parent(&user.t, &w, "/", &p, last, &slash), 0);
	cr_assert_str_eq(last, ".");
	path_put(&p);
}

/* A mount point path with "." or ".." in it must not create directories
 * named "." or "..". */
Test(path_walk, mount_at_with_dot_components)
{
	static const char *const bad[] = { "/a/../x", "/a/./y", "/..", "/a/b/.." };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct dentry *t;
		cr_assert_eq(tmpfs_new(0755, 0, &t), 0);
		int err = mount_at(mt, bad[i], t, "tmpfs", 0);
		dentry_put(t);
		cr_expect(err == -EINVAL || err == 0, "mount_at %s: %d", bad[i], err);
	}
	struct path ap = { root_mnt, d_a }, bp = { root_mnt, d_b }, rp = { root_mnt, R }, c;
	cr_expect_eq(vfs_lookup_child(&ap, "..", &c), -ENOENT, "a directory named \"..\" in /a");
	cr_expect_eq(vfs_lookup_child(&ap, ".", &c), -ENOENT, "a directory named \".\" in /a");
	cr_expect_eq(vfs_lookup_child(&bp, "..", &c), -ENOENT, "a directory named \"..\" in /a/b");
	cr_expect_eq(vfs_lookup_child(&rp, "..", &c), -ENOENT, "a directory named \"..\" in /");
}

Test(path_walk, namespace_operations_walk_inside_the_root)
{
	struct mini_task m;
	mini_task_init(&m, 0, 022);
	struct walk_root w = wr_cwd(d_a);

	cr_assert_eq(vfs_mkdir(&m.t, &w, "newdir", 0777), 0);
	struct path p;
	cr_assert_eq(walk(&w, "/a/newdir", 0, &p), 0);
	cr_assert(S_ISDIR(p.dentry->inode->mode));
	cr_assert_eq(p.dentry->inode->mode & 07777, 0755);   /* umask applied */
	path_put(&p);
	cr_assert_eq(vfs_mkdir(&m.t, &w, "newdir", 0777), -EEXIST);
	cr_assert_eq(vfs_mkdir(&m.t, &w, "/", 0777), -EEXIST);
	cr_assert_eq(vfs_mkdir(&m.t, &w, "slashdir/", 0700), 0);   /* allowed for mkdir */
	cr_assert_eq(vfs_mkdir(&m.t, &w, "b/c/file/x", 0777), -ENOTDIR);
	cr_assert_eq(vfs_mkdir(&m.t, &w, "nope/x", 0777), -ENOENT);

	cr_assert_eq(vfs_symlink(&m.t, "../etc/passwd", &w, "newlink"), 0);
	expect_at(&w, "newlink", F, root_mnt, d_passwd);
	char buf[64];
	cr_assert_eq(walk(&w, "newlink", 0, &p), 0);
	int n = vfs_readlink(&m.t, &p, buf, sizeof buf);
	path_put(&p);
	cr_assert_eq(n, (int)strlen("../etc/passwd"));
	cr_assert_eq(memcmp(buf, "../etc/passwd", (size_t)n), 0);

	/* open(O_CREAT) through a dangling absolute symlink creates its
	 * target, inside the walk root. */
	struct walk_root chroot = wr_at(root_mnt, d_sub, root_mnt, d_sub);
	cr_assert_eq(vfs_symlink(&m.t, "/etc/created", &chroot, "mk"), 0);
	struct file *f;
	cr_assert_eq(vfs_open(&m.t, &chroot, "mk", O_CREAT | O_WRONLY, 0666, &f), 0);
	file_put(f);
	struct path sub_etc = { root_mnt, d_sub_etc }, c;
	cr_assert_eq(vfs_lookup_child(&sub_etc, "created", &c), 0);
	cr_assert_eq(c.dentry->inode->mode & 07777, 0644);
	path_put(&c);
	struct path outer_etc = { root_mnt, d_etc };
	cr_assert_eq(vfs_lookup_child(&outer_etc, "created", &c), -ENOENT);

	/* open of a path with a trailing slash never creates a file. */
	cr_assert_eq(vfs_open(&m.t, &w, "newfile/", O_CREAT | O_WRONLY, 0666, &f), -EISDIR);
	cr_assert_eq(vfs_open(&m.t, &w, "b/c/file/", O_RDONLY, 0, &f), -ENOTDIR);

	cr_assert_eq(vfs_unlink(&m.t, &w, "newlink"), 0);
	expect_err(&w, "newlink", 0, -ENOENT);
	cr_assert_eq(vfs_rmdir(&m.t, &w, "newdir"), 0);
	expect_err(&w, "newdir", 0, -ENOENT);
	cr_assert_eq(vfs_rmdir(&m.t, &w, "b/.."), -ENOTEMPTY);
}
