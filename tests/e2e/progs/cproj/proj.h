/* A small multi-file C program built by t_prog_gcc.sh with make -j2. */
#ifndef PROJ_H
#define PROJ_H

#include <stddef.h>

/* util.c */
char *str_reverse(const char *s);
unsigned long fnv1a(const void *data, size_t len);

/* stats.c */
struct stats {
	size_t n;
	double mean, min, max;
	long sum;
};
void stats_compute(const long *v, size_t n, struct stats *out);
void sort_longs(long *v, size_t n);

#endif
