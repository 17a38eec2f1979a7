/* SPDX-License-Identifier: BSD-3-Clause */
/* webrtc.c - SDP answers, ICE-lite, DTLS-SRTP and the echo endpoint. */
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

#include "demo.h"
#include "dtls.h"
#include "sdp.h"
#include "stun.h"
#include "webrtc.h"

RTE_LOG_REGISTER(webrtc_logtype, rtcgate.webrtc, INFO);
#define WLOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, webrtc_logtype, "webrtc: " fmt "\n", ##__VA_ARGS__)

/* Codecs passed through (no transcoding), by rtpmap name. */
static const char *const passthrough_codecs[] = {
	"opus", "PCMU", "PCMA", "G722", "telephone-event", "VP8", "H264",
};

struct leg {
	struct webrtc *w;
	struct api_call *call;
	uint16_t port;	       /* our public media port */
	uint16_t int_port;     /* its internal twin (the echo's internal leg) */
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
	time_t last_consent, created;
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
	int family;
	uint8_t pub_ip[16], int_ip[16];
	char pub_ip_text[64];
	uint16_t next_port;
	struct leg *legs;
	uint64_t stun_ok, stun_bad, dtls_failed, dtls_connected, calls_ended[4];
};

/* Why media legs ended, for /metrics. */
static const char *const end_reasons[] = { "consent-expired", "dtls-failed", "dtls-timeout",
					   "ice-failed" };

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
	spec->srtp_in.profile = k->profile;
	memcpy(spec->srtp_in.key, k->remote_key, (size_t)kl);
	memcpy(spec->srtp_in.salt, k->remote_salt, (size_t)sl);
	spec->srtp_out.profile = k->profile;
	memcpy(spec->srtp_out.key, k->local_key, (size_t)kl);
	memcpy(spec->srtp_out.salt, k->local_salt, (size_t)sl);
	spec->echo = true;
}

static void
end_leg(struct leg *l, const char *reason)
{
	struct api_call *c = l->call;

	WLOG(NOTICE, "call %s ends: %s", c ? api_call_id(c) : "?", reason);
	for (unsigned i = 0; i < 4; i++)
		if (strcmp(reason, end_reasons[i]) == 0)
			l->w->calls_ended[i]++;
	l->call = NULL;
	if (c != NULL) {
		api_call_set_backend_data(c, NULL);
		api_call_ended(c, reason);
	}
	leg_free(l);
}

static void
dtls_connected(struct leg *l)
{
	struct dtls_srtp_keys k;
	struct dp_session_spec spec;
	int rc;

	if (dtls_conn_keys(l->dtls, &k) != 0) {
		end_leg(l, "dtls-failed");
		return;
	}
	fill_spec(l, &k, &spec);
	rc = dp_session_create(l->w->dp, &spec, &l->dp_id);
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(&spec, sizeof(spec));
	if (rc != 0) {
		WLOG(WARNING, "cannot install the media session: %s", strerror(-rc));
		end_leg(l, "no-media-session");
		return;
	}
	l->installed = true;
	l->w->dtls_connected++;
	WLOG(INFO, "call %s: DTLS-SRTP up (%s), media session %u", api_call_id(l->call),
	     rtcg_srtp_profile_name(k.profile), l->dp_id);
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
	if (l->installed) {
		struct dtls_srtp_keys k;
		struct dp_session_spec spec;

		if (dtls_conn_keys(l->dtls, &k) == 0) {
			fill_spec(l, &k, &spec);
			dp_session_update(l->w->dp, l->dp_id, &spec);
			OPENSSL_cleanse(&k, sizeof(k));
			OPENSSL_cleanse(&spec, sizeof(spec));
		}
	}
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
	/* A valid check from the latched address refreshes consent (RFC 7675). */
	if (m.use_candidate || !l->have_remote)
		latch(l, v);
	if (l->have_remote && l->remote_port == v->src_port &&
	    memcmp(l->remote_ip, v->src_ip, v->family == AF_INET ? 4 : 16) == 0)
		l->last_consent = time(NULL);
}

static void
on_dtls(struct webrtc *w, struct leg *l, const struct dp_udp_view *v)
{
	enum dtls_state before = dtls_conn_state(l->dtls), after;

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

/* ---- consent and handshake deadlines ---- */

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct webrtc *w = arg;
	time_t now = time(NULL);

	for (struct leg *l = w->legs, *next; l != NULL; l = next) {
		next = l->next;
		if (!l->installed && now - l->created >= (time_t)w->cfg->webrtc.dtls_timeout_seconds)
			end_leg(l, l->have_remote ? "dtls-timeout" : "ice-failed");
		else if (l->installed &&
			 now - l->last_consent >= (time_t)w->cfg->webrtc.consent_timeout_seconds)
			end_leg(l, "consent-expired");
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

/*
 * The answer to a browser's offer: ICE-lite with one host candidate, DTLS
 * passive (or active when the offer is passive), rtcp-mux, BUNDLE of every
 * accepted section on one port; codecs that pass through; extmap dropped
 * deliberately (the echo does not rewrite header extensions), ssrc/msid not
 * answered. Sections without DTLS-SRTP, non-RTP or without a usable codec
 * are rejected with port 0.
 */
static int
build_answer(struct leg *l, const struct sdp *offer, struct sdp *ans, char *err, size_t errlen)
{
	struct webrtc *w = l->w;
	const uint8_t *fp;
	unsigned fp_len, accepted = 0;

	memset(ans, 0, sizeof(*ans));
	snprintf(ans->origin_user, sizeof(ans->origin_user), "rtcgate");
	RAND_bytes((unsigned char *)&ans->sess_id, sizeof(ans->sess_id));
	ans->sess_id &= 0x7fffffffffffffffull;
	ans->sess_version = 1;
	snprintf(ans->origin_addr, sizeof(ans->origin_addr), "%s", w->pub_ip_text);
	snprintf(ans->name, sizeof(ans->name), "-");
	ans->ice_lite = true;
	snprintf(ans->attrs[ans->n_attrs++], SDP_LINE, "msid-semantic: WMS rtcgate");
	fp = dtls_ctx_fingerprint(w->dtls, &fp_len);
	for (unsigned i = 0; i < offer->n_media; i++) {
		const struct sdp_media *om = &offer->media[i];
		struct sdp_media *am = &ans->media[ans->n_media++];
		bool dtls = om->fp_len > 0 && strstr(om->proto, "TLS") != NULL;

		memset(am, 0, sizeof(*am));
		snprintf(am->type, sizeof(am->type), "%s", om->type);
		snprintf(am->proto, sizeof(am->proto), "%s", om->proto);
		snprintf(am->mid, sizeof(am->mid), "%s", om->mid);
		snprintf(am->conn, sizeof(am->conn), "%s", w->pub_ip_text);
		for (unsigned f = 0; f < om->n_fmts; f++) {
			const struct sdp_codec *c = sdp_codec_by_pt(om, om->fmts[f]);

			if (c != NULL && passthrough(c->name) && am->n_fmts < SDP_MAX_CODECS) {
				am->fmts[am->n_fmts++] = c->pt;
				am->codecs[am->n_codecs] = *c;
				am->codecs[am->n_codecs].n_rtcp_fb = 0;
				am->n_codecs++;
			}
		}
		if (!dtls || om->port == 0 || am->n_fmts == 0 || om->n_fmts == 0 ||
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
		if (accepted == 0) {
			snprintf(l->remote_ufrag, sizeof(l->remote_ufrag), "%s", om->ice_ufrag);
			snprintf(l->remote_pwd, sizeof(l->remote_pwd), "%s", om->ice_pwd);
			l->server = om->setup != SDP_SETUP_PASSIVE;
			l->dtls = dtls_conn_new(w->dtls, l->server, om->fp, om->fp_len, dtls_send, l);
			if (l->dtls == NULL || strcmp(om->fp_alg, "sha-256") != 0) {
				snprintf(err, errlen, "the offer's fingerprint must be sha-256");
				return -EINVAL;
			}
		}
		accepted++;
		am->port = l->port;
		am->rtcp_mux = true;
		am->dir = answer_dir(om->dir);
		snprintf(am->ice_ufrag, sizeof(am->ice_ufrag), "%s", l->ufrag);
		snprintf(am->ice_pwd, sizeof(am->ice_pwd), "%s", l->pwd);
		snprintf(am->fp_alg, sizeof(am->fp_alg), "sha-256");
		memcpy(am->fp, fp, fp_len);
		am->fp_len = fp_len;
		am->setup = l->server ? SDP_SETUP_PASSIVE : SDP_SETUP_ACTIVE;
		snprintf(am->candidates[am->n_candidates++], SDP_LINE,
			 "1 1 udp 2130706431 %s %u typ host", w->pub_ip_text, l->port);
		am->end_of_candidates = true;
		snprintf(am->attrs[am->n_attrs++], SDP_LINE, "msid:rtcgate echo-%s", om->type);
		if (ans->n_bundle < SDP_MAX_BUNDLE && om->mid[0])
			snprintf(ans->bundle[ans->n_bundle++], SDP_TOKEN, "%s", om->mid);
	}
	if (accepted == 0) {
		snprintf(err, errlen,
			 "the offer has no audio or video section with ICE, rtcp-mux, DTLS-SRTP and a codec that passes through (opus, PCMU, PCMA, G722, VP8, H264)");
		return -EINVAL;
	}
	return 0;
}

/* ---- the API backend ---- */

static int
be_place(void *arg, struct api_call *c, const char *to, const char *offer_text, char *answer,
	 size_t answer_len, char *err, size_t errlen)
{
	struct webrtc *w = arg;
	struct sdp *offer = NULL, *ans = NULL;
	struct leg *l = NULL;
	int rc;

	if (strcmp(to, "echo") != 0 || !w->cfg->webrtc.echo) {
		snprintf(err, errlen, "calls to '%s' need the SIP side, which is not running%s", to,
			 strcmp(to, "echo") == 0 ? " (and webrtc.echo is off)" : "");
		return -ENOTCONN;
	}
	offer = malloc(sizeof(*offer));
	ans = malloc(sizeof(*ans));
	l = calloc(1, sizeof(*l));
	if (offer == NULL || ans == NULL || l == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = sdp_parse(offer_text, strlen(offer_text), offer, err, errlen) == 0 ? 0 : -EINVAL;
	if (rc != 0)
		goto out;
	l->w = w;
	l->call = c;
	l->created = l->last_consent = time(NULL);
	l->port = take_port(w);
	if (l->port == 0) {
		rc = -EBUSY;
		snprintf(err, errlen, "no free port in media.public_ports");
		goto out;
	}
	l->int_port = (uint16_t)(w->cfg->media.internal_ports.min +
				 (l->port - w->cfg->media.public_ports.min) %
				 (w->cfg->media.internal_ports.max - w->cfg->media.internal_ports.min + 1));
	random_token(l->ufrag, 8);
	random_token(l->pwd, 24);
	l->dtls_timer = evtimer_new(w->base, on_dtls_timer, l);
	rc = build_answer(l, offer, ans, err, errlen);
	if (rc == 0 && sdp_write(ans, answer, answer_len) < 0) {
		rc = -ENOSPC;
		snprintf(err, errlen, "the answer does not fit");
	}
	if (rc != 0 || l->dtls_timer == NULL)
		goto out;
	l->next = w->legs;
	w->legs = l;
	api_call_set_backend_data(c, l);
	arm_dtls_timer(l);
	WLOG(INFO, "call %s: echo on %s:%u (ufrag %s)", api_call_id(c), w->pub_ip_text, l->port,
	     l->ufrag);
	l = NULL;
out:
	if (l != NULL) {
		if (l->dtls_timer)
			event_free(l->dtls_timer);
		dtls_conn_free(l->dtls);
		free(l);
	}
	free(offer);
	free(ans);
	return rc;
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
	if (l->installed)
		dp_session_delete(w->dp, l->dp_id);
	if (l->dtls != NULL && dtls_conn_state(l->dtls) == DTLS_CONNECTED)
		dtls_conn_close(l->dtls); /* close_notify to the browser */
	dtls_conn_free(l->dtls);
	if (l->dtls_timer != NULL)
		event_free(l->dtls_timer);
	if (l->call != NULL)
		api_call_set_backend_data(l->call, NULL);
	free(l);
}

static void
be_hangup(void *arg, struct api_call *c)
{
	struct leg *l = api_call_backend_data(c);

	if (l != NULL) {
		l->call = NULL;
		leg_free(l);
	}
}

static int
be_answer(void *arg, struct api_call *c, const char *sdp, char *err, size_t errlen)
{
	snprintf(err, errlen, "inbound calls come from the SIP side, which is not running");
	return -ENOTCONN;
}

/* The echo endpoint echoes DTMF too: the digits come back as a dtmf event. */
static int
be_dtmf(void *arg, struct api_call *c, const char *digits, char *err, size_t errlen)
{
	api_call_dtmf_received(c, digits);
	return 0;
}

static int
be_hold(void *arg, struct api_call *c, bool hold, char *err, size_t errlen)
{
	return 0; /* the echo has nothing to re-negotiate */
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
				found = true;
			}
	}
	if (!found) {
		snprintf(err, errlen, "webrtc: no internal port has an address of the public one's family");
		goto fail;
	}
	inet_ntop(w->family, w->pub_ip, w->pub_ip_text, sizeof(w->pub_ip_text));
	w->sweep = event_new(base, -1, EV_PERSIST, on_sweep, w);
	if (w->sweep == NULL || event_add(w->sweep, &tv) != 0) {
		snprintf(err, errlen, "webrtc: cannot add its timer");
		goto fail;
	}
	dp_set_punt_handler(dp, on_punt, w);
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
	for (unsigned i = 0; i < 4; i++)
		evbuffer_add_printf(out, "rtcgate_webrtc_ended_total{reason=\"%s\"} %llu\n",
				    end_reasons[i], (unsigned long long)w->calls_ended[i]);
}

void
webrtc_destroy(struct webrtc *w)
{
	if (w == NULL)
		return;
	while (w->legs != NULL)
		end_leg(w->legs, "shutdown");
	if (w->api != NULL)
		api_set_backend(w->api, NULL);
	if (w->dp != NULL)
		dp_set_punt_handler(w->dp, NULL, NULL);
	if (w->sweep != NULL)
		event_free(w->sweep);
	dtls_ctx_destroy(w->dtls);
	free(w);
}
