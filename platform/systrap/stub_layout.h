/* The systrap stub: layout of the stub region and of each thread's slot.
 *
 * Shared by the sentry side (systrap.c), the stub's C code (stub/stub.c) and
 * its assembly (stub/stub_entry.S), so it is plain #defines plus, for C, the
 * slot structure checked against them.
 *
 * The stub region of every guest address space (STUB_REGION_START..END):
 *
 *   +0x00000  stub code, read-only and executable.  Syscalls made from
 *             here are the only ones the host runs directly (see the seccomp
 *             filter in systrap.c); everything else traps.
 *   +0x04000  a data page (the list of ranges a fresh stub unmaps, the
 *             message buffer for receiving file descriptors).
 *   +0x10000  slots, SLOT_SIZE each: one per guest thread, a memfd mapped
 *             both here (in the guest's address space) and in the sentry.
 *   +1 GiB    file windows, SYSTRAP_WIN_SIZE each: read-only shared
 *             mappings of host files (tmpfs memfds, rootfs files) that the
 *             stub copies large read(2)s from straight into guest memory
 *             (see filewin.h).
 *
 * A slot:
 *   +0x0000  control block (struct stub_slot): whose turn it is, the event,
 *            the request, the guest registers
 *   +0x1000  the XSAVE area used when the sentry reads or writes FPU state
 *   +0x4000  the stub's private stack (grows down from +0x8000)
 *   +0x8000  the signal stack (sigaltstack) for host signals, up to +0x10000
 */
#ifndef PLATFORM_SYSTRAP_STUB_LAYOUT_H
#define PLATFORM_SYSTRAP_STUB_LAYOUT_H

#define SYSTRAP_CODE_ADDR      0x7e0000000000
#define SYSTRAP_CODE_SIZE      0x4000
#define SYSTRAP_DATA_ADDR      0x7e0000004000
#define SYSTRAP_DATA_SIZE      0x1000
#define SYSTRAP_SLOTS_ADDR     0x7e0000010000
#define SYSTRAP_SLOT_SIZE      0x10000
#define SYSTRAP_SLOT_SHIFT     16
#define SYSTRAP_MAX_SLOTS      16383
#define SYSTRAP_WIN_ADDR       0x7e0040000000
#define SYSTRAP_WIN_SIZE       0x4000000   /* 64 MiB: one aligned chunk of a file */
#define SYSTRAP_WIN_COUNT      8

/* Data page offsets. */
#define SYSTRAP_DATA_UNMAP     0x000
#define SYSTRAP_MAX_UNMAP      32
#define SYSTRAP_DATA_MSG       0x800

/* The one file descriptor a stub holds: its end of the fd-passing socket. */
#define SYSTRAP_SOCK_FD        3

/* Slot layout. */
#define SLOT_FP_OFF            0x1000
#define SLOT_FP_MAX            0x3000
#define SLOT_STACK_TOP         0x8000
#define SLOT_ALTSTACK_OFF      0x8000
#define SLOT_ALTSTACK_SIZE     0x8000

/* Control block offsets (the assembly uses them). */
/* The first cache line is all that changes hands for a patched syscall: the
 * stub writes the turn, the event, the number and arguments; the sentry
 * writes the turn, the request (OP_RESUME) and the value for rax, over the
 * first argument, which it has copied by then.  One line each way: a second
 * one to fetch costs a cache miss on each side of a round trip (measured
 * here: a round trip of 150 ns with one line, 250 ns with two). */
#define SLOT_STATE             0x00
#define SLOT_EVENT             0x04
#define SLOT_SYS_NR            0x08   /* 32 bits: a trampoline's mov $nr, %eax */
#define SLOT_OP                0x0c
#define SLOT_SYS_ARGS          0x10   /* 6 words */
#define SLOT_SYS_RET           0x10   /* rax for the guest, on every resume */
/* The second line changes rarely (each side writes its fields only when
 * they change), so both sides keep it cached. */
#define SLOT_SENTRY_WAITING    0x40
#define SLOT_STUB_WAITING      0x44
#define SLOT_KICKED            0x48
#define SLOT_STUB_CPU          0x4c
#define SLOT_SENTRY_CPU        0x50
#define SLOT_SENTRY_SLEEPS     0x54   /* the sentry sleeps in the syscall: don't spin */
#define SLOT_HAS_RDPID         0x58
#define SLOT_SELF              0x80
#define SLOT_SPIN_CYCLES       0x88
#define SLOT_XSAVE_MASK        0x90
#define SLOT_ARGS              0x98   /* 7 words */
#define SLOT_RESULT            0xd0
#define SLOT_REGS              0x100  /* struct user_regs_struct */
#define SLOT_INFO              0x200  /* siginfo_t */

/* struct user_regs_struct offsets. */
#define R_R15      0
#define R_R14      8
#define R_R13      16
#define R_R12      24
#define R_RBP      32
#define R_RBX      40
#define R_R11      48
#define R_R10      56
#define R_R9       64
#define R_R8       72
#define R_RAX      80
#define R_RCX      88
#define R_RDX      96
#define R_RSI      104
#define R_RDI      112
#define R_ORIG_RAX 120
#define R_RIP      128
#define R_CS       136
#define R_EFLAGS   144
#define R_RSP      152
#define R_SS       160
#define R_FS_BASE  168
#define R_GS_BASE  176

/* Whose turn it is (slot state, a futex word shared by both processes). */
#define TURN_STUB     0   /* the stub runs guest code or executes a request */
#define TURN_SENTRY   1   /* the stub posted an event or a result and waits */

/* Events the stub posts. */
#define EV_READY      1   /* a new stub, waiting for its first registers */
#define EV_SIGNAL     2   /* a host signal in guest code; info holds it */
#define EV_FAST       3   /* a patched syscall site entered directly */
#define EV_INTERRUPT  4   /* a kick caught on the way back to guest code */
#define EV_RESULT     5   /* a request was executed; result holds it */
#define EV_TRAP       6   /* a syscall trapped (SIGSYS), posted as EV_FAST is */

/* Requests the sentry posts (op). */
#define OP_RESUME     1   /* load regs (and FS base) and return to guest code */
#define OP_SYSCALL    2   /* args[0] = nr, args[1..6] = arguments */
#define OP_ATOMIC32   3   /* args: addr, operation, operand (FUTEX_WAKE_OP) */
#define OP_XSAVE      4   /* FPU state to the slot's XSAVE area */
#define OP_XRSTOR     5   /* FPU state from the slot's XSAVE area */
#define OP_CLONE      6   /* args: clone flags, child slot address */
#define OP_CMPXCHG64  7   /* args: addr, expected, new; result: old value or -EFAULT */
#define OP_COPY       8   /* args: guest dst, window src, n; result: bytes copied */

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <signal.h>
#include <sys/user.h>
#include <stddef.h>

struct stub_slot {
	volatile uint32_t state;
	volatile uint32_t event;
	volatile uint32_t sys_nr;
	volatile uint32_t op;
	union {
		volatile uint64_t sys_args[6];
		volatile uint64_t sys_ret;
	};
	volatile uint32_t sentry_waiting;
	volatile uint32_t stub_waiting;
	volatile uint32_t kicked;
	volatile uint32_t stub_cpu;     /* where each side last ran: spinning for */
	volatile uint32_t sentry_cpu;   /* a turn on one's own CPU is pointless */
	volatile uint32_t sentry_sleeps;
	uint32_t has_rdpid;             /* the CPU has RDPID (else RDTSCP) */
	uint32_t pad1[9];
	uint64_t self;
	uint64_t spin_cycles;
	uint64_t xsave_mask;
	volatile uint64_t args[7];
	volatile int64_t result;
	uint64_t nonce;                 /* random: proves a pid maps this slot */
	char pad3[SLOT_REGS - SLOT_RESULT - 16];
	struct user_regs_struct regs;
	char pad4[SLOT_INFO - SLOT_REGS - sizeof(struct user_regs_struct)];
	siginfo_t info;
};

_Static_assert(offsetof(struct stub_slot, event) == SLOT_EVENT, "slot layout");
_Static_assert(offsetof(struct stub_slot, kicked) == SLOT_KICKED, "slot layout");
_Static_assert(offsetof(struct stub_slot, self) == SLOT_SELF, "slot layout");
_Static_assert(offsetof(struct stub_slot, stub_cpu) == SLOT_STUB_CPU, "slot layout");
_Static_assert(offsetof(struct stub_slot, spin_cycles) == SLOT_SPIN_CYCLES, "slot layout");
_Static_assert(offsetof(struct stub_slot, xsave_mask) == SLOT_XSAVE_MASK, "slot layout");
_Static_assert(offsetof(struct stub_slot, sentry_cpu) == SLOT_SENTRY_CPU, "slot layout");
_Static_assert(offsetof(struct stub_slot, op) == SLOT_OP, "slot layout");
_Static_assert(offsetof(struct stub_slot, sys_nr) == SLOT_SYS_NR, "slot layout");
_Static_assert(offsetof(struct stub_slot, sys_args) == SLOT_SYS_ARGS, "slot layout");
_Static_assert(offsetof(struct stub_slot, sentry_waiting) == SLOT_SENTRY_WAITING, "slot layout");
_Static_assert(offsetof(struct stub_slot, stub_waiting) == SLOT_STUB_WAITING, "slot layout");
_Static_assert(offsetof(struct stub_slot, has_rdpid) == SLOT_HAS_RDPID, "slot layout");
_Static_assert(offsetof(struct stub_slot, sys_ret) == SLOT_SYS_RET, "slot layout");
_Static_assert(offsetof(struct stub_slot, sentry_sleeps) == SLOT_SENTRY_SLEEPS, "slot layout");
_Static_assert(offsetof(struct stub_slot, args) == SLOT_ARGS, "slot layout");
_Static_assert(offsetof(struct stub_slot, result) == SLOT_RESULT, "slot layout");
_Static_assert(offsetof(struct stub_slot, regs) == SLOT_REGS, "slot layout");
_Static_assert(offsetof(struct stub_slot, info) == SLOT_INFO, "slot layout");
_Static_assert(offsetof(struct user_regs_struct, rip) == R_RIP, "regs layout");
_Static_assert(offsetof(struct user_regs_struct, fs_base) == R_FS_BASE, "regs layout");
_Static_assert(offsetof(struct user_regs_struct, orig_rax) == R_ORIG_RAX, "regs layout");
_Static_assert(sizeof(struct stub_slot) <= SLOT_FP_OFF, "slot control block too big");

/* Symbols of the stub code (section systrap_stub), copied to
 * SYSTRAP_CODE_ADDR in every guest address space. */
#define STUB_HIDDEN __attribute__((visibility("hidden")))
extern const char __start_systrap_stub[] STUB_HIDDEN, __stop_systrap_stub[] STUB_HIDDEN;
extern const char systrap_entry_init[] STUB_HIDDEN;     /* (unmap list, count, slot) */
extern const char systrap_fast_entry[] STUB_HIDDEN;     /* patched syscall sites */
extern const char systrap_serve_entry[] STUB_HIDDEN;    /* after a handler: serve the slot */
extern const char systrap_exit_committed[] STUB_HIDDEN;
extern const char systrap_exit_end[] STUB_HIDDEN;
extern const char systrap_restorer[] STUB_HIDDEN;       /* rt_sigreturn */
extern const char systrap_atomic_begin[] STUB_HIDDEN, systrap_atomic_end[] STUB_HIDDEN;
extern const char systrap_atomic_fixup[] STUB_HIDDEN;
extern const char systrap_clone_child[] STUB_HIDDEN;
extern const char systrap_copy_begin[] STUB_HIDDEN, systrap_copy_end[] STUB_HIDDEN;
extern const char systrap_copy_fixup[] STUB_HIDDEN;
void systrap_signal_handler(int sig, siginfo_t *info, void *uc) STUB_HIDDEN;

#define SYSTRAP_ADDR_OF(sym) (SYSTRAP_CODE_ADDR + (uint64_t)((const char *)(sym) - __start_systrap_stub))
#endif

#endif
