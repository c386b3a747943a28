/* libFuzzer harness: the OCI config.json and process.json parsers
 * (runsc-compat/oci_config.c).  The same text goes to both.  A bad file
 * must give a one-line message; a good one the invariants oci_config.h
 * promises (arrays non-NULL and NULL-terminated, counts that match). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runsc-compat/oci_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int r, const char err[OCI_ERR_MAX])
{
	if (r != 0 && r != -1)
		abort();
	if (r == 0)
		return;
	size_t n = strnlen(err, OCI_ERR_MAX);
	if (n == 0 || n == OCI_ERR_MAX || memchr(err, '\n', n))
		abort();   /* the user gets one line, always */
}

static void check_strv(char **v, size_t n)
{
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!v[i])
			abort();
	if (v[n])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Not NUL-terminated, as the API allows: ASan sees a read past len. */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	char err[OCI_ERR_MAX];

	struct oci_config c;
	memset(&c, 0, sizeof c);
	memset(err, 0, sizeof err);
	int r = oci_config_parse(text, size, &c, err);
	check_err(r, err);
	if (r == 0 && c.has_process) {
		check_strv(c.process.args, c.process.nargs);
		check_strv(c.process.env, c.process.nenv);
		if (c.process.nargs == 0)
			abort();
	}
	if (r == 0)
		(void)oci_annotation(&c, "io.kubernetes.cri.container-type");
	oci_config_free(&c);
	oci_config_free(&c);   /* documented as harmless */

	struct oci_process p;
	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof err);
	r = oci_process_parse(text, size, &p, err);
	check_err(r, err);
	if (r == 0) {
		check_strv(p.args, p.nargs);
		check_strv(p.env, p.nenv);
	}
	oci_process_free(&p);
	free(text);
	return 0;
}
