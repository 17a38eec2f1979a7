/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libsrtp_policy.h - the libsrtp2 crypto policies that match each of our
 * profiles, for the tests that use libsrtp2 as the reference and for
 * bench-srtp's baseline.
 */
#ifndef RTCG_LIBSRTP_POLICY_H
#define RTCG_LIBSRTP_POLICY_H

#include <string.h>

#include <srtp2/srtp.h>

#include "rtcg_srtp.h"

/* Fill pol's RTP and RTCP crypto policies for prof; -1 if unknown. */
static inline int
libsrtp_policy_for(enum rtcg_srtp_profile prof, srtp_policy_t *pol)
{
	memset(pol, 0, sizeof(*pol));
	switch (prof) {
	case RTCG_SRTP_AES128_CM_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		break;
	case RTCG_SRTP_AES128_CM_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		/* SRTCP keeps its 80-bit tag (RFC 5764 4.1.2). */
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		return 0;
	case RTCG_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		break;
	case RTCG_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		break;
	case RTCG_SRTP_NULL_SHA1_80:
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol->rtp);
		break;
	default:
		return -1;
	}
	pol->rtcp = pol->rtp;
	return 0;
}

#endif /* RTCG_LIBSRTP_POLICY_H */
