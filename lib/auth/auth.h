/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth.h - credentials checked by the API's sign-in, with OpenSSL:
 *
 * Password hashes (static mode): "$pbkdf2-sha256$ITERATIONS$SALT$HASH", salt
 * (16 bytes) and hash (32 bytes) in base64, PBKDF2-HMAC-SHA256. The iteration
 * count travels in the string, so stronger hashes can be rolled in.
 *
 * Tokens (token mode), as TURN REST credentials: user "EXPIRY:NAME" (EXPIRY
 * in Unix seconds), password base64(HMAC-SHA256(secret, user)), minted by
 * the web application's backend with the shared secret.
 *
 * Comparisons are constant-time. Base64 is OpenSSL's.
 */
#ifndef RTCG_AUTH_H
#define RTCG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define AUTH_HASH_DEFAULT_ITERATIONS 100000
#define AUTH_HASH_MAX 160

/* base64 (with padding) of len bytes into out; returns its length or -1. */
int auth_b64_encode(const void *in, size_t len, char *out, size_t outlen);
/* Decode base64 text (padding optional); returns the byte count or -1. */
int auth_b64_decode(const char *in, void *out, size_t outlen);

/* Hash a password with a random salt. 0 or -1. */
int auth_hash_password(const char *password, unsigned iterations, char *out, size_t outlen);

/* Is the text a hash this code can check? (for config validation) */
bool auth_hash_valid(const char *hash);

/*
 * 1 when password matches hash, 0 when not, -1 when hash is malformed.
 * auth_burn_time() costs what a check costs: use it for unknown users so
 * their answer takes as long.
 */
int auth_check_password(const char *hash, const char *password);
void auth_burn_time(const char *password);

enum auth_token_result {
	AUTH_TOKEN_OK,
	AUTH_TOKEN_MALFORMED, /* the user is not EXPIRY:NAME */
	AUTH_TOKEN_EXPIRED,
	AUTH_TOKEN_BAD_SIGNATURE,
};

/* Check a token; on success the NAME part goes to name_out. */
enum auth_token_result auth_check_token(const char *secret, const char *user,
					const char *password, time_t now,
					char *name_out, size_t name_len,
					time_t *expiry_out);

/* Mint a token (what the web backend does): user and password. 0 or -1. */
int auth_mint_token(const char *secret, const char *name, time_t expiry,
		    char *user, size_t user_len, char *password, size_t password_len);

#endif /* RTCG_AUTH_H */
