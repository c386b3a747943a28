/* POSIX unnamed semaphores: between threads (exact counts, trywait
 * EAGAIN, timedwait ETIMEDOUT) and process-shared ones in a MAP_SHARED
 * mapping across fork (a ping-pong that needs shared-futex wakes). */
#include "check.h"
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>

#define NT 4
#define PER 2000

static sem_t items, done;

static void *consumer(void *arg)
{
    long *got = arg;
    for (int i = 0; i < PER; i++) {
        while (sem_wait(&items) != 0)
            ;
        (*got)++;
    }
    sem_post(&done);
    return NULL;
}

int main(void)
{
    CHECK_OK(sem_init(&items, 0, 0));
    CHECK_OK(sem_init(&done, 0, 0));
    CHECK_ERR(sem_trywait(&items), EAGAIN);

    pthread_t th[NT];
    long got[NT] = { 0 };
    for (int i = 0; i < NT; i++)
        CHECK_RET(pthread_create(&th[i], NULL, consumer, &got[i]), 0);
    for (int i = 0; i < NT * PER; i++)
        CHECK_OK(sem_post(&items));
    for (int i = 0; i < NT; i++)
        CHECK_OK(sem_wait(&done));
    for (int i = 0; i < NT; i++) {
        CHECK_RET(pthread_join(th[i], NULL), 0);
        CHECK_EQ(got[i], PER);
    }
    int v;
    CHECK_OK(sem_getvalue(&items, &v));
    CHECK_EQ(v, 0);

    /* timedwait on an empty semaphore: ETIMEDOUT, not before the deadline. */
    struct timespec dl, now;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 60 * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    CHECK_ERR(sem_timedwait(&items, &dl), ETIMEDOUT);
    clock_gettime(CLOCK_REALTIME, &now);
    CHECK(now.tv_sec > dl.tv_sec || (now.tv_sec == dl.tv_sec && now.tv_nsec >= dl.tv_nsec));
    dl.tv_nsec = 1000000000L;                       /* invalid deadline */
    CHECK_ERR(sem_timedwait(&items, &dl), EINVAL);
    CHECK_OK(sem_post(&items));
    CHECK_OK(sem_trywait(&items));
    CHECK_ERR(sem_trywait(&items), EAGAIN);

    /* Process-shared semaphores: 500 round trips with a child. */
    sem_t *s = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    CHECK_OK(sem_init(&s[0], 1, 0));
    CHECK_OK(sem_init(&s[1], 1, 0));
    int *counter = (int *)&s[2];
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        for (int i = 0; i < 500; i++) {
            while (sem_wait(&s[0]) != 0)
                ;
            (*counter)++;
            sem_post(&s[1]);
        }
        _exit(0);
    }
    for (int i = 0; i < 500; i++) {
        CHECK_OK(sem_post(&s[0]));
        while (sem_wait(&s[1]) != 0)
            ;
        CHECK_EQ(*counter, i + 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    munmap(s, 4096);
    return 0;
}
