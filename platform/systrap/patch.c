/* Syscall patching on systrap: recognising sites and building the code
 * (see patch.h).  The platform (systrap.c) writes it into the guest. */
#include "platform/systrap/patch.h"

#include <capstone/capstone.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PATCH_HOT_SLOTS  256   /* power of two */
/* A site is patched when it has trapped this often: start-up code that runs
 * once is not worth decoding and rewriting (a fresh process has dozens of
 * such sites, each costing more to patch than its trap). */
#define PATCH_HOT_AFTER  3

struct patch_state {
	atomic_int refcount;
	pthread_mutex_t lock;
	uint64_t next;          /* next free trampoline */
	/* How often each recent site trapped (a small hash).  A site is tried
	 * once, when its count reaches PATCH_HOT_AFTER: patched, it traps no
	 * more; not patchable, it is not tried again (unless displaced from
	 * the table, which costs at most one more try). */
	struct { uint64_t rip; uint32_t count; } hot[PATCH_HOT_SLOTS];
};

bool patch_state_count_trap(struct patch_state *ps, uint64_t rip)
{
	unsigned i = (unsigned)((rip * 0x9e3779b97f4a7c15ULL) >> 56) & (PATCH_HOT_SLOTS - 1);
	pthread_mutex_lock(&ps->lock);
	if (ps->hot[i].rip != rip) {
		ps->hot[i].rip = rip;
		ps->hot[i].count = 0;
	}
	bool hot = ++ps->hot[i].count == PATCH_HOT_AFTER;
	pthread_mutex_unlock(&ps->lock);
	return hot;
}

/* One decoder for the sentry: cs_open builds large tables, and patching is
 * rare once the hot sites are done.  capstone itself is loaded by
 * patch_decoder_load (the build passes its soname). */
#ifndef CAPSTONE_SONAME
#define CAPSTONE_SONAME "libcapstone.so"
#endif
static pthread_mutex_t cs_lock = PTHREAD_MUTEX_INITIALIZER;
static csh cs_handle;
static bool cs_ready;
static struct {
	void *lib;
	cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
	cs_err (*option)(csh handle, cs_opt_type type, size_t value);
	size_t (*disasm)(csh handle, const uint8_t *code, size_t size, uint64_t address,
			 size_t count, cs_insn **insn);
	void (*free)(cs_insn *insn, size_t count);
} cs;

/* To relocate capstone the loader read its relocation tables (77000
 * entries: 1.8 MB of its first, read-only segment), which stay mapped and
 * count in the sentry's RSS though nothing reads them again (linked, it was
 * relocated by the outer `sentry run` process, whose fork did not map them
 * here).  Pages of a file mapping nobody wrote come back from the file if
 * touched, so that segment (never a RELRO one, which holds relocated data)
 * is dropped. */
static void drop_load_tables(void *lib)
{
	struct link_map *lm = NULL;
	if (dlinfo(lib, RTLD_DI_LINKMAP, &lm) != 0 || !lm)
		return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)lm->l_addr;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_phentsize != sizeof(Elf64_Phdr))
		return;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(lm->l_addr + eh->e_phoff);
	uint64_t relro_start = 0, relro_end = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_GNU_RELRO) {
			relro_start = ph[i].p_vaddr;
			relro_end = ph[i].p_vaddr + ph[i].p_memsz;
		}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_offset != 0 || ph[i].p_flags != PF_R)
			continue;
		uint64_t start = ph[i].p_vaddr, end = (ph[i].p_vaddr + ph[i].p_filesz) & ~4095ULL;
		if ((start & 4095) != 0 || end <= start || (relro_end > start && relro_start < end))
			continue;
		madvise((void *)(lm->l_addr + start), end - start, MADV_DONTNEED);
	}
}

int patch_decoder_load(void)
{
	pthread_mutex_lock(&cs_lock);
	if (!cs.lib) {
		const char *name = CAPSTONE_SONAME[0] ? CAPSTONE_SONAME : "libcapstone.so";
		void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
		if (lib) {
			*(void **)&cs.open = dlsym(lib, "cs_open");
			*(void **)&cs.option = dlsym(lib, "cs_option");
			*(void **)&cs.disasm = dlsym(lib, "cs_disasm");
			*(void **)&cs.free = dlsym(lib, "cs_free");
			if (cs.open && cs.option && cs.disasm && cs.free) {
				cs.lib = lib;
				drop_load_tables(lib);
			} else {
				dlclose(lib);
			}
		}
	}
	int r = cs.lib ? 0 : -ENOENT;
	pthread_mutex_unlock(&cs_lock);
	return r;
}

struct patch_state *patch_state_new(void)
{
	struct patch_state *ps = calloc(1, sizeof *ps);
	if (!ps)
		return NULL;
	atomic_init(&ps->refcount, 1);
	pthread_mutex_init(&ps->lock, NULL);
	ps->next = PATCH_TRAMP_ADDR;
	return ps;
}

struct patch_state *patch_state_get(struct patch_state *ps)
{
	if (ps)
		atomic_fetch_add(&ps->refcount, 1);
	return ps;
}

struct patch_state *patch_state_fork(struct patch_state *ps)
{
	if (!ps)
		return NULL;
	struct patch_state *c = patch_state_new();
	if (!c)
		return NULL;
	pthread_mutex_lock(&ps->lock);
	c->next = ps->next;   /* the child's trampolines are a copy */
	memcpy(c->hot, ps->hot, sizeof c->hot);
	pthread_mutex_unlock(&ps->lock);
	return c;
}

void patch_state_put(struct patch_state *ps)
{
	if (ps && atomic_fetch_sub(&ps->refcount, 1) == 1) {
		pthread_mutex_destroy(&ps->lock);
		free(ps);
	}
}

uint64_t patch_state_lock_next(struct patch_state *ps)
{
	pthread_mutex_lock(&ps->lock);
	if (ps->next + PATCH_TRAMP_SIZE > PATCH_TRAMP_END) {
		pthread_mutex_unlock(&ps->lock);
		return 0;
	}
	return ps->next;
}

void patch_state_unlock(struct patch_state *ps, bool used)
{
	if (used)
		ps->next += PATCH_TRAMP_SIZE;
	pthread_mutex_unlock(&ps->lock);
}

static bool is_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return b >= 0x40 && b <= 0x4f;   /* REX */
	}
}

bool patch_recognise(const uint8_t win[8], uint64_t rip, uint32_t nr)
{
	/* A prefix right before would make the mov part of a longer
	 * instruction (41 b8 is mov to r8d): not a boundary we can trust. */
	if (is_prefix(win[0]))
		return false;
	/* The bytes first (cheap), then the decoder's word on them. */
	uint32_t imm;
	memcpy(&imm, win + 2, 4);
	if (win[1] != 0xb8 || imm != nr || win[6] != 0x0f || win[7] != 0x05)
		return false;
	pthread_mutex_lock(&cs_lock);
	if (!cs_ready) {
		if (!cs.lib || cs.open(CS_ARCH_X86, CS_MODE_64, &cs_handle) != CS_ERR_OK) {
			pthread_mutex_unlock(&cs_lock);
			return false;
		}
		cs.option(cs_handle, CS_OPT_DETAIL, CS_OPT_ON);
		cs_ready = true;
	}
	csh h = cs_handle;
	cs_insn *insn = NULL;
	uint64_t site = rip - PATCH_SITE_LEN;
	size_t n = cs.disasm(h, win + 1, PATCH_SITE_LEN, site, 0, &insn);
	bool ok = false;
	if (n == 2 && insn[0].id == X86_INS_MOV && insn[0].size == 5 &&
	    insn[1].id == X86_INS_SYSCALL && insn[1].size == 2) {
		const cs_x86 *x = &insn[0].detail->x86;
		ok = x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
		     x->operands[0].reg == X86_REG_EAX && x->operands[1].type == X86_OP_IMM &&
		     (uint64_t)x->operands[1].imm == nr;
	}
	cs.free(insn, n);
	pthread_mutex_unlock(&cs_lock);
	return ok;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

void patch_trampoline(uint8_t out[PATCH_TRAMP_SIZE], uint64_t tramp, uint64_t rip,
		      uint32_t nr, uint64_t fast_entry)
{
	(void)tramp;   /* everything below is relative */
	memset(out, 0xcc, PATCH_TRAMP_SIZE);   /* int3 padding */
	uint8_t *p = out;
	p[0] = 0xb8;                       /* mov $nr, %eax */
	put32(p + 1, nr);
	p[5] = 0x48;                       /* movabs $rip, %rcx */
	p[6] = 0xb9;
	put64(p + 7, rip);
	p[15] = 0x4c;                      /* lea resume(%rip), %r11: 22 + 8 = 30 */
	p[16] = 0x8d;
	p[17] = 0x1d;
	put32(p + 18, 8);
	p[22] = 0xff;                      /* jmp *fast_entry(%rip): 28 + 16 = 44 */
	p[23] = 0x25;
	put32(p + 24, 16);
	p[28] = 0x0f;                      /* syscall (the restart point) */
	p[29] = 0x05;
	p[30] = 0xff;                      /* resume: jmp *site_next(%rip): 36 + 0 */
	p[31] = 0x25;
	put32(p + 32, 0);
	put64(p + 36, rip);                /* site_next */
	put64(p + 44, fast_entry);         /* fast_entry */
}

bool patch_jump(uint8_t out[5], uint64_t site, uint64_t tramp)
{
	int64_t rel = (int64_t)(tramp - (site + 5));
	if (rel < INT32_MIN || rel > INT32_MAX)
		return false;
	out[0] = 0xe9;
	put32(out + 1, (uint32_t)(int32_t)rel);
	return true;
}
