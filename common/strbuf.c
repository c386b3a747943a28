#include "common/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool strbuf_reserve(struct strbuf *b, size_t n)
{
	size_t max = b->max ? b->max : STRBUF_DEFAULT_MAX;
	if (b->full)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	if (n >= max || b->len + n + 1 > max) {
		b->full = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (cap > max)
		cap = max;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->full = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void strbuf_append(struct strbuf *b, const void *data, size_t n)
{
	if (n == 0 || !strbuf_reserve(b, n))
		return;
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = 0;
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_append(b, s, strlen(s));
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		strbuf_append(b, small, (size_t)n);
		return;
	}
	if (!strbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *strbuf_str(const struct strbuf *b)
{
	return b->s ? b->s : "";
}

void strbuf_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->full = false;
}
