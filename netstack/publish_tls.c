/* The TLS side of published ports: the server context, with the user's
 * certificate or a self-signed one made at start (OpenSSL 3). */
#include "netstack/publish_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

enum { CERT_DAYS = 30 };

/* The first error OpenSSL queued, for messages to the user. */
static const char *ssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_error();
	if (!e) {
		snprintf(buf, len, "unknown error");
		return buf;
	}
	const char *r = ERR_reason_error_string(e);
	if (r)
		snprintf(buf, len, "%s", r);
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	if (!ext)
		return -1;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* "DNS:localhost,IP:127.0.0.1,IP:::1", plus the address of every TLS port
 * published on another specific host address, so that a client told to
 * trust this certificate can also check the name it connects to. */
static void alt_names(const struct net_policy *p, char *buf, size_t len)
{
	static const uint8_t any[16], lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
	size_t n = (size_t)snprintf(buf, len, "DNS:localhost,IP:127.0.0.1,IP:::1");
	for (size_t i = 0; i < p->npublish && n < len; i++) {
		const struct net_publish *pub = &p->publish[i];
		size_t alen = pub->host_family == AF_INET ? 4 : 16;
		if (!pub->tls || !memcmp(pub->host_addr, any, alen) ||
		    (alen == 4 && !memcmp(pub->host_addr, lo4, 4)) ||
		    (alen == 16 && !memcmp(pub->host_addr, lo6, 16)))
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = p->publish[j].tls && p->publish[j].host_family == pub->host_family &&
			       !memcmp(p->publish[j].host_addr, pub->host_addr, alen);
		if (seen)
			continue;
		char host[INET6_ADDRSTRLEN];
		publish_format_host(pub, host, sizeof host);
		n += (size_t)snprintf(buf + n, len - n, ",IP:%s", host);
	}
}

/* An ECDSA P-256 key and a v3 certificate for CN=localhost, valid from an
 * hour ago (clocks differ) for CERT_DAYS days, signed with itself. */
static int self_signed(const struct net_policy *p, SSL_CTX *ctx, char *err, size_t errlen)
{
	char why[160], san[1024];
	int ret = -EINVAL;
	X509 *x = NULL;
	BIGNUM *serial = NULL;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	if (!key)
		goto out;
	x = X509_new();
	serial = BN_new();
	if (!x || !serial || !X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)CERT_DAYS * 24 * 3600) ||
	    !X509_set_pubkey(x, key))
		goto out;
	X509_NAME *name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		goto out;
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	alt_names(p, san, sizeof san);
	if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, &v3, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &v3, NID_subject_alt_name, san) < 0 ||
	    !X509_sign(x, key, EVP_sha256()) ||
	    SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "cannot make a self-signed TLS certificate: %s",
			 ssl_reason(why, sizeof why));
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(key);
	return ret;
}

/* A missing or unreadable file gets its errno; OpenSSL's own messages for
 * it are less clear. */
static int check_readable(const char *what, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot read TLS %s %s: %s", what, path, strerror(e));
		return -e;
	}
	close(fd);
	return 0;
}

static int load_pair(SSL_CTX *ctx, const char *cert, const char *key, char *err, size_t errlen)
{
	char why[160];
	int r = check_readable("certificate", cert, err, errlen);
	if (r == 0)
		r = check_readable("key", key, err, errlen);
	if (r < 0)
		return r;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		snprintf(err, errlen, "cannot load TLS certificate %s: %s", cert,
			 ssl_reason(why, sizeof why));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "cannot load TLS key %s: %s", key, ssl_reason(why, sizeof why));
		return -EINVAL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "TLS key %s does not match certificate %s", key, cert);
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

int publish_tls_ctx_new(const struct net_policy *p, SSL_CTX **out, char *err, size_t errlen)
{
	char why[160];
	if (!p->tls_cert && p->tls_key) {
		snprintf(err, errlen, "a TLS key (%s) without a certificate", p->tls_key);
		return -EINVAL;
	}
	int loaded = tls_lib_load(err, errlen);
	if (loaded < 0)
		return loaded;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		snprintf(err, errlen, "cannot set up TLS: %s", ssl_reason(why, sizeof why));
		return -ENOMEM;
	}
	/* Unexpected EOF: many clients close without close_notify once they
	 * have their answer; that is the end of their stream, not an error.
	 * Partial writes and a moving buffer: the event loop retries writes
	 * from its own buffers. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			      SSL_MODE_RELEASE_BUFFERS);
	/* A key file of its own, or the key in the certificate's PEM file. */
	int r = p->tls_cert ? load_pair(ctx, p->tls_cert, p->tls_key ? p->tls_key : p->tls_cert,
					err, errlen)
			    : self_signed(p, ctx, err, errlen);
	if (r < 0) {
		SSL_CTX_free(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}
