/* libFuzzer harness: the program loader's parsing (sentry/loader/elf.c),
 * fed the way loader_load_elf feeds it (read_image in load.c): the ELF
 * header from the start of the file, the program headers from e_phoff
 * (refused when the file ends before them), the file's size; and the
 * "#!" line from the first LOADER_HEADER_SIZE bytes, as execve reads it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_elf(const uint8_t *data, size_t size)
{
	Elf64_Ehdr eh;
	size_t hl = size < sizeof eh ? size : sizeof eh;
	uint8_t *hdr = malloc(hl ? hl : 1);
	if (!hdr)
		return;
	memcpy(hdr, data, hl);
	int err = elf_check_header(hdr, hl, &eh);
	free(hdr);
	if (err < 0)
		return;
	size_t phbytes = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (phbytes > LOADER_MAX_PHDR_BYTES || eh.e_phoff > size || size - eh.e_phoff < phbytes)
		return;   /* a short read: ENOEXEC before the check */
	Elf64_Phdr *ph = malloc(phbytes);
	if (!ph)
		return;
	memcpy(ph, data + eh.e_phoff, phbytes);
	struct elf_layout lay;
	if (elf_check_phdrs(&eh, ph, size, &lay) == 0) {
		/* What load.c relies on once the check passed. */
		if (lay.min_vaddr > lay.max_vaddr || lay.max_vaddr > GUEST_TASK_SIZE)
			abort();
		if (lay.interp_index >= eh.e_phnum)
			abort();
		if (lay.interp_index >= 0) {
			const Elf64_Phdr *p = &ph[lay.interp_index];
			if (p->p_filesz < 2 || p->p_offset > size || p->p_filesz > size - p->p_offset)
				abort();
		}
	}
	free(ph);
}

static void check_script(const uint8_t *data, size_t size)
{
	size_t n = size < LOADER_HEADER_SIZE ? size : LOADER_HEADER_SIZE;
	char *buf = malloc(n + 1);   /* script_parse writes one byte past */
	if (!buf)
		return;
	memcpy(buf, data, n);
	char *interp, *arg;
	if (script_parse(buf, n, &interp, &arg) == 0) {
		if (interp < buf || interp >= buf + n + 1 || !*interp)
			abort();
		if (arg && (arg < buf || arg >= buf + n + 1 || strlen(arg) > n))
			abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_elf(data, size);
	check_script(data, size);
	return 0;
}
