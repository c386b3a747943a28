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

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>

#include "common/list.h"
#include "platform/platform.h"
#include "sentry/vfs/vfs.h"

struct mm;
struct task;
struct thread_group;
struct gofer_client;

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
};

void waitq_init(struct waitq *q);
void waitq_add(struct waitq *q, struct waitq_entry *e, struct task *t, unsigned events);
void waitq_add_callback(struct waitq *q, struct waitq_entry *e, unsigned events,
			void (*func)(struct waitq_entry *e, unsigned events), void *priv);
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
};

void poll_table_init(struct poll_table *pt, struct task *t);
void poll_table_free(struct poll_table *pt);   /* unregisters everything */
void poll_wait(struct poll_table *pt, struct waitq *q, unsigned events);
void poll_wait_hostfd(struct poll_table *pt, int fd, short events);

/* --- credentials ----------------------------------------------------------- */

struct cred {
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	int ngroups;
	gid_t groups[32];
};

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
struct ksiginfo {
	struct list_head node;
	siginfo_t info;
};

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
	/* getrusage */
	struct timespec utime, stime;
	/* Interval timers and POSIX timers (ptimer.c; NULL until the first
	 * use, freed when the last thread has exited). */
	struct tg_timers *timers;
	/* execve in a multithreaded process: the exec'ing thread waits for the
	 * others to go. */
	struct task *exec_waiter;
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

	/* Signals (under k->lock). */
	sigmask_t blocked;
	sigmask_t saved_blocked;       /* restored after sigsuspend/ppoll/pselect */
	bool restore_blocked;
	struct sigpending pending;
	stack_t altstack;

	uint64_t clear_child_tid;
	uint64_t robust_list, robust_list_len;
	char comm[16];
	int exit_code;                 /* this thread's exit(2) status */

	bool exiting;                  /* leave the task loop */
	sigmask_t forced;              /* fault signals that even init must take */
	long syscall_ret;              /* result of the last syscall, for restart */
	bool syscall_done;             /* ...which task_deliver_signals has not seen */
	/* Syscall being served (for restart and --strace). */
	long syscall_nr;
	uint64_t syscall_args[6];
	char *strace_line;             /* --strace: the line being built */
	/* How restart_syscall(2) resumes a call that returned
	 * -ERESTART_RESTARTBLOCK (nanosleep...). */
	struct restart_block restart;
};

/* What `sentry run` asked for; read-only once the kernel runs. */
struct kernel_options {
	bool strace;
	bool report_unimplemented;
	const char *hostname;
};

struct kernel {
	pthread_mutex_t lock;
	const struct platform_ops *platform;
	struct kernel_options opts;
	struct gofer_client *gofer;
	struct mount_table *mounts;
	struct path root;              /* the sandbox's "/" */

	/* pid table: index = pid. */
	struct task **tasks;           /* by tid */
	struct thread_group **groups;  /* by tgid (leader's tid) */
	pid_t next_pid;
	int nr_tasks;

	struct thread_group *init;
	struct timespec boot_time;     /* CLOCK_REALTIME at start */
	struct timespec boot_mono;     /* CLOCK_MONOTONIC at start */
	struct utsname uts;

	/* The run ends when init is reaped: its wait status. */
	bool finished;
	int init_status;
	pthread_cond_t finished_cond;

	/* Host fds of the user's stdin/stdout/stderr. */
	int host_stdio[3];

	/* The timer service (ktimer.c). */
	struct ktimer_base *timers;

	/* syscall numbers the guest called without an implementation */
	atomic_ulong unimplemented[512];
};

/* --- booting ----------------------------------------------------------------- */

struct sandbox_mount {
	const char *host;        /* host directory */
	const char *guest;       /* absolute path in the sandbox */
	bool readonly;
};

/* Everything `sentry run` asked for. */
struct sandbox_config {
	const char *platform;    /* "ptrace" */
	const char *rootfs;      /* host directory of the read-only lower layer */
	struct sandbox_mount *mounts;
	size_t nmounts;
	const char *cwd;         /* in the sandbox; "/" by default */
	char **argv;             /* the command */
	char **envp;
	uid_t uid;
	gid_t gid;
	/* Which of the caller's fds 0-2 were closed: they stay closed for the
	 * guest (the sentry put /dev/null there so that none of its own fds
	 * could take those numbers). */
	bool stdio_closed[3];
	struct kernel_options opts;
};

/* Boots the sandbox in the calling process (which must still be single-
 * threaded), runs the command as pid 1 and returns its wait status, or a
 * negative errno if the sandbox could not start.  A command that cannot be
 * executed yields an exit status of 127 (not found) or 126. */
int kernel_run(const struct sandbox_config *cfg);
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

/* fs_context */
struct fs_context *fs_context_new(const struct path *root, const struct path *cwd);
struct fs_context *fs_context_copy(struct fs_context *src);
void fs_context_put(struct fs_context *fs);

/* The root/cwd a walk of a path given relative to dirfd starts from. */
int task_walk_root(struct task *t, int dirfd, const char *path, struct walk_root *out);
void walk_root_put(struct walk_root *w);

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
/* Called by the task loop before returning to guest code: delivers pending
 * signals (building handler frames, or taking default actions), and
 * handles syscall restart for a syscall that returned ret. */
void task_deliver_signals(struct task *t);
/* A fault from the platform becomes a forced synchronous signal. */
void task_force_fault_signal(struct task *t, const siginfo_t *info);
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

#endif
