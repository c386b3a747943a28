/* System V IPC: shared memory (ipc_shm.c), semaphores (ipc_sem.c) and
 * message queues (ipc_msg.c), with what they share (ipc.c): identifiers,
 * keys and permissions, as ipc/util.c has them.  One IPC namespace per
 * sandbox.
 *
 * Locking: each kind has one lock (its struct ipc_ids), taken innermost:
 * nothing else (k->lock, an mm's lock) is taken while it is held.  It may
 * itself be taken under mm->lock (an unmapped segment's last reference)
 * and under k->lock (ipc_exit).
 */
#ifndef SENTRY_KERNEL_IPC_H
#define SENTRY_KERNEL_IPC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include "sentry/kernel/kernel.h"

/* Permission bits as the kernel names them (for ipc_perm_ok). */
#define S_IRUGO 0444
#define S_IWUGO 0222
#define S_IXUGO 0111

/* --- common (ipc.c) ---------------------------------------------------------- */

/* The permission part of every IPC object (Linux's kern_ipc_perm). */
struct ipc_obj {
	int id;
	key_t key;
	uid_t uid, cuid;
	gid_t gid, cgid;
	mode_t mode;               /* rwx bits, plus SHM_DEST / SHM_LOCKED */
	unsigned short seq;
};

/* The objects of one kind. */
struct ipc_ids {
	pthread_mutex_t lock;
	struct ipc_obj **objs;     /* by index; made on first use */
	int max;                   /* shmmni, semmni, msgmni */
	int in_use;
	int last_idx;
	unsigned short seq;
};

#define IPC_IDS_INIT(limit) { PTHREAD_MUTEX_INITIALIZER, NULL, (limit), 0, -1, 0 }

/* The caller's credentials (taken under k->lock). */
struct cred task_cred_snapshot(struct task *t);

/* Under ids->lock. */
struct ipc_obj *ipc_find_key(struct ipc_ids *ids, key_t key);
struct ipc_obj *ipc_find_id(struct ipc_ids *ids, int id);
/* The object at index idx (SHM_STAT, SEM_STAT, MSG_STAT). */
struct ipc_obj *ipc_find_index(struct ipc_ids *ids, int idx);
/* Gives o an id (and its creator from c, key and mode bits from flags);
 * -ENOSPC when the kind is full. */
int ipc_add(struct ipc_ids *ids, struct ipc_obj *o, const struct cred *c, key_t key, int flags);
void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o);
/* Highest index in use (IPC_INFO and *_INFO return it). */
int ipc_max_index(struct ipc_ids *ids);

/* ipcperms(): does c have the access in flag's rwx bits (S_IRUGO...)? */
bool ipc_perm_ok(const struct cred *c, const struct ipc_obj *o, int flag);
/* May c change or remove o (IPC_SET, IPC_RMID)? */
bool ipc_is_owner(const struct cred *c, const struct ipc_obj *o);
/* struct ipc_perm as IPC_STAT reports it, and IPC_SET's changes. */
void ipc_fill_perm(const struct ipc_obj *o, struct ipc_perm *out);
void ipc_set_perm(struct ipc_obj *o, const struct ipc_perm *in);

/* The common shape of shmget/semget/msgget (ipcget): finds key or makes a
 * new object with create(arg), checking IPC_CREAT/IPC_EXCL, then check()
 * (size, nsems) and the permission bits of flags.  Returns the id. */
struct ipc_get_ops {
	int (*create)(struct ipc_ids *ids, const struct cred *c, key_t key, int flags, void *arg);
	int (*check)(struct ipc_obj *o, void *arg);   /* may be NULL */
};
int ipc_get(struct ipc_ids *ids, const struct cred *c, key_t key, int flags,
	    const struct ipc_get_ops *ops, void *arg);

/* How many mappings of inode (only MAP_SHARED ones that can be made
 * writable, if writable) all address spaces of the sandbox hold: Linux's
 * shm_nattch, and i_mmap_writable for F_SEAL_WRITE.  Takes k->lock and
 * the mm locks: call it with no IPC lock held. */
long kernel_count_mappings(struct kernel *k, const struct inode *inode, bool writable);

/* A process has exited (its last thread, k->lock held): its semaphore
 * adjustments (SEM_UNDO) are applied. */
void ipc_exit(pid_t tgid);

/* --- shared memory (ipc_shm.c) ---------------------------------------------------- */

long shm_get(struct task *t, key_t key, uint64_t size, int flags);
long shm_attach(struct task *t, int id, uint64_t addr, int flags);
long shm_detach(struct task *t, uint64_t addr);
long shm_ctl(struct task *t, int id, int cmd, uint64_t ubuf);

/* --- semaphores (ipc_sem.c) ---------------------------------------------------------- */

long sem_get(struct task *t, key_t key, int nsems, int flags);
/* sops: nsops struct sembuf already copied in; timeout relative (NULL:
 * none). */
long sem_op(struct task *t, int id, struct sembuf *sops, unsigned nsops,
	    const struct timespec *timeout);
long sem_ctl(struct task *t, int id, int semnum, int cmd, uint64_t arg);
void sem_exit(pid_t tgid);

/* --- message queues (ipc_msg.c) ------------------------------------------------------- */

long msg_get(struct task *t, key_t key, int flags);
long msg_snd(struct task *t, int id, uint64_t umsg, size_t size, int flags);
long msg_rcv(struct task *t, int id, uint64_t umsg, size_t size, long type, int flags);
long msg_ctl(struct task *t, int id, int cmd, uint64_t ubuf);

#endif
