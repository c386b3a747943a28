/* A syscall fuzzer for the sentry (tests/fuzz/README.md, "syscall").
 *
 *   sysfuzz SECONDS SEED [PROCS [THREADS]]
 *
 * Runs as the sandbox's first process (pid 1: signals from its workers are
 * dropped, as for any pid-namespace init).  It forks PROCS worker processes
 * of THREADS threads each; every thread issues random syscalls (numbers
 * 0..460 and invalid ones) with arguments drawn from structured pools,
 * chosen by the argument's kind in the sentry's own syscall table
 * (sentry/syscalls/table.c) three times in four, else at random:
 * fds the worker opened, pointers into its own buffers (valid, unmapped,
 * read-only), the stub region, kernel and non-canonical addresses, small,
 * large and negative integers, flag combinations, paths inside the sandbox
 * (hostile ones too: "..", long, the host canary's path as the sandbox
 * sees it), sizes at page boundaries.  A worker that dies is forked again,
 * and every worker is replaced after a few seconds (random syscalls block,
 * exec, or wreck their own address space).  At the end it stops the
 * workers, runs a probe process (fork, file and pipe I/O, wait) and prints
 *
 *   sysfuzz: seed S, N syscalls, W workers (D died), probe ok
 *
 * and exits 0 (1 if the probe failed).  Workers with an even index run as
 * root, the others as uid 65534 without capabilities; a root worker never
 * aims a pid-taking syscall at pid 1 (process_vm_writev into the
 * supervisor would be a test failure of our own making), and exit,
 * exit_group and kill(-1/0, SIGKILL) are drawn rarely.  The seed is
 * printed first, so a failing run is repeated with the same SEED (threads
 * interleave differently, so only statistically). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The sentry's syscall table (name and argument kinds of every number),
 * linked in from sentry/syscalls/table.c: the handlers it names are weak
 * and stay NULL here. */
#include "sentry/syscalls/strace.h"

#define MAX_PROCS 32
#define MAX_THREADS 16
#define NR_MAX 460
#define WORKER_LIFETIME_NS (3 * 1000000000LL)
#define BUF_SIZE (64 * 4096)
#define POOL_FDS 24

/* Shared with the workers (MAP_SHARED before the forks). */
struct shared {
	_Atomic uint64_t calls[MAX_PROCS];
	_Atomic long last_nr[MAX_PROCS];   /* for SYSFUZZ_DEBUG's reports */
	_Atomic long last_fault[MAX_PROCS];
};
static int my_index;

static struct shared *sh;
static const char *self_path = "/proc/self/exe";
static const char *canary_path = "/canary";

/* --- randomness (xorshift64*, per thread) ------------------------------------ */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

/* --- what a worker thread draws from ------------------------------------------ */

struct pools {
	int fds[POOL_FDS];
	char *buf;        /* BUF_SIZE, read-write */
	char *ro;         /* 2 pages, read-only */
	char *hole;       /* a page, unmapped */
	char paths[16][300];
};

static void open_fds(struct pools *p)
{
	int n = 0, sv[2], pf[2];
	p->fds[n++] = open("/tmp/fuzzfile", O_RDWR | O_CREAT, 0644);
	p->fds[n++] = open("/dev/null", O_RDWR);
	p->fds[n++] = open("/", O_RDONLY | O_DIRECTORY);
	p->fds[n++] = open("/proc/self/maps", O_RDONLY);
	p->fds[n++] = open("/scratch", O_RDONLY | O_DIRECTORY);
	p->fds[n++] = open("/scratch/file", O_RDWR | O_CREAT, 0644);
	p->fds[n++] = open(canary_path, O_RDONLY | O_DIRECTORY);
	if (pipe2(pf, O_NONBLOCK) == 0) {
		p->fds[n++] = pf[0];
		p->fds[n++] = pf[1];
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0) {
		p->fds[n++] = sv[0];
		p->fds[n++] = sv[1];
	}
	p->fds[n++] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	p->fds[n++] = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	p->fds[n++] = socket(AF_NETLINK, SOCK_RAW, 0);
	p->fds[n++] = eventfd(1, EFD_NONBLOCK);
	p->fds[n++] = epoll_create1(0);
	p->fds[n++] = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	sigset_t ss;
	sigfillset(&ss);
	p->fds[n++] = signalfd(-1, &ss, SFD_NONBLOCK);
	p->fds[n++] = inotify_init1(IN_NONBLOCK);
	p->fds[n++] = (int)syscall(SYS_memfd_create, "fuzz", 0);
	p->fds[n++] = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK);
	while (n < POOL_FDS)
		p->fds[n++] = -1;
}

static void make_paths(struct pools *p, int index)
{
	static const char *fixed[] = {
		"/tmp/fuzzfile", "/tmp", "/scratch/file", "/scratch/d", "/scratch/../..",
		"/proc/self/fd/0", "/proc/self/mem", "/dev/ptmx", "/etc/passwd", "/..", "",
		"/scratch/l", "/sys/fs/cgroup", "/dev/shm/x",
	};
	size_t nf = sizeof fixed / sizeof fixed[0];
	for (size_t i = 0; i < nf && i < 14; i++)
		snprintf(p->paths[i], sizeof p->paths[i], "%s", fixed[i]);
	snprintf(p->paths[14], sizeof p->paths[14], "%s/f%d", canary_path, index);
	memset(p->paths[15], 'a', sizeof p->paths[15] - 1);   /* longer than NAME_MAX */
	p->paths[15][sizeof p->paths[15] - 1] = '\0';
}

static void make_pools(struct pools *p, int index)
{
	p->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p->ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p->hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->buf == MAP_FAILED || p->ro == MAP_FAILED || p->hole == MAP_FAILED)
		_exit(3);
	munmap(p->hole, 4096);
	make_paths(p, index);
	open_fds(p);
}

static uint64_t an_fd(uint64_t *s, const struct pools *p)
{
	switch (below(s, 8)) {
	case 0: return below(s, 3);                 /* stdio (/dev/null here) */
	case 1: return below(s, 1100);              /* any number */
	case 2: return (uint64_t)(int64_t)-1 - below(s, 120); /* AT_FDCWD and friends */
	default: return (uint64_t)(int64_t)p->fds[below(s, POOL_FDS)];
	}
}

static uint64_t a_pointer(uint64_t *s, struct pools *p)
{
	uint64_t off = below(s, 8) == 0 ? BUF_SIZE - below(s, 64) : below(s, BUF_SIZE);
	switch (below(s, 16)) {
	case 0: return 0;
	case 1: return (uint64_t)p->ro + below(s, 8192);
	case 2: return (uint64_t)p->hole + below(s, 4096);
	case 3: return 0x7e0000000000ULL + below(s, 1ULL << 30);   /* the stub region */
	case 4: return 0xffffffff81000000ULL + below(s, 1 << 20);  /* kernel */
	case 5: return 0x0000800000000000ULL - below(s, 8192);     /* top of user space */
	case 6: return 0x8000000000000000ULL | rnd(s);             /* non-canonical */
	case 7: {                                               /* a path */
		char *b = p->buf + BUF_SIZE - 400;
		memcpy(b, p->paths[below(s, 16)], 300);
		return (uint64_t)b;
	}
	default: return (uint64_t)p->buf + off;
	}
}

static uint64_t an_int(uint64_t *s)
{
	switch (below(s, 12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (uint64_t)-1;
	case 3: return below(s, 4096) ? 4096 * below(s, 16) : 4095;
	case 4: return 1ULL << below(s, 64);
	case 5: return (uint64_t)(int64_t)(int32_t)rnd(s);
	case 6: return 0x7fffffffULL + below(s, 3) - 1;
	case 7: return 0xffffffffULL + below(s, 3) - 1;
	case 8: return rnd(s);
	case 9: return rnd(s) & rnd(s) & 0xffffffffULL;   /* flag combinations */
	default: return below(s, 64);
	}
}

/* The last 16 KiB of the buffer hold the structures made below. */
#define STRUCT_AREA (BUF_SIZE - 16384)

static uint64_t a_size(uint64_t *s)
{
	static const uint64_t sizes[] = { 0, 1, 2, 7, 8, 16, 64, 128, 4095, 4096, 4097,
					  65535, 65536, BUF_SIZE, BUF_SIZE + 1, 1 << 30,
					  0x7fffffff, 0xffffffff, (uint64_t)-1, (uint64_t)-4096 };
	return below(s, 4) == 0 ? below(s, 300) : sizes[below(s, sizeof sizes / sizeof sizes[0])];
}

/* A pointer to a struct in the buffer whose words are plausible: small
 * numbers, pointers into the buffer, fds. */
static uint64_t a_struct(uint64_t *s, struct pools *p, int words)
{
	uint64_t *w = (uint64_t *)(p->buf + STRUCT_AREA + below(s, 8) * 1024);
	for (int i = 0; i < words; i++)
		w[i] = below(s, 3) == 0 ? (uint64_t)p->buf + below(s, STRUCT_AREA)
					 : below(s, 2) ? below(s, 1000) : an_int(s);
	return (uint64_t)w;
}

/* An iovec array into the buffer (sometimes with a bad entry). */
static uint64_t an_iovec(uint64_t *s, struct pools *p)
{
	struct iovec *v = (struct iovec *)(p->buf + STRUCT_AREA + 8192 + below(s, 4) * 1024);
	for (int i = 0; i < 8; i++) {
		v[i].iov_base = below(s, 8) ? p->buf + below(s, STRUCT_AREA - 4096)
					 : (void *)a_pointer(s, p);
		v[i].iov_len = below(s, 8) ? below(s, 4096) : a_size(s);
	}
	return (uint64_t)v;
}

/* A NULL-terminated array of paths (argv, envp). */
static uint64_t a_strv(uint64_t *s, struct pools *p)
{
	char **v = (char **)(p->buf + STRUCT_AREA + 12288);
	int n = (int)below(s, 6);
	for (int i = 0; i < n; i++)
		v[i] = p->paths[below(s, 16)];
	v[n] = below(s, 8) ? NULL : (char *)a_pointer(s, p);
	return (uint64_t)v;
}

/* An argument of the given kind (enum sysarg, ARGX_*). */
static uint64_t typed_arg(uint64_t *s, struct pools *p, unsigned kind)
{
	switch (kind) {
	case ARG_FD: return an_fd(s, p);
	case ARG_PATH: return (uint64_t)p->paths[below(s, 16)];
	case ARG_SIZE: return a_size(s);
	case ARG_OFF: return below(s, 2) ? below(s, 70000) : an_int(s);
	case ARG_SIGNUM: return below(s, 67);
	case ARG_IOV_IN: case ARG_IOV_OUT: return an_iovec(s, p);
	case ARG_STRV: case ARGX_ENVP: return a_strv(s, p);
	case ARG_INT: case ARG_UINT: return below(s, 2) ? below(s, 16) : an_int(s);
	case ARG_PTR: case ARG_STR_IN: case ARG_STR_OUT: case ARG_STAT_OUT:
	case ARG_STATFS_OUT: case ARG_INT_PTR_OUT: case ARG_UNAME_OUT: case ARGX_PATH_OUT:
	case ARGX_SIGSET_OUT: case ARGX_SIGACTION_OUT: case ARGX_TIMESPEC_OUT:
	case ARGX_WAIT_STATUS: case ARGX_RLIMIT_OUT: case ARGX_STATX_OUT:
		return below(s, 4) ? (uint64_t)p->buf + below(s, STRUCT_AREA) : a_pointer(s, p);
	case ARG_SIGSET: case ARG_SIGACTION: case ARG_TIMESPEC: case ARG_POLLFD:
	case ARG_SOCKADDR: case ARGX_RLIMIT: case ARGX_CLONE3_ARGS: case ARGX_OPEN_HOW:
	case ARG_HEX:
		return below(s, 4) ? a_struct(s, p, 16) : a_pointer(s, p);
	default:   /* flags, modes, commands: combinations and small values */
		return below(s, 2) ? below(s, 64) : an_int(s);
	}
}

static uint64_t an_arg(uint64_t *s, struct pools *p)
{
	switch (below(s, 4)) {
	case 0: return an_fd(s, p);
	case 1: return a_pointer(s, p);
	default: return an_int(s);
	}
}

/* Syscalls whose first argument is a pid (second for ptrace, setpriority,
 * ioprio_set...): a root worker never points them at pid 1. */
static int pid_arg(long nr)
{
	switch (nr) {
	case SYS_kill: case SYS_process_vm_readv: case SYS_process_vm_writev:
	case SYS_prlimit64: case SYS_pidfd_open: case SYS_sched_setaffinity:
	case SYS_sched_setparam: case SYS_sched_setscheduler: case SYS_sched_setattr:
	case SYS_setpgid: case SYS_migrate_pages: case SYS_move_pages: case SYS_kcmp:
	case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
	case SYS_get_robust_list: case SYS_capset:
		return 0;
	case SYS_ptrace: case SYS_setpriority: case SYS_ioprio_set:
		return 1;
	default:
		return -1;
	}
}

/* --- a worker ----------------------------------------------------------------------- */

struct thread_arg {
	int index;
	uint64_t seed;
	bool root;
};

/* Calls that mostly just kill the worker (its own code, stack, TLS or
 * signal frame gone) are kept, but rarely as drawn: mostly they are aimed
 * at the worker's fuzz buffer, or replaced.  Workers then live long enough
 * to make calls that reach deeper. */
static void tame(uint64_t *s, struct pools *p, long *nr, uint64_t a[6])
{
	if (below(s, 50) == 0)
		return;
	switch (*nr) {
	case SYS_rt_sigreturn: case SYS_arch_prctl: case SYS_brk: case SYS_execve:
	case SYS_execveat: case SYS_sigaltstack: case SYS_set_robust_list: case SYS_rt_sigaction:
	case 335: case 336:   /* uretprobe, uprobe: the host's SIGILL (seccomp lets them by) */
		*nr = SYS_getppid;
		break;
	case SYS_munmap: case SYS_mprotect: case SYS_mremap: case SYS_madvise:
	case SYS_mlock: case SYS_munlock: case SYS_mbind: case SYS_remap_file_pages:
	case SYS_pkey_mprotect: case SYS_process_madvise:
	case SYS_shmdt: case SYS_shmat: case SYS_mmap: case SYS_userfaultfd: {
		uint64_t off = below(s, BUF_SIZE / 4096) * 4096;
		a[0] = *nr == SYS_mmap && below(s, 2) ? 0 : (uint64_t)p->buf + off;
		if (*nr != SYS_shmat && *nr != SYS_shmdt && *nr != SYS_process_madvise)
			a[1] = below(s, BUF_SIZE - off + 1);
		if (*nr == SYS_mmap && (a[3] & MAP_FIXED_NOREPLACE) == 0)
			a[3] &= ~(uint64_t)MAP_FIXED;
		break;
	}
	default:
		break;
	}
}

static long one_call(uint64_t *s, struct pools *p, bool root)
{
	long nr;
	uint64_t r = below(s, 1000);
	if (r == 0)
		nr = below(s, 2) ? SYS_exit : SYS_exit_group;   /* rarely */
	else if (r < 8)
		nr = (long)(NR_MAX + 1 + below(s, 1000));        /* invalid */
	else if (r < 12)
		nr = (long)(0x40000000 + below(s, 512));         /* x32 numbers */
	else {
		nr = (long)below(s, NR_MAX + 1);
		if (nr == SYS_exit || nr == SYS_exit_group)
			nr = SYS_getpid;
	}
	uint64_t a[6];
	const struct syscall_desc *d = nr >= 0 && nr < SYSCALL_TABLE_SIZE ? &syscall_table[nr] : NULL;
	bool typed = d && d->name && below(s, 4) != 0;
	for (int i = 0; i < 6; i++)
		a[i] = typed && i < d->nargs ? typed_arg(s, p, d->args[i]) : an_arg(s, p);
	tame(s, p, &nr, a);
	int pa = pid_arg(nr);
	if (pa >= 0 && root && (int64_t)a[pa] == 1)
		a[pa] = 0;
	/* kill(-1 or 0, SIGKILL) ends every worker at once: rarely. */
	if (nr == SYS_kill && (int64_t)a[0] <= 0 && a[1] == SIGKILL && below(s, 50))
		a[1] = 0;
	atomic_store_explicit(&sh->last_nr[my_index], nr, memory_order_relaxed);
	long ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	/* A child of fork/clone/vfork goes no further (its stack may be
	 * anything); the parent goes on. */
	if (ret == 0 && (nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone ||
			 nr == SYS_clone3))
		syscall(SYS_exit, 0);
	return ret;
}

/* Every catchable signal: a signal sent by the fuzzing (kill, tgkill,
 * queued, a timer) is caught and ignored, which also interrupts a blocking
 * call (the per-thread tick); a real fault ends the worker, as it would
 * with no handler (returning would fault again forever). */
static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (si->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
				sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS)) {
		atomic_store(&sh->last_fault[my_index], atomic_load(&sh->last_nr[my_index]));
		syscall(SYS_exit_group, 128 + sig);
	}
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
}

/* A per-thread timer that interrupts blocking syscalls every 5 ms, and
 * SIGALRM unblocked.  Done again now and then: the fuzzing may have
 * deleted or disarmed the timer, or blocked the signal. */
static void arm_tick(timer_t *t, bool have)
{
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	struct itimerspec it = { { 0, 5000000 }, { 0, 5000000 } };
	if (have && timer_settime(*t, 0, &it, NULL) == 0)
		return;
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, t) == 0)
		timer_settime(*t, 0, &it, NULL);
}

static void *fuzz_thread(void *arg)
{
	struct thread_arg *ta = arg;
	uint64_t s = ta->seed | 1;
	struct pools p;
	make_pools(&p, ta->index);
	timer_t tick;
	arm_tick(&tick, false);
	_Atomic uint64_t *count = &sh->calls[ta->index];
	for (unsigned long i = 1;; i++) {
		one_call(&s, &p, ta->root);
		atomic_fetch_add_explicit(count, 1, memory_order_relaxed);
		if (i % 64 == 0)
			arm_tick(&tick, true);
		if (i % 512 == 0) {   /* closed and replaced fds come back */
			for (int k = 0; k < POOL_FDS; k++)
				if (p.fds[k] > 2)
					close(p.fds[k]);
			open_fds(&p);
		}
	}
	return NULL;
}

static void drop_root(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	if (setresgid(65534, 65534, 65534) < 0 || setgroups(0, NULL) < 0 ||
	    setresuid(65534, 65534, 65534) < 0 || syscall(SYS_capset, &h, d) < 0)
		_exit(4);
}

static _Noreturn void worker(int index, int threads, uint64_t seed)
{
	/* Random writes to stdio go nowhere; the supervisor's fds are not ours. */
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close_range(3, ~0u, 0);
	my_index = index;
	catch_signals();
	setpgid(0, 0);   /* kill(0, ...) is this worker's own group */
	bool root = index % 2 == 0;
	if (!root)
		drop_root();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	static struct thread_arg ta[MAX_THREADS];
	for (int t = 0; t < threads; t++) {
		ta[t] = (struct thread_arg){ index, seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(t + 1)),
					     root };
		pthread_t th;
		if (t > 0)
			pthread_create(&th, NULL, fuzz_thread, &ta[t]);
	}
	fuzz_thread(&ta[0]);
	_exit(0);
}

/* --- the supervisor -------------------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct slot {
	pid_t pid;
	int64_t born;
	unsigned gen;
};

static void spawn(struct slot *w, int index, int threads, uint64_t seed)
{
	uint64_t ws = seed ^ ((uint64_t)index << 32) ^ (uint64_t)w->gen * 0xbf58476d1ce4e5b9ULL;
	w->gen++;
	pid_t pid = fork();
	if (pid == 0)
		worker(index, threads, ws);
	w->pid = pid;
	w->born = now_ns();
}

/* The sandbox's processes as its /proc shows them: how many, and how many
 * in each state (R, S, Z, T...), for the progress line. */
static void census(char *out, size_t size)
{
	unsigned count[26] = { 0 }, procs = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (getenv("SYSFUZZ_DEBUG"))
			fprintf(stderr, "census: %s", buf);
		char *rp = strrchr(buf, ')');
		procs++;
		if (rp && rp[1] == ' ' && rp[2] >= 'A' && rp[2] <= 'Z')
			count[rp[2] - 'A']++;
	}
	if (d)
		closedir(d);
	int len = snprintf(out, size, "%u processes", procs);
	for (int i = 0; i < 26 && len > 0 && (size_t)len < size; i++)
		if (count[i])
			len += snprintf(out + len, size - (size_t)len, " %c:%u", 'A' + i, count[i]);
}

/* A process that does ordinary things after the fuzzing: the sentry still
 * serves.  NULL if all went as it should, else what failed.  Only what the
 * workers cannot have changed is relied on (root workers may rename or
 * rewrite any file of the sandbox's rootfs, all in its memory): our own
 * binary on its read-only mount, and a new file in /tmp, whose creation or
 * write may meet a full --overlay-size quota (ENOSPC is a right answer). */
static const char *probe_child(void)
{
	char b[64] = { 0 };
	int fd = open(self_path, O_RDONLY);
	if (fd < 0 || read(fd, b, 4) != 4 || memcmp(b, "\x7f" "ELF", 4) != 0)
		return "read our own binary";
	close(fd);
	char path[64];
	snprintf(path, sizeof path, "/tmp/.probe-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 && errno == ENOSPC)
		return NULL;   /* the quota is full (a made file costs 512 bytes) */
	if (fd < 0)
		return errno == EACCES ? "create a file in /tmp: EACCES"
				       : "create a file in /tmp (not ENOSPC)";
	ssize_t n = write(fd, "probe", 5);
	if (n < 0 && errno != ENOSPC)
		return "write a file in /tmp";
	if (n == 5 && (pread(fd, b, 5, 0) != 5 || strncmp(b, "probe", 5) != 0))
		return "read a file in /tmp back";
	return NULL;
}

static const char *probe(void)
{
	int pf[2];
	if (pipe(pf) < 0)
		return "pipe";
	pid_t pid = fork();
	if (pid == 0) {
		const char *why = probe_child();
		if (!why)
			why = "ok";
		_exit(write(pf[1], why, strlen(why)) > 0 ? 0 : 1);
	}
	if (pid < 0)
		return "fork";
	close(pf[1]);
	static char b[64];
	memset(b, 0, sizeof b);
	int st;
	ssize_t n = read(pf[0], b, sizeof b - 1);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return "the probe process did not exit 0";
	if (n <= 0)
		return "no word from the probe process";
	return strcmp(b, "ok") == 0 ? NULL : b;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sysfuzz SECONDS SEED [PROCS [THREADS]]\n");
		return 2;
	}
	double secs = atof(argv[1]);
	uint64_t seed = strtoull(argv[2], NULL, 0);
	int procs = argc > 3 ? atoi(argv[3]) : 4;
	int threads = argc > 4 ? atoi(argv[4]) : 4;
	if (procs < 1 || procs > MAX_PROCS || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "sysfuzz: 1..%d processes of 1..%d threads\n", MAX_PROCS, MAX_THREADS);
		return 2;
	}
	self_path = argv[0];   /* (before the fuzzing: an absolute path here) */
	if (getenv("SYSFUZZ_CANARY"))
		canary_path = getenv("SYSFUZZ_CANARY");
	printf("sysfuzz: seed %llu, %d processes of %d threads, %g s\n",
	       (unsigned long long)seed, procs, threads, secs);
	fflush(stdout);
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	signal(SIGCHLD, SIG_DFL);
	struct slot w[MAX_PROCS] = { 0 };
	for (int i = 0; i < procs; i++)
		spawn(&w[i], i, threads, seed);
	int64_t end = now_ns() + (int64_t)(secs * 1e9);
	unsigned died = 0, total = (unsigned)procs;
	/* SYSFUZZ_REPORT: seconds between progress lines (60). */
	int64_t report_ns = (int64_t)(getenv("SYSFUZZ_REPORT") ? atof(getenv("SYSFUZZ_REPORT")) : 60) * 1000000000LL;
	int64_t start = now_ns(), next_report = start + report_ns;
	while (now_ns() < end) {
		if (now_ns() >= next_report) {   /* progress: a slowdown shows */
			uint64_t sofar = 0;
			for (int i = 0; i < procs; i++)
				sofar += atomic_load(&sh->calls[i]);
			char c[160];
			census(c, sizeof c);
			printf("sysfuzz: %lld s, %llu syscalls, %s\n",
			       (long long)((now_ns() - start) / 1000000000LL),
			       (unsigned long long)sofar, c);
			fflush(stdout);
			next_report += report_ns;
		}
		struct timespec tick = { 0, 50000000 };
		nanosleep(&tick, NULL);
		int st;
		pid_t pid;
		/* Reaps the workers and whatever they left (orphans come to pid 1). */
		while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
			for (int i = 0; i < procs; i++)
				if (w[i].pid == pid) {
					died++;
					w[i].pid = 0;
					if (getenv("SYSFUZZ_DEBUG"))
						fprintf(stderr, "worker %d: %s %d last %ld\n", i,
							WIFSIGNALED(st) ? "signal" : "exit",
							WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
							atomic_load(&sh->last_fault[i]));
				}
		}
		for (int i = 0; i < procs; i++) {
			if (w[i].pid > 0 && now_ns() - w[i].born > WORKER_LIFETIME_NS) {
				kill(w[i].pid, SIGKILL);
				waitpid(w[i].pid, NULL, __WALL);
				w[i].pid = 0;
			}
			if (w[i].pid == 0 && now_ns() < end) {
				spawn(&w[i], i, threads, seed);
				total++;
			}
		}
	}
	for (int i = 0; i < procs; i++)
		if (w[i].pid > 0)
			kill(w[i].pid, SIGKILL);
	/* Everything else the workers started (their own children). */
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, __WALL) > 0)
		;
	uint64_t calls = 0;
	for (int i = 0; i < procs; i++)
		calls += atomic_load(&sh->calls[i]);
	const char *why = probe();
	printf("sysfuzz: seed %llu, %llu syscalls, %u workers (%u died), probe %s%s\n",
	       (unsigned long long)seed, (unsigned long long)calls, total, died,
	       why ? "FAILED: " : "ok", why ? why : "");
	return why ? 1 : 0;
}
