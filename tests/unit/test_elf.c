/* The loader's pure parsers (sentry/loader/elf.c): ELF header checks over
 * truncated and wrong input, program header checks over malformed and valid
 * layouts, real binaries from disk (/bin/ls, a static busybox, a static-pie
 * built here), a deterministic mutation fuzz under ASan, and "#!" lines. */
#include <criterion/criterion.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

/* --- building headers ---------------------------------------------------------- */

static Elf64_Ehdr ehdr(uint16_t type, uint16_t phnum)
{
	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof eh);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh.e_type = type;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x401000;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = phnum;
	return eh;
}

static Elf64_Phdr ph(uint32_t type, uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz,
		     uint32_t flags)
{
	Elf64_Phdr p = { .p_type = type, .p_flags = flags, .p_offset = off, .p_vaddr = vaddr,
			 .p_paddr = vaddr, .p_filesz = filesz, .p_memsz = memsz,
			 .p_align = 0x1000 };
	return p;
}

#define LOAD(off, vaddr, filesz, memsz) ph(PT_LOAD, off, vaddr, filesz, memsz, PF_R)
#define NPH(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))

/* elf_check_header over exactly len bytes of a heap copy (so that ASan sees
 * any read past len). */
static int check_header_bytes(const void *bytes, size_t len, Elf64_Ehdr *out)
{
	void *copy = malloc(len ? len : 1);
	cr_assert_not_null(copy);
	memcpy(copy, bytes, len);
	int r = elf_check_header(copy, len, out);
	free(copy);
	return r;
}

static int check_header(const Elf64_Ehdr *eh)
{
	Elf64_Ehdr out;
	return check_header_bytes(eh, sizeof *eh, &out);
}

static int check_phdrs(uint16_t type, const Elf64_Phdr *p, uint16_t n, uint64_t file_size,
		       struct elf_layout *lay)
{
	Elf64_Ehdr eh = ehdr(type, n);
	/* A heap copy of exactly n entries. */
	Elf64_Phdr *copy = malloc(n ? n * sizeof *p : 1);
	cr_assert_not_null(copy);
	memcpy(copy, p, n * sizeof *p);
	int r = elf_check_phdrs(&eh, copy, file_size, lay);
	free(copy);
	return r;
}

/* --- elf_check_header --------------------------------------------------------------- */

Test(elf_header, valid_exec_and_dyn)
{
	Elf64_Ehdr eh = ehdr(ET_EXEC, 3), out;
	memset(&out, 0xa5, sizeof out);
	cr_assert_eq(check_header_bytes(&eh, sizeof eh, &out), 0);
	cr_assert_eq(memcmp(&out, &eh, sizeof eh), 0);
	eh = ehdr(ET_DYN, 1);
	cr_assert_eq(check_header_bytes(&eh, sizeof eh, &out), 0);
	cr_assert_eq(out.e_type, ET_DYN);
	/* More than a header (what the loader reads) is fine. */
	unsigned char big[LOADER_HEADER_SIZE];
	memset(big, 0xcc, sizeof big);
	memcpy(big, &eh, sizeof eh);
	cr_assert_eq(check_header_bytes(big, sizeof big, &out), 0);
	cr_assert_eq(out.e_phnum, 1);
}

Test(elf_header, truncated_at_every_length)
{
	Elf64_Ehdr eh = ehdr(ET_EXEC, 2), out;
	for (size_t len = 0; len < sizeof eh; len++) {
		int r = check_header_bytes(&eh, len, &out);
		/* Too short for the magic: not ELF; magic but no header:
		 * malformed. */
		int want = len < SELFMAG ? -ENOEXEC : -EINVAL;
		cr_assert_eq(r, want, "len %zu: %d", len, r);
	}
	cr_assert_eq(check_header_bytes(&eh, sizeof eh, &out), 0);
	cr_assert_eq(elf_check_header(NULL, 0, &out), -ENOEXEC);
}

Test(elf_header, wrong_magic)
{
	for (int i = 0; i < SELFMAG; i++) {
		Elf64_Ehdr eh = ehdr(ET_EXEC, 1);
		eh.e_ident[i] ^= 0x20;
		cr_assert_eq(check_header(&eh), -ENOEXEC, "byte %d", i);
	}
	/* A script, text, zeros. */
	unsigned char buf[sizeof(Elf64_Ehdr)];
	memset(buf, 0, sizeof buf);
	Elf64_Ehdr out;
	cr_assert_eq(check_header_bytes(buf, sizeof buf, &out), -ENOEXEC);
	memcpy(buf, "#!/bin/sh\n", 10);
	cr_assert_eq(check_header_bytes(buf, sizeof buf, &out), -ENOEXEC);
	cr_assert_eq(check_header_bytes("\177EL", 3, &out), -ENOEXEC);
}

Test(elf_header, wrong_class_data_version)
{
	static const struct { int index; unsigned char value; } bad[] = {
		{ EI_CLASS, ELFCLASS32 }, { EI_CLASS, ELFCLASSNONE }, { EI_CLASS, 3 },
		{ EI_DATA, ELFDATA2MSB }, { EI_DATA, ELFDATANONE }, { EI_DATA, 3 },
		{ EI_VERSION, EV_NONE }, { EI_VERSION, 2 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		Elf64_Ehdr eh = ehdr(ET_EXEC, 1);
		eh.e_ident[bad[i].index] = bad[i].value;
		cr_assert_eq(check_header(&eh), -ENOEXEC, "e_ident[%d] = %d", bad[i].index,
			     bad[i].value);
	}
	Elf64_Ehdr eh = ehdr(ET_EXEC, 1);
	eh.e_version = EV_NONE;
	cr_assert_eq(check_header(&eh), -ENOEXEC);
	eh.e_version = 2;
	cr_assert_eq(check_header(&eh), -ENOEXEC);
}

Test(elf_header, wrong_machine_and_type)
{
	static const uint16_t machines[] = {
		EM_NONE, EM_386, EM_AARCH64, EM_RISCV, EM_IA_64, 0xffff,
	};
	for (size_t i = 0; i < sizeof machines / sizeof machines[0]; i++) {
		Elf64_Ehdr eh = ehdr(ET_EXEC, 1);
		eh.e_machine = machines[i];
		cr_assert_eq(check_header(&eh), -ENOEXEC, "machine %u", machines[i]);
	}
	static const uint16_t types[] = { ET_NONE, ET_REL, ET_CORE, ET_LOPROC, 0xffff, 5 };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		Elf64_Ehdr eh = ehdr(ET_EXEC, 1);
		eh.e_type = types[i];
		cr_assert_eq(check_header(&eh), -ENOEXEC, "type %#x", types[i]);
	}
}

Test(elf_header, bad_phentsize)
{
	static const uint16_t sizes[] = { 0, 1, 32, 55, 57, 64, 112, 0xffff };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		Elf64_Ehdr eh = ehdr(ET_EXEC, 1);
		eh.e_phentsize = sizes[i];
		cr_assert_eq(check_header(&eh), -ENOEXEC, "e_phentsize %u", sizes[i]);
	}
}

Test(elf_header, phnum_zero_and_huge)
{
	Elf64_Ehdr eh = ehdr(ET_EXEC, 0);
	cr_assert_eq(check_header(&eh), -ENOEXEC);
	/* LOADER_MAX_PHDR_BYTES of headers at most. */
	uint16_t max = LOADER_MAX_PHDR_BYTES / sizeof(Elf64_Phdr);
	eh = ehdr(ET_EXEC, max);
	cr_assert_eq(check_header(&eh), 0);
	eh = ehdr(ET_EXEC, (uint16_t)(max + 1));
	cr_assert_eq(check_header(&eh), -ENOEXEC);
	eh = ehdr(ET_EXEC, PN_XNUM);   /* the real count would be elsewhere */
	cr_assert_eq(check_header(&eh), -ENOEXEC);
}

Test(elf_header, phoff_overflow)
{
	Elf64_Ehdr eh = ehdr(ET_EXEC, 2);
	eh.e_phoff = UINT64_MAX;
	cr_assert_eq(check_header(&eh), -ENOEXEC);
	eh.e_phoff = UINT64_MAX - 2 * sizeof(Elf64_Phdr) + 1;
	cr_assert_eq(check_header(&eh), -ENOEXEC);
	/* The table ends exactly at the top: no overflow (the read fails later). */
	eh.e_phoff = UINT64_MAX - 2 * sizeof(Elf64_Phdr);
	cr_assert_eq(check_header(&eh), 0);
	eh.e_phoff = 0;   /* overlapping the header: odd, but not malformed */
	cr_assert_eq(check_header(&eh), 0);
}

/* --- elf_check_phdrs: valid layouts ------------------------------------------------------ */

Test(elf_phdrs, valid_static_layout)
{
	const Elf64_Phdr p[] = {
		ph(PT_LOAD, 0, 0x400000, 0x1000, 0x1000, PF_R),
		ph(PT_LOAD, 0x1000, 0x401000, 0x2345, 0x2345, PF_R | PF_X),
		ph(PT_LOAD, 0x4000, 0x404000, 0x500, 0x3000, PF_R | PF_W),   /* bss */
		ph(PT_NOTE, 0x200, 0x400200, 0x20, 0x20, PF_R),
		ph(PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W),
	};
	struct elf_layout lay;
	memset(&lay, 0x5a, sizeof lay);
	cr_assert_eq(check_phdrs(ET_EXEC, p, NPH(p), 0x4500, &lay), 0);
	cr_assert_eq(lay.min_vaddr, 0x400000);
	cr_assert_eq(lay.max_vaddr, 0x407000);
	cr_assert_eq(lay.interp_index, -1);
	/* The phdrs (at file offset 64) are mapped by the first segment. */
	cr_assert_eq(lay.phdr_vaddr, 0x400040);
	cr_assert_not(lay.exec_stack);
}

Test(elf_phdrs, valid_pie_layout)
{
	const char interp[] = "/lib64/ld-linux-x86-64.so.2";
	const Elf64_Phdr p[] = {
		ph(PT_PHDR, 0x40, 0x40, 5 * sizeof(Elf64_Phdr), 5 * sizeof(Elf64_Phdr), PF_R),
		ph(PT_INTERP, 0x318, 0x318, sizeof interp, sizeof interp, PF_R),
		ph(PT_LOAD, 0, 0, 0x36c0, 0x36c0, PF_R),
		ph(PT_LOAD, 0x4000, 0x4000, 0x15759, 0x15759, PF_R | PF_X),
		ph(PT_LOAD, 0x232b0, 0x232b0, 0x1310, 0x25f8, PF_R | PF_W),
	};
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_DYN, p, NPH(p), 0x25000, &lay), 0);
	cr_assert_eq(lay.min_vaddr, 0);
	cr_assert_eq(lay.max_vaddr, PAGE_ALIGN(0x232b0 + 0x25f8));
	cr_assert_eq(lay.interp_index, 1);
	cr_assert_eq(lay.phdr_vaddr, 0x40);
}

Test(elf_phdrs, phdr_vaddr_from_pt_phdr_or_unknown)
{
	/* PT_PHDR wins over what a segment maps. */
	Elf64_Phdr p[] = {
		ph(PT_PHDR, 0x40, 0x400040, 0x70, 0x70, PF_R),
		LOAD(0, 0x400000, 0x1000, 0x1000),
	};
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 2, 0x1000, &lay), 0);
	cr_assert_eq(lay.phdr_vaddr, 0x400040);
	/* No PT_PHDR and no segment maps file offset 64: unknown. */
	Elf64_Phdr q[] = { LOAD(0x1000, 0x401000, 0x1000, 0x1000) };
	cr_assert_eq(check_phdrs(ET_EXEC, q, 1, 0x2000, &lay), 0);
	cr_assert_eq(lay.phdr_vaddr, 0);
	cr_assert_eq(lay.min_vaddr, 0x401000);
	cr_assert_eq(lay.max_vaddr, 0x402000);
	/* A segment whose file part ends right before the phdrs does not
	 * map them. */
	Elf64_Phdr r[] = { LOAD(0, 0x400000, 0x40, 0x1000) };
	cr_assert_eq(check_phdrs(ET_EXEC, r, 1, 0x1000, &lay), 0);
	cr_assert_eq(lay.phdr_vaddr, 0);
}

Test(elf_phdrs, executable_stack)
{
	Elf64_Phdr p[] = {
		LOAD(0, 0x400000, 0x1000, 0x1000),
		ph(PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W | PF_X),
	};
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 2, 0x1000, &lay), 0);
	cr_assert(lay.exec_stack);
	/* Without PT_GNU_STACK: not executable (x86-64 default here). */
	cr_assert_eq(check_phdrs(ET_EXEC, p, 1, 0x1000, &lay), 0);
	cr_assert_not(lay.exec_stack);
}

Test(elf_phdrs, bss_only_segment_needs_no_file_bytes)
{
	/* filesz 0: the offset is never read, even past the end of the file. */
	Elf64_Phdr p[] = {
		LOAD(0, 0x400000, 0x100, 0x100),
		LOAD(0x7fff000, 0x7fff000, 0, 0x10000),
	};
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 2, 0x100, &lay), 0);
	cr_assert_eq(lay.max_vaddr, 0x800f000);
}

Test(elf_phdrs, segments_sharing_a_page)
{
	/* Text ends in the page where data starts (ld does this). */
	Elf64_Phdr p[] = {
		LOAD(0, 0x400000, 0x1234, 0x1234),
		LOAD(0x1234, 0x401234, 0x100, 0x200),
	};
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 2, 0x2000, &lay), 0);
	cr_assert_eq(lay.min_vaddr, 0x400000);
	cr_assert_eq(lay.max_vaddr, 0x402000);
}

Test(elf_phdrs, segment_ending_at_the_top_of_user_space)
{
	uint64_t top = GUEST_TASK_SIZE;
	Elf64_Phdr p[] = { LOAD(0, top - 0x2000, 0x100, 0x2000) };
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 1, 0x1000, &lay), 0);
	cr_assert_eq(lay.max_vaddr, top);
}

/* --- elf_check_phdrs: malformed ----------------------------------------------------------- */

static void expect_bad(const Elf64_Phdr *p, uint16_t n, uint64_t file_size, const char *what)
{
	struct elf_layout lay;
	int r = check_phdrs(ET_EXEC, p, n, file_size, &lay);
	cr_assert_eq(r, -EINVAL, "%s: %d", what, r);
	r = check_phdrs(ET_DYN, p, n, file_size, &lay);
	cr_assert_eq(r, -EINVAL, "%s (ET_DYN): %d", what, r);
}

Test(elf_phdrs, filesz_larger_than_memsz)
{
	Elf64_Phdr p[] = { LOAD(0, 0x400000, 0x1001, 0x1000) };
	expect_bad(p, 1, 0x2000, "filesz > memsz");
}

Test(elf_phdrs, misaligned_offset_and_vaddr)
{
	Elf64_Phdr p[] = { LOAD(0x1000, 0x401010, 0x10, 0x10) };
	expect_bad(p, 1, 0x2000, "offset 0x1000 vaddr 0x401010");
	Elf64_Phdr q[] = { LOAD(0x1008, 0x401000, 0x10, 0x10) };
	expect_bad(q, 1, 0x2000, "offset 0x1008 vaddr 0x401000");
	/* Congruent modulo the page is enough. */
	Elf64_Phdr r[] = { LOAD(0x1008, 0x409008, 0x10, 0x10) };
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, r, 1, 0x2000, &lay), 0);
	cr_assert_eq(lay.min_vaddr, 0x409000);
	cr_assert_eq(lay.max_vaddr, 0x40a000);
}

Test(elf_phdrs, segments_past_the_user_address_space)
{
	uint64_t top = GUEST_TASK_SIZE;
	Elf64_Phdr a[] = { LOAD(0, top - 0x1000, 0x10, 0x1001) };
	expect_bad(a, 1, 0x1000, "crossing the top");
	Elf64_Phdr b[] = { LOAD(0, top, 0x10, 0x10) };
	expect_bad(b, 1, 0x1000, "at the top");
	Elf64_Phdr c[] = { LOAD(0, 0xffff800000000000, 0x10, 0x10) };
	expect_bad(c, 1, 0x1000, "kernel half");
	Elf64_Phdr d[] = { LOAD(0, 0x400000, 0x10, top) };
	expect_bad(d, 1, 0x1000, "huge memsz");
	/* vaddr + memsz wraps around. */
	Elf64_Phdr e[] = { LOAD(0, 0xfffffffffffff000, 0x10, 0x2000) };
	expect_bad(e, 1, 0x1000, "wrapping");
	Elf64_Phdr f[] = { LOAD(0, 0x400000, 0, UINT64_MAX) };
	expect_bad(f, 1, 0x1000, "memsz UINT64_MAX");
	/* The second segment is the bad one. */
	Elf64_Phdr g[] = { LOAD(0, 0x400000, 0x10, 0x10), LOAD(0, top - 0x1000, 0, 0x2000) };
	expect_bad(g, 2, 0x1000, "second crossing the top");
}

Test(elf_phdrs, file_offsets_past_the_file)
{
	Elf64_Phdr a[] = { LOAD(0x2000, 0x402000, 0x10, 0x10) };
	expect_bad(a, 1, 0x2000, "offset == file size");
	Elf64_Phdr b[] = { LOAD(0x1000, 0x401000, 0x1001, 0x1001) };
	expect_bad(b, 1, 0x2000, "end one past the file");
	Elf64_Phdr c[] = { LOAD(0xfffffffffffff000, 0x401000, 0x2000, 0x2000) };
	expect_bad(c, 1, 0x2000, "offset + filesz wraps");
	Elf64_Phdr d[] = { LOAD(0, 0x400000, 0x10, 0x10) };
	expect_bad(d, 1, 0, "empty file");
	/* Ending exactly at the end is fine. */
	Elf64_Phdr e[] = { LOAD(0x1000, 0x401000, 0x1000, 0x1000) };
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, e, 1, 0x2000, &lay), 0);
}

Test(elf_phdrs, segments_out_of_order)
{
	Elf64_Phdr a[] = {
		LOAD(0x1000, 0x401000, 0x10, 0x10),
		LOAD(0, 0x400000, 0x10, 0x10),
	};
	expect_bad(a, 2, 0x2000, "descending");
	/* The second starts inside the first's pages. */
	Elf64_Phdr b[] = {
		LOAD(0, 0x400000, 0x3000, 0x3000),
		LOAD(0x1000, 0x401000, 0x10, 0x10),
	};
	expect_bad(b, 2, 0x4000, "overlapping");
	/* Order is checked against the previous PT_LOAD, not other types. */
	Elf64_Phdr c[] = {
		LOAD(0, 0x400000, 0x10, 0x10),
		ph(PT_NOTE, 0, 0x100, 0x10, 0x10, PF_R),
		LOAD(0x1000, 0x401000, 0x10, 0x10),
	};
	struct elf_layout lay;
	cr_assert_eq(check_phdrs(ET_EXEC, c, 3, 0x2000, &lay), 0);
}

Test(elf_phdrs, no_pt_load)
{
	Elf64_Phdr a[] = {
		ph(PT_INTERP, 0x100, 0, 0x10, 0x10, PF_R),
		ph(PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W),
		ph(PT_NOTE, 0, 0, 0, 0, PF_R),
	};
	expect_bad(a, 3, 0x1000, "no PT_LOAD");
	expect_bad(a + 1, 1, 0x1000, "only PT_GNU_STACK");
}

Test(elf_phdrs, two_pt_interps)
{
	Elf64_Phdr a[] = {
		ph(PT_INTERP, 0x100, 0, 0x10, 0x10, PF_R),
		ph(PT_INTERP, 0x200, 0, 0x10, 0x10, PF_R),
		LOAD(0, 0, 0x1000, 0x1000),
	};
	expect_bad(a, 3, 0x1000, "two PT_INTERP");
}

Test(elf_phdrs, pt_interp_sizes_and_bounds)
{
	Elf64_Phdr p[] = {
		ph(PT_INTERP, 0x100, 0, 0x10, 0x10, PF_R),
		LOAD(0, 0, 0x1000, 0x1000),
	};
	uint64_t fsize = 0x10000;
	struct elf_layout lay;
	/* Too short: "" or one byte. */
	p[0].p_filesz = 0;
	expect_bad(p, 2, fsize, "PT_INTERP of 0 bytes");
	p[0].p_filesz = 1;
	expect_bad(p, 2, fsize, "PT_INTERP of 1 byte");
	p[0].p_filesz = 2;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 2, fsize, &lay), 0);
	cr_assert_eq(lay.interp_index, 0);
	/* Too long. */
	p[0].p_filesz = PATH_MAX;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 2, fsize, &lay), 0);
	p[0].p_filesz = PATH_MAX + 1;
	expect_bad(p, 2, fsize, "PT_INTERP of PATH_MAX + 1");
	p[0].p_filesz = UINT64_MAX;
	expect_bad(p, 2, fsize, "PT_INTERP of UINT64_MAX");
	/* Past the end of the file. */
	p[0].p_filesz = 0x10;
	p[0].p_offset = fsize - 0x10;
	cr_assert_eq(check_phdrs(ET_EXEC, p, 2, fsize, &lay), 0);
	p[0].p_offset = fsize - 0xf;
	expect_bad(p, 2, fsize, "PT_INTERP one past EOF");
	p[0].p_offset = fsize;
	expect_bad(p, 2, fsize, "PT_INTERP at EOF");
	p[0].p_offset = UINT64_MAX - 4;
	expect_bad(p, 2, fsize, "PT_INTERP offset wrapping");
	/* Its position in the table is reported. */
	Elf64_Phdr q[] = {
		LOAD(0, 0, 0x1000, 0x1000),
		ph(PT_NOTE, 0, 0, 0, 0, PF_R),
		ph(PT_INTERP, 0x100, 0, 0x1c, 0x1c, PF_R),
	};
	cr_assert_eq(check_phdrs(ET_DYN, q, 3, fsize, &lay), 0);
	cr_assert_eq(lay.interp_index, 2);
}

/* --- real binaries ------------------------------------------------------------------------- */

static unsigned char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	unsigned char *buf = malloc((size_t)st.st_size + 1);
	cr_assert_not_null(buf);
	size_t done = 0;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		cr_assert_gt(n, 0, "read %s", path);
		done += (size_t)n;
	}
	close(fd);
	*len = done;
	return buf;
}

struct parsed {
	Elf64_Ehdr eh;
	struct elf_layout lay;
	const char *interp;   /* into the file's bytes, or NULL */
};

/* Parses a whole file as the loader does and checks the layout against
 * what the test computes itself from the program headers. */
static void parse_file(const unsigned char *buf, size_t len, const char *name, struct parsed *out)
{
	cr_assert_eq(elf_check_header(buf, len < LOADER_HEADER_SIZE ? len : LOADER_HEADER_SIZE,
				      &out->eh), 0, "%s: header", name);
	size_t phbytes = (size_t)out->eh.e_phnum * sizeof(Elf64_Phdr);
	cr_assert_leq(out->eh.e_phoff + phbytes, len, "%s: phdrs inside the file", name);
	Elf64_Phdr *p = malloc(phbytes);
	cr_assert_not_null(p);
	memcpy(p, buf + out->eh.e_phoff, phbytes);
	cr_assert_eq(elf_check_phdrs(&out->eh, p, len, &out->lay), 0, "%s: phdrs", name);

	uint64_t min = UINT64_MAX, max = 0, phdr = 0;
	int interp = -1;
	for (int i = 0; i < out->eh.e_phnum; i++) {
		if (p[i].p_type == PT_LOAD) {
			if (PAGE_DOWN(p[i].p_vaddr) < min)
				min = PAGE_DOWN(p[i].p_vaddr);
			if (PAGE_ALIGN(p[i].p_vaddr + p[i].p_memsz) > max)
				max = PAGE_ALIGN(p[i].p_vaddr + p[i].p_memsz);
			if (!phdr && p[i].p_offset <= out->eh.e_phoff &&
			    out->eh.e_phoff + phbytes <= p[i].p_offset + p[i].p_filesz)
				phdr = p[i].p_vaddr + out->eh.e_phoff - p[i].p_offset;
		} else if (p[i].p_type == PT_INTERP) {
			interp = i;
		}
	}
	for (int i = 0; i < out->eh.e_phnum; i++)
		if (p[i].p_type == PT_PHDR)
			phdr = p[i].p_vaddr;
	cr_assert_eq(out->lay.min_vaddr, min, "%s: min_vaddr %#lx, want %#lx", name,
		     out->lay.min_vaddr, min);
	cr_assert_eq(out->lay.max_vaddr, max, "%s: max_vaddr %#lx, want %#lx", name,
		     out->lay.max_vaddr, max);
	cr_assert_eq(out->lay.phdr_vaddr, phdr, "%s: phdr_vaddr %#lx, want %#lx", name,
		     out->lay.phdr_vaddr, phdr);
	cr_assert_eq(out->lay.interp_index, interp, "%s: interp_index", name);
	out->interp = NULL;
	if (interp >= 0) {
		const char *s = (const char *)buf + p[interp].p_offset;
		cr_assert_eq(s[p[interp].p_filesz - 1], 0, "%s: interpreter not terminated", name);
		out->interp = s;
	}
	free(p);
}

Test(elf_real, bin_ls)
{
	size_t len;
	unsigned char *buf = read_all("/bin/ls", &len);
	if (!buf)
		cr_skip_test("no /bin/ls");
	struct parsed ps;
	parse_file(buf, len, "/bin/ls", &ps);
	cr_assert(ps.eh.e_type == ET_DYN || ps.eh.e_type == ET_EXEC);
	cr_assert_geq(ps.lay.interp_index, 0, "/bin/ls is dynamically linked");
	cr_assert_not_null(ps.interp);
	cr_assert(strncmp(ps.interp, "/lib", 4) == 0, "interpreter %s", ps.interp);
	cr_assert_neq(ps.lay.phdr_vaddr, 0);
	cr_assert_not(ps.lay.exec_stack);
	/* A file cut anywhere inside its segments is refused. */
	struct elf_layout lay;
	Elf64_Phdr *p = malloc(ps.eh.e_phnum * sizeof *p);
	memcpy(p, buf + ps.eh.e_phoff, ps.eh.e_phnum * sizeof *p);
	uint64_t file_end = 0;
	for (int i = 0; i < ps.eh.e_phnum; i++)
		if (p[i].p_type == PT_LOAD && p[i].p_offset + p[i].p_filesz > file_end)
			file_end = p[i].p_offset + p[i].p_filesz;
	cr_assert_eq(elf_check_phdrs(&ps.eh, p, file_end, &lay), 0);
	cr_assert_eq(elf_check_phdrs(&ps.eh, p, file_end - 1, &lay), -EINVAL);
	free(p);
	free(buf);
}

Test(elf_real, dynamic_loader)
{
	size_t len;
	unsigned char *buf = read_all("/lib64/ld-linux-x86-64.so.2", &len);
	if (!buf)
		cr_skip_test("no /lib64/ld-linux-x86-64.so.2");
	struct parsed ps;
	parse_file(buf, len, "ld.so", &ps);
	cr_assert_eq(ps.eh.e_type, ET_DYN);
	cr_assert_eq(ps.lay.interp_index, -1);
	cr_assert_eq(ps.lay.min_vaddr, 0);
	free(buf);
}

Test(elf_real, static_busybox)
{
	const char *path = access("/usr/bin/busybox", R_OK) == 0 ? "/usr/bin/busybox" :
			   access("/bin/busybox", R_OK) == 0 ? "/bin/busybox" : NULL;
	if (!path)
		cr_skip_test("no busybox");
	size_t len;
	unsigned char *buf = read_all(path, &len);
	cr_assert_not_null(buf);
	struct parsed ps;
	parse_file(buf, len, path, &ps);
	if (ps.lay.interp_index >= 0) {
		free(buf);
		cr_skip_test("%s is not static", path);
	}
	cr_assert_null(ps.interp);
	if (ps.eh.e_type == ET_EXEC)
		cr_assert_geq(ps.lay.min_vaddr, 0x10000, "a static executable is linked high");
	free(buf);
}

/* A static and a static-pie program built now (skipped without a C
 * compiler). */
static bool build(const char *dir, const char *out, const char *flag)
{
	char src[PATH_MAX], bin[PATH_MAX];
	snprintf(src, sizeof src, "%s/prog.c", dir);
	snprintf(bin, sizeof bin, "%s/%s", dir, out);
	FILE *f = fopen(src, "w");
	cr_assert_not_null(f);
	fputs("int main(void) { return 0; }\n", f);
	fclose(f);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execlp("cc", "cc", flag, "-O1", "-o", bin, src, (char *)NULL);
		_exit(127);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

Test(elf_real, static_binaries_built_here, .timeout = 30)
{
	char dir[] = "/tmp/test_elf.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	static const struct { const char *name, *flag; uint16_t type; } progs[] = {
		{ "static", "-static", ET_EXEC },
		{ "static-pie", "-static-pie", ET_DYN },
	};
	int built = 0;
	for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
		if (!build(dir, progs[i].name, progs[i].flag))
			continue;
		built++;
		char bin[PATH_MAX];
		snprintf(bin, sizeof bin, "%s/%s", dir, progs[i].name);
		size_t len;
		unsigned char *buf = read_all(bin, &len);
		cr_assert_not_null(buf);
		struct parsed ps;
		parse_file(buf, len, progs[i].name, &ps);
		cr_assert_eq(ps.eh.e_type, progs[i].type, "%s", progs[i].name);
		cr_assert_eq(ps.lay.interp_index, -1, "%s has no interpreter", progs[i].name);
		unlink(bin);
		free(buf);
	}
	char src[PATH_MAX];
	snprintf(src, sizeof src, "%s/prog.c", dir);
	unlink(src);
	rmdir(dir);
	if (!built)
		cr_skip_test("no C compiler able to link statically");
}

/* --- fuzz ------------------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, same run every time. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const uint64_t interesting[] = {
	0, 1, 2, 0x40, 0x38, 0xfff, 0x1000, 0x1001, 0x400000, 0x7ffffffff000, 0x7fffffffffff,
	0x800000000000, 0x8000000000000000, UINT64_MAX, UINT64_MAX - 0xfff, PATH_MAX, PATH_MAX + 1,
};

/* Mutates the headers of a real binary; whatever the parsers accept must
 * be a sane layout, and nothing may read out of bounds (ASan). */
Test(elf_fuzz, mutated_headers_of_bin_ls, .timeout = 30)
{
	size_t len;
	unsigned char *orig = read_all("/bin/ls", &len);
	if (!orig)
		cr_skip_test("no /bin/ls");
	size_t span = 64 + 13 * sizeof(Elf64_Phdr) + 64;   /* header and phdrs */
	if (span > len)
		span = len;
	unsigned char *buf = malloc(len);
	int accepted = 0;
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(buf, orig, len);
		int muts = 1 + (int)(rng() % 4);
		for (int m = 0; m < muts; m++) {
			size_t at = rng() % span;
			switch (rng() % 3) {
			case 0:
				buf[at] = (unsigned char)rng();
				break;
			case 1:
				buf[at] ^= (unsigned char)(1u << (rng() % 8));
				break;
			default: {
				size_t k = sizeof interesting / sizeof interesting[0];
				uint64_t v = interesting[rng() % k];
				at &= ~(size_t)7;
				if (at + 8 <= span)
					memcpy(buf + at, &v, 8);
				break;
			}
			}
		}
		size_t hlen = (size_t)(rng() % 8 == 0 ? rng() % 80 : LOADER_HEADER_SIZE);
		if (hlen > len)
			hlen = len;
		Elf64_Ehdr eh;
		if (check_header_bytes(buf, hlen, &eh) != 0)
			continue;
		cr_assert_eq(eh.e_phentsize, sizeof(Elf64_Phdr));
		cr_assert(eh.e_phnum > 0);
		size_t phbytes = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
		cr_assert_leq(phbytes, LOADER_MAX_PHDR_BYTES);
		if (eh.e_phoff > len || phbytes > len - eh.e_phoff)
			continue;   /* the loader's read would come up short */
		Elf64_Phdr *p = malloc(phbytes);
		memcpy(p, buf + eh.e_phoff, phbytes);
		struct elf_layout lay;
		uint64_t fsize = rng() % 4 ? len : rng() % (len + 1);
		if (elf_check_phdrs(&eh, p, fsize, &lay) == 0) {
			accepted++;
			cr_assert_leq(lay.min_vaddr, lay.max_vaddr);
			cr_assert_leq(lay.max_vaddr, GUEST_TASK_SIZE);
			cr_assert_eq(lay.min_vaddr % PAGE_SIZE, 0);
			cr_assert_eq(lay.max_vaddr % PAGE_SIZE, 0);
			cr_assert(lay.interp_index >= -1 && lay.interp_index < eh.e_phnum);
			for (int i = 0; i < eh.e_phnum; i++) {
				if (p[i].p_type != PT_LOAD)
					continue;
				cr_assert_leq(p[i].p_filesz, p[i].p_memsz);
				cr_assert_geq(p[i].p_vaddr, lay.min_vaddr);
				cr_assert_leq(p[i].p_vaddr + p[i].p_memsz, lay.max_vaddr);
				if (p[i].p_filesz)
					cr_assert_leq(p[i].p_offset + p[i].p_filesz, fsize);
			}
			if (lay.interp_index >= 0) {
				const Elf64_Phdr *ip = &p[lay.interp_index];
				cr_assert_eq(ip->p_type, PT_INTERP);
				cr_assert(ip->p_filesz >= 2 && ip->p_filesz <= PATH_MAX);
				cr_assert_leq(ip->p_offset + ip->p_filesz, fsize);
			}
		}
		free(p);
	}
	cr_assert_gt(accepted, 100, "the fuzz mostly tested rejection (%d accepted)", accepted);
	free(buf);
	free(orig);
}

/* --- script_parse ---------------------------------------------------------------- */

/* Parses text (len bytes, or strlen) in a buffer with room for len + 1. */
static int parse(const char *text, size_t len, char **interp, char **arg, char **buf)
{
	*buf = malloc(len + 1);
	cr_assert_not_null(*buf);
	memcpy(*buf, text, len);
	*interp = *arg = (char *)0x1;
	return script_parse(*buf, len, interp, arg);
}

static void expect_script(const char *text, const char *interp, const char *arg)
{
	char *buf, *i, *a;
	int r = parse(text, strlen(text), &i, &a, &buf);
	cr_assert_eq(r, 0, "\"%s\": %d", text, r);
	cr_assert_str_eq(i, interp, "\"%s\"", text);
	if (arg)
		cr_assert(a && strcmp(a, arg) == 0, "\"%s\": arg \"%s\", wanted \"%s\"", text,
			  a ? a : "(null)", arg);
	else
		cr_assert_null(a, "\"%s\": arg \"%s\", wanted none", text, a);
	free(buf);
}

static void expect_script_err(const char *text, size_t len, int want)
{
	char *buf, *i, *a;
	int r = parse(text, len, &i, &a, &buf);
	cr_assert_eq(r, want, "\"%.*s\": %d, wanted %d", (int)len, text, r, want);
	free(buf);
}

Test(script, plain_interpreter)
{
	expect_script("#!/bin/sh\necho hi\n", "/bin/sh", NULL);
	expect_script("#!/bin/sh\n", "/bin/sh", NULL);
}

Test(script, blank_before_the_interpreter_and_one_argument)
{
	expect_script("#! /bin/sh -x\n", "/bin/sh", "-x");
	expect_script("#!   /bin/sh   -x\nrest", "/bin/sh", "-x");
}

Test(script, everything_after_the_interpreter_is_one_argument)
{
	expect_script("#!/usr/bin/env python3 -u extra\nprint(1)\n", "/usr/bin/env",
		      "python3 -u extra");
	expect_script("#!/bin/echo a  b\n", "/bin/echo", "a  b");
}

Test(script, tabs_are_blanks)
{
	expect_script("#!\t/bin/sh\t-x\n", "/bin/sh", "-x");
	expect_script("#!/bin/sh\t \t-e  -u\t\n", "/bin/sh", "-e  -u");
}

Test(script, trailing_blanks_are_cut)
{
	expect_script("#!/bin/sh   \n", "/bin/sh", NULL);
	expect_script("#!/bin/sh \t \t\n", "/bin/sh", NULL);
	expect_script("#!/bin/sh -x  \t \n", "/bin/sh", "-x");
	/* A carriage return is not a blank (Linux runs "/bin/sh\r"). */
	expect_script("#!/bin/sh\r\n", "/bin/sh\r", NULL);
}

Test(script, no_newline_in_the_buffer)
{
	/* The whole buffer is the line. */
	expect_script("#!/bin/sh", "/bin/sh", NULL);
	expect_script("#!/bin/sh -e", "/bin/sh", "-e");
	/* Only len bytes count, even if more follow. */
	char *buf, *i, *a;
	cr_assert_eq(parse("#!/bin/sh -x\n", 9, &i, &a, &buf), 0);
	cr_assert_str_eq(i, "/bin/sh");
	cr_assert_null(a);
	free(buf);
	/* A NUL ends the line. */
	cr_assert_eq(parse("#!/bin/sh\0-x\n", 13, &i, &a, &buf), 0);
	cr_assert_str_eq(i, "/bin/sh");
	cr_assert_null(a);
	free(buf);
}

Test(script, empty_interpreter_is_enoexec)
{
	/* Linux: "#!" without an interpreter is not a script; execve fails
	 * with ENOEXEC. */
	expect_script_err("#!", 2, -ENOEXEC);
	expect_script_err("#!\n", 3, -ENOEXEC);
	expect_script_err("#!   \t \n/bin/sh\n", 16, -ENOEXEC);
	expect_script_err("#! \t ", 5, -ENOEXEC);
}

Test(script, not_a_script)
{
	expect_script_err("", 0, -ENOEXEC);
	expect_script_err("#", 1, -ENOEXEC);
	expect_script_err("#x/bin/sh\n", 10, -ENOEXEC);
	expect_script_err("!#/bin/sh\n", 10, -ENOEXEC);
	expect_script_err(" #!/bin/sh\n", 11, -ENOEXEC);
	expect_script_err("\177ELF\2\1\1", 7, -ENOEXEC);
	expect_script_err("#!/bin/sh", 1, -ENOEXEC);   /* only "#" was read */
}

/* A full header (LOADER_HEADER_SIZE bytes read) without a newline: as
 * Linux, the line is the first LOADER_HEADER_SIZE - 1 bytes, and an
 * interpreter that may have been cut is refused. */
Test(script, line_cut_at_the_end_of_the_header)
{
	char text[LOADER_HEADER_SIZE + 1], *buf, *i, *a;
	/* "#!/aaaa...": the name runs to the end. */
	memset(text, 'a', sizeof text);
	memcpy(text, "#!/", 3);
	cr_assert_eq(parse(text, LOADER_HEADER_SIZE, &i, &a, &buf), -ENOEXEC);
	free(buf);
	/* One byte shorter: the whole file was read, nothing was cut. */
	cr_assert_eq(parse(text, LOADER_HEADER_SIZE - 1, &i, &a, &buf), 0);
	cr_assert_eq(strlen(i), LOADER_HEADER_SIZE - 3);
	cr_assert_null(a);
	free(buf);
	/* The name ends on the very last byte, with a blank: not cut. */
	text[LOADER_HEADER_SIZE - 1] = ' ';
	cr_assert_eq(parse(text, LOADER_HEADER_SIZE, &i, &a, &buf), 0);
	cr_assert_eq(strlen(i), LOADER_HEADER_SIZE - 3);
	cr_assert_null(a);
	free(buf);
	/* An argument is cut at LOADER_HEADER_SIZE - 1 bytes (not refused). */
	memset(text, 'b', sizeof text);
	memcpy(text, "#!/bin/echo ", 12);
	cr_assert_eq(parse(text, LOADER_HEADER_SIZE, &i, &a, &buf), 0);
	cr_assert_str_eq(i, "/bin/echo");
	cr_assert_not_null(a);
	cr_assert_eq(strlen(a), LOADER_HEADER_SIZE - 1 - 12);
	free(buf);
	/* With a newline inside, the rest does not matter. */
	memcpy(text, "#!/bin/sh\n", 10);
	cr_assert_eq(parse(text, LOADER_HEADER_SIZE, &i, &a, &buf), 0);
	cr_assert_str_eq(i, "/bin/sh");
	free(buf);
}
