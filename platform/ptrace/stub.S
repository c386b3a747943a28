/* The stub: the only code of the runtime mapped into a guest address space.
 *
 * It is position independent and copied to STUB_REGION_START (see
 * stub_layout.h).  It never runs on its own: the tracer points the guest's
 * instruction pointer at one of its entry points and lets it run to the next
 * int3.  Guest code may jump here too; the stub's seccomp filter keeps what it
 * can do to its own address space.
 */
#include <asm/unistd.h>
#include "platform/atomic_op.inc"

#define SIGSTOP 19

/* kill(getpid(), SIGSTOP): the process stops itself. */
.macro stop_self
	mov	$__NR_getpid, %eax
	syscall
	mov	%eax, %edi
	mov	$SIGSTOP, %esi
	mov	$__NR_kill, %eax
	syscall
.endm

	.text
	.globl stub_code_start, stub_code_end
	.globl stub_entry, stub_syscall, stub_clone, stub_atomic_op, stub_park

	.p2align 12
stub_code_start:

/* stub_entry(ranges, count): first code run in the template stub (the
 * one forked from the sentry, see ptrace.c).  Unmaps every (start, length)
 * pair in ranges, then parks. */
stub_entry:
	mov	%rdi, %r12
	mov	%rsi, %r13
1:	test	%r13, %r13
	jz	stub_park
	mov	$__NR_munmap, %eax
	mov	(%r12), %rdi
	mov	8(%r12), %rsi
	syscall
	add	$16, %r12
	dec	%r13
	jmp	1b

/* Stops the process with SIGSTOP until a tracer takes it over. */
stub_stop:
	stop_self
	int3
	jmp	stub_stop

/* The template between two forks: stopped, untraced.  No int3 on the
 * way: a SIGCONT from outside must not kill it. */
stub_park:
	stop_self
	jmp	stub_park

/* One host syscall with the registers the tracer set, then a trap. */
stub_syscall:
	syscall
	int3
	jmp	stub_syscall

/* clone(): the parent traps with the child's pid in rax; the child stops
 * itself and waits to be adopted by its own tracer. */
stub_clone:
	syscall
	test	%rax, %rax
	jz	stub_stop
	int3
	jmp	stub_stop

/* An atomic read-modify-write of the 32-bit word at rdi (FUTEX_WAKE_OP):
 * esi = operation (0 set, 1 add, 2 or, 3 and-not, 4 xor), edx = operand.
 * Traps with the old value in rax; a bad address faults in here, which the
 * tracer reports as EFAULT. */
stub_atomic_op:
	ATOMIC32_RMW
	int3
	jmp	stub_stop

	.p2align 6
stub_code_end:

	.section .note.GNU-stack,"",@progbits
