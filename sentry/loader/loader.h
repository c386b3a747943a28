/* The program loader: ELF executables (static and with PT_INTERP) and #!
 * scripts.  Parsing (elf.c) is pure and works on bytes already read;
 * loading (load.c) maps an image into the task's address space and builds
 * the initial stack. */
#ifndef SENTRY_LOADER_LOADER_H
#define SENTRY_LOADER_LOADER_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct file;
struct cred;

#define LOADER_HEADER_SIZE 256        /* bytes read to recognise a format */
#define LOADER_MAX_PHDR_BYTES 65536
#define LOADER_MAX_SCRIPT_DEPTH 4
#define LOADER_MAX_ARG_STRLEN (32 * 4096)     /* MAX_ARG_STRLEN */

/* --- pure parsing ---------------------------------------------------------- */

/* Validates an x86-64 ELF header (ET_EXEC or ET_DYN).  -ENOEXEC if it is
 * not one, -EINVAL if it is malformed. */
int elf_check_header(const void *buf, size_t len, Elf64_Ehdr *out);
/* Validates the program headers (already read, e_phnum entries) of an
 * image: PT_LOAD segments sane, congruent, within the address space, no
 * overflow; at most one PT_INTERP.  Fills the span of the loadable part. */
struct elf_layout {
	uint64_t min_vaddr, max_vaddr;   /* page-aligned span of PT_LOADs */
	int interp_index;                /* PT_INTERP phdr index or -1 */
	uint64_t phdr_vaddr;             /* where the phdrs are in memory, 0 if unknown */
	bool exec_stack;
};
int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size,
		    struct elf_layout *out);

/* Parses a "#!" line of len bytes: *interp and *arg point into buf, which
 * is modified and must have room for len + 1 bytes; *arg is NULL without an
 * argument.  -ENOEXEC if buf is not a script, and (as Linux) also for an
 * empty interpreter or one cut at the end of a full header. */
int script_parse(char *buf, size_t len, char **interp, char **arg);

/* --- loading ---------------------------------------------------------------- */

/* What execve needs once the image is in memory. */
struct exec_image {
	uint64_t entry;      /* initial rip */
	uint64_t stack;      /* initial rsp */
	/* In: the credentials the program will have (NULL: the process's)
	 * and whether the exec raises privileges (AT_SECURE). */
	const struct cred *cred;
	bool secure;
	/* In, optional: called once the program (and its interpreter) are
	 * read and checked, before anything is mapped: the exec's point of no
	 * return, where the caller puts the new address space in place.  Its
	 * error is returned as is. */
	int (*commit)(void *arg);
	void *commit_arg;
};

/* Loads the ELF file f (already opened and checked executable) into the
 * task's current address space, which must be empty: segments, the
 * interpreter named by PT_INTERP, brk, the stack with argv, envp and auxv.
 * filename is AT_EXECFN. */
int loader_load_elf(struct task *t, struct file *f, const char *filename, char *const argv[],
		    char *const envp[], struct exec_image *out);

/* Reads len bytes at off of f (through the VFS); returns bytes read. */
long loader_pread(struct task *t, struct file *f, void *buf, size_t len, int64_t off);

#endif
