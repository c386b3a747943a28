/* Guest workloads for tests/e2e/t_faults.sh.
 *
 *   faultprog gofer   opens and maps /data/f, prints "ready", then stats
 *                     /data/f until that fails (the test kills the gofer) and
 *                     prints what the guest sees next: the errno of stat and
 *                     of a new open, and whether the file already open and
 *                     its mapping still read; then waits to be ended.
 *   faultprog hold    4 processes of 4 threads each, files open (in /tmp and
 *                     on /data), a TCP listener on port 8080, "ready"; then
 *                     waits to be killed.
 *   faultprog busy    3 processes of 3 threads each doing syscalls (pipes,
 *                     getpid, stat, short sleeps) and checking their results
 *                     until /data/done exists; prints "workers 9 ok" (or
 *                     what went wrong) and exits 7. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, const char *arg)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, fmt, arg);
	if (write(1, buf, (size_t)n) < 0)
		_exit(99);
}

static int gofer_mode(void)
{
	int fd = open("/data/f", O_RDONLY);
	char *map = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (fd < 0 || map == MAP_FAILED) {
		say("setup failed: %s\n", strerror(errno));
		return 1;
	}
	say("%s", "ready\n");
	struct stat st;
	while (stat("/data/f", &st) == 0)
		;
	say("stat: %s\n", strerrorname_np(errno));
	int fd2 = open("/data/f", O_RDONLY);
	say("open: %s\n", fd2 < 0 ? strerrorname_np(errno) : "opened");
	char buf[64] = { 0 };
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	say("read of the open file: %s\n", n > 0 ? buf : strerrorname_np(errno));
	say("its mapping: %.3s\n", map);
	for (;;)
		pause();
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void hold_process(int i)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/held-%d", i);
	int a = open(path, O_CREAT | O_RDWR, 0600);
	snprintf(path, sizeof path, "/data/held-%d", i);
	int b = open(path, O_CREAT | O_RDWR, 0600);
	if (a < 0 || b < 0 || write(b, "x", 1) != 1)
		_exit(3);
	pthread_t th;
	for (int t = 0; t < 3; t++)
		pthread_create(&th, NULL, sleeper, NULL);
}

static int hold_mode(void)
{
	for (int i = 1; i < 4; i++) {
		pid_t p = fork();
		if (p == 0) {
			hold_process(i);
			sleeper(NULL);
		}
	}
	hold_process(0);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(8080) };
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 8) < 0) {
		say("listen: %s\n", strerror(errno));
		return 1;
	}
	say("%s", "ready\n");
	sleeper(NULL);
	return 0;
}

/* One worker thread: returns NULL if every result was right. */
static void *worker(void *arg)
{
	pid_t me = getpid();
	int p[2];
	if (pipe(p) < 0)
		return "pipe";
	struct stat st;
	unsigned long i = 0;
	while (stat("/data/done", &st) < 0) {
		if (errno != ENOENT)
			return "stat";
		if (getpid() != me)
			return "getpid";
		char out[16], in[16] = { 0 };
		int n = snprintf(out, sizeof out, "%lu", i++);
		if (write(p[1], out, (size_t)n) != n || read(p[0], in, sizeof in) != n ||
		    memcmp(in, out, (size_t)n) != 0)
			return "pipe round trip";
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	(void)arg;
	return NULL;
}

static int busy_process(void)
{
	pthread_t th[3];
	for (int t = 0; t < 3; t++)
		pthread_create(&th[t], NULL, worker, NULL);
	int bad = 0;
	for (int t = 0; t < 3; t++) {
		void *r;
		pthread_join(th[t], &r);
		if (r) {
			say("worker failed: %s\n", r);
			bad = 1;
		}
	}
	return bad;
}

static int busy_mode(void)
{
	pid_t kids[2];
	for (int i = 0; i < 2; i++)
		if ((kids[i] = fork()) == 0)
			_exit(busy_process());
	say("%s", "started\n");
	int bad = busy_process();
	for (int i = 0; i < 2; i++) {
		int st;
		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	}
	say("%s", bad ? "workers failed\n" : "workers 9 ok\n");
	return 7;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "gofer") == 0)
		return gofer_mode();
	if (argc == 2 && strcmp(argv[1], "hold") == 0)
		return hold_mode();
	if (argc == 2 && strcmp(argv[1], "busy") == 0)
		return busy_mode();
	say("%s", "usage: faultprog gofer|hold|busy\n");
	return 2;
}
