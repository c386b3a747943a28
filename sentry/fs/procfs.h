/* Shared between the files of procfs (internal to sentry/fs/procfs*.c).
 *
 * /proc is a tree of entries described by static tables (struct
 * proc_entry).  Nothing is cached: every path walk asks lookup() again
 * (SB_NOCACHE), which makes a fresh inode for the entry found, tagged with
 * what it is about (struct proc_node: the process, the thread, the fd).
 * Directories whose children come and go (the pid directories, fd/,
 * fdinfo/, task/) have lookup and list functions instead of a table.
 *
 * A regular file's text is generated when it is opened and kept with the
 * open file, so that reads at successive offsets see one consistent
 * snapshot; a read at offset 0 after the snapshot has been read (lseek to 0,
 * pread at 0) generates it anew, as seq_file files do.
 *
 * Locking: the process tree is read under k->lock, never held across guest
 * memory copies of more than a bounded chunk, path walks or allocation-
 * heavy formatting: what is needed is copied out (or referenced) first.
 */
#ifndef SENTRY_FS_PROCFS_H
#define SENTRY_FS_PROCFS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "common/strbuf.h"
#include "sentry/vfs/vfs.h"

#define PROC_ROOT_INO   1
#define PROC_MAX_TEXT   (64UL << 20)   /* the largest text a file may generate */
#define PROC_USER_HZ    100            /* clock ticks in stat, as sysconf(_SC_CLK_TCK) */

struct mm;

/* Per-super-block state. */
struct procfs {
	struct kernel *k;
	struct super_block *sb;
	struct dentry *root;       /* not referenced: lives as long as the mount */
	const struct host_facts *host;   /* the kernel's: cpuinfo, CPUs online */
	char boot_id[37];
	pthread_mutex_t lock;      /* oom_score_adj values */
	struct proc_oom *oom;      /* list */
};

/* --- text buffers: common/strbuf.h, capped at PROC_MAX_TEXT ------------- */

/* --- entries --------------------------------------------------------------- */

struct proc_entry;

/* What an inode (or a request) is about. */
struct proc_ctx {
	struct procfs *fs;
	struct kernel *k;
	struct task *reader;              /* the task asking (may be NULL) */
	const struct proc_entry *entry;
	pid_t tgid;                       /* 0: not about a process */
	pid_t tid;                        /* 0: about the whole process */
	int fd;                           /* fd/N, fdinfo/N; else -1 */
	/* Identity of what tgid/tid named when the node was made, so that a
	 * reused pid does not revive an old inode. */
	struct timespec tg_start;
	const void *task_id;
};

/* Dynamic directory listing. */
struct proc_dirlist {
	struct proc_dirent {
		char *name;
		uint64_t ino;
		unsigned char type;
	} *e;
	size_t n, cap;
};
int proc_dirlist_add(struct proc_dirlist *l, const char *name, uint64_t ino, unsigned char type);

#define PE_WRITE_EIO  0x1   /* writing without a write handler: EIO (else EINVAL) */
#define PE_SYSCTL     0x2   /* /proc/sys: opening read-only entries for write is EACCES */
#define PE_PRIVATE    0x4   /* needs ptrace-like access to the process (environ, fd...) */

struct proc_entry {
	const char *name;
	mode_t mode;                      /* file type and permissions */
	unsigned flags;
	/* Regular files: the text, and an optional write handler. */
	int (*show)(const struct proc_ctx *c, struct strbuf *b);
	ssize_t (*write)(const struct proc_ctx *c, const char *buf, size_t len);
	/* Symlinks: the text; magic links also jump to a path. */
	int (*readlink)(const struct proc_ctx *c, char *buf, size_t size);
	int (*get_link)(const struct proc_ctx *c, struct path *out);
	/* Directories: a table of children (ended by a NULL name), and/or
	 * children found by lookup/list. */
	struct proc_entry *children;
	int (*lookup)(const struct proc_ctx *dir, const char *name, struct proc_ctx *out);
	int (*list)(const struct proc_ctx *dir, struct proc_dirlist *l);
	/* Adjusts a new inode (mode, size) for the thing it stands for. */
	void (*setup)(const struct proc_ctx *c, struct inode *inode);
	unsigned id;                      /* part of the inode number, set at start */
};

/* The tables (procfs_sys.c, procfs_pid.c). */
extern struct proc_entry proc_root_entry;
extern struct proc_entry proc_root_children[];
extern struct proc_entry proc_pid_dir_entry;     /* /proc/[pid] */
extern struct proc_entry proc_tid_dir_entry;     /* /proc/[pid]/task/[tid] */
extern struct proc_entry proc_fd_link_entry;     /* /proc/[pid]/fd/N */
extern struct proc_entry proc_fdinfo_file_entry; /* /proc/[pid]/fdinfo/N */

/* Inode number of an entry for c's process/thread/fd. */
uint64_t proc_ino(const struct proc_entry *e, pid_t tgid, pid_t tid, int fd);
uint64_t proc_ctx_ino(const struct proc_ctx *c);
unsigned char proc_dtype(mode_t mode);

/* Root: the pid directories (procfs_pid.c). */
int proc_root_lookup_pid(const struct proc_ctx *dir, const char *name, struct proc_ctx *out);
int proc_root_list_pids(const struct proc_ctx *dir, struct proc_dirlist *l);

/* --- the process behind a context (procfs_pid.c) --------------------------- */

/* Is the process (and thread) of c still there (a zombie counts)? */
bool proc_ctx_alive(const struct proc_ctx *c);
/* Fills the identity fields of c from its tgid/tid; -ENOENT if gone. */
int proc_ctx_bind(struct proc_ctx *c);
/* Under k->lock: the thread group of c (NULL if gone), and the task that
 * stands for c: the thread, or the process's leader (or first live
 * thread); NULL for a zombie. */
struct thread_group *proc_tg_locked(const struct proc_ctx *c);
struct task *proc_task_locked(const struct proc_ctx *c);
/* New references to the task's resources (NULL if it has none any more). */
struct fdtable *proc_get_files(const struct proc_ctx *c);
struct mm *proc_get_mm(const struct proc_ctx *c);
/* The task's root and cwd (new references); -ENOENT for a zombie. */
int proc_get_fs_paths(const struct proc_ctx *c, struct path *root, struct path *cwd);
/* May the reader look inside the process (PTRACE_MODE_READ, simplified)? */
int proc_may_access(const struct proc_ctx *c);

/* --- fd/ and magic links (procfs_fd.c) -------------------------------------- */

int proc_fd_lookup(const struct proc_ctx *dir, const char *name, struct proc_ctx *out);
int proc_fd_list(const struct proc_ctx *dir, struct proc_dirlist *l);
int proc_fdinfo_lookup(const struct proc_ctx *dir, const char *name, struct proc_ctx *out);
int proc_fdinfo_list(const struct proc_ctx *dir, struct proc_dirlist *l);
void proc_fd_link_setup(const struct proc_ctx *c, struct inode *inode);
int proc_fd_readlink(const struct proc_ctx *c, char *buf, size_t size);
int proc_fd_get_link(const struct proc_ctx *c, struct path *out);
int proc_fdinfo_show(const struct proc_ctx *c, struct strbuf *b);
int proc_exe_readlink(const struct proc_ctx *c, char *buf, size_t size);
int proc_exe_get_link(const struct proc_ctx *c, struct path *out);
int proc_cwd_readlink(const struct proc_ctx *c, char *buf, size_t size);
int proc_cwd_get_link(const struct proc_ctx *c, struct path *out);
int proc_root_readlink(const struct proc_ctx *c, char *buf, size_t size);
int proc_root_get_link(const struct proc_ctx *c, struct path *out);

/* Copies text of length len into a readlink buffer of size (truncating). */
int proc_copy_link(char *buf, size_t size, const char *text, size_t len);

/* --- shared formatting ------------------------------------------------------ */

/* /proc/[pid]/mounts and mountinfo for a process whose root is root. */
void proc_format_mounts(struct procfs *fs, const struct path *root, bool mountinfo,
			struct strbuf *b);
/* Seconds since boot as the guest sees it (the host's CLOCK_BOOTTIME). */
struct timespec proc_uptime(void);
/* A CLOCK_MONOTONIC time as clock ticks since boot. */
uint64_t proc_mono_to_ticks(struct timespec mono);

/* A random version-4 UUID. */
void proc_make_uuid(char out[37]);

/* oom_score_adj values set through /proc (remembered here: the kernel has
 * no field for it); false if none was set for that process. */
bool proc_oom_find(struct procfs *fs, pid_t tgid, struct timespec start, int *value);
void proc_oom_set(struct procfs *fs, pid_t tgid, struct timespec start, int value);

#endif
