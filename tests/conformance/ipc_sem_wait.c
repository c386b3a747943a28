/* System V semaphores that wait: a blocked semop is counted by GETNCNT
 * (or GETZCNT) and woken when the value allows it; semtimedop times out
 * with EAGAIN; a signal interrupts with EINTR (never restarted); removing
 * the set wakes waiters with EIDRM; SEM_UNDO adjustments are applied when
 * a process exits. */
#include "check.h"

#include <sys/sem.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static void on_alarm(int sig)
{
    (void)sig;
}

/* Waits (a little at a time) until GETNCNT or GETZCNT says n. */
static void wait_count(int id, int num, int cmd, int n)
{
    for (int i = 0; i < 500 && semctl(id, num, cmd) != n; i++)
        sleep_ms(10);
    CHECK_EQ(semctl(id, num, cmd), n);
}

int main(void)
{
    int id = CHECK_OK(semget(IPC_PRIVATE, 2, 0600));

    /* Two children wait to decrement, one waits for zero. */
    pid_t dec[2], zero;
    for (int i = 0; i < 2; i++) {
        dec[i] = CHECK_OK(fork());
        if (dec[i] == 0) {
            struct sembuf op = { 0, -1, 0 };
            CHECK_OK(semop(id, &op, 1));
            _exit(0);
        }
    }
    CHECK_OK(semctl(id, 1, SETVAL, (union semun){ .val = 1 }));
    zero = CHECK_OK(fork());
    if (zero == 0) {
        struct sembuf op = { 1, 0, 0 };
        CHECK_OK(semop(id, &op, 1));
        _exit(0);
    }
    wait_count(id, 0, GETNCNT, 2);
    wait_count(id, 1, GETZCNT, 1);
    CHECK_EQ(semctl(id, 1, GETNCNT), 0);
    CHECK_EQ(semctl(id, 0, GETZCNT), 0);

    /* One increment lets exactly one through. */
    struct sembuf up = { 0, 1, 0 };
    CHECK_OK(semop(id, &up, 1));
    wait_count(id, 0, GETNCNT, 1);
    int st;
    pid_t first = wait(&st);
    CHECK(first == dec[0] || first == dec[1]);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(semop(id, &up, 1));
    CHECK_CHILD_EXIT(first == dec[0] ? dec[1] : dec[0], 0);
    CHECK_EQ(semctl(id, 0, GETVAL), 0);
    CHECK_EQ(semctl(id, 0, GETPID), first == dec[0] ? dec[1] : dec[0]);
    /* Bringing semaphore 1 to zero releases the zero waiter. */
    struct sembuf down1 = { 1, -1, 0 };
    CHECK_OK(semop(id, &down1, 1));
    CHECK_CHILD_EXIT(zero, 0);

    /* semtimedop times out with EAGAIN. */
    struct sembuf down = { 0, -1, 0 };
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    long long t0 = now_ns();
    CHECK_ERR(semtimedop(id, &down, 1, &ts), EAGAIN);
    CHECK(now_ns() - t0 >= 90 * 1000 * 1000LL);
    ts.tv_nsec = 2000000000L;
    CHECK_ERR(semtimedop(id, &down, 1, &ts), EINVAL);

    /* A signal interrupts semop with EINTR, even with SA_RESTART. */
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    alarm(1);
    CHECK_ERR(semop(id, &down, 1), EINTR);
    CHECK_EQ(semctl(id, 0, GETNCNT), 0);

    /* SEM_UNDO: a process's adjustments are reverted when it exits. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sembuf ops[2] = { { 0, 5, SEM_UNDO }, { 1, 2, 0 } };
        CHECK_OK(semop(id, ops, 2));
        struct sembuf take = { 0, -2, SEM_UNDO };
        CHECK_OK(semop(id, &take, 1));
        _exit(0);   /* undo: -5 + 2 on semaphore 0 */
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(semctl(id, 0, GETVAL), 0);
    CHECK_EQ(semctl(id, 1, GETVAL), 2);   /* that one had no SEM_UNDO */
    /* An undo that would go below zero stops at zero. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sembuf op = { 1, 3, SEM_UNDO };
        CHECK_OK(semop(id, &op, 1));
        struct sembuf ready = { 0, 1, 0 };
        CHECK_OK(semop(id, &ready, 1));
        pause();
        _exit(0);
    }
    CHECK_OK(semop(id, &down, 1));   /* the child is ready */
    CHECK_EQ(semctl(id, 1, GETVAL), 5);
    struct sembuf take4 = { 1, -4, 0 };
    CHECK_OK(semop(id, &take4, 1));
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    CHECK_EQ(semctl(id, 1, GETVAL), 0);
    /* SETVAL clears the adjustments of everyone. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sembuf op = { 1, 1, SEM_UNDO };
        CHECK_OK(semop(id, &op, 1));
        CHECK_OK(semctl(id, 1, SETVAL, (union semun){ .val = 7 }));
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(semctl(id, 1, GETVAL), 7);

    /* Removing the set wakes its waiters with EIDRM. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_ERR(semop(id, &down, 1), EIDRM);
        _exit(0);
    }
    wait_count(id, 0, GETNCNT, 1);
    CHECK_OK(semctl(id, 0, IPC_RMID));
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
