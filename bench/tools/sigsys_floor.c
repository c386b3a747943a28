/* sigsys_floor: what a syscall costs when every one raises SIGSYS, with no
 * sandbox behind it: the floor under systrap's unpatched path.
 *
 *   sigsys_floor [-t MS]
 *
 * Prints `name value unit` lines (µs per call, medians of 5 batches):
 *   getpid_native     getpid(2) as it is
 *   getpid_sigsys     getpid under a seccomp filter that returns
 *                     SECCOMP_RET_TRAP for it, answered by a SIGSYS handler
 *                     in the same thread (it sets rax and returns): the
 *                     kernel's signal delivery and rt_sigreturn, nothing else
 *   getpid_sigsys_altstack  the same on a sigaltstack with every signal
 *                     blocked in the handler, as the systrap stub installs it
 *   getpid_sigsys_direct  the same with SA_NODEFER and an empty sa_mask,
 *                     the handler leaving its frame without rt_sigreturn: it
 *                     loads the FPU state back from the frame (xrstor) and
 *                     jumps to the interrupted code with its registers, as
 *                     the systrap stub serves a trapped syscall
 *   handoff_roundtrip a turn word passed to a thread on the other CPU and
 *                     back (spinning with pause on both sides): what handing
 *                     a syscall to the sentry adds at the least
 * The unpatched path of systrap is getpid_sigsys_direct + handoff_roundtrip
 * + the stub's and the sentry's own work; see bench/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median over 5 batches of the time per call of fn, each batch about ms. */
static double measure(void (*fn)(long), double ms)
{
	long n = 1000;
	for (;;) {
		double t0 = now_us();
		fn(n);
		double dt = now_us() - t0;
		if (dt > ms * 1000 / 4 || n > (1L << 30))
			break;
		n *= 2;
	}
	n = (long)((double)n * 4);
	double r[5];
	for (int i = 0; i < 5; i++) {
		double t0 = now_us();
		fn(n);
		r[i] = (now_us() - t0) / (double)n;
	}
	qsort(r, 5, sizeof r[0], cmp_double);
	return r[2];
}

static void run_getpid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
}

/* --- SIGSYS ------------------------------------------------------------------ */

static long fake_pid;

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	uc->uc_mcontext.gregs[REG_RAX] = fake_pid;
}

static int trap_getpid(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return 0;
}

static void handle_sigsys(bool altstack)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (altstack) {
		static char stack[64 * 1024];
		stack_t ss = { .ss_sp = stack, .ss_size = sizeof stack };
		sigaltstack(&ss, NULL);
		sa.sa_flags |= SA_ONSTACK;
		sigfillset(&sa.sa_mask);
	}
	sigaction(SIGSYS, &sa, NULL);
}

/* Leaving a SIGSYS handler without rt_sigreturn: the registers of the
 * interrupted code from its frame, its rsp and rip last through two words
 * of memory (one thread only). */
uint64_t direct_rip, direct_rsp;
void direct_return(const greg_t *g) __attribute__((noreturn));
__asm__(".text\n"
	"direct_return:\n"
	"	mov 8*16(%rdi), %rax\n	mov %rax, direct_rip(%rip)\n"
	"	mov 8*15(%rdi), %rax\n	mov %rax, direct_rsp(%rip)\n"
	"	pushq 8*17(%rdi)\n	popfq\n"
	"	mov 0(%rdi), %r8\n	mov 8(%rdi), %r9\n	mov 16(%rdi), %r10\n"
	"	mov 24(%rdi), %r11\n	mov 32(%rdi), %r12\n	mov 40(%rdi), %r13\n"
	"	mov 48(%rdi), %r14\n	mov 56(%rdi), %r15\n	mov 72(%rdi), %rsi\n"
	"	mov 80(%rdi), %rbp\n	mov 88(%rdi), %rbx\n	mov 96(%rdi), %rdx\n"
	"	mov 104(%rdi), %rax\n	mov 112(%rdi), %rcx\n	mov 64(%rdi), %rdi\n"
	"	mov direct_rsp(%rip), %rsp\n"
	"	jmp *direct_rip(%rip)\n");

static void on_sigsys_direct(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	uc->uc_mcontext.gregs[REG_RAX] = fake_pid;
	const char *fp = (const char *)uc->uc_mcontext.fpregs;
	uint64_t in_use;
	memcpy(&in_use, fp + 512, sizeof in_use);   /* XSTATE_BV */
	__asm__ volatile("xrstor64 (%0)"
			 : : "r"(fp), "a"((uint32_t)in_use), "d"((uint32_t)(in_use >> 32))
			 : "memory");
	direct_return(uc->uc_mcontext.gregs);
}

static void handle_sigsys_direct(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys_direct;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
}

/* --- a cross-CPU hand-off ------------------------------------------------------- */

static _Alignas(64) volatile uint32_t turn;
static volatile int stop;

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void *partner(void *arg)
{
	pin(*(int *)arg);
	while (!stop) {
		while (__atomic_load_n(&turn, __ATOMIC_SEQ_CST) != 1 && !stop)
			__builtin_ia32_pause();
		__atomic_store_n(&turn, 0, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void run_handoff(long n)
{
	for (long i = 0; i < n; i++) {
		__atomic_store_n(&turn, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&turn, __ATOMIC_SEQ_CST) != 0)
			__builtin_ia32_pause();
	}
}

int main(int argc, char **argv)
{
	double ms = 300;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			ms = atof(argv[++i]);
		} else {
			fprintf(stderr, "usage: sigsys_floor [-t MS]\n");
			return 2;
		}
	}
	printf("getpid_native %.3f us\n", measure(run_getpid, ms));

	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		int cpus[2] = { 0, 1 };
		pin(cpus[0]);
		pthread_t th;
		if (pthread_create(&th, NULL, partner, &cpus[1]) == 0) {
			printf("handoff_roundtrip %.3f us\n", measure(run_handoff, ms));
			stop = 1;
			pthread_join(th, NULL);
		}
	}

	fake_pid = getpid();
	handle_sigsys(false);
	if (trap_getpid() < 0) {
		perror("sigsys_floor: seccomp");
		return 1;
	}
	if (syscall(SYS_getpid) != fake_pid) {
		fprintf(stderr, "sigsys_floor: the filter did not trap getpid\n");
		return 1;
	}
	printf("getpid_sigsys %.3f us\n", measure(run_getpid, ms));
	handle_sigsys(true);
	printf("getpid_sigsys_altstack %.3f us\n", measure(run_getpid, ms));
	handle_sigsys_direct();
	if (syscall(SYS_getpid) != fake_pid) {
		fprintf(stderr, "sigsys_floor: the direct return did not answer getpid\n");
		return 1;
	}
	printf("getpid_sigsys_direct %.3f us\n", measure(run_getpid, ms));
	return 0;
}
