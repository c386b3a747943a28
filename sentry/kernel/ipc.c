/* What the System V IPC kinds share: identifiers, keys, permissions
 * (ipc/util.c), and counting the mappings of a shared memory object. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/kernel/ipc.h"
#include "sentry/mm/mm.h"

#define IPCMNI_SHIFT   15
#define IPCMNI         (1 << IPCMNI_SHIFT)
#define IPC_MIN_CYCLE  64      /* RADIX_TREE_MAP_SIZE: ids are not reused at once */
#define IPCID_SEQ_MAX  (INT32_MAX >> IPCMNI_SHIFT)

struct cred task_cred_snapshot(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	struct cred c = t->tg->cred;
	pthread_mutex_unlock(&t->k->lock);
	return c;
}

/* --- identifiers ---------------------------------------------------------------- */

static bool ids_ready(struct ipc_ids *ids)
{
	if (!ids->objs)
		ids->objs = calloc((size_t)ids->max, sizeof *ids->objs);
	return ids->objs != NULL;
}

struct ipc_obj *ipc_find_key(struct ipc_ids *ids, key_t key)
{
	if (!ids->objs)
		return NULL;
	for (int i = 0; i < ids->max; i++)
		if (ids->objs[i] && ids->objs[i]->key == key)
			return ids->objs[i];
	return NULL;
}

struct ipc_obj *ipc_find_index(struct ipc_ids *ids, int idx)
{
	if (!ids->objs || idx < 0 || idx >= ids->max)
		return NULL;
	return ids->objs[idx];
}

struct ipc_obj *ipc_find_id(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct ipc_obj *o = ipc_find_index(ids, id & (IPCMNI - 1));
	return o && o->seq == (id >> IPCMNI_SHIFT) ? o : NULL;
}

int ipc_add(struct ipc_ids *ids, struct ipc_obj *o, const struct cred *c, key_t key, int flags)
{
	if (ids->in_use >= ids->max || !ids_ready(ids))
		return -ENOSPC;
	/* Cyclic, as idr_alloc_cyclic: a removed id is not handed out again
	 * straight away; the sequence number moves on when the index wraps. */
	int cycle = ids->in_use * 3 / 2;
	if (cycle < IPC_MIN_CYCLE)
		cycle = IPC_MIN_CYCLE;
	if (cycle > ids->max)
		cycle = ids->max;
	int idx = -1;
	for (int n = 0; n < cycle; n++) {
		int i = (ids->last_idx + 1 + n) % cycle;
		if (!ids->objs[i]) {
			idx = i;
			break;
		}
	}
	if (idx < 0)
		return -ENOSPC;
	if (idx <= ids->last_idx && ++ids->seq >= IPCID_SEQ_MAX)
		ids->seq = 0;
	ids->last_idx = idx;
	o->seq = ids->seq;
	o->id = (o->seq << IPCMNI_SHIFT) + idx;
	o->key = key;
	o->uid = o->cuid = c->euid;
	o->gid = o->cgid = c->egid;
	o->mode = (mode_t)flags & 0777;
	ids->objs[idx] = o;
	ids->in_use++;
	return o->id;
}

void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o)
{
	int idx = o->id & (IPCMNI - 1);
	if (ids->objs && ids->objs[idx] == o) {
		ids->objs[idx] = NULL;
		ids->in_use--;
	}
}

int ipc_max_index(struct ipc_ids *ids)
{
	int max = 0;
	if (ids->objs)
		for (int i = 0; i < ids->max; i++)
			if (ids->objs[i])
				max = i;
	return max;
}

/* --- permissions ------------------------------------------------------------------ */

static bool in_group(const struct cred *c, gid_t gid)
{
	if (c->egid == gid)
		return true;
	for (int i = 0; i < c->ngroups && i < (int)(sizeof c->groups / sizeof c->groups[0]); i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool ipc_perm_ok(const struct cred *c, const struct ipc_obj *o, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)o->mode;
	if (c->euid == o->cuid || c->euid == o->uid)
		granted >>= 6;
	else if (in_group(c, o->cgid) || in_group(c, o->gid))
		granted >>= 3;
	return !(requested & ~granted & 0007) || cred_capable(c, CAP_IPC_OWNER);
}

bool ipc_is_owner(const struct cred *c, const struct ipc_obj *o)
{
	return c->euid == o->cuid || c->euid == o->uid || cred_capable(c, CAP_SYS_ADMIN);
}

void ipc_fill_perm(const struct ipc_obj *o, struct ipc_perm *out)
{
	memset(out, 0, sizeof *out);
	out->__key = o->key;
	out->uid = o->uid;
	out->gid = o->gid;
	out->cuid = o->cuid;
	out->cgid = o->cgid;
	out->mode = o->mode;
	out->__seq = o->seq;
}

void ipc_set_perm(struct ipc_obj *o, const struct ipc_perm *in)
{
	o->uid = in->uid;
	o->gid = in->gid;
	o->mode = (o->mode & ~0777u) | (in->mode & 0777u);
}

int ipc_get(struct ipc_ids *ids, const struct cred *c, key_t key, int flags,
	    const struct ipc_get_ops *ops, void *arg)
{
	pthread_mutex_lock(&ids->lock);
	int r;
	struct ipc_obj *o = key == IPC_PRIVATE ? NULL : ipc_find_key(ids, key);
	if (!o) {
		r = (key == IPC_PRIVATE || (flags & IPC_CREAT)) ? ops->create(ids, c, key, flags, arg)
								: -ENOENT;
	} else if ((flags & IPC_CREAT) && (flags & IPC_EXCL)) {
		r = -EEXIST;
	} else {
		r = ops->check ? ops->check(o, arg) : 0;
		if (r == 0)
			r = ipc_perm_ok(c, o, flags) ? o->id : -EACCES;
	}
	pthread_mutex_unlock(&ids->lock);
	return r;
}

/* --- mappings ---------------------------------------------------------------------- */

static long count_in_mm(struct mm *mm, const struct inode *inode, bool writable)
{
	long n = 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, node) {
		if (!v->file || v->file->inode != inode)
			continue;
		if (writable && ((v->flags & MAP_TYPE) != MAP_SHARED || !(v->maxprot & PROT_WRITE)))
			continue;
		n++;
	}
	pthread_mutex_unlock(&mm->lock);
	return n;
}

long kernel_count_mappings(struct kernel *k, const struct inode *inode, bool writable)
{
	/* Each address space once: collect them (referenced) under k->lock,
	 * count outside it. */
	size_t n = 0, cap = 16;
	struct mm **mms = malloc(cap * sizeof *mms);
	if (!mms)
		return -ENOMEM;
	pthread_mutex_lock(&k->lock);
	for (int tid = 1; tid < KERNEL_MAX_PID; tid++) {
		struct task *t = k->tasks[tid];
		if (!t || !t->mm)
			continue;
		bool seen = false;
		for (size_t i = 0; i < n && !seen; i++)
			seen = mms[i] == t->mm;
		if (seen)
			continue;
		if (n == cap) {
			struct mm **bigger = realloc(mms, 2 * cap * sizeof *mms);
			if (!bigger)
				break;
			mms = bigger;
			cap *= 2;
		}
		mm_get(t->mm);
		mms[n++] = t->mm;
	}
	pthread_mutex_unlock(&k->lock);
	long count = 0;
	for (size_t i = 0; i < n; i++) {
		count += count_in_mm(mms[i], inode, writable);
		mm_put(mms[i]);
	}
	free(mms);
	return count;
}

void ipc_exit(pid_t tgid)
{
	sem_exit(tgid);
}
