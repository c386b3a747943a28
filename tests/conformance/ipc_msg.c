/* System V message queues: msgsnd/msgrcv by type (any, equal,
 * MSG_EXCEPT, lowest not above), E2BIG and MSG_NOERROR, a full queue and
 * an empty one (IPC_NOWAIT, or waiting until the other side acts),
 * msgctl IPC_STAT/IPC_SET/IPC_RMID, and waiters woken by removal with
 * EIDRM. */
#include "check.h"

#include <sys/msg.h>

struct m {
    long type;
    char text[64];
};

static void snd(int id, long type, const char *text)
{
    struct m m = { .type = type };
    strcpy(m.text, text);
    CHECK_OK(msgsnd(id, &m, strlen(text) + 1, 0));
}

static long rcv(int id, long type, int flags, char *out)
{
    struct m m;
    ssize_t n = msgrcv(id, &m, sizeof m.text, type, flags);
    if (n < 0)
        return -1;
    strcpy(out, m.text);
    return m.type;
}

int main(void)
{
    int id = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    struct msqid_ds ds;
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.msg_qnum, 0);
    CHECK_EQ(ds.msg_qbytes, 16384);
    CHECK_EQ(ds.msg_perm.mode & 0777, 0600);

    snd(id, 3, "three");
    snd(id, 1, "one");
    snd(id, 2, "two");
    snd(id, 1, "uno");
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.msg_qnum, 4);
    CHECK_EQ(ds.__msg_cbytes, 6 + 4 + 4 + 4);
    CHECK_EQ(ds.msg_lspid, getpid());

    char buf[64];
    CHECK_EQ(rcv(id, 2, 0, buf), 2);             /* first of type 2 */
    CHECK_STREQ(buf, "two");
    CHECK_EQ(rcv(id, -2, 0, buf), 1);            /* lowest type <= 2, first of equals */
    CHECK_STREQ(buf, "one");
    CHECK_EQ(rcv(id, 1, MSG_EXCEPT, buf), 3);    /* first not of type 1 */
    CHECK_STREQ(buf, "three");
    CHECK_EQ(rcv(id, 0, 0, buf), 1);             /* the first one */
    CHECK_STREQ(buf, "uno");
    CHECK_EQ(rcv(id, 0, IPC_NOWAIT, buf), -1);
    CHECK_EQ(errno, ENOMSG);
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.msg_qnum, 0);
    CHECK_EQ(ds.msg_lrpid, getpid());

    /* Too long for the buffer: E2BIG leaves it queued; MSG_NOERROR cuts. */
    snd(id, 5, "a long message");
    struct m small;
    CHECK_ERR(msgrcv(id, &small, 4, 0, 0), E2BIG);
    CHECK_EQ(msgrcv(id, &small, 4, 0, MSG_NOERROR), 4);
    CHECK_MEMEQ(small.text, "a lo", 4);
    CHECK_EQ(small.type, 5);

    /* An empty queue: the receiver waits for a sender. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(100);
        snd(id, 7, "late");
        _exit(0);
    }
    CHECK_EQ(rcv(id, 7, 0, buf), 7);
    CHECK_STREQ(buf, "late");
    CHECK_CHILD_EXIT(pid, 0);

    /* A full queue: EAGAIN without waiting, or wait for a receiver. */
    ds.msg_qbytes = 100;
    CHECK_OK(msgctl(id, IPC_SET, &ds));
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.msg_qbytes, 100);
    struct m big = { .type = 1 };
    CHECK_OK(msgsnd(id, &big, 60, 0));
    CHECK_ERR(msgsnd(id, &big, 60, IPC_NOWAIT), EAGAIN);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(100);
        struct m r;
        CHECK_EQ(msgrcv(id, &r, sizeof r.text, 0, 0), 60);
        _exit(0);
    }
    CHECK_OK(msgsnd(id, &big, 60, 0));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK_EQ(ds.msg_qnum, 1);

    /* Errors. */
    big.type = 0;
    CHECK_ERR(msgsnd(id, &big, 1, 0), EINVAL);
    big.type = 1;
    CHECK_ERR(msgsnd(id, &big, 8193, 0), EINVAL);
    CHECK_ERR(msgsnd(id, BAD_PTR, 1, 0), EFAULT);
    CHECK_ERR(msgsnd(-1, &big, 1, 0), EINVAL);
    CHECK_ERR(msgrcv(-1, &big, 1, 0, 0), EINVAL);
    CHECK_ERR(msgctl(id, 12345, &ds), EINVAL);
    key_t key = (key_t)(0x5d000000 | (getpid() & 0xffff) << 4 | (time(NULL) & 0xf));
    int k = CHECK_OK(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
    CHECK_ERR(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_EQ(msgget(key, 0), k);
    CHECK_ERR(msgget(key ^ 0x1000000, 0), ENOENT);
    CHECK_OK(msgctl(k, IPC_RMID, NULL));
    CHECK_ERR(msgget(key, 0), ENOENT);

    /* Removal wakes a waiting receiver with EIDRM. */
    int ready[2];
    CHECK_OK(pipe(ready));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        struct m r;
        CHECK_EQ(write(ready[1], "r", 1), 1);
        CHECK_ERR(msgrcv(id, &r, sizeof r.text, 42, 0), EIDRM);
        _exit(0);
    }
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    sleep_ms(200);   /* into msgrcv's wait */
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_ERR(msgctl(id, IPC_STAT, &ds), EINVAL);
    return 0;
}
