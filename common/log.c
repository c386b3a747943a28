#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum log_level current_level = LOG_WARN;
static const char *current_prefix = "sentry";

void log_set_level(enum log_level level)
{
	current_level = level;
}

void log_set_prefix(const char *prefix)
{
	current_prefix = prefix;
}

bool log_enabled(enum log_level level)
{
	return level <= current_level;
}

/* One write(2) per message so that lines from several threads and
 * processes do not interleave. */
__attribute__((format(printf, 1, 0))) static void log_vwrite(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "%s: ", current_prefix);
	if (n < 0)
		return;
	int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof buf - 2)
		len = sizeof buf - 2;
	buf[len++] = '\n';
	ssize_t r = write(STDERR_FILENO, buf, len);
	(void)r;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(fmt, ap);
	va_end(ap);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(fmt, ap);
	va_end(ap);
	exit(status);
}
