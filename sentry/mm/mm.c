/* Mappings of a guest address space, and the mm syscalls. */
#include "sentry/mm/mm.h"

#include <errno.h>
#include <linux/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "sentry/kernel/kernel.h"
#include "sentry/vfs/vfs.h"

/* Mapping flags passed through to the host; everything else is either
 * handled here (MAP_FIXED*, MAP_32BIT) or dropped (MAP_GROWSDOWN would let
 * the host grow a mapping behind our back; MAP_LOCKED, MAP_HUGETLB need
 * privileges the stub does not have). */
#define HOST_MAP_FLAGS (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE)

/* The identity of one MAP_SHARED|MAP_ANONYMOUS region, shared by every
 * vma (in every address space) that maps it. */
struct shared_anon {
	atomic_long refcount;
};

static struct shared_anon *shared_anon_new(void)
{
	struct shared_anon *sa = malloc(sizeof *sa);
	if (sa)
		atomic_init(&sa->refcount, 1);
	return sa;
}

static struct shared_anon *shared_anon_get(struct shared_anon *sa)
{
	if (sa)
		atomic_fetch_add(&sa->refcount, 1);
	return sa;
}

static void shared_anon_put(struct shared_anon *sa)
{
	if (sa && atomic_fetch_sub(&sa->refcount, 1) == 1)
		free(sa);
}

static struct vma *vma_new(uint64_t start, uint64_t end, int prot, int flags, struct file *file,
			   uint64_t offset, enum vma_kind kind)
{
	struct vma *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	v->file = file;
	if (file)
		file_get(file);
	v->offset = offset;
	v->kind = kind;
	v->maxprot = PROT_READ | PROT_WRITE | PROT_EXEC;
	return v;
}

static void vma_free(struct vma *v)
{
	if (v->file)
		file_put(v->file);
	shared_anon_put(v->shared_anon);
	free(v);
}

static struct vma *vma_clone(const struct vma *v)
{
	struct vma *c = vma_new(v->start, v->end, v->prot, v->flags, v->file, v->offset, v->kind);
	if (c) {
		c->maxprot = v->maxprot;
		c->shared_anon = shared_anon_get(v->shared_anon);
	}
	return c;
}

/* A shared mapping of a file not open for writing can never be made
 * writable, nor one on a noexec mount executable. */
static int file_maxprot(struct file *file, int map_type)
{
	int maxprot = PROT_READ | PROT_WRITE | PROT_EXEC;
	if (!file)
		return maxprot;
	if (map_type == MAP_SHARED && !file_writable(file))
		maxprot &= ~PROT_WRITE;
	if (file->path.mnt && (file->path.mnt->flags & MNT_NOEXEC))
		maxprot &= ~PROT_EXEC;
	return maxprot;
}

/* Inserts v keeping the list sorted (the range must be free). */
static void vma_insert(struct mm *mm, struct vma *v)
{
	struct list_head *pos;
	list_for_each(pos, &mm->vmas) {
		struct vma *cur = list_entry(pos, struct vma, node);
		if (cur->start >= v->end)
			break;
	}
	list_add_tail(&v->node, pos);
	mm->total_pages += (v->end - v->start) / PAGE_SIZE;
}

static void vma_remove(struct mm *mm, struct vma *v)
{
	list_del(&v->node);
	mm->total_pages -= (v->end - v->start) / PAGE_SIZE;
	vma_free(v);
}

/* Splits v at addr (strictly inside it); v keeps the lower part. */
static int vma_split(struct mm *mm, struct vma *v, uint64_t addr)
{
	struct vma *upper = vma_clone(v);
	if (!upper)
		return -ENOMEM;
	upper->start = addr;
	if (v->file || v->shared_anon)
		upper->offset = v->offset + (addr - v->start);
	v->end = addr;
	list_add(&upper->node, &v->node);
	return 0;
}

/* Makes [start, end) a union of whole vmas (splitting at the edges). */
static int vma_isolate(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->start < start && v->end > start) {
			int err = vma_split(mm, v, start);
			if (err < 0)
				return err;
		}
		if (v->start < end && v->end > end) {
			int err = vma_split(mm, v, end);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* Forgets every record in [start, end). */
static int vma_clear(struct mm *mm, uint64_t start, uint64_t end)
{
	int err = vma_isolate(mm, start, end);
	if (err < 0)
		return err;
	struct vma *v, *tmp;
	list_for_each_entry_safe(v, tmp, &mm->vmas, node) {
		if (v->start >= start && v->end <= end)
			vma_remove(mm, v);
	}
	return 0;
}

static bool range_overlaps(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->start < end && v->end > start)
			return true;
	}
	return false;
}

static bool range_touches_stub(uint64_t start, uint64_t end)
{
	return start < STUB_REGION_END && end > STUB_REGION_START;
}

static bool range_valid(uint64_t start, uint64_t len)
{
	return len > 0 && start < GUEST_TASK_SIZE && len <= GUEST_TASK_SIZE - start;
}

uint64_t mm_find_free(struct mm *mm, uint64_t len, uint64_t below)
{
	/* Walk the mappings from the top down, looking at the gap under each. */
	uint64_t top = below;
	struct vma *v;
	list_for_each_entry_reverse(v, &mm->vmas, node) {
		if (v->start >= top)
			continue;            /* entirely above the candidate */
		if (v->end >= top) {
			top = v->start;      /* straddles it: go below */
			continue;
		}
		if (top - v->end >= len)
			return top - len;
		top = v->start;
	}
	if (top >= MMAP_MIN_ADDR && top - MMAP_MIN_ADDR >= len)
		return top - len;
	return 0;
}

struct mm *mm_new(void)
{
	struct mm *mm = calloc(1, sizeof *mm);
	if (!mm)
		return NULL;
	atomic_init(&mm->refcount, 1);
	pthread_mutex_init(&mm->lock, NULL);
	list_init(&mm->vmas);
	const struct platform_vdso *vd = platform_vdso();
	struct vma *v;
	if ((v = vma_new(STUB_REGION_START, STUB_REGION_END, PROT_READ | PROT_EXEC, MAP_PRIVATE,
			 NULL, 0, VMA_STUB)))
		vma_insert(mm, v);
	if (vd->vdso_end > vd->vdso_start &&
	    (v = vma_new(vd->vdso_start, vd->vdso_end, PROT_READ | PROT_EXEC, MAP_PRIVATE, NULL, 0,
			 VMA_VDSO)))
		vma_insert(mm, v);
	if (vd->vvar_end > vd->vvar_start &&
	    (v = vma_new(vd->vvar_start, vd->vvar_end, PROT_READ, MAP_PRIVATE, NULL, 0, VMA_VVAR)))
		vma_insert(mm, v);
	return mm;
}

struct mm *mm_copy(struct mm *src)
{
	struct mm *mm = calloc(1, sizeof *mm);
	if (!mm)
		return NULL;
	atomic_init(&mm->refcount, 1);
	pthread_mutex_init(&mm->lock, NULL);
	list_init(&mm->vmas);
	pthread_mutex_lock(&src->lock);
	struct vma *v;
	list_for_each_entry(v, &src->vmas, node) {
		struct vma *c = vma_clone(v);
		if (!c) {
			pthread_mutex_unlock(&src->lock);
			mm_put(mm);
			return NULL;
		}
		list_add_tail(&c->node, &mm->vmas);
	}
	mm->mmap_base = src->mmap_base;
	mm->stack_top = src->stack_top;
	mm->brk_start = src->brk_start;
	mm->brk = src->brk;
	mm->start_code = src->start_code;
	mm->end_code = src->end_code;
	mm->start_data = src->start_data;
	mm->end_data = src->end_data;
	mm->arg_start = src->arg_start;
	mm->arg_end = src->arg_end;
	mm->env_start = src->env_start;
	mm->env_end = src->env_end;
	memcpy(mm->auxv, src->auxv, sizeof mm->auxv);
	mm->auxv_len = src->auxv_len;
	mm->total_pages = src->total_pages;
	pthread_mutex_unlock(&src->lock);
	return mm;
}

void mm_get(struct mm *mm)
{
	atomic_fetch_add(&mm->refcount, 1);
}

void mm_put(struct mm *mm)
{
	if (!mm || atomic_fetch_sub(&mm->refcount, 1) != 1)
		return;
	struct vma *v, *tmp;
	list_for_each_entry_safe(v, tmp, &mm->vmas, node)
		vma_free(v);
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

void mm_set_kind(struct mm *mm, uint64_t start, uint64_t end, enum vma_kind kind)
{
	pthread_mutex_lock(&mm->lock);
	if (vma_isolate(mm, start, end) == 0) {
		struct vma *v;
		list_for_each_entry(v, &mm->vmas, node)
			if (v->start >= start && v->end <= end)
				v->kind = kind;
	}
	pthread_mutex_unlock(&mm->lock);
}

static long host_mm(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4, uint64_t a5)
{
	return t->platform->host_syscall(t->ctx, nr, a0, a1, a2, a3, a4, a5);
}

/* --- RLIMIT_AS ---------------------------------------------------------------- */

/* Pages of [start, end) that are mapped already. */
static uint64_t mapped_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		if (s < e)
			n += (e - s) / PAGE_SIZE;
	}
	return n;
}

/* may_expand_vm: may the guest's mappings (the stub's aside) grow by
 * npages under RLIMIT_AS? */
static bool may_expand(struct task *t, struct mm *mm, uint64_t npages)
{
	rlim_t lim = t->tg->rlim[RLIMIT_AS].rlim_cur;
	if (lim == RLIM_INFINITY)
		return true;
	uint64_t total = mm->total_pages - mapped_pages(mm, STUB_REGION_START, STUB_REGION_END);
	return total + npages <= lim / PAGE_SIZE;
}

/* --- mmap ------------------------------------------------------------------ */

static int check_file_mapping(struct file *file, int prot, int flags, int *host_fd)
{
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	if (!file->fop->mmap_fd)
		return -ENODEV;
	if (!file_readable(file))
		return -EACCES;
	if (shared && (prot & PROT_WRITE) && !file_writable(file))
		return -EACCES;
	if ((prot & PROT_EXEC) && file->path.mnt && (file->path.mnt->flags & MNT_NOEXEC))
		return -EPERM;
	int fd = file->fop->mmap_fd(file, shared && file_writable(file));
	if (fd < 0)
		return fd;
	*host_fd = fd;
	return 0;
}

static long mmap_locked(struct task *t, struct mm *mm, uint64_t addr, uint64_t len, int prot,
			int flags, struct file *file, uint64_t offset)
{
	int map_type = flags & MAP_TYPE;
	if (map_type != MAP_SHARED && map_type != MAP_PRIVATE && map_type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (map_type == MAP_SHARED_VALIDATE)
		map_type = MAP_SHARED;
	if (len == 0 || (offset & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (len > GUEST_TASK_SIZE)
		return -ENOMEM;
	len = PAGE_ALIGN(len);
	if (file && offset + len < offset)
		return -EOVERFLOW;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;

	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if (!range_valid(addr, len) || addr < MMAP_MIN_ADDR)
			return -ENOMEM;
		if (range_touches_stub(addr, addr + len))
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    range_overlaps(mm, addr, addr + len))
			return -EEXIST;
	} else {
		uint64_t hint = PAGE_DOWN(addr);
		if (hint >= MMAP_MIN_ADDR && range_valid(hint, len) &&
		    !range_touches_stub(hint, hint + len) && !range_overlaps(mm, hint, hint + len)) {
			addr = hint;
		} else {
			uint64_t below = (flags & MAP_32BIT) ? 0x80000000UL : mm->mmap_base;
			addr = mm_find_free(mm, len, below);
			if (!addr)
				return -ENOMEM;
		}
	}

	if (!may_expand(t, mm, len / PAGE_SIZE - mapped_pages(mm, addr, addr + len)))
		return -ENOMEM;

	int host_flags = (flags & HOST_MAP_FLAGS & ~MAP_TYPE) | map_type | MAP_FIXED;
	long r;
	if (file && file->fop && file->fop->mmap_anonymous) {
		file = NULL;   /* /dev/zero: anonymous memory */
		if (map_type == MAP_SHARED)
			host_flags = (host_flags & ~MAP_TYPE) | MAP_SHARED;
	}
	if (file) {
		int host_fd, err = check_file_mapping(file, prot, flags, &host_fd);
		if (err < 0)
			return err;
		r = t->platform->mmap_fd(t->ctx, addr, len, prot, host_flags & ~MAP_ANONYMOUS,
					 host_fd, offset);
	} else {
		r = host_mm(t, __NR_mmap, addr, len, (uint64_t)prot, (uint64_t)(host_flags | MAP_ANONYMOUS),
			    (uint64_t)-1, 0);
	}
	if (r < 0)
		return r;
	if ((uint64_t)r != addr) {
		/* The host must map exactly where we asked. */
		host_mm(t, __NR_munmap, (uint64_t)r, len, 0, 0, 0, 0);
		return -ENOMEM;
	}
	vma_clear(mm, addr, addr + len);
	struct vma *v = vma_new(addr, addr + len, prot, map_type | (file ? 0 : MAP_ANONYMOUS), file,
				offset, VMA_NORMAL);
	if (!v)
		return -ENOMEM;
	v->maxprot = file_maxprot(file, map_type);
	if (!file && map_type == MAP_SHARED && !(v->shared_anon = shared_anon_new())) {
		vma_free(v);
		return -ENOMEM;
	}
	vma_insert(mm, v);
	return (long)addr;
}

long mm_mmap(struct task *t, uint64_t addr, uint64_t len, int prot, int flags,
	     struct file *file, uint64_t offset)
{
	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	long r = mmap_locked(t, mm, addr, len, prot, flags, file, offset);
	pthread_mutex_unlock(&mm->lock);
	return r;
}

/* --- munmap, mprotect -------------------------------------------------------- */

static long munmap_locked(struct task *t, struct mm *mm, uint64_t addr, uint64_t len)
{
	if ((addr & (PAGE_SIZE - 1)) || len == 0)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!range_valid(addr, len))
		return -EINVAL;
	if (range_touches_stub(addr, addr + len))
		return -EINVAL;
	long r = host_mm(t, __NR_munmap, addr, len, 0, 0, 0, 0);
	if (r < 0)
		return r;
	return vma_clear(mm, addr, addr + len);
}

long mm_munmap(struct task *t, uint64_t addr, uint64_t len)
{
	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	long r = munmap_locked(t, mm, addr, len);
	pthread_mutex_unlock(&mm->lock);
	return r;
}

/* True if every page of [start, end) is mapped. */
static bool range_fully_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t cursor = start;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->end <= cursor)
			continue;
		if (v->start > cursor)
			return false;
		cursor = v->end;
		if (cursor >= end)
			return true;
	}
	return cursor >= end;
}

long mm_mprotect(struct task *t, uint64_t addr, uint64_t len, int prot)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	if (len == 0)
		return 0;
	len = PAGE_ALIGN(len);
	if (!range_valid(addr, len))
		return -ENOMEM;
	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	long r = -ENOMEM;
	if (range_touches_stub(addr, addr + len)) {
		r = -EACCES;
		goto out;
	}
	if (!range_fully_mapped(mm, addr, addr + len))
		goto out;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->start < addr + len && v->end > addr && (prot & ~v->maxprot)) {
			r = -EACCES;
			goto out;
		}
	}
	r = host_mm(t, __NR_mprotect, addr, len, (uint64_t)prot, 0, 0, 0);
	if (r < 0)
		goto out;
	r = vma_isolate(mm, addr, addr + len);
	if (r < 0)
		goto out;
	list_for_each_entry(v, &mm->vmas, node)
		if (v->start >= addr && v->end <= addr + len)
			v->prot = prot;
out:
	pthread_mutex_unlock(&mm->lock);
	return r;
}

/* --- brk ------------------------------------------------------------------- */

long mm_brk(struct task *t, uint64_t brk)
{
	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	uint64_t old = mm->brk;
	if (brk < mm->brk_start || brk >= GUEST_TASK_SIZE)
		goto out;
	uint64_t old_end = PAGE_ALIGN(old), new_end = PAGE_ALIGN(brk);
	if (new_end > old_end) {
		struct rlimit *rl = &t->tg->rlim[RLIMIT_DATA];
		if (rl->rlim_cur != RLIM_INFINITY && brk - mm->brk_start > rl->rlim_cur)
			goto out;
		if (range_overlaps(mm, old_end, new_end) || range_touches_stub(old_end, new_end))
			goto out;
		long r = mmap_locked(t, mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		if (r < 0)
			goto out;
		struct vma *v;
		list_for_each_entry(v, &mm->vmas, node)
			if (v->start >= old_end && v->end <= new_end)
				v->kind = VMA_HEAP;
	} else if (new_end < old_end) {
		if (munmap_locked(t, mm, new_end, old_end - new_end) < 0)
			goto out;
	}
	mm->brk = brk;
out:
	brk = mm->brk;
	pthread_mutex_unlock(&mm->lock);
	return (long)brk;
}

/* --- mremap ---------------------------------------------------------------- */

static struct vma *vma_containing(struct mm *mm, uint64_t addr)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node)
		if (v->start <= addr && addr < v->end)
			return v;
	return NULL;
}

/* mremap with old_len 0: a second mapping of the same pages of a shared
 * mapping (Linux allows it for shared mappings only). */
static long mremap_duplicate(struct task *t, uint64_t old_addr, uint64_t new_len, int flags,
			     uint64_t new_addr)
{
	if (!(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	long r = -EFAULT;
	struct vma *v = vma_containing(mm, old_addr);
	if (!v || v->kind == VMA_STUB)
		goto out;
	r = -EINVAL;
	if ((v->flags & MAP_TYPE) != MAP_SHARED)
		goto out;
	uint64_t dest = new_addr;
	if (flags & MREMAP_FIXED) {
		if ((dest & (PAGE_SIZE - 1)) || !range_valid(dest, new_len) ||
		    range_touches_stub(dest, dest + new_len))
			goto out;
	} else {
		dest = mm_find_free(mm, new_len, mm->mmap_base);
		r = -ENOMEM;
		if (!dest)
			goto out;
	}
	r = -ENOMEM;
	if (!may_expand(t, mm, new_len / PAGE_SIZE - mapped_pages(mm, dest, dest + new_len)))
		goto out;
	r = host_mm(t, __NR_mremap, old_addr, 0, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, dest, 0);
	if (r < 0)
		goto out;
	uint64_t offset = v->offset + (old_addr - v->start);
	struct vma tmpl = *v;
	if (tmpl.file)
		file_get(tmpl.file);   /* v may go in the clear below */
	struct shared_anon *sa = shared_anon_get(tmpl.shared_anon);
	vma_clear(mm, dest, dest + new_len);
	struct vma *nv = vma_new(dest, dest + new_len, tmpl.prot, tmpl.flags, tmpl.file,
				 tmpl.file || sa ? offset : 0, tmpl.kind);
	if (tmpl.file)
		file_put(tmpl.file);
	if (nv) {
		nv->maxprot = tmpl.maxprot;
		nv->shared_anon = sa;
		sa = NULL;
		vma_insert(mm, nv);
	}
	shared_anon_put(sa);
	r = (long)dest;
out:
	pthread_mutex_unlock(&mm->lock);
	return r;
}

long mm_mremap(struct task *t, uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
	       uint64_t new_addr)
{
	if (old_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL;   /* not supported */
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (new_len == 0)
		return -EINVAL;
	if (old_len == 0)
		return mremap_duplicate(t, old_addr, new_len, flags, new_addr);
	if (!range_valid(old_addr, old_len) || new_len > GUEST_TASK_SIZE)
		return -EINVAL;

	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	long r = -EFAULT;
	struct vma *v = vma_containing(mm, old_addr);
	if (!v || v->end < old_addr + old_len || v->kind == VMA_STUB)
		goto out;

	uint64_t dest;
	if (flags & MREMAP_FIXED) {
		r = -EINVAL;
		if ((new_addr & (PAGE_SIZE - 1)) || !range_valid(new_addr, new_len) ||
		    range_touches_stub(new_addr, new_addr + new_len) ||
		    (new_addr < old_addr + old_len && new_addr + new_len > old_addr))
			goto out;
		dest = new_addr;
	} else if (new_len <= old_len ||
		   (!range_overlaps(mm, old_addr + old_len, old_addr + new_len) &&
		    range_valid(old_addr, new_len) &&
		    !range_touches_stub(old_addr + old_len, old_addr + new_len))) {
		dest = old_addr;   /* in place */
	} else if (flags & MREMAP_MAYMOVE) {
		dest = mm_find_free(mm, new_len, mm->mmap_base);
		r = -ENOMEM;
		if (!dest)
			goto out;
	} else {
		r = -ENOMEM;
		goto out;
	}

	if (new_len > old_len && !may_expand(t, mm, (new_len - old_len) / PAGE_SIZE)) {
		r = -ENOMEM;
		goto out;
	}

	uint64_t host_flags = dest == old_addr ? 0 : (MREMAP_MAYMOVE | MREMAP_FIXED);
	r = host_mm(t, __NR_mremap, old_addr, old_len, new_len, host_flags, dest, 0);
	if (r < 0)
		goto out;

	/* Record the result: the old range's attributes move to dest. */
	struct vma tmpl = *v;
	uint64_t offset = v->file || v->shared_anon ? v->offset + (old_addr - v->start) : 0;
	struct file *file = v->file;
	if (file)
		file_get(file);
	struct shared_anon *sa = shared_anon_get(v->shared_anon);
	vma_clear(mm, old_addr, old_addr + old_len);
	if (dest != old_addr || new_len > old_len)
		vma_clear(mm, dest, dest + new_len);
	struct vma *nv = vma_new(dest, dest + new_len, tmpl.prot, tmpl.flags, file, offset,
				 tmpl.kind);
	if (file)
		file_put(file);
	if (nv) {
		nv->maxprot = tmpl.maxprot;
		nv->shared_anon = sa;
		sa = NULL;
		vma_insert(mm, nv);
	}
	shared_anon_put(sa);
	r = (long)dest;
out:
	pthread_mutex_unlock(&mm->lock);
	return r;
}

/* --- madvise --------------------------------------------------------------- */

long mm_madvise(struct task *t, uint64_t addr, uint64_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (len == 0)
		return 0;
	if (!range_valid(addr, len))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_DONTFORK:   /* fork copies every mapping; see docs/architecture.md */
	case MADV_DOFORK:
	case MADV_COLD:
	case MADV_PAGEOUT:
		break;
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
		break;
	default:
		return -EINVAL;
	}
	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	long r = 0;
	if (!range_fully_mapped(mm, addr, addr + len))
		r = -ENOMEM;
	else if (range_touches_stub(addr, addr + len))
		r = -EINVAL;
	else if (advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_REMOVE)
		r = host_mm(t, __NR_madvise, addr, len, (uint64_t)advice, 0, 0, 0);
	pthread_mutex_unlock(&mm->lock);
	return r;
}

/* --- /proc ----------------------------------------------------------------- */

size_t mm_format_maps(struct mm *mm, char *buf, size_t size)
{
	size_t n = 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->kind == VMA_STUB)
			continue;   /* the runtime's own; not the guest's business */
		char name[PATH_MAX + 16] = "";
		uint64_t ino = 0;
		unsigned dev_major = 0, dev_minor = 0;
		if (v->file && v->file->inode) {
			ino = v->file->inode->ino;
			dev_major = (unsigned)((v->file->inode->sb->dev >> 8) & 0xfff);
			dev_minor = (unsigned)(v->file->inode->sb->dev & 0xff);
			if (v->file->path.dentry) {
				int len = path_to_string(&v->file->path, NULL, name, sizeof name);
				if (len < 0)
					name[0] = 0;
			}
		} else if (v->kind == VMA_HEAP) {
			strcpy(name, "[heap]");
		} else if (v->kind == VMA_STACK) {
			strcpy(name, "[stack]");
		} else if (v->kind == VMA_VDSO) {
			strcpy(name, "[vdso]");
		} else if (v->kind == VMA_VVAR) {
			strcpy(name, "[vvar]");
		}
		char line[PATH_MAX + 128];
		int len = snprintf(line, sizeof line, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu",
				   (unsigned long)v->start, (unsigned long)v->end,
				   v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
				   v->prot & PROT_EXEC ? 'x' : '-',
				   (v->flags & MAP_TYPE) == MAP_SHARED ? 's' : 'p',
				   (unsigned long)v->offset, dev_major, dev_minor, (unsigned long)ino);
		if (len < 0)
			continue;
		if (name[0]) {
			int pad = 73 - len;
			len += snprintf(line + len, sizeof line - (size_t)len, "%*s%s", pad > 1 ? pad : 1,
					"", name);
		}
		if ((size_t)len >= sizeof line - 1)
			len = (int)sizeof line - 2;
		line[len++] = '\n';
		if (n + (size_t)len > size)
			break;
		memcpy(buf + n, line, (size_t)len);
		n += (size_t)len;
	}
	pthread_mutex_unlock(&mm->lock);
	return n;
}

void mm_usage(struct mm *mm, uint64_t *total, uint64_t *data, uint64_t *stack, uint64_t *exec)
{
	uint64_t t = 0, d = 0, s = 0, e = 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->kind == VMA_STUB)
			continue;
		uint64_t pages = (v->end - v->start) / PAGE_SIZE;
		t += pages;
		if (v->kind == VMA_STACK)
			s += pages;
		else if ((v->prot & PROT_EXEC) && !(v->prot & PROT_WRITE))
			e += pages;
		else if ((v->prot & PROT_WRITE) && (v->flags & MAP_TYPE) == MAP_PRIVATE)
			d += pages;
	}
	pthread_mutex_unlock(&mm->lock);
	*total = t;
	*data = d;
	*stack = s;
	*exec = e;
}

bool mm_access_ok(struct task *t, uint64_t addr, size_t len, int prot)
{
	if (len == 0)
		return true;
	if (!range_valid(addr, len))
		return false;
	struct mm *mm = t->mm;
	uint64_t end = addr + len, cursor = addr;
	bool ok = false;
	pthread_mutex_lock(&mm->lock);
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->end <= cursor)
			continue;
		if (v->start > cursor || (v->prot & prot) != prot || v->kind == VMA_STUB)
			break;
		cursor = v->end;
		if (cursor >= end) {
			ok = true;
			break;
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return ok;
}

int mm_futex_key(struct mm *mm, uint64_t addr, bool private, const void **object,
		 uint64_t *offset)
{
	*object = mm;
	*offset = addr;
	if (private)
		return 0;   /* only hashes the address, as Linux */
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_containing(mm, addr);
	if (!v || v->kind == VMA_STUB) {
		pthread_mutex_unlock(&mm->lock);
		return -EFAULT;
	}
	if (v && (v->flags & MAP_TYPE) == MAP_SHARED) {
		if (v->file && v->file->inode) {
			*object = v->file->inode;
			*offset = v->offset + (addr - v->start);
		} else if (v->shared_anon) {
			*object = v->shared_anon;
			*offset = v->offset + (addr - v->start);
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return 0;
}

int mm_prot_at(struct mm *mm, uint64_t addr)
{
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_containing(mm, addr);
	int prot = v ? v->prot : -1;
	pthread_mutex_unlock(&mm->lock);
	return prot;
}

/* --- syscall patching ------------------------------------------------------------ */

int mm_patch_syscall_site(struct task *t, uint64_t rip)
{
	struct mm *mm = t->mm;
	if (!t->platform->patch || rip < 8)
		return 0;
	uint64_t start = rip - 8;    /* the 7-byte site, and the byte before it */
	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_containing(mm, start);
	struct vma *w = vma_containing(mm, rip - 1);
	int r = 0;
	/* Only the guest's own private code: a shared mapping would carry the
	 * patch into its file or other processes. */
	if (v && w && (v == w || (v->end == w->start && v->prot == w->prot && v->flags == w->flags)) &&
	    (v->prot & PROT_EXEC) && (v->flags & MAP_PRIVATE) && v->kind == VMA_NORMAL &&
	    w->kind == VMA_NORMAL)
		r = t->platform->patch(t->ctx, rip, v->prot, atomic_load(&mm->refcount) == 1);
	pthread_mutex_unlock(&mm->lock);
	return r;
}
