/* The kernel's core objects: the kernel itself, tasks (guest threads),
 * thread groups (guest processes), credentials, signal state and the wait
 * primitive every blocking operation is built on.
 *
 * Locking: k->lock (the "task lock") protects the process tree, the pid
 * table, thread-group membership, signal handlers, masks and pending
 * signals, exit and wait state.  It is never held across I/O or a platform
 * call.  Objects with their own locks say so.
 */
#ifndef SENTRY_KERNEL_KERNEL_H
#define SENTRY_KERNEL_KERNEL_H

#include <linux/capability.h>   /* CAP_* for cred_capable() */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>

#include "common/list.h"
#include "netstack/policy.h"
#include "platform/platform.h"
#include "sentry/fs/fs.h"
#include "sentry/vfs/vfs.h"

struct mm;
struct task;
struct thread_group;
struct gofer_client;
struct netstack;
struct tty;
struct devpts;
struct tty_bridge;
struct kcontainer;
struct seccomp_filter;
struct sandbox_process;

#define KERNEL_MAX_PID 32768         /* /proc/sys/kernel/pid_max */
#define GUEST_NSIG     64

/* --- wait queues -----------------------------------------------------------
 * A task blocks by polling its own eventfd (plus any host fds it waits on);
 * a wait queue is a list of tasks to poke when something happens. */

struct waitq {
	pthread_mutex_t lock;
	struct list_head entries;
};

struct waitq_entry {
	struct list_head node;
	struct task *task;
	unsigned events;              /* what this waiter cares about */
	/* Instead of waking task: called with the queue's lock held and the
	 * events of the wake-up (epoll's ready-list callback). */
	void (*func)(struct waitq_entry *e, unsigned events);
	void *priv;
	/* An exclusive callback entry (EPOLLEXCLUSIVE) sets woke when it woke
	 * a waiter: the rest of that wake-up skips the other exclusive
	 * entries (Linux's nr_exclusive = 1); plain entries are all called. */
	bool exclusive;
	bool woke;
};

void waitq_init(struct waitq *q);
void waitq_add(struct waitq *q, struct waitq_entry *e, struct task *t, unsigned events);
void waitq_add_callback(struct waitq *q, struct waitq_entry *e, unsigned events,
			void (*func)(struct waitq_entry *e, unsigned events), void *priv);
void waitq_add_callback_exclusive(struct waitq *q, struct waitq_entry *e, unsigned events,
				  void (*func)(struct waitq_entry *e, unsigned events),
				  void *priv);
void waitq_del(struct waitq *q, struct waitq_entry *e);
/* Wakes every waiter interested in any of events (all if events == 0). */
void waitq_wake(struct waitq *q, unsigned events);

/* Makes the task's next or current task_block() return. */
void task_wake(struct task *t);

/* Blocks until woken, until the absolute CLOCK_MONOTONIC deadline (NULL:
 * none), until a host fd in hostfds is ready, or until a signal is pending.
 * Returns 0 (woken or host fd ready), -ETIMEDOUT or -EINTR. */
int task_block(struct task *t, const struct timespec *deadline, struct pollfd *hostfds,
	       int nhostfds);
/* task_block() with no signal interruption (only for short, bounded waits). */
int task_block_uninterruptible(struct task *t, const struct timespec *deadline);

/* poll/select/epoll: a file's poll() registers the queues (and host fds)
 * that will signal a change; the caller then blocks on all of them. */
struct poll_entry {
	struct waitq *q;
	struct waitq_entry e;
};

struct poll_table {
	struct task *task;
	struct poll_entry **entries;   /* each linked into its queue: never moved */
	int nentries, cap;
	struct pollfd *hostfds;
	int nhostfds, hostcap;
	/* How poll_wait() and poll_wait_hostfd() register, when not the
	 * default (wake pt->task; undone by poll_table_free): epoll's. */
	void (*queue_proc)(struct poll_table *pt, struct waitq *q, unsigned events);
	void (*hostfd_proc)(struct poll_table *pt, int fd, short events);
	void *priv;
	/* The files whose queues the default registration is on: held until
	 * poll_table_free, so that a close by another thread meanwhile cannot
	 * free a queue we are still linked into. */
	struct file **files;
	int nfiles, filecap;
};

void poll_table_init(struct poll_table *pt, struct task *t);
void poll_table_free(struct poll_table *pt);   /* unregisters everything */
void poll_wait(struct poll_table *pt, struct waitq *q, unsigned events);
void poll_wait_hostfd(struct poll_table *pt, int fd, short events);
/* Keeps a reference to f until poll_table_free (call before f's poll). */
void poll_table_hold(struct poll_table *pt, struct file *f);

/* --- credentials ----------------------------------------------------------- */

/* Supplementary groups a process may have (Linux allows NGROUPS_MAX,
 * 65536; setgroups beyond this says EINVAL). */
#define CRED_NGROUPS_MAX 256
/* The highest capability number (CAP_CHECKPOINT_RESTORE), whatever the
 * build host's headers say: capability sets are bit masks of 0..this. */
#define CRED_CAP_LAST    40
#define CRED_CAP_FULL    ((1ULL << (CRED_CAP_LAST + 1)) - 1)

/* A process's credentials (cred.c has the rules).  Changed only under
 * k->lock; the process's own threads may read them without it. */
struct cred {
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	int ngroups;
	gid_t groups[CRED_NGROUPS_MAX];   /* sorted, as setgroups leaves them */
	/* Capability sets, bit n = capability n. */
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	unsigned securebits;              /* SECBIT_* (keep-caps...) */
};

/* Credentials for uid/gid: root gets every capability, anyone else none
 * (the bounding set is full for both); no supplementary groups. */
void cred_init(struct cred *c, uid_t uid, gid_t gid);
/* Does c have cap in its effective set? */
bool cred_capable(const struct cred *c, int cap);
/* Is gid c's fsgid or one of its supplementary groups? */
bool cred_in_group(const struct cred *c, gid_t gid);
/* access(2) without AT_EACCESS: the real ids are the fs ids, and the
 * capabilities are root's if the real uid is 0, none otherwise. */
void cred_for_access(struct cred *c);

/* --- signals --------------------------------------------------------------- */

typedef uint64_t sigmask_t;   /* bit (sig - 1) */

/* Guest ABI constants glibc's headers do not export. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
#define SIGBIT(sig) (1ULL << ((sig) - 1))

/* The guest's struct sigaction, as rt_sigaction passes it (x86-64). */
struct guest_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	sigmask_t mask;
};

struct sighand {
	atomic_long refcount;
	struct guest_sigaction action[GUEST_NSIG];
};

/* A queued signal with its siginfo (guest layout, 128 bytes). */
/* One user's queued signals, against RLIMIT_SIGPENDING (kept as long as
 * the kernel). */
struct sigq_user {
	uid_t uid;
	atomic_long count;
	struct sigq_user *next;
};

struct ksiginfo {
	struct list_head node;
	siginfo_t info;
	struct sigq_user *charged;    /* whose count it is in, or NULL */
};

/* Frees a queued signal, giving back its place in the user's count. */
void ksiginfo_free(struct ksiginfo *q);

struct sigpending {
	sigmask_t mask;
	struct list_head queue;      /* struct ksiginfo, in arrival order */
};

/* --- processes and threads ------------------------------------------------- */

/* Per-task file-system context (shared with CLONE_FS). */
struct fs_context {
	atomic_long refcount;
	pthread_mutex_t lock;
	struct path root;
	struct path cwd;
	mode_t umask;
};

enum tg_state {
	TG_ALIVE,
	TG_ZOMBIE,       /* every thread exited; waiting for the parent */
	TG_REAPED,
};

struct thread_group {
	atomic_long refcount;
	struct kernel *k;
	pid_t tgid;
	struct thread_group *parent;   /* NULL for init */
	struct list_head children;     /* thread_group.sibling */
	struct list_head sibling;
	struct list_head threads;      /* task.tg_node */
	int nr_threads;
	pid_t pgid, sid;
	struct sighand *sighand;
	struct sigpending shared_pending;
	int exit_signal;               /* sent to the parent at death */
	enum tg_state state;
	bool group_exiting;            /* exit_group or a fatal signal */
	int exit_code;                 /* wait status (as wait4 reports it) */
	/* A process started from outside (kernel_spawn): told of the exit, as
	 * its parent would be (it has none; the kernel reaps it).  Called
	 * with k->lock held: must not block. */
	void (*exit_hook)(void *arg, int wait_status);
	void *exit_hook_arg;
	struct cred cred;
	struct rlimit rlim[RLIM_NLIMITS];
	struct waitq child_wq;         /* wait4/waitid of this process */
	struct waitq signal_wq;        /* a signal was queued (signalfd) */
	struct timespec start_time;    /* CLOCK_MONOTONIC */
	/* Children's usage, reaped (for getrusage(RUSAGE_CHILDREN)) */
	struct timespec cutime, cstime;
	/* vfork: the parent waits until the child execs or exits. */
	struct task *vfork_waiter;
	bool vfork_done;
	struct path exe;               /* /proc/[pid]/exe */
	char comm[16];
	bool is_init;                  /* pid 1: signals without handler ignored */
	bool exec_done;                /* execve since fork (setpgid rule) */
	/* Job control. */
	bool stopped;                  /* by SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU */
	int stop_signal;
	bool stop_report;              /* a stop wait4(WUNTRACED) has not seen */
	bool continue_report;          /* a continue wait4(WCONTINUED) has not seen */
	/* getrusage: CPU time of the threads (stubs) that are gone;
	 * tg_cputime_locked() adds the live ones. */
	struct timespec utime, stime;
	/* prctl */
	bool child_subreaper;          /* adopts orphaned descendants */
	bool undumpable;               /* PR_SET_DUMPABLE 0, or after a set-id change */
	/* Interval timers and POSIX timers (ptimer.c; NULL until the first
	 * use, freed when the last thread has exited). */
	struct tg_timers *timers;
	/* execve in a multithreaded process: the exec'ing thread waits for the
	 * others to go. */
	struct task *exec_waiter;
	pid_t creator_tid;             /* the thread that forked it (__WNOTHREAD) */
	/* --- controlling terminal (sentry/fs/tty_jobctrl.c; under k->lock) --- */
	struct tty *tty;               /* a counted reference, or NULL */
	pid_t tty_old_pgrp;            /* session leader: the foreground group
	                                  when its terminal hung up */
	/* The pod container it belongs to (container.h; under k->lock), NULL
	 * for the sandbox's own processes. */
	struct kcontainer *container;
	/* Its seccomp profile (seccomp_filter.h), checked before each of its
	 * syscalls: the sandbox's (k->opts.seccomp) or its pod container's;
	 * kept across execve, inherited on fork; NULL: none. */
	const struct seccomp_filter *seccomp;
};

/* ERESTART_RESTARTBLOCK (kernel/signal.c's restart_block): a syscall
 * that must not simply be re-executed with its original arguments (a
 * relative sleep) sets fn and its data before returning the code; after a
 * signal without handler the guest re-enters through restart_syscall(2),
 * which calls fn.  fn NULL: restart the original call as it was. */
struct restart_block {
	long (*fn)(struct task *t);
	uint64_t data[4];
};

enum task_state {
	TASK_NEW,
	TASK_RUNNING,                  /* in guest code or in the sentry */
	TASK_EXITED,
};

struct task {
	atomic_long refcount;
	struct kernel *k;
	pid_t tid;
	struct thread_group *tg;
	struct list_head tg_node;
	struct mm *mm;
	struct fdtable *files;
	struct fs_context *fs;
	const struct platform_ops *platform;
	struct platform_ctx *ctx;
	pthread_t thread;
	enum task_state state;

	/* Waking up: task_block() polls wake_fd. */
	int wake_fd;
	/* The task is running guest code (kick the platform to interrupt). */
	atomic_bool in_guest;
	atomic_bool interrupt;         /* something for the task loop to do */
	atomic_bool sleeping;          /* blocked in task_block() (/proc state S) */
	/* Scheduling, as the guest set it (sys_sched.c); the affinity is also
	 * applied to the host threads that run and serve the task. */
	int sched_policy, sched_priority;
	cpu_set_t affinity;

	/* Signals (under k->lock). */
	sigmask_t blocked;
	sigmask_t saved_blocked;       /* restored after sigsuspend/ppoll/pselect */
	sigmask_t real_blocked;        /* the mask while sigtimedwait unblocks its set */
	bool restore_blocked;
	struct sigpending pending;
	stack_t altstack;

	uint64_t clear_child_tid;
	uint64_t robust_list, robust_list_len;
	char comm[16];
	int exit_code;                 /* this thread's exit(2) status */
	int pdeath_signal;             /* PR_SET_PDEATHSIG: when the parent process dies */
	bool no_new_privs;             /* PR_SET_NO_NEW_PRIVS (inherited, kept by execve) */
	struct timespec utime, stime;  /* CPU time of this thread's stubs replaced by execve */
	/* access(2): the credentials the task's own path walk uses meanwhile
	 * (Linux's override_creds); NULL: its process's. */
	const struct cred *override_cred;

	bool exiting;                  /* leave the task loop */
	sigmask_t forced;              /* fault signals that even init must take */
	/* The CPU's view of the last fault, for the sigcontext of its frame
	 * (trap number, page-fault error code, faulting address). */
	struct {
		int sig;
		int trapno;
		uint64_t err, cr2;
	} fault;
	long syscall_ret;              /* result of the last syscall, for restart */
	bool syscall_done;             /* ...which task_deliver_signals has not seen */
	/* Syscall being served (for restart and --strace). */
	long syscall_nr;
	uint64_t syscall_args[6];
	/* Bounce buffer for read/write, kept across syscalls: allocating (and
	 * faulting in) a large buffer per call costs more than the copy. */
	char *io_buf;
	size_t io_buf_size;
	char *strace_line;             /* --strace: the line being built */
	/* How restart_syscall(2) resumes a call that returned
	 * -ERESTART_RESTARTBLOCK (nanosleep...). */
	struct restart_block restart;
};

/* The credentials t acts with: its process's, unless overridden. */
static inline const struct cred *current_cred(const struct task *t)
{
	return t->override_cred ? t->override_cred : &t->tg->cred;
}

/* What `sentry run` asked for; read-only once the kernel runs. */
struct kernel_options {
	bool strace;
	bool report_unimplemented;
	const char *hostname;
	struct net_policy net;         /* the network policy (netstack/policy.h) */
	/* OCI (runsc-compat): the container's seccomp profile, applied to
	 * every guest syscall (seccomp_filter.h; NULL: none), and what its
	 * processes start with (NULL: the defaults; exec'd processes too). */
	const struct seccomp_filter *seccomp;
	const struct sandbox_process *process;
	/* `sentry run --pids N`: fork/clone past N live guest tasks
	 * (processes and threads) fail with EAGAIN; 0: no limit. */
	int max_tasks;
};

struct kernel {
	pthread_mutex_t lock;
	const struct platform_ops *platform;
	struct kernel_options opts;
	struct gofer_client *gofer;
	atomic_bool gofer_died;         /* the run then ends with an error */
	atomic_bool gofer_retired;      /* the run is over: its exit is expected */
	struct netstack *net;           /* guest TCP/IP (netstack/netstack.h) */
	struct mount_table *mounts;
	struct path root;              /* the sandbox's "/" */

	/* pid table: index = pid. */
	struct task **tasks;           /* by tid */
	struct thread_group **groups;  /* by tgid (leader's tid) */
	pid_t next_pid;
	int nr_tasks;
	int nr_zombies;                /* processes exited, not reaped yet */

	struct thread_group *init;
	struct timespec boot_time;     /* CLOCK_REALTIME at start */
	struct timespec boot_mono;     /* CLOCK_MONOTONIC at start */
	struct utsname uts;

	/* The run ends when init is reaped: its wait status. */
	bool finished;
	int init_status;
	pthread_cond_t finished_cond;

	/* The CPUs the sandbox may use (the sentry's affinity at start). */
	cpu_set_t cpus;
	/* What /proc and /sys show of the host, read before the sentry
	 * confines itself; unchanged after. */
	struct host_facts host;

	/* Queued-signal counts per user (RLIMIT_SIGPENDING); under lock. */
	struct sigq_user *sigq_users;

	/* Host fds of the user's stdin/stdout/stderr. */
	int host_stdio[3];

	/* The timer service (ktimer.c). */
	struct ktimer_base *timers;

	/* syscall numbers the guest called without an implementation */
	atomic_ulong unimplemented[512];

	/* --- terminals (sentry/fs/devpts.c, tty_bridge.c) --- */
	struct devpts *devpts;         /* the /dev/pts of the sandbox */
	struct tty_bridge *tty_bridge; /* -t: the caller's terminal <-> a pty */
};

/* --- booting ----------------------------------------------------------------- */

/* What a mount is: `sentry run -v` makes bind mounts; an OCI config any. */
enum sandbox_mount_type {
	SANDBOX_MOUNT_BIND,      /* host: a host directory or file (through the gofer) */
	SANDBOX_MOUNT_TMPFS,     /* mode, size, uid, gid */
	SANDBOX_MOUNT_PROC,
	SANDBOX_MOUNT_SYSFS,
	SANDBOX_MOUNT_DEVPTS,    /* the sandbox's one devpts */
	SANDBOX_MOUNT_MQUEUE,    /* an empty tmpfs called mqueue */
	SANDBOX_MOUNT_CGROUP,    /* an empty read-only tree called cgroup */
};

struct sandbox_mount {
	const char *host;        /* host directory */
	const char *guest;       /* absolute path in the sandbox */
	bool readonly;
	/* OCI mounts (zero for `sentry run -v`'s bind mounts): */
	enum sandbox_mount_type type;
	unsigned flags;          /* MNT_NOSUID, MNT_NODEV, MNT_NOEXEC */
	mode_t mode;             /* tmpfs: its root's mode (0: 01777) */
	uint64_t size;           /* tmpfs: the most it may hold (0: no limit) */
	uid_t uid;               /* tmpfs: its root's owner */
	gid_t gid;
};

struct sandbox_rlimit {
	int resource;            /* RLIMIT_* */
	uint64_t soft, hard;
};

/* What the OCI config's process object asks beyond ids and the command;
 * for `sentry run` (process NULL): umask 022, root's capabilities for uid
 * 0 and none for others, no supplementary groups, the default rlimits. */
struct sandbox_process {
	const gid_t *groups;     /* supplementary groups (additionalGids) */
	size_t ngroups;
	bool has_umask;
	mode_t umask;
	const struct sandbox_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privs;
	bool has_caps;           /* else root's full set for uid 0 */
	uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
};

/* The process settings as one line of text, for a request to a running
 * sandbox (CONTAINER, EXEC: spawn.c): hex numbers separated by single
 * spaces, no NUL inside:
 *   "SP1" ngroups groups... has_umask umask nrlimits (resource soft hard)...
 *   no_new_privs has_caps bounding effective inheritable permitted ambient
 * encode: a malloc'd string, NULL if out of memory.  decode (boot_oci.c):
 * len bytes at s, every count bounded (CRED_NGROUPS_MAX groups,
 * RLIM_NLIMITS rlimits), the whole text consumed: 0 with *out (free it with
 * sandbox_process_free), -EINVAL if malformed, -ENOMEM. */
char *sandbox_process_encode(const struct sandbox_process *p);
int sandbox_process_decode(const char *s, size_t len, struct sandbox_process **out);
void sandbox_process_free(struct sandbox_process *p);

/* Everything `sentry run` asked for. */
struct sandbox_config {
	const char *platform;    /* "ptrace" or "systrap" */
	bool no_patch;           /* systrap without syscall patching */
	const char *rootfs;      /* host directory of the read-only lower layer */
	struct sandbox_mount *mounts;
	size_t nmounts;
	const char *cwd;         /* in the sandbox; "/" by default */
	char **argv;             /* the command */
	char **envp;
	uid_t uid;
	gid_t gid;
	/* -u/--user: "USER[:GROUP]" (names or numbers), looked up in the
	 * sandbox's /etc/passwd and /etc/group when init starts; overrides
	 * uid and gid.  NULL: uid/gid as they are. */
	const char *user;
	/* Which of the caller's fds 0-2 were closed: they stay closed for the
	 * guest (the sentry put /dev/null there so that none of its own fds
	 * could take those numbers). */
	bool stdio_closed[3];
	/* -t/--tty (or a terminal on stdin): bit n set when the guest's fd n
	 * is the slave of a pty that the sentry bridges to the caller's
	 * terminal; 0: the guest gets the host fds as they are. */
	unsigned tty_stdio;
	/* --preserve-fds: host fds that become the guest init's fds 3, 4...
	 * in this order (given to the sentry: the guest's close closes them). */
	const int *preserved_fds;
	int npreserved_fds;
	/* OCI create/start (runsc-compat): when gated, the sandbox boots,
	 * writes "ok\n" to ready_fd (closing it), and waits for a byte from
	 * start_fifo before its init starts; EOF there ends the run. */
	bool gated;
	int ready_fd;
	const char *start_fifo;
	/* OCI exec: a unix socket (SOCK_SEQPACKET) the sandbox serves for
	 * requests to start processes in it (sentry/kernel/spawn.c). */
	const char *control_socket;
	/* --rusage-file: the sentry writes its peak RSS and the gofer's there
	 * at the end of the run (its own rusage: it has no /proc by then). */
	bool has_rusage_fd;
	int rusage_fd;
	/* The root file system is read-only (OCI root.readonly, --read-only):
	 * writes to it fail with EROFS; mounts on it stay as they are. */
	bool root_readonly;
	/* OCI linux.readonlyPaths and linux.maskedPaths, applied in that
	 * order after the mounts (as runc does); paths that do not exist are
	 * skipped.  A read-only path is bound read-only onto itself; a masked
	 * directory gets an empty read-only tmpfs, a masked file /dev/null. */
	const char *const *readonly_paths;
	size_t nreadonly_paths;
	const char *const *masked_paths;
	size_t nmasked_paths;
	struct kernel_options opts;
};

/* Boots the sandbox in the calling process (which must still be single-
 * threaded), runs the command as pid 1 and returns its wait status, or a
 * negative errno if the sandbox could not start.  A command that cannot be
 * executed yields an exit status of 127 (not found) or 126. */
int kernel_run(const struct sandbox_config *cfg);
/* A process started in a running sandbox from outside (OCI exec): argv,
 * envp, cwd and ids as given; its stdin, stdout and stderr the host fds in
 * stdio (-1: closed; not owned); a session of its own and no parent.
 * on_exit(arg, wait status) is called once it has exited (k->lock held).
 * argv/envp/cwd must stay valid until then.  Returns its pid or -errno. */
struct kernel_spawn_req {
	char **argv, **envp;
	const char *cwd;
	uid_t uid;
	gid_t gid;
	int stdio[3];
	/* A terminal: stdio[0] is a host terminal; the process gets a pty of
	 * the sandbox bridged to it, as its controlling terminal and fds 0-2
	 * (on_exit is called once its last output has gone out). */
	bool tty;
	void (*on_exit)(void *arg, int wait_status);
	void *arg;
	/* A pod container's process (sentry/kernel/container.h): its root
	 * (cwd is walked from it) and its container; NULL: the sandbox's.
	 * gate, if set, runs on the new process's thread before its exec; a
	 * negative return ends the process as if SIGKILLed, unexec'd. */
	const struct path *root;
	struct kcontainer *container;
	int (*gate)(void *arg, struct task *t);
	void *gate_arg;
	/* Its groups, umask, rlimits, no_new_privs and capabilities (OCI
	 * process.json, a pod container's config.json); NULL: those of
	 * k->opts.process but its groups for the sandbox's, the defaults for
	 * a container's. */
	const struct sandbox_process *process;
};
int kernel_spawn(struct kernel *k, const struct kernel_spawn_req *req);

/* A signal from outside the sandbox for its init (forwarded by the CLI). */
void kernel_signal_from_outside(struct kernel *k, int sig);

/* --- tasks ---------------------------------------------------------------- */

/* Starts the first guest process: execs argv/envp as pid 1. */
int kernel_start_init(struct kernel *k, const char *path, char *const argv[],
		      char *const envp[], const char *cwd);
/* Waits until init has exited and every task is gone; returns init's wait
 * status. */
int kernel_wait_finished(struct kernel *k);

void task_get(struct task *t);
void task_put(struct task *t);
void tg_get(struct thread_group *tg);
void tg_put(struct thread_group *tg);
/* Under k->lock: the task or thread group with that id, or NULL. */
struct task *kernel_find_task(struct kernel *k, pid_t tid);
struct thread_group *kernel_find_tg(struct kernel *k, pid_t tgid);
pid_t kernel_alloc_pid(struct kernel *k);

/* The task loop of one task (runs in its own sentry thread). */
void task_run(struct task *t);
/* Starts the sentry thread of a new task. */
int task_start_thread(struct task *t, void *(*fn)(void *), void *arg);

/* Interrupts the task, wherever it is, so that it looks at its signals. */
void task_interrupt(struct task *t);
/* The task the calling sentry thread serves (NULL outside task_run): what
 * a poll() without a poll table asks about (signalfd). */
struct task *task_current(void);

/* fs_context */
struct fs_context *fs_context_new(const struct path *root, const struct path *cwd);
struct fs_context *fs_context_copy(struct fs_context *src);
void fs_context_put(struct fs_context *fs);

/* The root/cwd a walk of a path given relative to dirfd starts from. */
int task_walk_root(struct task *t, int dirfd, const char *path, struct walk_root *out);
void walk_root_put(struct walk_root *w);

/* --- credentials of processes (cred.c, user.c) ---------------------------- */

/* Which kind of id change (Linux's LSM_SETID_*), for the capability rules. */
enum cred_setid { CRED_SETID_ID, CRED_SETID_RE, CRED_SETID_RES, CRED_SETID_FS };

/* Adjusts new's capabilities after a uid change from old: all of them go
 * when no uid is 0 any more (unless keep-caps), the effective set follows
 * the euid and the fs capabilities the fsuid. */
void cred_fix_setuid(struct cred *new, const struct cred *old, enum cred_setid kind);
/* capset(2)'s rules: 0 or -EPERM (new is changed only on success). */
int cred_capset(struct cred *new, const struct cred *old, uint64_t effective,
		uint64_t inheritable, uint64_t permitted);
/* Installs new credentials for a process (k->lock held).  A change of
 * euid, egid, fsuid or fsgid makes it undumpable and clears its threads'
 * parent-death signals, as commit_creds does. */
void tg_commit_cred_locked(struct thread_group *tg, const struct cred *new);

/* execve's credentials: the set-user/group-ID bits of the program are
 * honoured (not on a nosuid mount, nor under no_new_privs); programs have
 * no file capabilities, so root (by euid or uid) gets its bounding set,
 * anyone else its ambient set. */
struct exec_cred {
	struct cred cred;
	bool secure;          /* AT_SECURE: a set-id program, or capabilities gained */
	bool undumpable;
};
void cred_exec_prepare(struct task *t, struct file *f, struct exec_cred *out);
/* Once the new program is in place (the process is single-threaded). */
void cred_exec_commit(struct task *t, const struct exec_cred *ec);

/* -u/--user for init (user.c): looks spec up in the sandbox's /etc/passwd
 * and /etc/group and sets the process's credentials; if *envp has no HOME,
 * it is replaced by a new array (never freed: init's) with the user's.
 * -ENOENT or -EINVAL (logged) for an unknown user or group. */
int user_setup_init(struct task *t, const char *spec, char ***envp);

/* --- limits and usage (limits.c, rusage.c) --------------------------------- */

/* fork/clone: -EAGAIN when the real user already has RLIMIT_NPROC tasks
 * (root and CAP_SYS_RESOURCE/CAP_SYS_ADMIN are exempt), or the sandbox has
 * opts.max_tasks (everyone, as pids.max). */
int task_check_nproc(struct task *t);
/* The sandbox's tasks, live ones and zombies (which hold their pid until
 * reaped, as pids.max counts them), have reached opts.max_tasks (k->lock
 * held). */
bool task_limit_reached_locked(struct kernel *k);
/* generic_write_checks for a write of *len bytes at pos to a regular file:
 * at or beyond RLIMIT_FSIZE, SIGXFSZ and -EFBIG; else *len is cut to the
 * limit.  Growing a file to size by truncate: the same, without the cut. */
int task_check_fsize(struct task *t, int64_t pos, size_t *len);
int task_check_fsize_truncate(struct task *t, struct inode *inode, int64_t size);

/* CPU time, from the host's accounting of the stubs (the time the sentry
 * spends serving a task is not counted).  k->lock held. */
void task_cputime_locked(struct task *t, struct timespec *user, struct timespec *sys);
void tg_cputime_locked(struct thread_group *tg, struct timespec *user, struct timespec *sys);
/* Adds the time of ctx, a stub of t about to be destroyed (exit, execve),
 * to t's and its process's account. */
void task_account_stub(struct task *t, struct platform_ctx *ctx);

/* --- clone and exec ------------------------------------------------------- */

struct clone_request {
	uint64_t flags;          /* CLONE_* (without the exit signal) */
	int exit_signal;
	uint64_t stack;          /* the child's rsp (0: the parent's) */
	uint64_t parent_tid, child_tid, tls;
};

/* fork/vfork/clone/clone3: returns the child's tid or -errno. */
long task_clone(struct task *t, const struct clone_request *req);

/* execve/execveat: path resolved from dirfd with at_flags (AT_EMPTY_PATH,
 * AT_SYMLINK_NOFOLLOW); name is what the program sees as AT_EXECFN (and
 * scripts as their argument); argv and envp are NULL-terminated arrays in
 * the sentry.  On success the task runs the new program (returns 0). */
long task_execve(struct task *t, int dirfd, const char *path, const char *name,
		 char *const argv[], char *const envp[], int at_flags);

/* --- exit ----------------------------------------------------------------- */

/* Ends the calling thread (exit) or its thread group (exit_group).  The
 * task loop sees it and unwinds; these return to the caller. */
void task_exit_thread(struct task *t, int code);
void task_exit_group(struct task *t, int status);   /* status: wait status */
bool task_should_exit(struct task *t);
/* Final teardown of the task after its loop ended. */
void task_exit_final(struct task *t);

/* wait4/waitid: idtype P_ALL, P_PID or P_PGID (id 0: the caller's group);
 * options as waitid's (WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT,
 * __WALL, __WCLONE).  Returns the pid, 0 (WNOHANG, nothing yet), -ECHILD or
 * -ERESTARTSYS. */
struct wait_request {
	int idtype;
	pid_t id;
	int options;
};

struct wait_result {
	pid_t pid;
	uid_t uid;
	int code;          /* CLD_EXITED, CLD_KILLED, CLD_STOPPED... */
	int status;        /* exit status or signal */
	int wstatus;       /* as wait4 reports it */
	struct timespec utime, stime;
};

int task_wait(struct task *t, const struct wait_request *req, struct wait_result *res);

/* --- futexes (futex.c) ------------------------------------------------------ */

/* Sleeps while the 32-bit word at addr holds val (until the absolute
 * CLOCK_MONOTONIC deadline, if any). 0, -EAGAIN, -ETIMEDOUT, -ERESTARTSYS.
 * private: the word is known to be private to the address space
 * (FUTEX_PRIVATE_FLAG); otherwise a word in shared memory is found by the
 * mapped object, across processes. */
long futex_wait_key(struct task *t, uint64_t addr, bool private, uint32_t val,
		    const struct timespec *deadline, uint32_t bitset);
long futex_wait(struct task *t, uint64_t addr, uint32_t val, const struct timespec *deadline,
		uint32_t bitset);
/* Wakes up to n waiters (bitset-matching); returns how many. */
long futex_wake_key(struct task *t, uint64_t addr, bool private, int n, uint32_t bitset);
int futex_wake_address(struct task *t, uint64_t addr, int n);
int futex_wake_bitset(struct task *t, uint64_t addr, int n, uint32_t bitset);
/* FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (cmpval non-NULL): wakes nr_wake on
 * addr, moves up to nr_requeue others to addr2; returns woken + moved. */
long futex_requeue(struct task *t, uint64_t addr, uint64_t addr2, bool private, int nr_wake,
		   int nr_requeue, const uint32_t *cmpval);
/* FUTEX_WAKE_OP with the operation encoded as Linux does in val3. */
long futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, bool private, int nr_wake,
		   int nr_wake2, uint32_t encoded);

/* --- signals (task_signals.c) ---------------------------------------------- */

/* Sends a signal to a thread group / a thread (info may be NULL: SI_USER
 * from the kernel). Caller holds k->lock. Returns 0 or -errno. */
int send_signal_tg_locked(struct thread_group *tg, int sig, const siginfo_t *info);
int send_signal_task_locked(struct task *t, int sig, const siginfo_t *info);
/* Sends sig to the calling task (SIGPIPE from a write, SIGSYS...). */
void task_send_signal_self(struct task *t, int sig);
/* True if the task has an unblocked pending signal or must exit. */
bool task_signal_pending(struct task *t);
/* Called by the task loop before returning to guest code: waits while the
 * process is stopped, delivers pending signals (building handler frames, or
 * taking default actions) and handles syscall restart.  True when the task
 * must exit instead. */
bool task_deliver_signals(struct task *t);
/* The task's I/O bounce buffer, at least size bytes (NULL: no memory). */
void *task_io_buffer(struct task *t, size_t size);
/* A fault from the platform becomes a forced synchronous signal. */
void task_force_fault_signal(struct task *t, const siginfo_t *info);
/* The same for a signal the kernel raises with its own siginfo (seccomp's
 * SIGSYS): unblocked and back to SIG_DFL if blocked or ignored. */
void task_force_signal_info(struct task *t, const siginfo_t *info);
/* Syscall restart: how the last syscall ended (-ERESTARTSYS etc.). */
void task_set_syscall_result(struct task *t, long ret);
/* rt_sigreturn: restores the frame at the guest's stack; returns the
 * restored rax (or never returns to the guest if the frame is bad). */
long task_sigreturn(struct task *t);

/* The syscalls' view of signal state (all take k->lock themselves). */
int task_sigaction(struct task *t, int sig, const struct guest_sigaction *act,
		   struct guest_sigaction *old);
/* how: SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK; set may be NULL. */
int task_sigprocmask(struct task *t, int how, const sigmask_t *set, sigmask_t *old);
sigmask_t task_sigpending(struct task *t);
/* kill(2) semantics: pid > 0, 0 (own group), -1 (all), < -1 (group). */
int kill_pid(struct task *t, pid_t pid, int sig);
/* tgkill/tkill (tgid 0: any process) with SI_TKILL, or with info for
 * rt_sigqueueinfo and rt_tgsigqueueinfo. */
int kill_thread(struct task *t, pid_t tgid, pid_t tid, int sig, const siginfo_t *info);
int kill_process_info(struct task *t, pid_t pid, int sig, const siginfo_t *info);
/* Takes one pending signal in set (for rt_sigtimedwait); 0 if none. */
int task_dequeue_signal(struct task *t, sigmask_t set, siginfo_t *info);

/* Kernel-internal errnos for syscall restart (Linux's values). */
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516

/* --- time ------------------------------------------------------------------ */

struct timespec ts_now(clockid_t clock);
struct timespec ts_add(struct timespec a, struct timespec b);
struct timespec ts_sub(struct timespec a, struct timespec b);
int ts_cmp(struct timespec a, struct timespec b);

/* --- timers (ktimer.c, ptimer.c) ---------------------------------------------
 * The timer service: one thread per kernel sleeps until the next expiry and
 * runs the expired timers' callbacks, one at a time, with no lock held.
 * Expiries are kept on CLOCK_MONOTONIC; an absolute CLOCK_REALTIME timer is
 * converted when armed, and again when the realtime clock moves against the
 * monotonic one.
 *
 * ktimer_arm, ktimer_cancel and ktimer_destroy wait for a running callback of
 * the same timer (except when called from it): never call them holding a
 * lock that callback takes (k->lock, for callbacks that send signals). */

struct ktimer_base;

struct ktimer {
	struct list_head node;         /* in the service's queue while armed */
	struct ktimer_base *base;
	/* Runs on the service thread; expirations >= 1 (more when periods
	 * passed unseen).  NULL: a passive timer, never queued, whose setting
	 * ktimer_get still reports (SIGEV_NONE). */
	void (*fn)(struct ktimer *kt, uint64_t expirations);
	/* Under the service's lock: */
	int64_t expires;               /* next expiry, CLOCK_MONOTONIC ns */
	int64_t when;                  /* when to run it (>= expires: throttled) */
	int64_t interval;              /* period in ns; 0: once */
	int64_t rt_expires;            /* realtime_abs: the expiry on CLOCK_REALTIME */
	bool realtime_abs;
	bool armed;
	void (*release)(struct ktimer *kt);   /* ktimer_destroy of a running timer */
};

/* kernel_new: the (not yet started) service of k.  0 or -ENOMEM. */
int ktimer_base_new(struct kernel *k);
void ktimer_init(struct ktimer *kt, struct kernel *k, void (*fn)(struct ktimer *kt, uint64_t n));
/* Arms kt, replacing any setting: first expiry value from now on clock
 * (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME...), or at value on that
 * clock if abs, then every interval (0: once).  Starts the service thread on
 * first use.  0 or -errno. */
int ktimer_arm(struct ktimer *kt, clockid_t clock, struct timespec value, bool abs,
	       struct timespec interval);
/* Disarms kt; when it returns the callback is not running (unless this is
 * called from it) and will not run again until kt is armed again. */
void ktimer_cancel(struct ktimer *kt);
/* Disarms kt and calls release(kt) once its callback is not running: at
 * once, or on the service thread right after the callback.  Never waits. */
void ktimer_destroy(struct ktimer *kt, void (*release)(struct ktimer *kt));
/* The time to the next expiry and the period; false (and zeros) if kt is
 * disarmed.  An expiry that is due but not yet run reads as 1 ns. */
bool ktimer_get(struct ktimer *kt, struct timespec *left, struct timespec *interval);

/* Process timers (ptimer.c): the interval timers (ITIMER_REAL/VIRTUAL/PROF,
 * alarm) and POSIX timers of a thread group.  Times are timespecs; the
 * syscalls convert and validate guest values. */

/* The guest's struct sigevent (x86-64). */
struct guest_sigevent {
	uint64_t value;                /* union sigval */
	int32_t signo;
	int32_t notify;                /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_THREAD_ID */
	int32_t tid;                   /* SIGEV_THREAD_ID */
	int32_t pad[11];
};

int itimer_set(struct task *t, int which, const struct itimerspec *value,
	       struct itimerspec *old);
int itimer_get(struct task *t, int which, struct itimerspec *cur);
/* ev NULL: SIGEV_SIGNAL with SIGALRM and the timer id as value.  Returns
 * the new timer id or -errno. */
int ptimer_create(struct task *t, clockid_t clock, const struct guest_sigevent *ev);
int ptimer_settime(struct task *t, int id, int flags, const struct itimerspec *value,
		   struct itimerspec *old);
int ptimer_gettime(struct task *t, int id, struct itimerspec *cur);
int ptimer_getoverrun(struct task *t, int id);
int ptimer_delete(struct task *t, int id);
/* The CPU time of a task's thread or process (CLOCK_*_CPUTIME_ID, or a
 * clock_getcpuclockid() clock of the caller's process). */
int task_cpu_clock(struct task *t, clockid_t clock, struct timespec *ts);
/* execve: the POSIX timers go (interval timers stay). */
void ptimers_exec(struct task *t);
/* After a thread has exited (no lock held): the process's timers go with
 * its last thread. */
void ptimers_exit(struct task *t);

#endif
