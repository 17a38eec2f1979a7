/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_dtls.c - libFuzzer harness for the DTLS-SRTP input path: each input
 * is split into datagrams (2-byte big-endian length prefixes) and fed to a
 * fresh server-side connection, as punted packets would be.
 */
#include <stdint.h>
#include <string.h>

#include "dtls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
discard(void *arg, const uint8_t *d, size_t len)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dtls_ctx *ctx;
	static const uint8_t fp[32];
	enum rtcg_srtp_profile pref[] = { RTCG_SRTP_AEAD_AES_128_GCM, RTCG_SRTP_AES128_CM_SHA1_80 };
	struct dtls_conn *c;
	struct dtls_srtp_keys k;
	char err[200];

	if (ctx == NULL)
		ctx = dtls_ctx_create(pref, 2, err, sizeof(err));
	c = dtls_conn_new(ctx, true, fp, sizeof(fp), discard, NULL);
	while (size >= 2) {
		size_t len = (size_t)data[0] << 8 | data[1];

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		dtls_conn_input(c, data, len);
		data += len;
		size -= len;
	}
	(void)dtls_conn_timeout_ms(c);
	(void)dtls_conn_keys(c, &k);
	dtls_conn_free(c);
	return 0;
}
