/* libFuzzer harness: the control socket's requests (sentry/kernel/spawn.c
 * and container.c), which the runtime's CLI sends to a running sandbox:
 * the field readers (ctl_field, ctl_uint, ctl_list) in the order EXEC,
 * SIGNAL and CONTAINER read them, and the two encoded settings fields
 * (sandbox_process_decode in boot_oci.c, seccomp_filter_decode in
 * seccomp_filter.c).  What a decoder accepts must survive encode/decode
 * unchanged.  The request handlers themselves act on a kernel (spawn,
 * signal, mounts) and are not run: this follows their parsing steps only
 * (spawn.c handle/handle_signal, container.c parse_process). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp_filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSG_MAX 65536    /* SPAWN_MSG_MAX */
#define MAX_ARGS 4096    /* SPAWN_MAX_ARGS, CONTAINER_MAX_ARGS */

static void settings_roundtrip(const char *s)
{
	struct sandbox_process *p = NULL, *q = NULL;
	if (sandbox_process_decode(s, strlen(s), &p) < 0)
		return;
	char *t = sandbox_process_encode(p);
	if (!t || sandbox_process_decode(t, strlen(t), &q) < 0)
		abort();
	char *u = sandbox_process_encode(q);
	if (!u || strcmp(t, u) != 0)
		abort();
	free(t);
	free(u);
	sandbox_process_free(p);
	sandbox_process_free(q);
}

static void filter_roundtrip(const char *s)
{
	struct seccomp_filter *f = NULL, *g = NULL;
	if (seccomp_filter_decode(s, strlen(s), &f) < 0)
		return;
	char *t = seccomp_filter_encode(f);
	if (!t || seccomp_filter_decode(t, strlen(t), &g) < 0)
		abort();
	char *u = seccomp_filter_encode(g);
	if (!u || strcmp(t, u) != 0)
		abort();
	free(t);
	free(u);
	seccomp_filter_free(f);
	seccomp_filter_free(g);
}

/* EXEC / EXECTTY: uid gid cwd nargs args... nenv env... [settings]. */
static void parse_exec(char *buf, size_t len, size_t pos)
{
	unsigned long long uid, gid;
	char **argv = NULL, **envp = NULL;
	if (!ctl_uint(buf, len, &pos, 0xfffffffeULL, &uid) ||
	    !ctl_uint(buf, len, &pos, 0xfffffffeULL, &gid))
		return;
	const char *cwd = ctl_field(buf, len, &pos);
	if (!cwd || cwd[0] != '/')
		return;
	if ((argv = ctl_list(buf, len, &pos, MAX_ARGS)) && argv[0] &&
	    (envp = ctl_list(buf, len, &pos, MAX_ARGS))) {
		const char *settings = pos < len ? ctl_field(buf, len, &pos) : NULL;
		if (settings && pos >= len)
			settings_roundtrip(settings);
	}
	free(argv);
	free(envp);
}

/* SIGNAL: pid signal. */
static void parse_signal(char *buf, size_t len, size_t pos)
{
	const char *ps = ctl_field(buf, len, &pos);
	unsigned long long sig;
	if (!ps || !ctl_uint(buf, len, &pos, 64, &sig) || sig == 0)
		return;
	long pid = strcmp(ps, "-1") == 0 ? -1 : strtol(ps, NULL, 10);
	(void)pid;
}

/* CONTAINER: id uid gid cwd tty ro pidns nargs args... nenv env...
 * settings filter, then the mounts (not followed here). */
static void parse_container(char *buf, size_t len, size_t pos)
{
	unsigned long long uid, gid, tty, ro, pidns;
	char **argv = NULL, **envp = NULL;
	const char *id = ctl_field(buf, len, &pos);
	if (!id || !*id || !ctl_uint(buf, len, &pos, 0xfffffffeULL, &uid) ||
	    !ctl_uint(buf, len, &pos, 0xfffffffeULL, &gid))
		return;
	const char *cwd = ctl_field(buf, len, &pos);
	if (!cwd || cwd[0] != '/' || !ctl_uint(buf, len, &pos, 1, &tty) ||
	    !ctl_uint(buf, len, &pos, 1, &ro) || !ctl_uint(buf, len, &pos, 1, &pidns))
		return;
	if ((argv = ctl_list(buf, len, &pos, MAX_ARGS)) && argv[0] &&
	    (envp = ctl_list(buf, len, &pos, MAX_ARGS))) {
		const char *proc = ctl_field(buf, len, &pos), *filter = NULL;
		if (proc && (filter = ctl_field(buf, len, &pos))) {
			settings_roundtrip(proc);
			if (*filter)
				filter_roundtrip(filter);
		}
	}
	free(argv);
	free(envp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > MSG_MAX - 1)
		return 0;
	/* As spawn_serve_conn receives it: the message, then a NUL. */
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	size_t pos = 0;
	const char *magic = ctl_field(buf, size, &pos);
	if (magic && (strcmp(magic, "EXEC") == 0 || strcmp(magic, "EXECTTY") == 0))
		parse_exec(buf, size, pos);
	else if (magic && strcmp(magic, "SIGNAL") == 0)
		parse_signal(buf, size, pos);
	else if (magic && strcmp(magic, "CONTAINER") == 0)
		parse_container(buf, size, pos);
	else if (magic && strcmp(magic, "SP") == 0 && pos < size)
		settings_roundtrip(buf + pos);   /* the decoders alone, from any text */
	else if (magic && strcmp(magic, "SF") == 0 && pos < size)
		filter_roundtrip(buf + pos);
	free(buf);
	return 0;
}
