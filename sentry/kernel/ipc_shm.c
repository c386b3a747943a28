/* System V shared memory (ipc/shm.c).
 *
 * A segment is an unlinked file of the private tmpfs of memfds (fs/memfd.c),
 * its data in a host memfd, so every attach in every process maps the same
 * pages.  Each shmat opens a new struct file on it (as Linux does) and
 * maps that with mm_mmap; the vmas hold the file, forks copy them, munmap,
 * exec and exit drop them.  When an attach's file loses its last reference
 * the segment counts one attach less, which is how IPC_RMID is deferred
 * until the last detach without hooks in the mm.  shm_nattch itself (which
 * counts vmas, forked copies and split pieces included) is counted from
 * the address spaces when asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <time.h>

#include "sentry/fs/fs.h"
#include "sentry/fs/memfs.h"
#include "sentry/kernel/ipc.h"
#include "sentry/mm/mm.h"

#define SHMMNI 4096
#define SHMMIN 1
#define SHMMAX (UINT64_MAX - (1ULL << 24))   /* as Linux's default shmmax/shmall */
#define SHMALL (UINT64_MAX - (1ULL << 24))
#define SHM_LBA PAGE_SIZE   /* SHMLBA on x86-64 */

struct shm_seg {
	struct ipc_obj perm;       /* first: the ids table points here */
	uint64_t size;
	struct path path;          /* the shmem file (holds the inode) */
	time_t atime, dtime, ctime;
	pid_t cpid, lpid;
	int attaches;              /* open attach files */
	bool dest;                 /* IPC_RMID done: goes with the last attach */
};

static struct ipc_ids shm_ids = IPC_IDS_INIT(SHMMNI);
static uint64_t shm_tot;       /* pages of all segments */
static pthread_once_t fops_once = PTHREAD_ONCE_INIT;
static struct file_ops shm_fops;

static struct shm_seg *seg_of(struct ipc_obj *o)
{
	return (struct shm_seg *)o;
}

static void seg_free(struct shm_seg *s)
{
	shm_tot -= PAGE_ALIGN(s->size) / PAGE_SIZE;
	path_put(&s->path);
	free(s);
}

/* Under shm_ids.lock. */
static void seg_destroy(struct shm_seg *s)
{
	ipc_remove(&shm_ids, &s->perm);
	seg_free(s);
}

/* The last reference to one attach's file (the last vma mapping it, in any
 * process) is gone. */
static void shm_file_release(struct file *f)
{
	struct shm_seg *s = f->priv;
	pthread_mutex_lock(&shm_ids.lock);
	s->attaches--;
	s->dtime = time(NULL);
	if (s->dest && s->attaches == 0)
		seg_destroy(s);
	pthread_mutex_unlock(&shm_ids.lock);
}

static void shm_init_fops(void)
{
	shm_fops = memfs_file_fops;
	shm_fops.release = shm_file_release;
}

static bool is_shm_file(const struct file *f)
{
	return f && f->fop == &shm_fops;
}

/* --- shmget ----------------------------------------------------------------------- */

struct get_args {
	uint64_t size;
	pid_t tgid;
};

static int shm_create(struct ipc_ids *ids, const struct cred *c, key_t key, int flags, void *arg)
{
	struct get_args *a = arg;
	if (a->size < SHMMIN || a->size > SHMMAX)
		return -EINVAL;
	uint64_t pages = PAGE_ALIGN(a->size) / PAGE_SIZE;
	if (pages == 0 || shm_tot + pages < shm_tot || shm_tot + pages > SHMALL)
		return -ENOSPC;
	struct shm_seg *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	int id = ipc_add(ids, &s->perm, c, key, flags);
	if (id < 0) {
		free(s);
		return id;
	}
	char name[32];
	snprintf(name, sizeof name, "SYSV%08x", (unsigned)key);
	struct owner o = { c->euid, c->egid };
	int err = shmem_file_new(name, a->size, 0600, &o, &s->path);
	if (err < 0) {
		ipc_remove(ids, &s->perm);
		free(s);
		return err;
	}
	s->size = a->size;
	s->ctime = time(NULL);
	s->cpid = a->tgid;
	shm_tot += pages;
	return id;
}

static int shm_check(struct ipc_obj *o, void *arg)
{
	struct get_args *a = arg;
	return seg_of(o)->size < a->size ? -EINVAL : 0;
}

static const struct ipc_get_ops shm_get_ops = {
	.create = shm_create,
	.check = shm_check,
};

long shm_get(struct task *t, key_t key, uint64_t size, int flags)
{
	struct cred c = task_cred_snapshot(t);
	struct get_args a = { size, t->tg->tgid };
	return ipc_get(&shm_ids, &c, key, flags, &shm_get_ops, &a);
}

/* --- shmat / shmdt --------------------------------------------------------------------- */

long shm_attach(struct task *t, int id, uint64_t addr, int flags)
{
	pthread_once(&fops_once, shm_init_fops);
	if (id < 0)
		return -EINVAL;
	int map_flags = MAP_SHARED;
	if (addr) {
		if (addr & (SHM_LBA - 1)) {
			if (!(flags & SHM_RND))
				return -EINVAL;
			addr &= ~(SHM_LBA - 1);
			if (!addr && (flags & SHM_REMAP))
				return -EINVAL;
		}
		map_flags |= (flags & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	} else if (flags & SHM_REMAP) {
		return -EINVAL;
	}
	int prot = PROT_READ, acc = S_IRUGO;
	unsigned fflags = O_RDONLY | O_LARGEFILE;
	if (!(flags & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		acc |= S_IWUGO;
		fflags = O_RDWR | O_LARGEFILE;
	}
	if (flags & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= S_IXUGO;
	}

	struct cred c = task_cred_snapshot(t);
	pthread_mutex_lock(&shm_ids.lock);
	struct ipc_obj *o = ipc_find_id(&shm_ids, id);
	long r = 0;
	struct file *f = NULL;
	uint64_t size = 0;
	if (!o) {
		r = -EINVAL;
	} else if (!ipc_perm_ok(&c, o, acc)) {
		r = -EACCES;
	} else {
		struct shm_seg *s = seg_of(o);
		f = file_new(s->path.dentry->inode, &s->path, &shm_fops, fflags);
		if (!f) {
			r = -ENOMEM;
		} else {
			f->priv = s;
			s->attaches++;
			size = s->size;
		}
	}
	pthread_mutex_unlock(&shm_ids.lock);
	if (r < 0)
		return r;

	/* The vma takes its own reference; ours goes either way (a failed
	 * map thus undoes the attach, destroying a removed segment). */
	r = mm_mmap(t, addr, size, prot, map_flags, f, 0);
	if (r == -EEXIST)
		r = -EINVAL;   /* something is mapped there and no SHM_REMAP */
	if (r >= 0) {
		struct shm_seg *s = f->priv;
		pthread_mutex_lock(&shm_ids.lock);
		s->atime = time(NULL);
		s->lpid = t->tg->tgid;
		pthread_mutex_unlock(&shm_ids.lock);
	}
	file_put(f);
	return r;
}

struct range {
	uint64_t start, end;
};

long shm_detach(struct task *t, uint64_t addr)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	/* As shmdt in ipc/shm.c: the first vma at or above addr that is a
	 * piece of an attach starting at addr gives the file and the size;
	 * then every piece of that same attach within size goes. */
	struct mm *mm = t->mm;
	struct range ranges[64];
	int n = 0;
	struct file *file = NULL;
	uint64_t size = 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->end <= addr)
			continue;
		bool piece = is_shm_file(v->file) && v->start - addr == v->offset;
		if (!file) {
			if (!piece)
				continue;
			file = v->file;
			file_get(file);
			struct shm_seg *s = file->priv;
			size = PAGE_ALIGN(s->size);   /* fixed once made */
		} else if (v->end - addr > size) {
			break;
		} else if (!piece || v->file != file) {
			continue;
		}
		if (n == (int)(sizeof ranges / sizeof ranges[0]))
			break;
		ranges[n++] = (struct range){ v->start, v->end };
	}
	pthread_mutex_unlock(&mm->lock);
	if (!file)
		return -EINVAL;
	struct shm_seg *s = file->priv;
	pthread_mutex_lock(&shm_ids.lock);
	s->lpid = t->tg->tgid;
	pthread_mutex_unlock(&shm_ids.lock);
	for (int i = 0; i < n; i++)
		mm_munmap(t, ranges[i].start, ranges[i].end - ranges[i].start);
	file_put(file);
	return 0;
}

/* --- shmctl --------------------------------------------------------------------------------- */

/* shm_nattch of the segment: its mappings in every address space. */
static long seg_nattch(struct task *t, int id)
{
	pthread_mutex_lock(&shm_ids.lock);
	struct ipc_obj *o = ipc_find_id(&shm_ids, id);
	struct inode *inode = NULL;
	if (o) {
		inode = seg_of(o)->path.dentry->inode;
		inode_get(inode);
	}
	pthread_mutex_unlock(&shm_ids.lock);
	if (!inode)
		return 0;
	long n = kernel_count_mappings(t->k, inode, false);
	inode_put(inode);
	return n < 0 ? 0 : n;
}

static void fill_ds(struct shm_seg *s, long nattch, struct shmid_ds *ds)
{
	memset(ds, 0, sizeof *ds);
	ipc_fill_perm(&s->perm, &ds->shm_perm);
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = (shmatt_t)nattch;
}

static long shm_stat(struct task *t, int id, int cmd, uint64_t ubuf)
{
	struct cred c = task_cred_snapshot(t);
	/* SHM_STAT takes an index and answers the id. */
	if (cmd != IPC_STAT) {
		pthread_mutex_lock(&shm_ids.lock);
		struct ipc_obj *o = ipc_find_index(&shm_ids, id);
		id = o ? o->id : -1;
		pthread_mutex_unlock(&shm_ids.lock);
		if (id < 0)
			return -EINVAL;
	}
	long nattch = seg_nattch(t, id);
	struct shmid_ds ds;
	pthread_mutex_lock(&shm_ids.lock);
	struct ipc_obj *o = ipc_find_id(&shm_ids, id);
	long r = 0;
	if (!o)
		r = -EINVAL;
	else if (cmd != SHM_STAT_ANY && !ipc_perm_ok(&c, o, S_IRUGO))
		r = -EACCES;
	else
		fill_ds(seg_of(o), nattch, &ds);
	pthread_mutex_unlock(&shm_ids.lock);
	if (r < 0)
		return r;
	if (copy_to_user(t, ubuf, &ds, sizeof ds) < 0)
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : id;
}

static long shm_info(struct task *t, int cmd, uint64_t ubuf)
{
	pthread_mutex_lock(&shm_ids.lock);
	int max = ipc_max_index(&shm_ids);
	struct shm_info si = { .used_ids = shm_ids.in_use, .shm_tot = shm_tot,
			       .shm_rss = shm_tot };
	pthread_mutex_unlock(&shm_ids.lock);
	if (cmd == IPC_INFO) {
		struct shminfo info = { .shmmax = SHMMAX, .shmmin = SHMMIN, .shmmni = SHMMNI,
					.shmseg = SHMMNI, .shmall = SHMALL };
		if (copy_to_user(t, ubuf, &info, sizeof info) < 0)
			return -EFAULT;
	} else if (copy_to_user(t, ubuf, &si, sizeof si) < 0) {
		return -EFAULT;
	}
	return max;
}

long shm_ctl(struct task *t, int id, int cmd, uint64_t ubuf)
{
	if (cmd < 0 || id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shm_info(t, cmd, ubuf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shm_stat(t, id, cmd, ubuf);
	case IPC_SET:
	case IPC_RMID:
	case SHM_LOCK:
	case SHM_UNLOCK:
		break;
	default:
		return -EINVAL;
	}
	struct shmid_ds ds;
	if (cmd == IPC_SET && copy_from_user(t, &ds, ubuf, sizeof ds) < 0)
		return -EFAULT;
	struct cred c = task_cred_snapshot(t);
	pthread_mutex_lock(&shm_ids.lock);
	struct ipc_obj *o = ipc_find_id(&shm_ids, id);
	long r = 0;
	if (!o) {
		r = -EINVAL;
	} else if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
		if (!ipc_is_owner(&c, o))
			r = -EPERM;
		else if (cmd == SHM_LOCK)
			o->mode |= SHM_LOCKED;
		else
			o->mode &= ~(mode_t)SHM_LOCKED;
	} else if (!ipc_is_owner(&c, o)) {
		r = -EPERM;
	} else if (cmd == IPC_SET) {
		ipc_set_perm(o, &ds.shm_perm);
		seg_of(o)->ctime = time(NULL);
	} else {
		struct shm_seg *s = seg_of(o);
		if (s->attaches == 0) {
			seg_destroy(s);
		} else {
			/* Gone for shmget; shmctl and shmat still find it by
			 * id until the last detach. */
			s->dest = true;
			o->mode |= SHM_DEST;
			o->key = IPC_PRIVATE;
		}
	}
	pthread_mutex_unlock(&shm_ids.lock);
	return r;
}
