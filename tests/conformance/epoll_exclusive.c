/* EPOLLEXCLUSIVE: allowed only with EPOLL_CTL_ADD and a few event bits; a
 * wake-up of a file watched exclusively by several sets wakes one waiting
 * set, not all of them (plain items wake every set). */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#define NSETS 3

static int sets[NSETS];
static atomic_int woken;

static void *waiter(void *arg)
{
    int ep = *(int *)arg;
    struct epoll_event out;
    int n = epoll_wait(ep, &out, 1, 4000);
    if (n == 1)
        atomic_fetch_add(&woken, 1);
    return (void *)(long)n;
}

/* Blocks one thread per set, writes once per round, and returns how many
 * threads had woken after each round. */
static void run(int efd, int rounds, const int *expect)
{
    pthread_t th[NSETS];
    atomic_store(&woken, 0);
    for (int i = 0; i < NSETS; i++)
        CHECK_EQ(pthread_create(&th[i], NULL, waiter, &sets[i]), 0);
    sleep_ms(200);   /* all of them asleep in epoll_wait */
    CHECK_EQ(atomic_load(&woken), 0);
    for (int r = 0; r < rounds; r++) {
        uint64_t one = 1;
        CHECK_EQ(write(efd, &one, 8), 8);
        sleep_ms(300);
        CHECK_EQ(atomic_load(&woken), expect[r]);
    }
    for (int i = 0; i < NSETS; i++)
        CHECK_EQ(pthread_join(th[i], NULL), 0);
    uint64_t v;
    CHECK_EQ(read(efd, &v, 8), 8);
}

int main(void)
{
    int efd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.u32 = 1 };

    /* Which bits may go with it. */
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLERR | EPOLLHUP | EPOLLEXCLUSIVE;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    /* Not with MOD, and an exclusive item cannot be modified at all. */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), EINVAL);
    ev.events = EPOLLIN;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), EINVAL);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    ev.events = EPOLLIN;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), EINVAL);
    close(ep);

    /* Events are still reported. */
    for (int i = 0; i < NSETS; i++) {
        sets[i] = CHECK_OK(epoll_create1(0));
        ev.events = EPOLLIN | EPOLLEXCLUSIVE;
        ev.data.u32 = (uint32_t)i;
        CHECK_OK(epoll_ctl(sets[i], EPOLL_CTL_ADD, efd, &ev));
    }
    struct epoll_event out;
    CHECK_EQ(epoll_wait(sets[0], &out, 1, 0), 0);
    uint64_t one = 1;
    CHECK_EQ(write(efd, &one, 8), 8);
    for (int i = 0; i < NSETS; i++) {
        CHECK_EQ(epoll_wait(sets[i], &out, 1, 0), 1);
        CHECK_EQ(out.events, EPOLLIN);
        CHECK_EQ(out.data.u32, (uint32_t)i);
    }
    uint64_t v;
    CHECK_EQ(read(efd, &v, 8), 8);

    /* One wake-up per write: one waiting set at a time. */
    static const int one_by_one[] = { 1, 2, 3 };
    run(efd, 3, one_by_one);

    /* Without EPOLLEXCLUSIVE every set wakes. */
    for (int i = 0; i < NSETS; i++) {
        ev.events = EPOLLIN;
        CHECK_OK(epoll_ctl(sets[i], EPOLL_CTL_DEL, efd, NULL));
        CHECK_OK(epoll_ctl(sets[i], EPOLL_CTL_ADD, efd, &ev));
    }
    static const int all[] = { NSETS };
    run(efd, 1, all);
    return 0;
}
