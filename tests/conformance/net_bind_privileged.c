/* bind(2) of a port below 1024 (net.ipv4.ip_unprivileged_port_start) takes
 * CAP_NET_BIND_SERVICE: without it EACCES, for TCP and UDP, IPv4 and IPv6,
 * before the port is even looked at (a free or a busy one); port 0 and ports
 * from 1024 up need nothing.  Checked with the capability dropped from the
 * effective set, then as another user. */
#include "check.h"
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int bind_port(int family, int type, int port)
{
    int s = socket(family, type, 0);
    CHECK(s >= 0);
    int r;
    if (family == AF_INET) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        r = bind(s, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
                                  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
        r = bind(s, (struct sockaddr *)&a, sizeof a);
    }
    int e = errno;
    close(s);
    errno = e;
    return r;
}

static int drop_effective(int cap)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capget, &h, d) != 0)
        return -1;
    d[cap / 32].effective &= ~(1u << (cap % 32));
    return (int)syscall(SYS_capset, &h, d);
}

/* Every check an unprivileged caller must see. */
static void unprivileged(int free_port)
{
    CHECK_ERR(bind_port(AF_INET, SOCK_STREAM, free_port), EACCES);
    CHECK_ERR(bind_port(AF_INET, SOCK_DGRAM, free_port), EACCES);
    CHECK_ERR(bind_port(AF_INET6, SOCK_STREAM, free_port), EACCES);
    CHECK_ERR(bind_port(AF_INET6, SOCK_DGRAM, 1), EACCES);
    CHECK_ERR(bind_port(AF_INET, SOCK_STREAM, 1023), EACCES);
    CHECK_OK(bind_port(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(bind_port(AF_INET, SOCK_DGRAM, 0));
}

int main(void)
{
    /* A low port root can bind here (some may be taken on a real host). */
    int port = 0;
    for (int p = 1000; p > 900 && !port; p--)
        if (bind_port(AF_INET, SOCK_STREAM, p) == 0 && bind_port(AF_INET, SOCK_DGRAM, p) == 0 &&
            bind_port(AF_INET6, SOCK_STREAM, p) == 0)
            port = p;
    CHECK(port != 0);

    /* A busy low port: still EACCES first for the unprivileged. */
    int busy = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(busy >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_OK(bind(busy, (struct sockaddr *)&a, sizeof a));
    CHECK_ERR(bind_port(AF_INET, SOCK_STREAM, port), EADDRINUSE);   /* root: in use */

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CHECK_OK(drop_effective(CAP_NET_BIND_SERVICE));
        CHECK_ERR(bind_port(AF_INET, SOCK_STREAM, port), EACCES);
        close(busy);
        unprivileged(port);
        /* Another user has no capability at all. */
        CHECK_OK(setuid(65534));
        unprivileged(port);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in hi = { .sin_family = AF_INET, .sin_port = 0,
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        CHECK_OK(bind(s, (struct sockaddr *)&hi, sizeof hi));
        socklen_t len = sizeof hi;
        CHECK_OK(getsockname(s, (struct sockaddr *)&hi, &len));
        CHECK(ntohs(hi.sin_port) >= 1024);
        _exit(0);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(busy);
    /* Root binds it again once free. */
    CHECK_OK(bind_port(AF_INET, SOCK_STREAM, port));
    return 0;
}
