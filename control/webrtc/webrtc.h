/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * webrtc.h - the browser side's media legs on the control lcore: the SDP
 * answer (lib/sdp), ICE-lite (lib/stun, on STUN packets the workers punt),
 * DTLS-SRTP (lib/dtls, on punted DTLS) with the keys installed in a
 * dataplane session, consent freshness (RFC 7675), and the echo endpoint
 * (a call to "echo" is answered by the gateway itself and its media loops
 * back through both SRTP contexts in the workers).
 *
 * It is the API's call backend (struct api_backend) for what needs no SIP;
 * other destinations answer -ENOTCONN ("no SIP side") until the SIP side
 * takes them.
 */
#ifndef RTCG_WEBRTC_H
#define RTCG_WEBRTC_H

#include <event2/buffer.h>
#include <event2/event.h>

#include "api.h"
#include "config.h"
#include "dataplane.h"

struct webrtc;

struct webrtc *webrtc_create(struct event_base *base, const struct rtcg_config *cfg,
			     struct dp *dp, struct api *api, char *err, size_t errlen);
void webrtc_destroy(struct webrtc *w);
/* The SIP stack's share of the control loop (timers, sockets). */
void webrtc_poll(struct webrtc *w);
/* End every call and start the SIP side's goodbyes (see sip_shutdown). */
void webrtc_shutdown(struct webrtc *w);
bool webrtc_shutdown_done(const struct webrtc *w);

/* Append the WebRTC side's counters to /metrics (Prometheus text). */
void webrtc_write_metrics(const struct webrtc *w, struct evbuffer *out);

#endif /* RTCG_WEBRTC_H */
