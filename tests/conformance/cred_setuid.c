/* setuid and setresuid as root: dropping to an unprivileged uid in a
 * forked child, the saved set-user-ID that allows coming back, what an
 * unprivileged process may not do, and the capabilities that go with it. */
#include "check.h"
#include <linux/capability.h>
#include <pthread.h>
#include <sys/fsuid.h>

struct caps {
    unsigned long long eff, prm, inh;
};

static struct caps get_caps(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        FAIL("capget");
    struct caps c = {
        d[0].effective | (unsigned long long)d[1].effective << 32,
        d[0].permitted | (unsigned long long)d[1].permitted << 32,
        d[0].inheritable | (unsigned long long)d[1].inheritable << 32,
    };
    return c;
}

static void check_ids(uid_t r, uid_t e, uid_t s)
{
    uid_t rr, ee, ss;
    CHECK_EQ(getresuid(&rr, &ee, &ss), 0);
    CHECK_EQ(rr, r);
    CHECK_EQ(ee, e);
    CHECK_EQ(ss, s);
    CHECK_EQ(getuid(), r);
    CHECK_EQ(geteuid(), e);
}

static pthread_barrier_t barrier;

static void *thread_fn(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&barrier);   /* main changes its uid */
    pthread_barrier_wait(&barrier);
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    return (void *)(long)(r == 1000 && e == 1000 && s == 1000);
}

int main(void)
{
    CHECK_EQ(getuid(), 0);
    struct caps root = get_caps();
    CHECK(root.prm & (1ULL << CAP_SETUID));
    CHECK_EQ(root.eff, root.prm);

    /* setuid as root sets all three ids: there is no way back. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setuid(1000), 0);
        check_ids(1000, 1000, 1000);
        struct caps c = get_caps();
        CHECK_EQ(c.eff, 0);   /* no uid is 0 any more: everything goes */
        CHECK_EQ(c.prm, 0);
        CHECK_ERR(setuid(0), EPERM);
        CHECK_ERR(seteuid(0), EPERM);
        CHECK_ERR(setresuid(-1, 0, -1), EPERM);
        CHECK_ERR(setreuid(0, -1), EPERM);
        CHECK_ERR(setuid(2000), EPERM);
        /* To one's own uid: allowed, and changes nothing. */
        CHECK_EQ(setuid(1000), 0);
        CHECK_EQ(setresuid(-1, -1, -1), 0);
        check_ids(1000, 1000, 1000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Keeping 0 as the saved uid keeps the way back open. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setresuid(1000, 1000, 0), 0);
        check_ids(1000, 1000, 0);
        struct caps c = get_caps();
        CHECK_EQ(c.eff, 0);          /* euid left 0: effective cleared */
        CHECK_EQ(c.prm, root.prm);   /* a uid is still 0: permitted kept */
        CHECK_ERR(setresuid(-1, 2000, -1), EPERM);   /* not one of ours */
        /* seteuid to the saved uid: back to root, effective restored. */
        CHECK_EQ(seteuid(0), 0);
        check_ids(1000, 0, 0);
        c = get_caps();
        CHECK_EQ(c.eff, root.prm);
        /* With CAP_SETUID, setuid sets all three again. */
        CHECK_EQ(setuid(0), 0);
        check_ids(0, 0, 0);
        /* Unprivileged setuid only sets the effective id. */
        CHECK_EQ(setresuid(0, 1000, 1000), 0);
        check_ids(0, 1000, 1000);
        CHECK_EQ(setuid(0), 0);       /* 0 is the real uid */
        check_ids(0, 0, 1000);
        CHECK_EQ(setuid(1000), 0);    /* privileged again: all three */
        check_ids(1000, 1000, 1000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* setresuid: -1 leaves an id alone; the fsuid follows the euid. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setresuid(-1, 1000, -1), 0);
        check_ids(0, 1000, 0);
        CHECK_EQ(setfsuid(-1), 1000);   /* a query: answers the fsuid */
        /* The effective set went with euid 0: no CAP_SETUID now. */
        CHECK_ERR(setresuid(2000, -1, -1), EPERM);
        /* Each id to one of the current three (0, 1000, 0) is allowed. */
        CHECK_EQ(setresuid(1000, 0, 1000), 0);
        check_ids(1000, 0, 1000);
        /* euid 0 again: the effective set is back, and with it any id. */
        CHECK_EQ(setresuid(2000, -1, -1), 0);
        check_ids(2000, 0, 1000);
        /* setuid(-1) is invalid. */
        CHECK_ERR(setuid(-1), EINVAL);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* In a threaded process, every thread changes (glibc has each thread
     * make the call). */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        pthread_t th;
        pthread_barrier_init(&barrier, NULL, 2);
        CHECK_EQ(pthread_create(&th, NULL, thread_fn, NULL), 0);
        pthread_barrier_wait(&barrier);
        CHECK_EQ(setuid(1000), 0);
        pthread_barrier_wait(&barrier);
        void *ok;
        CHECK_EQ(pthread_join(th, &ok), 0);
        CHECK_EQ((long)ok, 1);
        check_ids(1000, 1000, 1000);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The parent is untouched by what its children did. */
    check_ids(0, 0, 0);
    CHECK_EQ(get_caps().eff, root.eff);
    return 0;
}
