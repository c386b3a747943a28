/* config.json / process.json parsing (see oci_config.h).
 *
 * Rules common to every field, so that one place decides them:
 *  - a JSON null is the same as an absent field (Go's encoding/json, which
 *    writes and reads these files on the clients' side, treats it so);
 *  - a present field of the wrong JSON type is an error naming its path;
 *  - unknown fields are ignored (the spec says runtimes MUST ignore them).
 *
 * Integers: jansson keeps integers as long long and refuses anything above
 * INT64_MAX, but the spec's uint64 fields (rlimits, seccomp argument values)
 * legitimately carry values up to 2^64-1 (RLIM_INFINITY is written as
 * 18446744073709551615 by Go clients).  When jansson reports such an
 * overflow, the text is parsed once more with every integer literal in
 * (INT64_MAX, UINT64_MAX] rewritten as a marker string "\u0000U<digits>"
 * (JSON_ALLOW_NUL); the typed getters below then recognise the marker as
 * a number.  A marker never passes for a string (string getters see it as a
 * number), and a string never passes for a marker (text holding a \u0000
 * escape of its own is not rewritten: jansson's overflow error stands). */
#include "runsc-compat/oci_config.h"

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest JSON path we build ("linux.seccomp.syscalls[12].args[3].valueTwo");
 * longer ones (annotation keys) are truncated in messages only. */
#define PATH_LEN 160
/* A config.json larger than this is not something a client writes. */
#define MAX_FILE_SIZE (16u << 20)
#define UID_MAX_VALID 4294967294u   /* (uid_t)-1 means "no change" to the kernel */
#define ERRNO_MAX 4095u             /* MAX_ERRNO: larger would not read as an error */

struct ctx {
	char *err;                 /* OCI_ERR_MAX bytes */
	const char *file;          /* "config.json" or "process.json" */
	bool marked;               /* big integers were rewritten as markers */
};

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends s to the NUL-terminated dst[size], truncating; returns the new
 * length.  (Used instead of snprintf so that truncation, which only ever
 * shortens a message, needs no per-call check.) */
static size_t cat(char *dst, size_t size, const char *s)
{
	size_t len = strnlen(dst, size - 1);
	size_t n = strnlen(s, size - 1 - len);
	memcpy(dst + len, s, n);
	dst[len + n] = '\0';
	return len + n;
}

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	c->err[0] = '\0';
	cat(c->err, OCI_ERR_MAX, c->file);
	cat(c->err, OCI_ERR_MAX, ": ");
	if (path && *path) {
		cat(c->err, OCI_ERR_MAX, path);
		cat(c->err, OCI_ERR_MAX, ": ");
	}
	size_t len = strlen(c->err);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + len, OCI_ERR_MAX - len, fmt, ap);
	va_end(ap);
	/* One line, whatever the file held: jansson's message quotes the
	 * offending text, and paths may quote keys (found by tests/fuzz). */
	for (char *p = c->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

static int oom(struct ctx *c, const char *path)
{
	return fail(c, path, "out of memory");
}

/* parent.key (or key at the top level) */
static void join(char dst[PATH_LEN], const char *parent, const char *key)
{
	dst[0] = '\0';
	cat(dst, PATH_LEN, parent);
	if (*parent)
		cat(dst, PATH_LEN, ".");
	cat(dst, PATH_LEN, key);
}

/* parent[i] */
static void join_index(char dst[PATH_LEN], const char *parent, size_t i)
{
	char num[24], *p = num + sizeof(num);
	*--p = '\0';
	*--p = ']';
	do
		*--p = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	*--p = '[';
	dst[0] = '\0';
	cat(dst, PATH_LEN, parent);
	cat(dst, PATH_LEN, p);
}

/* parent.key[i] */
static void join_elem(char dst[PATH_LEN], const char *parent, const char *key, size_t i)
{
	char arr[PATH_LEN];
	join(arr, parent, key);
	join_index(dst, arr, i);
}

/* obj[key], with null read as absent. */
static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

/* --- big-integer markers ------------------------------------------------------------ */

/* Only after a rewrite, which refuses text with a \u0000 of its own, can
 * a string starting with NUL be a marker. */
static bool is_big_marker(const struct ctx *c, const json_t *v)
{
	if (!c->marked || !json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	return n > 2 && s[0] == '\0' && s[1] == 'U';
}

static uint64_t big_marker_value(const json_t *v)
{
	return strtoull(json_string_value(v) + 2, NULL, 10);
}

/* Is the literal digits[0..n) a plain integer in (INT64_MAX, UINT64_MAX]? */
static bool needs_marker(const char *digits, size_t n)
{
	if (n < 19 || n > 20 || digits[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return false;
	char buf[21];
	memcpy(buf, digits, n);
	buf[n] = '\0';
	errno = 0;
	unsigned long long v = strtoull(buf, NULL, 10);
	return errno == 0 && v > (unsigned long long)INT64_MAX;
}

/* A copy of json with big unsigned integer literals turned into markers
 * (see the top of the file): 0, -ENOMEM, or -EEXIST if the text has a
 * \u0000 escape of its own (it could forge a marker: not rewritten). */
static int mark_big_integers(const char *json, size_t len, char **out_text, size_t *out_len)
{
	static const char open_marker[] = "\"\\u0000U";
	/* A marker adds 9 bytes to a literal of at least 19. */
	size_t cap = len + len / 2 + 16;
	char *out = malloc(cap);
	if (!out)
		return -ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		char ch = json[i];
		if (ch == '"') {
			/* Copy a string verbatim up to its closing quote. */
			size_t j = i + 1;
			while (j < len && json[j] != '"') {
				if (json[j] == '\\' && len - j >= 6 && memcmp(json + j, "\\u0000", 6) == 0) {
					free(out);
					return -EEXIST;
				}
				j += json[j] == '\\' ? 2 : 1;
			}
			j = j < len ? j + 1 : len;
			memcpy(out + o, json + i, j - i);
			o += j - i;
			i = j;
			continue;
		}
		if ((ch >= '0' && ch <= '9') || ch == '-') {
			size_t j = i;
			while (j < len && strchr("0123456789+-.eE", json[j]) && json[j] != '\0')
				j++;
			if (needs_marker(json + i, j - i)) {
				memcpy(out + o, open_marker, sizeof(open_marker) - 1);
				o += sizeof(open_marker) - 1;
				memcpy(out + o, json + i, j - i);
				o += j - i;
				out[o++] = '"';
			} else {
				memcpy(out + o, json + i, j - i);
				o += j - i;
			}
			i = j;
			continue;
		}
		out[o++] = ch;
		i++;
	}
	*out_text = out;
	*out_len = o;
	return 0;
}

/* Parses a JSON object; NULL with the error set otherwise. */
static json_t *load_object(struct ctx *c, const char *json, size_t len)
{
	json_error_t je;
	const size_t flags = JSON_ALLOW_NUL;
	json_t *root = json_loadb(json, len, flags, &je);
	if (!root && json_error_code(&je) == json_error_numeric_overflow) {
		size_t mlen;
		char *marked;
		int r = mark_big_integers(json, len, &marked, &mlen);
		if (r == -ENOMEM) {
			oom(c, NULL);
			return NULL;
		}
		/* (-EEXIST: jansson's overflow error stands.) */
		if (r == 0) {
			root = json_loadb(marked, mlen, flags, &je);
			free(marked);
			c->marked = true;
		}
	}
	if (!root) {
		if (json_error_code(&je) == json_error_out_of_memory)
			oom(c, NULL);
		else
			fail(c, NULL, "invalid JSON at line %d column %d: %s", je.line, je.column,
			     je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		fail(c, NULL, "expected a JSON object");
		return NULL;
	}
	return root;
}

/* --- typed values ---------------------------------------------------------------- */

/* A string value (no embedded NUL), strdup'd. */
static int str_value(struct ctx *c, json_t *v, const char *path, char **out)
{
	if (!json_is_string(v) || is_big_marker(c, v))
		return fail(c, path, "expected a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(c, path, "contains a NUL character");
	char *s = strdup(json_string_value(v));
	if (!s)
		return oom(c, path);
	free(*out);
	*out = s;
	return 0;
}

/* An unsigned integer in [0, max]; octal: the bound is printed in octal. */
static int u64_value(struct ctx *c, json_t *v, const char *path, uint64_t max, bool octal,
		     uint64_t *out)
{
	uint64_t val;
	if (is_big_marker(c, v)) {
		val = big_marker_value(v);
	} else if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			goto range;
		val = (uint64_t)i;
	} else {
		return fail(c, path, "expected an unsigned integer");
	}
	if (val > max)
		goto range;
	*out = val;
	return 0;
range:
	if (octal)
		return fail(c, path, "out of range (0 to 0%" PRIo64 ")", max);
	return fail(c, path, "out of range (0 to %" PRIu64 ")", max);
}

static int i64_value(struct ctx *c, json_t *v, const char *path, int64_t min, int64_t max,
		     int64_t *out)
{
	if (!json_is_integer(v) && !is_big_marker(c, v))
		return fail(c, path, "expected an integer");
	if (is_big_marker(c, v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(c, path, "out of range (%" PRId64 " to %" PRId64 ")", min, max);
	*out = json_integer_value(v);
	return 0;
}

/* The getters below read obj[key] (path = parent.key): 0 absent (out left
 * alone), 1 read, -1 error (wrong type, out of range, or absent and required). */

static int get_str(struct ctx *c, json_t *obj, const char *parent, const char *key,
		   bool required, char **out)
{
	char path[PATH_LEN];
	join(path, parent, key);
	json_t *v = member(obj, key);
	if (!v)
		return required ? fail(c, path, "required") : 0;
	return str_value(c, v, path, out) < 0 ? -1 : 1;
}

static int get_bool(struct ctx *c, json_t *obj, const char *parent, const char *key, bool *out)
{
	char path[PATH_LEN];
	join(path, parent, key);
	json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(c, path, "expected a boolean");
	*out = json_is_true(v);
	return 1;
}

static int get_u64(struct ctx *c, json_t *obj, const char *parent, const char *key,
		   bool required, uint64_t max, uint64_t *out)
{
	char path[PATH_LEN];
	join(path, parent, key);
	json_t *v = member(obj, key);
	if (!v)
		return required ? fail(c, path, "required") : 0;
	return u64_value(c, v, path, max, false, out) < 0 ? -1 : 1;
}

static int get_u32(struct ctx *c, json_t *obj, const char *parent, const char *key,
		   bool required, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int r = get_u64(c, obj, parent, key, required, max, &v);
	if (r > 0)
		*out = (uint32_t)v;
	return r;
}

static int get_i64(struct ctx *c, json_t *obj, const char *parent, const char *key,
		   int64_t min, int64_t max, int64_t *out)
{
	char path[PATH_LEN];
	join(path, parent, key);
	json_t *v = member(obj, key);
	if (!v)
		return 0;
	return i64_value(c, v, path, min, max, out) < 0 ? -1 : 1;
}

/* obj[key] as an object (path filled in); NULL if absent or on error (*rc). */
static json_t *get_object(struct ctx *c, json_t *obj, const char *parent, const char *key,
			  char path[PATH_LEN], int *rc)
{
	join(path, parent, key);
	json_t *v = member(obj, key);
	*rc = 0;
	if (v && !json_is_object(v)) {
		*rc = fail(c, path, "expected an object");
		return NULL;
	}
	return v;
}

static json_t *get_array(struct ctx *c, json_t *obj, const char *parent, const char *key,
			 char path[PATH_LEN], int *rc)
{
	join(path, parent, key);
	json_t *v = member(obj, key);
	*rc = 0;
	if (v && !json_is_array(v)) {
		*rc = fail(c, path, "expected an array");
		return NULL;
	}
	return v;
}

static void free_strv(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* A NULL-terminated copy of a string array (an empty one if absent). */
static int get_strv(struct ctx *c, json_t *obj, const char *parent, const char *key,
		    char ***out, size_t *n)
{
	char path[PATH_LEN];
	int rc;
	json_t *arr = get_array(c, obj, parent, key, path, &rc);
	if (rc < 0)
		return -1;
	size_t count = arr ? json_array_size(arr) : 0;
	char **v = calloc(count + 1, sizeof(*v));
	if (!v)
		return oom(c, path);
	for (size_t i = 0; i < count; i++) {
		char ipath[PATH_LEN];
		join_index(ipath, path, i);
		if (str_value(c, json_array_get(arr, i), ipath, &v[i]) < 0) {
			free_strv(v);
			return -1;
		}
	}
	free_strv(*out);
	*out = v;
	*n = count;
	return arr ? 1 : 0;
}

/* --- name tables ----------------------------------------------------------------- */

#define NAME(x) [x] = #x
static const char *const cap_names[CAP_LAST_CAP + 1] = {
	NAME(CAP_CHOWN), NAME(CAP_DAC_OVERRIDE), NAME(CAP_DAC_READ_SEARCH), NAME(CAP_FOWNER),
	NAME(CAP_FSETID), NAME(CAP_KILL), NAME(CAP_SETGID), NAME(CAP_SETUID),
	NAME(CAP_SETPCAP), NAME(CAP_LINUX_IMMUTABLE), NAME(CAP_NET_BIND_SERVICE),
	NAME(CAP_NET_BROADCAST), NAME(CAP_NET_ADMIN), NAME(CAP_NET_RAW), NAME(CAP_IPC_LOCK),
	NAME(CAP_IPC_OWNER), NAME(CAP_SYS_MODULE), NAME(CAP_SYS_RAWIO), NAME(CAP_SYS_CHROOT),
	NAME(CAP_SYS_PTRACE), NAME(CAP_SYS_PACCT), NAME(CAP_SYS_ADMIN), NAME(CAP_SYS_BOOT),
	NAME(CAP_SYS_NICE), NAME(CAP_SYS_RESOURCE), NAME(CAP_SYS_TIME),
	NAME(CAP_SYS_TTY_CONFIG), NAME(CAP_MKNOD), NAME(CAP_LEASE), NAME(CAP_AUDIT_WRITE),
	NAME(CAP_AUDIT_CONTROL), NAME(CAP_SETFCAP), NAME(CAP_MAC_OVERRIDE),
	NAME(CAP_MAC_ADMIN), NAME(CAP_SYSLOG), NAME(CAP_WAKE_ALARM), NAME(CAP_BLOCK_SUSPEND),
	NAME(CAP_AUDIT_READ),
#ifdef CAP_PERFMON
	NAME(CAP_PERFMON),
#endif
#ifdef CAP_BPF
	NAME(CAP_BPF),
#endif
#ifdef CAP_CHECKPOINT_RESTORE
	NAME(CAP_CHECKPOINT_RESTORE),
#endif
};
_Static_assert(CAP_LAST_CAP < 64, "capability masks are 64-bit");

static const struct { const char *name; int resource; } rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const char *const ns_names[] = {
	[OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
	[OCI_NS_IPC] = "ipc",       [OCI_NS_UTS] = "uts",         [OCI_NS_USER] = "user",
	[OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

static const char *const seccomp_actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
};

static const char *const seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] && strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* --- process ----------------------------------------------------------------------- */

static int parse_caps(struct ctx *c, json_t *proc, const char *parent, struct oci_process *p)
{
	char path[PATH_LEN];
	int rc;
	json_t *caps = get_object(c, proc, parent, "capabilities", path, &rc);
	if (!caps)
		return rc;
	static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted",
					    "ambient" };
	uint64_t *masks[] = { &p->cap_bounding, &p->cap_effective, &p->cap_inheritable,
			      &p->cap_permitted, &p->cap_ambient };
	for (size_t s = 0; s < ARRAY_LEN(sets); s++) {
		char spath[PATH_LEN];
		json_t *arr = get_array(c, caps, path, sets[s], spath, &rc);
		if (rc < 0)
			return -1;
		for (size_t i = 0; arr && i < json_array_size(arr); i++) {
			char ipath[PATH_LEN];
			char *name = NULL;
			join_index(ipath, spath, i);
			if (str_value(c, json_array_get(arr, i), ipath, &name) < 0)
				return -1;
			int num = -1;
			for (int k = 0; k <= CAP_LAST_CAP; k++)
				if (cap_names[k] && strcmp(cap_names[k], name) == 0)
					num = k;
			if (num < 0) {
				fail(c, ipath, "unknown capability \"%s\"", name);
				free(name);
				return -1;
			}
			free(name);
			*masks[s] |= 1ull << num;
		}
	}
	p->has_caps = true;
	return 0;
}

static int parse_rlimit(struct ctx *c, json_t *v, const char *path, struct oci_rlimit *rl,
			const struct oci_rlimit *prev, size_t nprev)
{
	if (!json_is_object(v))
		return fail(c, path, "expected an object");
	char *type = NULL;
	if (get_str(c, v, path, "type", true, &type) < 0)
		return -1;
	rl->resource = -1;
	for (size_t k = 0; k < ARRAY_LEN(rlimit_names); k++)
		if (strcmp(rlimit_names[k].name, type) == 0)
			rl->resource = rlimit_names[k].resource;
	char tpath[PATH_LEN];
	join(tpath, path, "type");
	int rc = 0;
	if (rl->resource < 0)
		rc = fail(c, tpath, "unknown rlimit \"%s\"", type);
	for (size_t k = 0; rc == 0 && k < nprev; k++)
		if (prev[k].resource == rl->resource)
			rc = fail(c, tpath, "duplicate rlimit \"%s\"", type);
	free(type);
	if (rc < 0)
		return -1;
	if (get_u64(c, v, path, "soft", true, UINT64_MAX, &rl->soft) < 0 ||
	    get_u64(c, v, path, "hard", true, UINT64_MAX, &rl->hard) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return fail(c, path, "soft limit above the hard limit");
	return 0;
}

static int parse_rlimits(struct ctx *c, json_t *proc, const char *parent, struct oci_process *p)
{
	char path[PATH_LEN];
	int rc;
	json_t *arr = get_array(c, proc, parent, "rlimits", path, &rc);
	if (!arr)
		return rc;
	size_t n = json_array_size(arr);
	p->rlimits = calloc(n + 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return oom(c, path);
	for (size_t i = 0; i < n; i++) {
		char ipath[PATH_LEN];
		join_index(ipath, path, i);
		if (parse_rlimit(c, json_array_get(arr, i), ipath, &p->rlimits[i], p->rlimits, i) < 0)
			return -1;
		p->nrlimits = i + 1;
	}
	return 0;
}

static int parse_user(struct ctx *c, json_t *proc, const char *parent, struct oci_process *p)
{
	char path[PATH_LEN];
	int rc;
	json_t *user = get_object(c, proc, parent, "user", path, &rc);
	if (!user)
		return rc;
	if (get_u32(c, user, path, "uid", false, UID_MAX_VALID, &p->uid) < 0 ||
	    get_u32(c, user, path, "gid", false, UID_MAX_VALID, &p->gid) < 0)
		return -1;
	char upath[PATH_LEN];
	join(upath, path, "umask");
	json_t *um = member(user, "umask");
	if (um) {
		uint64_t v;
		if (u64_value(c, um, upath, 0777, true, &v) < 0)
			return -1;
		p->has_umask = true;
		p->umask = (mode_t)v;
	}
	json_t *arr = get_array(c, user, path, "additionalGids", upath, &rc);
	if (rc < 0)
		return -1;
	size_t n = arr ? json_array_size(arr) : 0;
	if (n) {
		p->additional_gids = calloc(n, sizeof(gid_t));
		if (!p->additional_gids)
			return oom(c, upath);
	}
	for (size_t i = 0; i < n; i++) {
		char ipath[PATH_LEN];
		uint64_t v;
		join_index(ipath, upath, i);
		if (u64_value(c, json_array_get(arr, i), ipath, UID_MAX_VALID, false, &v) < 0)
			return -1;
		p->additional_gids[i] = (gid_t)v;
		p->nadditional_gids = i + 1;
	}
	return 0;
}

static int parse_args_env(struct ctx *c, json_t *proc, const char *parent, struct oci_process *p)
{
	char path[PATH_LEN];
	join(path, parent, "args");
	json_t *args = member(proc, "args");
	if (!json_is_array(args) || json_array_size(args) == 0)
		return fail(c, path, "must be a non-empty array of strings");
	if (get_strv(c, proc, parent, "args", &p->args, &p->nargs) < 0)
		return -1;
	if (p->args[0][0] == '\0') {
		join_elem(path, parent, "args", 0);
		return fail(c, path, "must not be empty");
	}
	if (get_strv(c, proc, parent, "env", &p->env, &p->nenv) < 0)
		return -1;
	/* runc refuses these rather than pass a broken environment on. */
	for (size_t i = 0; i < p->nenv; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (!eq || eq == p->env[i]) {
			join_elem(path, parent, "env", i);
			return fail(c, path, eq ? "empty variable name" : "missing '='");
		}
	}
	return 0;
}

static int parse_console_size(struct ctx *c, json_t *proc, const char *parent,
			      struct oci_process *p)
{
	char path[PATH_LEN];
	int rc;
	json_t *cs = get_object(c, proc, parent, "consoleSize", path, &rc);
	if (!cs)
		return rc;
	/* struct winsize holds unsigned shorts. */
	if (get_u32(c, cs, path, "height", true, USHRT_MAX, &p->console_height) < 0 ||
	    get_u32(c, cs, path, "width", true, USHRT_MAX, &p->console_width) < 0)
		return -1;
	return 0;
}

/* proc is the process object; parent its path ("process", or "" for a
 * process.json). */
static int parse_process_obj(struct ctx *c, json_t *proc, const char *parent,
			     struct oci_process *p)
{
	if (get_bool(c, proc, parent, "terminal", &p->terminal) < 0 ||
	    parse_console_size(c, proc, parent, p) < 0 || parse_user(c, proc, parent, p) < 0 ||
	    parse_args_env(c, proc, parent, p) < 0)
		return -1;
	char path[PATH_LEN];
	join(path, parent, "cwd");
	if (get_str(c, proc, parent, "cwd", true, &p->cwd) < 0)
		return -1;
	if (p->cwd[0] != '/')
		return fail(c, path, "must be an absolute path");
	if (parse_caps(c, proc, parent, p) < 0 || parse_rlimits(c, proc, parent, p) < 0 ||
	    get_bool(c, proc, parent, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    get_str(c, proc, parent, "apparmorProfile", false, &p->apparmor_profile) < 0 ||
	    get_str(c, proc, parent, "selinuxLabel", false, &p->selinux_label) < 0)
		return -1;
	int64_t adj;
	int r = get_i64(c, proc, parent, "oomScoreAdj", -1000, 1000, &adj);
	if (r < 0)
		return -1;
	if (r > 0) {
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)adj;
	}
	return 0;
}

void oci_process_free(struct oci_process *p)
{
	if (!p)
		return;
	free_strv(p->args);
	free_strv(p->env);
	free(p->cwd);
	free(p->additional_gids);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	memset(p, 0, sizeof(*p));
}

int oci_process_parse(const char *json, size_t len, struct oci_process *out,
		      char err[OCI_ERR_MAX])
{
	struct ctx c = { .err = err, .file = "process.json" };
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	json_t *root = load_object(&c, json, len);
	if (!root)
		return -1;
	int rc = parse_process_obj(&c, root, "", out);
	json_decref(root);
	if (rc < 0)
		oci_process_free(out);
	return rc;
}

/* --- config: mounts, namespaces, linux -------------------------------------------------- */

static int parse_mount(struct ctx *c, json_t *v, const char *path, struct oci_mount *m)
{
	if (!json_is_object(v))
		return fail(c, path, "expected an object");
	if (get_str(c, v, path, "destination", true, &m->destination) < 0)
		return -1;
	if (m->destination[0] != '/') {
		char dpath[PATH_LEN];
		join(dpath, path, "destination");
		return fail(c, dpath, "must be an absolute path");
	}
	if (get_str(c, v, path, "type", false, &m->type) < 0 ||
	    get_str(c, v, path, "source", false, &m->source) < 0 ||
	    get_strv(c, v, path, "options", &m->options, &m->noptions) < 0)
		return -1;
	m->bind = m->type && strcmp(m->type, "bind") == 0;
	for (size_t i = 0; i < m->noptions; i++) {
		const char *o = m->options[i];
		if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0)
			m->bind = true;
		else if (strcmp(o, "ro") == 0)
			m->readonly = true;
		else if (strcmp(o, "rw") == 0)
			m->readonly = false;
	}
	return 0;
}

static int parse_mounts(struct ctx *c, json_t *root, struct oci_config *cfg)
{
	char path[PATH_LEN];
	int rc;
	json_t *arr = get_array(c, root, "", "mounts", path, &rc);
	if (!arr)
		return rc;
	size_t n = json_array_size(arr);
	cfg->mounts = calloc(n + 1, sizeof(*cfg->mounts));
	if (!cfg->mounts)
		return oom(c, path);
	for (size_t i = 0; i < n; i++) {
		char ipath[PATH_LEN];
		join_index(ipath, path, i);
		/* Counted first so that a half-filled entry is freed too. */
		cfg->nmounts = i + 1;
		if (parse_mount(c, json_array_get(arr, i), ipath, &cfg->mounts[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_namespace(struct ctx *c, json_t *v, const char *path, struct oci_config *cfg,
			   struct oci_namespace *ns)
{
	if (!json_is_object(v))
		return fail(c, path, "expected an object");
	char *type = NULL;
	if (get_str(c, v, path, "type", true, &type) < 0)
		return -1;
	char tpath[PATH_LEN];
	join(tpath, path, "type");
	int found = -1;
	for (size_t k = 0; k < ARRAY_LEN(ns_names); k++)
		if (strcmp(ns_names[k], type) == 0)
			found = (int)k;
	int rc = 0;
	if (found < 0)
		rc = fail(c, tpath, "unknown namespace type \"%s\"", type);
	for (size_t k = 0; rc == 0 && k < cfg->nnamespaces; k++)
		if ((int)cfg->namespaces[k].type == found)
			rc = fail(c, tpath, "duplicate namespace type \"%s\"", type);
	free(type);
	if (rc < 0)
		return -1;
	ns->type = (enum oci_ns_type)found;
	if (get_str(c, v, path, "path", false, &ns->path) < 0)
		return -1;
	/* Go writes "" for "no path": a new namespace. */
	if (ns->path && ns->path[0] == '\0') {
		free(ns->path);
		ns->path = NULL;
	}
	return 0;
}

static int parse_namespaces(struct ctx *c, json_t *lx, const char *parent,
			    struct oci_config *cfg)
{
	char path[PATH_LEN];
	int rc;
	json_t *arr = get_array(c, lx, parent, "namespaces", path, &rc);
	if (!arr)
		return rc;
	size_t n = json_array_size(arr);
	cfg->namespaces = calloc(n + 1, sizeof(*cfg->namespaces));
	if (!cfg->namespaces)
		return oom(c, path);
	for (size_t i = 0; i < n; i++) {
		char ipath[PATH_LEN];
		struct oci_namespace ns = { 0 };
		join_index(ipath, path, i);
		if (parse_namespace(c, json_array_get(arr, i), ipath, cfg, &ns) < 0)
			return -1;
		cfg->namespaces[cfg->nnamespaces++] = ns;
	}
	return 0;
}

/* linux.resources.{memory,pids}.limit: -1 (unlimited), 0 (unset) or a
 * positive number. */
static int parse_limit(struct ctx *c, json_t *res, const char *parent, const char *ctl,
		       bool *has, int64_t *out)
{
	char path[PATH_LEN];
	int rc;
	json_t *obj = get_object(c, res, parent, ctl, path, &rc);
	if (!obj)
		return rc;
	rc = get_i64(c, obj, path, "limit", -1, INT64_MAX, out);
	if (rc > 0)
		*has = true;
	return rc < 0 ? -1 : 0;
}

static int parse_resources(struct ctx *c, json_t *lx, const char *parent,
			   struct oci_config *cfg)
{
	char path[PATH_LEN];
	int rc;
	json_t *res = get_object(c, lx, parent, "resources", path, &rc);
	if (!res)
		return rc;
	if (parse_limit(c, res, path, "memory", &cfg->has_memory_limit, &cfg->memory_limit) < 0 ||
	    parse_limit(c, res, path, "pids", &cfg->has_pids_limit, &cfg->pids_limit) < 0)
		return -1;
	return 0;
}

static int check_action(struct ctx *c, const char *path, const char *action)
{
	if (!in_list(action, seccomp_actions, ARRAY_LEN(seccomp_actions)))
		return fail(c, path, "unknown seccomp action \"%s\"", action);
	return 0;
}

static int parse_seccomp_arg(struct ctx *c, json_t *v, const char *path, struct oci_seccomp_rule *r,
			     size_t i)
{
	if (!json_is_object(v))
		return fail(c, path, "expected an object");
	uint32_t index = 0;
	if (get_u32(c, v, path, "index", true, 5, &index) < 0 ||
	    get_u64(c, v, path, "value", true, UINT64_MAX, &r->args[i].value) < 0 ||
	    get_u64(c, v, path, "valueTwo", false, UINT64_MAX, &r->args[i].value_two) < 0 ||
	    get_str(c, v, path, "op", true, &r->args[i].op) < 0)
		return -1;
	r->args[i].index = index;
	if (!in_list(r->args[i].op, seccomp_ops, ARRAY_LEN(seccomp_ops))) {
		char opath[PATH_LEN];
		join(opath, path, "op");
		return fail(c, opath, "unknown seccomp operator \"%s\"", r->args[i].op);
	}
	return 0;
}

static int parse_seccomp_rule(struct ctx *c, json_t *v, const char *path,
			      struct oci_seccomp_rule *r)
{
	if (!json_is_object(v))
		return fail(c, path, "expected an object");
	char npath[PATH_LEN];
	join(npath, path, "names");
	json_t *names = member(v, "names");
	if (!json_is_array(names) || json_array_size(names) == 0)
		return fail(c, npath, "must be a non-empty array of strings");
	if (get_strv(c, v, path, "names", &r->names, &r->nnames) < 0 ||
	    get_str(c, v, path, "action", true, &r->action) < 0)
		return -1;
	char apath[PATH_LEN];
	join(apath, path, "action");
	if (check_action(c, apath, r->action) < 0)
		return -1;
	int got = get_u32(c, v, path, "errnoRet", false, ERRNO_MAX, &r->errno_ret);
	if (got < 0)
		return -1;
	r->has_errno_ret = got > 0;
	int rc;
	json_t *args = get_array(c, v, path, "args", apath, &rc);
	if (!args)
		return rc;
	size_t n = json_array_size(args);
	r->args = calloc(n + 1, sizeof(*r->args));
	if (!r->args)
		return oom(c, apath);
	for (size_t i = 0; i < n; i++) {
		char ipath[PATH_LEN];
		join_index(ipath, apath, i);
		r->nargs = i + 1;
		if (parse_seccomp_arg(c, json_array_get(args, i), ipath, r, i) < 0)
			return -1;
	}
	return 0;
}

static int parse_seccomp(struct ctx *c, json_t *lx, const char *parent, struct oci_config *cfg)
{
	char path[PATH_LEN];
	int rc;
	json_t *sc = get_object(c, lx, parent, "seccomp", path, &rc);
	if (!sc)
		return rc;
	struct oci_seccomp *s = calloc(1, sizeof(*s));
	if (!s)
		return oom(c, path);
	cfg->seccomp = s;
	if (get_str(c, sc, path, "defaultAction", true, &s->default_action) < 0)
		return -1;
	char fpath[PATH_LEN];
	join(fpath, path, "defaultAction");
	if (check_action(c, fpath, s->default_action) < 0)
		return -1;
	int got = get_u32(c, sc, path, "defaultErrnoRet", false, ERRNO_MAX, &s->default_errno_ret);
	if (got < 0)
		return -1;
	s->has_default_errno_ret = got > 0;
	if (get_strv(c, sc, path, "architectures", &s->architectures, &s->narchitectures) < 0)
		return -1;
	json_t *arr = get_array(c, sc, path, "syscalls", fpath, &rc);
	if (!arr)
		return rc;
	size_t n = json_array_size(arr);
	s->syscalls = calloc(n + 1, sizeof(*s->syscalls));
	if (!s->syscalls)
		return oom(c, fpath);
	for (size_t i = 0; i < n; i++) {
		char ipath[PATH_LEN];
		join_index(ipath, fpath, i);
		s->nsyscalls = i + 1;
		if (parse_seccomp_rule(c, json_array_get(arr, i), ipath, &s->syscalls[i]) < 0)
			return -1;
	}
	return 0;
}

/* maskedPaths / readonlyPaths: absolute paths in the container. */
static int get_paths(struct ctx *c, json_t *lx, const char *parent, const char *key,
		     char ***out, size_t *n)
{
	if (get_strv(c, lx, parent, key, out, n) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		if ((*out)[i][0] != '/') {
			char path[PATH_LEN];
			join_elem(path, parent, key, i);
			return fail(c, path, "must be an absolute path");
		}
	}
	return 0;
}

static int parse_linux(struct ctx *c, json_t *root, struct oci_config *cfg)
{
	char path[PATH_LEN];
	int rc;
	json_t *lx = get_object(c, root, "", "linux", path, &rc);
	if (rc < 0)
		return -1;
	/* Absent: the arrays are still allocated (empty) for the callers. */
	json_t *empty = lx ? NULL : json_object();
	if (!lx && !empty)
		return oom(c, path);
	json_t *l = lx ? lx : empty;
	rc = -1;
	if (parse_namespaces(c, l, path, cfg) < 0 ||
	    get_str(c, l, path, "cgroupsPath", false, &cfg->cgroups_path) < 0 ||
	    parse_resources(c, l, path, cfg) < 0 ||
	    get_paths(c, l, path, "maskedPaths", &cfg->masked_paths, &cfg->nmasked_paths) < 0 ||
	    get_paths(c, l, path, "readonlyPaths", &cfg->readonly_paths, &cfg->nreadonly_paths) < 0 ||
	    parse_seccomp(c, l, path, cfg) < 0)
		goto out;
	rc = 0;
out:
	json_decref(empty);
	return rc;
}

static int parse_annotations(struct ctx *c, json_t *root, struct oci_config *cfg)
{
	char path[PATH_LEN];
	int rc;
	json_t *obj = get_object(c, root, "", "annotations", path, &rc);
	if (!obj)
		return rc;
	size_t n = json_object_size(obj);
	cfg->annotations = calloc(n + 1, sizeof(*cfg->annotations));
	if (!cfg->annotations)
		return oom(c, path);
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		char kpath[PATH_LEN];
		kpath[0] = '\0';
		cat(kpath, sizeof(kpath), path);
		cat(kpath, sizeof(kpath), "[\"");
		cat(kpath, sizeof(kpath), key);
		cat(kpath, sizeof(kpath), "\"]");
		/* A null value is as good as no annotation. */
		if (json_is_null(v))
			continue;
		struct oci_annotation *a = &cfg->annotations[cfg->nannotations++];
		a->key = strdup(key);
		if (!a->key)
			return oom(c, kpath);
		if (str_value(c, v, kpath, &a->value) < 0)
			return -1;
	}
	return 0;
}

static int parse_root(struct ctx *c, json_t *root, struct oci_config *cfg)
{
	char path[PATH_LEN];
	int rc;
	json_t *r = get_object(c, root, "", "root", path, &rc);
	if (rc < 0)
		return -1;
	if (!r)
		return fail(c, path, "required");
	if (get_str(c, r, path, "path", true, &cfg->root_path) < 0 ||
	    get_bool(c, r, path, "readonly", &cfg->root_readonly) < 0)
		return -1;
	if (cfg->root_path[0] == '\0') {
		char ppath[PATH_LEN];
		join(ppath, path, "path");
		return fail(c, ppath, "must not be empty");
	}
	return 0;
}

static int parse_version(struct ctx *c, json_t *root, struct oci_config *cfg)
{
	json_t *v = member(root, "ociVersion");
	if (!v)
		return fail(c, "ociVersion", "required (a version starting with \"1.\")");
	if (str_value(c, v, "ociVersion", &cfg->oci_version) < 0)
		return -1;
	if (strncmp(cfg->oci_version, "1.", 2) != 0)
		return fail(c, "ociVersion", "unsupported version \"%s\" (must start with \"1.\")",
			    cfg->oci_version);
	return 0;
}

static int parse_config_obj(struct ctx *c, json_t *root, struct oci_config *cfg)
{
	if (parse_version(c, root, cfg) < 0 || parse_root(c, root, cfg) < 0)
		return -1;
	char path[PATH_LEN];
	int rc;
	json_t *proc = get_object(c, root, "", "process", path, &rc);
	if (rc < 0)
		return -1;
	if (proc) {
		if (parse_process_obj(c, proc, "process", &cfg->process) < 0)
			return -1;
		cfg->has_process = true;
	}
	if (get_str(c, root, "", "hostname", false, &cfg->hostname) < 0 ||
	    parse_mounts(c, root, cfg) < 0 || parse_linux(c, root, cfg) < 0 ||
	    parse_annotations(c, root, cfg) < 0)
		return -1;
	return 0;
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	free(c->root_path);
	oci_process_free(&c->process);
	free(c->hostname);
	for (size_t i = 0; c->mounts && i < c->nmounts; i++) {
		free(c->mounts[i].destination);
		free(c->mounts[i].type);
		free(c->mounts[i].source);
		free_strv(c->mounts[i].options);
	}
	free(c->mounts);
	for (size_t i = 0; c->namespaces && i < c->nnamespaces; i++)
		free(c->namespaces[i].path);
	free(c->namespaces);
	free(c->cgroups_path);
	free_strv(c->masked_paths);
	free_strv(c->readonly_paths);
	struct oci_seccomp *s = c->seccomp;
	if (s) {
		free(s->default_action);
		free_strv(s->architectures);
		for (size_t i = 0; s->syscalls && i < s->nsyscalls; i++) {
			struct oci_seccomp_rule *r = &s->syscalls[i];
			free_strv(r->names);
			free(r->action);
			for (size_t k = 0; r->args && k < r->nargs; k++)
				free(r->args[k].op);
			free(r->args);
		}
		free(s->syscalls);
		free(s);
	}
	for (size_t i = 0; c->annotations && i < c->nannotations; i++) {
		free(c->annotations[i].key);
		free(c->annotations[i].value);
	}
	free(c->annotations);
	memset(c, 0, sizeof(*c));
}

int oci_config_parse(const char *json, size_t len, struct oci_config *out, char err[OCI_ERR_MAX])
{
	struct ctx c = { .err = err, .file = "config.json" };
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	json_t *root = load_object(&c, json, len);
	if (!root)
		return -1;
	int rc = parse_config_obj(&c, root, out);
	json_decref(root);
	if (rc < 0)
		oci_config_free(out);
	return rc;
}

const char *oci_annotation(const struct oci_config *c, const char *key)
{
	for (size_t i = 0; c->annotations && i < c->nannotations; i++)
		if (c->annotations[i].key && strcmp(c->annotations[i].key, key) == 0)
			return c->annotations[i].value;
	return NULL;
}

/* --- files ------------------------------------------------------------------------------ */

/* The whole file, malloc'd; NULL with err set. */
static char *read_file(const char *path, const char *what, size_t *len, char err[OCI_ERR_MAX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, OCI_ERR_MAX, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 64 << 10, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			if (cap >= MAX_FILE_SIZE) {
				snprintf(err, OCI_ERR_MAX, "%s: %s is too large (more than %u MiB)",
					 what, path, MAX_FILE_SIZE >> 20);
				free(buf);
				close(fd);
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, OCI_ERR_MAX, "cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf) {
		snprintf(err, OCI_ERR_MAX, "cannot read %s: out of memory", path);
		return NULL;
	}
	*len = n;
	return buf;
}

int oci_config_load(const char *path, struct oci_config *out, char err[OCI_ERR_MAX])
{
	size_t len;
	memset(out, 0, sizeof(*out));
	char *buf = read_file(path, "config.json", &len, err);
	if (!buf)
		return -1;
	int rc = oci_config_parse(buf, len, out, err);
	free(buf);
	return rc;
}

int oci_process_load(const char *path, struct oci_process *out, char err[OCI_ERR_MAX])
{
	size_t len;
	memset(out, 0, sizeof(*out));
	char *buf = read_file(path, "process.json", &len, err);
	if (!buf)
		return -1;
	int rc = oci_process_parse(buf, len, out, err);
	free(buf);
	return rc;
}

/* --- the default spec --------------------------------------------------------------------- */

/* runc's `runc spec` (libcontainer/specconv.Example), hostname "sandbox". */
static const char default_spec[] =
	"{\"ociVersion\":\"1.0.2-dev\","
	"\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
	"\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
	"\"TERM=xterm\"],\"cwd\":\"/\","
	"\"capabilities\":{"
	"\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
	"\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
	"\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
	"\"noNewPrivileges\":true},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"hostname\":\"sandbox\","
	"\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
	"\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
	"\"gid=5\"]},"
	"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
	"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
	"\"linux\":{"
	"\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
	"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
	"\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
	"\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
	"\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
	"\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
	"\"/proc/sysrq-trigger\"]}}";

char *oci_default_spec(void)
{
	json_error_t je;
	json_t *spec = json_loads(default_spec, 0, &je);
	if (!spec)
		return NULL;
	char *text = json_dumps(spec, JSON_INDENT(2));
	json_decref(spec);
	if (!text)
		return NULL;
	/* json_dumps' buffer is malloc'd (default allocator): end it with a newline. */
	size_t n = strlen(text);
	char *out = realloc(text, n + 2);
	if (!out) {
		free(text);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}
