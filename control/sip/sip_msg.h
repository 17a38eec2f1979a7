/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_msg.h - what the SIP side reads out of SIP message bodies itself
 * (sofia-sip parses the messages): pure functions, fuzzed with sofia's own
 * parser in front (tests/fuzz/fuzz_sip.c).
 */
#ifndef RTCG_SIP_MSG_H
#define RTCG_SIP_MSG_H

#include <stddef.h>

/*
 * The DTMF digit a SIP INFO carries: application/dtmf-relay ("Signal=5",
 * any case, blanks allowed) or application/dtmf (the body's first byte).
 * Returns 0-9, *, #, A-D (upper case), or 0 when there is none.
 */
char sip_info_digit(const char *content_type, const char *body, size_t len);

#endif /* RTCG_SIP_MSG_H */
