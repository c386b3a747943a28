/* System V shared memory by key: IPC_CREAT, IPC_EXCL, ENOENT, size
 * checks, IPC_SET, and an unrelated process (a fresh exec) finding the
 * segment by key and seeing the same memory. */
#include "check.h"

#include <sys/shm.h>

int main(int argc, char **argv)
{
    if (argc == 3) {
        /* The exec'd helper: find the segment by key, write to it. */
        key_t key = (key_t)strtol(argv[2], NULL, 0);
        int id = CHECK_OK(shmget(key, 0, 0));
        char *p = shmat(id, NULL, 0);
        CHECK(p != (void *)-1);
        CHECK_STREQ(p, "parent");
        strcpy(p, "helper");
        return 0;
    }
    key_t key = (key_t)(0x5e000000 | (getpid() & 0xffff) << 4 | (time(NULL) & 0xf));
    int id = CHECK_OK(shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0640));
    CHECK_ERR(shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0640), EEXIST);
    CHECK_EQ(shmget(key, 8192, IPC_CREAT | 0640), id);
    CHECK_EQ(shmget(key, 100, 0), id);
    CHECK_EQ(shmget(key, 0, 0), id);
    CHECK_ERR(shmget(key, 8193, 0), EINVAL);   /* bigger than the segment */
    CHECK_ERR(shmget(key ^ 0x1000000, 4096, 0), ENOENT);
    /* Two IPC_PRIVATE segments are never the same. */
    int p1 = CHECK_OK(shmget(IPC_PRIVATE, 4096, 0600));
    int p2 = CHECK_OK(shmget(IPC_PRIVATE, 4096, 0600));
    CHECK_NE(p1, p2);
    CHECK_OK(shmctl(p1, IPC_RMID, NULL));
    CHECK_OK(shmctl(p2, IPC_RMID, NULL));

    struct shmid_ds ds;
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.shm_perm.__key, key);
    CHECK_EQ(ds.shm_perm.mode & 0777, 0640);
    time_t ctime0 = ds.shm_ctime;
    CHECK_NE(ctime0, 0);

    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    strcpy(p, "parent");

    /* A new program finds it by key and writes to it. */
    char keystr[32];
    snprintf(keystr, sizeof keystr, "%#x", (unsigned)key);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        execl(self_path(argv), argv[0], "helper", keystr, (char *)NULL);
        _exit(127);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_STREQ(p, "helper");
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.shm_nattch, 1);   /* the helper's attach went with it */
    CHECK_EQ(ds.shm_lpid, pid);

    /* IPC_SET changes the mode bits (and only those of the mode). */
    ds.shm_perm.mode = 0604;
    CHECK_OK(shmctl(id, IPC_SET, &ds));
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.shm_perm.mode & 0777, 0604);
    CHECK_ERR(shmctl(id, IPC_SET, BAD_PTR), EFAULT);

    /* Removed: the key is free again at once, the attach still works. */
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    CHECK_ERR(shmget(key, 0, 0), ENOENT);
    int id2 = CHECK_OK(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
    CHECK_NE(id2, id);
    CHECK_STREQ(p, "helper");
    CHECK_OK(shmdt(p));
    CHECK_OK(shmctl(id2, IPC_RMID, NULL));
    return 0;
}
