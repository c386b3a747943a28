/* Signals and blocked socket calls: a handler without SA_RESTART makes
 * recv, accept, send and connect fail with EINTR; with SA_RESTART they go
 * on and complete; with a timeout set (SO_RCVTIMEO) a restartable handler
 * still gives EINTR, as Linux does for timed socket waits. */
#include "check.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void handler(int flags)
{
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
}

/* SIGALRM for this process in ms milliseconds, from a child. */
static pid_t alarm_in(int ms)
{
    pid_t parent = getpid();
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(ms);
        kill(parent, SIGALRM);
        _exit(0);
    }
    return pid;
}

/* A child that sends "late" on fd after ms milliseconds. */
static pid_t send_in(int fd, int ms)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(ms);
        CHECK_EQ(send(fd, "late", 4, 0), 4);
        _exit(0);
    }
    return pid;
}

int main(void)
{
    int sv[2];
    char buf[8192];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

    /* No SA_RESTART: EINTR. */
    handler(0);
    pid_t a = alarm_in(50);
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EINTR);
    CHECK_EQ(alarms, 1);
    CHECK_CHILD_EXIT(a, 0);

    /* SA_RESTART: the read goes on until the data comes. */
    handler(SA_RESTART);
    a = alarm_in(50);
    pid_t w = send_in(sv[1], 200);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 4);
    CHECK_CHILD_EXIT(a, 0);
    CHECK_CHILD_EXIT(w, 0);
    CHECK_EQ(alarms, 2);

    /* A timed wait is not restarted. */
    struct timeval tv = { 2, 0 };
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    a = alarm_in(50);
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EINTR);
    CHECK_EQ(alarms, 3);
    CHECK_CHILD_EXIT(a, 0);

    /* A blocked send: EINTR with nothing sent, restarted with SA_RESTART. */
    while (send(sv[1], buf, sizeof buf, MSG_DONTWAIT) > 0)
        ;
    handler(0);
    a = alarm_in(50);
    CHECK_ERR(send(sv[1], buf, sizeof buf, 0), EINTR);
    CHECK_CHILD_EXIT(a, 0);
    handler(SA_RESTART);
    a = alarm_in(50);
    pid_t r = CHECK_OK(fork());
    if (r == 0) {
        sleep_ms(200);
        int total = 0;
        ssize_t n;
        while ((n = recv(sv[0], buf, sizeof buf, MSG_DONTWAIT)) > 0)
            total += (int)n;
        CHECK(total > 0);
        _exit(0);
    }
    CHECK_EQ(send(sv[1], buf, 16, 0), 16);
    CHECK_CHILD_EXIT(a, 0);
    CHECK_CHILD_EXIT(r, 0);

    /* accept and connect (a full backlog). */
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "conf-sig-%d", (int)getpid());
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                                 strlen(addr.sun_path + 1));
    int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&addr, alen));
    CHECK_OK(listen(l, 0));
    handler(0);
    a = alarm_in(50);
    CHECK_ERR(accept(l, NULL, NULL), EINTR);
    CHECK_CHILD_EXIT(a, 0);
    int c1 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c1, (struct sockaddr *)&addr, alen));     /* fills the backlog */
    int c2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    a = alarm_in(50);
    CHECK_ERR(connect(c2, (struct sockaddr *)&addr, alen), EINTR);
    CHECK_CHILD_EXIT(a, 0);
    /* With SA_RESTART, accept waits for the connection. */
    handler(SA_RESTART);
    CHECK_OK(close(CHECK_OK(accept(l, NULL, NULL))));
    a = alarm_in(50);
    pid_t c = CHECK_OK(fork());
    if (c == 0) {
        sleep_ms(200);
        CHECK_OK(connect(c2, (struct sockaddr *)&addr, alen));
        _exit(0);
    }
    CHECK_OK(close(CHECK_OK(accept(l, NULL, NULL))));
    CHECK_CHILD_EXIT(a, 0);
    CHECK_CHILD_EXIT(c, 0);
    CHECK(alarms >= 6);
    return 0;
}
