/* The systrap stub's assembly: the ways in and out of guest code.
 *
 * Everything in section systrap_stub is copied to SYSTRAP_CODE_ADDR in every
 * guest address space and runs there, so it is position independent and
 * refers to nothing outside the section.  See stub_layout.h for the slot.
 */
#include <asm/unistd.h>
#include "platform/atomic_op.inc"
#include "platform/systrap/stub_layout.h"

	.section systrap_stub, "ax", @progbits
	.p2align 12

	.globl systrap_entry_init, systrap_fast_entry, systrap_serve_entry, systrap_serve_now
	.globl systrap_exit, systrap_exit_committed, systrap_exit_end
	.globl systrap_restorer, systrap_atomic_begin, systrap_atomic_end
	.globl systrap_atomic_fixup, systrap_do_atomic32, systrap_do_cmpxchg64
	.globl systrap_do_clone, systrap_clone_child
	.globl systrap_copy_begin, systrap_copy_end, systrap_copy_fixup, systrap_do_copy
	.hidden systrap_copy_begin, systrap_copy_end, systrap_copy_fixup, systrap_do_copy
	.hidden systrap_entry_init, systrap_fast_entry, systrap_serve_entry, systrap_serve_now
	.hidden systrap_exit, systrap_exit_committed, systrap_exit_end
	.hidden systrap_restorer, systrap_atomic_begin, systrap_atomic_end
	.hidden systrap_atomic_fixup, systrap_do_atomic32, systrap_do_cmpxchg64
	.hidden systrap_do_clone, systrap_clone_child
	.hidden stub_serve, stub_child_start

/* systrap_entry_init(ranges, count, slot): the first code a fresh stub runs,
 * on its slot's stack.  Unmaps every (start, length) pair in ranges (the
 * sentry's image the stub was forked from), then serves the slot. */
systrap_entry_init:
	mov	%rdi, %r12
	mov	%rsi, %r13
	mov	%rdx, %r14
1:	test	%r13, %r13
	jz	2f
	mov	$__NR_munmap, %eax
	mov	(%r12), %rdi
	mov	8(%r12), %rsi
	syscall
	add	$16, %r12
	dec	%r13
	jmp	1b
2:	mov	%r14, %rdi
	movl	$EV_READY, SLOT_EVENT(%rdi)
	call	stub_serve
	ud2

/* A patched syscall site jumps here through its trampoline with
 * eax = the syscall number, rcx = the address after the original site (the
 * value a real syscall leaves in rcx) and r11 = the address the syscall
 * "returns" to in the trampoline.  %gs points at the thread's slot.  Saves the
 * guest's registers as a trapped syscall would have them and serves the
 * slot, on the slot's own stack (the guest's red zone stays untouched). */
systrap_fast_entry:
	mov	%rsp, %gs:SLOT_REGS+R_RSP
	mov	%gs:SLOT_SELF, %rsp
	lea	SLOT_STACK_TOP(%rsp), %rsp   /* lea: the flags are still the guest's */
	pushfq
	mov	%r15, %gs:SLOT_REGS+R_R15
	mov	%r14, %gs:SLOT_REGS+R_R14
	mov	%r13, %gs:SLOT_REGS+R_R13
	mov	%r12, %gs:SLOT_REGS+R_R12
	mov	%rbp, %gs:SLOT_REGS+R_RBP
	mov	%rbx, %gs:SLOT_REGS+R_RBX
	mov	%r10, %gs:SLOT_REGS+R_R10
	mov	%r9, %gs:SLOT_REGS+R_R9
	mov	%r8, %gs:SLOT_REGS+R_R8
	mov	%rdx, %gs:SLOT_REGS+R_RDX
	mov	%rsi, %gs:SLOT_REGS+R_RSI
	mov	%rdi, %gs:SLOT_REGS+R_RDI
	mov	%rcx, %gs:SLOT_REGS+R_RCX
	mov	%rax, %gs:SLOT_REGS+R_ORIG_RAX
	mov	%eax, %gs:SLOT_SYS_NR
	mov	%rdi, %gs:SLOT_SYS_ARGS
	mov	%rsi, %gs:SLOT_SYS_ARGS+8
	mov	%rdx, %gs:SLOT_SYS_ARGS+16
	mov	%r10, %gs:SLOT_SYS_ARGS+24
	mov	%r8, %gs:SLOT_SYS_ARGS+32
	mov	%r9, %gs:SLOT_SYS_ARGS+40
	movq	$-38, %gs:SLOT_REGS+R_RAX
	mov	%r11, %gs:SLOT_REGS+R_RIP
	pop	%rax
	mov	%rax, %gs:SLOT_REGS+R_EFLAGS
	mov	%rax, %gs:SLOT_REGS+R_R11
	rdfsbase %rax
	mov	%rax, %gs:SLOT_REGS+R_FS_BASE
	cld
	mov	%gs:SLOT_SELF, %rdi
	movl	$EV_FAST, SLOT_EVENT(%rdi)
	call	stub_serve
	ud2

/* A signal handler "returns" here (it points the interrupted context at
 * it) with rsp at the top of the slot's stack: serve the event it posted. */
systrap_serve_entry:
	cld
	mov	%rsp, %rdi
	sub	$SLOT_STACK_TOP, %rdi
	call	stub_serve
	ud2

/* systrap_serve_now(slot): the SIGSYS handler leaves its signal frame here
 * (see serve_now in stub.c): the event it posted is served on the slot's
 * stack with the flags the stub runs with (no AC, no DF). */
systrap_serve_now:
	lea	SLOT_STACK_TOP(%rdi), %rsp
	pushq	$0x202
	popfq
	call	stub_serve
	ud2

/* systrap_exit(slot): back to guest code with the registers in the slot
 * (rax from SLOT_SYS_RET, which the sentry writes on every resume).
 * Returns only if a kick arrived since the slot was last served (the caller
 * then reports it instead).  A kick that arrives anywhere in here, the check
 * included, is turned into an interrupt by the signal handler, which finds
 * the complete guest registers still in the slot: a kick between the check
 * and the jump would otherwise be lost (and the stub, not answering it,
 * killed).  FS and GS bases are written only when they differ: a patched
 * syscall leaves both as they were. */
systrap_exit:
systrap_exit_committed:
	cmpl	$0, SLOT_KICKED(%rdi)
	jne	1f
	rdgsbase %rax
	cmp	%rax, %rdi
	je	2f
	wrgsbase %rdi
2:	rdfsbase %rax
	cmp	SLOT_REGS+R_FS_BASE(%rdi), %rax
	je	3f
	mov	SLOT_REGS+R_FS_BASE(%rdi), %rax
	wrfsbase %rax
3:	pushq	SLOT_REGS+R_EFLAGS(%rdi)
	popfq
	mov	SLOT_REGS+R_R15(%rdi), %r15
	mov	SLOT_REGS+R_R14(%rdi), %r14
	mov	SLOT_REGS+R_R13(%rdi), %r13
	mov	SLOT_REGS+R_R12(%rdi), %r12
	mov	SLOT_REGS+R_RBP(%rdi), %rbp
	mov	SLOT_REGS+R_RBX(%rdi), %rbx
	mov	SLOT_REGS+R_R11(%rdi), %r11
	mov	SLOT_REGS+R_R10(%rdi), %r10
	mov	SLOT_REGS+R_R9(%rdi), %r9
	mov	SLOT_REGS+R_R8(%rdi), %r8
	mov	SLOT_SYS_RET(%rdi), %rax
	mov	SLOT_REGS+R_RCX(%rdi), %rcx
	mov	SLOT_REGS+R_RDX(%rdi), %rdx
	mov	SLOT_REGS+R_RSI(%rdi), %rsi
	mov	SLOT_REGS+R_RSP(%rdi), %rsp
	mov	SLOT_REGS+R_RDI(%rdi), %rdi
	jmp	*%gs:SLOT_REGS+R_RIP
systrap_exit_end:
1:	ret

/* The sa_restorer of the stub's signal handlers. */
systrap_restorer:
	mov	$__NR_rt_sigreturn, %eax
	syscall
	ud2

/* systrap_do_clone(flags, child_stack, child_slot, child_sock): clone(2)
 * without touching the stack in the child, which starts on its own slot's
 * stack: stub_child_start(child_slot, child_sock). */
systrap_do_clone:
	push	%r12
	push	%r13
	mov	%rdx, %r12
	mov	%rcx, %r13                 /* (the syscall clobbers rcx) */
	mov	$__NR_clone, %eax
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	syscall
	test	%rax, %rax
	jz	systrap_clone_child
	pop	%r13
	pop	%r12
	ret
systrap_clone_child:
	wrgsbase %r12
	mov	%r12, %rdi
	mov	%r13, %rsi
	call	stub_child_start
	ud2

/* Guest memory touched on the sentry's behalf.  A fault in between
 * systrap_atomic_begin and systrap_atomic_end resumes at
 * systrap_atomic_fixup, which returns -EFAULT (the stack is as on entry). */
systrap_atomic_begin:

/* systrap_do_atomic32(addr, op, operand): FUTEX_WAKE_OP's read-modify-write of
 * the 32-bit word at addr (op: 0 set, 1 add, 2 or, 3 and-not, 4 xor);
 * returns the old value. */
systrap_do_atomic32:
	ATOMIC32_RMW
	ret

/* systrap_do_cmpxchg64(addr, expected, new): returns the old value. */
systrap_do_cmpxchg64:
	mov	%rsi, %rax
	lock cmpxchg %rdx, (%rdi)
	ret
systrap_atomic_end:

systrap_atomic_fixup:
	mov	$-14, %rax
	ret

/* systrap_do_copy(dst, src, n): copies n bytes from a file window to guest
 * memory; returns how many were copied.  A fault in the copy (an unmapped or
 * read-only guest page, a window past the end of its file) resumes at
 * systrap_copy_fixup with rcx = the bytes not copied, as the kernel's own
 * copy_to_user counts them. */
systrap_copy_begin:
systrap_do_copy:
	mov	%rdx, %rcx
	rep movsb
	mov	%rdx, %rax
	ret
systrap_copy_end:

systrap_copy_fixup:
	mov	%rdx, %rax
	sub	%rcx, %rax
	ret

	.section .note.GNU-stack,"",@progbits
