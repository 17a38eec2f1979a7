/* SPDX-License-Identifier: BSD-3-Clause */
/* webrtc.c - SDP answers, ICE-lite, DTLS-SRTP and the echo endpoint. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <openssl/rand.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "auth.h"
#include "demo.h"
#include "dtls.h"
#include "sdp.h"
#include "sip.h"
#include "stun.h"
#include "webrtc.h"

RTE_LOG_REGISTER(webrtc_logtype, rtcgate.webrtc, INFO);
#define WLOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, webrtc_logtype, "webrtc: " fmt "\n", ##__VA_ARGS__)

/* Codecs passed through (no transcoding), by rtpmap name. */
static const char *const passthrough_codecs[] = {
	"opus", "PCMU", "PCMA", "G722", "telephone-event", "VP8", "H264",
};

#define SIP_SDP_MAX 4096
#define DTMF_QUEUE 32
#define DTMF_STEP_MS 40	  /* RFC 4733 packets of one event, 40 ms apart */
#define DTMF_EVENT_SAMPLES 800 /* 100 ms at 8 kHz */
#define NEIGHBOUR_TRIES 100 /* every 20 ms: 2 s for ARP or neighbour discovery */

struct leg {
	struct webrtc *w;
	struct api_call *call;
	bool echo;	       /* the echo endpoint; else a SIP call */
	uint16_t port;	       /* our public media port */
	uint16_t int_port;     /* its internal twin: RTP here, RTCP on int_port + 1 */
	char ufrag[12], pwd[28];
	char remote_ufrag[SDP_TOKEN], remote_pwd[SDP_TOKEN];
	struct dtls_conn *dtls;
	struct event *dtls_timer;
	bool server; /* DTLS role */
	bool have_remote;
	uint8_t remote_ip[16];
	uint16_t remote_port;
	uint8_t remote_mac[6];
	uint32_t dp_id;
	bool installed;
	bool dtls_up;	/* the SRTP keys are known: DTLS-SRTP done, or SDES from the SDP */
	bool sdes;	/* keyed by SDES (a=crypto), no DTLS */
	unsigned sdes_tag;
	struct dtls_srtp_keys sdes_keys;
	time_t last_consent, created;
	time_t media_start;  /* when the browser had what it needs for ICE and DTLS */
	time_t installed_at;
	/* The SIP side (not for the echo). */
	struct sip_call *sc;
	bool inbound;
	char *browser_offer;	  /* outbound: kept until the SIP side's SDP shapes the answer */
	bool browser_answered;	  /* outbound: the browser has our answer */
	char mid[SDP_TOKEN];	  /* the browser's audio section's mid */
	struct sdp_codec codecs[SDP_MAX_CODECS]; /* the audio codecs both sides take, in order */
	unsigned n_codecs;
	bool have_int_remote;	  /* the SIP side's media address is known */
	uint8_t int_ip[16];
	uint16_t int_rport, int_rtcp_rport;
	uint8_t int_mac[6];
	bool int_have_mac;
	struct event *neigh_timer;
	unsigned neigh_tries;
	uint64_t sip_sess_id, sip_version;
	bool local_hold, remote_hold;
	time_t ring_deadline;	  /* inbound, until the browser answers */
	/* RFC 4733 digits the gateway sends toward the phone (POST .../dtmf). */
	char dtmf_q[DTMF_QUEUE + 1];
	unsigned dtmf_step;	  /* packets sent of dtmf_q[0]'s event */
	uint32_t dtmf_ssrc, dtmf_ts;
	uint16_t dtmf_seq;
	struct event *dtmf_timer;
	struct leg *next;
};

struct webrtc {
	struct event_base *base;
	const struct rtcg_config *cfg;
	struct dp *dp;
	struct api *api;
	struct dtls_ctx *dtls;
	struct event *sweep;
	unsigned pub_port_idx;	/* dataplane port index of the public side */
	unsigned int_port_idx;	/* and of the internal side */
	int family;
	uint8_t pub_ip[16], int_ip[16];
	char pub_ip_text[64], int_ip_text[64];
	struct sip *sip;	/* NULL without sip.server */
	uint16_t next_port;
	struct leg *legs;
	uint64_t stun_ok, stun_bad, dtls_failed, dtls_connected, calls_ended[6];
};

/* Why media legs ended, for /metrics. */
static const char *const end_reasons[] = { "consent-expired", "dtls-failed", "dtls-timeout",
					   "ice-failed", "rtp-timeout", "no-answer" };
#define N_END_REASONS (sizeof(end_reasons) / sizeof(end_reasons[0]))

static void leg_free(struct leg *l);

static struct leg *
leg_by_port(struct webrtc *w, uint16_t port)
{
	for (struct leg *l = w->legs; l != NULL; l = l->next)
		if (l->port == port)
			return l;
	return NULL;
}

/* An even port of the public range that no leg uses. */
static uint16_t
take_port(struct webrtc *w)
{
	const struct config_range *r = &w->cfg->media.public_ports;
	uint32_t span = (r->max - r->min + 1) / 2;

	for (uint32_t i = 0; i < span; i++) {
		uint16_t p = (uint16_t)(r->min + ((w->next_port + i) % span) * 2);

		if (leg_by_port(w, p) == NULL) {
			w->next_port = (uint16_t)((w->next_port + i + 1) % span);
			return p;
		}
	}
	return 0;
}

static void
random_token(char *out, size_t chars)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char b[32];

	RAND_bytes(b, (int)chars);
	for (size_t i = 0; i < chars; i++)
		out[i] = alphabet[b[i] % 64];
	out[chars] = '\0';
}

/* ---- sending ---- */

static void
send_to_remote(struct leg *l, const uint8_t *data, size_t len)
{
	struct webrtc *w = l->w;

	if (!l->have_remote)
		return;
	dp_send_udp(w->dp, w->pub_port_idx, w->family, w->pub_ip, l->port, l->remote_ip,
		    l->remote_port, l->remote_mac, data, len);
}

static void
dtls_send(void *arg, const uint8_t *data, size_t len)
{
	send_to_remote(arg, data, len);
}

/* ---- the dataplane session ---- */

static void
fill_spec(struct leg *l, const struct dtls_srtp_keys *k, struct dp_session_spec *spec)
{
	struct webrtc *w = l->w;
	size_t alen = w->family == AF_INET ? 4 : 16;
	int kl = rtcg_srtp_profile_key_len(k->profile), sl = rtcg_srtp_profile_salt_len(k->profile);

	memset(spec, 0, sizeof(*spec));
	spec->leg[DP_PUBLIC].family = w->family;
	memcpy(spec->leg[DP_PUBLIC].local_ip, w->pub_ip, alen);
	spec->leg[DP_PUBLIC].local_port = l->port;
	memcpy(spec->leg[DP_PUBLIC].remote_ip, l->remote_ip, alen);
	spec->leg[DP_PUBLIC].remote_port = l->remote_port;
	memcpy(spec->leg[DP_PUBLIC].remote_mac, l->remote_mac, 6);
	spec->leg[DP_PUBLIC].have_mac = true;
	spec->leg[DP_INTERNAL].family = w->family;
	memcpy(spec->leg[DP_INTERNAL].local_ip, w->int_ip, alen);
	spec->leg[DP_INTERNAL].local_port = l->int_port;
	if (!l->echo) {
		struct dp_leg_spec *il = &spec->leg[DP_INTERNAL];

		il->local_rtcp_port = (uint16_t)(l->int_port + 1);
		memcpy(il->remote_ip, l->int_ip, alen);
		il->remote_port = l->int_rport;
		il->remote_rtcp_port = l->int_rtcp_rport;
		memcpy(il->remote_mac, l->int_mac, 6);
		il->have_mac = l->int_have_mac;
		spec->latch_internal = true; /* symmetric RTP: phones behind NAT */
		spec->hold_to_internal = l->remote_hold;
		spec->hold_to_public = l->local_hold;
		/* The phone's RFC 4733 digits become dtmf events too. */
		for (unsigned i = 0; i < l->n_codecs && !spec->dtmf_detect; i++)
			if (strcasecmp(l->codecs[i].name, "telephone-event") == 0) {
				spec->dtmf_detect = true;
				spec->dtmf_pt = l->codecs[i].pt;
			}
	}
	spec->srtp_in.profile = k->profile;
	memcpy(spec->srtp_in.key, k->remote_key, (size_t)kl);
	memcpy(spec->srtp_in.salt, k->remote_salt, (size_t)sl);
	spec->srtp_out.profile = k->profile;
	memcpy(spec->srtp_out.key, k->local_key, (size_t)kl);
	memcpy(spec->srtp_out.salt, k->local_salt, (size_t)sl);
	spec->echo = l->echo;
}

static void
end_leg(struct leg *l, const char *reason)
{
	struct api_call *c = l->call;

	WLOG(NOTICE, "call %s ends: %s", c ? api_call_id(c) : "?", reason);
	if (l->sc != NULL) {
		sip_hangup(l->sc, 480);
		l->sc = NULL;
	}
	for (unsigned i = 0; i < N_END_REASONS; i++)
		if (strcmp(reason, end_reasons[i]) == 0)
			l->w->calls_ended[i]++;
	l->call = NULL;
	if (c != NULL) {
		api_call_set_backend_data(c, NULL);
		api_call_ended(c, reason);
	}
	leg_free(l);
}

static int
leg_keys(struct leg *l, struct dtls_srtp_keys *k)
{
	if (l->sdes) {
		*k = l->sdes_keys;
		return 0;
	}
	return dtls_conn_keys(l->dtls, k);
}

/*
 * Install or update the leg's dataplane session once it has both its keys
 * (DTLS-SRTP up, or SDES) and, for a SIP call, the SIP side's media address.
 * 0, or -1 when the leg was ended (only a first install can end it: a
 * failed update keeps the session as it was, so callers in the middle of
 * an API request never see their call vanish).
 */
static int
leg_sync(struct leg *l)
{
	struct dtls_srtp_keys k;
	struct dp_session_spec spec;
	int rc;

	if (!l->dtls_up || !l->have_remote || (!l->echo && !l->have_int_remote))
		return 0;
	if (leg_keys(l, &k) != 0) {
		if (l->installed)
			return 0;
		end_leg(l, "dtls-failed");
		return -1;
	}
	fill_spec(l, &k, &spec);
	rc = l->installed ? dp_session_update(l->w->dp, l->dp_id, &spec) :
			    dp_session_create(l->w->dp, &spec, &l->dp_id);
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(&spec, sizeof(spec));
	if (rc != 0 && l->installed) {
		WLOG(WARNING, "call %s: cannot update the media session: %s", api_call_id(l->call),
		     strerror(-rc));
		return 0;
	}
	if (rc != 0) {
		WLOG(WARNING, "cannot install the media session: %s", strerror(-rc));
		end_leg(l, "no-media-session");
		return -1;
	}
	if (!l->installed) {
		WLOG(INFO, "call %s: media session %u installed", api_call_id(l->call), l->dp_id);
		l->installed_at = time(NULL);
		l->installed = true;
		if (l->sdes && l->echo)
			api_call_answered(l->call, NULL); /* SDES: keys known, media can flow */
	}
	return 0;
}

static void
dtls_connected(struct leg *l)
{
	struct dtls_srtp_keys k;

	l->dtls_up = true;
	l->w->dtls_connected++;
	if (dtls_conn_keys(l->dtls, &k) == 0)
		WLOG(INFO, "call %s: DTLS-SRTP up (%s)", api_call_id(l->call),
		     rtcg_srtp_profile_name(k.profile));
	OPENSSL_cleanse(&k, sizeof(k));
	if (leg_sync(l) != 0)
		return;
	if (l->echo)
		api_call_answered(l->call, NULL);
}

static void
arm_dtls_timer(struct leg *l)
{
	int ms = l->dtls ? dtls_conn_timeout_ms(l->dtls) : -1;
	struct timeval tv;

	if (ms < 0)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(l->dtls_timer, &tv);
}

static void
on_dtls_timer(evutil_socket_t fd, short what, void *arg)
{
	struct leg *l = arg;

	if (dtls_conn_on_timeout(l->dtls) == DTLS_FAILED) {
		l->w->dtls_failed++;
		end_leg(l, "dtls-failed");
		return;
	}
	arm_dtls_timer(l);
}

/* ---- punted packets ---- */

static void
latch(struct leg *l, const struct dp_udp_view *v)
{
	size_t alen = v->family == AF_INET ? 4 : 16;
	bool changed = !l->have_remote || memcmp(l->remote_ip, v->src_ip, alen) != 0 ||
		       l->remote_port != v->src_port || memcmp(l->remote_mac, v->src_mac, 6) != 0;

	if (!changed)
		return;
	memcpy(l->remote_ip, v->src_ip, alen);
	l->remote_port = v->src_port;
	memcpy(l->remote_mac, v->src_mac, 6);
	l->have_remote = true;
	if (l->installed || l->sdes)
		leg_sync(l);
}

static void
on_stun(struct webrtc *w, struct leg *l, const struct dp_udp_view *v)
{
	struct stun_msg m;
	struct sockaddr_storage from;
	uint8_t resp[128];
	int n;

	if (stun_parse(v->payload, v->len, &m) != STUN_OK || m.fingerprint_at < 0 ||
	    m.type != STUN_BINDING_REQUEST ||
	    stun_check_username(&m, l->ufrag, l->remote_ufrag[0] ? l->remote_ufrag : NULL) != STUN_OK ||
	    stun_check_integrity(v->payload, v->len, &m, l->pwd) != STUN_OK) {
		w->stun_bad++;
		return;
	}
	w->stun_ok++;
	/*
	 * Latch (and install the session in the dataplane) before answering:
	 * the peer sends media as soon as the answer reaches it, and that
	 * media must find the session. A valid check from the latched address
	 * refreshes consent (RFC 7675).
	 */
	if (m.use_candidate || !l->have_remote)
		latch(l, v);
	if (l->have_remote && l->remote_port == v->src_port &&
	    memcmp(l->remote_ip, v->src_ip, v->family == AF_INET ? 4 : 16) == 0)
		l->last_consent = time(NULL);
	memset(&from, 0, sizeof(from));
	if (v->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&from;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(v->src_port);
		memcpy(&sin->sin_addr, v->src_ip, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&from;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(v->src_port);
		memcpy(&sin6->sin6_addr, v->src_ip, 16);
	}
	n = stun_binding_success(&m, (struct sockaddr *)&from, l->pwd, resp, sizeof(resp));
	if (n > 0)
		dp_send_udp(w->dp, w->pub_port_idx, v->family, v->dst_ip, v->dst_port, v->src_ip,
			    v->src_port, v->src_mac, resp, (size_t)n);
}

static void
on_dtls(struct webrtc *w, struct leg *l, const struct dp_udp_view *v)
{
	enum dtls_state before, after;

	if (l->dtls == NULL)
		return; /* an inbound call the browser has not answered yet */
	before = dtls_conn_state(l->dtls);

	if (!l->have_remote)
		latch(l, v); /* DTLS before any nomination: answer where it came from */
	after = dtls_conn_input(l->dtls, v->payload, v->len);
	if (after == DTLS_CONNECTED && before == DTLS_HANDSHAKING) {
		evtimer_del(l->dtls_timer);
		dtls_connected(l);
	} else if (after == DTLS_FAILED) {
		w->dtls_failed++;
		WLOG(WARNING, "DTLS failed: %s", dtls_conn_error(l->dtls));
		end_leg(l, "dtls-failed");
	} else if (after == DTLS_CLOSED && before != DTLS_CLOSED) {
		end_leg(l, "remote_hangup");
	} else {
		arm_dtls_timer(l);
	}
}

static void
on_punt(void *arg, struct rte_mbuf *m, enum dp_punt_kind kind, uint16_t port)
{
	struct webrtc *w = arg;
	struct dp_udp_view v;
	struct leg *l;

	if (dp_udp_view(m, &v) == 0 && v.family == w->family &&
	    (l = leg_by_port(w, v.dst_port)) != NULL) {
		if (kind == DP_PUNT_STUN)
			on_stun(w, l, &v);
		else if (kind == DP_PUNT_DTLS)
			on_dtls(w, l, &v);
	}
	rte_pktmbuf_free(m);
}

/* ---- RFC 4733 digits from the SIP side (seen by the workers) ---- */

static void
on_dp_dtmf(void *arg, uint32_t session_id, uint8_t event)
{
	static const char names[] = "0123456789*#ABCD";
	struct webrtc *w = arg;
	char digit[2] = { names[event & 15], '\0' };

	for (struct leg *l = w->legs; l != NULL; l = l->next)
		if (l->installed && l->dp_id == session_id && l->call != NULL) {
			api_call_dtmf_received(l->call, digit);
			return;
		}
}

/* ---- deadlines: handshake, consent, ringing, RTP from the SIP side ---- */

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct webrtc *w = arg;
	time_t now = time(NULL);

	for (struct leg *l = w->legs, *next; l != NULL; l = next) {
		next = l->next;
		if (l->inbound && l->dtls == NULL && now >= l->ring_deadline) {
			end_leg(l, "no-answer");
		} else if ((!l->dtls_up || !l->have_remote) && l->media_start != 0 &&
			   now - l->media_start >= (time_t)w->cfg->webrtc.dtls_timeout_seconds) {
			end_leg(l, l->have_remote ? "dtls-timeout" : "ice-failed");
		} else if (l->dtls_up && l->have_remote &&
			   now - l->last_consent >= (time_t)w->cfg->webrtc.consent_timeout_seconds) {
			end_leg(l, "consent-expired");
		} else if (l->installed && !l->echo && w->cfg->sip.rtp_timeout != 0 &&
			   !l->local_hold && !l->remote_hold) {
			struct dp_session_stats st;
			uint64_t idle_ms;

			if (dp_session_stats(w->dp, l->dp_id, &st) != 0)
				continue;
			idle_ms = st.idle_ms[DP_TO_PUBLIC] != UINT64_MAX ? st.idle_ms[DP_TO_PUBLIC] :
				  (uint64_t)(now - l->installed_at) * 1000u;
			if (idle_ms >= (uint64_t)w->cfg->sip.rtp_timeout * 1000u)
				end_leg(l, "rtp-timeout");
		}
	}
}

/* ---- SDP ---- */

static bool
passthrough(const char *name)
{
	for (size_t i = 0; i < sizeof(passthrough_codecs) / sizeof(passthrough_codecs[0]); i++)
		if (strcasecmp(name, passthrough_codecs[i]) == 0)
			return true;
	return false;
}

static enum sdp_dir
answer_dir(enum sdp_dir d)
{
	switch (d) {
	case SDP_SENDONLY: return SDP_RECVONLY;
	case SDP_RECVONLY: return SDP_SENDONLY;
	case SDP_INACTIVE: return SDP_INACTIVE;
	default: return SDP_SENDRECV;
	}
}

static const struct sdp_codec *
leg_codec(const struct leg *l, uint8_t pt)
{
	for (unsigned i = 0; i < l->n_codecs; i++)
		if (l->codecs[i].pt == pt)
			return &l->codecs[i];
	return NULL;
}

/* Our ICE-lite, DTLS and candidate lines on an accepted browser section. */
static void
browser_transport(struct leg *l, struct sdp_media *am, enum sdp_setup setup)
{
	struct webrtc *w = l->w;
	const uint8_t *fp;
	unsigned fp_len;

	fp = dtls_ctx_fingerprint(w->dtls, &fp_len);
	am->port = l->port;
	am->rtcp_mux = true;
	snprintf(am->conn, sizeof(am->conn), "%s", w->pub_ip_text);
	snprintf(am->ice_ufrag, sizeof(am->ice_ufrag), "%s", l->ufrag);
	snprintf(am->ice_pwd, sizeof(am->ice_pwd), "%s", l->pwd);
	snprintf(am->fp_alg, sizeof(am->fp_alg), "sha-256");
	memcpy(am->fp, fp, fp_len);
	am->fp_len = fp_len;
	am->setup = setup;
	snprintf(am->candidates[am->n_candidates++], SDP_LINE,
		 "1 1 udp 2130706431 %s %u typ host", w->pub_ip_text, l->port);
	am->end_of_candidates = true;
}

static void
browser_session(struct webrtc *w, struct sdp *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->origin_user, sizeof(d->origin_user), "rtcgate");
	RAND_bytes((unsigned char *)&d->sess_id, sizeof(d->sess_id));
	d->sess_id &= 0x7fffffffffffffffull;
	d->sess_version = 1;
	snprintf(d->origin_addr, sizeof(d->origin_addr), "%s", w->pub_ip_text);
	snprintf(d->name, sizeof(d->name), "-");
	d->ice_lite = true;
	snprintf(d->attrs[d->n_attrs++], SDP_LINE, "msid-semantic: WMS rtcgate");
}

/*
 * SDES (RFC 4568): the offer's first a=crypto whose suite is one of
 * webrtc.srtp_profiles, with a key of the suite's length and no MKI or
 * session parameters (lifetime is allowed). Its index, or -1.
 */
static int
sdes_pick(const struct webrtc *w, const struct sdp_media *om)
{
	for (unsigned i = 0; i < om->n_crypto; i++) {
		const struct sdp_crypto *cr = &om->crypto[i];
		int p = rtcg_srtp_profile_from_name(cr->suite);
		bool allowed = false;
		uint8_t raw[64];

		for (unsigned k = 0; k < w->cfg->webrtc.n_srtp_profiles && p >= 0; k++)
			allowed |= rtcg_srtp_profile_from_name(w->cfg->webrtc.srtp_profiles[k]) == p;
		if (!allowed || (cr->params[0] != '\0' && (cr->params[0] != '|' ||
							   strchr(cr->params, ':') != NULL ||
							   strchr(cr->params, ' ') != NULL)))
			continue;
		if (auth_b64_decode(cr->key, raw, sizeof(raw)) !=
		    rtcg_srtp_profile_key_len(p) + rtcg_srtp_profile_salt_len(p))
			continue;
		OPENSSL_cleanse(raw, sizeof(raw));
		return (int)i;
	}
	return -1;
}

/* Key the leg from the offer's crypto line ci and a fresh key of ours. */
static int
sdes_keys(struct leg *l, const struct sdp_crypto *cr)
{
	struct dtls_srtp_keys *k = &l->sdes_keys;
	int p = rtcg_srtp_profile_from_name(cr->suite);
	int kl = rtcg_srtp_profile_key_len(p), sl = rtcg_srtp_profile_salt_len(p);
	uint8_t raw[64];

	if (auth_b64_decode(cr->key, raw, sizeof(raw)) != kl + sl)
		return -1;
	k->profile = (enum rtcg_srtp_profile)p;
	memcpy(k->remote_key, raw, (size_t)kl);
	memcpy(k->remote_salt, raw + kl, (size_t)sl);
	OPENSSL_cleanse(raw, sizeof(raw));
	if (RAND_bytes(k->local_key, kl) != 1 || RAND_bytes(k->local_salt, sl) != 1)
		return -1;
	l->sdes = true;
	l->sdes_tag = cr->tag;
	l->dtls_up = true; /* the keys are known; media waits for ICE to latch */
	return 0;
}

/* Our a=crypto line in an answer: the offer's tag and suite, our key. */
static void
sdes_answer_line(const struct leg *l, struct sdp_media *am)
{
	const struct dtls_srtp_keys *k = &l->sdes_keys;
	int kl = rtcg_srtp_profile_key_len(k->profile), sl = rtcg_srtp_profile_salt_len(k->profile);
	uint8_t raw[64];
	struct sdp_crypto *cr = &am->crypto[0];

	memset(cr, 0, sizeof(*cr));
	cr->tag = l->sdes_tag;
	snprintf(cr->suite, sizeof(cr->suite), "%s", rtcg_srtp_profile_name(k->profile));
	memcpy(raw, k->local_key, (size_t)kl);
	memcpy(raw + kl, k->local_salt, (size_t)sl);
	auth_b64_encode(raw, (size_t)(kl + sl), cr->key, sizeof(cr->key));
	OPENSSL_cleanse(raw, sizeof(raw));
	am->n_crypto = 1;
	am->fp_len = 0;
	am->setup = SDP_SETUP_NONE;
}

/*
 * The answer to a browser's offer: ICE-lite with one host candidate, DTLS
 * passive (or active when the offer is passive), rtcp-mux, BUNDLE of every
 * accepted section on one port; codecs that pass through; extmap dropped
 * deliberately (header extensions are not rewritten), ssrc/msid not
 * answered. Sections without DTLS-SRTP, non-RTP or without a usable codec
 * are rejected with port 0. A SIP call takes the first audio section only,
 * with the codecs the SIP side agreed to (all that pass through until it
 * has answered). The first call creates the leg's DTLS connection.
 */
static int
build_answer(struct leg *l, const struct sdp *offer, struct sdp *ans, char *err, size_t errlen)
{
	struct webrtc *w = l->w;
	unsigned accepted = 0;

	browser_session(w, ans);
	for (unsigned i = 0; i < offer->n_media; i++) {
		const struct sdp_media *om = &offer->media[i];
		struct sdp_media *am = &ans->media[ans->n_media++];
		bool dtls = om->fp_len > 0 && strstr(om->proto, "TLS") != NULL;
		/* SDES only when configured and the section has no DTLS at all. */
		int ci = !dtls && om->fp_len == 0 && w->cfg->webrtc.sdes &&
				 strstr(om->proto, "SAVP") != NULL ? sdes_pick(w, om) : -1;
		bool wanted = l->echo || (accepted == 0 && strcmp(om->type, "audio") == 0);

		memset(am, 0, sizeof(*am));
		snprintf(am->type, sizeof(am->type), "%s", om->type);
		snprintf(am->proto, sizeof(am->proto), "%s", om->proto);
		snprintf(am->mid, sizeof(am->mid), "%s", om->mid);
		snprintf(am->conn, sizeof(am->conn), "%s", w->pub_ip_text);
		for (unsigned f = 0; f < om->n_fmts; f++) {
			const struct sdp_codec *c = sdp_codec_by_pt(om, om->fmts[f]);

			if (c != NULL && passthrough(c->name) && am->n_fmts < SDP_MAX_CODECS &&
			    (l->echo || l->n_codecs == 0 || leg_codec(l, c->pt) != NULL)) {
				am->fmts[am->n_fmts++] = c->pt;
				am->codecs[am->n_codecs] = *c;
				am->codecs[am->n_codecs].n_rtcp_fb = 0;
				am->n_codecs++;
			}
		}
		/* One keying for the bundle: sections after the first follow it. */
		if (accepted > 0 && (dtls ? l->sdes : !l->sdes))
			wanted = false;
		if (!wanted || (!dtls && ci < 0) || om->port == 0 || am->n_fmts == 0 || om->n_fmts == 0 ||
		    (strcmp(om->type, "audio") != 0 && strcmp(om->type, "video") != 0) ||
		    om->ice_ufrag[0] == '\0' || !om->rtcp_mux) {
			am->port = 0;
			if (am->n_fmts == 0 && om->n_fmts > 0) {
				am->fmts[0] = om->fmts[0];
				am->n_fmts = 1;
			} else if (om->n_fmts == 0) {
				snprintf(am->fmt_text, sizeof(am->fmt_text), "%s",
					 om->fmt_text[0] ? om->fmt_text : "0");
			}
			continue;
		}
		if (accepted == 0 && l->dtls == NULL && !l->sdes && !dtls) {
			snprintf(l->remote_ufrag, sizeof(l->remote_ufrag), "%s", om->ice_ufrag);
			snprintf(l->remote_pwd, sizeof(l->remote_pwd), "%s", om->ice_pwd);
			snprintf(l->mid, sizeof(l->mid), "%s", om->mid);
			if (sdes_keys(l, &om->crypto[ci]) != 0) {
				snprintf(err, errlen, "cannot key SDES from the offer's a=crypto");
				return -EINVAL;
			}
			WLOG(INFO, "SDES keys from the offer (%s); no DTLS",
			     rtcg_srtp_profile_name(l->sdes_keys.profile));
		}
		if (accepted == 0 && l->dtls == NULL && !l->sdes) {
			snprintf(l->remote_ufrag, sizeof(l->remote_ufrag), "%s", om->ice_ufrag);
			snprintf(l->remote_pwd, sizeof(l->remote_pwd), "%s", om->ice_pwd);
			snprintf(l->mid, sizeof(l->mid), "%s", om->mid);
			l->server = om->setup != SDP_SETUP_PASSIVE;
			if (strcmp(om->fp_alg, "sha-256") != 0) {
				snprintf(err, errlen, "the offer's fingerprint must be sha-256");
				return -EINVAL;
			}
			l->dtls = dtls_conn_new(w->dtls, l->server, om->fp, om->fp_len, dtls_send, l);
			if (l->dtls == NULL) {
				snprintf(err, errlen, "cannot start DTLS for this offer");
				return -EINVAL;
			}
		}
		if (accepted == 0 && !l->echo && l->n_codecs == 0) {
			/* The codecs the SIP side is offered: the browser's, in its order. */
			for (unsigned k = 0; k < am->n_codecs; k++)
				l->codecs[l->n_codecs++] = am->codecs[k];
		}
		accepted++;
		browser_transport(l, am, l->server ? SDP_SETUP_PASSIVE : SDP_SETUP_ACTIVE);
		if (l->sdes)
			sdes_answer_line(l, am);
		am->dir = answer_dir(om->dir);
		snprintf(am->attrs[am->n_attrs++], SDP_LINE, "msid:rtcgate %s-%s",
			 l->echo ? "echo" : "sip", om->type);
		if (ans->n_bundle < SDP_MAX_BUNDLE && om->mid[0])
			snprintf(ans->bundle[ans->n_bundle++], SDP_TOKEN, "%s", om->mid);
	}
	if (accepted == 0) {
		snprintf(err, errlen, l->echo ?
			 "the offer has no audio or video section with ICE, rtcp-mux, DTLS-SRTP and a codec that passes through (opus, PCMU, PCMA, G722, VP8, H264)" :
			 "the offer has no audio section with ICE, rtcp-mux, DTLS-SRTP and a codec the SIP side takes");
		return -EINVAL;
	}
	return 0;
}

/* The offer to the browser for an inbound SIP call: one audio section. */
static int
build_offer(struct leg *l, char *buf, size_t len)
{
	struct sdp *d = malloc(sizeof(*d));
	struct sdp_media *m;
	int n;

	if (d == NULL)
		return -ENOMEM;
	browser_session(l->w, d);
	snprintf(d->bundle[d->n_bundle++], SDP_TOKEN, "0");
	m = &d->media[d->n_media++];
	memset(m, 0, sizeof(*m));
	snprintf(m->type, sizeof(m->type), "audio");
	snprintf(m->proto, sizeof(m->proto), "UDP/TLS/RTP/SAVPF");
	snprintf(m->mid, sizeof(m->mid), "0");
	snprintf(l->mid, sizeof(l->mid), "0");
	for (unsigned i = 0; i < l->n_codecs; i++) {
		m->fmts[m->n_fmts++] = l->codecs[i].pt;
		m->codecs[m->n_codecs++] = l->codecs[i];
	}
	browser_transport(l, m, SDP_SETUP_ACTPASS);
	m->dir = SDP_SENDRECV;
	snprintf(m->attrs[m->n_attrs++], SDP_LINE, "msid:rtcgate sip-audio");
	n = sdp_write(d, buf, len);
	free(d);
	return n < 0 ? -ENOSPC : 0;
}

/* Our SDP toward the SIP side: plain RTP/AVP from the internal media port. */
static int
build_sip_sdp(struct leg *l, char *buf, size_t len)
{
	struct webrtc *w = l->w;
	struct sdp *d = malloc(sizeof(*d));
	struct sdp_media *m;
	int n;

	if (d == NULL)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	if (l->sip_sess_id == 0) {
		RAND_bytes((unsigned char *)&l->sip_sess_id, sizeof(l->sip_sess_id));
		l->sip_sess_id = (l->sip_sess_id & 0x7fffffffffffffffull) | 1;
	}
	snprintf(d->origin_user, sizeof(d->origin_user), "rtcgate");
	d->sess_id = l->sip_sess_id;
	d->sess_version = ++l->sip_version;
	snprintf(d->origin_addr, sizeof(d->origin_addr), "%s", w->int_ip_text);
	snprintf(d->name, sizeof(d->name), "-");
	snprintf(d->conn, sizeof(d->conn), "%s", w->int_ip_text);
	m = &d->media[d->n_media++];
	memset(m, 0, sizeof(*m));
	snprintf(m->type, sizeof(m->type), "audio");
	snprintf(m->proto, sizeof(m->proto), "RTP/AVP");
	m->port = l->int_port;
	for (unsigned i = 0; i < l->n_codecs; i++) {
		m->fmts[m->n_fmts++] = l->codecs[i].pt;
		m->codecs[m->n_codecs] = l->codecs[i];
		m->codecs[m->n_codecs++].n_rtcp_fb = 0;
	}
	m->dir = l->local_hold ? (l->remote_hold ? SDP_INACTIVE : SDP_SENDONLY) :
				 (l->remote_hold ? SDP_RECVONLY : SDP_SENDRECV);
	n = sdp_write(d, buf, len);
	free(d);
	return n < 0 ? -ENOSPC : 0;
}

static void resolve_neighbour(struct leg *l);

/*
 * Take the SIP side's SDP (an offer when `offer`, else an answer to ours):
 * its media address, hold state and codecs. An offer sets the codec list
 * (those that pass through, in its order); an answer narrows ours to what
 * it accepted. 0, or -1 when there is no usable audio section.
 */
static int
take_sip_sdp(struct leg *l, const char *text, bool offer)
{
	struct webrtc *w = l->w;
	struct sdp *d = malloc(sizeof(*d));
	const struct sdp_media *m = NULL;
	struct sdp_codec agreed[SDP_MAX_CODECS];
	unsigned n = 0;
	char err[128];
	uint8_t ip[16] = { 0 };
	const char *addr;
	bool held, changed;
	uint16_t rtcp;

	if (d == NULL || sdp_parse(text, strlen(text), d, err, sizeof(err)) != 0) {
		WLOG(NOTICE, "call %s: the SIP side's SDP does not parse: %s",
		     l->call ? api_call_id(l->call) : "?", d ? err : "out of memory");
		free(d);
		return -1;
	}
	for (unsigned i = 0; i < d->n_media && m == NULL; i++)
		if (strcmp(d->media[i].type, "audio") == 0 && d->media[i].port != 0 &&
		    strncmp(d->media[i].proto, "RTP/AVP", 7) == 0)
			m = &d->media[i];
	addr = m == NULL ? "" : m->conn[0] ? m->conn : d->conn;
	if (m == NULL || inet_pton(w->family, addr, ip) != 1) {
		WLOG(NOTICE, "call %s: the SIP side's SDP has no RTP/AVP audio at an address of our family",
		     l->call ? api_call_id(l->call) : "?");
		free(d);
		return -1;
	}
	for (unsigned f = 0; f < m->n_fmts && n < SDP_MAX_CODECS; f++) {
		const struct sdp_codec *c = sdp_codec_by_pt(m, m->fmts[f]);

		if (c == NULL || !passthrough(c->name))
			continue;
		if (offer) {
			agreed[n++] = *c;
		} else {
			/* RFC 3264: the answer keeps the offer's payload types; match by name too. */
			const struct sdp_codec *ours = leg_codec(l, c->pt);

			for (unsigned k = 0; ours == NULL && k < l->n_codecs; k++)
				if (strcasecmp(l->codecs[k].name, c->name) == 0 &&
				    l->codecs[k].clock == c->clock)
					ours = &l->codecs[k];
			if (ours != NULL)
				agreed[n++] = *ours;
		}
	}
	if (n == 0 || (n == 1 && strcasecmp(agreed[0].name, "telephone-event") == 0)) {
		WLOG(NOTICE, "call %s: no codec in common with the SIP side",
		     l->call ? api_call_id(l->call) : "?");
		free(d);
		return -1;
	}
	memcpy(l->codecs, agreed, n * sizeof(agreed[0]));
	l->n_codecs = n;
	held = m->dir == SDP_SENDONLY || m->dir == SDP_INACTIVE;
	if (w->family == AF_INET && memcmp(ip, "\0\0\0\0", 4) == 0)
		held = true; /* RFC 2543 hold: c=0.0.0.0 */
	l->remote_hold = held;
	rtcp = m->rtcp_port ? m->rtcp_port : (uint16_t)(m->port + 1);
	changed = !l->have_int_remote || memcmp(l->int_ip, ip, 16) != 0 ||
		  l->int_rport != m->port || l->int_rtcp_rport != rtcp;
	if (changed && !(held && l->have_int_remote && w->family == AF_INET &&
			 memcmp(ip, "\0\0\0\0", 4) == 0)) {
		bool new_host = !l->have_int_remote || memcmp(l->int_ip, ip, 16) != 0;

		memcpy(l->int_ip, ip, 16);
		l->int_rport = m->port;
		l->int_rtcp_rport = rtcp;
		l->have_int_remote = true;
		if (new_host) {
			l->int_have_mac = false;
			l->neigh_tries = 0;
			resolve_neighbour(l);
		}
	}
	free(d);
	return 0;
}

/* ---- the internal side's next hop ---- */

static void
resolve_neighbour(struct leg *l)
{
	struct webrtc *w = l->w;
	uint8_t mac[6];
	int rc = dp_neighbour(w->dp, w->int_port_idx, w->family, l->int_ip, mac);

	if (rc == 0) {
		memcpy(l->int_mac, mac, 6);
		l->int_have_mac = true;
		if (l->installed)
			leg_sync(l);
		return;
	}
	if (rc == -EAGAIN && ++l->neigh_tries < NEIGHBOUR_TRIES) {
		struct timeval tv = { 0, 20000 };

		evtimer_add(l->neigh_timer, &tv);
		return;
	}
	WLOG(WARNING, "call %s: the SIP side's media address has no neighbour entry (%s); its first packet will teach it",
	     l->call ? api_call_id(l->call) : "?", strerror(-rc));
}

static void
on_neigh_timer(evutil_socket_t fd, short what, void *arg)
{
	resolve_neighbour(arg);
}

/* ---- legs ---- */

static struct leg *
leg_new(struct webrtc *w, struct api_call *c, bool echo, char *err, size_t errlen)
{
	struct leg *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->w = w;
	l->call = c;
	l->echo = echo;
	l->created = l->last_consent = time(NULL);
	l->port = take_port(w);
	if (l->port == 0) {
		snprintf(err, errlen, "no free port in media.public_ports");
		free(l);
		return NULL;
	}
	l->int_port = (uint16_t)(w->cfg->media.internal_ports.min +
				 (l->port - w->cfg->media.public_ports.min) %
				 (w->cfg->media.internal_ports.max - w->cfg->media.internal_ports.min + 1));
	random_token(l->ufrag, 8);
	random_token(l->pwd, 24);
	l->dtls_timer = evtimer_new(w->base, on_dtls_timer, l);
	l->neigh_timer = evtimer_new(w->base, on_neigh_timer, l);
	if (l->dtls_timer == NULL || l->neigh_timer == NULL) {
		snprintf(err, errlen, "out of timers");
		leg_free(l);
		return NULL;
	}
	l->next = w->legs;
	w->legs = l;
	return l;
}

static void
leg_free(struct leg *l)
{
	struct webrtc *w = l->w;
	struct leg **link = &w->legs;

	while (*link != NULL && *link != l)
		link = &(*link)->next;
	if (*link == l)
		*link = l->next;
	if (l->sc != NULL)
		sip_hangup(l->sc, 480);
	if (l->installed)
		dp_session_delete(w->dp, l->dp_id);
	if (l->dtls != NULL && dtls_conn_state(l->dtls) == DTLS_CONNECTED)
		dtls_conn_close(l->dtls); /* close_notify to the browser */
	dtls_conn_free(l->dtls);
	if (l->dtls_timer != NULL)
		event_free(l->dtls_timer);
	if (l->neigh_timer != NULL)
		event_free(l->neigh_timer);
	if (l->dtmf_timer != NULL)
		event_free(l->dtmf_timer);
	if (l->call != NULL)
		api_call_set_backend_data(l->call, NULL);
	free(l->browser_offer);
	OPENSSL_cleanse(&l->sdes_keys, sizeof(l->sdes_keys));
	free(l);
}

/* ---- the API backend ---- */

/* The browser's answer, built when the SIP side's SDP says what it takes. */
static char *
answer_for_browser(struct leg *l)
{
	struct sdp *offer = malloc(sizeof(*offer)), *ans = malloc(sizeof(*ans));
	char *text = malloc(API_SDP_MAX), err[200];
	int rc = -ENOMEM;

	if (offer != NULL && ans != NULL && text != NULL &&
	    sdp_parse(l->browser_offer, strlen(l->browser_offer), offer, err, sizeof(err)) == 0 &&
	    (rc = build_answer(l, offer, ans, err, sizeof(err))) == 0 &&
	    sdp_write(ans, text, API_SDP_MAX) < 0)
		rc = -ENOSPC;
	free(offer);
	free(ans);
	if (rc != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int
be_place(void *arg, struct api_call *c, const char *to, const char *offer_text, char *answer,
	 size_t answer_len, char *err, size_t errlen)
{
	struct webrtc *w = arg;
	bool echo = strcmp(to, "echo") == 0;
	struct sdp *offer = NULL, *ans = NULL;
	struct leg *l = NULL;
	char *sip_offer = NULL;
	int rc;

	if (echo && !w->cfg->webrtc.echo) {
		snprintf(err, errlen, "the echo endpoint is off (webrtc.echo)");
		return -ENOTCONN;
	}
	if (!echo && w->sip == NULL) {
		snprintf(err, errlen, "calls to '%s' need the SIP side, and sip.server is empty", to);
		return -ENOTCONN;
	}
	offer = malloc(sizeof(*offer));
	ans = malloc(sizeof(*ans));
	if (offer == NULL || ans == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = sdp_parse(offer_text, strlen(offer_text), offer, err, errlen) == 0 ? 0 : -EINVAL;
	if (rc != 0)
		goto out;
	l = leg_new(w, c, echo, err, errlen);
	if (l == NULL) {
		rc = -EBUSY;
		goto out;
	}
	rc = build_answer(l, offer, ans, err, errlen);
	if (rc != 0)
		goto out;
	if (echo) {
		if (sdp_write(ans, answer, answer_len) < 0) {
			rc = -ENOSPC;
			snprintf(err, errlen, "the answer does not fit");
			goto out;
		}
		l->media_start = time(NULL);
		arm_dtls_timer(l);
		WLOG(INFO, "call %s: echo on %s:%u (ufrag %s)", api_call_id(c), w->pub_ip_text,
		     l->port, l->ufrag);
	} else {
		/* The browser's answer waits for the SIP side's (progress or answered). */
		l->browser_offer = strdup(offer_text);
		sip_offer = malloc(SIP_SDP_MAX);
		if (l->browser_offer == NULL || sip_offer == NULL ||
		    build_sip_sdp(l, sip_offer, SIP_SDP_MAX) != 0) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		l->sc = sip_invite(w->sip, api_call_registration(c), api_call_user(c), to,
				   sip_offer, l);
		if (l->sc == NULL) {
			rc = -EIO;
			snprintf(err, errlen, "the SIP stack refused the INVITE");
			goto out;
		}
		answer[0] = '\0';
		WLOG(INFO, "call %s: %s calls %s, media %s:%u / %s:%u", api_call_id(c),
		     api_call_user(c), to, w->pub_ip_text, l->port, w->int_ip_text, l->int_port);
	}
	api_call_set_backend_data(c, l);
	l = NULL;
out:
	if (l != NULL) {
		l->call = NULL;
		leg_free(l);
	}
	free(sip_offer);
	free(offer);
	free(ans);
	return rc;
}

static void
be_hangup(void *arg, struct api_call *c)
{
	struct leg *l = api_call_backend_data(c);

	if (l != NULL) {
		l->call = NULL;
		if (l->sc != NULL) {
			sip_hangup(l->sc, 486); /* a declined inbound call: Busy Here */
			l->sc = NULL;
		}
		leg_free(l);
	}
}

/* The browser answers an inbound SIP call: DTLS from its answer, 200 to SIP. */
static int
be_answer(void *arg, struct api_call *c, const char *sdp_text, char *err, size_t errlen)
{
	struct leg *l = api_call_backend_data(c);
	struct sdp *a;
	const struct sdp_media *m = NULL;
	struct sdp_codec agreed[SDP_MAX_CODECS];
	char *sip_answer;
	unsigned n = 0;
	int rc = -EINVAL;

	if (l == NULL || l->sc == NULL || !l->inbound || l->dtls != NULL) {
		snprintf(err, errlen, "the call has no SIP side to answer");
		return -ENOTCONN;
	}
	a = malloc(sizeof(*a));
	sip_answer = malloc(SIP_SDP_MAX);
	if (a == NULL || sip_answer == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (sdp_parse(sdp_text, strlen(sdp_text), a, err, errlen) != 0)
		goto out;
	for (unsigned i = 0; i < a->n_media && m == NULL; i++)
		if (strcmp(a->media[i].type, "audio") == 0 && a->media[i].port != 0)
			m = &a->media[i];
	if (m == NULL || m->fp_len == 0 || strcmp(m->fp_alg, "sha-256") != 0 ||
	    m->ice_ufrag[0] == '\0') {
		snprintf(err, errlen, "the answer needs an audio section with ICE and a sha-256 DTLS fingerprint");
		goto out;
	}
	for (unsigned f = 0; f < m->n_fmts; f++) {
		const struct sdp_codec *c2 = leg_codec(l, m->fmts[f]);

		if (c2 != NULL)
			agreed[n++] = *c2;
	}
	if (n == 0) {
		snprintf(err, errlen, "the answer takes none of the offered codecs");
		goto out;
	}
	memcpy(l->codecs, agreed, n * sizeof(agreed[0]));
	l->n_codecs = n;
	snprintf(l->remote_ufrag, sizeof(l->remote_ufrag), "%s", m->ice_ufrag);
	snprintf(l->remote_pwd, sizeof(l->remote_pwd), "%s", m->ice_pwd);
	l->server = m->setup != SDP_SETUP_PASSIVE; /* it is active: we are the server */
	l->dtls = dtls_conn_new(l->w->dtls, l->server, m->fp, m->fp_len, dtls_send, l);
	if (l->dtls == NULL) {
		snprintf(err, errlen, "cannot start DTLS for this answer");
		goto out;
	}
	if (build_sip_sdp(l, sip_answer, SIP_SDP_MAX) != 0 ||
	    sip_respond(l->sc, 200, sip_answer) != 0) {
		snprintf(err, errlen, "the SIP call is gone");
		rc = -ENOTCONN;
		goto out;
	}
	l->media_start = l->last_consent = time(NULL);
	arm_dtls_timer(l);
	WLOG(INFO, "call %s: answered by the browser", api_call_id(c));
	rc = 0;
out:
	free(a);
	free(sip_answer);
	return rc;
}

/* The telephone-event payload type to send with: the one at the audio codec's clock. */
static int
te_pt(const struct leg *l)
{
	uint32_t clock = 8000;
	int pt = -1;

	for (unsigned i = 0; i < l->n_codecs; i++)
		if (strcasecmp(l->codecs[i].name, "telephone-event") != 0) {
			clock = l->codecs[i].clock;
			break;
		}
	for (unsigned i = 0; i < l->n_codecs; i++)
		if (strcasecmp(l->codecs[i].name, "telephone-event") == 0 &&
		    (pt < 0 || l->codecs[i].clock == clock))
			pt = l->codecs[i].pt;
	return pt;
}

static uint8_t
dtmf_event_code(char d)
{
	const char *p = strchr("0123456789*#ABCD", d);

	return p != NULL ? (uint8_t)(p - "0123456789*#ABCD") : 0;
}

/*
 * One RFC 4733 packet of the event for dtmf_q[0]: the first with the
 * marker bit, then growing durations, then the end (E bit) three times;
 * a stream of our own (SSRC, sequence, timestamp) toward the phone's RTP
 * address, from the call's internal media port.
 */
static void
on_dtmf_timer(evutil_socket_t fd, short what, void *arg)
{
	struct leg *l = arg;
	struct webrtc *w = l->w;
	uint8_t pkt[16];
	int pt = te_pt(l);
	unsigned step = l->dtmf_step;
	bool end = step >= 2;
	uint16_t dur = end ? DTMF_EVENT_SAMPLES : (uint16_t)(160u * (step * 2 + 1));
	uint32_t v;
	struct timeval tv = { 0, DTMF_STEP_MS * 1000 };

	if (l->dtmf_q[0] == '\0' || pt < 0 || !l->have_int_remote || !l->int_have_mac)
		return;
	pkt[0] = 0x80;
	pkt[1] = (uint8_t)((step == 0 ? 0x80 : 0) | pt);
	pkt[2] = l->dtmf_seq >> 8;
	pkt[3] = l->dtmf_seq & 0xff;
	l->dtmf_seq++;
	v = htonl(l->dtmf_ts);
	memcpy(pkt + 4, &v, 4);
	v = htonl(l->dtmf_ssrc);
	memcpy(pkt + 8, &v, 4);
	pkt[12] = dtmf_event_code(l->dtmf_q[0]);
	pkt[13] = (uint8_t)((end ? 0x80 : 0) | 10); /* E bit, volume -10 dBm0 */
	pkt[14] = dur >> 8;
	pkt[15] = dur & 0xff;
	dp_send_udp(w->dp, w->int_port_idx, w->family, w->int_ip, l->int_port, l->int_ip,
		    l->int_rport, l->int_mac, pkt, sizeof(pkt));
	if (++l->dtmf_step >= 5) { /* start, 2 updates... the end sent 3 times: next digit */
		memmove(l->dtmf_q, l->dtmf_q + 1, strlen(l->dtmf_q));
		l->dtmf_step = 0;
		l->dtmf_ts += DTMF_EVENT_SAMPLES + 400; /* and 50 ms of silence */
	}
	if (l->dtmf_q[0] != '\0')
		evtimer_add(l->dtmf_timer, &tv);
}

/* Queue digits as RFC 4733 events; -1 when this call cannot carry them. */
static int
dtmf_rfc4733(struct leg *l, const char *digits)
{
	size_t have = strlen(l->dtmf_q);

	if (te_pt(l) < 0 || !l->installed || !l->int_have_mac)
		return -1;
	if (l->dtmf_timer == NULL) {
		l->dtmf_timer = evtimer_new(l->w->base, on_dtmf_timer, l);
		if (l->dtmf_timer == NULL)
			return -1;
		RAND_bytes((unsigned char *)&l->dtmf_ssrc, sizeof(l->dtmf_ssrc));
		RAND_bytes((unsigned char *)&l->dtmf_seq, sizeof(l->dtmf_seq));
		RAND_bytes((unsigned char *)&l->dtmf_ts, sizeof(l->dtmf_ts));
	}
	snprintf(l->dtmf_q + have, sizeof(l->dtmf_q) - have, "%s", digits);
	for (char *p = l->dtmf_q; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (have == 0)
		on_dtmf_timer(-1, 0, l);
	return 0;
}

static int
be_dtmf(void *arg, struct api_call *c, const char *digits, char *err, size_t errlen)
{
	struct leg *l = api_call_backend_data(c);

	if (l != NULL && l->echo) {
		/* The echo endpoint echoes DTMF too: the digits come back as a dtmf event. */
		api_call_dtmf_received(c, digits);
		return 0;
	}
	if (l != NULL && l->w->cfg->sip.dtmf == CONFIG_DTMF_RFC4733 && dtmf_rfc4733(l, digits) == 0)
		return 0;
	if (l == NULL || sip_send_dtmf(l->sc, digits) != 0) {
		snprintf(err, errlen, "the call is not established on the SIP side");
		return -ENOTCONN;
	}
	return 0;
}

static int
be_hold(void *arg, struct api_call *c, bool hold, char *err, size_t errlen)
{
	struct leg *l = api_call_backend_data(c);
	char *sdp;
	int rc;

	if (l != NULL && l->echo)
		return 0; /* the echo has nothing to re-negotiate */
	if (l == NULL || l->sc == NULL) {
		snprintf(err, errlen, "the call has no SIP side");
		return -ENOTCONN;
	}
	sdp = malloc(SIP_SDP_MAX);
	if (sdp == NULL)
		return -ENOMEM;
	l->local_hold = hold;
	rc = build_sip_sdp(l, sdp, SIP_SDP_MAX) == 0 ? sip_reoffer(l->sc, sdp) : -ENOMEM;
	free(sdp);
	if (rc != 0) {
		l->local_hold = !hold;
		snprintf(err, errlen, "the call cannot be re-negotiated now");
		return rc;
	}
	if (l->installed)
		leg_sync(l); /* RTP toward the browser stops while it holds */
	return 0;
}

/* ---- what the SIP side reports ---- */

static void *
reg_begin(void *arg, struct api_reg *r, const char *user, const char *password)
{
	struct webrtc *w = arg;

	return w->sip != NULL ? sip_register(w->sip, user, password, r) : NULL;
}

static void
reg_end(void *arg, void *handle)
{
	sip_unregister(handle);
}

static void
ev_reg_state(void *owner, int status, const char *phrase)
{
	api_reg_result(owner, status, phrase);
}

static void *
ev_incoming(void *arg, struct sip_call *sc, struct sip_reg *reg, const char *user,
	    const char *from, const char *sdp, int *status)
{
	struct webrtc *w = arg;
	char err[200], *offer;
	struct leg *l;

	if (w->cfg->sip.second_call == CONFIG_SECOND_CALL_REJECT && api_user_busy(w->api, user)) {
		*status = 486;
		return NULL;
	}
	l = leg_new(w, NULL, false, err, sizeof(err));
	if (l == NULL) {
		*status = 503;
		return NULL;
	}
	l->inbound = true;
	offer = malloc(API_SDP_MAX);
	if (offer == NULL || take_sip_sdp(l, sdp, true) != 0 ||
	    build_offer(l, offer, API_SDP_MAX) != 0) {
		*status = 488;
		free(offer);
		leg_free(l);
		return NULL;
	}
	l->call = api_call_incoming(w->api, user, from, offer);
	free(offer);
	if (l->call == NULL) {
		*status = 480; /* nobody of that name is signed in */
		leg_free(l);
		return NULL;
	}
	api_call_set_backend_data(l->call, l);
	l->sc = sc;
	l->ring_deadline = time(NULL) + (time_t)w->cfg->sip.ring_timeout;
	WLOG(INFO, "call %s: %s calls %s, media %s:%u / %s:%u", api_call_id(l->call), from, user,
	     w->pub_ip_text, l->port, w->int_ip_text, l->int_port);
	return l;
}

/*
 * The first SDP from the SIP side shapes the browser's answer (*answer, to
 * free; NULL when there is nothing new for the browser). -1: the leg ended.
 */
static int
first_sdp(struct leg *l, const char *sdp, char **answer)
{
	*answer = NULL;
	if (sdp == NULL || l->browser_answered)
		return 0;
	if (take_sip_sdp(l, sdp, false) != 0 || (*answer = answer_for_browser(l)) == NULL) {
		end_leg(l, "no-common-codec");
		return -1;
	}
	l->browser_answered = true;
	l->media_start = l->last_consent = time(NULL);
	arm_dtls_timer(l);
	return 0;
}

static void
ev_progress(void *owner, int status, const char *sdp)
{
	struct leg *l = owner;
	char *answer;

	if (first_sdp(l, sdp, &answer) != 0)
		return;
	api_call_progress(l->call, status, answer);
	if (answer != NULL) {
		free(answer);
		leg_sync(l); /* early media */
	}
}

static void
ev_answered(void *owner, const char *sdp)
{
	struct leg *l = owner;
	char *answer;
	enum call_state st = api_call_state(l->call);

	if (st == CALL_CALLING || st == CALL_RINGING) {
		bool had_answer = l->browser_answered;

		if (first_sdp(l, sdp, &answer) != 0)
			return;
		if (!l->browser_answered) {
			end_leg(l, "no-sdp"); /* a 200 without SDP to our offer */
			return;
		}
		/* A 200 after early media may move the far end's address. */
		if (had_answer && sdp != NULL && take_sip_sdp(l, sdp, false) != 0) {
			free(answer);
			end_leg(l, "no-common-codec");
			return;
		}
		api_call_answered(l->call, answer);
		free(answer);
	} else if (sdp != NULL && take_sip_sdp(l, sdp, false) != 0) {
		WLOG(NOTICE, "call %s: the answer to our re-INVITE is not usable; media unchanged",
		     api_call_id(l->call));
		return;
	}
	leg_sync(l);
}

static int
ev_reoffer(void *owner, const char *sdp, char *answer, size_t answer_len)
{
	struct leg *l = owner;
	bool was_held = l->remote_hold;
	struct sdp_codec saved[SDP_MAX_CODECS];
	unsigned n_saved = l->n_codecs;

	memcpy(saved, l->codecs, sizeof(saved));
	if (take_sip_sdp(l, sdp, true) != 0)
		return 488;
	/* Keep the codecs already agreed that the new offer still has. */
	{
		struct sdp_codec keep[SDP_MAX_CODECS];
		unsigned n = 0;

		for (unsigned i = 0; i < n_saved; i++)
			if (leg_codec(l, saved[i].pt) != NULL)
				keep[n++] = saved[i];
		if (n > 0) {
			memcpy(l->codecs, keep, n * sizeof(keep[0]));
			l->n_codecs = n;
		}
	}
	if (build_sip_sdp(l, answer, answer_len) != 0)
		return 500;
	if (l->remote_hold != was_held && l->call != NULL)
		api_call_remote_hold(l->call, l->remote_hold);
	leg_sync(l);
	return 200;
}

static void
ev_dtmf(void *owner, const char *digits)
{
	struct leg *l = owner;

	if (l->call != NULL)
		api_call_dtmf_received(l->call, digits);
}

static void
ev_call_ended(void *owner, int status, const char *reason)
{
	struct leg *l = owner;
	char why[48];

	l->sc = NULL; /* the SIP side let go already */
	if (status == 0)
		snprintf(why, sizeof(why), "remote_hangup");
	else if (status == 487)
		snprintf(why, sizeof(why), "cancelled");
	else
		snprintf(why, sizeof(why), "sip-%d", status);
	end_leg(l, why);
}

void
webrtc_shutdown(struct webrtc *w)
{
	if (w == NULL)
		return;
	while (w->legs != NULL)
		end_leg(w->legs, "shutdown");
	sip_shutdown(w->sip);
}

bool
webrtc_shutdown_done(const struct webrtc *w)
{
	return w == NULL || sip_shutdown_done(w->sip);
}

void
webrtc_poll(struct webrtc *w)
{
	if (w->sip != NULL)
		sip_poll(w->sip);
}

struct webrtc *
webrtc_create(struct event_base *base, const struct rtcg_config *cfg, struct dp *dp,
	      struct api *api, char *err, size_t errlen)
{
	struct webrtc *w = calloc(1, sizeof(*w));
	enum rtcg_srtp_profile prof[8];
	unsigned n = 0;
	struct timeval tv = { 1, 0 };
	bool found = false;

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->base = base;
	w->cfg = cfg;
	w->dp = dp;
	w->api = api;
	for (unsigned i = 0; i < cfg->webrtc.n_srtp_profiles && n < 8; i++) {
		int p = rtcg_srtp_profile_from_name(cfg->webrtc.srtp_profiles[i]);

		if (p >= 0)
			prof[n++] = (enum rtcg_srtp_profile)p;
	}
	w->dtls = dtls_ctx_create(prof, n, err, errlen);
	if (w->dtls == NULL)
		goto fail;
	/* The public side's first IPv4 address (else IPv6) and the internal side's. */
	for (int fam = AF_INET; !found; fam = AF_INET6) {
		for (unsigned p = 0; p < cfg->n_ports && !found; p++) {
			const struct config_port *pc = &cfg->ports[p];

			if (pc->role == CONFIG_ROLE_INTERNAL)
				continue;
			for (unsigned a = 0; a < pc->n_addresses && !found; a++)
				if (pc->addresses[a].family == fam) {
					w->family = fam;
					w->pub_port_idx = p;
					memcpy(w->pub_ip, pc->addresses[a].bytes, 16);
					found = true;
				}
		}
		if (fam == AF_INET6)
			break;
	}
	if (!found) {
		snprintf(err, errlen, "webrtc: no public port has an address");
		goto fail;
	}
	found = false;
	for (unsigned p = 0; p < cfg->n_ports && !found; p++) {
		const struct config_port *pc = &cfg->ports[p];

		if (pc->role == CONFIG_ROLE_PUBLIC)
			continue;
		for (unsigned a = 0; a < pc->n_addresses && !found; a++)
			if (pc->addresses[a].family == w->family) {
				memcpy(w->int_ip, pc->addresses[a].bytes, 16);
				w->int_port_idx = p;
				found = true;
			}
	}
	if (!found) {
		snprintf(err, errlen, "webrtc: no internal port has an address of the public one's family");
		goto fail;
	}
	inet_ntop(w->family, w->pub_ip, w->pub_ip_text, sizeof(w->pub_ip_text));
	inet_ntop(w->family, w->int_ip, w->int_ip_text, sizeof(w->int_ip_text));
	if (cfg->sip.server[0] != '\0') {
		w->sip = sip_create(cfg, &(struct sip_events){
			.reg_state = ev_reg_state, .incoming = ev_incoming, .progress = ev_progress,
			.answered = ev_answered, .reoffer = ev_reoffer, .dtmf = ev_dtmf,
			.call_ended = ev_call_ended, .arg = w }, err, errlen);
		if (w->sip == NULL)
			goto fail;
		api_set_registrar(api, &(struct api_registrar){
			.begin = reg_begin, .end = reg_end, .arg = w });
	}
	w->sweep = event_new(base, -1, EV_PERSIST, on_sweep, w);
	if (w->sweep == NULL || event_add(w->sweep, &tv) != 0) {
		snprintf(err, errlen, "webrtc: cannot add its timer");
		goto fail;
	}
	dp_set_punt_handler(dp, on_punt, w);
	dp_set_dtmf_handler(dp, on_dp_dtmf, w);
	if (cfg->webrtc.echo && api_static_page(api, "/demo", "text/html; charset=utf-8", demo_page) != 0)
		WLOG(WARNING, "cannot serve /demo");
	api_set_backend(api, &(struct api_backend){
		.place = be_place, .answer = be_answer, .dtmf = be_dtmf, .hold = be_hold,
		.hangup = be_hangup, .arg = w });
	return w;
fail:
	webrtc_destroy(w);
	return NULL;
}

void
webrtc_write_metrics(const struct webrtc *w, struct evbuffer *out)
{
	unsigned legs = 0;

	for (const struct leg *l = w->legs; l != NULL; l = l->next)
		legs++;
	evbuffer_add_printf(out,
		"# HELP rtcgate_webrtc_legs Browser media legs now.\n"
		"# TYPE rtcgate_webrtc_legs gauge\nrtcgate_webrtc_legs %u\n"
		"# HELP rtcgate_webrtc_stun_checks_total ICE connectivity checks answered (ok) or dropped (bad).\n"
		"# TYPE rtcgate_webrtc_stun_checks_total counter\n"
		"rtcgate_webrtc_stun_checks_total{result=\"ok\"} %llu\n"
		"rtcgate_webrtc_stun_checks_total{result=\"bad\"} %llu\n"
		"# HELP rtcgate_webrtc_dtls_total DTLS-SRTP handshakes by outcome.\n"
		"# TYPE rtcgate_webrtc_dtls_total counter\n"
		"rtcgate_webrtc_dtls_total{result=\"connected\"} %llu\n"
		"rtcgate_webrtc_dtls_total{result=\"failed\"} %llu\n"
		"# HELP rtcgate_webrtc_ended_total Legs the gateway ended by itself, by reason.\n"
		"# TYPE rtcgate_webrtc_ended_total counter\n",
		legs, (unsigned long long)w->stun_ok, (unsigned long long)w->stun_bad,
		(unsigned long long)w->dtls_connected, (unsigned long long)w->dtls_failed);
	for (unsigned i = 0; i < N_END_REASONS; i++)
		evbuffer_add_printf(out, "rtcgate_webrtc_ended_total{reason=\"%s\"} %llu\n",
				    end_reasons[i], (unsigned long long)w->calls_ended[i]);
	if (w->sip != NULL)
		sip_write_metrics(w->sip, out);
}

void
webrtc_destroy(struct webrtc *w)
{
	if (w == NULL)
		return;
	while (w->legs != NULL)
		end_leg(w->legs, "shutdown");
	if (w->api != NULL) {
		api_set_backend(w->api, NULL);
		api_set_registrar(w->api, NULL);
	}
	sip_destroy(w->sip); /* un-REGISTERs whoever is still signed in */
	if (w->dp != NULL) {
		dp_set_punt_handler(w->dp, NULL, NULL);
		dp_set_dtmf_handler(w->dp, NULL, NULL);
	}
	if (w->sweep != NULL)
		event_free(w->sweep);
	dtls_ctx_destroy(w->dtls);
	free(w);
}
