/* Syscall patching on systrap.
 *
 * A guest `mov $nr, %eax; syscall` that trapped may be rewritten so that
 * later executions jump (e9 rel32, over the mov; the syscall instruction
 * stays) to a trampoline in the stub region, which enters the stub's fast
 * path without a signal.  A thread that was between the two instructions
 * when the patch landed, or code that jumps straight to the syscall
 * instruction, still executes the original syscall and traps as before.
 *
 * Each trampoline (PATCH_TRAMP_SIZE bytes in the stub region's trampoline
 * area, private to the address space):
 *
 *   mov   $nr, %eax
 *   movabs $site+7, %rcx          ; rcx as a real syscall leaves it
 *   lea   resume(%rip), %r11      ; where the sentry "returns" to
 *   jmp   *fast_entry(%rip)
 *   syscall                       ; restart point: a rewound rip lands here
 * resume:
 *   jmp   *site_next(%rip)
 *   site_next: .quad site+7
 *   fast_entry: .quad systrap_fast_entry
 */
#ifndef PLATFORM_SYSTRAP_PATCH_H
#define PLATFORM_SYSTRAP_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/systrap/stub_layout.h"

#define PATCH_TRAMP_ADDR   (SYSTRAP_DATA_ADDR + SYSTRAP_DATA_SIZE)
#define PATCH_TRAMP_END    SYSTRAP_SLOTS_ADDR
#define PATCH_TRAMP_SIZE   64
#define PATCH_SITE_LEN     7     /* b8 imm32 0f 05 */

/* Per address space: which trampolines are used.  Threads share one; a
 * forked address space gets a copy. */
struct patch_state;
struct patch_state *patch_state_new(void);
struct patch_state *patch_state_get(struct patch_state *ps);
struct patch_state *patch_state_fork(struct patch_state *ps);
void patch_state_put(struct patch_state *ps);

/* Counts a trap at the site ending at rip; true (once) when it has become
 * hot enough to be worth trying to patch. */
bool patch_state_count_trap(struct patch_state *ps, uint64_t rip);

/* Loads capstone (dlopen: linked, its 77000 relocations cost every start-up
 * a millisecond here, patching or not).  0, or -ENOENT when it cannot be
 * loaded: patch_recognise then recognises nothing. */
int patch_decoder_load(void);
/* Is the code before rip (win holds the bytes [rip - 8, rip)) a patchable
 * `mov $nr, %eax; syscall` at an instruction boundary?  Decoded with
 * capstone (once patch_decoder_load has loaded it). */
bool patch_recognise(const uint8_t win[8], uint64_t rip, uint32_t nr);

/* The trampoline for the site ending at rip, placed at tramp. */
void patch_trampoline(uint8_t out[PATCH_TRAMP_SIZE], uint64_t tramp, uint64_t rip,
		      uint32_t nr, uint64_t fast_entry);

/* The 5 bytes that replace the mov: a jmp rel32 to tramp; false if out of
 * reach. */
bool patch_jump(uint8_t out[5], uint64_t site, uint64_t tramp);

/* Reserves the next trampoline of the address space (under its lock, held
 * until patch_state_unlock); returns its address or 0 when full. */
uint64_t patch_state_lock_next(struct patch_state *ps);
void patch_state_unlock(struct patch_state *ps, bool used);

#endif
