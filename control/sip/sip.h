/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip.h - the SIP side: a sofia-sip NUA user agent on the control lcore,
 * bound to the internal port's address (its packets take the exception
 * path), with every request routed through sip.server as outbound proxy.
 *
 * It knows SIP, not media: SDP bodies go in and out as text (NUA's own
 * offer/answer engine is off), and the WebRTC side (control/webrtc) builds
 * and reads them. Registrations carry a browser user's SIP credentials
 * (auth.mode sip); calls are INVITE dialogs in either direction.
 *
 * Ownership: the owner of a registration or call holds it until it calls
 * sip_unregister()/sip_hangup(); after that no callback names it, and the
 * module finishes the SIP side (un-REGISTER, CANCEL, BYE, reject) and frees
 * it. A registration is always let go that way, even after it failed;
 * call_ended() ends the owner's hold on a call by itself.
 */
#ifndef RTCG_SIP_H
#define RTCG_SIP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "config.h"

struct sip;
struct sip_reg;
struct sip_call;

struct sip_events {
	/*
	 * A registration's outcome. status 200: registered (or refreshed);
	 * 401/403: the server refused these credentials; anything else (408,
	 * 5xx, 503 for no answer): the server did not take it. After the first
	 * success a failure is retried with back-off and reported again.
	 */
	void (*reg_state)(void *owner, int status, const char *phrase);
	/*
	 * An INVITE for user (the R-URI's user; reg is the registration its
	 * contact names, or NULL). Return the call's owner, or NULL with a
	 * final status in *status (486, 480, 488...) to refuse it.
	 */
	void *(*incoming)(void *arg, struct sip_call *c, struct sip_reg *reg, const char *user,
			  const char *from, const char *sdp, int *status);
	/* 18x; sdp NULL when the response had none. */
	void (*progress)(void *owner, int status, const char *sdp);
	/* 200 to our INVITE, ACKed. */
	void (*answered)(void *owner, const char *sdp);
	/*
	 * A re-INVITE or UPDATE from the far end with an offer: write the
	 * answer SDP into answer and return 200, or return a failure status.
	 */
	int (*reoffer)(void *owner, const char *sdp, char *answer, size_t answer_len);
	/* DTMF by SIP INFO (application/dtmf-relay or application/dtmf). */
	void (*dtmf)(void *owner, const char *digits);
	/* The dialog is over: status is the SIP status that ended it (0: BYE). */
	void (*call_ended)(void *owner, int status, const char *reason);
	void *arg;
};

/* Bind the user agent; NULL with a one-line reason in err. */
struct sip *sip_create(const struct rtcg_config *cfg, const struct sip_events *ev, char *err,
		       size_t errlen);
/*
 * Start saying goodbye: BYE or CANCEL every call, un-REGISTER everyone (no
 * callback names an owner after this). The control loop keeps running,
 * packets keep flowing through the exception path, until
 * sip_shutdown_done() or its patience ends.
 */
void sip_shutdown(struct sip *s);
bool sip_shutdown_done(const struct sip *s);
/* sip_shutdown() if not yet, wait for it (bounded), free everything. */
void sip_destroy(struct sip *s);
/* Run what is due (timers, sockets); cheap to call from the control loop. */
void sip_poll(struct sip *s);
/* The address the SIP side uses for media (the internal port's). */
const char *sip_local_ip(const struct sip *s);

struct sip_reg *sip_register(struct sip *s, const char *user, const char *password,
			     void *owner);
void sip_unregister(struct sip_reg *r);

/*
 * INVITE `to` (a user, a number, or a sip:/sips:/tel: URI) from `user`, with
 * the registration's credentials for digest challenges when reg is set.
 */
struct sip_call *sip_invite(struct sip *s, struct sip_reg *reg, const char *user,
			    const char *to, const char *sdp, void *owner);
/* Answer an inbound call: 18x (sdp may be NULL) or 200 with our SDP. */
int sip_respond(struct sip_call *c, int status, const char *sdp);
/* A new offer in the dialog (hold, resume); the answer comes as answered(). */
int sip_reoffer(struct sip_call *c, const char *sdp);
/* DTMF as SIP INFO (application/dtmf-relay), one request per digit. */
int sip_send_dtmf(struct sip_call *c, const char *digits);
/* Let go: CANCEL, BYE or `status` (e.g. 486) as the dialog's state needs. */
void sip_hangup(struct sip_call *c, int status);

/* Counters for /metrics (Prometheus text). */
void sip_write_metrics(const struct sip *s, struct evbuffer *out);

#endif /* RTCG_SIP_H */
