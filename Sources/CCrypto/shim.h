/* OpenSSL libcrypto, reached only through the Crypto module. EVP APIs only (no deprecated
 * low-level calls), so OpenSSL 3 builds without deprecation warnings. */
#ifndef SSM_SHELL_CCRYPTO_SHIM_H
#define SSM_SHELL_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

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
#endif
