/* Writes the seed inputs of the harnesses that have an encoder
 * (tests/fuzz/corpus/gofer, tests/fuzz/corpus/ctl) with the project's own
 * encoders, so that the seeds are valid messages: mkseeds OUTDIR.
 * (`make fuzz-seeds`; the seeds are kept in the tree.) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "gofer/protocol.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp_filter.h"

static const char *outdir;

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", outdir, dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%s/%s", outdir, dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static uint8_t buf[GOFER_MSG_MAX];

static void req(const char *name, struct gofer_req r)
{
	int n = gofer_encode_req(&r, buf, sizeof buf);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", name, strerror(-n));
		exit(1);
	}
	put("gofer", name, buf, (size_t)n);
}

static void reply(const char *name, struct gofer_reply r)
{
	int n = gofer_encode_reply(&r, buf, sizeof buf);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", name, strerror(-n));
		exit(1);
	}
	put("gofer", name, buf, (size_t)n);
}

static void gofer_seeds(void)
{
	req("req-attach", (struct gofer_req){ .op = GOFER_OP_ATTACH, .tag = 1, .mount = 0 });
	req("req-walk", (struct gofer_req){ .op = GOFER_OP_WALK, .tag = 2, .node = 1, .name = "etc" });
	req("req-open", (struct gofer_req){ .op = GOFER_OP_OPEN, .tag = 3, .node = 2,
					    .flags = O_RDONLY | O_DIRECTORY });
	req("req-create", (struct gofer_req){ .op = GOFER_OP_CREATE, .tag = 4, .node = 1,
					      .flags = O_RDWR | O_CREAT | O_EXCL, .mode = 0644,
					      .name = "f" });
	req("req-mknod", (struct gofer_req){ .op = GOFER_OP_MKNOD, .tag = 5, .node = 1,
					     .mode = S_IFIFO | 0600, .name = "p" });
	req("req-symlink", (struct gofer_req){ .op = GOFER_OP_SYMLINK, .tag = 6, .node = 1,
					       .name = "l", .target = "../x/y" });
	req("req-rename", (struct gofer_req){ .op = GOFER_OP_RENAME, .tag = 7, .node = 1,
					      .node2 = 2, .name = "a", .name2 = "b" });
	req("req-setattr", (struct gofer_req){ .op = GOFER_OP_SETATTR, .tag = 8, .node = 3,
		.attr = { .mask = GOFER_SETATTR_ALL, .mode = 0755, .size = 4096,
			  .atime = { 1, UTIME_NOW }, .mtime = { 2, 3 } } });
	req("req-readdir", (struct gofer_req){ .op = GOFER_OP_READDIR, .tag = 9, .node = 1,
					       .cookie = 7 });
	req("req-unlink", (struct gofer_req){ .op = GOFER_OP_UNLINK, .tag = 10, .node = 1,
					      .flags = AT_REMOVEDIR, .name = "d" });

	struct gofer_stat st = { .ino = 5, .mode = S_IFREG | 0644, .nlink = 1, .size = 12 };
	reply("reply-walk", (struct gofer_reply){ .op = GOFER_OP_WALK, .tag = 2, .node = 9,
						  .stat = st });
	reply("reply-error", (struct gofer_reply){ .op = GOFER_OP_OPEN, .tag = 3, .error = ENOENT });
	reply("reply-readlink", (struct gofer_reply){ .op = GOFER_OP_READLINK, .tag = 4,
						      .target = "/usr/bin/x" });
	reply("reply-statfs", (struct gofer_reply){ .op = GOFER_OP_STATFS, .tag = 5,
						    .statfs = { .bsize = 4096, .namelen = 255 } });
	uint8_t ents[512];
	size_t used = 0;
	if (gofer_dirent_put(ents, sizeof ents, &used, 1, 1, DT_DIR, "bin") < 0 ||
	    gofer_dirent_put(ents, sizeof ents, &used, 2, 2, DT_REG, "hello.txt") < 0 ||
	    gofer_dirent_put(ents, sizeof ents, &used, 3, 3, DT_LNK, "lib") < 0)
		exit(1);
	reply("reply-readdir", (struct gofer_reply){ .op = GOFER_OP_READDIR, .tag = 6,
						     .cookie = 3, .eof = true, .count = 3,
						     .dirents = ents, .dirents_len = used });
}

static void ctl_seeds(void)
{
	static const gid_t groups[] = { 10, 20, 30 };
	static const struct sandbox_rlimit rl[] = { { RLIMIT_NOFILE, 321, 654 },
						    { RLIMIT_CORE, 0, ~0ULL } };
	struct sandbox_process p = {
		.groups = groups, .ngroups = 3, .has_umask = true, .umask = 027,
		.rlimits = rl, .nrlimits = 2, .no_new_privs = true, .has_caps = true,
		.cap_bounding = 0x21, .cap_effective = 0x20, .cap_inheritable = 1,
		.cap_permitted = 0x21, .cap_ambient = 0x1ff,
	};
	char *sp = sandbox_process_encode(&p);
	struct seccomp_filter *f = seccomp_filter_new(SECCOMP_ACT_ERRNO | EPERM);
	struct seccomp_arg_cmp pers[] = { { 0, SECCOMP_CMP_EQ, 0xffffffffULL, 0 } };
	struct seccomp_arg_cmp clone[] = { { 0, SECCOMP_CMP_MASKED_EQ, 0x7e020000ULL, 0 },
					   { 2, SECCOMP_CMP_GT, 5, 0 } };
	if (!sp || !f || seccomp_filter_add(f, SYS_read, SECCOMP_ACT_ALLOW, NULL, 0) < 0 ||
	    seccomp_filter_add(f, SYS_personality, SECCOMP_ACT_ALLOW, pers, 1) < 0 ||
	    seccomp_filter_add(f, SYS_clone, SECCOMP_ACT_ALLOW, clone, 2) < 0 ||
	    seccomp_filter_add(f, SYS_write, SECCOMP_ACT_LOG, NULL, 0) < 0 ||
	    seccomp_filter_add(f, SYS_write, SECCOMP_ACT_TRAP, pers, 1) < 0)
		exit(1);
	char *sf = seccomp_filter_encode(f);
	if (!sf)
		exit(1);
	static char m[8192];
	size_t n;
#define FIELD(s) do { size_t l_ = strlen(s) + 1; memcpy(m + n, s, l_); n += l_; } while (0)
	n = 0;
	FIELD("EXEC"); FIELD("0"); FIELD("0"); FIELD("/"); FIELD("2"); FIELD("/bin/echo");
	FIELD("hi"); FIELD("1"); FIELD("PATH=/bin");
	put("ctl", "exec", m, n);
	FIELD(sp);
	put("ctl", "exec-settings", m, n);
	n = 0;
	FIELD("EXECTTY"); FIELD("1000"); FIELD("1000"); FIELD("/tmp"); FIELD("1"); FIELD("sh");
	FIELD("0");
	put("ctl", "exectty", m, n);
	n = 0;
	FIELD("SIGNAL"); FIELD("-1"); FIELD("15");
	put("ctl", "signal", m, n);
	n = 0;
	FIELD("CONTAINER"); FIELD("c1"); FIELD("0"); FIELD("0"); FIELD("/"); FIELD("0");
	FIELD("1"); FIELD("1"); FIELD("1"); FIELD("/bin/sh"); FIELD("1"); FIELD("HOME=/");
	FIELD(sp); FIELD(sf); FIELD("0"); FIELD("0"); FIELD("0");
	put("ctl", "container", m, n);
	n = 0;
	FIELD("SP"); FIELD(sp);
	put("ctl", "settings", m, n);
	n = 0;
	FIELD("SF"); FIELD(sf);
	put("ctl", "filter", m, n);
	free(sp);
	free(sf);
	seccomp_filter_free(f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	gofer_seeds();
	ctl_seeds();
	return 0;
}
