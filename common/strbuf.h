/* A growable text buffer with a size cap: past the cap, or out of memory,
 * further text is dropped and `full` says so (what is there stays a valid,
 * NUL-terminated string). */
#ifndef COMMON_STRBUF_H
#define COMMON_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	size_t max;        /* 0: STRBUF_DEFAULT_MAX */
	bool full;
};

#define STRBUF_DEFAULT_MAX (64u << 20)
#define STRBUF_INIT(maxbytes) { .max = (maxbytes) }

/* Room for n more bytes (and the NUL) at b->s + b->len. */
bool strbuf_reserve(struct strbuf *b, size_t n);
void strbuf_append(struct strbuf *b, const void *data, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
__attribute__((format(printf, 2, 3))) void strbuf_printf(struct strbuf *b, const char *fmt, ...);
/* The text so far ("" when empty). */
const char *strbuf_str(const struct strbuf *b);
void strbuf_free(struct strbuf *b);

#endif
