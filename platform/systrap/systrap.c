/* The systrap platform.
 *
 * As on ptrace, each guest thread runs in a host process of its own (a stub
 * process); stubs of one guest address space share a host mm.  But nothing
 * traces them: a seccomp filter makes every syscall that guest code issues
 * raise SIGSYS in the stub, whose handler (stub/stub.c, on a signal stack in
 * the thread's slot) stores the guest's registers in the slot, a memfd
 * mapped both in the guest's address space and in the sentry, and hands the
 * turn to the sentry thread that serves the task.  The sentry answers through
 * the same slot: a host syscall to make in the address space (mmap...), an
 * FPU save or restore, or "resume".  Faults and other host signals take the
 * same path; syscall sites patched by patch.c enter it without a signal.
 *
 * Waiting is a short spin on the shared state word, then a futex.  A stub
 * that dies (killed by the host, or by its seccomp filter when guest code
 * abuses the stub's own syscalls) is noticed through a pidfd.
 */
#include "platform/platform.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "platform/fdpass.h"
#include "platform/systrap/filewin.h"
#include "platform/systrap/patch.h"
#include "platform/systrap/stub_layout.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

/* The host signal platform_kick() sends. */
#define SIG_KICK SIGUSR1
/* Timed-out 100 ms waits on a stub before an unanswered kick kills it. */
#define KICK_WAITS 20
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

extern const struct platform_ops systrap_platform_ops;

struct platform_ctx {
	pid_t tid;
	int pidfd;
	bool dead;
	struct slot_ref *slot;
	struct user_regs_struct regs;   /* the guest's, valid between events */
	struct user_regs_struct seen;   /* as they are in the slot */
	/* After a patched syscall only orig_rax, rax and the six arguments in
	 * regs are valid: the rest is fetched from the slot when asked for. */
	bool partial;
	_Atomic uint64_t kicked_at;     /* CLOCK_MONOTONIC ns of an unanswered kick */
	uint32_t cpu;                   /* where we were when the stub last got the turn */
	uint32_t same_cpu_waits;        /* waits in a row that found the stub on our CPU */
	uint32_t same_cpu_limit;        /* how many before we move off it */
	uint64_t moved_at;              /* TSC of the last move */
	struct patch_state *patch;      /* per address space, shared by threads */
	struct filewin_state *windows;  /* the same */
};

/* A slot: its memfd, the sentry's view of it, its place in the guest; and
 * the fd-passing socket of the stub that serves it (its own: no other stub
 * process holds it, so no guest code elsewhere can receive what it is
 * sent; docs/security.md). */
struct slot_ref {
	int index;
	int fd;
	struct stub_slot *s;            /* the sentry's mapping */
	uint64_t addr;                  /* in the guest address space */
	struct fdpass_chan chan;        /* sentry_fd -1: none yet */
};

static struct {
	pid_t sentry_pid;
	struct sock_fprog filter;
	uint64_t unmap[SYSTRAP_MAX_UNMAP][2];
	size_t nunmap;
	uint64_t spin_cycles;           /* how long the sentry spins for an event (TSC) */
	uint64_t stub_spin_cycles;      /* how long a stub spins for its turn (TSC) */
	uint64_t tsc_per_ms;
	uint64_t xsave_mask;
	uint32_t xsave_size;
	bool has_rdpid;
	bool patching;
	pthread_mutex_t template_lock;
	struct platform_ctx *template;  /* what systrap_create forks */
	pthread_mutex_t slot_lock;
	uint64_t slot_used[(SYSTRAP_MAX_SLOTS + 63) / 64];
	/* One fd transfer at a time: its message is built in the data page
	 * (SYSTRAP_DATA_MSG), which every stub of an address space shares; two
	 * threads' transfers at once took each other's message (clone then
	 * failed with EAGAIN).  Transfers are rare (file mmaps, windows,
	 * clones), as ptrace's one lock for them shows. */
	pthread_mutex_t fdpass_lock;
} st = { .slot_lock = PTHREAD_MUTEX_INITIALIZER, .template_lock = PTHREAD_MUTEX_INITIALIZER,
	 .fdpass_lock = PTHREAD_MUTEX_INITIALIZER };

static struct user_regs_struct *systrap_regs(struct platform_ctx *ctx);

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --- the stub's seccomp filter --------------------------------------------
 *
 * Syscalls issued outside the stub's code pages trap (SIGSYS, handled by the
 * stub).  Those issued from the code pages are the stub's own, or guest code
 * that jumped into it: only what serving an address space needs is allowed,
 * memory-management calls may not touch the code pages themselves, and
 * anything else kills the stub. */

#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define ARG_HI(n) (ARG_LO(n) + 4)
#define IP_LO     offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI     (IP_LO + 4)
#define LD(off)      ((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define LDM(k)       ((struct sock_filter)BPF_STMT(BPF_LD | BPF_MEM, (k)))
#define LDXM(k)      ((struct sock_filter)BPF_STMT(BPF_LDX | BPF_MEM, (k)))
#define LDI(k)       ((struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, (k)))
#define ST(k)        ((struct sock_filter)BPF_STMT(BPF_ST, (k)))
#define TAX()        ((struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0))
#define ADDX()       ((struct sock_filter)BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0))
#define JEQ(k, t, f) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f)))
#define JGT(k, t, f) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (k), (t), (f)))
#define JGE(k, t, f) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f)))
#define JGEX(t, f)   ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, (t), (f)))
#define RET(v)       ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))

#define CODE_HI ((uint32_t)(SYSTRAP_CODE_ADDR >> 32))
#define CODE_LO ((uint32_t)SYSTRAP_CODE_ADDR)
_Static_assert(((uint64_t)SYSTRAP_CODE_ADDR & 0xffffffffULL) == 0, "code at a 4 GiB boundary");

static struct sock_filter stub_filter[256];

struct filter_builder {
	struct sock_filter *f;
	size_t n;
};

/* (counts past the end without writing there: systrap_init checks n) */
static void emit(struct filter_builder *b, struct sock_filter ins)
{
	if (b->n < sizeof stub_filter / sizeof stub_filter[0])
		b->f[b->n] = ins;
	b->n++;
}

/* Kills unless [arg(a), arg(a) + arg(l)) misses the stub's code pages:
 * 64-bit arithmetic in 32-bit classic BPF.  Falls through when it does. */
static void emit_range_check(struct filter_builder *b, int a, int l)
{
	emit(b, LD(ARG_HI(a)));
	emit(b, JGT(CODE_HI, 24, 0));             /* above the code: fine */
	emit(b, JEQ(CODE_HI, 0, 2));
	emit(b, LD(ARG_LO(a)));
	emit(b, JGE(CODE_LO + SYSTRAP_CODE_SIZE, 21, 20));   /* at/after end: fine; else kill */
	/* Below the code: the end, a + len, must not pass its start. */
	emit(b, LD(ARG_LO(a)));
	emit(b, TAX());
	emit(b, LD(ARG_LO(l)));
	emit(b, ADDX());
	emit(b, ST(1));                           /* M1 = low word of the end */
	emit(b, JGEX(2, 0));                      /* no carry when sum >= a_lo */
	emit(b, LDI(1));
	emit(b, JEQ(1, 1, 0));                    /* (always) skip the next */
	emit(b, LDI(0));
	emit(b, ST(2));                           /* M2 = carry */
	emit(b, LD(ARG_HI(a)));
	emit(b, TAX());
	emit(b, LD(ARG_HI(l)));
	emit(b, ADDX());                          /* high word, without the carry */
	emit(b, LDXM(2));
	emit(b, ADDX());                          /* A = high word of the end */
	emit(b, JGT(CODE_HI, 3, 0));              /* past the start: kill */
	emit(b, JEQ(CODE_HI, 0, 3));              /* below the start's high word: fine */
	emit(b, LDM(1));
	emit(b, JEQ(0, 1, 0));                    /* end exactly at the start: fine */
	emit(b, RET(SECCOMP_RET_KILL_PROCESS));
	/* fine: */
}

static size_t build_stub_filter(void)
{
	struct filter_builder b = { stub_filter, 0 };
	/* Outside the code pages: the guest's syscall, for the sentry, whatever
	 * its arch (int $0x80 is an i386 syscall: the sentry gives the guest
	 * the fault Linux without IA32 emulation does; the host's sysenter
	 * entry returns to 32-bit code, which the sentry ends). */
	emit(&b, LD(IP_HI));
	emit(&b, JEQ(CODE_HI, 1, 0));
	emit(&b, RET(SECCOMP_RET_TRAP));
	emit(&b, LD(IP_LO));
	emit(&b, JGT(CODE_LO + SYSTRAP_CODE_SIZE, 0, 1));   /* ip is past the insn */
	emit(&b, RET(SECCOMP_RET_TRAP));
	emit(&b, JGT(CODE_LO, 1, 0));
	emit(&b, RET(SECCOMP_RET_TRAP));

	/* The stub's own code makes 64-bit syscalls only. */
	emit(&b, LD(offsetof(struct seccomp_data, arch)));
	emit(&b, JEQ(AUDIT_ARCH_X86_64, 1, 0));
	emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	emit(&b, LD(offsetof(struct seccomp_data, nr)));
	static const int plain[] = { __NR_futex, __NR_rt_sigreturn, __NR_sigaltstack, __NR_close,
				     __NR_exit, __NR_exit_group };
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		emit(&b, JEQ((unsigned)plain[i], 0, 1));
		emit(&b, RET(SECCOMP_RET_ALLOW));
	}
	/* recvmsg on the fd-passing socket only. */
	emit(&b, JEQ(__NR_recvmsg, 0, 4));
	emit(&b, LD(ARG_LO(0)));
	emit(&b, JEQ(SYSTRAP_SOCK_FD, 0, 1));
	emit(&b, RET(SECCOMP_RET_ALLOW));
	emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	/* dup2(x, 3) only: a new stub taking its own fd-passing socket. */
	emit(&b, JEQ(__NR_dup2, 0, 4));
	emit(&b, LD(ARG_LO(1)));
	emit(&b, JEQ(SYSTRAP_SOCK_FD, 0, 1));
	emit(&b, RET(SECCOMP_RET_ALLOW));
	emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	/* clone(SIGCHLD) or clone(CLONE_VM | SIGCHLD) only. */
	emit(&b, JEQ(__NR_clone, 0, 7));
	emit(&b, LD(ARG_HI(0)));
	emit(&b, JEQ(0, 0, 4));
	emit(&b, LD(ARG_LO(0)));
	emit(&b, JEQ(SIGCHLD, 1, 0));
	emit(&b, JEQ(CLONE_VM | SIGCHLD, 0, 1));
	emit(&b, RET(SECCOMP_RET_ALLOW));
	emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	/* Memory management, away from the code pages. */
	static const struct { int nr, addr, len; } mm[] = {
		{ __NR_mmap, 0, 1 }, { __NR_munmap, 0, 1 }, { __NR_mprotect, 0, 1 },
		{ __NR_madvise, 0, 1 }, { __NR_mremap, 0, 1 },
	};
	for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++) {
		size_t at = b.n;
		emit(&b, JEQ((unsigned)mm[i].nr, 0, 0));   /* patched below */
		emit_range_check(&b, mm[i].addr, mm[i].len);
		if (mm[i].nr == __NR_mremap)
			emit_range_check(&b, 4, 2);   /* the new place */
		emit(&b, RET(SECCOMP_RET_ALLOW));
		if (at < sizeof stub_filter / sizeof stub_filter[0])
			b.f[at].jf = (uint8_t)(b.n - at - 1);
		emit(&b, LD(offsetof(struct seccomp_data, nr)));
	}
	emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	return b.n;
}

/* --- slots -------------------------------------------------------------------- */

static void slot_free(struct slot_ref *r)
{
	if (!r)
		return;
	if (r->s)
		munmap(r->s, SYSTRAP_SLOT_SIZE);
	if (r->fd >= 0)
		close(r->fd);
	if (r->chan.sentry_fd >= 0)
		close(r->chan.sentry_fd);
	pthread_mutex_lock(&st.slot_lock);
	st.slot_used[r->index / 64] &= ~(1ULL << (r->index % 64));
	pthread_mutex_unlock(&st.slot_lock);
	free(r);
}

static int slot_alloc(struct slot_ref **out)
{
	struct slot_ref *r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->fd = -1;
	r->index = -1;
	r->chan.sentry_fd = -1;
	pthread_mutex_lock(&st.slot_lock);
	for (int i = 0; i < SYSTRAP_MAX_SLOTS; i++) {
		if (!(st.slot_used[i / 64] & (1ULL << (i % 64)))) {
			st.slot_used[i / 64] |= 1ULL << (i % 64);
			r->index = i;
			break;
		}
	}
	pthread_mutex_unlock(&st.slot_lock);
	if (r->index < 0) {
		free(r);
		return -EAGAIN;
	}
	r->addr = SYSTRAP_SLOTS_ADDR + ((uint64_t)r->index << SYSTRAP_SLOT_SHIFT);
	r->fd = memfd_create("systrap-slot", MFD_CLOEXEC);
	if (r->fd < 0 || ftruncate(r->fd, SYSTRAP_SLOT_SIZE) < 0)
		goto fail;
	r->s = mmap(NULL, SYSTRAP_SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->s == MAP_FAILED) {
		r->s = NULL;
		goto fail;
	}
	/* Forks of the sentry (new stubs, the gofer) need not see it. */
	madvise(r->s, SYSTRAP_SLOT_SIZE, MADV_DONTFORK);
	r->s->self = r->addr;
	if (getrandom(&r->s->nonce, sizeof r->s->nonce, 0) != sizeof r->s->nonce)
		r->s->nonce = now_ns() ^ (uint64_t)r->addr;
	r->s->spin_cycles = st.stub_spin_cycles;
	r->s->xsave_mask = st.xsave_mask;
	r->s->has_rdpid = st.has_rdpid;
	r->s->state = TURN_STUB;
	*out = r;
	return 0;
fail:;
	int err = -errno;
	slot_free(r);
	return err;
}

/* --- turn-taking ------------------------------------------------------------ */

static bool stub_dead(struct platform_ctx *ctx)
{
	struct pollfd p = { .fd = ctx->pidfd, .events = POLLIN };
	if (ctx->pidfd < 0)
		return kill(ctx->tid, 0) < 0 && errno == ESRCH;
	return poll(&p, 1, 0) > 0;
}

/* The CPU this thread runs on (Linux keeps it in TSC_AUX): RDPID where the
 * CPU has it, a third of the cost of RDTSCP. */
static uint32_t this_cpu(void)
{
	uint64_t aux;
	if (st.has_rdpid) {
		__asm__ volatile("rdpid %0" : "=r"(aux));
	} else {
		unsigned a;
		__builtin_ia32_rdtscp(&a);
		aux = a;
	}
	return (uint32_t)aux & 0xfff;
}

static void hand_to_stub(struct platform_ctx *ctx)
{
	struct stub_slot *s = ctx->slot->s;
	if (s->sentry_sleeps)
		s->sentry_sleeps = 0;
	ctx->cpu = this_cpu();
	if (s->sentry_cpu != ctx->cpu)   /* a line the stub reads: keep it clean */
		s->sentry_cpu = ctx->cpu;
	atomic_store_explicit((_Atomic uint32_t *)&s->state, TURN_STUB, memory_order_seq_cst);
	if (atomic_load_explicit((_Atomic uint32_t *)&s->stub_waiting, memory_order_seq_cst))
		syscall(SYS_futex, &s->state, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Moves the calling thread off `cpu` (to another it may run on) and gives
 * it back the CPUs it had.  The guest's sched_setaffinity for this task,
 * made from another thread between the two calls, would be undone (the
 * sentry's record of it stays right). */
static void move_off_cpu(uint32_t cpu)
{
	cpu_set_t mine, others;
	if (cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof mine, &mine) < 0 ||
	    CPU_COUNT(&mine) < 2 || !CPU_ISSET(cpu, &mine))
		return;
	others = mine;
	CPU_CLR(cpu, &others);
	if (sched_setaffinity(0, sizeof others, &others) == 0)
		sched_setaffinity(0, sizeof mine, &mine);
}

/* The stub is on our CPU again: every turn then costs two futex wake-ups
 * and context switches (3-30 us here instead of 0.1 us spinning), and
 * Linux, waking each of the two on the other's CPU, can leave them there
 * with the other CPU idle for 100 ms at a time (measured: 24000 round trips
 * in a row; 4 runs in 10 of the unpatched getpid benchmark 40% slower).
 * After a run of such waits the sentry thread moves itself to another CPU.
 * When the two keep meeting (more threads than CPUs), moving does not help:
 * a move within 1 ms of the last doubles the run it takes, up to 4096. */
#define SAME_CPU_WAITS 16

static void same_cpu_wait(struct platform_ctx *ctx)
{
	if (++ctx->same_cpu_waits < ctx->same_cpu_limit)
		return;
	uint64_t now = __builtin_ia32_rdtsc();
	if (now - ctx->moved_at < st.tsc_per_ms)
		ctx->same_cpu_limit = ctx->same_cpu_limit < 4096 ? ctx->same_cpu_limit * 2 : 4096;
	else
		ctx->same_cpu_limit = SAME_CPU_WAITS;
	ctx->same_cpu_waits = 0;
	ctx->moved_at = now;
	move_off_cpu(ctx->cpu);
}

/* Waits until the stub hands the turn back.  -ESRCH if it died. */
static int wait_for_stub(struct platform_ctx *ctx)
{
	struct stub_slot *s = ctx->slot->s;
	_Atomic uint32_t *state = (_Atomic uint32_t *)&s->state;
	if (ctx->dead)
		return -ESRCH;
	unsigned n = 0, unanswered = 0;
	/* Guest code runs on the stub's CPU; spinning there would stall it. */
	if (s->stub_cpu == ctx->cpu) {
		same_cpu_wait(ctx);
		goto sleep;
	}
	ctx->same_cpu_waits = 0;
	/* The clock starts at the first look at it: a patched syscall's round
	 * trip is over before that. */
	uint64_t start = 0;
	while (atomic_load(state) != TURN_SENTRY) {
		__builtin_ia32_pause();
		if ((++n & 63) == 0) {
			uint64_t now = __builtin_ia32_rdtsc();
			if (!start)
				start = now;
			else if (now - start > st.spin_cycles)
				goto sleep;
		}
	}
	return 0;
sleep:
	for (;;) {
		atomic_store((_Atomic uint32_t *)&s->sentry_waiting, 1);
		if (atomic_load(state) == TURN_SENTRY)
			break;
		struct timespec timeout = { 0, 100 * 1000 * 1000 };
		long r = syscall(SYS_futex, &s->state, FUTEX_WAIT, TURN_STUB, &timeout, NULL, 0);
		uint32_t v = atomic_load(state);
		if (v == TURN_SENTRY)
			break;
		if (v != TURN_STUB) {
			/* Neither side's value: guest code overwrote its own slot
			 * (FUTEX_WAIT would fail at once forever: a busy loop). */
			log_warn("stub %d: its slot was overwritten; killing it", ctx->tid);
			kill(ctx->tid, SIGKILL);
			ctx->dead = true;
			return -ESRCH;
		}
		if (r < 0 && errno == ETIMEDOUT) {
			if (stub_dead(ctx)) {
				ctx->dead = true;
				return -ESRCH;
			}
			/* Guest code can block the host's signals in its stub
			 * (through the stub's rt_sigreturn); a kick that goes
			 * unanswered for long means it did.  Long is 2 s since
			 * the kick and 20 of these waits: a sandbox stopped
			 * (SIGSTOP) and continued sees a wall-clock jump, one
			 * wait, and a stub that answers once it runs again. */
			uint64_t k = atomic_load(&ctx->kicked_at);
			unanswered = k ? unanswered + 1 : 0;
			if (k && now_ns() - k > 2000000000ULL && unanswered >= KICK_WAITS) {
				log_warn("stub %d: does not answer; killing it", ctx->tid);
				kill(ctx->tid, SIGKILL);
			}
		}
	}
	atomic_store((_Atomic uint32_t *)&s->sentry_waiting, 0);
	return 0;
}

/* Runs one request in the stub; returns its result. */
static long stub_request(struct platform_ctx *ctx, uint64_t op, uint64_t a0, uint64_t a1,
			 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
	struct stub_slot *s = ctx->slot->s;
	if (ctx->dead)
		return -ESRCH;
	s->op = op;
	s->args[0] = a0;
	s->args[1] = a1;
	s->args[2] = a2;
	s->args[3] = a3;
	s->args[4] = a4;
	s->args[5] = a5;
	s->args[6] = a6;
	hand_to_stub(ctx);
	int err = wait_for_stub(ctx);
	if (err < 0)
		return err;
	if (s->event != EV_RESULT)
		return -EIO;   /* guest code scribbled on its slot */
	return s->result;
}

/* --- contexts ----------------------------------------------------------------- */

static struct platform_ctx *ctx_new(pid_t tid, struct slot_ref *slot)
{
	struct platform_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	ctx->tid = tid;
	ctx->slot = slot;
	ctx->same_cpu_limit = SAME_CPU_WAITS;
	ctx->pidfd = (int)syscall(SYS_pidfd_open, tid, 0);
	return ctx;
}

/* Reaps whatever children of the sentry have died: stubs it forked, and
 * stubs whose parent stub died before them (the sentry is the init of its
 * pid namespace, so orphans come to it).  Nothing else of the sentry's is
 * waited for. */
static void reap_dead_stubs(void)
{
	for (;;) {
		siginfo_t si;
		si.si_pid = 0;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL) < 0 || si.si_pid == 0)
			return;
	}
}

/* Kills the stub and waits until it is gone (measured: letting its teardown
 * run on behind our back makes fork and exec slower on two CPUs, as it then
 * competes with the spinning of the next round trips). */
static void stub_kill(pid_t tid, int pidfd)
{
	kill(tid, SIGKILL);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
	}
	reap_dead_stubs();
}

static void systrap_destroy(struct platform_ctx *ctx)
{
	if (!ctx)
		return;
	stub_kill(ctx->tid, ctx->pidfd);
	if (ctx->pidfd >= 0)
		close(ctx->pidfd);
	slot_free(ctx->slot);
	patch_state_put(ctx->patch);
	filewin_put(ctx->windows);
	free(ctx);
}

/* Waits for a new stub's EV_READY. */
static int wait_ready(struct platform_ctx *ctx)
{
	int err = wait_for_stub(ctx);
	if (err < 0)
		return err;
	if (ctx->slot->s->event != EV_READY)
		return -EIO;
	return 0;
}

/* Runs in the child of fork(), a copy of the sentry: only raw syscalls and
 * memcpy until it jumps into the stub code.  sock: its end of the slot's
 * fd-passing socket. */
static _Noreturn void stub_child(struct slot_ref *slot, int sock)
{
	/* The code, the data page and this thread's slot (mapped before its fd
	 * goes with the others). */
	size_t code_len = (size_t)(__stop_systrap_stub - __start_systrap_stub);
	void *code = mmap((void *)SYSTRAP_CODE_ADDR, SYSTRAP_SLOTS_ADDR - SYSTRAP_CODE_ADDR,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (code != (void *)SYSTRAP_CODE_ADDR)
		_exit(127);
	memcpy(code, __start_systrap_stub, code_len);
	memcpy((char *)SYSTRAP_DATA_ADDR + SYSTRAP_DATA_UNMAP, st.unmap, sizeof st.unmap);
	if (mprotect(code, SYSTRAP_CODE_SIZE, PROT_READ | PROT_EXEC) < 0 ||
	    mprotect((void *)PATCH_TRAMP_ADDR, PATCH_TRAMP_END - PATCH_TRAMP_ADDR,
		     PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		_exit(127);
	void *s = mmap((void *)slot->addr, SYSTRAP_SLOT_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, slot->fd, 0);
	if (s != (void *)slot->addr)
		_exit(127);
	madvise(s, SYSTRAP_SLOT_SIZE, MADV_DONTFORK);
	platform_stub_child_start(sock, st.sentry_pid, SYSTRAP_SOCK_FD);

	/* Every host signal goes to the stub's handler, on the slot's signal
	 * stack, with every other signal blocked meanwhile, except SIGSYS's
	 * (see below). */
	stack_t ss = { .ss_sp = (char *)s + SLOT_ALTSTACK_OFF, .ss_size = SLOT_ALTSTACK_SIZE };
	if (sigaltstack(&ss, NULL) < 0)
		_exit(127);
	struct kernel_sigaction {
		uint64_t handler, flags, restorer, mask;
	} ka = {
		.handler = SYSTRAP_ADDR_OF(systrap_signal_handler),
		.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
		.restorer = SYSTRAP_ADDR_OF(systrap_restorer),
		.mask = ~0ULL,
	};
	for (int sig = 1; sig < 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		struct kernel_sigaction k = ka;
		if (sig == SIGSYS) {
			/* Served without returning from the handler (serve_now
			 * in stub/stub.c): the mask must stay the guest code's. */
			k.flags |= SA_NODEFER;
			k.mask = 0;
		}
		if (sig == SIGCHLD) {   /* stub children are reaped by the host */
			k.handler = (uint64_t)SIG_IGN;
			k.flags = SA_RESTORER;
		}
		if (syscall(SYS_rt_sigaction, sig, &k, NULL, 8) < 0)
			_exit(127);
	}
	uint64_t none = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, slot->addr) < 0)
		_exit(127);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &st.filter) < 0)
		_exit(127);

	uint64_t entry = SYSTRAP_ADDR_OF(systrap_entry_init);
	uint64_t list = SYSTRAP_DATA_ADDR + SYSTRAP_DATA_UNMAP;
	uint64_t stack = slot->addr + SLOT_STACK_TOP;
	__asm__ volatile("mov %0, %%rdi\n\t"
			 "mov %1, %%rsi\n\t"
			 "mov %2, %%rdx\n\t"
			 "mov %3, %%rsp\n\t"
			 "jmp *%4\n\t"
			 :
			 : "r"(list), "r"((uint64_t)st.nunmap), "r"(slot->addr), "r"(stack),
			   "r"(entry)
			 : "rdi", "rsi", "rdx", "memory");
	__builtin_unreachable();
}

/* A stub forked from the sentry itself: it unmaps the sentry's image and
 * serves its slot.  Used once, for the template (see systrap_create). */
static int create_from_sentry(struct platform_ctx **out)
{
	struct slot_ref *slot;
	int sock, err = slot_alloc(&slot);
	if (err < 0)
		return err;
	if ((err = fdpass_chan_new(&slot->chan, &sock)) < 0) {
		slot_free(slot);
		return err;
	}
	pid_t pid = platform_clone_stub();
	if (pid < 0) {
		err = -errno;
		close(sock);
		slot_free(slot);
		return err;
	}
	if (pid == 0)
		stub_child(slot, sock);
	close(sock);

	struct platform_ctx *ctx = ctx_new(pid, slot);
	if (!ctx) {
		stub_kill(pid, -1);
		waitpid(pid, NULL, __WALL);
		slot_free(slot);
		return -ENOMEM;
	}
	if ((err = wait_ready(ctx)) < 0) {
		log_warn("could not start a stub process: %s", strerror(-err));
		systrap_destroy(ctx);
		return err == -ESRCH ? -EAGAIN : err;
	}
	ctx->regs.cs = 0x33;
	ctx->regs.ss = 0x2b;
	ctx->regs.eflags = 0x202;
	ctx->patch = patch_state_new();
	*out = ctx;
	return 0;
}

static int systrap_clone(struct platform_ctx *parent, bool share_vm, struct platform_handoff *out);
static int systrap_adopt(const struct platform_handoff *h, struct platform_ctx **out);

/* A fresh address space is a fork of the template: a stub that runs no guest
 * code and whose address space holds only the stub region and the vDSO.
 * Forking that takes a fraction of forking the sentry (whose copy would then
 * have to be unmapped again), and the new stub comes with its handlers, its
 * signal stack and its seccomp filter already in place.  The template is
 * made once, at start-up: the sentry's last filter (docs/security.md) lets
 * it make neither processes nor executable memory afterwards, so a
 * template killed on the host (out of memory?) is not made again. */
static int systrap_create(struct platform_ctx **out)
{
	struct platform_handoff h;
	pthread_mutex_lock(&st.template_lock);
	int err = systrap_clone(st.template, false, &h);
	pthread_mutex_unlock(&st.template_lock);
	if (err == -ESRCH)
		log_error("the stub template is gone: no new address space can be made");
	if (err < 0)
		return err == -ESRCH ? -EAGAIN : err;
	struct platform_ctx *ctx;
	if ((err = systrap_adopt(&h, &ctx)) < 0)
		return err;
	/* Registers of a process that has not run yet; no patches. */
	memset(&ctx->regs, 0, sizeof ctx->regs);
	ctx->regs.cs = 0x33;
	ctx->regs.ss = 0x2b;
	ctx->regs.eflags = 0x202;
	patch_state_put(ctx->patch);
	ctx->patch = patch_state_new();
	*out = ctx;
	return 0;
}

static long systrap_host_syscall(struct platform_ctx *ctx, long nr, uint64_t a0, uint64_t a1,
				 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return stub_request(ctx, OP_SYSCALL, (uint64_t)nr, a0, a1, a2, a3, a4, a5);
}

/* execve in the same stub process (platform.h).  Everything outside the
 * stub region and the vDSO goes (the list a fresh stub unmaps the sentry's
 * image with); in the region, whatever is not this thread's slot, its
 * code, data page or trampolines (dead threads' slots, file windows) gets
 * the PROT_NONE reservation back, as a fresh stub has it. */
static int systrap_reset(struct platform_ctx *ctx)
{
	for (size_t i = 0; i < st.nunmap; i++) {
		long r = systrap_host_syscall(ctx, __NR_munmap, st.unmap[i][0], st.unmap[i][1], 0, 0, 0,
					      0);
		if (r < 0)
			return (int)r;
	}
	uint64_t own = ctx->slot->addr;
	uint64_t spans[2][2] = { { SYSTRAP_SLOTS_ADDR, own },
				 { own + SYSTRAP_SLOT_SIZE, STUB_REGION_END } };
	for (int i = 0; i < 2; i++) {
		if (spans[i][1] <= spans[i][0])
			continue;
		long r = systrap_host_syscall(ctx, __NR_mmap, spans[i][0], spans[i][1] - spans[i][0],
					      PROT_NONE,
					      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
					      (uint64_t)-1, 0);
		if (r < 0 && r > -4096)
			return (int)r;
	}
	filewin_put(ctx->windows);
	ctx->windows = filewin_new();
	patch_state_put(ctx->patch);
	ctx->patch = patch_state_new();
	/* (what store_regs compares with: the slot's, whatever the last
	 * event left valid of them) */
	ctx->seen = ctx->slot->s->regs;
	memset(&ctx->regs, 0, sizeof ctx->regs);
	ctx->partial = false;
	ctx->regs.cs = 0x33;
	ctx->regs.ss = 0x2b;
	ctx->regs.eflags = 0x202;
	return ctx->windows && ctx->patch ? 0 : -ENOMEM;
}

static ssize_t systrap_read_mem(struct platform_ctx *ctx, void *dst, uint64_t src, size_t n)
{
	return platform_vm_read(ctx->tid, dst, src, n);
}

static ssize_t systrap_write_mem(struct platform_ctx *ctx, uint64_t dst, const void *src,
				 size_t n)
{
	return platform_vm_write(ctx->tid, dst, src, n);
}

static long systrap_mmap_fd(struct platform_ctx *ctx, uint64_t addr, uint64_t len, int prot,
			  int flags, int host_fd, uint64_t offset)
{
	struct fdpass_stub stub = { &systrap_platform_ops, ctx,
				    SYSTRAP_DATA_ADDR + SYSTRAP_DATA_MSG, SYSTRAP_SOCK_FD };
	pthread_mutex_lock(&st.fdpass_lock);
	long r = fdpass_mmap(&ctx->slot->chan, &stub, addr, len, prot, flags, host_fd, offset);
	pthread_mutex_unlock(&st.fdpass_lock);
	return r;
}

/* --- file windows (see filewin.h) ---------------------------------------------- */

_Static_assert(SYSTRAP_WIN_ADDR >= SYSTRAP_SLOTS_ADDR +
			(uint64_t)SYSTRAP_MAX_SLOTS * SYSTRAP_SLOT_SIZE &&
	       SYSTRAP_WIN_ADDR + (uint64_t)SYSTRAP_WIN_COUNT * SYSTRAP_WIN_SIZE <=
			STUB_REGION_END, "file windows inside the stub region, past the slots");

struct window_source {
	struct platform_ctx *ctx;
	int fd;
};

static int map_window(void *arg, uint64_t addr, uint64_t chunk)
{
	const struct window_source *src = arg;
	long r = systrap_mmap_fd(src->ctx, addr, SYSTRAP_WIN_SIZE, PROT_READ,
				 MAP_SHARED | MAP_FIXED, src->fd, chunk * SYSTRAP_WIN_SIZE);
	if (r < 0)
		return (int)r;
	r = systrap_host_syscall(src->ctx, __NR_madvise, addr, SYSTRAP_WIN_SIZE, MADV_DONTFORK,
				 0, 0, 0);
	return r < 0 ? (int)r : 0;
}

/* Back to the empty reservation the rest of the stub region is. */
static void unmap_window(void *arg, uint64_t addr)
{
	systrap_host_syscall(arg, __NR_mmap, addr, SYSTRAP_WIN_SIZE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, (uint64_t)-1, 0);
}

static void systrap_forget_file(struct platform_ctx *ctx, uint64_t id)
{
	filewin_forget(ctx->windows, id, unmap_window, ctx);
}

static ssize_t systrap_copy_file(struct platform_ctx *ctx, uint64_t dst, int host_fd,
				 uint64_t id, uint64_t off, size_t n)
{
	struct window_source src = { ctx, host_fd };
	size_t done = 0;
	while (done < n) {
		uint64_t at = off + done, within = at % SYSTRAP_WIN_SIZE;
		size_t piece = n - done;
		if (piece > SYSTRAP_WIN_SIZE - within)
			piece = SYSTRAP_WIN_SIZE - within;
		uint64_t win = filewin_acquire(ctx->windows, id, at / SYSTRAP_WIN_SIZE, map_window,
					       &src);
		if (!win)
			return done ? (ssize_t)done : -EOPNOTSUPP;
		long r = stub_request(ctx, OP_COPY, dst + done, win + within, piece, 0, 0, 0, 0);
		filewin_release(ctx->windows, win);
		/* The count comes back through the slot, which guest code can
		 * write: never more than asked. */
		if (r < 0 || (uint64_t)r > piece)
			r = 0;
		done += (size_t)r;
		if ((size_t)r < piece)
			return done ? (ssize_t)done : -EFAULT;
	}
	return (ssize_t)done;
}

/* --- clone ---------------------------------------------------------------------- */

/* A socketpair for the stub of slot, whose stub end is handed to the parent
 * stub: the fd number it has there, or -errno. */
static long new_stub_socket(struct platform_ctx *parent, struct slot_ref *slot)
{
	int end;
	int err = fdpass_chan_new(&slot->chan, &end);
	if (err < 0)
		return err;
	struct fdpass_stub stub = { &systrap_platform_ops, parent,
				    SYSTRAP_DATA_ADDR + SYSTRAP_DATA_MSG, SYSTRAP_SOCK_FD };
	pthread_mutex_lock(&st.fdpass_lock);
	long fd = fdpass_send(&parent->slot->chan, &stub, end);
	pthread_mutex_unlock(&st.fdpass_lock);
	close(end);
	if (fd >= 0 && fd == SYSTRAP_SOCK_FD)
		fd = -EIO;   /* (its own closed: the guest's doing) */
	return fd;
}

static int systrap_clone(struct platform_ctx *parent, bool share_vm, struct platform_handoff *out)
{
	struct slot_ref *slot;
	int err = slot_alloc(&slot);
	if (err < 0)
		return err;
	/* The child's slot must be in its address space when it starts: for a
	 * thread, mapped in the shared one; for a fork, mapped in the parent
	 * just across the clone (the parent's own slots are MADV_DONTFORK). */
	long r = systrap_mmap_fd(parent, slot->addr, SYSTRAP_SLOT_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, slot->fd, 0);
	if (r < 0) {
		slot_free(slot);
		return (int)r;
	}
	/* The child's own fd-passing socket goes through the parent, which
	 * runs no guest code meanwhile: the child takes it as its fd 3 (the
	 * parent's, until then) and the parent closes its copy. */
	long sock = new_stub_socket(parent, slot);
	if (sock < 0) {
		systrap_host_syscall(parent, __NR_munmap, slot->addr, SYSTRAP_SLOT_SIZE, 0, 0, 0, 0);
		slot_free(slot);
		return (int)sock;
	}
	uint64_t flags = share_vm ? (CLONE_VM | SIGCHLD) : SIGCHLD;
	long tid = stub_request(parent, OP_CLONE, flags, slot->addr, (uint64_t)sock, 0, 0, 0, 0);
	if (!share_vm || tid < 0)
		systrap_host_syscall(parent, __NR_munmap, slot->addr, SYSTRAP_SLOT_SIZE, 0, 0, 0, 0);
	if (tid < 0) {
		slot_free(slot);
		return (int)tid;
	}
	/* The pid came back through the slot, which guest code can write: it
	 * must name a process that maps this very slot (the child, or at worst
	 * another thread of the same guest process), never the gofer or a
	 * stub of another process that the sentry would later kill. */
	uint64_t seen = 0;
	if (tid <= 0 || tid > INT32_MAX ||
	    platform_vm_read((pid_t)tid, &seen, slot->addr + offsetof(struct stub_slot, nonce),
			     sizeof seen) != sizeof seen || seen != slot->s->nonce) {
		log_warn("stub %d: clone reported a process that is not its child", parent->tid);
		slot_free(slot);
		return -EAGAIN;
	}
	out->host_tid = (pid_t)tid;
	out->regs = *systrap_regs(parent);
	out->share_vm = share_vm;
	out->priv = slot;
	out->priv2 = share_vm ? patch_state_get(parent->patch) : patch_state_fork(parent->patch);
	/* A fork has none of the parent's windows (MADV_DONTFORK). */
	out->priv3 = share_vm ? filewin_get(parent->windows) : filewin_new();
	return 0;
}

static int systrap_adopt(const struct platform_handoff *h, struct platform_ctx **out)
{
	struct platform_ctx *ctx = ctx_new(h->host_tid, h->priv);
	if (!ctx) {
		kill(h->host_tid, SIGKILL);
		slot_free(h->priv);
		patch_state_put(h->priv2);
		filewin_put(h->priv3);
		return -ENOMEM;
	}
	ctx->patch = h->priv2;
	ctx->windows = h->priv3;
	int err = wait_ready(ctx);
	if (err < 0) {
		systrap_destroy(ctx);
		return err;
	}
	ctx->regs = h->regs;
	*out = ctx;
	return 0;
}

static void systrap_abandon(const struct platform_handoff *h)
{
	int pidfd = (int)syscall(SYS_pidfd_open, h->host_tid, 0);
	stub_kill(h->host_tid, pidfd);
	if (pidfd >= 0)
		close(pidfd);
	slot_free(h->priv);
	patch_state_put(h->priv2);
	filewin_put(h->priv3);
}

/* --- running guest code ------------------------------------------------------- */

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

/* Writes back the registers the stub will load, but only those that changed
 * since it stored them: usually just rax, so the lines the stub wrote stay
 * in its CPU's cache. */
static void store_regs(struct platform_ctx *ctx)
{
	struct stub_slot *s = ctx->slot->s;
	s->sys_ret = ctx->regs.rax;
	if (ctx->partial)
		return;   /* nothing but rax can have changed */
	/* No single-stepping through the stub's own exit path. */
	ctx->regs.eflags = (ctx->regs.eflags & ~0x100ULL) | 0x202;
	struct user_regs_struct *d = &s->regs;
	const struct user_regs_struct *r = &ctx->regs, *o = &ctx->seen;
#define STORE(f) do { if (r->f != o->f) d->f = r->f; } while (0)
	STORE(r15); STORE(r14); STORE(r13); STORE(r12); STORE(rbp); STORE(rbx);
	STORE(r11); STORE(r10); STORE(r9); STORE(r8); STORE(rcx);
	STORE(rdx); STORE(rsi); STORE(rdi); STORE(rip); STORE(eflags); STORE(rsp);
	STORE(fs_base);
#undef STORE
	ctx->seen = ctx->regs;
}

/* The full registers from the slot, over a partial set. */
static void complete_regs(struct platform_ctx *ctx)
{
	if (!ctx->partial)
		return;
	struct user_regs_struct full = ctx->slot->s->regs;
	ctx->seen = full;
	full.rax = ctx->regs.rax;
	full.orig_rax = ctx->regs.orig_rax;
	full.rdi = ctx->regs.rdi;
	full.rsi = ctx->regs.rsi;
	full.rdx = ctx->regs.rdx;
	full.r10 = ctx->regs.r10;
	full.r8 = ctx->regs.r8;
	full.r9 = ctx->regs.r9;
	full.cs = ctx->regs.cs;
	full.ss = ctx->regs.ss;
	full.ds = ctx->regs.ds;
	full.es = ctx->regs.es;
	full.fs = ctx->regs.fs;
	full.gs = ctx->regs.gs;
	full.gs_base = ctx->regs.gs_base;
	ctx->regs = full;
	ctx->partial = false;
}

static int systrap_run(struct platform_ctx *ctx, struct platform_event *ev)
{
	struct stub_slot *s = ctx->slot->s;
	ev->patch_rip = 0;
	if (ctx->dead) {
		ev->kind = PLATFORM_EXITED;
		return 0;
	}
	store_regs(ctx);
	s->op = OP_RESUME;
	hand_to_stub(ctx);
	int err = wait_for_stub(ctx);
	if (atomic_load_explicit(&ctx->kicked_at, memory_order_relaxed))
		atomic_store(&ctx->kicked_at, 0);
	if (err == -ESRCH) {
		ev->kind = PLATFORM_EXITED;
		return 0;
	}
	if (err < 0)
		return err;
	uint32_t event = s->event;
	if (event == EV_FAST || event == EV_TRAP) {
		/* The syscall's own cache line; the rest waits in the slot. */
		ctx->regs.orig_rax = s->sys_nr;
		ctx->regs.rdi = s->sys_args[0];
		ctx->regs.rsi = s->sys_args[1];
		ctx->regs.rdx = s->sys_args[2];
		ctx->regs.r10 = s->sys_args[3];
		ctx->regs.r8 = s->sys_args[4];
		ctx->regs.r9 = s->sys_args[5];
		ctx->regs.rax = (uint64_t)-ENOSYS;
		ctx->partial = true;
		ev->kind = PLATFORM_SYSCALL;
		if (event == EV_TRAP && st.patching && ctx->patch) {
			/* (From the slot, which the guest can write: patch()
			 * checks the site's bytes before it changes anything.) */
			uint64_t rip = s->regs.rip;
			ev->patch_rip = patch_state_count_trap(ctx->patch, rip) ? rip : 0;
		}
		return 0;
	}
	if (event == EV_INTERRUPT) {
		/* Caught before any guest code ran: the registers are ours. */
		ev->kind = PLATFORM_INTERRUPT;
		return 0;
	}
	/* The guest can write its slot: take a private copy, once. */
	struct user_regs_struct regs = s->regs;
	uint64_t host_cs = regs.cs;   /* the code segment the signal found */
	ctx->partial = false;
	regs.cs = ctx->regs.cs;
	regs.ss = ctx->regs.ss;
	regs.ds = ctx->regs.ds;
	regs.es = ctx->regs.es;
	regs.fs = ctx->regs.fs;
	regs.gs = ctx->regs.gs;
	regs.gs_base = ctx->regs.gs_base;   /* the guest's; the host's is the slot */
	ctx->seen = regs;
	ctx->regs = regs;
	siginfo_t info;
	memcpy(&info, (const void *)&s->info, sizeof info);
	if ((host_cs & 0xffff) != PLATFORM_USER_CS) {
		ev->kind = PLATFORM_COMPAT_MODE;
		if (!is_fault_signal(info.si_signo) || info.si_code <= 0)
			memset(&info, 0, sizeof info);
		ev->info = info;
	} else if (info.si_signo == SIGSYS && info.si_code == 1 /* SYS_SECCOMP */ &&
		   info.si_arch != AUDIT_ARCH_X86_64) {
		/* int $0x80: seccomp rolled rax back to the number. */
		platform_int80_fault(&ctx->regs, regs.rax, ev);
	} else if (info.si_signo == SIGSYS && info.si_code == 1 /* SYS_SECCOMP */) {
		ctx->regs.orig_rax = regs.rax;
		ctx->regs.rax = (uint64_t)-ENOSYS;
		ev->kind = PLATFORM_SYSCALL;
		ev->patch_rip = st.patching && ctx->patch &&
				patch_state_count_trap(ctx->patch, regs.rip) ? regs.rip : 0;
	} else if (is_fault_signal(info.si_signo) && info.si_code > 0) {
		ev->kind = PLATFORM_FAULT;
		ev->info = info;
	} else {
		ev->kind = PLATFORM_INTERRUPT;
	}
	return 0;
}

static struct user_regs_struct *systrap_regs(struct platform_ctx *ctx)
{
	complete_regs(ctx);
	return &ctx->regs;
}

static long systrap_syscall_args(struct platform_ctx *ctx, uint64_t args[6])
{
	const struct user_regs_struct *r = &ctx->regs;
	args[0] = r->rdi;
	args[1] = r->rsi;
	args[2] = r->rdx;
	args[3] = r->r10;
	args[4] = r->r8;
	args[5] = r->r9;
	return (long)r->orig_rax;
}

static void systrap_set_return(struct platform_ctx *ctx, uint64_t rax)
{
	ctx->regs.rax = rax;
}

static void systrap_will_block(struct platform_ctx *ctx)
{
	ctx->slot->s->sentry_sleeps = 1;
}

/* The XSAVE area's legacy region has the fxsave layout of
 * user_fpregs_struct; its header follows at byte 512. */
static int systrap_get_fpregs(struct platform_ctx *ctx, struct user_fpregs_struct *fp)
{
	long r = stub_request(ctx, OP_XSAVE, 0, 0, 0, 0, 0, 0, 0);
	if (r < 0)
		return (int)r;
	memcpy(fp, (char *)ctx->slot->s + SLOT_FP_OFF, sizeof *fp);
	return 0;
}

static int systrap_set_fpregs(struct platform_ctx *ctx, const struct user_fpregs_struct *fp)
{
	long r = stub_request(ctx, OP_XSAVE, 0, 0, 0, 0, 0, 0, 0);
	if (r < 0)
		return (int)r;
	char *area = (char *)ctx->slot->s + SLOT_FP_OFF;
	struct user_fpregs_struct cur;
	memcpy(&cur, area, sizeof cur);
	struct user_fpregs_struct nfp = *fp;
	/* XRSTOR faults on reserved MXCSR bits: keep only the valid ones. */
	uint32_t mask = cur.mxcr_mask ? cur.mxcr_mask : 0xffbf;
	nfp.mxcsr &= mask;
	nfp.mxcr_mask = cur.mxcr_mask;
	memcpy(area, &nfp, sizeof nfp);
	uint64_t xstate_bv;
	memcpy(&xstate_bv, area + 512, sizeof xstate_bv);
	xstate_bv |= 3;   /* x87 and SSE come from the area */
	memcpy(area + 512, &xstate_bv, sizeof xstate_bv);
	r = stub_request(ctx, OP_XRSTOR, 0, 0, 0, 0, 0, 0, 0);
	return r < 0 ? (int)r : 0;
}

static long systrap_atomic_op(struct platform_ctx *ctx, uint64_t addr, int op, uint32_t operand)
{
	if (op < PLATFORM_ATOMIC_SET || op > PLATFORM_ATOMIC_XOR || (addr & 3))
		return -EINVAL;
	if (addr >= GUEST_TASK_SIZE || (addr >= STUB_REGION_START && addr < STUB_REGION_END))
		return -EFAULT;
	long old = stub_request(ctx, OP_ATOMIC32, addr, (uint64_t)op, operand, 0, 0, 0, 0);
	if (old < 0)
		return old == -ESRCH ? -ESRCH : -EFAULT;
	return (long)(uint32_t)old;
}

static long stub_cmpxchg64_request(struct platform_ctx *ctx, uint64_t addr, uint64_t expected, uint64_t val)
{
	return stub_request(ctx, OP_CMPXCHG64, addr, expected, val, 0, 0, 0, 0);
}

/* --- syscall patching (see patch.h) ------------------------------------------- */

static long mprotect_in(struct platform_ctx *ctx, uint64_t start, uint64_t end, int prot)
{
	start &= ~4095ULL;
	end = (end + 4095) & ~4095ULL;
	return systrap_host_syscall(ctx, __NR_mprotect, start, end - start, (uint64_t)prot, 0, 0, 0);
}

/* Writes len bytes at addr in the guest, made writable for the purpose:
 * with one atomic compare-and-exchange when they fit in an aligned quadword
 * (a thread executing there sees the old or the new bytes), plainly when
 * nothing else runs in the address space, not at all otherwise. */
static int write_code(struct platform_ctx *ctx, uint64_t addr, const uint8_t *bytes, size_t len,
		      const uint8_t *expect, int prot, bool single)
{
	uint64_t q = addr & ~7ULL;
	bool in_one = addr + len <= q + 8;
	if (!in_one && !single)
		return 0;
	if (mprotect_in(ctx, addr, addr + len, prot | PROT_WRITE) < 0)
		return 0;
	int done = 0;
	if (in_one) {
		uint64_t cur;
		if (systrap_read_mem(ctx, &cur, q, 8) == 8) {
			uint64_t want = cur, next = cur;
			memcpy((char *)&want + (addr - q), expect, len);
			memcpy((char *)&next + (addr - q), bytes, len);
			done = want == cur && stub_cmpxchg64_request(ctx, q, want, next) == (long)want;
		}
	} else {
		uint8_t cur[16];
		done = systrap_read_mem(ctx, cur, addr, len) == (ssize_t)len &&
		       memcmp(cur, expect, len) == 0 &&
		       systrap_write_mem(ctx, addr, bytes, len) == (ssize_t)len;
	}
	mprotect_in(ctx, addr, addr + len, prot);
	return done;
}

static int systrap_patch(struct platform_ctx *ctx, uint64_t rip, int prot, bool single)
{
	if (!ctx->patch || rip < PATCH_SITE_LEN + 1)
		return 0;
	uint8_t win[8];
	uint32_t nr = (uint32_t)ctx->regs.orig_rax;
	if (systrap_read_mem(ctx, win, rip - 8, sizeof win) != sizeof win ||
	    !patch_recognise(win, rip, nr))
		return 0;
	uint64_t site = rip - PATCH_SITE_LEN;
	uint64_t tramp = patch_state_lock_next(ctx->patch);
	uint8_t jump[5], code[PATCH_TRAMP_SIZE];
	bool used = false;
	int r = 0;
	if (tramp && patch_jump(jump, site, tramp)) {
		/* The trampoline pages stay writable: changing their protection
		 * would fault threads running the trampolines already there.
		 * They hold only guest-level code. */
		patch_trampoline(code, tramp, rip, nr, SYSTRAP_ADDR_OF(systrap_fast_entry));
		used = systrap_write_mem(ctx, tramp, code, sizeof code) == sizeof code;
		if (used)
			r = write_code(ctx, site, jump, sizeof jump, win + 1, prot, single);
	}
	patch_state_unlock(ctx->patch, used && r > 0);
	if (r > 0)
		log_debug("stub %d: patched the syscall %u site at %#llx", ctx->tid, nr,
			  (unsigned long long)site);
	return r;
}

static void systrap_kick(struct platform_ctx *ctx)
{
	uint64_t zero = 0;
	atomic_compare_exchange_strong(&ctx->kicked_at, &zero, now_ns());
	syscall(SYS_tgkill, ctx->tid, ctx->tid, SIG_KICK);
}

static pid_t systrap_host_tid(struct platform_ctx *ctx)
{
	return ctx->tid;
}

/* --- set-up -------------------------------------------------------------------- */

static void probe_xsave(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	st.xsave_size = b;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	st.xsave_mask = (uint64_t)hi << 32 | lo;
}

/* TSC cycles in a microsecond, roughly. */
/* TSC ticks per microsecond, measured against the clock for 200 us: the
 * spin budgets it scales need no better than a few per cent, and every
 * sandbox's start-up waits for it (2 ms was a sixth of a /bin/true run). */
static uint64_t tsc_per_us(void)
{
	uint64_t t0 = now_ns(), c0 = __builtin_ia32_rdtsc();
	while (now_ns() - t0 < 200000)
		;
	uint64_t t1 = now_ns(), c1 = __builtin_ia32_rdtsc();
	uint64_t r = (c1 - c0) * 1000 / (t1 - t0 ? t1 - t0 : 1);
	return r ? r : 1000;
}

static int systrap_init(const struct platform_config *cfg)
{
	size_t code_len = (size_t)(__stop_systrap_stub - __start_systrap_stub);
	if (code_len > SYSTRAP_CODE_SIZE)
		return -E2BIG;
	if (!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE)) {
		log_error("systrap needs the FSGSBASE instructions (Linux 5.9 or later on a CPU "
			  "that has them); use --platform=ptrace");
		return -ENOSYS;
	}
	probe_xsave();
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	st.has_rdpid = c & (1u << 22);
	if (st.xsave_size == 0 || st.xsave_size > SLOT_FP_MAX)
		return -ENOTSUP;
	st.sentry_pid = getpid();
	st.patching = cfg->patch;
	if (st.patching && patch_decoder_load() < 0) {
		log_warn("systrap: capstone cannot be loaded: syscall patching is off");
		st.patching = false;
	}
	/* Spin a few microseconds before sleeping: a syscall round trip
	 * takes less, a guest computing for longer is worth a futex. */
	uint64_t per_us = tsc_per_us();
	st.spin_cycles = 20 * per_us;
	st.stub_spin_cycles = 50 * per_us;   /* the sentry says when it sleeps */
	st.tsc_per_ms = 1000 * per_us;
	size_t n = build_stub_filter();
	if (n > sizeof stub_filter / sizeof stub_filter[0])
		return -E2BIG;
	st.filter.len = (unsigned short)n;
	st.filter.filter = stub_filter;
	int err = platform_reserve_stub_region();
	if (err < 0)
		return err;
	st.nunmap = platform_unmap_list(st.unmap, SYSTRAP_MAX_UNMAP);
	/* Now, while the sentry is small and single-threaded; the main
	 * thread, whose death the template follows (PR_SET_PDEATHSIG), lives
	 * as long as the sandbox. */
	return create_from_sentry(&st.template);
}

/* capstone, while its library can still be opened (see patch.h). */
static void systrap_preload(const struct platform_config *cfg)
{
	if (cfg->patch)
		patch_decoder_load();
}

const struct platform_ops systrap_platform_ops = {
	.name = "systrap",
	.init = systrap_init,
	.preload = systrap_preload,
	.create = systrap_create,
	.reset = systrap_reset,
	.clone = systrap_clone,
	.adopt = systrap_adopt,
	.abandon = systrap_abandon,
	.run = systrap_run,
	.regs = systrap_regs,
	.get_fpregs = systrap_get_fpregs,
	.set_fpregs = systrap_set_fpregs,
	.host_syscall = systrap_host_syscall,
	.mmap_fd = systrap_mmap_fd,
	.atomic_op = systrap_atomic_op,
	.read_mem = systrap_read_mem,
	.write_mem = systrap_write_mem,
	.copy_file = systrap_copy_file,
	.forget_file = systrap_forget_file,
	.kick = systrap_kick,
	.destroy = systrap_destroy,
	.host_tid = systrap_host_tid,
	.patch = systrap_patch,
	.syscall_args = systrap_syscall_args,
	.set_return = systrap_set_return,
	.will_block = systrap_will_block,
};
