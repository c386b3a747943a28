/* The ptrace platform.
 *
 * Each guest thread runs in a host process of its own (a "stub process"),
 * traced by the sentry thread that serves the task.  Stub processes that
 * belong to one guest address space share a host mm (clone(CLONE_VM) without
 * CLONE_THREAD), so that each can be traced, stopped and killed alone.
 * Guest syscalls are caught with PTRACE_SYSEMU and never reach the host.  The
 * sentry runs memory-management syscalls in a stub by pointing its registers
 * at the stub's `syscall; int3` and letting it run to the trap.
 */
#include "platform/platform.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "platform/fdpass.h"
#include "platform/ptrace/stub_layout.h"

extern const struct platform_ops ptrace_platform_ops;

struct platform_ctx {
	pid_t tid;
	bool dead;
	bool regs_valid;   /* regs hold the guest's registers */
	bool regs_dirty;   /* regs must be written back before resuming */
	struct user_regs_struct regs;
};

/* Process-wide state of the platform, set once by ptrace_init(). */
static struct {
	pid_t sentry_pid;
	/* One fd-passing socket for every stub (they are forks of the
	 * template, which holds its other end): guest code never runs a host
	 * syscall under ptrace, so none can receive on it (docs/security.md). */
	struct fdpass_chan fdpass;
	pthread_mutex_t fdpass_lock;
	int stub_end;      /* its other end, until the template has it */
	struct sock_fprog filter;
	uint64_t unmap[STUB_MAX_UNMAP][2];
	size_t nunmap;
	pthread_mutex_t template_lock;
	pid_t template;    /* what ptrace_create forks (see there) */
} ptr = { .template_lock = PTHREAD_MUTEX_INITIALIZER, .fdpass_lock = PTHREAD_MUTEX_INITIALIZER };

#define TRACE_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)

/* --- the stub's seccomp filter --------------------------------------------
 *
 * Guest syscalls are stopped by PTRACE_SYSEMU before seccomp runs, so this
 * filter only binds code that runs natively in a stub: the stub's own code,
 * and whatever a guest could reach by jumping into it while the sentry runs a
 * stub syscall or before a new stub is adopted.  It allows what managing an
 * address space needs and kills the process on anything else. */

#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define ARG_HI(n) (ARG_LO(n) + 4)
#define LD(off)      ((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define JEQ(k, t, f) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f)))
#define RET(v)       ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))

static const int stub_allowed_syscalls[] = {
	__NR_mmap, __NR_munmap, __NR_mprotect, __NR_mremap, __NR_madvise,
	__NR_getpid, __NR_recvmsg, __NR_close, __NR_exit, __NR_exit_group,
	__NR_rt_sigreturn,
};

static struct sock_filter stub_filter[64];

static size_t build_stub_filter(void)
{
	struct sock_filter *f = stub_filter;
	size_t n = 0;
	f[n++] = LD(offsetof(struct seccomp_data, arch));
	f[n++] = JEQ(AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = RET(SECCOMP_RET_KILL_PROCESS);
	f[n++] = LD(offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < sizeof stub_allowed_syscalls / sizeof(int); i++) {
		f[n++] = JEQ((unsigned)stub_allowed_syscalls[i], 0, 1);
		f[n++] = RET(SECCOMP_RET_ALLOW);
	}
	/* kill(pid, SIGSTOP) only: a stub stopping itself. */
	f[n++] = JEQ(__NR_kill, 0, 4);
	f[n++] = LD(ARG_LO(1));
	f[n++] = JEQ(SIGSTOP, 0, 1);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	f[n++] = RET(SECCOMP_RET_KILL_PROCESS);
	/* clone(SIGCHLD) or clone(CLONE_VM | SIGCHLD) only. */
	f[n++] = JEQ(__NR_clone, 0, 7);
	f[n++] = LD(ARG_HI(0));
	f[n++] = JEQ(0, 0, 4);
	f[n++] = LD(ARG_LO(0));
	f[n++] = JEQ(SIGCHLD, 1, 0);
	f[n++] = JEQ(CLONE_VM | SIGCHLD, 0, 1);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	f[n++] = RET(SECCOMP_RET_KILL_PROCESS);
	f[n++] = RET(SECCOMP_RET_KILL_PROCESS);
	return n;
}

/* --- waiting for a tracee ------------------------------------------------ */

static int wait_stop(pid_t tid, int *status)
{
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL);
		if (r == tid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int ptrace_resume(pid_t tid, int request)
{
	if (ptrace(request, tid, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Runs the tracee, which must be at a stub entry point, until its next
 * int3.  Kicks (SIGSTOP) and other host signals that arrive meanwhile are
 * discarded: the caller checks for work afterwards anyway. */
static int run_to_trap(struct platform_ctx *ctx)
{
	for (;;) {
		int status, err;
		if ((err = ptrace_resume(ctx->tid, PTRACE_CONT)) < 0)
			return err;
		if ((err = wait_stop(ctx->tid, &status)) < 0)
			return err;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			ctx->dead = true;
			return -ESRCH;
		}
		if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP && (status >> 16) == 0)
			return 0;
		if (WIFSTOPPED(status) && WSTOPSIG(status) != SIGSTOP && (status >> 16) == 0) {
			/* A fault in stub code: the guest has corrupted it. */
			log_debug("stub %d: signal %d in stub code", ctx->tid, WSTOPSIG(status));
			return -EFAULT;
		}
	}
}

static int fetch_regs(struct platform_ctx *ctx)
{
	if (ctx->regs_valid)
		return 0;
	if (ptrace(PTRACE_GETREGS, ctx->tid, 0, &ctx->regs) < 0)
		return -errno;
	ctx->regs_valid = true;
	return 0;
}

/* Runs one stub entry point with the given registers and returns rax. */
static long stub_call(struct platform_ctx *ctx, const struct user_regs_struct *call)
{
	int err;
	if (ctx->dead)
		return -ESRCH;
	if ((err = fetch_regs(ctx)) < 0)
		return err;
	if (ptrace(PTRACE_SETREGS, ctx->tid, 0, call) < 0)
		return -errno;
	ctx->regs_dirty = true;   /* the guest's registers must be restored */
	if ((err = run_to_trap(ctx)) < 0)
		return err;
	struct user_regs_struct out;
	if (ptrace(PTRACE_GETREGS, ctx->tid, 0, &out) < 0)
		return -errno;
	return (long)out.rax;
}

static struct user_regs_struct stub_regs(struct platform_ctx *ctx, const char *entry, long nr,
					 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
					 uint64_t a4, uint64_t a5)
{
	struct user_regs_struct r = ctx->regs;
	r.rip = STUB_ADDR_OF(entry);
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;   /* no syscall restart on the way out */
	r.rdi = a0;
	r.rsi = a1;
	r.rdx = a2;
	r.r10 = a3;
	r.r8 = a4;
	r.r9 = a5;
	return r;
}

static long ptrace_host_syscall(struct platform_ctx *ctx, long nr, uint64_t a0, uint64_t a1,
				uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int err = fetch_regs(ctx);
	if (err < 0)
		return err;
	struct user_regs_struct r = stub_regs(ctx, stub_syscall, nr, a0, a1, a2, a3, a4, a5);
	return stub_call(ctx, &r);
}

static long ptrace_atomic_op(struct platform_ctx *ctx, uint64_t addr, int op, uint32_t operand)
{
	if (op < PLATFORM_ATOMIC_SET || op > PLATFORM_ATOMIC_XOR || (addr & 3))
		return -EINVAL;
	int err = fetch_regs(ctx);
	if (err < 0)
		return err;
	struct user_regs_struct r = stub_regs(ctx, stub_atomic_op, 0, addr, (uint64_t)op, operand,
					      0, 0, 0);
	long old = stub_call(ctx, &r);
	if (old < 0 && old > -4096)
		return old == -ESRCH ? -ESRCH : -EFAULT;
	return (long)(uint32_t)old;
}

/* --- creating stub processes --------------------------------------------- */

/* Runs in the child of fork(), which is a copy of the sentry (the
 * template, see ptrace_create): only raw syscalls and memcpy until it jumps
 * into the stub. */
static _Noreturn void stub_child(void)
{
	platform_stub_child_start(ptr.stub_end, ptr.sentry_pid, STUB_SOCK_FD);
	struct sigaction sa = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	}
	/* Children exiting must not leave zombies behind or signal the stub. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGCHLD, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	void *region = mmap((void *)STUB_REGION_START, STUB_MAPPED_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (region != (void *)STUB_REGION_START)
		_exit(127);
	memcpy(region, stub_code_start, (size_t)(stub_code_end - stub_code_start));
	memcpy((char *)STUB_DATA_ADDR + STUB_DATA_UNMAP_LIST, ptr.unmap, sizeof ptr.unmap);
	if (mprotect(region, STUB_PAGE_SIZE, PROT_READ | PROT_EXEC) < 0)
		_exit(127);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &ptr.filter) < 0)
		_exit(127);

	/* Leave the sentry's image behind: the stub unmaps everything but
	 * itself and the vDSO, then parks until ptrace_create forks it. */
	uint64_t entry = STUB_ADDR_OF(stub_entry);
	uint64_t list = STUB_DATA_ADDR + STUB_DATA_UNMAP_LIST;
	__asm__ volatile("mov %0, %%rdi\n\t"
			 "mov %1, %%rsi\n\t"
			 "xor %%esp, %%esp\n\t"
			 "jmp *%2\n\t"
			 :
			 : "r"(list), "r"((uint64_t)ptr.nunmap), "r"(entry)
			 : "rdi", "rsi", "memory");
	__builtin_unreachable();
}

/* Attaches to a stub that is stopped or about to stop itself. */
static int seize_stopped(pid_t tid)
{
	int status, err;
	if (ptrace(PTRACE_SEIZE, tid, 0, TRACE_OPTIONS) < 0)
		return -errno;
	for (;;) {
		if ((err = wait_stop(tid, &status)) < 0)
			return err;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return -ESRCH;
		if (!WIFSTOPPED(status))
			continue;
		/* Either its own SIGSTOP (signal-delivery-stop) or, if it was
		 * already stopped when seized, a group-stop. */
		if (WSTOPSIG(status) == SIGSTOP)
			return 0;
		if ((err = ptrace_resume(tid, PTRACE_CONT)) < 0)
			return err;
	}
}

static struct platform_ctx *ctx_alloc(pid_t tid)
{
	struct platform_ctx *ctx = calloc(1, sizeof *ctx);
	if (ctx)
		ctx->tid = tid;
	return ctx;
}

static void kill_and_reap(pid_t tid)
{
	int status;
	kill(tid, SIGKILL);
	while (waitpid(tid, &status, __WALL) < 0 && errno == EINTR)
		;
}

/* Lets the template (seized by this thread, stopped) go back to its
 * parking loop, untraced, until the next fork. */
static void park_template(struct platform_ctx *t)
{
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) == 0) {
		r.rip = STUB_ADDR_OF(stub_park);
		r.orig_rax = (uint64_t)-1;   /* no syscall restart on the way out */
		ptrace(PTRACE_SETREGS, t->tid, 0, &r);
	}
	ptrace(PTRACE_DETACH, t->tid, 0, 0);
}

/* The template forks itself (stub_clone) for a new address space: this
 * thread traces it for the time it takes.  The child stops itself until
 * its tracer seizes it.  Its pid or -errno; under template_lock. */
static pid_t fork_template(void)
{
	struct platform_ctx t = { .tid = ptr.template };
	if (seize_stopped(t.tid) < 0) {
		log_error("the stub template is gone: no new address space can be made");
		return -EAGAIN;
	}
	long child = fetch_regs(&t);
	if (child == 0) {
		struct user_regs_struct r = stub_regs(&t, stub_clone, __NR_clone, SIGCHLD, 0, 0, 0,
						      0, 0);
		child = stub_call(&t, &r);
	}
	if (!t.dead)
		park_template(&t);
	return (pid_t)child;
}

/* A fresh address space is a fork of the template, a stub forked from the
 * sentry at start-up that holds only the stub region and the vDSO and runs
 * no guest code.  The sentry's last filter (docs/security.md) lets it make
 * neither processes nor executable memory after start-up: a template
 * killed on the host is not made again. */
static int ptrace_create(struct platform_ctx **out)
{
	pthread_mutex_lock(&ptr.template_lock);
	pid_t pid = fork_template();
	pthread_mutex_unlock(&ptr.template_lock);
	if (pid < 0)
		return pid;

	int err = seize_stopped(pid);
	if (err < 0) {
		log_warn("could not start a stub process: %s", strerror(-err));
		kill_and_reap(pid);
		return err == -ESRCH ? -EAGAIN : err;
	}
	struct platform_ctx *ctx = ctx_alloc(pid);
	if (!ctx) {
		kill_and_reap(pid);
		return -ENOMEM;
	}
	/* The registers the stub stopped with are a valid base for the guest's
	 * (segment selectors, flags). */
	if ((err = fetch_regs(ctx)) < 0) {
		free(ctx);
		kill_and_reap(pid);
		return err;
	}
	*out = ctx;
	return 0;
}

static int ptrace_clone(struct platform_ctx *parent, bool share_vm, struct platform_handoff *out)
{
	int err = fetch_regs(parent);
	if (err < 0)
		return err;
	uint64_t flags = share_vm ? (CLONE_VM | SIGCHLD) : SIGCHLD;
	struct user_regs_struct r = stub_regs(parent, stub_clone, __NR_clone, flags, 0, 0, 0, 0, 0);
	long tid = stub_call(parent, &r);
	if (tid < 0)
		return (int)tid;
	out->host_tid = (pid_t)tid;
	out->regs = parent->regs;
	out->share_vm = share_vm;
	return 0;
}

static int ptrace_adopt(const struct platform_handoff *h, struct platform_ctx **out)
{
	int err = seize_stopped(h->host_tid);
	if (err < 0) {
		kill(h->host_tid, SIGKILL);
		return err;
	}
	struct platform_ctx *ctx = ctx_alloc(h->host_tid);
	if (!ctx) {
		kill_and_reap(h->host_tid);
		return -ENOMEM;
	}
	ctx->regs = h->regs;
	ctx->regs_valid = true;
	ctx->regs_dirty = true;
	*out = ctx;
	return 0;
}

static void ptrace_abandon(const struct platform_handoff *h)
{
	/* Not traced by us: its parent stub ignores SIGCHLD, so it is reaped
	 * by the host once dead. */
	kill(h->host_tid, SIGKILL);
}

/* --- running guest code -------------------------------------------------- */

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

static int ptrace_run(struct platform_ctx *ctx, struct platform_event *ev)
{
	int err, status;
	if (ctx->dead) {
		ev->kind = PLATFORM_EXITED;
		return 0;
	}
	if (ctx->regs_dirty) {
		if (ptrace(PTRACE_SETREGS, ctx->tid, 0, &ctx->regs) < 0)
			return -errno;
		ctx->regs_dirty = false;
	}
	for (;;) {
		ctx->regs_valid = false;
		if ((err = ptrace_resume(ctx->tid, PTRACE_SYSEMU)) < 0 && err != -ESRCH)
			return err;
		if ((err = wait_stop(ctx->tid, &status)) < 0)
			return err;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			ctx->dead = true;
			ev->kind = PLATFORM_EXITED;
			return 0;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80)) {
			ev->kind = PLATFORM_SYSCALL;
			return fetch_regs(ctx);
		}
		if ((status >> 16) != 0)
			continue;   /* a group-stop or another event: just go on */

		siginfo_t info;
		if (ptrace(PTRACE_GETSIGINFO, ctx->tid, 0, &info) < 0)
			return -errno;
		if ((err = fetch_regs(ctx)) < 0)
			return err;
		/* Faults raised by the CPU have a positive si_code; the same signal
		 * sent by kill() is just an interruption. */
		if (is_fault_signal(sig) && info.si_code > 0) {
			ev->kind = PLATFORM_FAULT;
			ev->info = info;
		} else {
			ev->kind = PLATFORM_INTERRUPT;
		}
		return 0;
	}
}

static struct user_regs_struct *ptrace_regs(struct platform_ctx *ctx)
{
	if (fetch_regs(ctx) < 0)
		memset(&ctx->regs, 0, sizeof ctx->regs);
	ctx->regs_dirty = true;
	return &ctx->regs;
}

static int ptrace_get_fpregs(struct platform_ctx *ctx, struct user_fpregs_struct *fp)
{
	if (ptrace(PTRACE_GETFPREGS, ctx->tid, 0, fp) < 0)
		return -errno;
	return 0;
}

static int ptrace_set_fpregs(struct platform_ctx *ctx, const struct user_fpregs_struct *fp)
{
	if (ptrace(PTRACE_SETFPREGS, ctx->tid, 0, fp) < 0)
		return -errno;
	return 0;
}

/* --- memory -------------------------------------------------------------- */

static ssize_t ptrace_read_mem(struct platform_ctx *ctx, void *dst, uint64_t src, size_t n)
{
	return platform_vm_read(ctx->tid, dst, src, n);
}

static ssize_t ptrace_write_mem(struct platform_ctx *ctx, uint64_t dst, const void *src, size_t n)
{
	return platform_vm_write(ctx->tid, dst, src, n);
}

static long ptrace_mmap_fd(struct platform_ctx *ctx, uint64_t addr, uint64_t len, int prot,
			 int flags, int host_fd, uint64_t offset)
{
	struct fdpass_stub stub = { &ptrace_platform_ops, ctx, STUB_DATA_ADDR + STUB_DATA_MSG,
				    STUB_SOCK_FD };
	pthread_mutex_lock(&ptr.fdpass_lock);
	long fd = fdpass_send(&ptr.fdpass, &stub, host_fd);
	pthread_mutex_unlock(&ptr.fdpass_lock);
	if (fd < 0)
		return fd;
	long r = ptrace_host_syscall(ctx, __NR_mmap, addr, len, (uint64_t)prot, (uint64_t)flags,
				     (uint64_t)fd, offset);
	ptrace_host_syscall(ctx, __NR_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	return r;
}

/* --- life and death ------------------------------------------------------ */

static void ptrace_kick(struct platform_ctx *ctx)
{
	/* Each stub process is its own thread group. */
	syscall(SYS_tgkill, ctx->tid, ctx->tid, SIGSTOP);
}

static void ptrace_destroy(struct platform_ctx *ctx)
{
	if (!ctx)
		return;
	if (!ctx->dead)
		kill_and_reap(ctx->tid);
	free(ctx);
}

static pid_t ptrace_host_tid(struct platform_ctx *ctx)
{
	return ctx->tid;
}

static int ptrace_init(const struct platform_config *cfg)
{
	(void)cfg;
	if ((size_t)(stub_code_end - stub_code_start) > STUB_PAGE_SIZE)
		return -E2BIG;
	ptr.sentry_pid = getpid();
	int err = fdpass_chan_new(&ptr.fdpass, &ptr.stub_end);
	if (err < 0)
		return err;
	ptr.filter.len = (unsigned short)build_stub_filter();
	ptr.filter.filter = stub_filter;
	if ((err = platform_reserve_stub_region()) < 0)
		return err;
	ptr.nunmap = platform_unmap_list(ptr.unmap, STUB_MAX_UNMAP);
	/* The template, from this thread: the main one, whose death it
	 * follows (PR_SET_PDEATHSIG) and which lives as long as the sandbox. */
	pid_t pid = platform_clone_stub();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		stub_child();
	close(ptr.stub_end);
	ptr.stub_end = -1;
	struct platform_ctx t = { .tid = pid };
	if ((err = seize_stopped(pid)) < 0) {
		kill_and_reap(pid);
		return err;
	}
	park_template(&t);
	ptr.template = pid;
	return 0;
}

const struct platform_ops ptrace_platform_ops = {
	.name = "ptrace",
	.init = ptrace_init,
	.create = ptrace_create,
	.clone = ptrace_clone,
	.adopt = ptrace_adopt,
	.abandon = ptrace_abandon,
	.run = ptrace_run,
	.regs = ptrace_regs,
	.get_fpregs = ptrace_get_fpregs,
	.set_fpregs = ptrace_set_fpregs,
	.host_syscall = ptrace_host_syscall,
	.mmap_fd = ptrace_mmap_fd,
	.atomic_op = ptrace_atomic_op,
	.read_mem = ptrace_read_mem,
	.write_mem = ptrace_write_mem,
	.kick = ptrace_kick,
	.destroy = ptrace_destroy,
	.host_tid = ptrace_host_tid,
};
