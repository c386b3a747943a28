/* The OCI runtime spec's config.json (and an exec's process.json), parsed
 * and validated into plain C (jansson).  Only what the runtime honours or
 * must check is kept; unknown fields are ignored as the spec says.
 *
 * Every parse returns 0 or -1 with a one-line message in err (what a user
 * or containerd's log shows: "config.json: process.args: must be a
 * non-empty array of strings").  Free with oci_config_free /
 * oci_process_free (safe on a zeroed or partly filled struct).
 *
 * (oci_config.c) A JSON null counts as an absent field, as in Go's
 * encoding/json which the clients use.  On failure the output struct has
 * already been freed and zeroed (freeing it again is harmless).  After a
 * successful parse every NULL-terminated string array (args, env, mount
 * options, seccomp names/architectures, masked/readonly paths) is non-NULL,
 * empty when absent.  uid/gid range 0..2^32-2; process.json errors are
 * prefixed "process.json: " with paths relative to the process object.
 */
#ifndef RUNSC_COMPAT_OCI_CONFIG_H
#define RUNSC_COMPAT_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OCI_ERR_MAX 512

struct oci_rlimit {
	int resource;              /* RLIMIT_* from "RLIMIT_NOFILE" etc.; unknown names: error */
	uint64_t soft, hard;
};

struct oci_process {
	bool terminal;
	uint32_t console_height, console_width;   /* consoleSize, 0 if absent */
	char **args;               /* NULL-terminated, at least one */
	size_t nargs;
	char **env;                /* NULL-terminated (may be empty) */
	size_t nenv;
	char *cwd;                 /* absolute; "/" if absent in a process.json? no: required */
	uid_t uid;
	gid_t gid;
	bool has_umask;
	mode_t umask;
	gid_t *additional_gids;
	size_t nadditional_gids;
	struct oci_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privileges;
	/* Capability sets as bit masks (bit n = CAP with number n); an
	 * unknown capability name is an error. */
	bool has_caps;
	uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
	char *apparmor_profile, *selinux_label;   /* kept, ignored */
	int oom_score_adj;
	bool has_oom_score_adj;
};

struct oci_mount {
	char *destination;         /* absolute */
	char *type;                /* may be NULL (bind mounts) */
	char *source;              /* may be NULL */
	char **options;            /* NULL-terminated */
	size_t noptions;
	bool bind;                 /* type "bind" or an option "bind"/"rbind" */
	bool readonly;             /* option "ro" */
};

enum oci_ns_type { OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_MOUNT, OCI_NS_IPC, OCI_NS_UTS,
		   OCI_NS_USER, OCI_NS_CGROUP, OCI_NS_TIME };

struct oci_namespace {
	enum oci_ns_type type;
	char *path;                /* NULL: a new namespace */
};

struct oci_seccomp_rule {
	char **names;              /* NULL-terminated syscall names */
	size_t nnames;
	char *action;              /* "SCMP_ACT_ERRNO" ... */
	bool has_errno_ret;
	unsigned errno_ret;
	/* args: kept raw-ish for the sentry's filter */
	size_t nargs;
	struct { unsigned index; uint64_t value, value_two; char *op; } *args;
};

struct oci_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	unsigned default_errno_ret;
	char **architectures;
	size_t narchitectures;
	struct oci_seccomp_rule *syscalls;
	size_t nsyscalls;
};

struct oci_annotation {
	char *key, *value;
};

struct oci_config {
	char *oci_version;
	char *root_path;           /* as written (absolute or relative to the bundle) */
	bool root_readonly;
	struct oci_process process;
	bool has_process;          /* config.json for create must have one */
	char *hostname;
	struct oci_mount *mounts;
	size_t nmounts;
	struct oci_namespace *namespaces;
	size_t nnamespaces;
	char *cgroups_path;
	/* As runc treats them: -1 = unlimited, 0 = not set (no limit either),
	 * > 0 = the limit; values below -1 are refused at parse time. */
	bool has_memory_limit;
	int64_t memory_limit;      /* linux.resources.memory.limit, bytes */
	bool has_pids_limit;
	int64_t pids_limit;        /* linux.resources.pids.limit */
	char **masked_paths;
	size_t nmasked_paths;
	char **readonly_paths;
	size_t nreadonly_paths;
	struct oci_seccomp *seccomp;   /* NULL if absent */
	struct oci_annotation *annotations;
	size_t nannotations;
};

/* config.json text (len bytes, not necessarily NUL-terminated). */
int oci_config_parse(const char *json, size_t len, struct oci_config *out, char err[OCI_ERR_MAX]);
/* A whole file; err names the file on failure ("cannot read ...: No such file"). */
int oci_config_load(const char *path, struct oci_config *out, char err[OCI_ERR_MAX]);
void oci_config_free(struct oci_config *c);

/* An exec's --process file: a "process" object on its own. */
int oci_process_parse(const char *json, size_t len, struct oci_process *out,
		      char err[OCI_ERR_MAX]);
int oci_process_load(const char *path, struct oci_process *out, char err[OCI_ERR_MAX]);
void oci_process_free(struct oci_process *p);

/* The annotation's value, or NULL. */
const char *oci_annotation(const struct oci_config *c, const char *key);

/* The default config.json `runsc spec` writes (runc's, with "sh" as the
 * command and a relative "rootfs"); malloc'd, NUL-terminated, ends with a
 * newline; NULL if out of memory. */
char *oci_default_spec(void);

#endif
