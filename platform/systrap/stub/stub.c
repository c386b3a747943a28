/* The systrap stub's C code: the host signal handler and the loop that
 * serves the sentry's requests.
 *
 * This file is compiled freestanding into section systrap_stub (see the
 * Makefile) and copied into every guest address space, so it must not refer
 * to anything outside the section: no libc, no global data, no string
 * literals, no jump tables, no floating point or SSE (the guest's FPU state
 * stays live in the CPU while the stub serves the sentry).  Every function is
 * static or hidden, so that its address is taken RIP-relative.
 *
 * The protocol with the sentry (systrap.c) is turn-taking on slot->state:
 * the stub fills in an event or a result and hands the turn to the sentry,
 * which answers with a request (a host syscall, an FPU save...) or OP_RESUME.
 * Each side spins briefly for its turn, then sleeps on the futex.
 */
#include <stdint.h>
#include <signal.h>
#include <ucontext.h>
#include <asm/unistd.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <sys/mman.h>

#include "platform/systrap/stub_layout.h"

#define STUB __attribute__((section("systrap_stub"), visibility("hidden")))
#define STUB_STATIC static __attribute__((section("systrap_stub")))

STUB void stub_serve(struct stub_slot *s) __attribute__((noreturn));
STUB void stub_child_start(struct stub_slot *s, long sock) __attribute__((noreturn));
void systrap_serve_now(struct stub_slot *s) STUB_HIDDEN __attribute__((noreturn));
long systrap_do_atomic32(uint64_t addr, uint64_t op, uint64_t operand) STUB_HIDDEN;
long systrap_do_cmpxchg64(uint64_t addr, uint64_t expected, uint64_t val) STUB_HIDDEN;
long systrap_do_clone(uint64_t flags, uint64_t stack, uint64_t slot, long sock) STUB_HIDDEN;
long systrap_do_copy(uint64_t dst, uint64_t src, uint64_t n) STUB_HIDDEN;
long systrap_exit(struct stub_slot *s) STUB_HIDDEN;

STUB_STATIC long raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

STUB_STATIC uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The CPU we run on (Linux keeps it in TSC_AUX): RDPID where the CPU has it,
 * a third of the cost of RDTSCP. */
STUB_STATIC uint32_t this_cpu(const struct stub_slot *s)
{
	uint64_t aux;
	if (s->has_rdpid) {
		__asm__ volatile("rdpid %0" : "=r"(aux));
	} else {
		uint32_t lo, hi, a;
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(a));
		aux = a;
	}
	return (uint32_t)aux & 0xfff;
}

/* --- turn-taking with the sentry ------------------------------------------ */

/* Returns the CPU it was handed over on. */
STUB_STATIC uint32_t hand_to_sentry(struct stub_slot *s)
{
	uint32_t cpu = this_cpu(s);
	if (s->stub_cpu != cpu)   /* a line the sentry reads: keep it clean */
		s->stub_cpu = cpu;
	__atomic_store_n(&s->state, TURN_SENTRY, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->sentry_waiting, __ATOMIC_SEQ_CST))
		raw_syscall6(__NR_futex, (long)&s->state, FUTEX_WAKE, 1, 0, 0, 0);
	return cpu;
}

/* Spins for the turn (the TSC is read every 16 rounds only: the sentry's
 * answer to a patched syscall takes less than that), then sleeps. */
STUB_STATIC void wait_for_turn(struct stub_slot *s, uint32_t cpu)
{
	/* The sentry thread works for us meanwhile: spinning on its CPU would
	 * only keep it from running. */
	uint64_t budget = s->sentry_cpu == cpu ? 0 : s->spin_cycles, start = 0;
	unsigned n = 0;
	while (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) != TURN_STUB) {
		if (budget && !s->sentry_sleeps) {
			if ((++n & 15) != 0) {
				__builtin_ia32_pause();
				continue;
			}
			uint64_t now = rdtsc();
			if (!start)
				start = now;
			if (now - start < budget) {
				__builtin_ia32_pause();
				continue;
			}
		}
		/* Pairs with hand_to_stub() in the sentry: either it sees the
		 * flag and wakes us, or we see the new state. */
		__atomic_store_n(&s->stub_waiting, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) != TURN_STUB)
			raw_syscall6(__NR_futex, (long)&s->state, FUTEX_WAIT, TURN_SENTRY, 0, 0, 0);
		__atomic_store_n(&s->stub_waiting, 0, __ATOMIC_SEQ_CST);
		return;
	}
}

/* --- requests --------------------------------------------------------------- */

STUB_STATIC void xsave(struct stub_slot *s)
{
	uint32_t lo = (uint32_t)s->xsave_mask, hi = (uint32_t)(s->xsave_mask >> 32);
	__asm__ volatile("xsave64 (%0)" : : "r"((char *)s + SLOT_FP_OFF), "a"(lo), "d"(hi)
			 : "memory");
}

STUB_STATIC void xrstor(struct stub_slot *s)
{
	uint32_t lo = (uint32_t)s->xsave_mask, hi = (uint32_t)(s->xsave_mask >> 32);
	__asm__ volatile("xrstor64 (%0)" : : "r"((char *)s + SLOT_FP_OFF), "a"(lo), "d"(hi)
			 : "memory");
}

STUB_STATIC long do_request(struct stub_slot *s, uint32_t op)
{
	const volatile uint64_t *a = s->args;
	switch (op) {
	case OP_SYSCALL:
		return raw_syscall6((long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
				    (long)a[5], (long)a[6]);
	case OP_ATOMIC32:
		return systrap_do_atomic32(a[0], a[1], a[2]);
	case OP_CMPXCHG64:
		return systrap_do_cmpxchg64(a[0], a[1], a[2]);
	case OP_XSAVE:
		xsave(s);
		return 0;
	case OP_XRSTOR:
		xrstor(s);
		return 0;
	case OP_COPY:
		return systrap_do_copy(a[0], a[1], a[2]);
	case OP_CLONE: {
		/* The child starts on its own slot's stack with its own
		 * fd-passing socket, a[2] here (see stub_child_start): not
		 * ours to keep. */
		long sock = (long)a[2];
		long r = systrap_do_clone(a[0], a[1] + SLOT_STACK_TOP, a[1], sock);
		if (sock >= 0 && sock != SYSTRAP_SOCK_FD)
			raw_syscall6(__NR_close, sock, 0, 0, 0, 0, 0);
		return r;
	}
	default:
		return -22;   /* EINVAL */
	}
}

/* Posts the event in s->event, then serves requests until told to resume
 * guest code. */
void stub_serve(struct stub_slot *s)
{
	for (;;) {
		uint32_t cpu = hand_to_sentry(s);
		wait_for_turn(s, cpu);
		uint32_t op = s->op;
		if (op == OP_RESUME) {
			systrap_exit(s);
			/* A kick arrived while we served: report it rather than
			 * lose it in guest code. */
			s->kicked = 0;
			s->event = EV_INTERRUPT;
			continue;
		}
		s->result = do_request(s, op);
		s->event = EV_RESULT;
	}
}

/* A stub made by OP_CLONE, on its slot's stack with %gs set; sock: its own
 * fd-passing socket, which replaces its parent's at SYSTRAP_SOCK_FD. */
void stub_child_start(struct stub_slot *s, long sock)
{
	if (sock >= 0 && sock != SYSTRAP_SOCK_FD) {
		raw_syscall6(__NR_dup2, sock, SYSTRAP_SOCK_FD, 0, 0, 0, 0);
		raw_syscall6(__NR_close, sock, 0, 0, 0, 0, 0);
	}
	stack_t ss = { .ss_sp = (char *)s + SLOT_ALTSTACK_OFF, .ss_flags = 0,
		       .ss_size = SLOT_ALTSTACK_SIZE };
	raw_syscall6(__NR_sigaltstack, (long)&ss, 0, 0, 0, 0, 0);
	/* A fork of this process must not share the slot with it. */
	raw_syscall6(__NR_madvise, (long)s, SYSTRAP_SLOT_SIZE, MADV_DONTFORK, 0, 0, 0);
	s->kicked = 0;
	s->event = EV_READY;
	stub_serve(s);
}

/* --- host signals ------------------------------------------------------------ */

#define FP_SW_BYTES_OFF  464   /* struct _fpx_sw_bytes in the FXSAVE area */
#define XSAVE_HEADER_OFF 512   /* XSTATE_BV */
#define FXSAVE_AND_HEADER 576  /* the legacy area and the XSAVE header */

#define USER_CS_64 0x33   /* Linux's __USER_CS (PLATFORM_USER_CS) */

STUB_STATIC int is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

/* Makes the signal return continue at systrap_serve_entry, on the slot's
 * stack, with no host signal blocked and the interrupted context's FPU
 * state restored by the kernel (it is the guest's). */
STUB_STATIC void serve_after_return(ucontext_t *uc, struct stub_slot *s)
{
	greg_t *g = uc->uc_mcontext.gregs;
	g[REG_RIP] = (greg_t)(uint64_t)systrap_serve_entry;
	g[REG_RSP] = (greg_t)((uint64_t)s + SLOT_STACK_TOP);
	g[REG_EFL] = 0x202;
	/* The stub is 64-bit code even if the guest was not (its code segment
	 * is in the slot: see save_guest_regs). */
	g[REG_CSGSFS] = (g[REG_CSGSFS] & ~(greg_t)0xffff) | USER_CS_64;
	uint64_t *mask = (uint64_t *)&uc->uc_sigmask;
	mask[0] = 0;
}

/* Serves the event just posted straight from the handler, without the
 * rt_sigreturn of serve_after_return: a third of what an unpatched syscall
 * costs here (bench/tools/sigsys_floor: 1.24 us with it, 0.91 without).  The
 * kernel gave the handler a clean FPU; the guest's state is in the signal
 * frame, and only the components its XSAVE header marks as in use (the
 * others are in their initial state in the CPU already) are loaded back.
 * The blocked mask is the one the guest code ran with (SIGSYS has
 * SA_NODEFER and an empty sa_mask), so nothing else needs restoring: the
 * frame is abandoned on the signal stack, which is free again once rsp
 * leaves it.  Returns if the frame is not an XSAVE one or the interrupted
 * code ran with host signals blocked (guest code can reach the stub's
 * restorer with a frame of its own): the caller then returns through
 * rt_sigreturn, which unblocks them. */
STUB_STATIC void serve_now(ucontext_t *uc, struct stub_slot *s)
{
	/* The frame is on the slot's signal stack, which guest code can
	 * write: its FPU pointer must still point into that stack, with room
	 * for the legacy area and the XSAVE header (a bad one otherwise only
	 * faults the stub: its own process). */
	const char *fp = (const char *)uc->uc_mcontext.fpregs;
	uint64_t lo = (uint64_t)s + SLOT_ALTSTACK_OFF, hi = (uint64_t)s + SYSTRAP_SLOT_SIZE;
	if ((uint64_t)fp < lo || (uint64_t)fp > hi - FXSAVE_AND_HEADER || ((uint64_t)fp & 63) != 0 ||
	    *(const uint64_t *)&uc->uc_sigmask != 0)
		return;
	const struct _fpx_sw_bytes *sw = (const struct _fpx_sw_bytes *)(fp + FP_SW_BYTES_OFF);
	if (sw->magic1 != FP_XSTATE_MAGIC1)
		return;
	uint64_t in_use = *(const uint64_t *)(fp + XSAVE_HEADER_OFF) & s->xsave_mask;
	__asm__ volatile("xrstor64 (%0)"
			 : : "r"(fp), "a"((uint32_t)in_use), "d"((uint32_t)(in_use >> 32))
			 : "memory");
	systrap_serve_now(s);
}

STUB_STATIC void save_guest_regs(struct stub_slot *s, const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	struct user_regs_struct *r = &s->regs;
	r->r8 = (uint64_t)g[REG_R8];
	r->r9 = (uint64_t)g[REG_R9];
	r->r10 = (uint64_t)g[REG_R10];
	r->r11 = (uint64_t)g[REG_R11];
	r->r12 = (uint64_t)g[REG_R12];
	r->r13 = (uint64_t)g[REG_R13];
	r->r14 = (uint64_t)g[REG_R14];
	r->r15 = (uint64_t)g[REG_R15];
	r->rdi = (uint64_t)g[REG_RDI];
	r->rsi = (uint64_t)g[REG_RSI];
	r->rbp = (uint64_t)g[REG_RBP];
	r->rbx = (uint64_t)g[REG_RBX];
	r->rdx = (uint64_t)g[REG_RDX];
	r->rax = (uint64_t)g[REG_RAX];
	r->rcx = (uint64_t)g[REG_RCX];
	r->rsp = (uint64_t)g[REG_RSP];
	r->rip = (uint64_t)g[REG_RIP];
	r->eflags = (uint64_t)g[REG_EFL];
	r->cs = (uint64_t)g[REG_CSGSFS] & 0xffff;
	uint64_t fs;
	__asm__ volatile("rdfsbase %0" : "=r"(fs));
	r->fs_base = fs;
}

STUB void systrap_signal_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t rip = (uint64_t)g[REG_RIP];
	uint64_t sp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	/* The handler runs on the slot's signal stack. */
	struct stub_slot *s = (struct stub_slot *)(sp & ~(uint64_t)(SYSTRAP_SLOT_SIZE - 1));

	if (rip - SYSTRAP_CODE_ADDR < SYSTRAP_CODE_SIZE) {
		/* Interrupted in the stub itself. */
		if ((sig == SIGSEGV || sig == SIGBUS) && rip >= (uint64_t)systrap_atomic_begin &&
		    rip < (uint64_t)systrap_atomic_end) {
			g[REG_RIP] = (greg_t)(uint64_t)systrap_atomic_fixup;
			return;
		}
		if ((sig == SIGSEGV || sig == SIGBUS) && rip >= (uint64_t)systrap_copy_begin &&
		    rip < (uint64_t)systrap_copy_end) {
			g[REG_RIP] = (greg_t)(uint64_t)systrap_copy_fixup;
			return;
		}
		if (is_fault(sig) && info->si_code > 0) {
			/* The stub is broken (its pages were tampered with). */
			raw_syscall6(__NR_exit_group, 128 + sig, 0, 0, 0, 0, 0);
		}
		if (rip >= (uint64_t)systrap_exit_committed && rip < (uint64_t)systrap_exit_end) {
			/* On the way out: the guest's registers are all in the
			 * slot still; report the kick instead (this one and any
			 * earlier one: once). */
			s->kicked = 0;
			s->event = EV_INTERRUPT;
			serve_after_return(uc, s);
			return;
		}
		s->kicked = 1;
		return;
	}

	save_guest_regs(s, uc);
	if (sig == SIGSYS && info->si_code == 1 /* SYS_SECCOMP */ && (uint64_t)g[REG_RAX] >> 32 == 0 &&
	    info->si_arch == AUDIT_ARCH_X86_64 && (g[REG_CSGSFS] & 0xffff) == USER_CS_64) {
		/* A trapped syscall: posted like a patched one, in the slot's
		 * first cache line (the sentry then reads nothing else).  A
		 * number with high bits set, an i386 one (int $0x80) and one
		 * from 32-bit code take the general way, which tells them
		 * apart. */
		s->sys_nr = (uint32_t)g[REG_RAX];
		s->sys_args[0] = (uint64_t)g[REG_RDI];
		s->sys_args[1] = (uint64_t)g[REG_RSI];
		s->sys_args[2] = (uint64_t)g[REG_RDX];
		s->sys_args[3] = (uint64_t)g[REG_R10];
		s->sys_args[4] = (uint64_t)g[REG_R8];
		s->sys_args[5] = (uint64_t)g[REG_R9];
		s->event = EV_TRAP;
		serve_now(uc, s);
		serve_after_return(uc, s);
		return;
	}
	const uint64_t *src = (const uint64_t *)info;
	uint64_t *dst = (uint64_t *)&s->info;
	for (unsigned i = 0; i < sizeof(siginfo_t) / 8; i++)
		dst[i] = src[i];
	s->event = EV_SIGNAL;
	serve_after_return(uc, s);
}
