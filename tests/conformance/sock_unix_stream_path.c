/* A stream server on a path in /tmp and a forked client: bind creates a
 * socket file, listen/accept/connect, the addresses getsockname,
 * getpeername and accept report (and their lengths), and the errors of
 * bind and connect (EADDRINUSE, EINVAL, ENOENT, ECONNREFUSED, EPROTOTYPE,
 * EACCES, EISCONN). */
#include "check.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t make_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

int main(void)
{
    const char *dir = enter_tmpdir();
    char path[100];
    CHECK(strlen(dir) + sizeof "/srv.sock" <= sizeof path);
    strcpy(path, dir);
    strcat(path, "/srv.sock");
    struct sockaddr_un a, got;
    socklen_t alen = make_addr(&a, path), glen;

    umask(022);
    int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    /* Unbound: getsockname says just the family; listen needs a name. */
    glen = sizeof got;
    CHECK_OK(getsockname(l, (struct sockaddr *)&got, &glen));
    CHECK_EQ(glen, offsetof(struct sockaddr_un, sun_path));
    CHECK_EQ(got.sun_family, AF_UNIX);
    CHECK_ERR(listen(l, 5), EINVAL);
    CHECK_ERR(accept(l, NULL, NULL), EINVAL);

    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));   /* any length past the NUL */
    struct stat st;
    CHECK_OK(stat(path, &st));
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0755);                    /* 0777 & ~umask */
    glen = sizeof got;
    CHECK_OK(getsockname(l, (struct sockaddr *)&got, &glen));
    CHECK_EQ(glen, alen);                                  /* family + path + NUL */
    CHECK_STREQ(got.sun_path, path);
    /* A short buffer gets what fits and the full length. */
    glen = 4;
    memset(&got, 'x', sizeof got);
    CHECK_OK(getsockname(l, (struct sockaddr *)&got, &glen));
    CHECK_EQ(glen, alen);
    CHECK_EQ(got.sun_path[2], 'x');
    CHECK_EQ(got.sun_path[1], path[1]);

    /* A bound socket cannot be bound again; a name in use is in use. */
    struct sockaddr_un b;
    socklen_t blen = make_addr(&b, "other.sock");
    CHECK_ERR(bind(l, (struct sockaddr *)&b, blen), EINVAL);
    CHECK_ERR(access("other.sock", F_OK), ENOENT);          /* and leaves nothing behind */
    int l2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE);
    write_file("plain", "x");
    blen = make_addr(&b, "plain");
    CHECK_ERR(bind(l2, (struct sockaddr *)&b, blen), EADDRINUSE);
    blen = make_addr(&b, "nodir/s");
    CHECK_ERR(bind(l2, (struct sockaddr *)&b, blen), ENOENT);
    CHECK_ERR(bind(l2, (struct sockaddr *)&b, 1), EINVAL);
    CHECK_ERR(bind(l2, (struct sockaddr *)&b, sizeof b + 1), EINVAL);
    b.sun_family = AF_INET;
    CHECK_ERR(bind(l2, (struct sockaddr *)&b, blen), EINVAL);
    CHECK_ERR(bind(l2, BAD_PTR, blen), EFAULT);

    /* Not listening yet: refused. */
    int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
    CHECK_OK(listen(l, 5));
    int v = 0;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    CHECK_EQ(v, 1);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
        CHECK_OK(connect(s, (struct sockaddr *)&a, alen));
        struct sockaddr_un p;
        socklen_t plen = sizeof p;
        CHECK_OK(getpeername(s, (struct sockaddr *)&p, &plen));
        CHECK_EQ(plen, alen);
        CHECK_STREQ(p.sun_path, path);
        plen = sizeof p;
        CHECK_OK(getsockname(s, (struct sockaddr *)&p, &plen));
        CHECK_EQ(plen, offsetof(struct sockaddr_un, sun_path));
        CHECK_ERR(connect(s, (struct sockaddr *)&a, alen), EISCONN);
        CHECK_EQ(write(s, "hello", 5), 5);
        char buf[16];
        CHECK_EQ(read(s, buf, sizeof buf), 6);
        CHECK_MEMEQ(buf, "world!", 6);
        CHECK_EQ(read(s, buf, sizeof buf), 0);            /* server closed */
        _exit(0);
    }
    struct sockaddr_un peer;
    socklen_t plen = sizeof peer;
    memset(&peer, 'x', sizeof peer);
    int s = CHECK_OK(accept(l, (struct sockaddr *)&peer, &plen));
    CHECK_EQ(plen, offsetof(struct sockaddr_un, sun_path));  /* unnamed client */
    CHECK_EQ(peer.sun_family, AF_UNIX);
    /* The accepted socket has the listener's name. */
    glen = sizeof got;
    CHECK_OK(getsockname(s, (struct sockaddr *)&got, &glen));
    CHECK_EQ(glen, alen);
    CHECK_STREQ(got.sun_path, path);
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    CHECK_EQ(v, 0);
    char buf[16];
    CHECK_EQ(read(s, buf, sizeof buf), 5);
    CHECK_MEMEQ(buf, "hello", 5);
    CHECK_EQ(write(s, "world!", 6), 6);
    CHECK_OK(close(s));
    CHECK_CHILD_EXIT(pid, 0);

    /* A bound client is named in accept and getpeername. */
    struct sockaddr_un ca;
    socklen_t calen = make_addr(&ca, "client.sock");
    CHECK_OK(bind(c, (struct sockaddr *)&ca, calen));
    CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
    plen = sizeof peer;
    s = CHECK_OK(accept(l, (struct sockaddr *)&peer, &plen));
    CHECK_EQ(plen, calen);
    CHECK_STREQ(peer.sun_path, "client.sock");
    plen = sizeof peer;
    CHECK_OK(getpeername(s, (struct sockaddr *)&peer, &plen));
    CHECK_EQ(plen, calen);
    CHECK_OK(close(s));
    CHECK_OK(close(c));

    /* Wrong type: EPROTOTYPE.  Not a socket, or nothing: ECONNREFUSED,
     * ENOENT.  Unconnected sockets have no peer. */
    c = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), EPROTOTYPE);
    CHECK_ERR(getpeername(c, (struct sockaddr *)&peer, &plen), ENOTCONN);
    CHECK_OK(close(c));
    c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    blen = make_addr(&b, "plain");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ECONNREFUSED);
    blen = make_addr(&b, ".");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ECONNREFUSED);
    blen = make_addr(&b, "missing.sock");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ENOENT);
    CHECK_ERR(connect(c, (struct sockaddr *)&b, 2), EINVAL);
    /* Through a symlink: followed. */
    CHECK_OK(symlink(path, "link.sock"));
    blen = make_addr(&b, "link.sock");
    CHECK_OK(connect(c, (struct sockaddr *)&b, blen));
    CHECK_OK(close(c));
    CHECK_OK(close(CHECK_OK(accept(l, NULL, NULL))));

    /* Write permission on the socket file is needed (root has it). */
    CHECK_OK(chmod(path, 0));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(setresgid(65534, 65534, 65534));
        CHECK_OK(setresuid(65534, 65534, 65534));
        int s2 = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
        CHECK_ERR(connect(s2, (struct sockaddr *)&a, alen), EACCES);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(chmod(path, 0755));

    /* A connection still queued when the listener closes is reset. */
    c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
    CHECK_EQ(send(c, "lost", 4, 0), 4);

    /* Once the listener is closed the name stays, but leads nowhere;
     * unlinked, it is gone. */
    CHECK_OK(close(l));
    CHECK_ERR(recv(c, buf, sizeof buf, 0), ECONNRESET);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_OK(close(c));
    c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
    CHECK_ERR(bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE);
    CHECK_OK(unlink(path));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ENOENT);
    CHECK_OK(bind(l2, (struct sockaddr *)&a, alen));        /* free again */
    CHECK_OK(listen(l2, 1));
    CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
    CHECK_OK(close(c));
    CHECK_OK(close(l2));
    return 0;
}
