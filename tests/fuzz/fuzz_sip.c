/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_sip.c - SIP as it reaches the gateway's SIP port: sofia-sip's message
 * parser (what the SIP side trusts to read the network), then what the SIP
 * side reads out of a parsed message itself: the INFO DTMF body, the
 * request URI's parameters and the SDP body (lib/sdp).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>

#include "sdp.h"
#include "sip_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_t *m;
	sip_t *sip;
	char *copy;

	if (size > 65536)
		return 0;
	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	m = msg_make(sip_default_mclass(), 0, copy, (isize_t)size);
	sip = m != NULL ? sip_object(m) : NULL;
	if (sip != NULL && sip->sip_payload != NULL && sip->sip_payload->pl_data != NULL) {
		const char *ct = sip->sip_content_type ? sip->sip_content_type->c_type : NULL;
		size_t len = sip->sip_payload->pl_len;
		char d = sip_info_digit(ct, sip->sip_payload->pl_data, len);

		if (d != 0 && strchr("0123456789*#ABCD", d) == NULL)
			abort();
		if (ct != NULL && strcmp(ct, "application/sdp") == 0) {
			struct sdp *s = malloc(sizeof(*s));
			char err[128];

			if (s != NULL)
				sdp_parse(sip->sip_payload->pl_data, len, s, err, sizeof(err));
			free(s);
		}
	}
	if (sip != NULL && sip->sip_request != NULL && sip->sip_request->rq_url->url_params != NULL)
		(void)strstr(sip->sip_request->rq_url->url_params, "rtcg=");
	if (m != NULL)
		msg_destroy(m);
	free(copy);
	return 0;
}
