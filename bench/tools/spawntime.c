/* Wall time of whole runs of a command, for the start-up and exit figures.
 *
 *   spawntime [-n RUNS] [-w WARMUP] -- CMD [ARG...]
 *
 * Runs CMD RUNS times (after WARMUP untimed runs) with stdin and stdout on
 * /dev/null and prints, as `name value unit` lines:
 *
 *   return_ms    median time from fork until CMD itself has exited
 *   all_gone_ms  median time from fork until every process CMD started has
 *                exited too (a runtime may return before its sandbox is gone)
 *   max_rss_kib  the largest peak RSS of any process of the runs
 *
 * This program is a child subreaper, so every descendant that outlives its
 * parent is reparented here and reaped with wait4(), which gives its peak
 * RSS (ru_maxrss) and the moment the last one is gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000
#define STRAGGLER_TIMEOUT_S 20

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_alarm(int sig)
{
	(void)sig;   /* only there to interrupt wait4 */
}

struct run {
	double ret, gone;
	long max_rss;
	int status;
};

static pid_t start(char **argv)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	execvp(argv[0], argv);
	fprintf(stderr, "spawntime: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Reaps CMD and every process reparented to us until none is left, or
 * until STRAGGLER_TIMEOUT_S seconds have passed (a daemon left behind). */
static struct run one_run(char **argv)
{
	struct run r = { 0 };
	double t0 = now();
	pid_t pid = start(argv);
	if (pid < 0) {
		perror("spawntime: fork");
		exit(1);
	}
	alarm(STRAGGLER_TIMEOUT_S);
	for (;;) {
		int status;
		struct rusage ru;
		pid_t p = wait4(-1, &status, __WALL, &ru);
		if (p < 0) {
			if (errno == EINTR)
				fprintf(stderr, "spawntime: processes left after %d s\n",
					STRAGGLER_TIMEOUT_S);
			break;
		}
		if (ru.ru_maxrss > r.max_rss)
			r.max_rss = ru.ru_maxrss;
		if (p == pid) {
			r.ret = now() - t0;
			r.status = status;
		}
	}
	alarm(0);
	r.gone = now() - t0;
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	int runs = 10, warmup = 1, ch;
	while ((ch = getopt(argc, argv, "+n:w:")) != -1) {
		if (ch == 'n')
			runs = atoi(optarg);
		else if (ch == 'w')
			warmup = atoi(optarg);
		else
			goto usage;
	}
	if (optind >= argc || runs < 1 || runs > MAX_RUNS || warmup < 0)
		goto usage;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		perror("spawntime: PR_SET_CHILD_SUBREAPER");
	struct sigaction sa = { .sa_handler = on_alarm };   /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);

	static double ret[MAX_RUNS], gone[MAX_RUNS];
	long max_rss = 0;
	for (int i = -warmup; i < runs; i++) {
		struct run r = one_run(argv + optind);
		if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
			fprintf(stderr, "spawntime: %s failed (status %#x)\n", argv[optind], r.status);
			return 1;
		}
		if (i < 0)
			continue;
		ret[i] = r.ret;
		gone[i] = r.gone;
		if (r.max_rss > max_rss)
			max_rss = r.max_rss;
	}
	printf("return_ms %.3f ms\n", median(ret, runs) * 1e3);
	printf("all_gone_ms %.3f ms\n", median(gone, runs) * 1e3);
	printf("max_rss_kib %ld KiB\n", max_rss);
	return 0;

usage:
	fprintf(stderr, "usage: spawntime [-n RUNS] [-w WARMUP] -- CMD [ARG...]\n");
	return 2;
}
