/* Parsing of ELF headers and #! lines: pure functions over bytes already
 * read, so that malformed input can be tested without a process. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "platform/platform.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

int elf_check_header(const void *buf, size_t len, Elf64_Ehdr *out)
{
	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (len < sizeof(Elf64_Ehdr))
		return -EINVAL;
	Elf64_Ehdr eh;
	memcpy(&eh, buf, sizeof eh);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_ident[EI_VERSION] != EV_CURRENT)
		return -ENOEXEC;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return -ENOEXEC;
	if (eh.e_machine != EM_X86_64 || eh.e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	if (eh.e_phnum < 1 || (size_t)eh.e_phnum * sizeof(Elf64_Phdr) > LOADER_MAX_PHDR_BYTES)
		return -ENOEXEC;
	if (eh.e_phoff > UINT64_MAX - (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr))
		return -ENOEXEC;
	*out = eh;
	return 0;
}

int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size,
		    struct elf_layout *out)
{
	memset(out, 0, sizeof *out);
	out->interp_index = -1;
	uint64_t min = UINT64_MAX, max = 0, last_end = 0;
	bool any = false;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		switch (p->p_type) {
		case PT_INTERP:
			if (out->interp_index >= 0)
				return -EINVAL;
			if (p->p_filesz < 2 || p->p_filesz > PATH_MAX || p->p_offset > file_size ||
			    p->p_filesz > file_size - p->p_offset)
				return -EINVAL;
			out->interp_index = i;
			break;
		case PT_PHDR:
			out->phdr_vaddr = p->p_vaddr;
			break;
		case PT_GNU_STACK:
			out->exec_stack = p->p_flags & PF_X;
			break;
		case PT_LOAD: {
			if (p->p_filesz > p->p_memsz)
				return -EINVAL;
			/* The file offset and address agree modulo the page. */
			if ((p->p_offset & (PAGE_SIZE - 1)) != (p->p_vaddr & (PAGE_SIZE - 1)))
				return -EINVAL;
			if (p->p_vaddr > GUEST_TASK_SIZE || p->p_memsz > GUEST_TASK_SIZE - p->p_vaddr)
				return -EINVAL;
			if (p->p_filesz && (p->p_offset > file_size ||
					    p->p_filesz > file_size - p->p_offset))
				return -EINVAL;
			uint64_t start = PAGE_DOWN(p->p_vaddr);
			uint64_t end = PAGE_ALIGN(p->p_vaddr + p->p_memsz);
			/* PT_LOADs are sorted by address (ELF spec). */
			if (any && start < PAGE_DOWN(last_end))
				return -EINVAL;
			last_end = p->p_vaddr + p->p_memsz;
			if (start < min)
				min = start;
			if (end > max)
				max = end;
			any = true;
			/* The phdrs are in memory if a segment maps them. */
			if (!out->phdr_vaddr && p->p_offset <= eh->e_phoff &&
			    eh->e_phoff - p->p_offset < p->p_filesz)
				out->phdr_vaddr = p->p_vaddr + (eh->e_phoff - p->p_offset);
			break;
		}
		default:
			break;
		}
	}
	if (!any)
		return -EINVAL;
	out->min_vaddr = min;
	out->max_vaddr = max;
	return 0;
}

int script_parse(char *buf, size_t len, char **interp, char **arg)
{
	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	/* The line ends at the first newline or at the end of what was read.
	 * Linux looks at the first LOADER_HEADER_SIZE bytes only: without a
	 * newline in a full header, the line is its first
	 * LOADER_HEADER_SIZE - 1 bytes, and an interpreter name that runs
	 * into the last byte may have been cut (ENOEXEC). */
	size_t end = 2;
	while (end < len && buf[end] != '\n' && buf[end] != 0)
		end++;
	bool cut = end == len && len >= LOADER_HEADER_SIZE;
	char at_end = 0;
	if (cut) {
		end = LOADER_HEADER_SIZE - 1;
		at_end = buf[end];
	}
	buf[end] = 0;
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;   /* no interpreter: as Linux, not a script */
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (cut && p == buf + end && at_end != ' ' && at_end != '\t')
		return -ENOEXEC;
	*arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			/* One argument: the rest of the line, trailing blanks cut. */
			char *e = p + strlen(p);
			while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
			*arg = p;
		}
	}
	return 0;
}
