/* config.json, as parsed (oci_config.h), turned into what the sentry takes
 * (struct sandbox_config, sentry/kernel/kernel.h): the process's groups,
 * umask, rlimits, no_new_privs and capabilities; the mounts in the config's
 * order (bind mounts of directories and files, tmpfs, proc, sysfs, devpts,
 * mqueue, cgroup) with their options; read-only and masked paths; a read-only
 * root; and the seccomp profile compiled for the sentry's filter
 * (sentry/kernel/seccomp_filter.h), syscall names resolved with libseccomp.
 *
 * What it allocates lives as long as the process (the sandbox is a fork of
 * the runtime that built it); the strings point into the oci_config, which
 * must live as long. */
#ifndef RUNSC_COMPAT_SANDBOX_SPEC_H
#define RUNSC_COMPAT_SANDBOX_SPEC_H

#include <stddef.h>

#include "runsc-compat/oci_config.h"
#include "sentry/kernel/kernel.h"

struct seccomp_filter;

/* Fills cfg's mounts, process, root_readonly, readonly/masked paths and
 * seccomp filter from c; bundle (absolute) is where relative bind-mount
 * sources are.  0, or -1 with a one-line reason in err (a mount that cannot
 * be honoured, a source that does not exist, a seccomp action the sentry
 * cannot take). */
int sandbox_spec_apply(const struct oci_config *c, const char *bundle, struct sandbox_config *cfg,
		       char *err, size_t errsize);

/* Frees what sandbox_spec_apply allocated in cfg (for tests and failed
 * starts; a running sandbox keeps it). */
void sandbox_spec_free(struct sandbox_config *cfg);

/* The seccomp part alone: the profile compiled (names the x86-64 does not
 * have are skipped, as runc skips them).  0 or -1 with err. */
int sandbox_spec_seccomp(const struct oci_seccomp *s, struct seccomp_filter **out, char *err,
			 size_t errsize);

/* A process's settings (groups, umask, rlimits, no_new_privs,
 * capabilities: process.json's for an exec, config.json's for a pod
 * container) as one field of a request to a running sandbox
 * (sandbox_process_encode, sentry/kernel/kernel.h).  A malloc'd string, or
 * NULL with err. */
char *sandbox_spec_process_text(const struct oci_process *p, char *err, size_t errsize);

/* A tmpfs size option's value ("65536k", "64m", "1g", "50%" of the
 * machine's memory, plain bytes); -1 if malformed. */
long long sandbox_spec_size(const char *s);

#endif
