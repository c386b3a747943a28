#include <stdlib.h>

#include "proj.h"

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

void sort_longs(long *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_long);
}

void stats_compute(const long *v, size_t n, struct stats *out)
{
	out->n = n;
	out->sum = 0;
	out->min = n ? (double)v[0] : 0;
	out->max = out->min;
	for (size_t i = 0; i < n; i++) {
		out->sum += v[i];
		if (v[i] < out->min)
			out->min = (double)v[i];
		if (v[i] > out->max)
			out->max = (double)v[i];
	}
	out->mean = n ? (double)out->sum / (double)n : 0;
}
