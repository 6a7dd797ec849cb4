/* OpenSSL libcrypto, reached only through the Crypto module. EVP APIs only, so OpenSSL 3 builds
 * without deprecation warnings, except the one SHA-256 wrapper below. */
#ifndef SSM_SHELL_CCRYPTO_SHIM_H
#define SSM_SHELL_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

/* EVP_CIPHER_CTX_ctrl is not variadic but takes void*; typed wrappers keep the GCM calls readable. */
static inline int ccrypto_gcm_set_ivlen(EVP_CIPHER_CTX *c, int len) {
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, len, NULL);
}
static inline int ccrypto_gcm_get_tag(EVP_CIPHER_CTX *c, int len, unsigned char *tag) {
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, len, tag);
}
static inline int ccrypto_gcm_set_tag(EVP_CIPHER_CTX *c, int len, unsigned char *tag) {
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, len, tag);
}

/* SHA-256 of one buffer with the context on the stack. The data channel digests every message it
 * receives and every ack it sends (spec 3); EVP_Digest allocates, initialises and frees an
 * EVP_MD_CTX and its provider context per call, which cost as much as hashing a 180-byte ack
 * (docs/benchmarks.md, perf profile). SHA256_Init/Update/Final are deprecated in OpenSSL 3.0 but
 * still run the same assembly (SHA-NI where the CPU has it); the warning is silenced here only. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
static inline int ccrypto_sha256(const void *data, size_t count, unsigned char *out) {
    SHA256_CTX context;
    if (SHA256_Init(&context) != 1 || SHA256_Update(&context, data, count) != 1) return 0;
    return SHA256_Final(out, &context);
}
#pragma clang diagnostic pop
#endif
