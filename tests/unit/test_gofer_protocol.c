/* The gofer wire format: round trips of every message, and every way a
 * message can be malformed (truncated, oversized, lengths that disagree,
 * bad names, bad flags), which must be refused without reading outside the
 * buffer (the tests run under ASan/UBSan). */
#include "gofer/protocol.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* --- samples -------------------------------------------------------------- */

static void fill_name(char *dst, size_t len, char c)
{
	memset(dst, c, len);
	dst[len] = '\0';
}

/* A valid request of each op, zero everywhere the op carries nothing, so
 * that a decoded copy compares equal with memcmp. */
static void sample_req(uint16_t op, struct gofer_req *r)
{
	memset(r, 0, sizeof *r);
	r->op = op;
	r->tag = 0xdeadbeef;
	switch (op) {
	case GOFER_OP_ATTACH:
		r->mount = 3;
		return;
	case GOFER_OP_OPEN:
		r->flags = O_RDWR | O_APPEND | O_TRUNC;
		break;
	case GOFER_OP_CREATE:
		r->flags = O_WRONLY | O_TRUNC;
		r->mode = 04755;
		r->uid = 1000;
		r->gid = 100;
		strcpy(r->name, "new file");
		break;
	case GOFER_OP_MKDIR:
		r->mode = 01777;
		r->uid = 0;
		r->gid = 7;
		fill_name(r->name, GOFER_NAME_MAX, 'd');
		break;
	case GOFER_OP_MKNOD:
		r->mode = S_IFIFO | 0600;
		r->rdev = 0x1234;
		r->uid = 1;
		r->gid = 2;
		strcpy(r->name, "fifo");
		break;
	case GOFER_OP_SYMLINK:
		r->uid = 5;
		r->gid = 6;
		strcpy(r->name, "link");
		fill_name(r->target, GOFER_PATH_MAX, 't');
		r->target[0] = '/';
		break;
	case GOFER_OP_LINK:
		r->node2 = 0x100000002ull;
		strcpy(r->name, ".hidden");
		break;
	case GOFER_OP_UNLINK:
		r->flags = AT_REMOVEDIR;
		strcpy(r->name, "...");
		break;
	case GOFER_OP_RENAME:
		r->node2 = 77;
		r->flags = RENAME_EXCHANGE;
		strcpy(r->name, "a");
		strcpy(r->name2, "b");
		break;
	case GOFER_OP_SETATTR:
		r->attr = (struct gofer_setattr){
			.mask = GOFER_SETATTR_ALL, .mode = 0644, .uid = 1, .gid = 2,
			.size = 1ull << 40, .atime = { -5, UTIME_NOW },
			.mtime = { 1700000000, 999999999 },
		};
		break;
	case GOFER_OP_READDIR:
		r->cookie = 0x7fffffffffffffffull;
		break;
	case GOFER_OP_WALK:
		strcpy(r->name, "etc");
		break;
	default:
		break;
	}
	r->node = 0x0000000500000009ull;
}

static uint8_t dirents_buf[GOFER_DIRENTS_MAX];

static struct gofer_stat sample_stat(void)
{
	return (struct gofer_stat){
		.ino = 1, .dev = 2, .rdev = 3, .size = 4, .blocks = 5, .nlink = 6,
		.mode = S_IFREG | 0644, .uid = 7, .gid = 8, .blksize = 4096,
		.atime = { 9, 10 }, .mtime = { 11, 12 }, .ctime = { -13, 14 },
	};
}

static void sample_reply(uint16_t op, struct gofer_reply *r)
{
	memset(r, 0, sizeof *r);
	r->op = op;
	r->tag = 42;
	switch (op) {
	case GOFER_OP_ATTACH: case GOFER_OP_WALK: case GOFER_OP_CREATE:
	case GOFER_OP_MKDIR: case GOFER_OP_MKNOD: case GOFER_OP_SYMLINK:
		r->node = 0x123456789ull;
		r->stat = sample_stat();
		break;
	case GOFER_OP_STAT: case GOFER_OP_LINK: case GOFER_OP_SETATTR:
		r->stat = sample_stat();
		break;
	case GOFER_OP_READLINK:
		strcpy(r->target, "../../../../..");
		break;
	case GOFER_OP_STATFS:
		r->statfs = (struct gofer_statfs){ 1, 2, 3, 4, 5, 6, 7, { 8, 9 }, 10, 11, 12 };
		break;
	case GOFER_OP_READDIR: {
		size_t used = 0;
		cr_assert_eq(gofer_dirent_put(dirents_buf, sizeof dirents_buf, &used, 10, 1,
					      DT_REG, "one"), 0);
		cr_assert_eq(gofer_dirent_put(dirents_buf, sizeof dirents_buf, &used, 11, 2,
					      DT_DIR, "two"), 0);
		r->dirents = dirents_buf;
		r->dirents_len = used;
		r->count = 2;
		r->cookie = 2;
		r->eof = true;
		break;
	}
	default:
		break;
	}
}

static int encode_sample_req(uint16_t op, uint8_t *buf, size_t cap)
{
	struct gofer_req r;
	sample_req(op, &r);
	int len = gofer_encode_req(&r, buf, cap);
	cr_assert_gt(len, 0, "op %s: %d", gofer_op_name(op), len);
	return len;
}

static int encode_sample_reply(uint16_t op, uint8_t *buf, size_t cap)
{
	struct gofer_reply r;
	sample_reply(op, &r);
	int len = gofer_encode_reply(&r, buf, cap);
	cr_assert_gt(len, 0, "op %s: %d", gofer_op_name(op), len);
	return len;
}

static void set_len(uint8_t *buf, uint32_t len)
{
	memcpy(buf, &len, sizeof len);
}

/* A heap copy of exactly len bytes, so that ASan flags any read past it. */
static uint8_t *exact(const uint8_t *buf, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	cr_assert_not_null(p);
	memcpy(p, buf, len);
	return p;
}

static int decode_req_exact(const uint8_t *buf, size_t len, struct gofer_req *r)
{
	uint8_t *p = exact(buf, len);
	int e = gofer_decode_req(p, len, r);
	free(p);
	return e;
}

static int decode_reply_exact(const uint8_t *buf, size_t len, struct gofer_reply *r)
{
	uint8_t *p = exact(buf, len);
	int e = gofer_decode_reply(p, len, r);
	free(p);
	return e;
}

static uint8_t buf[GOFER_MSG_MAX + 64];

/* --- round trips ---------------------------------------------------------- */

Test(gofer_protocol, request_round_trip_every_op)
{
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		struct gofer_req in, out;
		sample_req(op, &in);
		int len = gofer_encode_req(&in, buf, sizeof buf);
		cr_assert_gt(len, 0, "%s", gofer_op_name(op));
		cr_assert_eq(decode_req_exact(buf, (size_t)len, &out), 0, "%s", gofer_op_name(op));
		cr_assert_eq(memcmp(&in, &out, sizeof in), 0, "%s differs", gofer_op_name(op));
	}
}

Test(gofer_protocol, reply_round_trip_every_op)
{
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		struct gofer_reply in, out;
		sample_reply(op, &in);
		int len = gofer_encode_reply(&in, buf, sizeof buf);
		cr_assert_gt(len, 0, "%s", gofer_op_name(op));
		cr_assert_eq(gofer_decode_reply(buf, (size_t)len, &out), 0, "%s", gofer_op_name(op));
		if (op == GOFER_OP_READDIR) {
			cr_assert_eq(out.count, 2);
			cr_assert_eq(out.cookie, 2);
			cr_assert(out.eof);
			cr_assert_eq(out.dirents_len, in.dirents_len);
			cr_assert_eq(memcmp(out.dirents, in.dirents, in.dirents_len), 0);
			out.dirents = in.dirents;
		}
		cr_assert_eq(memcmp(&in, &out, sizeof in), 0, "%s differs", gofer_op_name(op));
	}
}

Test(gofer_protocol, error_reply_round_trip_every_op)
{
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		struct gofer_reply in, out;
		sample_reply(op, &in);
		in.error = ENOENT;
		int len = gofer_encode_reply(&in, buf, sizeof buf);
		cr_assert_eq(len, (int)GOFER_HDR_SIZE, "%s: an error reply has no body",
			     gofer_op_name(op));
		cr_assert_eq(decode_reply_exact(buf, (size_t)len, &out), 0);
		cr_assert_eq(out.error, ENOENT);
		cr_assert_eq(out.op, op);
		cr_assert_eq(out.tag, 42);
	}
}

Test(gofer_protocol, error_reply_for_unknown_op)
{
	int len = gofer_encode_error(0xffff, 7, EINVAL, buf, sizeof buf);
	cr_assert_eq(len, (int)GOFER_HDR_SIZE);
	struct gofer_hdr h;
	cr_assert_eq(gofer_decode_hdr(buf, (size_t)len, &h), 0);
	cr_assert_eq(h.op, 0xffff);
	cr_assert_eq(h.tag, 7);
	cr_assert_eq(h.error, EINVAL);
	cr_assert_eq(gofer_encode_error(1, 1, 0, buf, sizeof buf), -EINVAL);
	cr_assert_eq(gofer_encode_error(1, 1, 4096, buf, sizeof buf), -EINVAL);
}

Test(gofer_protocol, readdir_reply_with_a_full_batch)
{
	size_t used = 0;
	uint32_t n = 0;
	char name[GOFER_NAME_MAX + 1];
	for (;; n++) {
		snprintf(name, sizeof name, "%0200u", n);
		int r = gofer_dirent_put(dirents_buf, sizeof dirents_buf, &used, n, n + 1,
					 DT_REG, name);
		if (r == -ENOSPC)
			break;
		cr_assert_eq(r, 0);
	}
	cr_assert_gt(n, 100);
	struct gofer_reply in = { .op = GOFER_OP_READDIR, .tag = 1, .cookie = n,
				  .count = n, .dirents = dirents_buf, .dirents_len = used };
	int len = gofer_encode_reply(&in, buf, sizeof buf);
	cr_assert_gt(len, 0);
	cr_assert_leq((size_t)len, GOFER_MSG_MAX);
	struct gofer_reply out;
	cr_assert_eq(decode_reply_exact(buf, (size_t)len, &out), 0);
	/* out.dirents pointed into the freed copy: decode again in place. */
	cr_assert_eq(gofer_decode_reply(buf, (size_t)len, &out), 0);
	const uint8_t *p = out.dirents;
	size_t left = out.dirents_len;
	struct gofer_dirent d;
	for (uint32_t i = 0; i < n; i++) {
		cr_assert_eq(gofer_dirent_next(&p, &left, &d), 1);
		snprintf(name, sizeof name, "%0200u", i);
		cr_assert_str_eq(d.name, name);
		cr_assert_eq(d.ino, i);
		cr_assert_eq(d.off, i + 1);
		cr_assert_eq(d.type, DT_REG);
	}
	cr_assert_eq(gofer_dirent_next(&p, &left, &d), 0);
}

Test(gofer_protocol, stat_conversions_round_trip)
{
	struct stat st;
	cr_assert_eq(stat("/", &st), 0);
	struct gofer_stat g;
	gofer_stat_from_host(&g, &st);
	struct stat back;
	gofer_stat_to_host(&back, &g);
	cr_assert_eq(back.st_ino, st.st_ino);
	cr_assert_eq(back.st_dev, st.st_dev);
	cr_assert_eq(back.st_mode, st.st_mode);
	cr_assert_eq(back.st_nlink, st.st_nlink);
	cr_assert_eq(back.st_mtim.tv_sec, st.st_mtim.tv_sec);
	cr_assert_eq(back.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
	struct statfs sf, sfback;
	cr_assert_eq(statfs("/", &sf), 0);
	struct gofer_statfs gs;
	gofer_statfs_from_host(&gs, &sf);
	gofer_statfs_to_host(&sfback, &gs);
	cr_assert_eq(sfback.f_type, sf.f_type);
	cr_assert_eq(sfback.f_blocks, sf.f_blocks);
	cr_assert_eq(memcmp(&sfback.f_fsid, &sf.f_fsid, sizeof sf.f_fsid), 0);
	cr_assert_eq(sfback.f_namelen, sf.f_namelen);
}

/* --- truncation and lengths ----------------------------------------------- */

Test(gofer_protocol, truncated_requests_at_every_length)
{
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		int len = encode_sample_req(op, buf, sizeof buf);
		struct gofer_req r;
		for (int k = 0; k < len; k++) {
			/* The header still claims the full length... */
			cr_assert_lt(decode_req_exact(buf, (size_t)k, &r), 0, "%s at %d",
				     gofer_op_name(op), k);
			/* ...or agrees with the truncated buffer. */
			uint8_t *p = exact(buf, (size_t)k);
			if (k >= 4)
				set_len(p, (uint32_t)k);
			cr_assert_lt(gofer_decode_req(p, (size_t)k, &r), 0, "%s cut at %d",
				     gofer_op_name(op), k);
			free(p);
		}
	}
}

Test(gofer_protocol, truncated_replies_at_every_length)
{
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		int len = encode_sample_reply(op, buf, sizeof buf);
		struct gofer_reply r;
		for (int k = 0; k < len; k++) {
			cr_assert_lt(decode_reply_exact(buf, (size_t)k, &r), 0, "%s at %d",
				     gofer_op_name(op), k);
			uint8_t *p = exact(buf, (size_t)k);
			if (k >= 4)
				set_len(p, (uint32_t)k);
			int e = gofer_decode_reply(p, (size_t)k, &r);
			free(p);
			/* A readdir batch cut exactly between entries is still a
			 * well-formed message, but its count no longer agrees. */
			cr_assert_lt(e, 0, "%s cut at %d", gofer_op_name(op), k);
		}
	}
}

Test(gofer_protocol, trailing_bytes_are_refused)
{
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		int len = encode_sample_req(op, buf, sizeof buf);
		buf[len] = 0;
		set_len(buf, (uint32_t)len + 1);
		struct gofer_req r;
		cr_assert_eq(decode_req_exact(buf, (size_t)len + 1, &r), -EINVAL, "%s",
			     gofer_op_name(op));
		if (op == GOFER_OP_READDIR)
			continue;	/* trailing bytes there are a bad entry: below */
		len = encode_sample_reply(op, buf, sizeof buf);
		buf[len] = 0;
		set_len(buf, (uint32_t)len + 1);
		struct gofer_reply p;
		cr_assert_eq(decode_reply_exact(buf, (size_t)len + 1, &p), -EINVAL, "%s",
			     gofer_op_name(op));
	}
}

Test(gofer_protocol, length_field_disagreeing_with_the_buffer)
{
	int len = encode_sample_req(GOFER_OP_WALK, buf, sizeof buf);
	struct gofer_req r;
	uint32_t claims[] = { 0, 1, 15, 16, (uint32_t)len - 1, (uint32_t)len + 1,
			      GOFER_MSG_MAX, GOFER_MSG_MAX + 1, 0x7fffffff, 0xffffffff };
	for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
		set_len(buf, claims[i]);
		cr_assert_lt(decode_req_exact(buf, (size_t)len, &r), 0, "claim %u", claims[i]);
	}
	set_len(buf, 0xffffffff);
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EMSGSIZE);
}

Test(gofer_protocol, oversized_buffers_are_refused)
{
	static uint8_t big[GOFER_MSG_MAX + 1];
	int len = encode_sample_req(GOFER_OP_STAT, big, sizeof big);
	(void)len;
	set_len(big, GOFER_MSG_MAX + 1);
	struct gofer_req r;
	cr_assert_eq(gofer_decode_req(big, sizeof big, &r), -EMSGSIZE);
	struct gofer_reply p;
	cr_assert_eq(gofer_decode_reply(big, sizeof big, &p), -EMSGSIZE);
	struct gofer_hdr h;
	cr_assert_eq(gofer_decode_hdr(big, sizeof big, &h), -EMSGSIZE);
	cr_assert_eq(h.op, GOFER_OP_STAT, "the header is filled in for the error reply");
}

Test(gofer_protocol, encoding_respects_the_capacity)
{
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		int len = encode_sample_req(op, buf, sizeof buf);
		for (int cap = 0; cap < len; cap++) {
			uint8_t *p = malloc((size_t)cap + 1);
			struct gofer_req r;
			sample_req(op, &r);
			cr_assert_eq(gofer_encode_req(&r, p, (size_t)cap), -EMSGSIZE);
			free(p);
		}
		uint8_t *p = malloc((size_t)len);
		struct gofer_req r;
		sample_req(op, &r);
		cr_assert_eq(gofer_encode_req(&r, p, (size_t)len), len);
		free(p);
	}
}

/* --- header --------------------------------------------------------------- */

Test(gofer_protocol, header_flags_and_error_in_requests)
{
	int len = encode_sample_req(GOFER_OP_STAT, buf, sizeof buf);
	struct gofer_req r;
	buf[6] = 1;		/* flags */
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EINVAL);
	buf[6] = 0;
	buf[12] = EIO;		/* error field in a request */
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EINVAL);
	buf[12] = 0;
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), 0);
}

Test(gofer_protocol, unknown_ops)
{
	uint16_t bad[] = { 0, GOFER_OP_COUNT, GOFER_OP_COUNT + 1, 0x8000, 0xffff };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int len = encode_sample_req(GOFER_OP_STAT, buf, sizeof buf);
		memcpy(buf + 4, &bad[i], 2);
		struct gofer_req r;
		cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EINVAL, "op %u", bad[i]);
		cr_assert_eq(r.op, bad[i], "echoed for the error reply");
		cr_assert_eq(r.tag, 0xdeadbeef);
		struct gofer_req q;
		sample_req(GOFER_OP_STAT, &q);
		q.op = bad[i];
		cr_assert_eq(gofer_encode_req(&q, buf, sizeof buf), -EINVAL);
		struct gofer_reply p = { .op = bad[i] };
		cr_assert_eq(gofer_encode_reply(&p, buf, sizeof buf), -EINVAL);
		cr_assert_eq(gofer_op_valid(bad[i]), false);
		cr_assert_str_eq(gofer_op_name(bad[i]), "?");
	}
}

Test(gofer_protocol, reply_errors)
{
	struct gofer_reply r;
	sample_reply(GOFER_OP_STAT, &r);
	r.error = 4096;
	cr_assert_eq(gofer_encode_reply(&r, buf, sizeof buf), -EINVAL);
	r.error = EIO;
	int len = gofer_encode_reply(&r, buf, sizeof buf);
	uint32_t e = 4096;
	memcpy(buf + 12, &e, 4);
	cr_assert_eq(decode_reply_exact(buf, (size_t)len, &r), -EINVAL);
	/* An error reply with a body. */
	len = encode_sample_reply(GOFER_OP_STAT, buf, sizeof buf);
	e = ENOENT;
	memcpy(buf + 12, &e, 4);
	cr_assert_eq(decode_reply_exact(buf, (size_t)len, &r), -EINVAL);
}

/* --- names and targets ---------------------------------------------------- */

Test(gofer_protocol, check_name)
{
	char n256[257];
	fill_name(n256, 256, 'x');
	cr_assert_eq(gofer_check_name("a", 1), 0);
	cr_assert_eq(gofer_check_name("...", 3), 0);
	cr_assert_eq(gofer_check_name("..a", 3), 0);
	cr_assert_eq(gofer_check_name(".a", 2), 0);
	cr_assert_eq(gofer_check_name("", 0), -EINVAL);
	cr_assert_eq(gofer_check_name(".", 1), -EINVAL);
	cr_assert_eq(gofer_check_name("..", 2), -EINVAL);
	cr_assert_eq(gofer_check_name("a/b", 3), -EINVAL);
	cr_assert_eq(gofer_check_name("/", 1), -EINVAL);
	cr_assert_eq(gofer_check_name("a\0b", 3), -EINVAL);
	cr_assert_eq(gofer_check_name(n256, 255), 0);
	cr_assert_eq(gofer_check_name(n256, 256), -ENAMETOOLONG);
}

static int encode_walk(const char *name)
{
	struct gofer_req r;
	sample_req(GOFER_OP_WALK, &r);
	size_t len = strnlen(name, sizeof r.name);
	memcpy(r.name, name, len < sizeof r.name ? len + 1 : sizeof r.name);
	return gofer_encode_req(&r, buf, sizeof buf);
}

Test(gofer_protocol, encoder_refuses_bad_names)
{
	char n255[256], n256[257];
	fill_name(n255, 255, 'x');
	fill_name(n256, 256, 'x');
	cr_assert_gt(encode_walk(n255), 0);
	cr_assert_eq(encode_walk(n256), -ENAMETOOLONG);
	cr_assert_eq(encode_walk(""), -EINVAL);
	cr_assert_eq(encode_walk("."), -EINVAL);
	cr_assert_eq(encode_walk(".."), -EINVAL);
	cr_assert_eq(encode_walk("a/b"), -EINVAL);
	cr_assert_eq(encode_walk("b/"), -EINVAL);
	char dst[GOFER_NAME_MAX + 1];
	cr_assert_eq(gofer_copy_name(dst, n256), -ENAMETOOLONG);
	cr_assert_eq(gofer_copy_name(dst, "../x"), -EINVAL);
	cr_assert_eq(gofer_copy_name(dst, n255), 0);
	cr_assert_str_eq(dst, n255);
}

/* A WALK whose name bytes are patched after encoding, as a hostile peer
 * would send them. */
static int decode_walk_patched(const char *valid, const char *bytes, size_t n)
{
	int len = encode_walk(valid);
	cr_assert_gt(len, 0);
	memcpy(buf + len - n, bytes, n);
	struct gofer_req r;
	return decode_req_exact(buf, (size_t)len, &r);
}

Test(gofer_protocol, decoder_refuses_bad_names)
{
	cr_assert_eq(decode_walk_patched("x", ".", 1), -EINVAL);
	cr_assert_eq(decode_walk_patched("xy", "..", 2), -EINVAL);
	cr_assert_eq(decode_walk_patched("axb", "a/b", 3), -EINVAL);
	cr_assert_eq(decode_walk_patched("axb", "a\0b", 3), -EINVAL);
	cr_assert_eq(decode_walk_patched("ab", "/x", 2), -EINVAL);
	cr_assert_eq(decode_walk_patched("ab", "xy", 2), 0);
}

/* Builds a WALK by hand with any name length. */
static size_t raw_walk(uint16_t claimed, size_t actual)
{
	uint32_t len = (uint32_t)(GOFER_HDR_SIZE + 8 + 2 + actual);
	uint16_t op = GOFER_OP_WALK;
	memset(buf, 0, sizeof buf);
	memcpy(buf, &len, 4);
	memcpy(buf + 4, &op, 2);
	memset(buf + GOFER_HDR_SIZE, 1, 8);
	memcpy(buf + GOFER_HDR_SIZE + 8, &claimed, 2);
	memset(buf + GOFER_HDR_SIZE + 10, 'n', actual);
	return len;
}

Test(gofer_protocol, decoder_name_lengths)
{
	struct gofer_req r;
	size_t len = raw_walk(0, 0);
	cr_assert_eq(decode_req_exact(buf, len, &r), -EINVAL, "empty name");
	len = raw_walk(255, 255);
	cr_assert_eq(decode_req_exact(buf, len, &r), 0);
	cr_assert_eq(strlen(r.name), 255);
	len = raw_walk(256, 256);
	cr_assert_eq(decode_req_exact(buf, len, &r), -ENAMETOOLONG);
	len = raw_walk(10, 9);
	cr_assert_eq(decode_req_exact(buf, len, &r), -EINVAL, "claims more than there is");
	len = raw_walk(9, 10);
	cr_assert_eq(decode_req_exact(buf, len, &r), -EINVAL, "claims less than there is");
	len = raw_walk(0xffff, 100);
	cr_assert_eq(decode_req_exact(buf, len, &r), -EINVAL, "huge length field");
}

static int encode_symlink(size_t target_len)
{
	struct gofer_req r;
	sample_req(GOFER_OP_SYMLINK, &r);
	fill_name(r.target, target_len, 't');
	return gofer_encode_req(&r, buf, sizeof buf);
}

Test(gofer_protocol, symlink_targets)
{
	cr_assert_gt(encode_symlink(1), 0);
	int len = encode_symlink(GOFER_PATH_MAX);
	cr_assert_gt(len, 0);
	struct gofer_req r;
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), 0);
	cr_assert_eq(strlen(r.target), GOFER_PATH_MAX);
	cr_assert_eq(encode_symlink(0), -EINVAL);
	/* 4096 bytes: the array has no NUL left, so strnlen sees 4096. */
	sample_req(GOFER_OP_SYMLINK, &r);
	memset(r.target, 't', sizeof r.target);
	cr_assert_eq(gofer_encode_req(&r, buf, sizeof buf), -ENAMETOOLONG);
	char t4096[4097];
	fill_name(t4096, 4096, 't');
	char dst[GOFER_PATH_MAX + 1];
	cr_assert_eq(gofer_copy_target(dst, t4096), -ENAMETOOLONG);

	/* On the wire: a 4095-byte target grown to 4096 by its length field
	 * and one more byte. */
	len = encode_symlink(GOFER_PATH_MAX);
	size_t off = (size_t)len - GOFER_PATH_MAX - 2;
	uint16_t l4096 = 4096;
	memcpy(buf + off, &l4096, 2);
	buf[len] = 't';
	set_len(buf, (uint32_t)len + 1);
	cr_assert_eq(decode_req_exact(buf, (size_t)len + 1, &r), -ENAMETOOLONG);
	/* A NUL inside the target. */
	len = encode_symlink(10);
	buf[len - 5] = '\0';
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EINVAL);
	/* readlink replies too. */
	struct gofer_reply p;
	sample_reply(GOFER_OP_READLINK, &p);
	memset(p.target, 'x', sizeof p.target);
	cr_assert_eq(gofer_encode_reply(&p, buf, sizeof buf), -ENAMETOOLONG);
	p.target[0] = '\0';
	cr_assert_eq(gofer_encode_reply(&p, buf, sizeof buf), -EINVAL);
}

/* --- per-op fields -------------------------------------------------------- */

static int encode_with(uint16_t op, void (*patch)(struct gofer_req *))
{
	struct gofer_req r;
	sample_req(op, &r);
	patch(&r);
	return gofer_encode_req(&r, buf, sizeof buf);
}

static void open_creat(struct gofer_req *r) { r->flags = O_RDONLY | O_CREAT; }
static void open_accmode3(struct gofer_req *r) { r->flags = O_ACCMODE; }
static void open_nofollow(struct gofer_req *r) { r->flags = O_RDONLY | O_NOFOLLOW; }
static void open_path(struct gofer_req *r) { r->flags = O_PATH; }
static void open_dir(struct gofer_req *r) { r->flags = O_RDONLY | O_DIRECTORY; }
static void create_dir(struct gofer_req *r) { r->flags = O_RDONLY | O_DIRECTORY; }
static void create_mode_type(struct gofer_req *r) { r->mode = S_IFREG | 0644; }
static void create_uid_m1(struct gofer_req *r) { r->uid = UINT32_MAX; }
static void mkdir_mode_type(struct gofer_req *r) { r->mode = S_IFDIR | 0755; }
static void mknod_dir(struct gofer_req *r) { r->mode = S_IFDIR | 0755; }
static void mknod_lnk(struct gofer_req *r) { r->mode = S_IFLNK | 0777; }
static void mknod_chr(struct gofer_req *r) { r->mode = S_IFCHR | 0666; }
static void mknod_plain(struct gofer_req *r) { r->mode = 0644; }
static void mknod_gid_m1(struct gofer_req *r) { r->gid = UINT32_MAX; }
static void unlink_1(struct gofer_req *r) { r->flags = 1; }
static void unlink_0(struct gofer_req *r) { r->flags = 0; }
static void rename_both(struct gofer_req *r) { r->flags = RENAME_EXCHANGE | RENAME_NOREPLACE; }
static void rename_whiteout(struct gofer_req *r) { r->flags = RENAME_WHITEOUT; }
static void rename_noreplace(struct gofer_req *r) { r->flags = RENAME_NOREPLACE; }
static void attr_mask(struct gofer_req *r) { r->attr.mask = 0x40; }
static void attr_mode(struct gofer_req *r) { r->attr.mode = S_IFREG | 0644; }
static void attr_nsec(struct gofer_req *r) { r->attr.mtime.nsec = 1000000000; }
static void attr_omit(struct gofer_req *r) { r->attr.atime.nsec = UTIME_OMIT; }
static void attr_size(struct gofer_req *r) { r->attr.size = (uint64_t)INT64_MAX + 1; }
static void attr_uid(struct gofer_req *r) { r->attr.uid = UINT32_MAX; }
static void attr_unset(struct gofer_req *r)
{
	r->attr.mask = GOFER_SETATTR_MODE;	/* the other fields are ignored */
	r->attr.uid = UINT32_MAX;
	r->attr.atime.nsec = 2000000000;
}

Test(gofer_protocol, per_op_flags_and_modes)
{
	cr_assert_eq(encode_with(GOFER_OP_OPEN, open_creat), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_OPEN, open_accmode3), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_OPEN, open_nofollow), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_OPEN, open_path), -EINVAL);
	cr_assert_gt(encode_with(GOFER_OP_OPEN, open_dir), 0);
	cr_assert_eq(encode_with(GOFER_OP_CREATE, create_dir), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_CREATE, create_mode_type), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_CREATE, create_uid_m1), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_MKDIR, mkdir_mode_type), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_MKNOD, mknod_dir), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_MKNOD, mknod_lnk), -EINVAL);
	cr_assert_gt(encode_with(GOFER_OP_MKNOD, mknod_chr), 0, "the server says EPERM");
	cr_assert_gt(encode_with(GOFER_OP_MKNOD, mknod_plain), 0);
	cr_assert_eq(encode_with(GOFER_OP_MKNOD, mknod_gid_m1), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_UNLINK, unlink_1), -EINVAL);
	cr_assert_gt(encode_with(GOFER_OP_UNLINK, unlink_0), 0);
	cr_assert_eq(encode_with(GOFER_OP_RENAME, rename_both), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_RENAME, rename_whiteout), -EINVAL);
	cr_assert_gt(encode_with(GOFER_OP_RENAME, rename_noreplace), 0);
	cr_assert_eq(encode_with(GOFER_OP_SETATTR, attr_mask), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_SETATTR, attr_mode), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_SETATTR, attr_nsec), -EINVAL);
	cr_assert_gt(encode_with(GOFER_OP_SETATTR, attr_omit), 0);
	cr_assert_eq(encode_with(GOFER_OP_SETATTR, attr_size), -EINVAL);
	cr_assert_eq(encode_with(GOFER_OP_SETATTR, attr_uid), -EINVAL);
	cr_assert_gt(encode_with(GOFER_OP_SETATTR, attr_unset), 0);
}

Test(gofer_protocol, decoder_checks_flags_too)
{
	/* An OPEN with O_CREAT, forged on the wire. */
	int len = encode_sample_req(GOFER_OP_OPEN, buf, sizeof buf);
	uint32_t flags = O_RDONLY | O_CREAT;
	memcpy(buf + GOFER_HDR_SIZE + 8, &flags, 4);
	struct gofer_req r;
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EINVAL);
	/* An UNLINK with flags 1. */
	len = encode_sample_req(GOFER_OP_UNLINK, buf, sizeof buf);
	flags = 1;
	memcpy(buf + GOFER_HDR_SIZE + 8, &flags, 4);
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EINVAL);
	/* A MKDIR with a file type in its mode. */
	len = encode_sample_req(GOFER_OP_MKDIR, buf, sizeof buf);
	uint32_t mode = S_IFDIR | 0755;
	memcpy(buf + GOFER_HDR_SIZE + 8, &mode, 4);
	cr_assert_eq(decode_req_exact(buf, (size_t)len, &r), -EINVAL);
}

/* --- readdir entries ------------------------------------------------------ */

Test(gofer_protocol, dirent_put_checks)
{
	uint8_t small[40];
	size_t used = 0;
	cr_assert_eq(gofer_dirent_put(small, sizeof small, &used, 1, 1, DT_REG, "a"), 0);
	cr_assert_eq(used, GOFER_DIRENT_HDR + 1);
	cr_assert_eq(gofer_dirent_put(small, sizeof small, &used, 1, 1, DT_REG, "abcd"), -ENOSPC);
	cr_assert_eq(used, GOFER_DIRENT_HDR + 1, "unchanged when full");
	cr_assert_eq(gofer_dirent_put(small, sizeof small, &used, 1, 1, DT_REG, "a/b"), -EINVAL);
	cr_assert_eq(gofer_dirent_put(small, sizeof small, &used, 1, 1, DT_REG, ".."), -EINVAL);
	cr_assert_eq(gofer_dirent_put(small, sizeof small, &used, 1, 1, 200, "x"), -EINVAL);
	size_t bad = sizeof small + 1;
	cr_assert_eq(gofer_dirent_put(small, sizeof small, &bad, 1, 1, DT_REG, "x"), -EINVAL);
}

/* A READDIR reply whose entry bytes are then patched. */
static int readdir_reply_patched(size_t at, uint8_t value)
{
	int len = encode_sample_reply(GOFER_OP_READDIR, buf, sizeof buf);
	buf[GOFER_HDR_SIZE + 16 + at] = value;
	struct gofer_reply r;
	return decode_reply_exact(buf, (size_t)len, &r);
}

Test(gofer_protocol, malformed_dirents)
{
	cr_assert_eq(readdir_reply_patched(0, 99), 0, "ino is any value");
	cr_assert_eq(readdir_reply_patched(16, 16), -EINVAL, "bad d_type");
	cr_assert_eq(readdir_reply_patched(17, 0), -EINVAL, "empty name");
	cr_assert_eq(readdir_reply_patched(17, 200), -EINVAL, "name past the end");
	cr_assert_eq(readdir_reply_patched(17, 1), -EINVAL, "entries misaligned");
	cr_assert_eq(readdir_reply_patched(18, '/'), -EINVAL, "'/' in a name");
	cr_assert_eq(readdir_reply_patched(18, 0), -EINVAL, "NUL in a name");

	int len = encode_sample_reply(GOFER_OP_READDIR, buf, sizeof buf);
	struct gofer_reply r;
	uint32_t v = 3;
	memcpy(buf + GOFER_HDR_SIZE + 12, &v, 4);
	cr_assert_eq(decode_reply_exact(buf, (size_t)len, &r), -EINVAL, "count too high");
	v = 1;
	memcpy(buf + GOFER_HDR_SIZE + 12, &v, 4);
	cr_assert_eq(decode_reply_exact(buf, (size_t)len, &r), -EINVAL, "count too low");
	v = 2;
	memcpy(buf + GOFER_HDR_SIZE + 12, &v, 4);
	memcpy(buf + GOFER_HDR_SIZE + 8, &v, 4);
	cr_assert_eq(decode_reply_exact(buf, (size_t)len, &r), -EINVAL, "eof not 0 or 1");

	/* The encoder refuses a count that disagrees with the entries. */
	sample_reply(GOFER_OP_READDIR, &r);
	r.count = 5;
	cr_assert_eq(gofer_encode_reply(&r, buf, sizeof buf), -EINVAL);
}

Test(gofer_protocol, dirent_next_on_a_short_buffer)
{
	size_t used = 0;
	cr_assert_eq(gofer_dirent_put(dirents_buf, sizeof dirents_buf, &used, 5, 6, DT_LNK,
				      "name"), 0);
	for (size_t k = 1; k < used; k++) {
		uint8_t *p = exact(dirents_buf, k);
		const uint8_t *q = p;
		size_t left = k;
		struct gofer_dirent d;
		cr_assert_eq(gofer_dirent_next(&q, &left, &d), -EINVAL, "cut at %zu", k);
		free(p);
	}
}

/* --- fuzzing -------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Whatever decodes must encode back to the very same bytes: the encoding is
 * canonical, so there is no second reading of a message. */
static void check_canonical_req(const uint8_t *m, size_t len)
{
	struct gofer_req r;
	if (decode_req_exact(m, len, &r) != 0)
		return;
	static uint8_t again[GOFER_MSG_MAX];
	int n = gofer_encode_req(&r, again, sizeof again);
	cr_assert_eq(n, (int)len);
	cr_assert_eq(memcmp(again, m, len), 0);
}

static void check_canonical_reply(const uint8_t *m, size_t len)
{
	struct gofer_reply r;
	uint8_t *p = exact(m, len);
	if (gofer_decode_reply(p, len, &r) == 0) {
		static uint8_t again[GOFER_MSG_MAX];
		int n = gofer_encode_reply(&r, again, sizeof again);
		cr_assert_eq(n, (int)len);
		cr_assert_eq(memcmp(again, m, len), 0);
	}
	free(p);
}

Test(gofer_protocol, random_bytes_never_crash)
{
	for (int i = 0; i < 20000; i++) {
		size_t len = rnd() % 200;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		if (len >= 4 && (rnd() & 1))
			set_len(buf, (uint32_t)len);
		if (len >= 6 && (rnd() & 1)) {
			uint16_t op = (uint16_t)(rnd() % (GOFER_OP_COUNT + 1));
			memcpy(buf + 4, &op, 2);
		}
		check_canonical_req(buf, len);
		check_canonical_reply(buf, len);
	}
}

Test(gofer_protocol, mutated_messages_never_crash)
{
	static uint8_t msg[GOFER_MSG_MAX];
	for (uint16_t op = 1; op < GOFER_OP_COUNT; op++) {
		for (int reply = 0; reply < 2; reply++) {
			int len = reply ? encode_sample_reply(op, msg, sizeof msg)
					: encode_sample_req(op, msg, sizeof msg);
			for (int i = 0; i < 1000; i++) {
				memcpy(buf, msg, (size_t)len);
				int flips = 1 + (int)(rnd() % 3);
				for (int f = 0; f < flips; f++)
					buf[rnd() % (uint32_t)len] = (uint8_t)rnd();
				if (reply)
					check_canonical_reply(buf, (size_t)len);
				else
					check_canonical_req(buf, (size_t)len);
			}
		}
	}
}
