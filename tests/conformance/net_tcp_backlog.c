/* A listener with a tiny backlog and more clients than it holds, each
 * sending a request at once: Linux drops the SYNs (or handshake ACKs) it
 * has no room for and the clients retransmit, so every request is served
 * once the server has accepted the earlier ones; none is reset or refused.
 * (lwIP answers a SYN before the sandbox hears of it, so the sandbox
 * queues the extra connections instead.  Either way each client gets its
 * answer; this is what a small-backlog server like python's http.server
 * under a burst of requests relies on.) */
#include "check.h"
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#define NCLIENT 8

static void serve(int l)
{
    for (int i = 0; i < NCLIENT; i++) {
        int s = CHECK_OK(accept(l, NULL, NULL));
        char req = 0;
        CHECK_EQ(read(s, &req, 1), 1);
        char answer = (char)(req + 1);
        CHECK_EQ(write(s, &answer, 1), 1);
        CHECK_OK(close(s));
    }
    exit(0);
}

int main(void)
{
    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 1));
    CHECK_OK(getsockname(l, (struct sockaddr *)&a, &alen));

    int c[NCLIENT];
    for (int i = 0; i < NCLIENT; i++) {
        c[i] = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
        int r = connect(c[i], (struct sockaddr *)&a, sizeof a);
        CHECK(r == 0 || errno == EINPROGRESS);
    }
    pid_t server = CHECK_OK(fork());
    if (server == 0)
        serve(l);
    CHECK_OK(close(l));

    for (int i = 0; i < NCLIENT; i++) {
        struct pollfd p = { .fd = c[i], .events = POLLOUT };
        CHECK_EQ(poll(&p, 1, 30000), 1);
        int err = -1;
        socklen_t elen = sizeof err;
        CHECK_OK(getsockopt(c[i], SOL_SOCKET, SO_ERROR, &err, &elen));
        CHECK_EQ(err, 0);
        char req = (char)('a' + 2 * i);
        CHECK_EQ(write(c[i], &req, 1), 1);
    }
    for (int i = 0; i < NCLIENT; i++) {
        struct pollfd p = { .fd = c[i], .events = POLLIN };
        CHECK_EQ(poll(&p, 1, 30000), 1);
        char answer = 0;
        CHECK_EQ(read(c[i], &answer, 1), 1);
        CHECK_EQ(answer, (char)('a' + 2 * i + 1));
        CHECK_OK(close(c[i]));
    }
    CHECK_CHILD_EXIT(server, 0);
    return 0;
}
