/* Syscall-site recognition for patching (platform/systrap/patch.c): capstone
 * is loaded on demand (patch_decoder_load), and only `mov $nr, %eax;
 * syscall` with the number that trapped and no prefix byte before it is
 * patchable. */
#include <criterion/criterion.h>

#include <string.h>

#include "platform/systrap/patch.h"

/* win holds the 8 bytes before rip: one byte before the site, then the
 * site's 7. */
static bool recognise(const uint8_t bytes[8], uint32_t nr)
{
	return patch_recognise(bytes, 0x400000 + 8, nr);
}

Test(patch, capstone_loads_on_demand)
{
	cr_assert_eq(patch_decoder_load(), 0);
	cr_assert_eq(patch_decoder_load(), 0, "a second load is a no-op");
}

Test(patch, mov_eax_syscall_is_recognised)
{
	cr_assert_eq(patch_decoder_load(), 0);
	const uint8_t site[8] = { 0x90, 0xb8, 39, 0, 0, 0, 0x0f, 0x05 };
	cr_expect(recognise(site, 39));
	cr_expect(!recognise(site, 40), "the number that trapped, not another");
}

Test(patch, other_sequences_are_not)
{
	cr_assert_eq(patch_decoder_load(), 0);
	/* 41 b8 ...: mov to r8d, the site is inside a longer instruction. */
	const uint8_t rex[8] = { 0x41, 0xb8, 39, 0, 0, 0, 0x0f, 0x05 };
	cr_expect(!recognise(rex, 39));
	/* glibc's read: xor %eax, %eax; syscall (4 bytes, not patchable). */
	const uint8_t xor_eax[8] = { 0x00, 0x00, 0x00, 0x00, 0x31, 0xc0, 0x0f, 0x05 };
	cr_expect(!recognise(xor_eax, 0));
	/* mov $39, %eax followed by something that is not syscall. */
	const uint8_t not_syscall[8] = { 0x90, 0xb8, 39, 0, 0, 0, 0x0f, 0x0b };
	cr_expect(!recognise(not_syscall, 39));
}
