#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proj.h"

int main(int argc, char **argv)
{
	long v[1000];
	struct stats st;
	unsigned long seed = 12345;

	for (size_t i = 0; i < 1000; i++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		v[i] = (long)(seed >> 33) % 100000;
	}
	stats_compute(v, 1000, &st);
	printf("n=%zu sum=%ld mean=%.3f min=%.0f max=%.0f\n", st.n, st.sum, st.mean, st.min, st.max);
	sort_longs(v, 1000);
	printf("sorted: %ld %ld ... %ld, median %.1f\n", v[0], v[1], v[999], (v[499] + v[500]) / 2.0);
	printf("sqrt(2)=%.12f (libm)\n", sqrt(2.0));
	for (int i = 1; i < argc; i++) {
		char *r = str_reverse(argv[i]);
		printf("arg %d: %s reversed %s fnv1a %016lx\n", i, argv[i], r, fnv1a(argv[i], strlen(argv[i])));
		free(r);
	}
	return argc > 3 ? 3 : 0;
}
