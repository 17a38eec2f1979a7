/* SPDX-License-Identifier: BSD-3-Clause */
/* call_fsm.c - the call state table. */
#include <string.h>

#include "call_fsm.h"

#define X -1
#define SAME -2

/* next[state][input]; SAME keeps the state. */
static const signed char next[CALL_STATE_MAX][CALL_INPUT_MAX] = {
	/*              ANSWER       DTMF  HOLD       RESUME       HANGUP      PROGRESS      ANSWERED     R_HOLD     R_RESUME     DTMF_RX ENDED */
	[CALL_CALLING]  = { X,       X,    X,         X,           CALL_ENDED, CALL_RINGING, CALL_ACTIVE, X,         X,           X,      CALL_ENDED },
	[CALL_RINGING]  = { X,       X,    X,         X,           CALL_ENDED, SAME,         CALL_ACTIVE, X,         X,           X,      CALL_ENDED },
	[CALL_INCOMING] = { CALL_ACTIVE, X, X,        X,           CALL_ENDED, X,            X,           X,         X,           X,      CALL_ENDED },
	[CALL_ACTIVE]   = { X,       SAME, CALL_HELD, X,           CALL_ENDED, X,            X,           CALL_HELD, X,           SAME,   CALL_ENDED },
	[CALL_HELD]     = { X,       X,    X,         CALL_ACTIVE, CALL_ENDED, X,            X,           SAME,      CALL_ACTIVE, SAME,   CALL_ENDED },
	[CALL_ENDED]    = { X,       X,    X,         X,           X,          X,            X,           X,         X,           X,      X },
};

int
call_fsm_step(enum call_state s, enum call_input in)
{
	int n;

	if ((unsigned)s >= CALL_STATE_MAX || (unsigned)in >= CALL_INPUT_MAX)
		return -1;
	n = next[s][in];
	return n == SAME ? (int)s : n;
}

const char *
call_state_name(enum call_state s)
{
	static const char *const names[CALL_STATE_MAX] = {
		"calling", "ringing", "incoming", "active", "held", "ended",
	};

	return (unsigned)s < CALL_STATE_MAX ? names[s] : "?";
}

const char *
call_input_name(enum call_input in)
{
	static const char *const names[CALL_INPUT_MAX] = {
		"answer", "dtmf", "hold", "resume", "hangup", "progress", "answered",
		"remote_hold", "remote_resume", "dtmf_received", "ended",
	};

	return (unsigned)in < CALL_INPUT_MAX ? names[in] : "?";
}

bool
call_dtmf_valid(const char *digits)
{
	size_t n = strlen(digits);

	return n >= 1 && n <= 32 && strspn(digits, "0123456789*#ABCDabcd") == n;
}
