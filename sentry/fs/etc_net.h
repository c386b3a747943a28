/* The sandbox's /etc/hosts and /etc/resolv.conf (etc_net.c). */
#ifndef SENTRY_FS_ETC_NET_H
#define SENTRY_FS_ETC_NET_H

struct kernel;
struct path;

/* Writes the two files, as netstack/netconf.h has them for the network
 * mode and host name, into the root file system's in-memory upper layer
 * (replacing whatever the rootfs has there).  Called at boot once "/" is
 * set up, before the user's mounts (which may cover /etc).  A failure is
 * logged and the sandbox goes on without them. */
void etc_net_setup(struct kernel *k);
/* The same in another root (a pod container's, sentry/kernel/container.c). */
void etc_net_setup_root(struct kernel *k, const struct path *root);

#endif
