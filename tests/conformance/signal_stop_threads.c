/* Job-control stops are for the whole thread group: SIGSTOP (also when
 * sent to one thread with tgkill) stops every thread of a child (their
 * counters freeze, each task shows state T), wait4 reports it once, SIGCONT
 * resumes all of them, SIGKILL ends a stopped multi-threaded child. */
#include "check.h"
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

struct shared {
    atomic_long count[3];
    atomic_int tids[3];
};
static struct shared *sh;

static void *spin(void *arg)
{
    long i = (long)arg;
    atomic_store(&sh->tids[i], gettid());
    for (;;) {
        atomic_fetch_add(&sh->count[i], 1);
        sched_yield();
    }
    return NULL;
}

static void snapshot(long *out)
{
    for (int i = 0; i < 3; i++)
        out[i] = atomic_load(&sh->count[i]);
}

static int all_moving(void)
{
    long a[3], b[3];
    snapshot(a);
    for (int k = 0; k < 2000; k++) {
        sleep_ms(1);
        snapshot(b);
        if (b[0] != a[0] && b[1] != a[1] && b[2] != a[2])
            return 1;
    }
    return 0;
}

static int none_moving(void)
{
    long a[3], b[3];
    snapshot(a);
    sleep_ms(60);
    snapshot(b);
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

/* Every task of pid in state c. */
static int all_tasks_in(pid_t pid, char c)
{
    char dir[64], path[400], buf[512];
    snprintf(dir, sizeof dir, "/proc/%d/task", pid);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0, ok = 1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/stat", dir, e->d_name);
        read_file(path, buf, sizeof buf);
        char *p = strrchr(buf, ')');
        ok &= p && p[2] == c;
        n++;
    }
    closedir(d);
    return ok && n == 3;
}

int main(void)
{
    sh = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                       -1, 0));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pthread_t a, b;
        pthread_create(&a, NULL, spin, (void *)1L);
        pthread_create(&b, NULL, spin, (void *)2L);
        spin((void *)0L);
    }
    for (int i = 0; i < 3; i++)
        while (atomic_load(&sh->tids[i]) == 0)
            sleep_ms(1);
    CHECK(all_moving());

    int st;
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    CHECK_EQ(WSTOPSIG(st), SIGSTOP);
    CHECK(none_moving());
    CHECK(all_tasks_in(pid, 'T'));
    CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);

    CHECK_OK(kill(pid, SIGCONT));
    CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
    CHECK(WIFCONTINUED(st));
    CHECK(all_moving());

    /* A stop signal aimed at one thread stops them all. */
    CHECK_EQ(syscall(SYS_tgkill, pid, atomic_load(&sh->tids[2]), SIGSTOP), 0);
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    CHECK(none_moving());
    CHECK_EQ(syscall(SYS_tgkill, pid, atomic_load(&sh->tids[1]), SIGCONT), 0);
    CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
    CHECK(all_moving());

    /* SIGKILL while stopped. */
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    munmap(sh, 4096);
    return 0;
}
