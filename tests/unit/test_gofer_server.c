/* The gofer server and the sentry's client, end to end: a gofer process
 * (forked, running gofer_serve) serving a temporary tree, driven through
 * the client API, and through raw messages where the client would refuse
 * to send something. */
#include "gofer/gofer.h"
#include "gofer/protocol.h"
#include "sentry/fs/gofer_client.h"

#include <criterion/criterion.h>

#include <linux/capability.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Present when built with ASan: lets the forked server check its own leaks
 * before _exit (which skips the at-exit check). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

enum { M_RW, M_RO, M_RW2, M_HOST, M_MISSING, M_PROC, NMOUNTS };

static char root[64];
static char paths[NMOUNTS][PATH_MAX];
static struct gofer_mount mounts[NMOUNTS];
static pid_t server = -1;
static int sock = -1;		/* the client's end, also used for raw messages */
static struct gofer_client *cl;

/* --- the tree ------------------------------------------------------------- */

static void path_of(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", root, rel);
}

static void put_file(const char *rel, const char *content)
{
	char p[PATH_MAX];
	path_of(p, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0, "%s: %s", p, strerror(errno));
	cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void put_dir(const char *rel)
{
	char p[PATH_MAX];
	path_of(p, rel);
	cr_assert_eq(mkdir(p, 0755), 0, "%s: %s", p, strerror(errno));
}

static void put_symlink(const char *rel, const char *target)
{
	char p[PATH_MAX];
	path_of(p, rel);
	cr_assert_eq(symlink(target, p), 0);
}

static void put_node(const char *rel, mode_t mode, dev_t dev)
{
	char p[PATH_MAX];
	path_of(p, rel);
	cr_assert_eq(mknod(p, mode, dev), 0, "%s: %s", p, strerror(errno));
}

static void build_tree(void)
{
	put_dir("rw");
	put_file("rw/hello", "hello world\n");
	put_dir("rw/sub");
	put_file("rw/sub/inner", "inner");
	put_symlink("rw/shadow", "/etc/shadow");
	put_symlink("rw/up", "../../../../..");
	put_node("rw/fifo", S_IFIFO | 0666, 0);
	put_node("rw/null", S_IFCHR | 0666, makedev(1, 3));
	put_node("rw/sock", S_IFSOCK | 0666, 0);
	put_dir("ro");
	put_file("ro/data", "read only\n");
	put_dir("ro/d");
	put_file("ro/d/f", "f");
	put_symlink("ro/link", "data");
	put_dir("rw2");
}

static int rm_entry(const char *p, const struct stat *st, int type, struct FTW *f)
{
	return remove(p);
}

static void remove_tree(void)
{
	if (root[0])
		nftw(root, rm_entry, 64, FTW_DEPTH | FTW_PHYS);
}

/* --- the server ----------------------------------------------------------- */

/* A gofer in a child process; prepare (if any) runs in the child first and
 * returns false to end it with status 2.  check_leaks: the child's exit
 * status also says whether LeakSanitizer found leaks. */
static pid_t start_server_with(const struct gofer_mount *m, size_t n, uint32_t max_nodes,
			       bool (*prepare)(void *), void *arg, bool check_leaks,
			       int *client_end)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		if (prepare && !prepare(arg))
			_exit(2);
		int r = gofer_serve_limited(sv[1], m, n, max_nodes);
		int leaks = check_leaks && __lsan_do_recoverable_leak_check
				    ? __lsan_do_recoverable_leak_check() : 0;
		_exit(r == 0 && !leaks ? 0 : 1);
	}
	close(sv[1]);
	*client_end = sv[0];
	return pid;
}

static pid_t start_server(const struct gofer_mount *m, size_t n, uint32_t max_nodes,
			  int *client_end)
{
	return start_server_with(m, n, max_nodes, NULL, NULL, true, client_end);
}

/* The server must have ended cleanly: status 0, no leaks. */
static void expect_server_exit(pid_t pid)
{
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "gofer exited with status %#x", status);
}

static void setup(void)
{
	cr_assert_eq(geteuid(), 0, "the gofer tests run as root (mknod, chown), as CI does");
	strcpy(root, "/tmp/gofer-test-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	build_tree();
	const char *rel[] = { "rw", "ro", "rw2" };
	for (int i = 0; i < 3; i++)
		path_of(paths[i], rel[i]);
	strcpy(paths[M_HOST], "/");
	path_of(paths[M_MISSING], "missing");
	strcpy(paths[M_PROC], "/proc");
	for (int i = 0; i < NMOUNTS; i++)
		mounts[i] = (struct gofer_mount){ paths[i], i == M_RO || i == M_HOST };
	server = start_server(mounts, NMOUNTS, GOFER_MAX_NODES, &sock);
	cr_assert_eq(gofer_client_new(sock, &cl), 0);
}

static void teardown(void)
{
	gofer_client_free(cl);
	cl = NULL;
	if (server > 0)
		expect_server_exit(server);
	server = -1;
	remove_tree();
}

TestSuite(gofer_server, .init = setup, .fini = teardown);

/* --- helpers -------------------------------------------------------------- */

static gofer_node_t attach(uint32_t m)
{
	gofer_node_t n;
	struct stat st;
	int r = gofer_attach(cl, m, &n, &st);
	cr_assert_eq(r, 0, "attach %u: %s", m, strerror(-r));
	cr_assert(S_ISDIR(st.st_mode));
	return n;
}

static gofer_node_t walk_st(gofer_node_t dir, const char *name, struct stat *st)
{
	gofer_node_t n;
	int r = gofer_walk(cl, dir, name, &n, st);
	cr_assert_eq(r, 0, "walk %s: %s", name, strerror(-r));
	return n;
}

static gofer_node_t walk(gofer_node_t dir, const char *name)
{
	struct stat st;
	return walk_st(dir, name, &st);
}

static int walk_err(gofer_node_t dir, const char *name)
{
	gofer_node_t n = 0;
	struct stat st;
	int r = gofer_walk(cl, dir, name, &n, &st);
	if (r == 0)
		gofer_release(cl, n);
	return r;
}

static void host_stat(const char *rel, struct stat *st)
{
	char p[PATH_MAX];
	path_of(p, rel);
	cr_assert_eq(lstat(p, st), 0, "%s: %s", p, strerror(errno));
}

static bool host_exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;
	path_of(p, rel);
	return lstat(p, &st) == 0;
}

static void read_fd(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);
	cr_assert_geq(n, 0, "%s", strerror(errno));
	buf[n] = '\0';
}

static int count_fds(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(p);
	cr_assert_not_null(d);
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A listing of a host tree (names, types, owners, modes, sizes, times and
 * link targets), to show that nothing changed. */
static FILE *snap_out;

static int snap_entry(const char *p, const struct stat *st, int type, struct FTW *f)
{
	char target[PATH_MAX] = "";
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(p, target, sizeof target - 1);
		target[n < 0 ? 0 : n] = '\0';
	}
	fprintf(snap_out, "%s %o %u:%u %lld %lld.%09ld %lld.%09ld %s\n", p, st->st_mode,
		st->st_uid, st->st_gid, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
		st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, target);
	return 0;
}

static char *snapshot(const char *dir)
{
	char *s = NULL;
	size_t len = 0;
	snap_out = open_memstream(&s, &len);
	cr_assert_not_null(snap_out);
	cr_assert_eq(nftw(dir, snap_entry, 64, FTW_PHYS), 0);
	fclose(snap_out);
	return s;
}

/* --- raw messages --------------------------------------------------------- */

static uint8_t raw[GOFER_MSG_MAX + 256];

static void raw_send_fds(const void *msg, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} control;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(&control, 0, sizeof control);
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	cr_assert_eq(sendmsg(sock, &mh, MSG_NOSIGNAL), (ssize_t)len, "%s", strerror(errno));
}

static void raw_send(const void *msg, size_t len)
{
	raw_send_fds(msg, len, NULL, 0);
}

/* Receives one reply, which must be an error reply without an fd. */
static struct gofer_hdr raw_recv_error(void)
{
	static uint8_t in[GOFER_MSG_MAX];
	char control[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = in, .iov_len = sizeof in };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = control, .msg_controllen = sizeof control };
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	cr_assert_eq(n, (ssize_t)GOFER_HDR_SIZE, "reply of %zd bytes", n);
	cr_assert_eq(mh.msg_controllen, 0, "an error reply carries no fd");
	struct gofer_hdr h;
	cr_assert_eq(gofer_decode_hdr(in, (size_t)n, &h), 0);
	cr_assert_neq(h.error, 0);
	return h;
}

/* The server still answers a valid request. */
static void expect_still_serving(void)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t h = walk(r, "hello");
	cr_assert_eq(gofer_stat(cl, h, NULL), 0);
	cr_assert_eq(gofer_release(cl, h), 0);
	cr_assert_eq(gofer_release(cl, r), 0);
}

/* A WALK message with any name bytes, built by hand. */
static size_t raw_walk(uint64_t dir, const char *name, size_t name_len, uint32_t tag)
{
	uint32_t len = (uint32_t)(GOFER_HDR_SIZE + 8 + 2 + name_len);
	uint16_t op = GOFER_OP_WALK, nl = (uint16_t)name_len;
	memset(raw, 0, GOFER_HDR_SIZE);
	memcpy(raw, &len, 4);
	memcpy(raw + 4, &op, 2);
	memcpy(raw + 8, &tag, 4);
	memcpy(raw + GOFER_HDR_SIZE, &dir, 8);
	memcpy(raw + GOFER_HDR_SIZE + 8, &nl, 2);
	memcpy(raw + GOFER_HDR_SIZE + 10, name, name_len);
	return len;
}

/* --- walk, stat, open ----------------------------------------------------- */

Test(gofer_server, walk_stat_open_read)
{
	gofer_node_t r = attach(M_RW);
	struct stat st, hs;
	gofer_node_t h = walk_st(r, "hello", &st);
	host_stat("rw/hello", &hs);
	cr_assert_eq(st.st_ino, hs.st_ino);
	cr_assert_eq(st.st_dev, hs.st_dev);
	cr_assert_eq(st.st_mode, hs.st_mode);
	cr_assert_eq(st.st_size, 12);
	cr_assert_eq(st.st_mtim.tv_nsec, hs.st_mtim.tv_nsec);
	struct stat st2;
	cr_assert_eq(gofer_stat(cl, h, &st2), 0);
	cr_assert_eq(st2.st_ino, hs.st_ino);
	int fd = -1;
	cr_assert_eq(gofer_open(cl, h, O_RDONLY, &fd), 0);
	cr_assert_geq(fd, 0);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	char buf[64];
	read_fd(fd, buf, sizeof buf);
	cr_assert_str_eq(buf, "hello world\n");
	cr_assert_eq(write(fd, "x", 1), -1, "opened read-only");
	close(fd);

	gofer_node_t sub = walk(r, "sub");
	gofer_node_t inner = walk(sub, "inner");
	cr_assert_eq(gofer_open(cl, inner, O_RDWR | O_APPEND, &fd), 0);
	cr_assert_eq(write(fd, "+", 1), 1);
	read_fd(fd, buf, sizeof buf);
	cr_assert_str_eq(buf, "inner+");
	close(fd);
	cr_assert_eq(gofer_open(cl, inner, O_WRONLY | O_TRUNC, &fd), 0);
	close(fd);
	host_stat("rw/sub/inner", &hs);
	cr_assert_eq(hs.st_size, 0);

	cr_assert_eq(walk_err(r, "nope"), -ENOENT);
	cr_assert_eq(walk_err(h, "x"), -ENOTDIR);
	cr_assert_eq(gofer_release(cl, inner), 0);
	cr_assert_eq(gofer_release(cl, sub), 0);
	cr_assert_eq(gofer_release(cl, h), 0);
	cr_assert_eq(gofer_release(cl, r), 0, "a root node can be released too");
}

Test(gofer_server, open_directories_refused)
{
	/* The sentry lists directories with READDIR; it never holds a host
	 * directory fd it could openat(fd, "..") out of. */
	gofer_node_t r = attach(M_RW);
	gofer_node_t h = walk(r, "hello");
	int fd = -1;
	cr_assert_eq(gofer_open(cl, r, O_RDONLY | O_DIRECTORY, &fd), -EISDIR);
	cr_assert_eq(gofer_open(cl, r, O_RDONLY, &fd), -EISDIR);
	cr_assert_eq(gofer_open(cl, r, O_WRONLY, &fd), -EISDIR);
	cr_assert_eq(gofer_open(cl, r, O_RDWR, &fd), -EISDIR);
	cr_assert_eq(gofer_open(cl, r, O_RDONLY | O_TRUNC, &fd), -EISDIR);
	cr_assert_eq(gofer_open(cl, h, O_RDONLY | O_DIRECTORY, &fd), -ENOTDIR);
	cr_assert_eq(fd, -1);
}

Test(gofer_server, symlinks_are_never_followed)
{
	gofer_node_t r = attach(M_RW);
	struct stat st;
	gofer_node_t shadow = walk_st(r, "shadow", &st);
	cr_assert(S_ISLNK(st.st_mode), "a symlink comes back as a symlink");
	gofer_node_t up = walk_st(r, "up", &st);
	cr_assert(S_ISLNK(st.st_mode));

	char buf[GOFER_PATH_MAX + 1];
	cr_assert_eq(gofer_readlink(cl, shadow, buf, sizeof buf), 11);
	cr_assert_str_eq(buf, "/etc/shadow");
	cr_assert_eq(gofer_readlink(cl, up, buf, sizeof buf), 14);
	cr_assert_str_eq(buf, "../../../../..");
	/* Like snprintf when the buffer is short. */
	char small[4];
	cr_assert_eq(gofer_readlink(cl, shadow, small, sizeof small), 11);
	cr_assert_eq(memcmp(small, "/etc", 4), 0);

	cr_assert_eq(walk_err(shadow, "x"), -ENOTDIR);
	cr_assert_eq(walk_err(shadow, "shadow"), -ENOTDIR);
	cr_assert_eq(walk_err(up, "etc"), -ENOTDIR);
	cr_assert_eq(walk_err(up, "x"), -ENOTDIR);
	int fd = -1;
	cr_assert_eq(gofer_open(cl, shadow, O_RDONLY, &fd), -ELOOP);
	cr_assert_eq(gofer_open(cl, up, O_RDONLY | O_DIRECTORY, &fd), -ELOOP);
	cr_assert_eq(gofer_readdir_all(cl, up, NULL, NULL), -ENOTDIR);
	cr_assert_eq(fd, -1);
	cr_assert_eq(gofer_readlink(cl, r, buf, sizeof buf), -EINVAL);
}

Test(gofer_server, bad_names)
{
	gofer_node_t r = attach(M_RW);
	char n256[257];
	memset(n256, 'a', 256);
	n256[256] = '\0';
	cr_assert_eq(walk_err(r, ".."), -EINVAL);
	cr_assert_eq(walk_err(r, "."), -EINVAL);
	cr_assert_eq(walk_err(r, "sub/inner"), -EINVAL);
	cr_assert_eq(walk_err(r, "/etc"), -EINVAL);
	cr_assert_eq(walk_err(r, ""), -EINVAL);
	cr_assert_eq(walk_err(r, n256), -ENAMETOOLONG);
	n256[255] = '\0';
	cr_assert_eq(walk_err(r, n256), -ENOENT, "255 bytes is a valid name");

	/* The same, forged on the wire past the client's checks. */
	const char *bad[] = { "..", ".", "sub/inner", "a\0b", "" };
	size_t lens[] = { 2, 1, 9, 3, 0 };
	for (int i = 0; i < 5; i++) {
		size_t len = raw_walk(r, bad[i], lens[i], 100 + (uint32_t)i);
		raw_send(raw, len);
		struct gofer_hdr h = raw_recv_error();
		cr_assert_eq(h.error, EINVAL, "name %d", i);
		cr_assert_eq(h.tag, 100 + (uint32_t)i);
		cr_assert_eq(h.op, GOFER_OP_WALK);
	}
	expect_still_serving();
}

/* --- forged ids ----------------------------------------------------------- */

Test(gofer_server, forged_and_stale_node_ids)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t h = walk(r, "hello");
	gofer_node_t forged[] = { 0, 1, h + 1, h ^ (1ull << 32), h ^ (1ull << 63),
				  h & 0xffffffffull, UINT64_MAX, 0x100000000ull };
	for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
		if (forged[i] == r)
			continue;
		cr_assert_eq(gofer_stat(cl, forged[i], NULL), -EBADF, "id %#llx",
			     (unsigned long long)forged[i]);
		cr_assert_eq(walk_err(forged[i], "hello"), -EBADF);
		int fd = -1;
		cr_assert_eq(gofer_open(cl, forged[i], O_RDONLY, &fd), -EBADF);
		cr_assert_eq(gofer_release(cl, forged[i]), -EBADF);
	}
	cr_assert_eq(gofer_release(cl, h), 0);
	cr_assert_eq(gofer_stat(cl, h, NULL), -EBADF, "stale after release");
	cr_assert_eq(gofer_release(cl, h), -EBADF, "released once only");
	/* The slot is reused with a new generation: the old id stays dead. */
	gofer_node_t h2 = walk(r, "hello");
	cr_assert_neq(h2, h);
	cr_assert_eq(h2 & 0xffffffffull, h & 0xffffffffull);
	cr_assert_eq(gofer_stat(cl, h, NULL), -EBADF);
	cr_assert_eq(gofer_stat(cl, h2, NULL), 0);
	/* Across a LINK or RENAME too. */
	gofer_node_t r2 = attach(M_RW2);
	cr_assert_eq(gofer_link(cl, r, "x", h, NULL), -EBADF);
	cr_assert_eq(gofer_rename(cl, r, "hello", h, "x", 0), -EBADF);
	cr_assert_eq(gofer_rename(cl, r, "hello", h2, "x", 0), -ENOTDIR);
	cr_assert_eq(gofer_rename(cl, r, "hello", 77, "x", 0), -EBADF);
	cr_assert_eq(gofer_release(cl, r2), 0);
}

/* --- read-only mounts ----------------------------------------------------- */

Test(gofer_server, read_only_mount_refuses_every_write)
{
	char *before = snapshot(paths[M_RO]);
	gofer_node_t r = attach(M_RO);
	gofer_node_t data = walk(r, "data");
	gofer_node_t d = walk(r, "d");
	gofer_node_t link = walk(r, "link");
	gofer_node_t n;
	struct stat st;
	int fd = -1;
	cr_assert_eq(gofer_create(cl, r, "new", O_RDWR, 0644, 0, 0, &n, &st, &fd), -EROFS);
	cr_assert_eq(gofer_create(cl, r, "data", O_RDWR, 0644, 0, 0, &n, &st, &fd), -EROFS);
	cr_assert_eq(gofer_mkdir(cl, r, "newdir", 0755, 0, 0, &n, &st), -EROFS);
	cr_assert_eq(gofer_mknod(cl, r, "fifo", S_IFIFO | 0644, 0, 0, 0, &n, &st), -EROFS);
	cr_assert_eq(gofer_symlink(cl, r, "sl", "data", 0, 0, &n, &st), -EROFS);
	cr_assert_eq(gofer_link(cl, r, "hard", data, &st), -EROFS);
	cr_assert_eq(gofer_unlink(cl, r, "data", 0), -EROFS);
	cr_assert_eq(gofer_unlink(cl, d, "f", 0), -EROFS);
	cr_assert_eq(gofer_unlink(cl, r, "d", AT_REMOVEDIR), -EROFS);
	cr_assert_eq(gofer_rename(cl, r, "data", r, "data2", 0), -EROFS);
	cr_assert_eq(gofer_rename(cl, r, "data", d, "data", RENAME_EXCHANGE), -EROFS);
	struct gofer_setattr a = { .mask = GOFER_SETATTR_MODE, .mode = 0777 };
	cr_assert_eq(gofer_setattr(cl, data, &a, &st), -EROFS);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_SIZE, .size = 0 };
	cr_assert_eq(gofer_setattr(cl, data, &a, &st), -EROFS);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_UID | GOFER_SETATTR_GID, .uid = 1, .gid = 1 };
	cr_assert_eq(gofer_setattr(cl, d, &a, &st), -EROFS);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_MTIME, .mtime = { 0, UTIME_NOW } };
	cr_assert_eq(gofer_setattr(cl, link, &a, &st), -EROFS);
	cr_assert_eq(gofer_open(cl, data, O_WRONLY, &fd), -EROFS);
	cr_assert_eq(gofer_open(cl, data, O_RDWR, &fd), -EROFS);
	cr_assert_eq(gofer_open(cl, data, O_RDONLY | O_TRUNC, &fd), -EROFS);
	cr_assert_eq(fd, -1);

	/* Reading is fine, and the fd cannot write. */
	cr_assert_eq(gofer_open(cl, data, O_RDONLY, &fd), 0);
	char buf[64];
	read_fd(fd, buf, sizeof buf);
	cr_assert_str_eq(buf, "read only\n");
	cr_assert_eq(write(fd, "x", 1), -1);
	close(fd);
	a = (struct gofer_setattr){ .mask = 0 };
	cr_assert_eq(gofer_setattr(cl, data, &a, &st), 0, "an empty setattr is a stat");
	cr_assert_eq(st.st_size, 10);

	char *after = snapshot(paths[M_RO]);
	cr_assert_str_eq(after, before, "the read-only tree changed");
	free(before);
	free(after);
}

Test(gofer_server, across_mounts_is_exdev)
{
	gofer_node_t rw = attach(M_RW);
	gofer_node_t rw2 = attach(M_RW2);
	gofer_node_t ro = attach(M_RO);
	gofer_node_t h = walk(rw, "hello");
	cr_assert_eq(gofer_rename(cl, rw, "hello", rw2, "hello", 0), -EXDEV);
	cr_assert_eq(gofer_rename(cl, rw2, "x", rw, "hello", RENAME_EXCHANGE), -EXDEV);
	cr_assert_eq(gofer_rename(cl, rw, "hello", ro, "hello", 0), -EXDEV);
	cr_assert_eq(gofer_link(cl, rw2, "hello", h, NULL), -EXDEV);
	cr_assert(host_exists("rw/hello"));
	cr_assert(!host_exists("rw2/hello"));
	cr_assert(!host_exists("ro/hello"));
	/* Within one mount it works. */
	gofer_node_t sub = walk(rw, "sub");
	cr_assert_eq(gofer_rename(cl, rw, "hello", sub, "moved", 0), 0);
	cr_assert(host_exists("rw/sub/moved"));
	cr_assert(!host_exists("rw/hello"));
}

/* --- creating and changing ------------------------------------------------ */

Test(gofer_server, create_sets_owner_and_mode)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t n;
	struct stat st, hs;
	int fd = -1;
	cr_assert_eq(gofer_create(cl, r, "new", O_RDWR, 0640, 1234, 5678, &n, &st, &fd), 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(st.st_mode, S_IFREG | 0640);
	cr_assert_eq(st.st_uid, 1234);
	cr_assert_eq(st.st_gid, 5678);
	cr_assert_eq(write(fd, "abc", 3), 3);
	close(fd);
	host_stat("rw/new", &hs);
	cr_assert_eq(hs.st_ino, st.st_ino);
	cr_assert_eq(hs.st_uid, 1234);
	cr_assert_eq(hs.st_size, 3);
	cr_assert_eq(gofer_stat(cl, n, &st), 0);
	cr_assert_eq(st.st_size, 3);

	gofer_node_t n2;
	cr_assert_eq(gofer_create(cl, r, "new", O_RDWR, 0640, 1, 1, &n2, &st, &fd), -EEXIST);
	cr_assert_eq(gofer_create(cl, r, "shadow", O_RDWR, 0640, 1, 1, &n2, &st, &fd), -EEXIST,
		     "never through a symlink");
	/* chown() clears set-user-ID; the gofer puts it back. */
	cr_assert_eq(gofer_create(cl, r, "suid", O_WRONLY, 04755, 1000, 1000, &n2, &st, &fd), 0);
	close(fd);
	host_stat("rw/suid", &hs);
	cr_assert_eq(hs.st_mode, S_IFREG | 04755);
	cr_assert_eq(hs.st_uid, 1000);
	/* The mode is exactly the one asked for: no umask in the gofer. */
	cr_assert_eq(gofer_create(cl, r, "open", O_RDONLY, 0777, 0, 0, &n2, &st, &fd), 0);
	close(fd);
	host_stat("rw/open", &hs);
	cr_assert_eq(hs.st_mode, S_IFREG | 0777);
}

Test(gofer_server, mkdir_mknod_symlink_link)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t n;
	struct stat st, hs;
	cr_assert_eq(gofer_mkdir(cl, r, "dir", 0750, 42, 43, &n, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	host_stat("rw/dir", &hs);
	cr_assert_eq(hs.st_mode, S_IFDIR | 0750);
	cr_assert_eq(hs.st_uid, 42);
	cr_assert_eq(hs.st_gid, 43);
	gofer_node_t inner;
	cr_assert_eq(gofer_mkdir(cl, n, "inner", 0700, 1, 1, &inner, &st), 0, "in the new node");
	cr_assert(host_exists("rw/dir/inner"));
	cr_assert_eq(gofer_mkdir(cl, r, "dir", 0750, 42, 43, &n, &st), -EEXIST);

	cr_assert_eq(gofer_mknod(cl, r, "fifo2", S_IFIFO | 0620, 0, 5, 6, &n, &st), 0);
	host_stat("rw/fifo2", &hs);
	cr_assert(S_ISFIFO(hs.st_mode));
	cr_assert_eq(hs.st_mode & 07777, 0620);
	cr_assert_eq(hs.st_uid, 5);
	cr_assert_eq(gofer_mknod(cl, r, "sock2", S_IFSOCK | 0600, 0, 5, 6, &n, &st), 0);
	host_stat("rw/sock2", &hs);
	cr_assert(S_ISSOCK(hs.st_mode));
	cr_assert_eq(gofer_mknod(cl, r, "reg", 0600, 0, 5, 6, &n, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(gofer_mknod(cl, r, "chr", S_IFCHR | 0666, makedev(1, 3), 0, 0, &n, &st), -EPERM);
	cr_assert_eq(gofer_mknod(cl, r, "blk", S_IFBLK | 0666, makedev(8, 0), 0, 0, &n, &st), -EPERM);
	cr_assert(!host_exists("rw/chr"));
	cr_assert(!host_exists("rw/blk"));

	cr_assert_eq(gofer_symlink(cl, r, "sl", "../../etc/passwd", 7, 8, &n, &st), 0);
	cr_assert(S_ISLNK(st.st_mode));
	host_stat("rw/sl", &hs);
	cr_assert(S_ISLNK(hs.st_mode));
	cr_assert_eq(hs.st_uid, 7, "the link itself is chowned");
	char buf[64];
	cr_assert_eq(gofer_readlink(cl, n, buf, sizeof buf), 16);
	cr_assert_str_eq(buf, "../../etc/passwd");

	gofer_node_t h = walk(r, "hello");
	cr_assert_eq(gofer_link(cl, r, "hello2", h, &st), 0);
	cr_assert_eq(st.st_nlink, 2);
	host_stat("rw/hello2", &hs);
	cr_assert_eq(hs.st_ino, st.st_ino);
	cr_assert_eq(gofer_link(cl, r, "hello2", h, &st), -EEXIST);
	cr_assert_eq(gofer_link(cl, r, "dirlink", walk(r, "sub"), &st), -EPERM);
}

Test(gofer_server, unlink_and_rename)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t sub = walk(r, "sub");
	cr_assert_eq(gofer_unlink(cl, r, "sub", 0), -EISDIR);
	cr_assert_eq(gofer_unlink(cl, r, "sub", AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert_eq(gofer_unlink(cl, r, "hello", AT_REMOVEDIR), -ENOTDIR);
	cr_assert_eq(gofer_unlink(cl, sub, "inner", 0), 0);
	cr_assert_eq(gofer_unlink(cl, r, "sub", AT_REMOVEDIR), 0);
	cr_assert(!host_exists("rw/sub"));
	cr_assert_eq(gofer_unlink(cl, r, "nope", 0), -ENOENT);
	cr_assert_eq(gofer_unlink(cl, r, "shadow", 0), 0, "removes the link, not /etc/shadow");
	cr_assert(!host_exists("rw/shadow"));

	cr_assert_eq(gofer_rename(cl, r, "hello", r, "up", RENAME_NOREPLACE), -EEXIST);
	cr_assert_eq(gofer_rename(cl, r, "hello", r, "up", RENAME_EXCHANGE), 0);
	struct stat hs;
	host_stat("rw/up", &hs);
	cr_assert(S_ISREG(hs.st_mode));
	host_stat("rw/hello", &hs);
	cr_assert(S_ISLNK(hs.st_mode));
	cr_assert_eq(gofer_rename(cl, r, "up", r, "renamed", 0), 0);
	cr_assert(host_exists("rw/renamed"));
	cr_assert(!host_exists("rw/up"));
	cr_assert_eq(gofer_rename(cl, r, "nope", r, "x", 0), -ENOENT);
}

Test(gofer_server, setattr)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t h = walk(r, "hello");
	struct stat st, hs;
	struct gofer_setattr a = { .mask = GOFER_SETATTR_MODE, .mode = 04600 };
	cr_assert_eq(gofer_setattr(cl, h, &a, &st), 0);
	cr_assert_eq(st.st_mode, S_IFREG | 04600);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_UID | GOFER_SETATTR_GID, .uid = 11, .gid = 12 };
	cr_assert_eq(gofer_setattr(cl, h, &a, &st), 0);
	cr_assert_eq(st.st_uid, 11);
	cr_assert_eq(st.st_gid, 12);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_GID, .gid = 13 };
	cr_assert_eq(gofer_setattr(cl, h, &a, &st), 0);
	cr_assert_eq(st.st_uid, 11, "uid unchanged");
	cr_assert_eq(st.st_gid, 13);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_SIZE, .size = 5 };
	cr_assert_eq(gofer_setattr(cl, h, &a, &st), 0);
	cr_assert_eq(st.st_size, 5);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_SIZE, .size = 1 << 20 };
	cr_assert_eq(gofer_setattr(cl, h, &a, &st), 0);
	cr_assert_eq(st.st_size, 1 << 20);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME,
				    .atime = { 1000, 5 }, .mtime = { 2000, 6 } };
	cr_assert_eq(gofer_setattr(cl, h, &a, &st), 0);
	host_stat("rw/hello", &hs);
	cr_assert_eq(hs.st_atim.tv_sec, 1000);
	cr_assert_eq(hs.st_atim.tv_nsec, 5);
	cr_assert_eq(hs.st_mtim.tv_sec, 2000);
	cr_assert_eq(hs.st_mtim.tv_nsec, 6);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME,
				    .atime = { 0, UTIME_OMIT }, .mtime = { 0, UTIME_NOW } };
	cr_assert_eq(gofer_setattr(cl, h, &a, &st), 0);
	cr_assert_eq(st.st_atim.tv_sec, 1000, "omitted");
	cr_assert_gt(st.st_mtim.tv_sec, time(NULL) - 60, "now");

	/* Symlinks: no mode, but owner and times of the link itself. */
	gofer_node_t sl = walk(r, "shadow");
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_MODE, .mode = 0600 };
	cr_assert_eq(gofer_setattr(cl, sl, &a, &st), -EOPNOTSUPP);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_MTIME, .mtime = { 3000, 0 } };
	cr_assert_eq(gofer_setattr(cl, sl, &a, &st), 0);
	host_stat("rw/shadow", &hs);
	cr_assert_eq(hs.st_mtim.tv_sec, 3000);
	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_UID, .uid = 99 };
	cr_assert_eq(gofer_setattr(cl, sl, &a, &st), 0);
	host_stat("rw/shadow", &hs);
	cr_assert_eq(hs.st_uid, 99);

	a = (struct gofer_setattr){ .mask = GOFER_SETATTR_SIZE, .size = 0 };
	cr_assert_eq(gofer_setattr(cl, r, &a, &st), -EISDIR);
	cr_assert_eq(gofer_setattr(cl, walk(r, "fifo"), &a, &st), -EINVAL);
}

Test(gofer_server, statfs)
{
	gofer_node_t r = attach(M_RW);
	struct statfs sf, hs;
	cr_assert_eq(gofer_statfs(cl, r, &sf), 0);
	cr_assert_eq(statfs(paths[M_RW], &hs), 0);
	cr_assert_eq(sf.f_type, hs.f_type);
	cr_assert_eq(sf.f_bsize, hs.f_bsize);
	cr_assert_eq(sf.f_namelen, hs.f_namelen);
}

/* --- what the guest must never get ---------------------------------------- */

Test(gofer_server, fifos_sockets_and_devices_are_not_opened)
{
	gofer_node_t r = attach(M_RW);
	int fd = -1;
	gofer_node_t fifo = walk(r, "fifo");
	cr_assert_eq(gofer_open(cl, fifo, O_RDONLY, &fd), -ENXIO, "and it does not block");
	cr_assert_eq(gofer_open(cl, fifo, O_WRONLY, &fd), -ENXIO);
	gofer_node_t null = walk(r, "null");
	cr_assert_eq(gofer_open(cl, null, O_RDONLY, &fd), -EACCES);
	cr_assert_eq(gofer_open(cl, null, O_RDWR, &fd), -EACCES);
	gofer_node_t s = walk(r, "sock");
	cr_assert_eq(gofer_open(cl, s, O_RDWR, &fd), -ENXIO);
	cr_assert_eq(fd, -1);

	/* The host's own /dev: walkable, but nothing in it opens. */
	gofer_node_t host = attach(M_HOST);
	gofer_node_t dev = walk(host, "dev");
	gofer_node_t hnull = walk(dev, "null");
	cr_assert_eq(gofer_open(cl, hnull, O_RDONLY, &fd), -EACCES);
	gofer_node_t zero = walk(dev, "zero");
	cr_assert_eq(gofer_open(cl, zero, O_RDONLY, &fd), -EACCES);
	cr_assert_eq(fd, -1);
}

Test(gofer_server, host_pseudo_file_systems_are_refused)
{
	gofer_node_t host = attach(M_HOST);
	cr_assert_eq(walk_err(host, "proc"), -EACCES);
	cr_assert_eq(walk_err(host, "sys"), -EACCES);
	gofer_node_t dev = walk(host, "dev");
	struct statfs sf;
	if (statfs("/dev/pts", &sf) == 0 && sf.f_type == 0x1cd1)
		cr_assert_eq(walk_err(dev, "pts"), -EACCES);
	if (statfs("/dev/shm", &sf) == 0 && sf.f_type == 0x01021994) {
		gofer_node_t shm = walk(dev, "shm");
		cr_assert_eq(gofer_release(cl, shm), 0, "a plain tmpfs is fine");
	}
	gofer_node_t etc = walk(host, "etc");
	gofer_node_t pw = walk(etc, "passwd");
	int fd = -1;
	cr_assert_eq(gofer_open(cl, pw, O_RDONLY, &fd), 0);
	close(fd);
	cr_assert_eq(gofer_open(cl, pw, O_RDWR, &fd), -EROFS, "the host root is read-only here");

	gofer_node_t n;
	struct stat st;
	cr_assert_eq(gofer_attach(cl, M_PROC, &n, &st), -EACCES, "a mount of /proc");
	cr_assert_eq(gofer_attach(cl, M_MISSING, &n, &st), -ENOENT);
	cr_assert_eq(gofer_attach(cl, NMOUNTS, &n, &st), -EINVAL);
	cr_assert_eq(gofer_attach(cl, UINT32_MAX, &n, &st), -EINVAL);
}

/* --- readdir -------------------------------------------------------------- */

#define BIG 3000

static void make_big_dir(void)
{
	put_dir("rw/big");
	char rel[PATH_MAX];
	for (int i = 0; i < BIG; i++) {
		snprintf(rel, sizeof rel, "rw/big/%04d-%0100d", i, i);
		put_file(rel, "");
	}
}

struct seen {
	bool names[BIG];
	int count, dups, dots, stop_after;
};

static int collect(void *arg, const char *name, uint64_t ino, unsigned char type,
		   uint64_t cookie)
{
	struct seen *s = arg;
	if (s->stop_after && s->count >= s->stop_after)
		return 1;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		s->dots++;
		return 0;
	}
	int i = atoi(name);
	cr_assert(i >= 0 && i < BIG && type == DT_REG && ino != 0, "%s", name);
	if (s->names[i])
		s->dups++;
	s->names[i] = true;
	s->count++;
	return 0;
}

static void expect_all_seen(const struct seen *s)
{
	cr_assert_eq(s->count, BIG);
	cr_assert_eq(s->dups, 0);
	cr_assert_eq(s->dots, 0);
	for (int i = 0; i < BIG; i++)
		cr_assert(s->names[i], "entry %d missing", i);
}

Test(gofer_server, readdir_of_3000_entries_in_batches)
{
	make_big_dir();
	gofer_node_t r = attach(M_RW);
	gofer_node_t big = walk(r, "big");
	static struct seen s;
	memset(&s, 0, sizeof s);
	uint64_t cookie = 0;
	int batches = 0, n;
	while ((n = gofer_readdir(cl, big, &cookie, collect, &s)) > 0)
		batches++;
	cr_assert_eq(n, 0);
	cr_assert_gt(batches, 1, "%d batches", batches);
	expect_all_seen(&s);
	cr_assert_eq(gofer_readdir(cl, big, &cookie, collect, &s), 0, "still at the end");

	memset(&s, 0, sizeof s);
	cr_assert_eq(gofer_readdir_all(cl, big, collect, &s), BIG);
	expect_all_seen(&s);
}

Test(gofer_server, readdir_resumes_where_the_callback_stopped)
{
	make_big_dir();
	gofer_node_t r = attach(M_RW);
	gofer_node_t big = walk(r, "big");
	static struct seen s;
	memset(&s, 0, sizeof s);
	uint64_t cookie = 0;
	for (int round = 1; s.count < BIG; round++) {
		s.stop_after = 7 * round < BIG ? 7 * round : BIG;
		int n = gofer_readdir(cl, big, &cookie, collect, &s);
		cr_assert_geq(n, 0);
		cr_assert(round < 1000);
	}
	s.stop_after = 0;
	cr_assert_eq(gofer_readdir(cl, big, &cookie, collect, &s), 0);
	expect_all_seen(&s);
}

static int count_entry(void *arg, const char *name, uint64_t ino, unsigned char type,
		       uint64_t cookie)
{
	(*(int *)arg)++;
	return 0;
}

Test(gofer_server, readdir_small_and_empty_dirs)
{
	gofer_node_t r = attach(M_RW);
	int n = 0;
	cr_assert_eq(gofer_readdir_all(cl, r, count_entry, &n), 7);
	cr_assert_eq(n, 7);
	gofer_node_t e = attach(M_RW2);
	n = 0;
	cr_assert_eq(gofer_readdir_all(cl, e, count_entry, &n), 0);
	cr_assert_eq(n, 0);
	uint64_t cookie = 0;
	cr_assert_eq(gofer_readdir(cl, walk(r, "hello"), &cookie, count_entry, &n), -ENOTDIR);
}

/* --- malformed requests --------------------------------------------------- */

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

Test(gofer_server, garbage_gets_an_error_reply)
{
	struct gofer_hdr h;
	/* Random bytes of random lengths. */
	for (int i = 0; i < 200; i++) {
		size_t len = 1 + rnd() % 300;
		for (size_t k = 0; k < len; k++)
			raw[k] = (uint8_t)rnd();
		raw_send(raw, len);
		raw_recv_error();
	}
	expect_still_serving();
	/* Empty, and truncated headers. */
	for (size_t len = 0; len < GOFER_HDR_SIZE; len++) {
		memset(raw, 0, sizeof raw);
		raw_send(raw, len);
		h = raw_recv_error();
		cr_assert_eq(h.error, EINVAL);
	}
	/* Huge length fields. */
	size_t len = raw_walk(1, "x", 1, 5);
	uint32_t huge[] = { 0xffffffff, GOFER_MSG_MAX + 1, (uint32_t)len + 1, (uint32_t)len - 1 };
	for (size_t i = 0; i < 4; i++) {
		len = raw_walk(1, "x", 1, 5);
		memcpy(raw, &huge[i], 4);
		raw_send(raw, len);
		h = raw_recv_error();
		cr_assert_eq(h.tag, 5, "the tag is echoed when the header is readable");
	}
	/* Longer than any message may be: seen as truncated. */
	memset(raw, 'z', sizeof raw);
	raw_send(raw, GOFER_MSG_MAX + 100);
	h = raw_recv_error();
	cr_assert_eq(h.error, EMSGSIZE);
	/* Exactly the maximum, consistent length field, garbage body. */
	len = raw_walk(1, "x", 1, 6);
	uint32_t max = GOFER_MSG_MAX;
	memcpy(raw, &max, 4);
	raw_send(raw, GOFER_MSG_MAX);
	h = raw_recv_error();
	cr_assert_eq(h.error, EINVAL);
	/* An unknown op, and a reply sent as a request. */
	len = raw_walk(1, "x", 1, 7);
	uint16_t op = 999;
	memcpy(raw + 4, &op, 2);
	raw_send(raw, len);
	h = raw_recv_error();
	cr_assert_eq(h.error, EINVAL);
	cr_assert_eq(h.op, 999);
	len = raw_walk(1, "x", 1, 8);
	uint32_t err = ENOENT;
	memcpy(raw + 12, &err, 4);
	raw_send(raw, len);
	h = raw_recv_error();
	cr_assert_eq(h.error, EINVAL);
	expect_still_serving();
}

Test(gofer_server, a_request_with_fds_attached_is_refused_and_fds_closed)
{
	gofer_node_t r = attach(M_RW);
	for (int nfds = 1; nfds <= 4; nfds++) {
		int p[2];
		cr_assert_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
		int fds[4] = { p[1], p[1], p[1], p[1] };
		size_t len = raw_walk(r, "hello", 5, 9);
		raw_send_fds(raw, len, fds, nfds);
		struct gofer_hdr h = raw_recv_error();
		cr_assert_eq(h.error, EINVAL);
		cr_assert_eq(h.tag, 9);
		close(p[1]);
		char c;
		cr_assert_eq(read(p[0], &c, 1), 0, "the gofer kept a copy of the write end");
		close(p[0]);
	}
	expect_still_serving();
}

/* --- limits and leaks ----------------------------------------------------- */

Test(gofer_server, no_fd_leak_over_10000_walks)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t warm = walk(r, "hello");
	cr_assert_eq(gofer_release(cl, warm), 0);
	int server_before = count_fds(server);
	int self_before = count_fds(getpid());
	for (int i = 0; i < 10000; i++) {
		gofer_node_t h = walk(r, i % 2 ? "hello" : "sub");
		cr_assert_eq(gofer_release(cl, h), 0);
	}
	/* And the other ops that open host fds, successful or not. */
	gofer_node_t h = walk(r, "hello");
	gofer_node_t fifo = walk(r, "fifo");
	for (int i = 0; i < 200; i++) {
		int fd = -1;
		cr_assert_eq(gofer_open(cl, h, O_RDONLY, &fd), 0);
		close(fd);
		cr_assert_eq(gofer_open(cl, fifo, O_RDONLY, &fd), -ENXIO);
		int n = 0;
		cr_assert_eq(gofer_readdir_all(cl, r, count_entry, &n), 7);
		gofer_node_t c;
		struct stat st;
		cr_assert_eq(gofer_create(cl, r, "tmp", O_RDWR, 0600, 0, 0, &c, &st, &fd), 0);
		close(fd);
		struct gofer_setattr a = { .mask = GOFER_SETATTR_SIZE, .size = 1 };
		cr_assert_eq(gofer_setattr(cl, c, &a, &st), 0);
		cr_assert_eq(gofer_release(cl, c), 0);
		cr_assert_eq(gofer_unlink(cl, r, "tmp", 0), 0);
		cr_assert_eq(gofer_create(cl, r, "hello", O_RDWR, 0600, 0, 0, &c, &st, &fd), -EEXIST);
	}
	cr_assert_eq(gofer_release(cl, h), 0);
	cr_assert_eq(gofer_release(cl, fifo), 0);
	cr_assert_eq(count_fds(server), server_before);
	cr_assert_eq(count_fds(getpid()), self_before);
}

Test(gofer_server, node_table_limit)
{
	int s2;
	pid_t pid = start_server(mounts, NMOUNTS, 8, &s2);
	struct gofer_client *c2;
	cr_assert_eq(gofer_client_new(s2, &c2), 0);
	gofer_node_t nodes[8];
	struct stat st;
	cr_assert_eq(gofer_attach(c2, M_RW, &nodes[0], &st), 0);
	for (int i = 1; i < 8; i++)
		cr_assert_eq(gofer_walk(c2, nodes[0], "hello", &nodes[i], &st), 0);
	gofer_node_t extra;
	cr_assert_eq(gofer_walk(c2, nodes[0], "hello", &extra, &st), -ENFILE);
	cr_assert_eq(gofer_attach(c2, M_RW, &extra, &st), -ENFILE);
	int fd = -1;
	cr_assert_eq(gofer_create(c2, nodes[0], "new", O_RDWR, 0644, 0, 0, &extra, &st, &fd),
		     -ENFILE);
	cr_assert_eq(fd, -1);
	cr_assert(!host_exists("rw/new"), "a create that fails leaves nothing behind");
	cr_assert_eq(gofer_release(c2, nodes[3]), 0);
	cr_assert_eq(gofer_walk(c2, nodes[0], "hello", &nodes[3], &st), 0);
	gofer_client_free(c2);
	expect_server_exit(pid);
}

/* --- concurrency ---------------------------------------------------------- */

static void *hammer(void *arg)
{
	gofer_node_t r = *(gofer_node_t *)arg;
	for (int i = 0; i < 300; i++) {
		gofer_node_t n;
		struct stat st;
		if (gofer_walk(cl, r, "sub", &n, &st) != 0 || !S_ISDIR(st.st_mode))
			return (void *)1;
		gofer_node_t f;
		if (gofer_walk(cl, n, "inner", &f, &st) != 0 || st.st_size != 5)
			return (void *)2;
		int fd;
		if (gofer_open(cl, f, O_RDONLY, &fd) != 0)
			return (void *)3;
		close(fd);
		if (gofer_release(cl, f) != 0 || gofer_release(cl, n) != 0)
			return (void *)4;
	}
	return NULL;
}

Test(gofer_server, concurrent_callers)
{
	gofer_node_t r = attach(M_RW);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, hammer, &r), 0);
	for (int i = 0; i < 4; i++) {
		void *res;
		pthread_join(t[i], &res);
		cr_assert_null(res, "thread %d failed at step %p", i, res);
	}
}

/* --- a dead or lying gofer ------------------------------------------------ */

Test(gofer_server, client_returns_eio_when_the_gofer_is_killed)
{
	gofer_node_t r = attach(M_RW);
	cr_assert_eq(kill(server, SIGKILL), 0);
	cr_assert_eq(waitpid(server, NULL, 0), server);
	server = -1;
	cr_assert_eq(gofer_stat(cl, r, NULL), -EIO);
	gofer_node_t n;
	cr_assert_eq(gofer_walk(cl, r, "hello", &n, NULL), -EIO);
	cr_assert_eq(gofer_release(cl, r), -EIO);
}

/* What the kernel's gofer watcher does when the gofer dies: every request
 * after the shutdown is EIO at once, even with the gofer still there, and
 * one already open file keeps working (its host fd is ours). */
Test(gofer_server, client_shutdown_makes_every_request_eio)
{
	gofer_node_t r = attach(M_RW), n;
	struct stat st;
	cr_assert_eq(gofer_walk(cl, r, "hello", &n, &st), 0);
	int fd;
	cr_assert_eq(gofer_open(cl, n, O_RDONLY, &fd), 0);
	gofer_client_shutdown(cl);
	cr_assert_eq(gofer_stat(cl, n, NULL), -EIO);
	cr_assert_eq(gofer_walk(cl, r, "hello", &n, NULL), -EIO);
	int fd2 = -1;
	cr_assert_eq(gofer_open(cl, n, O_RDONLY, &fd2), -EIO);
	cr_assert_eq(fd2, -1);
	char c;
	cr_assert_eq(pread(fd, &c, 1, 0), 1);
	close(fd);
}

enum lie { LIE_RANDOM, LIE_TAG, LIE_OP, LIE_FD, LIE_NO_FD, LIE_TWO_FDS, LIE_HANGUP,
	   LIE_ERRNO, LIE_SHORT, LIE_COUNT };

struct liar {
	int sock;
	enum lie how;
};

static void liar_send(int s, const void *msg, size_t len, int nfds)
{
	int p[2];
	char control[CMSG_SPACE(sizeof(int) * 2)];
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		if (pipe2(p, O_CLOEXEC) < 0)
			abort();
		memset(control, 0, sizeof control);
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), p, sizeof(int) * (size_t)nfds);
	}
	sendmsg(s, &mh, MSG_NOSIGNAL);
	if (nfds) {
		close(p[0]);
		close(p[1]);
	}
}

/* Answers one request as told, then hangs up. */
static void *liar(void *arg)
{
	struct liar *l = arg;
	static uint8_t in[GOFER_MSG_MAX], out[GOFER_MSG_MAX];
	ssize_t n = recv(l->sock, in, sizeof in, 0);
	struct gofer_req rq;
	if (n <= 0 || gofer_decode_req(in, (size_t)n, &rq) != 0)
		abort();
	struct gofer_reply rp = { .op = rq.op, .tag = rq.tag };
	rp.stat.mode = S_IFDIR | 0755;
	switch (l->how) {
	case LIE_TAG: rp.tag++; break;
	case LIE_OP: rp.op = GOFER_OP_WALK; break;
	case LIE_ERRNO: rp.error = 0; break;
	default: break;
	}
	int len = gofer_encode_reply(&rp, out, sizeof out);
	if (len < 0)
		abort();
	switch (l->how) {
	case LIE_RANDOM:
		for (int i = 0; i < 40; i++)
			out[i] = (uint8_t)rnd();
		liar_send(l->sock, out, 40, 0);
		break;
	case LIE_FD: case LIE_NO_FD:
		liar_send(l->sock, out, (size_t)len, l->how == LIE_FD);
		break;
	case LIE_TWO_FDS:
		liar_send(l->sock, out, (size_t)len, 2);
		break;
	case LIE_HANGUP:
		break;
	case LIE_ERRNO: {
		uint32_t e = 5000;
		memcpy(out + 12, &e, 4);
		liar_send(l->sock, out, (size_t)len, 0);
		break;
	}
	case LIE_SHORT:
		liar_send(l->sock, out, (size_t)len - 1, 0);
		break;
	default:
		liar_send(l->sock, out, (size_t)len, 0);
		break;
	}
	close(l->sock);
	return NULL;
}

Test(gofer_server, client_returns_eio_when_the_gofer_lies)
{
	int before = count_fds(getpid());
	for (enum lie how = 0; how < LIE_COUNT; how++) {
		int sv[2];
		cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		struct gofer_client *c;
		cr_assert_eq(gofer_client_new(sv[0], &c), 0);
		struct liar l = { sv[1], how };
		pthread_t t;
		cr_assert_eq(pthread_create(&t, NULL, liar, &l), 0);
		int r;
		if (how == LIE_NO_FD || how == LIE_TWO_FDS) {
			int fd = 123;
			r = gofer_open(c, 5, O_RDONLY, &fd);
			cr_assert_eq(fd, -1);
		} else {
			struct stat st;
			r = gofer_stat(c, 5, &st);
		}
		cr_assert_eq(r, -EIO, "lie %d: %d", how, r);
		pthread_join(t, NULL);
		cr_assert_eq(gofer_stat(c, 5, NULL), -EIO, "lie %d: stays broken", how);
		gofer_client_free(c);
	}
	cr_assert_eq(count_fds(getpid()), before, "every fd a liar sent was closed");
}

Test(gofer_server, client_refuses_bad_arguments_without_breaking)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t n;
	struct stat st;
	int fd = -1;
	cr_assert_eq(gofer_open(cl, r, O_RDONLY | O_CREAT, &fd), -EINVAL);
	cr_assert_eq(gofer_create(cl, r, "x", O_RDWR, S_IFDIR | 0755, 0, 0, &n, &st, &fd), -EINVAL);
	cr_assert_eq(gofer_symlink(cl, r, "x", "", 0, 0, &n, &st), -EINVAL);
	cr_assert_eq(gofer_unlink(cl, r, "x", 7), -EINVAL);
	cr_assert_eq(gofer_rename(cl, r, "a", r, "..", 0), -EINVAL);
	struct gofer_setattr a = { .mask = 0x100 };
	cr_assert_eq(gofer_setattr(cl, r, &a, &st), -EINVAL);
	expect_still_serving();
}

Test(gofer_server, sentry_out_of_fds_is_emfile_not_a_broken_gofer)
{
	gofer_node_t r = attach(M_RW);
	gofer_node_t h = walk(r, "hello");
	struct rlimit saved, rl;
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	/* No fd number free below the limit. */
	int top = dup(0);
	cr_assert_geq(top, 0);
	rl = saved;
	rl.rlim_cur = (rlim_t)top + 1;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	int fd = 123;
	int e = gofer_open(cl, h, O_RDONLY, &fd);
	gofer_node_t n;
	struct stat st;
	int e2 = gofer_create(cl, r, "new", O_RDWR, 0600, 0, 0, &n, &st, &fd);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	close(top);
	cr_assert_eq(e, -EMFILE);
	cr_assert_eq(e2, -EMFILE);
	cr_assert_eq(fd, -1);
	cr_assert(!host_exists("rw/new"), "the failed create was taken back");
	cr_assert_eq(gofer_open(cl, h, O_RDONLY, &fd), 0, "the client still works");
	close(fd);
}

/* As the sandbox's gofer is: without CAP_SYS_RESOURCE (nor CAP_SYS_ADMIN),
 * with RLIMIT_NOFILE at *(rlim_t *)arg. */
static bool drop_to_sandbox_limits(void *arg)
{
	rlim_t nofile = *(const rlim_t *)arg;
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { nofile, nofile };
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	d[CAP_SYS_RESOURCE / 32].effective &= ~(1U << (CAP_SYS_RESOURCE % 32));
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d) == 0 && setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static pid_t start_uncapable_server(rlim_t nofile, int *client_end)
{
	return start_server_with(mounts, NMOUNTS, GOFER_MAX_NODES, drop_to_sandbox_limits,
				 &nofile, false, client_end);
}

/* Linux refuses to pass an fd (ETOOMANYREFS) while more fds are in flight on
 * unix sockets than the sender's RLIMIT_NOFILE, counted per user over the
 * host: someone else's doing.  The gofer answers ENFILE (a create taken
 * back) and goes on. */
Test(gofer_server, fds_in_flight_over_the_limit_is_enfile_not_a_dead_gofer)
{
	int s2;
	pid_t pid = start_uncapable_server(64, &s2);
	struct gofer_client *c2;
	cr_assert_eq(gofer_client_new(s2, &c2), 0);
	gofer_node_t r, h, n;
	struct stat st;
	cr_assert_eq(gofer_attach(c2, M_RW, &r, &st), 0);
	cr_assert_eq(gofer_walk(c2, r, "hello", &h, &st), 0);

	/* 200 fds in flight for root (we are exempt: CAP_SYS_RESOURCE). */
	int fl[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fl), 0);
	for (int m = 0; m < 2; m++) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * 100)];
		} control;
		int fds[100];
		for (int i = 0; i < 100; i++)
			fds[i] = fl[0];
		char byte = 0;
		struct iovec iov = { &byte, 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
				     .msg_controllen = sizeof control.buf };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof fds);
		memcpy(CMSG_DATA(cm), fds, sizeof fds);
		cr_assert_eq(sendmsg(fl[0], &mh, 0), 1, "%s", strerror(errno));
	}
	int fd = 123;
	int e = gofer_open(c2, h, O_RDONLY, &fd);
	int e2 = gofer_create(c2, r, "new", O_RDWR, 0600, 0, 0, &n, &st, &fd);
	int e3 = gofer_stat(c2, h, &st);
	close(fl[0]);
	close(fl[1]);
	cr_assert_eq(e, -ENFILE);
	cr_assert_eq(e2, -ENFILE);
	cr_assert_eq(fd, -1);
	cr_assert(!host_exists("rw/new"), "the failed create was taken back");
	cr_assert_eq(e3, 0, "the gofer goes on");
	gofer_client_free(c2);
	expect_server_exit(pid);
}

/* --- gofer_spawn ---------------------------------------------------------- */

Test(gofer_server, spawn)
{
	int s2;
	pid_t pid;
	cr_assert_eq(gofer_spawn(mounts, 2, &s2, &pid), 0);
	cr_assert(fcntl(s2, F_GETFD) & FD_CLOEXEC);
	struct gofer_client *c2;
	cr_assert_eq(gofer_client_new(s2, &c2), 0);
	gofer_node_t r, h;
	struct stat st;
	cr_assert_eq(gofer_attach(c2, M_RO, &r, &st), 0);
	cr_assert_eq(gofer_walk(c2, r, "data", &h, &st), 0);
	int fd;
	cr_assert_eq(gofer_open(c2, h, O_RDONLY, &fd), 0);
	char buf[64];
	read_fd(fd, buf, sizeof buf);
	cr_assert_str_eq(buf, "read only\n");
	close(fd);
	/* The child kept no fd of ours but its socket and stdio. */
	/* The gofer closes its copy of a donated fd just after the reply: one
	 * more round trip makes sure it has. */
	cr_assert_eq(gofer_stat(c2, h, &st), 0);
	/* ".", "..", stdio, the socket, /proc/self/fd, 2 roots, 2 nodes. */
	cr_assert_leq(count_fds(pid), 2 + 3 + 1 + 1 + 2 + 2, "%d fds", count_fds(pid));
	gofer_client_free(c2);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
}
