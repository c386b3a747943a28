/* fork, vfork and clone (kernel/fork.c is the reference). */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/container.h"
#include "sentry/kernel/internal.h"
#include "sentry/mm/mm.h"

#define NAMESPACE_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)
#define SUPPORTED_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PTRACE | \
			 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM |       \
			 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |       \
			 CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO)

struct clone_start {
	struct task *task;
	struct platform_handoff handoff;
	uint64_t child_settid;
};

static int check_flags(uint64_t flags)
{
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_NEWNS) && (flags & CLONE_FS))
		return -EINVAL;
	if (flags & NAMESPACE_FLAGS)
		return -EPERM;   /* the sandbox is one set of namespaces */
	if (flags & ~(uint64_t)(SUPPORTED_FLAGS | NAMESPACE_FLAGS))
		return -EINVAL;
	return 0;
}

static void *child_main(void *arg)
{
	struct clone_start *cs = arg;
	struct task *t = cs->task;
	struct platform_ctx *ctx = NULL;
	int err = t->platform->adopt(&cs->handoff, &ctx);
	pthread_mutex_lock(&t->k->lock);
	t->ctx = ctx;
	pthread_mutex_unlock(&t->k->lock);
	if (err < 0) {
		log_warn("task %d: could not start: %s", t->tid, strerror(-err));
		task_exit_group(t, SIGKILL);
	} else if (cs->child_settid) {
		pid_t tid = t->tid;
		copy_to_user(t, cs->child_settid, &tid, sizeof tid);
	}
	free(cs);
	task_run(t);
	return NULL;
}

static struct sighand *sighand_copy(struct sighand *src)
{
	struct sighand *sh = malloc(sizeof *sh);
	if (!sh)
		return NULL;
	memcpy(sh->action, src->action, sizeof sh->action);
	atomic_init(&sh->refcount, 1);
	return sh;
}

static struct thread_group *tg_new_child(struct task *t, const struct clone_request *req,
					 struct sighand *sh)
{
	struct thread_group *parent = t->tg;
	struct thread_group *tg = calloc(1, sizeof *tg);
	if (!tg)
		return NULL;
	atomic_init(&tg->refcount, 1);
	tg->k = t->k;
	list_init(&tg->children);
	list_init(&tg->sibling);
	list_init(&tg->threads);
	sigpending_init(&tg->shared_pending);
	waitq_init(&tg->child_wq);
	waitq_init(&tg->signal_wq);
	tg->sighand = sh;
	tg->exit_signal = req->exit_signal;
	tg->pgid = parent->pgid;
	tg->sid = parent->sid;
	tty_fork_locked(tg, parent);   /* the controlling terminal */
	tg->cred = parent->cred;
	tg->undumpable = parent->undumpable;
	memcpy(tg->rlim, parent->rlim, sizeof tg->rlim);
	tg->seccomp = parent->seccomp;
	tg->start_time = ts_now(CLOCK_MONOTONIC);
	memcpy(tg->comm, parent->comm, sizeof tg->comm);
	tg->exe = parent->exe;
	path_get(&tg->exe);
	if (tg->exe.dentry)
		atomic_fetch_sub(&tg->exe.dentry->inode->writecount, 1);   /* one more user */
	return tg;
}

/* Releases what task_clone set up when the child cannot be started. */
static void undo_task(struct task *nt)
{
	mm_put(nt->mm);
	fdtable_put(nt->files);
	fs_context_put(nt->fs);
	nt->mm = NULL;
	nt->files = NULL;
	nt->fs = NULL;
}

long task_clone(struct task *t, const struct clone_request *req)
{
	uint64_t flags = req->flags;
	int err = check_flags(flags);
	if (err < 0)
		return err;
	if (req->exit_signal < 0 || req->exit_signal > GUEST_NSIG)
		return -EINVAL;
	if ((err = task_check_nproc(t)) < 0)
		return err;
	/* copy_thread's ARCH_SET_FS: the base must be a user address. */
	if ((flags & CLONE_SETTLS) && req->tls >= GUEST_TASK_SIZE)
		return -EPERM;
	struct kernel *k = t->k;

	struct task *nt = task_alloc(k);
	if (!nt)
		return -EAGAIN;
	pthread_mutex_lock(&k->lock);
	nt->blocked = t->blocked;
	nt->affinity = t->affinity;
	nt->sched_policy = t->sched_policy;
	nt->sched_priority = t->sched_priority;
	if (!(flags & CLONE_VM) || (flags & CLONE_VFORK))
		nt->altstack = t->altstack;
	pthread_mutex_unlock(&k->lock);
	memcpy(nt->comm, t->comm, sizeof nt->comm);
	nt->no_new_privs = t->no_new_privs;

	if (flags & CLONE_VM) {
		mm_get(t->mm);
		nt->mm = t->mm;
	} else {
		nt->mm = mm_copy(t->mm);
	}
	if (flags & CLONE_FILES) {
		fdtable_get(t->files);
		nt->files = t->files;
	} else {
		nt->files = fdtable_copy(t->files);
	}
	if (flags & CLONE_FS) {
		atomic_fetch_add(&t->fs->refcount, 1);
		nt->fs = t->fs;
	} else {
		nt->fs = fs_context_copy(t->fs);
	}
	struct sighand *sh = NULL;
	if (!(flags & CLONE_SIGHAND)) {
		pthread_mutex_lock(&k->lock);
		sh = sighand_copy(t->tg->sighand);
		pthread_mutex_unlock(&k->lock);
	}
	struct clone_start *cs = calloc(1, sizeof *cs);
	if (!nt->mm || !nt->files || !nt->fs || (!(flags & CLONE_SIGHAND) && !sh) || !cs) {
		free(cs);
		free(sh);
		undo_task(nt);
		task_put(nt);
		return -ENOMEM;
	}

	/* The host thread: in the same address space or in a copy of it. */
	err = t->platform->clone(t->ctx, flags & CLONE_VM, &cs->handoff);
	if (err < 0) {
		log_debug("task %d: the platform's clone failed: %s", t->tid, strerror(-err));
		free(cs);
		free(sh);
		undo_task(nt);
		task_put(nt);
		return err == -ENOMEM ? -ENOMEM : -EAGAIN;
	}
	struct user_regs_struct *r = &cs->handoff.regs;
	r->rax = 0;
	r->orig_rax = (uint64_t)-1;
	if (req->stack)
		r->rsp = req->stack;
	if (flags & CLONE_SETTLS)
		r->fs_base = req->tls;

	pthread_mutex_lock(&k->lock);
	/* --pids: checked again here, where the count changes (clones race). */
	pid_t pid = t->tg->group_exiting ? -EINTR
		    : task_limit_reached_locked(k) ? -EAGAIN : kernel_alloc_pid(k);
	struct thread_group *tg = NULL;
	if (pid > 0 && (flags & CLONE_THREAD)) {
		tg = t->tg;
		tg_get(tg);
	} else if (pid > 0) {
		if (flags & CLONE_SIGHAND) {
			sh = t->tg->sighand;
			atomic_fetch_add(&sh->refcount, 1);
		}
		tg = tg_new_child(t, req, sh);
		if (tg) {
			sh = NULL;
			tg->tgid = pid;
			tg->creator_tid = t->tid;
			struct thread_group *parent =
				(flags & CLONE_PARENT) && t->tg->parent ? t->tg->parent : t->tg;
			tg->parent = parent;
			list_add_tail(&tg->sibling, &parent->children);
			tg_get(tg);
			k->groups[pid] = tg;
			container_fork_locked(t->tg, tg);   /* a pod container's: its too */
		} else if (flags & CLONE_SIGHAND) {
			atomic_fetch_sub(&sh->refcount, 1);
			sh = NULL;
		}
	}
	if (!tg) {
		pthread_mutex_unlock(&k->lock);
		t->platform->abandon(&cs->handoff);
		free(cs);
		free(sh);
		undo_task(nt);
		task_put(nt);
		return pid < 0 ? pid : -ENOMEM;
	}
	nt->tid = pid;
	nt->tg = tg;
	nt->state = TASK_RUNNING;
	list_add_tail(&nt->tg_node, &tg->threads);
	tg->nr_threads++;
	k->tasks[pid] = nt;
	k->nr_tasks++;
	if (flags & CLONE_VFORK) {
		tg->vfork_waiter = t;
		tg->vfork_done = false;
		/* The parent's own hold for its wait below: another of its
		 * threads may reap the child meanwhile (found by the syscall
		 * fuzzer: a use after free). */
		tg_get(tg);
	}
	pthread_mutex_unlock(&k->lock);
	free(sh);

	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(t, req->parent_tid, &pid, sizeof pid);
	if (flags & CLONE_CHILD_CLEARTID)
		nt->clear_child_tid = req->child_tid;
	if (flags & CLONE_CHILD_SETTID)
		cs->child_settid = req->child_tid;
	cs->task = nt;
	err = task_start_thread(nt, child_main, cs);
	if (err < 0) {
		/* The task is in the tables: end it as if it had been killed. */
		t->platform->abandon(&cs->handoff);
		free(cs);
		pthread_mutex_lock(&k->lock);
		exit_group_locked(tg, SIGKILL, NULL);
		if (flags & CLONE_VFORK)
			tg->vfork_waiter = NULL;
		pthread_mutex_unlock(&k->lock);
		task_exit_final(nt);
		if (flags & CLONE_VFORK)
			tg_put(tg);
		return -EAGAIN;
	}

	if (flags & CLONE_VFORK) {
		/* The parent sleeps until the child execs or exits (killable). */
		for (;;) {
			pthread_mutex_lock(&k->lock);
			bool done = tg->vfork_done || t->tg->group_exiting;
			if (done)
				tg->vfork_waiter = NULL;
			pthread_mutex_unlock(&k->lock);
			if (done)
				break;
			task_block_uninterruptible(t, NULL);
		}
		tg_put(tg);
	}
	return pid;
}

void vfork_release_locked(struct thread_group *tg)
{
	if (tg->vfork_waiter && !tg->vfork_done) {
		tg->vfork_done = true;
		task_wake(tg->vfork_waiter);
	}
}
