/* SPDX-License-Identifier: BSD-3-Clause */
/* auth.c - PBKDF2 password hashes and HMAC tokens over OpenSSL. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "auth.h"

#define SALT_LEN 16
#define DK_LEN 32
#define PREFIX "$pbkdf2-sha256$"
#define MIN_ITERATIONS 1000
#define MAX_ITERATIONS 10000000

int
auth_b64_encode(const void *in, size_t len, char *out, size_t outlen)
{
	if (outlen < 4 * ((len + 2) / 3) + 1)
		return -1;
	return EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

int
auth_b64_decode(const char *in, void *out, size_t outlen)
{
	size_t len = strlen(in), pad = 0;
	unsigned char buf[512];
	char text[684];
	int n;

	/* EVP_DecodeBlock wants whole quanta and counts padding as bytes. */
	if (len == 0 || len + 3 >= sizeof(text))
		return -1;
	memcpy(text, in, len);
	while (len % 4 != 0)
		text[len++] = '=';
	text[len] = '\0';
	while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
		pad++;
	n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)len);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > outlen)
		return -1;
	n -= (int)pad;
	memcpy(out, buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return n;
}

struct parsed_hash {
	unsigned long iterations;
	unsigned char salt[SALT_LEN];
	unsigned char dk[DK_LEN];
};

static int
parse_hash(const char *hash, struct parsed_hash *ph)
{
	char salt_text[64], dk_text[64];
	const char *p, *q;
	char *end;

	if (strncmp(hash, PREFIX, strlen(PREFIX)) != 0)
		return -1;
	p = hash + strlen(PREFIX);
	errno = 0;
	ph->iterations = strtoul(p, &end, 10);
	if (end == p || *end != '$' || errno != 0 || ph->iterations < MIN_ITERATIONS ||
	    ph->iterations > MAX_ITERATIONS)
		return -1;
	p = end + 1;
	q = strchr(p, '$');
	if (q == NULL || (size_t)(q - p) >= sizeof(salt_text) || strlen(q + 1) >= sizeof(dk_text))
		return -1;
	memcpy(salt_text, p, (size_t)(q - p));
	salt_text[q - p] = '\0';
	strcpy(dk_text, q + 1);
	if (auth_b64_decode(salt_text, ph->salt, sizeof(ph->salt)) != SALT_LEN ||
	    auth_b64_decode(dk_text, ph->dk, sizeof(ph->dk)) != DK_LEN)
		return -1;
	return 0;
}

static int
derive(const char *password, const unsigned char *salt, unsigned long iterations,
       unsigned char dk[DK_LEN])
{
	return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, SALT_LEN,
				 (int)iterations, EVP_sha256(), DK_LEN, dk) == 1 ? 0 : -1;
}

int
auth_hash_password(const char *password, unsigned iterations, char *out, size_t outlen)
{
	struct parsed_hash ph = { .iterations = iterations };
	char salt_text[32], dk_text[64];
	int n;

	if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS ||
	    RAND_bytes(ph.salt, SALT_LEN) != 1 || derive(password, ph.salt, iterations, ph.dk) != 0)
		return -1;
	if (auth_b64_encode(ph.salt, SALT_LEN, salt_text, sizeof(salt_text)) < 0 ||
	    auth_b64_encode(ph.dk, DK_LEN, dk_text, sizeof(dk_text)) < 0)
		return -1;
	n = snprintf(out, outlen, PREFIX "%u$%s$%s", iterations, salt_text, dk_text);
	OPENSSL_cleanse(&ph, sizeof(ph));
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

bool
auth_hash_valid(const char *hash)
{
	struct parsed_hash ph;

	return parse_hash(hash, &ph) == 0;
}

int
auth_check_password(const char *hash, const char *password)
{
	struct parsed_hash ph;
	unsigned char dk[DK_LEN];
	int ok;

	if (parse_hash(hash, &ph) != 0)
		return -1;
	if (derive(password, ph.salt, ph.iterations, dk) != 0)
		return -1;
	ok = CRYPTO_memcmp(dk, ph.dk, DK_LEN) == 0;
	OPENSSL_cleanse(dk, sizeof(dk));
	return ok;
}

void
auth_burn_time(const char *password)
{
	static const unsigned char salt[SALT_LEN];
	unsigned char dk[DK_LEN];

	(void)derive(password, salt, AUTH_HASH_DEFAULT_ITERATIONS, dk);
}

static int
token_mac(const char *secret, const char *user, char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)user,
		 strlen(user), mac, &mac_len) == NULL)
		return -1;
	return auth_b64_encode(mac, mac_len, out, outlen) < 0 ? -1 : 0;
}

enum auth_token_result
auth_check_token(const char *secret, const char *user, const char *password, time_t now,
		 char *name_out, size_t name_len, time_t *expiry_out)
{
	char expected[64], *end;
	const char *name;
	long long expiry;
	size_t plen;

	errno = 0;
	expiry = strtoll(user, &end, 10);
	if (end == user || *end != ':' || errno != 0 || expiry <= 0)
		return AUTH_TOKEN_MALFORMED;
	name = end + 1;
	if (*name == '\0' || strlen(name) >= name_len)
		return AUTH_TOKEN_MALFORMED;
	if (token_mac(secret, user, expected, sizeof(expected)) != 0)
		return AUTH_TOKEN_BAD_SIGNATURE;
	plen = strlen(password);
	if (plen != strlen(expected) || CRYPTO_memcmp(password, expected, plen) != 0)
		return AUTH_TOKEN_BAD_SIGNATURE;
	if ((time_t)expiry <= now)
		return AUTH_TOKEN_EXPIRED;
	strcpy(name_out, name);
	if (expiry_out != NULL)
		*expiry_out = (time_t)expiry;
	return AUTH_TOKEN_OK;
}

int
auth_mint_token(const char *secret, const char *name, time_t expiry, char *user,
		size_t user_len, char *password, size_t password_len)
{
	int n = snprintf(user, user_len, "%lld:%s", (long long)expiry, name);

	if (n < 0 || (size_t)n >= user_len)
		return -1;
	return token_mac(secret, user, password, password_len);
}
