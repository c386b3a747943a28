/* Abstract unix names (sun_path[0] == 0): no file, the exact length is the
 * name, each socket type has its own names, a name is free again once its
 * socket is closed; autobind (an empty address, or SO_PASSCRED) gives a
 * "\0xxxxx" name. */
#include "check.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define BASE offsetof(struct sockaddr_un, sun_path)

/* An abstract address: NUL, then n bytes of name. */
static socklen_t abstract(struct sockaddr_un *a, const char *name, size_t n)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, n);
    return (socklen_t)(BASE + 1 + n);
}

static void check_autobound(int fd)
{
    struct sockaddr_un got;
    socklen_t len = sizeof got;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&got, &len));
    CHECK_EQ(len, BASE + 6);
    CHECK_EQ(got.sun_path[0], 0);
    for (int i = 1; i < 6; i++)
        CHECK(strchr("0123456789abcdef", got.sun_path[i]) && got.sun_path[i]);
}

int main(void)
{
    char name[32];
    snprintf(name, sizeof name, "conf-abstract-%d", (int)getpid());
    struct sockaddr_un a, got;
    socklen_t alen = abstract(&a, name, strlen(name)), glen;

    int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, alen));
    glen = sizeof got;
    CHECK_OK(getsockname(l, (struct sockaddr *)&got, &glen));
    CHECK_EQ(glen, alen);
    CHECK_MEMEQ(&got, &a, alen);
    CHECK_OK(listen(l, 4));

    /* In use for this type; free for the others. */
    int l2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE);
    int d = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(d, (struct sockaddr *)&a, alen));
    /* The length is part of the name: a trailing NUL makes another one. */
    CHECK_OK(bind(l2, (struct sockaddr *)&a, alen + 1));
    glen = sizeof got;
    CHECK_OK(getsockname(l2, (struct sockaddr *)&got, &glen));
    CHECK_EQ(glen, alen + 1);
    CHECK_OK(close(l2));

    /* Connect by name, from another process. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
        CHECK_OK(connect(s, (struct sockaddr *)&a, alen));
        struct sockaddr_un p;
        socklen_t plen = sizeof p;
        CHECK_OK(getpeername(s, (struct sockaddr *)&p, &plen));
        CHECK_EQ(plen, alen);
        CHECK_MEMEQ(&p, &a, alen);
        CHECK_EQ(send(s, "abs", 3, 0), 3);
        _exit(0);
    }
    int s = CHECK_OK(accept(l, NULL, NULL));
    char buf[8];
    CHECK_EQ(recv(s, buf, sizeof buf, MSG_WAITALL), 3);
    CHECK_MEMEQ(buf, "abs", 3);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(close(s));

    /* Unknown names (a prefix, a longer name): refused.  Datagrams go to
     * the dgram socket of the same name. */
    int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen - 1), ECONNREFUSED);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen + 2), ECONNREFUSED);
    int dc = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_EQ(sendto(dc, "dg", 2, 0, (struct sockaddr *)&a, alen), 2);
    CHECK_EQ(recv(d, buf, sizeof buf, 0), 2);
    CHECK_MEMEQ(buf, "dg", 2);

    /* Closing frees the name. */
    CHECK_OK(close(l));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
    l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, alen));
    CHECK_OK(listen(l, 1));
    CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
    CHECK_OK(close(c));
    CHECK_OK(close(l));

    /* Names may hold any bytes, NULs included. */
    static const char odd[] = { 'a', 0, 'b', '\n', (char)0xff };
    socklen_t olen = abstract(&a, odd, sizeof odd);
    CHECK_OK(bind(dc, (struct sockaddr *)&a, olen));
    glen = sizeof got;
    CHECK_OK(getsockname(dc, (struct sockaddr *)&got, &glen));
    CHECK_EQ(glen, olen);
    CHECK_MEMEQ(got.sun_path, a.sun_path, sizeof odd + 1);
    /* recvfrom names the sender exactly. */
    CHECK_EQ(sendto(dc, "x", 1, 0, (struct sockaddr *)&got, glen), 1);   /* to itself */
    struct sockaddr_un from;
    socklen_t flen = sizeof from;
    CHECK_EQ(recvfrom(dc, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 1);
    CHECK_EQ(flen, olen);
    CHECK_MEMEQ(&from, &a, olen);
    CHECK_OK(close(dc));
    CHECK_OK(close(d));

    /* Autobind: bind with just the family... */
    int ab = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    struct sockaddr_un fam = { .sun_family = AF_UNIX };
    CHECK_OK(bind(ab, (struct sockaddr *)&fam, BASE));
    check_autobound(ab);
    /* ...again: nothing changes. */
    glen = sizeof got;
    CHECK_OK(getsockname(ab, (struct sockaddr *)&got, &glen));
    CHECK_OK(bind(ab, (struct sockaddr *)&fam, BASE));
    struct sockaddr_un again;
    socklen_t alen2 = sizeof again;
    CHECK_OK(getsockname(ab, (struct sockaddr *)&again, &alen2));
    CHECK_EQ(alen2, glen);
    CHECK_MEMEQ(&again, &got, glen);
    /* An autobound name works as a destination. */
    int sender = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_EQ(sendto(sender, "auto", 4, 0, (struct sockaddr *)&got, glen), 4);
    CHECK_EQ(recv(ab, buf, sizeof buf, 0), 4);
    /* ...and an unbound sender is unnamed: recvfrom says length 0. */
    CHECK_EQ(sendto(sender, "anon", 4, 0, (struct sockaddr *)&got, glen), 4);
    flen = sizeof from;
    CHECK_EQ(recvfrom(ab, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 4);
    CHECK_EQ(flen, 0);
    /* SO_PASSCRED autobinds a sender on its first send. */
    int on = 1;
    CHECK_OK(setsockopt(sender, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    CHECK_EQ(sendto(sender, "cred", 4, 0, (struct sockaddr *)&got, glen), 4);
    check_autobound(sender);
    flen = sizeof from;
    CHECK_EQ(recvfrom(ab, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 4);
    CHECK_EQ(flen, BASE + 6);
    /* ...and a stream socket on connect. */
    l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&fam, BASE));
    check_autobound(l);
    CHECK_OK(listen(l, 1));
    glen = sizeof got;
    CHECK_OK(getsockname(l, (struct sockaddr *)&got, &glen));
    c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(setsockopt(c, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    CHECK_OK(connect(c, (struct sockaddr *)&got, glen));
    check_autobound(c);
    CHECK_OK(close(c));
    CHECK_OK(close(l));
    CHECK_OK(close(ab));
    CHECK_OK(close(sender));
    return 0;
}
