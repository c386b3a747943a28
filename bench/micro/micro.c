/* Microbenchmarks of the syscalls a sandbox makes expensive.
 *
 *   micro [-t MS] [-r HOSTFILE] [-d TMPDIR] [NAME...]
 *
 * Prints one line per figure, `name value unit`: the time of one operation
 * in microseconds (ns precision), or MB/s (10^6 bytes a second) for the
 * sequential reads.  Each figure is calibrated so that its measured batch
 * takes about MS milliseconds (default 300): a sandbox that is 100x slower
 * than native still finishes a figure in about a second.  NAMEs select
 * figures (default: all).  -r names a 64 MiB file that already exists on the
 * root file system (in a sandbox: served by the gofer); without it that
 * figure and pread_4k use the file made under TMPDIR (default /tmp).
 *
 * Built static (-static-pie), so that it runs the same natively and in any
 * sandbox whose root is the host's /, and so that no dynamic loader work
 * shows up in the process figures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE  (64L << 20)
#define READ_CHUNK (128L << 10)    /* what cat and cp use per read */
#define IO_SIZE    4096

extern char **environ;

static double target_s = 0.3;

static _Noreturn void fail(const char *what)
{
	fprintf(stderr, "micro: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One benchmark: run(n, ctx) performs n operations. */
typedef void (*run_fn)(long n, void *ctx);

static double timed(run_fn run, void *ctx, long n)
{
	double t0 = now();
	run(n, ctx);
	return now() - t0;
}

/* Seconds per operation.  Grow the batch until it takes an eighth of the
 * target (so that timer resolution and one-off costs are noise), then run
 * one batch sized to the target from that estimate. */
static double measure(run_fn run, void *ctx)
{
	run(1, ctx);   /* warm up: first-touch faults, dentry caches */
	long n = 1;
	double t;
	for (;;) {
		t = timed(run, ctx, n);
		if (t >= target_s / 8)
			break;
		n *= t < target_s / 1000 ? 16 : 2;
	}
	long final = (long)(target_s / (t / (double)n));
	if (final < 1)
		final = 1;
	return timed(run, ctx, final) / (double)final;
}

static void report_us(const char *name, double s)
{
	printf("%s %.3f us\n", name, s * 1e6);
	fflush(stdout);
}

static void report_mbs(const char *name, double bytes, double s)
{
	printf("%s %.1f MB/s\n", name, bytes / s / 1e6);
	fflush(stdout);
}

/* --- plain syscalls ---------------------------------------------------------------- */

static void run_getpid(long n, void *ctx)
{
	/* glibc's getpid(): not cached since glibc 2.25, it is the plain
	 * `mov $39, %eax; syscall` that programs' syscall wrappers are, and
	 * that systrap can patch (syscall(SYS_getpid) takes the number from a
	 * register and never can). */
	for (long i = 0; i < n; i++)
		(void)getpid();
}

static void run_clock_gettime(long n, void *ctx)
{
	struct timespec ts;
	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
}

static void run_open_close(long n, void *ctx)
{
	const char *path = ctx;
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			fail(path);
		close(fd);
	}
}

static void run_stat(long n, void *ctx)
{
	const char *path = ctx;
	struct stat st;
	for (long i = 0; i < n; i++)
		if (stat(path, &st) < 0)
			fail(path);
}

struct io_ctx {
	int fd;
	char buf[IO_SIZE];
};

static void run_pread(long n, void *ctx)
{
	struct io_ctx *io = ctx;
	for (long i = 0; i < n; i++)
		if (pread(io->fd, io->buf, IO_SIZE, 0) != IO_SIZE)
			fail("pread");
}

static void run_write(long n, void *ctx)
{
	struct io_ctx *io = ctx;
	for (long i = 0; i < n; i++)
		if (write(io->fd, io->buf, IO_SIZE) != IO_SIZE)
			fail("write");
}

static void run_mmap(long n, void *ctx)
{
	const size_t len = 64 << 10;
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		for (size_t off = 0; off < len; off += 4096)
			p[off] = 1;
		munmap(p, len);
	}
}

/* --- sequential reads ------------------------------------------------------------ */

struct seq_ctx {
	int fd;
	char *buf;
};

/* One operation is one READ_CHUNK read; at the end of the file, start over. */
static void run_seqread(long n, void *ctx)
{
	struct seq_ctx *s = ctx;
	for (long i = 0; i < n; i++) {
		ssize_t r = read(s->fd, s->buf, READ_CHUNK);
		if (r == 0) {
			if (lseek(s->fd, 0, SEEK_SET) < 0)
				fail("lseek");
			r = read(s->fd, s->buf, READ_CHUNK);
		}
		if (r <= 0)
			fail("read");
	}
}

/* Writes FILE_SIZE bytes of a pattern to path (untimed set-up). */
static void make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail(path);
	char *buf = malloc(1 << 20);
	if (!buf)
		fail("malloc");
	for (int i = 0; i < 1 << 20; i++)
		buf[i] = (char)(i * 131);
	for (long done = 0; done < FILE_SIZE; done += 1 << 20)
		if (write(fd, buf, 1 << 20) != 1 << 20)
			fail("write test file");
	free(buf);
	close(fd);
}

static void bench_seqread(const char *name, const char *path)
{
	struct seq_ctx s = { open(path, O_RDONLY), malloc(READ_CHUNK) };
	if (s.fd < 0 || !s.buf)
		fail(path);
	report_mbs(name, READ_CHUNK, measure(run_seqread, &s));
	close(s.fd);
	free(s.buf);
}

/* --- processes --------------------------------------------------------------------- */

static void reap(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "micro: child failed (status %#x)\n", status);
		exit(1);
	}
}

static void run_fork(long n, void *ctx)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			fail("fork");
		if (pid == 0)
			_exit(0);
		reap(pid);
	}
}

static void run_fork_exec(long n, void *ctx)
{
	char *argv[] = { "/bin/true", NULL };
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			fail("fork");
		if (pid == 0) {
			execve(argv[0], argv, environ);
			_exit(127);
		}
		reap(pid);
	}
}

struct pipe_ctx {
	int to_child, from_child;
};

/* One operation: a byte to the child and back. */
static void run_pipe(long n, void *ctx)
{
	struct pipe_ctx *p = ctx;
	char c = 'x';
	for (long i = 0; i < n; i++)
		if (write(p->to_child, &c, 1) != 1 || read(p->from_child, &c, 1) != 1)
			fail("pipe ping-pong");
}

static void bench_pipe(void)
{
	int a[2], b[2];
	if (pipe(a) < 0 || pipe(b) < 0)
		fail("pipe");
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		char c;
		while (read(a[0], &c, 1) == 1)
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	struct pipe_ctx p = { a[1], b[0] };
	report_us("pipe_pingpong", measure(run_pipe, &p));
	close(a[1]);    /* EOF ends the child */
	reap(pid);
	close(b[0]);
}

/* --- threads ------------------------------------------------------------------------ */

static void *thread_nop(void *arg)
{
	return arg;
}

static void run_thread(long n, void *ctx)
{
	for (long i = 0; i < n; i++) {
		pthread_t th;
		if ((errno = pthread_create(&th, NULL, thread_nop, NULL)) != 0)
			fail("pthread_create");
		pthread_join(th, NULL);
	}
}

/* The word the two threads hand back and forth: 1 = the partner's turn,
 * 0 = the main thread's, 2 = stop.  No spinning: every hand-over is a
 * FUTEX_WAKE and, unless the partner is quicker, a FUTEX_WAIT. */
static _Atomic int turn;

static void futex_wait(int expected)
{
	syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(void)
{
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *futex_partner(void *arg)
{
	for (;;) {
		int v;
		while ((v = atomic_load(&turn)) == 0)
			futex_wait(0);
		if (v == 2)
			return arg;
		atomic_store(&turn, 0);
		futex_wake();
	}
}

static void run_futex(long n, void *ctx)
{
	for (long i = 0; i < n; i++) {
		atomic_store(&turn, 1);
		futex_wake();
		while (atomic_load(&turn) == 1)
			futex_wait(1);
	}
}

static void bench_futex(void)
{
	pthread_t th;
	if ((errno = pthread_create(&th, NULL, futex_partner, NULL)) != 0)
		fail("pthread_create");
	report_us("futex_pingpong", measure(run_futex, NULL));
	atomic_store(&turn, 2);
	futex_wake();
	pthread_join(th, NULL);
}

/* --- driver -------------------------------------------------------------------------- */

static char tmp_file[4096];   /* made by this run, removed however it ends */

static void remove_tmp_file(void)
{
	unlink(tmp_file);
}

struct opts {
	const char *rootfs_file;   /* -r: a 64 MiB file the gofer serves */
	const char *tmp_file;
	char **names;
	int nnames;
};

static int wanted(const struct opts *o, const char *name)
{
	if (o->nnames == 0)
		return 1;
	for (int i = 0; i < o->nnames; i++)
		if (strcmp(o->names[i], name) == 0)
			return 1;
	return 0;
}

static void bench_io(const struct opts *o)
{
	static struct io_ctx io;
	const char *src = o->rootfs_file ? o->rootfs_file : o->tmp_file;
	if (wanted(o, "pread_4k")) {
		if ((io.fd = open(src, O_RDONLY)) < 0)
			fail(src);
		report_us("pread_4k", measure(run_pread, &io));
		close(io.fd);
	}
	if (wanted(o, "write_devnull_4k")) {
		if ((io.fd = open("/dev/null", O_WRONLY)) < 0)
			fail("/dev/null");
		report_us("write_devnull_4k", measure(run_write, &io));
		close(io.fd);
	}
}

static void run_all(const struct opts *o)
{
	if (wanted(o, "getpid"))
		report_us("getpid", measure(run_getpid, NULL));
	if (wanted(o, "clock_gettime"))
		report_us("clock_gettime", measure(run_clock_gettime, NULL));
	if (wanted(o, "open_close"))
		report_us("open_close", measure(run_open_close, "/etc/passwd"));
	if (wanted(o, "stat"))
		report_us("stat", measure(run_stat, "/etc/passwd"));
	bench_io(o);
	if (wanted(o, "mmap_touch_munmap_64k"))
		report_us("mmap_touch_munmap_64k", measure(run_mmap, NULL));
	if (wanted(o, "seqread_tmp_64m"))
		bench_seqread("seqread_tmp_64m", o->tmp_file);
	if (wanted(o, "seqread_rootfs_64m") && o->rootfs_file)
		bench_seqread("seqread_rootfs_64m", o->rootfs_file);
	if (wanted(o, "pipe_pingpong"))
		bench_pipe();
	if (wanted(o, "fork_exit_wait"))
		report_us("fork_exit_wait", measure(run_fork, NULL));
	if (wanted(o, "fork_exec_wait"))
		report_us("fork_exec_wait", measure(run_fork_exec, NULL));
	if (wanted(o, "thread_create_join"))
		report_us("thread_create_join", measure(run_thread, NULL));
	if (wanted(o, "futex_pingpong"))
		bench_futex();
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *tmpdir = "/tmp";
	int ch;
	while ((ch = getopt(argc, argv, "t:r:d:")) != -1) {
		switch (ch) {
		case 't':
			target_s = atof(optarg) / 1000;
			break;
		case 'r':
			o.rootfs_file = optarg;
			break;
		case 'd':
			tmpdir = optarg;
			break;
		default:
			fprintf(stderr, "usage: micro [-t MS] [-r HOSTFILE] [-d TMPDIR] [NAME...]\n");
			return 2;
		}
	}
	if (target_s <= 0)
		target_s = 0.3;
	o.names = argv + optind;
	o.nnames = argc - optind;
	snprintf(tmp_file, sizeof tmp_file, "%s/micro-bench.%d", tmpdir, (int)getpid());
	o.tmp_file = tmp_file;
	if (wanted(&o, "seqread_tmp_64m") || (!o.rootfs_file && wanted(&o, "pread_4k"))) {
		atexit(remove_tmp_file);   /* fail() exits too */
		make_file(tmp_file);
	}
	run_all(&o);
	return 0;
}
