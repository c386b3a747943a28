/* What /proc and /sys show of the host, read once at start-up.  The sentry
 * confines itself after that (docs/security.md: a root holding only /fd,
 * open and openat fail with ENOENT but for re-opening its own fds), yet procfs and sysfs instances are made later
 * too: a pod container's mounts come through the control socket.  So every
 * instance takes its host text from here, never from a host path.  Values
 * that change (free memory, load, uptime) are not kept: procfs asks
 * sysinfo() and the clocks on every read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "sentry/fs/fs.h"

#define HOST_TEXT_MAX (1u << 20)   /* more than any real /proc/cpuinfo */

/* A host file's text, or NULL if it cannot be read or is empty. */
static char *slurp_host(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct strbuf b = STRBUF_INIT(HOST_TEXT_MAX);
	char chunk[4096];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) > 0 && b.len < HOST_TEXT_MAX)
		strbuf_append(&b, chunk, (size_t)r);
	close(fd);
	if (!b.s || b.len == 0) {
		strbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.s;
}

/* CPUs in a list like "0-3,6" (0 if it is not one). */
static int count_cpu_list(const char *s)
{
	int n = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (hi < lo || hi >= HOST_MAX_CPUS)
			return 0;
		n += (int)(hi - lo + 1);
		if (*end != ',')
			return *end == '\n' && end[1] == 0 ? n : 0;
		p = end + 1;
	}
	return 0;
}

/* The host's /sys/devices/system/cpu/NAME ("0-3,6\n"), or "0-(n-1)\n"
 * for the n CPUs online when it cannot be read or makes no sense. */
static char *host_cpu_list(const char *name, long online)
{
	char path[64];
	snprintf(path, sizeof path, "/sys/devices/system/cpu/%s", name);
	size_t len = 0;
	char *text = slurp_host(path, &len);
	if (text) {
		text[strcspn(text, "\n")] = 0;
		char *line = malloc(strlen(text) + 2);
		if (line)
			sprintf(line, "%s\n", text);
		free(text);
		if (line && count_cpu_list(line) > 0)
			return line;
		free(line);
	}
	char buf[32];
	if (online <= 1)
		snprintf(buf, sizeof buf, "0\n");
	else
		snprintf(buf, sizeof buf, "0-%ld\n", online - 1);
	return strdup(buf);
}

int host_facts_read(struct host_facts *h)
{
	memset(h, 0, sizeof *h);
	h->cpuinfo = slurp_host("/proc/cpuinfo", &h->cpuinfo_len);
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	h->cpu_online = host_cpu_list("online", online);
	h->cpu_possible = host_cpu_list("possible", online);
	h->cpu_present = host_cpu_list("present", online);
	if (!h->cpu_online || !h->cpu_possible || !h->cpu_present) {
		host_facts_free(h);
		return -ENOMEM;
	}
	h->ncpus = count_cpu_list(h->cpu_online);
	return 0;
}

void host_facts_free(struct host_facts *h)
{
	free(h->cpuinfo);
	free(h->cpu_online);
	free(h->cpu_possible);
	free(h->cpu_present);
	memset(h, 0, sizeof *h);
}
