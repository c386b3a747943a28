/* The AF_INET addresses a socket reports, for the net_* programs. */
#ifndef CONFORMANCE_NET_ADDR_H
#define CONFORMANCE_NET_ADDR_H
#include "check.h"
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* The local address of fd, which must be an AF_INET one (the buffer is
 * poisoned first, so a call that writes nothing cannot pass). */
static inline struct sockaddr_in name_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0xa5, sizeof a);
    CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    CHECK_EQ(len, sizeof a);
    CHECK_EQ(a.sin_family, AF_INET);
    return a;
}

/* The peer's address of fd, likewise. */
static inline struct sockaddr_in peer_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0xa5, sizeof a);
    CHECK_OK(getpeername(fd, (struct sockaddr *)&a, &len));
    CHECK_EQ(len, sizeof a);
    CHECK_EQ(a.sin_family, AF_INET);
    return a;
}
#endif
