/* OpenSSL for the TLS-published ports, loaded when it is needed.
 *
 * Only the port forwarder with a --tls-publish port uses OpenSSL, yet linked
 * into the sentry, libssl and libcrypto cost every sandbox's start-up about
 * a millisecond here (21000 relocations that the dynamic loader applies
 * before main, the sentry's own start being ~9 ms).  So the sentry does not
 * link them: each OpenSSL function the netstack calls is defined here under
 * its own name, with the prototype of OpenSSL's header (the compiler checks
 * that they agree), and calls the library's function, which
 * tls_lib_load() looks up with dlopen/dlsym.  The forwarder loads it before
 * it confines itself (publish_tls_ctx_new); a call before a load loads it
 * too (the unit tests), and one that cannot load it stops the process
 * with a line. */
#include "netstack/publish_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#ifndef LIBSSL_SONAME
#define LIBSSL_SONAME "libssl.so"
#endif

/* X(return type, name, parameters, arguments) for the functions that return
 * a value, XV(...) for those that do not. */
#define TLS_FUNCS(X, XV)                                                                    \
	XV(BN_free, (BIGNUM *a), (a))                                                       \
	X(BIGNUM *, BN_new, (void), ())                                                      \
	X(int, BN_rand, (BIGNUM *rnd, int bits, int top, int bottom), (rnd, bits, top, bottom)) \
	X(ASN1_INTEGER *, BN_to_ASN1_INTEGER, (const BIGNUM *bn, ASN1_INTEGER *ai), (bn, ai)) \
	XV(ERR_clear_error, (void), ())                                                      \
	XV(ERR_error_string_n, (unsigned long e, char *buf, size_t len), (e, buf, len))      \
	X(unsigned long, ERR_peek_error, (void), ())                                         \
	X(const char *, ERR_reason_error_string, (unsigned long e), (e))                     \
	XV(EVP_PKEY_free, (EVP_PKEY *pkey), (pkey))                                          \
	X(const EVP_MD *, EVP_sha256, (void), ())                                            \
	X(int, SSL_CTX_check_private_key, (const SSL_CTX *ctx), (ctx))                       \
	X(long, SSL_CTX_ctrl, (SSL_CTX *ctx, int cmd, long larg, void *parg),                \
	  (ctx, cmd, larg, parg))                                                            \
	XV(SSL_CTX_free, (SSL_CTX *ctx), (ctx))                                              \
	X(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *meth), (meth))                          \
	X(uint64_t, SSL_CTX_set_options, (SSL_CTX *ctx, uint64_t op), (ctx, op))             \
	X(int, SSL_CTX_use_PrivateKey, (SSL_CTX *ctx, EVP_PKEY *pkey), (ctx, pkey))          \
	X(int, SSL_CTX_use_PrivateKey_file, (SSL_CTX *ctx, const char *file, int type),      \
	  (ctx, file, type))                                                                 \
	X(int, SSL_CTX_use_certificate, (SSL_CTX *ctx, X509 *x), (ctx, x))                   \
	X(int, SSL_CTX_use_certificate_chain_file, (SSL_CTX *ctx, const char *file),         \
	  (ctx, file))                                                                       \
	X(int, SSL_accept, (SSL *ssl), (ssl))                                                \
	XV(SSL_free, (SSL *ssl), (ssl))                                                      \
	X(int, SSL_get_error, (const SSL *s, int ret_code), (s, ret_code))                   \
	X(const char *, SSL_get_version, (const SSL *s), (s))                                \
	X(SSL *, SSL_new, (SSL_CTX *ctx), (ctx))                                             \
	X(int, SSL_read, (SSL *ssl, void *buf, int num), (ssl, buf, num))                    \
	XV(SSL_set_accept_state, (SSL *s), (s))                                              \
	X(int, SSL_set_fd, (SSL *s, int fd), (s, fd))                                        \
	X(int, SSL_shutdown, (SSL *s), (s))                                                  \
	X(int, SSL_write, (SSL *ssl, const void *buf, int num), (ssl, buf, num))             \
	X(const SSL_METHOD *, TLS_server_method, (void), ())                                 \
	X(X509_EXTENSION *, X509V3_EXT_conf_nid,                                             \
	  (LHASH_OF(CONF_VALUE) *conf, X509V3_CTX *ctx, int ext_nid, const char *value),     \
	  (conf, ctx, ext_nid, value))                                                       \
	XV(X509V3_set_ctx,                                                                   \
	   (X509V3_CTX *ctx, X509 *issuer, X509 *subject, X509_REQ *req, X509_CRL *crl,      \
	    int flags),                                                                      \
	   (ctx, issuer, subject, req, crl, flags))                                          \
	XV(X509_EXTENSION_free, (X509_EXTENSION *a), (a))                                    \
	X(int, X509_NAME_add_entry_by_txt,                                                   \
	  (X509_NAME *name, const char *field, int type, const unsigned char *bytes, int len, \
	   int loc, int set),                                                                \
	  (name, field, type, bytes, len, loc, set))                                         \
	X(int, X509_add_ext, (X509 *x, X509_EXTENSION *ex, int loc), (x, ex, loc))           \
	XV(X509_free, (X509 *a), (a))                                                        \
	X(ASN1_INTEGER *, X509_get_serialNumber, (X509 *x), (x))                             \
	X(X509_NAME *, X509_get_subject_name, (const X509 *a), (a))                          \
	X(ASN1_TIME *, X509_getm_notAfter, (const X509 *x), (x))                             \
	X(ASN1_TIME *, X509_getm_notBefore, (const X509 *x), (x))                            \
	X(ASN1_TIME *, X509_gmtime_adj, (ASN1_TIME *s, long adj), (s, adj))                  \
	X(X509 *, X509_new, (void), ())                                                      \
	X(int, X509_set_issuer_name, (X509 *x, const X509_NAME *name), (x, name))            \
	X(int, X509_set_pubkey, (X509 *x, EVP_PKEY *pkey), (x, pkey))                        \
	X(int, X509_set_version, (X509 *x, long version), (x, version))                      \
	X(int, X509_sign, (X509 *x, EVP_PKEY *pkey, const EVP_MD *md), (x, pkey, md))

#define FN_FIELD(ret, name, params, args) ret (*name) params;
#define FN_FIELD_VOID(name, params, args) void (*name) params;

/* The library's functions, set once (under `once`) and read-only after. */
static struct {
	void *lib;
	char error[200];
	TLS_FUNCS(FN_FIELD, FN_FIELD_VOID)
	EVP_PKEY *(*EVP_PKEY_Q_keygen)(OSSL_LIB_CTX *libctx, const char *propq,
				       const char *type, ...);
} tls;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool lookup(void *lib, const char *name, void **out)
{
	*out = dlsym(lib, name);
	if (*out)
		return true;
	snprintf(tls.error, sizeof tls.error, "%s has no %s", LIBSSL_SONAME, name);
	return false;
}

#define FN_LOOKUP(ret, name, params, args) ok = ok && lookup(lib, #name, (void **)&tls.name);
#define FN_LOOKUP_VOID(name, params, args) ok = ok && lookup(lib, #name, (void **)&tls.name);

static void load_once(void)
{
	void *lib = dlopen(LIBSSL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		snprintf(tls.error, sizeof tls.error, "%s", why ? why : "dlopen failed");
		return;
	}
	bool ok = true;
	TLS_FUNCS(FN_LOOKUP, FN_LOOKUP_VOID)
	ok = ok && lookup(lib, "EVP_PKEY_Q_keygen", (void **)&tls.EVP_PKEY_Q_keygen);
	if (!ok) {
		dlclose(lib);
		return;
	}
	tls.lib = lib;
}

int tls_lib_load(char *err, size_t errlen)
{
	pthread_once(&once, load_once);
	if (tls.lib)
		return 0;
	snprintf(err, errlen, "OpenSSL cannot be loaded: %s", tls.error);
	return -ENOENT;
}

static void need_lib(void)
{
	char err[256];
	if (tls_lib_load(err, sizeof err) < 0) {
		log_error("%s", err);
		exit(125);
	}
}

#define FN_DEFINE(ret, name, params, args) \
	ret name params                    \
	{                                  \
		need_lib();                \
		return tls.name args;      \
	}
#define FN_DEFINE_VOID(name, params, args) \
	void name params                   \
	{                                  \
		need_lib();                \
		tls.name args;             \
	}
TLS_FUNCS(FN_DEFINE, FN_DEFINE_VOID)

/* EVP_EC_gen(curve) is this with "EC" and the curve's name; the other key
 * types this file passes on take one size_t ("RSA") or nothing. */
EVP_PKEY *EVP_PKEY_Q_keygen(OSSL_LIB_CTX *libctx, const char *propq, const char *type, ...)
{
	need_lib();
	va_list ap;
	va_start(ap, type);
	EVP_PKEY *key;
	if (strcmp(type, "EC") == 0)
		key = tls.EVP_PKEY_Q_keygen(libctx, propq, type, va_arg(ap, char *));
	else if (strcmp(type, "RSA") == 0)
		key = tls.EVP_PKEY_Q_keygen(libctx, propq, type, va_arg(ap, size_t));
	else
		key = tls.EVP_PKEY_Q_keygen(libctx, propq, type);
	va_end(ap);
	return key;
}
