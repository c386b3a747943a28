#include <stdlib.h>
#include <string.h>

#include "proj.h"

char *str_reverse(const char *s)
{
	size_t n = strlen(s);
	char *r = malloc(n + 1);

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = s[n - 1 - i];
	r[n] = '\0';
	return r;
}

unsigned long fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned long h = 1469598103934665603UL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211UL;
	}
	return h;
}
