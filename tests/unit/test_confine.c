/* The confinement tables (common/confine.h): every one builds into a
 * filter, and docs/security.md lists exactly the syscalls each allows (a
 * deny table: each traps). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/confine.h"

static const struct confine_table *const tables[] = {
	&confine_sentry_table, &confine_gofer_table, &confine_proxy_table,
	&confine_forwarder_table, &confine_sentry_late_table,
};

Test(confine, tables_build)
{
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		cr_expect_eq(confine_check_table(tables[i]), 0, "%s", tables[i]->who);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The table's syscall names, sorted, unique, space-separated; errno rules
 * as "name=ERRNO". */
static char *table_names(const struct confine_table *t)
{
	const char **v = calloc(t->nrules, sizeof *v);
	char (*buf)[64] = calloc(t->nrules, sizeof *buf);
	size_t n = 0;
	for (size_t i = 0; i < t->nrules; i++) {
		snprintf(buf[i], sizeof buf[i], "%s%s", t->rules[i].name,
			 t->rules[i].errno_ret ? "=ERRNO" : "");
		v[n++] = buf[i];
	}
	qsort(v, n, sizeof *v, cmp_str);
	char *out = calloc(n + 1, 64);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (*out)
			strcat(out, " ");
		strcat(out, v[i]);
	}
	free(v);
	free(buf);
	return out;
}

/* The block "<!-- syscalls WHO -->" ... "<!-- end -->" of the doc, its
 * words sorted and unique, each cut at "(" (conditions are prose). */
static char *doc_names(const char *doc, const char *who)
{
	char marker[64];
	snprintf(marker, sizeof marker, "<!-- syscalls %s -->", who);
	const char *start = strstr(doc, marker);
	if (!start)
		return strdup("(no block)");
	start += strlen(marker);
	const char *end = strstr(start, "<!-- end -->");
	if (!end)
		return strdup("(no end)");
	char *text = strndup(start, (size_t)(end - start));
	const char *v[512];
	size_t n = 0;
	for (char *save, *w = strtok_r(text, " \t\n`,", &save); w && n < 512;
	     w = strtok_r(NULL, " \t\n`,", &save)) {
		w[strcspn(w, "(")] = 0;
		if (*w)
			v[n++] = w;
	}
	qsort(v, n, sizeof *v, cmp_str);
	char *out = calloc(n + 1, 64);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (*out)
			strcat(out, " ");
		strcat(out, v[i]);
	}
	free(text);
	return out;
}

Test(confine, doc_lists_match_tables)
{
	FILE *f = fopen("docs/security.md", "re");
	cr_assert(f, "docs/security.md (run from the repository's root)");
	static char doc[1 << 18];
	size_t n = fread(doc, 1, sizeof doc - 1, f);
	fclose(f);
	doc[n] = 0;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		char *want = table_names(tables[i]);
		const char *list = tables[i]->list ? tables[i]->list : tables[i]->who;
		char *got = doc_names(doc, list);
		cr_expect_str_eq(got, want, "docs/security.md's list %s differs from its table:\n"
				 "doc:   %s\ntable: %s", list, got, want);
		free(want);
		free(got);
	}
}
