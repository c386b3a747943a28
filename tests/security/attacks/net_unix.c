/*
 * net_unix: reach the host's unix sockets: the runtime's control sockets
 * are unix sockets on the host (runsc's control.sock, a container engine's
 * socket under /run), and the abstract namespace is per network namespace.
 *
 *   net_unix ABSTRACT_NAME PATH...
 *
 * run.sh listens on the host (not in the sandbox) on the abstract names
 * ABSTRACT_NAME (stream), ABSTRACT_NAME-seq and ABSTRACT_NAME-dgram, and
 * on each PATH (PATH: stream, PATH.seq: seqpacket, PATH.dgram: datagram),
 * paths the sandbox sees through the host's root or a bind mount; it counts
 * the connections and datagrams, which must stay at zero.  Every connect
 * and send here must fail: the sandbox's unix sockets are its own.
 */
#include "attack.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static void try_unix(const char *name, const char *path, bool abstract, int type)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    socklen_t len;
    if (abstract) {
        memcpy(sa.sun_path + 1, path, n);
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    } else {
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        len = sizeof sa;
    }
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        refused(name, "socket: %s", attack_errname(errno));
        return;
    }
    long r;
    if (type == SOCK_DGRAM) {
        r = sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, len);
    } else {
        r = connect(fd, (struct sockaddr *)&sa, len);
        if (r == 0) {
            char buf[64] = "";
            struct timeval tv = {1, 0};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            ssize_t g = recv(fd, buf, sizeof buf - 1, 0);
            escaped(name, "connected; got %zd bytes \"%.30s\"", g, g > 0 ? buf : "");
            close(fd);
            return;
        }
    }
    if (r < 0)
        refused(name, "%s", attack_errname(errno));
    else
        escaped(name, "sent");
    close(fd);
}

int main(int argc, char **argv)
{
    char name[320], p[200];

    attack_begin("net");
    if (argc < 3) {
        fprintf(stderr, "usage: net_unix ABSTRACT_NAME PATH...\n");
        return 2;
    }
    snprintf(name, sizeof name, "unix-abstract-stream-@%s", argv[1]);
    try_unix(name, argv[1], true, SOCK_STREAM);
    snprintf(p, sizeof p, "%s-seq", argv[1]);
    snprintf(name, sizeof name, "unix-abstract-seqpacket-@%s", p);
    try_unix(name, p, true, SOCK_SEQPACKET);
    snprintf(p, sizeof p, "%s-dgram", argv[1]);
    snprintf(name, sizeof name, "unix-abstract-dgram-@%s", p);
    try_unix(name, p, true, SOCK_DGRAM);
    for (int i = 2; i < argc; i++) {
        struct stat st;
        /* the path must be there, or the refusal proves nothing */
        snprintf(name, sizeof name, "sees-%s", argv[i]);
        int seen = stat(argv[i], &st);
        control(name, seen == 0 && S_ISSOCK(st.st_mode), "%s",
                seen < 0 ? attack_errname(errno) : S_ISSOCK(st.st_mode) ? "a socket" : "not a socket");
        snprintf(name, sizeof name, "unix-stream-%s", argv[i]);
        try_unix(name, argv[i], false, SOCK_STREAM);
        snprintf(p, sizeof p, "%s.seq", argv[i]);
        snprintf(name, sizeof name, "unix-seqpacket-%s", p);
        try_unix(name, p, false, SOCK_SEQPACKET);
        snprintf(p, sizeof p, "%s.dgram", argv[i]);
        snprintf(name, sizeof name, "unix-dgram-%s", p);
        try_unix(name, p, false, SOCK_DGRAM);
    }
    return attack_end();
}
