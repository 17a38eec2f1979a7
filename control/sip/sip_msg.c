/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_msg.c - SIP bodies the SIP side reads itself (see sip_msg.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "sip_msg.h"

char
sip_info_digit(const char *content_type, const char *body, size_t len)
{
	char d = 0;

	if (content_type == NULL || body == NULL)
		return 0;
	if (strcasecmp(content_type, "application/dtmf-relay") == 0) {
		for (size_t i = 0; i + 7 < len; i++)
			if (strncasecmp(body + i, "Signal=", 7) == 0) {
				size_t j = i + 7;

				while (j < len && (body[j] == ' ' || body[j] == '\t'))
					j++;
				if (j < len)
					d = body[j];
				break;
			}
	} else if (strcasecmp(content_type, "application/dtmf") == 0 && len > 0) {
		d = body[0];
	}
	d = (char)toupper((unsigned char)d);
	return d != 0 && strchr("0123456789*#ABCD", d) != NULL ? d : 0;
}
