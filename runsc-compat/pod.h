/* Containers of a pod (Kubernetes CRI): a container whose config.json
 * joins the namespaces of one of our containers (linux.namespaces entries
 * with a path, /proc/<pid>/ns/net and the like, <pid> the monitor of a
 * running container under the same --root: the pod's sandbox) runs inside
 * that container's sandbox, sharing its kernel (network and localhost,
 * IPC, processes), with a root file system of its own.
 *
 * Its host process is the container's **proxy** (the --pid-file pid, the
 * caller's child once create returns): it starts a gofer for the
 * container's rootfs and bind mounts, asks the sandbox to make the
 * container (a CONTAINER request on the sandbox's control socket, see
 * sentry/kernel/container.h) with the container's stdio, the gofer's
 * socket and the container's own control socket (<root>/<id>/control.sock,
 * so that exec, kill --all and ps work on it as on any container), passes
 * `start` on (start.fifo, as for a sandbox), and exits with the
 * container's exit status once the sandbox reports it; the sandbox reports
 * it when every process of the container is gone and the container's
 * files are released.  <root>/<id>/pod names the pod's sandbox container
 * and the container init's pid in the sandbox.
 *
 * A container whose namespace paths name no container of ours runs in a
 * sandbox of its own, as before. */
#ifndef RUNSC_COMPAT_POD_H
#define RUNSC_COMPAT_POD_H

#include <stdbool.h>
#include <sys/types.h>

#include "runsc-compat/container.h"
#include "runsc-compat/oci_config.h"

/* The pod sandbox the config joins: 1 with its state in *pod, 0 if none. */
int pod_find(const struct runsc_globals *g, const struct oci_config *c,
	     struct container_state *pod);

struct pod_create_req {
	const char *id;
	const char *bundle, *rootfs;   /* absolute */
	const char *pid_file;          /* or NULL */
	int tty;                       /* a terminal's slave (--console-socket), or -1 */
};

/* create in the pod: the exit status (errors reported); *proxy the pid. */
int pod_create(const struct runsc_globals *g, const struct pod_create_req *r,
	       struct oci_config *c, const struct container_state *pod, pid_t *proxy);

/* Is id a container of a pod? */
bool pod_member(const struct runsc_globals *g, const char *id);
/* The id of the container whose sandbox pod member id runs in: 0, -errno. */
int pod_sandbox_id(const struct runsc_globals *g, const char *id, char *out, size_t size);

/* kill and delete of a pod's container (st is its state): exit statuses. */
int pod_kill(const struct runsc_globals *g, const struct container_state *st, int sig, bool all);
int pod_delete(const struct runsc_globals *g, const struct container_state *st, bool force);

#endif
