/* System V semaphores without waiting: semget, semctl (SETVAL, GETVAL,
 * SETALL, GETALL, GETPID, IPC_STAT, IPC_SET, IPC_RMID), semop's atomic
 * multi-operation semantics, IPC_NOWAIT, and the error cases. */
#include "check.h"

#include <sys/sem.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

int main(void)
{
    int id = CHECK_OK(semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
    struct semid_ds ds;
    CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    CHECK_EQ(ds.sem_nsems, 3);
    CHECK_EQ(ds.sem_perm.mode & 0777, 0600);
    CHECK_EQ(ds.sem_otime, 0);
    CHECK_NE(ds.sem_ctime, 0);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(semctl(id, i, GETVAL), 0);

    CHECK_OK(semctl(id, 1, SETVAL, (union semun){ .val = 5 }));
    CHECK_EQ(semctl(id, 1, GETVAL), 5);
    CHECK_EQ(semctl(id, 1, GETPID), getpid());
    unsigned short vals[3] = { 1, 2, 3 };
    CHECK_OK(semctl(id, 0, SETALL, (union semun){ .array = vals }));
    unsigned short got[3] = { 0 };
    CHECK_OK(semctl(id, 0, GETALL, (union semun){ .array = got }));
    CHECK_EQ(got[0], 1);
    CHECK_EQ(got[1], 2);
    CHECK_EQ(got[2], 3);

    /* Several operations happen all together or not at all. */
    struct sembuf ops[3] = { { 0, -1, 0 }, { 1, 2, 0 }, { 2, -3, 0 } };
    CHECK_OK(semop(id, ops, 3));
    CHECK_EQ(semctl(id, 0, GETVAL), 0);
    CHECK_EQ(semctl(id, 1, GETVAL), 4);
    CHECK_EQ(semctl(id, 2, GETVAL), 0);
    CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    CHECK_NE(ds.sem_otime, 0);
    struct sembuf partial[2] = { { 1, -1, IPC_NOWAIT }, { 0, -1, IPC_NOWAIT } };
    CHECK_ERR(semop(id, partial, 2), EAGAIN);
    CHECK_EQ(semctl(id, 1, GETVAL), 4);   /* the first one was undone */
    /* Waiting for zero succeeds on a zero semaphore at once. */
    struct sembuf zero = { 0, 0, 0 };
    CHECK_OK(semop(id, &zero, 1));
    struct sembuf zero1 = { 1, 0, IPC_NOWAIT };
    CHECK_ERR(semop(id, &zero1, 1), EAGAIN);
    /* The same semaphore twice in one call. */
    struct sembuf twice[2] = { { 1, -3, 0 }, { 1, -1, 0 } };
    CHECK_OK(semop(id, twice, 2));
    CHECK_EQ(semctl(id, 1, GETVAL), 0);

    /* Limits: SEMVMX 32767, operations on semaphores that do not exist,
     * too many operations. */
    CHECK_ERR(semctl(id, 0, SETVAL, (union semun){ .val = 32768 }), ERANGE);
    CHECK_ERR(semctl(id, 0, SETVAL, (union semun){ .val = -1 }), ERANGE);
    CHECK_OK(semctl(id, 0, SETVAL, (union semun){ .val = 32767 }));
    struct sembuf inc = { 0, 1, 0 };
    CHECK_ERR(semop(id, &inc, 1), ERANGE);
    vals[0] = 40000;
    CHECK_ERR(semctl(id, 0, SETALL, (union semun){ .array = vals }), ERANGE);
    struct sembuf bad = { 3, 1, 0 };
    CHECK_ERR(semop(id, &bad, 1), EFBIG);
    CHECK_ERR(semop(id, ops, 0), EINVAL);
    struct sembuf many[501];
    memset(many, 0, sizeof many);
    CHECK_ERR(semop(id, many, 501), E2BIG);
    CHECK_ERR(semop(id, BAD_PTR, 1), EFAULT);
    CHECK_ERR(semctl(id, 3, GETVAL), EINVAL);
    CHECK_ERR(semctl(id, -1, GETVAL), EINVAL);
    CHECK_ERR(semctl(id, 0, 12345), EINVAL);
    CHECK_ERR(semctl(id, 0, GETALL, (union semun){ .array = BAD_PTR }), EFAULT);

    /* semget by key: IPC_EXCL, ENOENT, nsems checks. */
    key_t key = (key_t)(0x5f000000 | (getpid() & 0xffff) << 4 | (time(NULL) & 0xf));
    int k = CHECK_OK(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
    CHECK_ERR(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_EQ(semget(key, 1, 0), k);
    CHECK_EQ(semget(key, 0, 0), k);
    CHECK_ERR(semget(key, 3, 0), EINVAL);
    CHECK_ERR(semget(key ^ 0x1000000, 1, 0), ENOENT);
    CHECK_ERR(semget(IPC_PRIVATE, 0, 0600), EINVAL);
    CHECK_ERR(semget(IPC_PRIVATE, -1, 0600), EINVAL);
    CHECK_ERR(semget(IPC_PRIVATE, 100000, 0600), EINVAL);

    /* IPC_SET and IPC_RMID. */
    CHECK_OK(semctl(k, 0, IPC_STAT, (union semun){ .buf = &ds }));
    ds.sem_perm.mode = 0640;
    CHECK_OK(semctl(k, 0, IPC_SET, (union semun){ .buf = &ds }));
    CHECK_OK(semctl(k, 0, IPC_STAT, (union semun){ .buf = &ds }));
    CHECK_EQ(ds.sem_perm.mode & 0777, 0640);
    CHECK_EQ(ds.sem_perm.__key, key);
    CHECK_OK(semctl(k, 0, IPC_RMID));
    CHECK_ERR(semget(key, 0, 0), ENOENT);
    CHECK_ERR(semctl(k, 0, GETVAL), EINVAL);
    CHECK_ERR(semop(k, &inc, 1), EINVAL);
    CHECK_OK(semctl(id, 0, IPC_RMID));
    return 0;
}
