/* System V IPC: shmget/shmat/shmdt/shmctl, semget/semop/semtimedop/semctl,
 * msgget/msgsnd/msgrcv/msgctl.  The objects are sentry/kernel/ipc_*.c's;
 * this only unpacks the arguments. */
#include <errno.h>
#include <stdlib.h>
#include <sys/sem.h>

#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

#define SEMOPM_MAX 500

SYSCALL_DEFINE(shmget)
{
	return shm_get(t, (key_t)a0, a1, (int)a2);
}

SYSCALL_DEFINE(shmat)
{
	return shm_attach(t, (int)a0, a1, (int)a2);
}

SYSCALL_DEFINE(shmdt)
{
	return shm_detach(t, a0);
}

SYSCALL_DEFINE(shmctl)
{
	return shm_ctl(t, (int)a0, (int)a1, a2);
}

SYSCALL_DEFINE(semget)
{
	return sem_get(t, (key_t)a0, (int)a1, (int)a2);
}

static long do_semtimedop(struct task *t, int id, uint64_t usops, uint64_t nsops,
			  uint64_t utimeout)
{
	struct timespec ts;
	if (utimeout && copy_from_user(t, &ts, utimeout, sizeof ts) < 0)
		return -EFAULT;
	if (nsops < 1 || id < 0)
		return -EINVAL;
	if (nsops > SEMOPM_MAX)
		return -E2BIG;
	struct sembuf *sops = calloc(nsops, sizeof *sops);
	if (!sops)
		return -ENOMEM;
	long r = copy_from_user(t, sops, usops, nsops * sizeof *sops) < 0 ? -EFAULT : 0;
	if (r == 0)
		r = sem_op(t, id, sops, (unsigned)nsops, utimeout ? &ts : NULL);
	free(sops);
	return r;
}

SYSCALL_DEFINE(semop)
{
	return do_semtimedop(t, (int)a0, a1, a2, 0);
}

SYSCALL_DEFINE(semtimedop)
{
	return do_semtimedop(t, (int)a0, a1, a2, a3);
}

SYSCALL_DEFINE(semctl)
{
	return sem_ctl(t, (int)a0, (int)a1, (int)a2, a3);
}

SYSCALL_DEFINE(msgget)
{
	return msg_get(t, (key_t)a0, (int)a1);
}

SYSCALL_DEFINE(msgsnd)
{
	return msg_snd(t, (int)a0, a1, a2, (int)a3);
}

SYSCALL_DEFINE(msgrcv)
{
	return msg_rcv(t, (int)a0, a1, a2, (long)a3, (int)a4);
}

SYSCALL_DEFINE(msgctl)
{
	return msg_ctl(t, (int)a0, (int)a1, a2);
}
