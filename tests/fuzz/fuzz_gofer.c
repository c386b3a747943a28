/* libFuzzer harness: the gofer wire protocol decoders (gofer/protocol.c).
 *
 * The same bytes go to both directions: as a request (what the gofer
 * receives from a possibly compromised sentry) and as a reply (what the
 * sentry receives from the gofer).  A message either decoder accepts must
 * encode back to exactly the same bytes (the format has one encoding per
 * message), and a READDIR reply's entries must walk to the end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gofer/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[GOFER_MSG_MAX];

static void check_req(const uint8_t *data, size_t size)
{
	static struct gofer_req r;
	struct gofer_hdr h;
	(void)gofer_decode_hdr(data, size, &h);
	if (gofer_decode_req(data, size, &r) < 0)
		return;
	int n = gofer_encode_req(&r, out, sizeof out);
	if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
		abort();   /* accepted, but not what the encoder makes of it */
	(void)gofer_op_name(r.op);
}

static void check_reply(const uint8_t *data, size_t size)
{
	static struct gofer_reply r;
	if (gofer_decode_reply(data, size, &r) < 0)
		return;
	if (r.dirents) {
		if (r.dirents < data || r.dirents + r.dirents_len > data + size)
			abort();
		const uint8_t *p = r.dirents;
		size_t left = r.dirents_len;
		struct gofer_dirent d;
		uint32_t n = 0;
		int e;
		while ((e = gofer_dirent_next(&p, &left, &d)) > 0)
			n++;
		if (e < 0 || n != r.count)
			abort();   /* the decoder checked them: they must walk */
	}
	int n = gofer_encode_reply(&r, out, sizeof out);
	if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so that ASan sees any read past it. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_req(buf, size);
	check_reply(buf, size);
	free(buf);
	return 0;
}
