/* System V shared memory: shmget/shmat/shmdt/shmctl.  Segments are zero
 * filled, shared by every attach (in this process and forked children),
 * counted in shm_nattch; IPC_RMID waits for the last detach; SHM_RDONLY
 * attaches cannot be written; addresses are checked and SHM_RND rounds. */
#include "check.h"

#include <sys/mman.h>
#include <sys/shm.h>

int main(void)
{
    int id = CHECK_OK(shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600));
    struct shmid_ds ds;
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.shm_segsz, 10000);
    CHECK_EQ(ds.shm_nattch, 0);
    CHECK_EQ(ds.shm_cpid, getpid());
    CHECK_EQ(ds.shm_perm.mode & 0777, 0600);
    CHECK_EQ(ds.shm_perm.uid, geteuid());
    CHECK_EQ(ds.shm_perm.cuid, geteuid());
    CHECK_EQ(ds.shm_atime, 0);

    char *a = shmat(id, NULL, 0);
    CHECK(a != (void *)-1);
    CHECK_EQ((uintptr_t)a % 4096, 0);
    for (int i = 0; i < 10000; i++)
        CHECK_EQ(a[i], 0);
    char *b = shmat(id, NULL, 0);
    CHECK(b != (void *)-1);
    CHECK(a != b);
    strcpy(a, "shared");
    CHECK_STREQ(b, "shared");
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.shm_nattch, 2);
    CHECK_EQ(ds.shm_lpid, getpid());
    CHECK_NE(ds.shm_atime, 0);

    /* A forked child shares both attaches (and counts them). */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct shmid_ds cds;
        CHECK_OK(shmctl(id, IPC_STAT, &cds));
        CHECK_EQ(cds.shm_nattch, 4);
        strcpy(b + 5000, "from child");
        CHECK_OK(shmdt(a));
        CHECK_OK(shmctl(id, IPC_STAT, &cds));
        CHECK_EQ(cds.shm_nattch, 3);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_STREQ(a + 5000, "from child");
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.shm_nattch, 2);

    /* Read-only attaches: reading works, writing faults. */
    char *ro = shmat(id, NULL, SHM_RDONLY);
    CHECK(ro != (void *)-1);
    CHECK_STREQ(ro, "shared");
    CHECK_EQ(probe_access(ro, 1), SIGSEGV);
    CHECK_ERR(mprotect(ro, 4096, PROT_READ | PROT_WRITE), EACCES);
    CHECK_OK(shmdt(ro));

    /* Attaching at an address: it must be aligned, unless SHM_RND. */
    char *hole = mmap(NULL, 5 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(hole != MAP_FAILED);
    CHECK_OK(munmap(hole, 5 * 4096));
    CHECK(shmat(id, hole + 1, 0) == (void *)-1);
    CHECK_EQ(errno, EINVAL);
    char *at = shmat(id, hole + 100, SHM_RND);
    CHECK(at == hole);
    CHECK_STREQ(at, "shared");
    /* Over an existing mapping only with SHM_REMAP. */
    CHECK(shmat(id, hole, 0) == (void *)-1);
    CHECK_EQ(errno, EINVAL);
    CHECK(shmat(id, hole, SHM_REMAP) == hole);
    CHECK_OK(shmdt(hole));
    CHECK(shmat(id, NULL, SHM_REMAP) == (void *)-1);
    CHECK_EQ(errno, EINVAL);

    /* shmdt: only at the start of an attach. */
    CHECK_ERR(shmdt(a + 4096), EINVAL);
    CHECK_ERR(shmdt(a + 1), EINVAL);
    CHECK_ERR(shmdt(hole), EINVAL);

    /* IPC_RMID with attaches left: marked, keyed private, still there. */
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK(ds.shm_perm.mode & SHM_DEST);
    CHECK_EQ(ds.shm_perm.__key, IPC_PRIVATE);
    CHECK_EQ(ds.shm_nattch, 2);
    strcpy(a, "still");
    CHECK_STREQ(b, "still");
    CHECK_OK(shmdt(a));
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.shm_nattch, 1);
    /* The last detach (here: munmap) destroys it. */
    CHECK_OK(munmap(b, 10000));
    CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
    CHECK(shmat(id, NULL, 0) == (void *)-1);
    CHECK_EQ(errno, EINVAL);

    /* Without attaches, IPC_RMID is immediate. */
    id = CHECK_OK(shmget(IPC_PRIVATE, 4096, 0600));
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
    CHECK_ERR(shmctl(id, IPC_RMID, NULL), EINVAL);

    /* Errors. */
    CHECK_ERR(shmget(IPC_PRIVATE, 0, 0600), EINVAL);
    CHECK_ERR(shmctl(-1, IPC_STAT, &ds), EINVAL);
    CHECK_ERR(shmctl(0x7fff0000, IPC_STAT, &ds), EINVAL);
    id = CHECK_OK(shmget(IPC_PRIVATE, 4096, 0600));
    CHECK_ERR(shmctl(id, 12345, &ds), EINVAL);
    CHECK_ERR(shmctl(id, IPC_STAT, BAD_PTR), EFAULT);
    CHECK(shmat(-1, NULL, 0) == (void *)-1);
    CHECK_EQ(errno, EINVAL);
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    return 0;
}
