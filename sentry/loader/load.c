/* Loading an ELF image into a fresh address space and building the initial
 * stack (fs/binfmt_elf.c is the reference). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "common/cleanup.h"
#include "sentry/kernel/kernel.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

#define ELF_ET_DYN_BASE 0x555555554000UL
/* The stack and the mmap area sit just below the stub region, with less
 * randomisation than Linux gives them (768 MiB in all rather than
 * terabytes): shared libraries and static PIE programs must stay within
 * reach of a jmp rel32 from the trampolines of systrap's syscall patching. */
#define STACK_TOP_MAX   (STUB_REGION_START - (64UL << 20))
#define STACK_DEFAULT   (8UL << 20)
#define MMAP_GAP_MIN    (128UL << 20)

long loader_pread(struct task *t, struct file *f, void *buf, size_t len, int64_t off)
{
	if (!f->fop || !f->fop->read)
		return -EACCES;
	size_t done = 0;
	while (done < len) {
		int64_t pos = off + (int64_t)done;
		ssize_t r = f->fop->read(f, t, (char *)buf + done, len - done, &pos);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (long)done;
}

/* A random number of pages below max_pages (address space layout
 * randomisation). */
static uint64_t random_pages(uint64_t max_pages)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		return 0;
	return (r % max_pages) * PAGE_SIZE;
}

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	struct elf_layout lay;
	uint64_t bias;
};

static void image_free(struct image *im)
{
	free(im->ph);
	im->ph = NULL;
}

static int file_size(struct file *f, uint64_t *size)
{
	struct stat st;
	int err = vfs_getattr(&f->path, &st);
	if (err < 0)
		return err;
	*size = (uint64_t)st.st_size;
	return 0;
}

static int read_image(struct task *t, struct file *f, struct image *im)
{
	char hdr[sizeof(Elf64_Ehdr)];
	long n = loader_pread(t, f, hdr, sizeof hdr, 0);
	if (n < 0)
		return (int)n;
	int err = elf_check_header(hdr, (size_t)n, &im->eh);
	if (err < 0)
		return err == -EINVAL ? -ENOEXEC : err;
	size_t phbytes = (size_t)im->eh.e_phnum * sizeof(Elf64_Phdr);
	im->ph = malloc(phbytes);
	if (!im->ph)
		return -ENOMEM;
	n = loader_pread(t, f, im->ph, phbytes, (int64_t)im->eh.e_phoff);
	if (n < 0)
		return (int)n;
	if ((size_t)n != phbytes)
		return -ENOEXEC;
	uint64_t size;
	if ((err = file_size(f, &size)) < 0)
		return err;
	err = elf_check_phdrs(&im->eh, im->ph, size, &im->lay);
	return err == -EINVAL ? -ENOEXEC : err;
}

static int prot_of(const Elf64_Phdr *p)
{
	return (p->p_flags & PF_R ? PROT_READ : 0) | (p->p_flags & PF_W ? PROT_WRITE : 0) |
	       (p->p_flags & PF_X ? PROT_EXEC : 0);
}

/* Maps every PT_LOAD of im at im->bias. */
static int map_image(struct task *t, struct file *f, struct image *im, uint64_t *end)
{
	struct mm *mm = t->mm;
	*end = 0;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		int prot = prot_of(p);
		uint64_t seg = im->bias + p->p_vaddr;
		uint64_t file_end = seg + p->p_filesz, mem_end = seg + p->p_memsz;
		uint64_t anon_start = PAGE_DOWN(seg);
		if (p->p_filesz > 0) {
			uint64_t start = PAGE_DOWN(seg);
			long r = mm_mmap(t, start, PAGE_ALIGN(file_end) - start, prot,
					 MAP_PRIVATE | MAP_FIXED, f, PAGE_DOWN(p->p_offset));
			if (r < 0)
				return (int)r;
			/* The rest of the last file page belongs to .bss. */
			if (mem_end > file_end && (file_end & (PAGE_SIZE - 1)) && (prot & PROT_WRITE)) {
				if (clear_user(t, file_end, PAGE_ALIGN(file_end) - file_end) < 0)
					return -EFAULT;
			}
			anon_start = PAGE_ALIGN(file_end);
		}
		if (PAGE_ALIGN(mem_end) > anon_start) {
			long r = mm_mmap(t, anon_start, PAGE_ALIGN(mem_end) - anon_start, prot,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
			if (r < 0)
				return (int)r;
		}
		if (prot & PROT_EXEC) {
			if (!mm->start_code || seg < mm->start_code)
				mm->start_code = seg;
			if (file_end > mm->end_code)
				mm->end_code = file_end;
		} else {
			if (!mm->start_data || seg < mm->start_data)
				mm->start_data = seg;
			if (file_end > mm->end_data)
				mm->end_data = file_end;
		}
		if (mem_end > *end)
			*end = mem_end;
	}
	return 0;
}

/* Picks a load bias for an ET_DYN image: the fixed base for a program with
 * an interpreter, the mmap area otherwise (an interpreter, or static PIE). */
static int choose_bias(struct task *t, struct image *im, bool main_with_interp)
{
	uint64_t span = im->lay.max_vaddr - im->lay.min_vaddr;
	if (im->eh.e_type == ET_EXEC) {
		im->bias = 0;
		return 0;
	}
	if (main_with_interp) {
		im->bias = ELF_ET_DYN_BASE + random_pages(1UL << 16) - im->lay.min_vaddr;
		return 0;
	}
	uint64_t at = mm_find_free(t->mm, span, t->mm->mmap_base);
	if (!at)
		return -ENOMEM;
	im->bias = at - im->lay.min_vaddr;
	return 0;
}

static int open_interp(struct task *t, struct file *f, struct image *main, struct file **out)
{
	const Elf64_Phdr *p = &main->ph[main->lay.interp_index];
	_cleanup_free_ char *path = malloc(p->p_filesz + 1);
	if (!path)
		return -ENOMEM;
	long n = loader_pread(t, f, path, p->p_filesz, (int64_t)p->p_offset);
	if (n < 0)
		return (int)n;
	if ((uint64_t)n != p->p_filesz || path[p->p_filesz - 1] != 0)
		return -ENOEXEC;
	struct walk_root wr;
	int err = task_walk_root(t, AT_FDCWD, path, &wr);
	if (err < 0)
		return err;
	err = vfs_open(t, &wr, path, O_RDONLY, 0, out);
	walk_root_put(&wr);
	return err == -ENOENT ? -ENOENT : err;
}

/* --- the stack ---------------------------------------------------------------- */

struct stack_builder {
	struct task *t;
	uint64_t sp;
	int err;
};

static uint64_t push_bytes(struct stack_builder *b, const void *data, size_t len)
{
	b->sp -= len;
	if (!b->err && copy_to_user(b->t, b->sp, data, len) < 0)
		b->err = -EFAULT;
	return b->sp;
}

static uint64_t push_string(struct stack_builder *b, const char *s)
{
	return push_bytes(b, s, strlen(s) + 1);
}

static int count_strings(char *const v[])
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

static int build_stack(struct task *t, const char *filename, char *const argv[],
		       char *const envp[], const uint64_t *auxv, size_t nauxv, uint64_t *sp_out)
{
	struct mm *mm = t->mm;
	struct stack_builder b = { .t = t, .sp = mm->stack_top - 8 };
	int argc = count_strings(argv), envc = count_strings(envp);
	uint64_t *argp = calloc((size_t)argc + 1, sizeof *argp);
	uint64_t *envpp = calloc((size_t)envc + 1, sizeof *envpp);
	uint64_t *aux = malloc(nauxv * sizeof *aux);
	int err = -ENOMEM;
	if (!argp || !envpp || !aux)
		goto out;
	memcpy(aux, auxv, nauxv * sizeof *aux);

	uint64_t execfn = push_string(&b, filename);
	mm->env_end = b.sp;
	for (int i = envc - 1; i >= 0; i--)
		envpp[i] = push_string(&b, envp[i]);
	mm->env_start = b.sp;
	mm->arg_end = b.sp;
	for (int i = argc - 1; i >= 0; i--)
		argp[i] = push_string(&b, argv[i]);
	mm->arg_start = b.sp;
	uint64_t platform = push_string(&b, "x86_64");
	unsigned char rnd[16];
	if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
		memset(rnd, 0x5a, sizeof rnd);
	uint64_t random = push_bytes(&b, rnd, sizeof rnd);
	for (size_t i = 0; i + 1 < nauxv; i += 2) {
		if (aux[i] == AT_RANDOM)
			aux[i + 1] = random;
		else if (aux[i] == AT_EXECFN)
			aux[i + 1] = execfn;
		else if (aux[i] == AT_PLATFORM)
			aux[i + 1] = platform;
	}

	/* argc, argv[], NULL, envp[], NULL, auxv: rsp 16-aligned at entry. */
	size_t words = 1 + (size_t)argc + 1 + (size_t)envc + 1 + nauxv;
	b.sp &= ~15UL;
	if (words & 1)
		b.sp -= 8;
	b.sp -= words * 8;
	uint64_t *block = malloc(words * 8);
	if (!block)
		goto out;
	size_t w = 0;
	block[w++] = (uint64_t)argc;
	for (int i = 0; i < argc; i++)
		block[w++] = argp[i];
	block[w++] = 0;
	for (int i = 0; i < envc; i++)
		block[w++] = envpp[i];
	block[w++] = 0;
	memcpy(block + w, aux, nauxv * 8);
	if (!b.err && copy_to_user(t, b.sp, block, words * 8) < 0)
		b.err = -EFAULT;
	free(block);
	memcpy(mm->auxv, aux, nauxv * 8 < sizeof mm->auxv ? nauxv * 8 : sizeof mm->auxv);
	mm->auxv_len = nauxv < 64 ? nauxv : 64;
	err = b.err;
	*sp_out = b.sp;
out:
	free(argp);
	free(envpp);
	free(aux);
	return err;
}

static uint64_t stack_size_of(struct task *t)
{
	rlim_t cur = t->tg->rlim[RLIMIT_STACK].rlim_cur;
	if (cur == RLIM_INFINITY || cur > STACK_DEFAULT)
		return STACK_DEFAULT;
	return cur < (128UL << 10) ? (128UL << 10) : PAGE_ALIGN(cur);
}

/* Lays out the empty address space: stack at the top, mmap area below. */
static int setup_layout(struct task *t)
{
	struct mm *mm = t->mm;
	uint64_t stack_size = stack_size_of(t);
	mm->stack_top = STACK_TOP_MAX - random_pages(1UL << 17);
	long r = mm_mmap(t, mm->stack_top - stack_size, stack_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	if (r < 0)
		return (int)r;
	mm_set_kind(mm, mm->stack_top - stack_size, mm->stack_top, VMA_STACK);
	uint64_t gap = stack_size < MMAP_GAP_MIN ? MMAP_GAP_MIN : stack_size;
	mm->mmap_base = PAGE_DOWN(mm->stack_top - gap - random_pages(1UL << 16));
	return 0;
}

int loader_load_elf(struct task *t, struct file *f, const char *filename, char *const argv[],
		    char *const envp[], struct exec_image *out)
{
	struct image main = { 0 }, interp = { 0 };
	struct file *interp_file = NULL;
	int err = read_image(t, f, &main);
	if (err < 0)
		goto out;
	if (main.lay.interp_index >= 0) {
		if ((err = open_interp(t, f, &main, &interp_file)) < 0)
			goto out;
		if ((err = read_image(t, interp_file, &interp)) < 0)
			goto out;
		if (interp.eh.e_type != ET_DYN || interp.lay.interp_index >= 0) {
			err = -ELIBBAD;
			goto out;
		}
	}
	if (out->commit && (err = out->commit(out->commit_arg)) < 0)
		goto out;
	if ((err = setup_layout(t)) < 0)
		goto out;
	if ((err = choose_bias(t, &main, interp_file != NULL)) < 0)
		goto out;
	uint64_t end;
	if ((err = map_image(t, f, &main, &end)) < 0)
		goto out;
	struct mm *mm = t->mm;
	mm->brk_start = mm->brk = PAGE_ALIGN(end) + random_pages(1UL << 13);

	uint64_t entry = main.bias + main.eh.e_entry, base = 0;
	if (interp_file) {
		if ((err = choose_bias(t, &interp, false)) < 0)
			goto out;
		uint64_t iend;
		if ((err = map_image(t, interp_file, &interp, &iend)) < 0)
			goto out;
		base = interp.bias + interp.lay.min_vaddr;
		entry = interp.bias + interp.eh.e_entry;
	}

	const struct cred *c = out->cred ? out->cred : &t->tg->cred;
	uint64_t phdr = main.lay.phdr_vaddr ? main.bias + main.lay.phdr_vaddr
					    : main.bias + main.lay.min_vaddr + main.eh.e_phoff;
	const struct platform_vdso *vd = platform_vdso();
	uint64_t auxv[] = {
		AT_SYSINFO_EHDR, vd->vdso_start,
		AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) ? getauxval(AT_MINSIGSTKSZ) : 2048,
		AT_HWCAP, getauxval(AT_HWCAP),
		AT_PAGESZ, PAGE_SIZE,
		AT_CLKTCK, 100,
		AT_PHDR, phdr,
		AT_PHENT, sizeof(Elf64_Phdr),
		AT_PHNUM, main.eh.e_phnum,
		AT_BASE, base,
		AT_FLAGS, 0,
		AT_ENTRY, main.bias + main.eh.e_entry,
		AT_UID, c->uid,
		AT_EUID, c->euid,
		AT_GID, c->gid,
		AT_EGID, c->egid,
		AT_SECURE, out->secure,
		AT_RANDOM, 0,
		AT_HWCAP2, getauxval(AT_HWCAP2) & ~(uint64_t)2 /* HWCAP2_FSGSBASE: %gs is systrap's */,
		AT_EXECFN, 0,
		AT_PLATFORM, 0,
		AT_NULL, 0,
	};
	size_t nauxv = sizeof auxv / sizeof auxv[0];
	if (!vd->vdso_start) {
		auxv[0] = AT_IGNORE;   /* no vDSO on this host */
	}
	uint64_t sp;
	if ((err = build_stack(t, filename, argv, envp, auxv, nauxv, &sp)) < 0)
		goto out;
	out->entry = entry;
	out->stack = sp;
out:
	if (interp_file)
		file_put(interp_file);
	image_free(&main);
	image_free(&interp);
	return err;
}
