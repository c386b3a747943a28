/* fd tables (sentry/vfs/file.c): lowest-free allocation, min_fd, limits,
 * fd_install_at replacing, close-on-exec, copies sharing open files,
 * EBADF, growth, counts, and the reference counts of the open files
 * (observed through a release counter). */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "sentry/vfs/vfs.h"

/* --- test files ---------------------------------------------------------------- */

static atomic_int releases;

static void count_release(struct file *f)
{
	(void)f;
	atomic_fetch_add(&releases, 1);
}

static const struct file_ops test_fops = { .release = count_release };

static struct file *new_file(void)
{
	struct file *f = file_new(NULL, NULL, &test_fops, O_RDWR);
	cr_assert_not_null(f);
	return f;
}

static long refs(struct file *f)
{
	return atomic_load(&f->refcount);
}

static int nrel(void)
{
	return atomic_load(&releases);
}

#define LIMIT 1024u

/* --- allocation ------------------------------------------------------------------- */

Test(fdtable, empty_table)
{
	struct fdtable *t = fdtable_new();
	cr_assert_not_null(t);
	cr_assert_eq(fdtable_max_fd(t), 0);
	cr_assert_eq(fdtable_count(t), 0);
	cr_assert_null(fd_get(t, 0));
	cr_assert_eq(fd_close(t, 0), -EBADF);
	cr_assert_eq(fd_get_cloexec(t, 0), -EBADF);
	cr_assert_eq(fd_set_cloexec(t, 0, true), -EBADF);
	fdtable_close_on_exec(t);
	cr_assert_eq(fdtable_count(t), 0);
	fdtable_put(t);
}

Test(fdtable, lowest_free_descriptor)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	for (int i = 0; i < 5; i++)
		cr_assert_eq(fd_install(t, f, 0, false, LIMIT), i);
	cr_assert_eq(refs(f), 6);
	cr_assert_eq(fd_close(t, 1), 0);
	cr_assert_eq(fd_close(t, 3), 0);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 1);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 3);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 5);
	cr_assert_eq(fd_close(t, 0), 0);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);
	cr_assert_eq(fdtable_count(t), 6);
	cr_assert_eq(fdtable_max_fd(t), 6);
	fdtable_put(t);
	cr_assert_eq(refs(f), 1);
	cr_assert_eq(nrel(), 0);
	file_put(f);
	cr_assert_eq(nrel(), 1);
}

Test(fdtable, min_fd)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install(t, f, 10, false, LIMIT), 10);   /* F_DUPFD 10 */
	cr_assert_eq(fd_install(t, f, 10, false, LIMIT), 11);
	cr_assert_eq(fd_install(t, f, 5, false, LIMIT), 5);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);   /* below min_fd still free */
	cr_assert_eq(fd_install(t, f, 10, false, LIMIT), 12);
	cr_assert_eq(fd_close(t, 11), 0);
	cr_assert_eq(fd_install(t, f, 6, false, LIMIT), 6);
	cr_assert_eq(fd_install(t, f, 7, false, LIMIT), 7);
	cr_assert_eq(fd_install(t, f, 8, false, LIMIT), 8);
	cr_assert_eq(fd_install(t, f, 9, false, LIMIT), 9);
	cr_assert_eq(fd_install(t, f, 9, false, LIMIT), 11);
	/* min_fd beyond the current table size: the table grows to it. */
	cr_assert_eq(fd_install(t, f, 700, false, LIMIT), 700);
	cr_assert_eq(fdtable_max_fd(t), 701);
	cr_assert_eq(fdtable_count(t), 10);
	fdtable_put(t);
	cr_assert_eq(refs(f), 1);
	file_put(f);
}

Test(fdtable, limits_are_emfile)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fd_install(t, f, 0, false, 3), i);
	cr_assert_eq(fd_install(t, f, 0, false, 3), -EMFILE);
	cr_assert_eq(fd_install(t, f, 2, false, 3), -EMFILE);
	cr_assert_eq(fd_install(t, f, 3, false, 3), -EMFILE);   /* min_fd == limit */
	cr_assert_eq(fd_install(t, f, 100, false, 3), -EMFILE);
	cr_assert_eq(fd_install(t, f, -1, false, LIMIT), -EMFILE);
	cr_assert_eq(fd_install(t, f, INT_MIN, false, LIMIT), -EMFILE);
	cr_assert_eq(fd_install(t, f, 0, false, 0), -EMFILE);
	/* A failed install takes no reference and changes nothing. */
	cr_assert_eq(refs(f), 4);
	cr_assert_eq(fdtable_count(t), 3);
	cr_assert_eq(fdtable_max_fd(t), 3);
	/* Freeing one makes room again; raising the limit too. */
	cr_assert_eq(fd_close(t, 1), 0);
	cr_assert_eq(fd_install(t, f, 0, false, 3), 1);
	cr_assert_eq(fd_install(t, f, 0, false, 4), 3);
	fdtable_put(t);
	cr_assert_eq(refs(f), 1);
	file_put(f);
}

Test(fdtable, limit_is_capped_by_the_hard_maximum)
{
	/* Whatever RLIMIT_NOFILE says, fds stop at 1 << 20 (fs.nr_open). */
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install(t, f, 1 << 20, false, UINT_MAX), -EMFILE);
	cr_assert_eq(fd_install_at(t, 1 << 20, f, false, UINT_MAX), -EBADF);
	cr_assert_eq(fd_install(t, f, (1 << 20) - 1, false, UINT_MAX), (1 << 20) - 1);
	cr_assert_eq(fdtable_max_fd(t), 1 << 20);
	cr_assert_eq(fdtable_count(t), 1);
	fdtable_put(t);
	cr_assert_eq(refs(f), 1);
	file_put(f);
}

Test(fdtable, growth_beyond_64_and_1024)
{
	struct fdtable *t = fdtable_new();
	enum { N = 2100 };
	static struct file *files[N];
	for (int i = 0; i < N; i++) {
		files[i] = new_file();
		cr_assert_eq(fd_install(t, files[i], 0, i % 3 == 0, 4096), i);
	}
	cr_assert_eq(fdtable_count(t), N);
	cr_assert_eq(fdtable_max_fd(t), N);
	/* Every entry survived every reallocation. */
	for (int i = 0; i < N; i++) {
		struct file *g = fd_get(t, i);
		cr_assert_eq(g, files[i], "fd %d", i);
		file_put(g);
		cr_assert_eq(fd_get_cloexec(t, i), i % 3 == 0, "fd %d", i);
		cr_assert_eq(refs(files[i]), 2);
	}
	cr_assert_null(fd_get(t, N));
	/* Around the boundaries: 63/64/65, 1023/1024/1025. */
	static const int edges[] = { 63, 64, 65, 127, 128, 1023, 1024, 1025, 2047, 2048 };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		cr_assert_eq(fd_close(t, edges[i]), 0);
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		cr_assert_eq(fd_install(t, files[0], 0, false, 4096), edges[i]);
	cr_assert_eq(nrel(), 0);   /* we still hold every file */
	fdtable_put(t);
	for (int i = 0; i < N; i++)
		file_put(files[i]);
	cr_assert_eq(nrel(), N);
}

Test(fdtable, install_at_grows_the_table)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install_at(t, 5000, f, true, 8192), 5000);
	cr_assert_eq(fdtable_max_fd(t), 5001);
	cr_assert_eq(fdtable_count(t), 1);
	cr_assert_eq(fd_get_cloexec(t, 5000), 1);
	/* The lowest free is still 0. */
	cr_assert_eq(fd_install(t, f, 0, false, 8192), 0);
	cr_assert_eq(fd_install_at(t, 63, f, false, 8192), 63);
	cr_assert_eq(fd_install_at(t, 64, f, false, 8192), 64);
	cr_assert_eq(fdtable_count(t), 4);
	cr_assert_eq(fd_install(t, f, 63, false, 8192), 65);
	fdtable_put(t);
	cr_assert_eq(refs(f), 1);
	file_put(f);
}

/* --- fd_install_at ------------------------------------------------------------------- */

Test(fdtable, install_at_replaces_and_closes)
{
	struct fdtable *t = fdtable_new();
	struct file *a = new_file(), *b = new_file();
	cr_assert_eq(fd_install(t, a, 0, true, LIMIT), 0);
	file_put(a);   /* the table holds the only reference */
	cr_assert_eq(nrel(), 0);
	/* dup2(b, 0): a is closed, released. */
	cr_assert_eq(fd_install_at(t, 0, b, false, LIMIT), 0);
	cr_assert_eq(nrel(), 1);
	cr_assert_eq(fdtable_count(t), 1);
	struct file *g = fd_get(t, 0);
	cr_assert_eq(g, b);
	file_put(g);
	/* The new descriptor's close-on-exec flag is the one given. */
	cr_assert_eq(fd_get_cloexec(t, 0), 0);
	cr_assert_eq(refs(b), 2);
	/* Onto a free slot: counted. */
	cr_assert_eq(fd_install_at(t, 7, b, true, LIMIT), 7);
	cr_assert_eq(fdtable_count(t), 2);
	cr_assert_eq(fd_get_cloexec(t, 7), 1);
	cr_assert_eq(refs(b), 3);
	fdtable_put(t);
	cr_assert_eq(nrel(), 1);
	cr_assert_eq(refs(b), 1);
	file_put(b);
	cr_assert_eq(nrel(), 2);
}

Test(fdtable, install_at_the_same_file_keeps_it_open)
{
	/* dup2(fd, fd)-like: replacing a file by itself must not drop it. */
	struct fdtable *t = fdtable_new();
	struct file *a = new_file();
	cr_assert_eq(fd_install(t, a, 0, true, LIMIT), 0);
	file_put(a);
	cr_assert_eq(refs(a), 1);
	cr_assert_eq(fd_install_at(t, 0, a, false, LIMIT), 0);
	cr_assert_eq(nrel(), 0);
	cr_assert_eq(refs(a), 1);
	cr_assert_eq(fdtable_count(t), 1);
	cr_assert_eq(fd_get_cloexec(t, 0), 0);
	fdtable_put(t);
	cr_assert_eq(nrel(), 1);
}

Test(fdtable, install_at_bad_descriptors)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install_at(t, -1, f, false, LIMIT), -EBADF);
	cr_assert_eq(fd_install_at(t, INT_MIN, f, false, LIMIT), -EBADF);
	cr_assert_eq(fd_install_at(t, (int)LIMIT, f, false, LIMIT), -EBADF);
	cr_assert_eq(fd_install_at(t, 3, f, false, 3), -EBADF);
	cr_assert_eq(fd_install_at(t, 0, f, false, 0), -EBADF);
	cr_assert_eq(fd_install_at(t, INT_MAX, f, false, UINT_MAX), -EBADF);
	cr_assert_eq(refs(f), 1);
	cr_assert_eq(fdtable_count(t), 0);
	cr_assert_eq(fd_install_at(t, 2, f, false, 3), 2);
	cr_assert_eq(fdtable_max_fd(t), 3);
	fdtable_put(t);
	file_put(f);
}

/* --- close ------------------------------------------------------------------------- */

Test(fdtable, close_bad_descriptors_is_ebadf)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);
	cr_assert_eq(fd_install(t, f, 2, false, LIMIT), 2);
	cr_assert_eq(fd_close(t, -1), -EBADF);
	cr_assert_eq(fd_close(t, INT_MIN), -EBADF);
	cr_assert_eq(fd_close(t, 1), -EBADF);    /* a hole */
	cr_assert_eq(fd_close(t, 64), -EBADF);   /* the table's size */
	cr_assert_eq(fd_close(t, 100000), -EBADF);
	cr_assert_eq(fd_close(t, INT_MAX), -EBADF);
	cr_assert_eq(fdtable_count(t), 2);
	cr_assert_eq(fd_close(t, 2), 0);
	cr_assert_eq(fd_close(t, 2), -EBADF);   /* twice */
	cr_assert_null(fd_get(t, 2));
	cr_assert_null(fd_get(t, -1));
	cr_assert_null(fd_get(t, INT_MAX));
	cr_assert_eq(fd_get_cloexec(t, -5), -EBADF);
	cr_assert_eq(fd_set_cloexec(t, INT_MAX, true), -EBADF);
	cr_assert_eq(fdtable_count(t), 1);
	cr_assert_eq(refs(f), 2);
	fdtable_put(t);
	file_put(f);
	cr_assert_eq(nrel(), 1);
}

Test(fdtable, close_releases_the_last_reference_only)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 1);
	file_put(f);
	cr_assert_eq(fd_close(t, 0), 0);
	cr_assert_eq(nrel(), 0);
	struct file *g = fd_get(t, 1);   /* a reference of our own */
	cr_assert_eq(g, f);
	cr_assert_eq(refs(f), 2);
	cr_assert_eq(fd_close(t, 1), 0);
	cr_assert_eq(nrel(), 0);
	cr_assert_eq(fdtable_count(t), 0);
	cr_assert_eq(fdtable_max_fd(t), 0);
	file_put(g);
	cr_assert_eq(nrel(), 1);
	fdtable_put(t);
	cr_assert_eq(nrel(), 1);
}

Test(fdtable, max_fd_and_count_follow_closes)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);
	cr_assert_eq(fd_install_at(t, 100, f, false, LIMIT), 100);
	cr_assert_eq(fd_install_at(t, 50, f, false, LIMIT), 50);
	cr_assert_eq(fdtable_max_fd(t), 101);
	cr_assert_eq(fdtable_count(t), 3);
	cr_assert_eq(fd_close(t, 100), 0);
	cr_assert_eq(fdtable_max_fd(t), 51);
	cr_assert_eq(fdtable_count(t), 2);
	cr_assert_eq(fd_close(t, 50), 0);
	cr_assert_eq(fdtable_max_fd(t), 1);
	cr_assert_eq(fd_close(t, 0), 0);
	cr_assert_eq(fdtable_max_fd(t), 0);
	cr_assert_eq(fdtable_count(t), 0);
	fdtable_put(t);
	file_put(f);
}

/* --- close-on-exec ------------------------------------------------------------------- */

Test(fdtable, cloexec_is_per_descriptor)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install(t, f, 0, true, LIMIT), 0);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 1);   /* dup of the same file */
	cr_assert_eq(fd_get_cloexec(t, 0), 1);
	cr_assert_eq(fd_get_cloexec(t, 1), 0);
	cr_assert_eq(fd_set_cloexec(t, 1, true), 0);
	cr_assert_eq(fd_set_cloexec(t, 0, false), 0);
	cr_assert_eq(fd_get_cloexec(t, 0), 0);
	cr_assert_eq(fd_get_cloexec(t, 1), 1);
	/* Closing clears the flag: the next install there starts fresh. */
	cr_assert_eq(fd_close(t, 1), 0);
	cr_assert_eq(fd_get_cloexec(t, 1), -EBADF);
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 1);
	cr_assert_eq(fd_get_cloexec(t, 1), 0);
	fdtable_put(t);
	file_put(f);
}

Test(fdtable, close_on_exec_closes_exactly_the_flagged)
{
	struct fdtable *t = fdtable_new();
	struct file *keep = new_file(), *drop = new_file();
	/* 0..199: even ones close-on-exec (the dropped file), odd ones kept. */
	for (int i = 0; i < 200; i++)
		cr_assert_eq(fd_install(t, i % 2 ? keep : drop, 0, i % 2 == 0, LIMIT), i);
	cr_assert_eq(fd_install_at(t, 900, drop, true, LIMIT), 900);
	file_put(drop);
	cr_assert_eq(refs(drop), 101);
	fdtable_close_on_exec(t);
	cr_assert_eq(nrel(), 1);   /* drop: its last descriptor went */
	cr_assert_eq(fdtable_count(t), 100);
	cr_assert_eq(fdtable_max_fd(t), 200);
	for (int i = 0; i < 200; i++) {
		struct file *g = fd_get(t, i);
		if (i % 2) {
			cr_assert_eq(g, keep, "fd %d", i);
			cr_assert_eq(fd_get_cloexec(t, i), 0);
			file_put(g);
		} else {
			cr_assert_null(g, "fd %d", i);
		}
	}
	cr_assert_null(fd_get(t, 900));
	cr_assert_eq(refs(keep), 101);
	/* Twice is harmless. */
	fdtable_close_on_exec(t);
	cr_assert_eq(fdtable_count(t), 100);
	/* The freed slots are reused lowest first. */
	cr_assert_eq(fd_install(t, keep, 0, false, LIMIT), 0);
	cr_assert_eq(fd_install(t, keep, 0, false, LIMIT), 2);
	fdtable_put(t);
	file_put(keep);
	cr_assert_eq(nrel(), 2);
}

/* Files are released outside the table's lock (a release may block, or
 * come back to the table): a release that looks at the table would
 * deadlock otherwise.  It records the count it saw. */
static struct fdtable *reentrant_table;
static atomic_int seen_count;

static void reentrant_release(struct file *f)
{
	(void)f;
	atomic_fetch_add(&releases, 1);
	atomic_store(&seen_count, fdtable_count(reentrant_table));
}

static const struct file_ops reentrant_fops = { .release = reentrant_release };

static struct file *reentrant_file(void)
{
	struct file *f = file_new(NULL, NULL, &reentrant_fops, O_RDONLY);
	cr_assert_not_null(f);
	return f;
}

Test(fdtable, files_are_released_outside_the_table_lock, .timeout = 5)
{
	struct fdtable *t = reentrant_table = fdtable_new();
	struct file *f = reentrant_file();
	cr_assert_eq(fd_install(t, f, 0, true, LIMIT), 0);
	file_put(f);
	fdtable_close_on_exec(t);
	cr_assert_eq(nrel(), 1);
	cr_assert_eq(atomic_load(&seen_count), 0);

	f = reentrant_file();
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);
	file_put(f);
	cr_assert_eq(fd_close(t, 0), 0);
	cr_assert_eq(nrel(), 2);
	cr_assert_eq(atomic_load(&seen_count), 0);

	f = reentrant_file();
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);
	file_put(f);
	struct file *g = new_file();
	cr_assert_eq(fd_install_at(t, 0, g, false, LIMIT), 0);   /* replaces f */
	cr_assert_eq(nrel(), 3);
	cr_assert_eq(atomic_load(&seen_count), 1);   /* g already in */
	file_put(g);

	/* The last put of the table releases outside any table lock too. */
	f = reentrant_file();
	struct fdtable *other = fdtable_new();
	cr_assert_eq(fd_install(other, f, 0, false, LIMIT), 0);
	file_put(f);
	fdtable_put(other);
	cr_assert_eq(nrel(), 4);
	cr_assert_eq(atomic_load(&seen_count), 1);
	fdtable_put(t);
}

/* --- copies -------------------------------------------------------------------------- */

Test(fdtable, copy_shares_the_open_files)
{
	struct fdtable *t = fdtable_new();
	struct file *a = new_file(), *b = new_file();
	cr_assert_eq(fd_install(t, a, 0, false, LIMIT), 0);
	cr_assert_eq(fd_install(t, b, 0, true, LIMIT), 1);
	cr_assert_eq(fd_install_at(t, 300, a, true, LIMIT), 300);
	file_put(a);
	file_put(b);
	cr_assert_eq(refs(a), 2);
	cr_assert_eq(refs(b), 1);

	struct fdtable *c = fdtable_copy(t);
	cr_assert_not_null(c);
	cr_assert_eq(refs(a), 4);
	cr_assert_eq(refs(b), 2);
	cr_assert_eq(fdtable_count(c), 3);
	cr_assert_eq(fdtable_max_fd(c), 301);
	/* Same files, same flags. */
	struct file *g = fd_get(c, 0);
	cr_assert_eq(g, a);
	file_put(g);
	g = fd_get(c, 1);
	cr_assert_eq(g, b);
	file_put(g);
	cr_assert_eq(fd_get_cloexec(c, 0), 0);
	cr_assert_eq(fd_get_cloexec(c, 1), 1);
	cr_assert_eq(fd_get_cloexec(c, 300), 1);
	/* Independent from then on. */
	cr_assert_eq(fd_close(c, 1), 0);
	cr_assert_eq(nrel(), 0);   /* t still has b */
	g = fd_get(t, 1);
	cr_assert_eq(g, b);
	file_put(g);
	cr_assert_eq(fd_set_cloexec(c, 0, true), 0);
	cr_assert_eq(fd_get_cloexec(t, 0), 0);
	struct file *n = new_file();
	cr_assert_eq(fd_install(c, n, 0, false, LIMIT), 1);
	cr_assert_null(fd_get(t, 2));
	cr_assert_eq(fdtable_count(t), 3);
	cr_assert_eq(fdtable_count(c), 3);
	fdtable_close_on_exec(c);
	cr_assert_eq(fdtable_count(c), 1);
	cr_assert_eq(fdtable_count(t), 3);
	cr_assert_eq(refs(a), 2);

	fdtable_put(t);
	cr_assert_eq(nrel(), 2);   /* a and b: their last descriptors were in t */
	fdtable_put(c);
	cr_assert_eq(refs(n), 1);
	file_put(n);
	cr_assert_eq(nrel(), 3);
}

Test(fdtable, copy_of_an_empty_table)
{
	struct fdtable *t = fdtable_new();
	struct fdtable *c = fdtable_copy(t);
	cr_assert_not_null(c);
	cr_assert_eq(fdtable_count(c), 0);
	cr_assert_eq(fdtable_max_fd(c), 0);
	struct file *f = new_file();
	cr_assert_eq(fd_install(c, f, 0, false, LIMIT), 0);
	cr_assert_eq(fd_install(c, f, 100, false, LIMIT), 100);
	cr_assert_eq(fdtable_count(t), 0);
	fdtable_put(t);
	fdtable_put(c);
	file_put(f);
	cr_assert_eq(nrel(), 1);
}

Test(fdtable, sharing_counts_references)
{
	struct fdtable *t = fdtable_new();
	struct file *f = new_file();
	cr_assert_eq(fd_install(t, f, 0, false, LIMIT), 0);
	file_put(f);
	cr_assert_not(fdtable_shared(t));
	fdtable_get(t);   /* CLONE_FILES */
	cr_assert(fdtable_shared(t));
	fdtable_put(t);
	cr_assert_not(fdtable_shared(t));
	cr_assert_eq(nrel(), 0);
	/* A copy is not shared. */
	struct fdtable *c = fdtable_copy(t);
	cr_assert_not(fdtable_shared(c));
	cr_assert_not(fdtable_shared(t));
	fdtable_put(c);
	cr_assert_eq(nrel(), 0);
	fdtable_put(t);
	cr_assert_eq(nrel(), 1);
}

/* --- concurrency ---------------------------------------------------------------------- */

struct worker_arg {
	struct fdtable *t;
	struct file *f;
	int bad;
};

static void *worker(void *p)
{
	struct worker_arg *a = p;
	for (int i = 0; i < 2000; i++) {
		int fd = fd_install(a->t, a->f, 0, i & 1, LIMIT);
		if (fd < 0) {
			a->bad++;
			continue;
		}
		struct file *g = fd_get(a->t, fd);
		if (g != a->f)
			a->bad++;
		file_put(g);
		if (fd_close(a->t, fd) != 0)
			a->bad++;
	}
	return NULL;
}

Test(fdtable, concurrent_installs_and_closes, .timeout = 10)
{
	/* One shared table (CLONE_FILES), a file per thread: a thread must
	 * always find its own file at the fd it was given. */
	struct fdtable *t = fdtable_new();
	enum { T = 4 };
	pthread_t th[T];
	struct worker_arg args[T];
	for (int i = 0; i < T; i++) {
		args[i] = (struct worker_arg){ t, new_file(), 0 };
		cr_assert_eq(pthread_create(&th[i], NULL, worker, &args[i]), 0);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(args[i].bad, 0, "thread %d", i);
		cr_assert_eq(refs(args[i].f), 1);
		file_put(args[i].f);
	}
	cr_assert_eq(fdtable_count(t), 0);
	cr_assert_eq(fdtable_max_fd(t), 0);
	cr_assert_eq(nrel(), T);
	fdtable_put(t);
}

/* --- files ------------------------------------------------------------------------------ */

Test(fdtable, file_new_and_put)
{
	struct file *f = file_new(NULL, NULL, &test_fops, O_WRONLY | O_APPEND);
	cr_assert_not_null(f);
	cr_assert_eq(refs(f), 1);
	cr_assert_eq(f->flags, (unsigned)(O_WRONLY | O_APPEND));
	cr_assert_null(f->inode);
	cr_assert_null(f->path.dentry);
	cr_assert(file_writable(f));
	cr_assert_not(file_readable(f));
	file_get(f);
	file_put(f);
	cr_assert_eq(nrel(), 0);
	file_put(f);
	cr_assert_eq(nrel(), 1);
	file_put(NULL);   /* harmless */
	f = file_new(NULL, NULL, NULL, O_RDONLY);   /* no ops at all */
	cr_assert(file_readable(f));
	cr_assert_not(file_writable(f));
	file_put(f);
}
