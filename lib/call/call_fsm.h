/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_fsm.h - the state of one call as the API sees it, and what may happen
 * to it. The HTTP API asks call_fsm_step() before it acts on a request (a
 * refused step is a 409 with the state in the message); the SIP side feeds
 * the network's events (progress, answered, remote hold, ended) through the
 * same function. The events the browser receives are named after the
 * transitions.
 *
 *   outbound: calling -> ringing -> active <-> held -> ended
 *   inbound:  incoming -> active <-> held -> ended
 *   any state but ended -> ended (hang-up, failure, remote BYE)
 */
#ifndef RTCG_CALL_FSM_H
#define RTCG_CALL_FSM_H

#include <stdbool.h>

enum call_state {
	CALL_CALLING,  /* outbound: INVITE sent, nothing back yet */
	CALL_RINGING,  /* outbound: 180/183 received */
	CALL_INCOMING, /* inbound: offered to the browser, not answered */
	CALL_ACTIVE,
	CALL_HELD,     /* held by either side */
	CALL_ENDED,
	CALL_STATE_MAX
};

enum call_input {
	/* from the browser, through the API */
	CALL_IN_ANSWER,
	CALL_IN_DTMF,
	CALL_IN_HOLD,
	CALL_IN_RESUME,
	CALL_IN_HANGUP,
	/* from the network */
	CALL_IN_PROGRESS,
	CALL_IN_ANSWERED,
	CALL_IN_REMOTE_HOLD,
	CALL_IN_REMOTE_RESUME,
	CALL_IN_DTMF_RECEIVED,
	CALL_IN_ENDED,
	CALL_INPUT_MAX
};

/*
 * The state after `in` in state `s`, or -1 when `in` is not allowed there.
 * DTMF leaves the state as it is.
 */
int call_fsm_step(enum call_state s, enum call_input in);

const char *call_state_name(enum call_state s);
const char *call_input_name(enum call_input in);

/* RFC 4733 events a browser may send: 0-9 * # A-D; 1..32 of them. */
bool call_dtmf_valid(const char *digits);

#endif /* RTCG_CALL_FSM_H */
