/* SPDX-License-Identifier: BSD-3-Clause */
/* sip.c - the SIP side on sofia-sip's NUA (see sip.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_log.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sip.h"
#include "sip_msg.h"

RTE_LOG_REGISTER(sip_logtype, rtcgate.sip, INFO);
#define SLOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, sip_logtype, "sip: " fmt "\n", ##__VA_ARGS__)

#define SHUTDOWN_WAIT_S 3

enum kind { KIND_REG = 1, KIND_CALL = 2 };

struct sip_reg {
	enum kind kind;
	struct sip *s;
	nua_handle_t *nh;
	void *owner; /* NULL once let go */
	char user[64];
	char password[256];
	char id[13];	/* the contact's rtcg= parameter: which registration a call is for */
	bool auth_tried, registered, unregistering;
	unsigned backoff;    /* seconds to the next retry; 0: none pending */
	uint64_t retry_at;   /* monotonic ms */
	struct sip_reg *next;
};

struct sip_call {
	enum kind kind;
	struct sip *s;
	nua_handle_t *nh;
	void *owner;
	struct sip_reg *reg; /* credentials for challenges (outbound) */
	char user[64];
	bool inbound, confirmed, auth_tried, ended, final_sent;
	struct sip_call *next;
};

struct sip {
	const struct rtcg_config *cfg;
	struct sip_events ev;
	su_home_t home[1];
	su_root_t *root;
	nua_t *nua;
	char local_ip[64];
	char domain[256];
	char proxy[300];
	char tls_dir[64]; /* sip.transport tls: agent.pem and cafile.pem for sofia-sip */
	struct sip_reg *regs;
	struct sip_call *calls;
	bool shutdown_started, shutdown_done;
	uint64_t registrations_ok, registrations_failed, invites_out, invites_in, calls_failed,
		bad_requests;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
random_id(char *out, size_t chars)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];

	RAND_bytes(b, sizeof(b));
	for (size_t i = 0; i < chars && i < 2 * sizeof(b); i++)
		out[i] = hex[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[chars] = '\0';
}

/* sofia-sip's own log lines go to the gateway's log, as debug. */
static void
sofia_logger(void *stream, char const *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	if (line[0] != '\0')
		rte_log(RTE_LOG_DEBUG, sip_logtype, "sip: sofia: %s\n", line);
}

/* "Digest:\"realm\":user:password" for nua_authenticate(), from a challenge. */
static bool
auth_string(const sip_t *sip, const char *user, const char *password, char *out, size_t len)
{
	const msg_auth_t *au = sip->sip_www_authenticate ? sip->sip_www_authenticate :
			       sip->sip_proxy_authenticate;
	const char *realm;

	if (au == NULL || au->au_scheme == NULL)
		return false;
	realm = msg_params_find(au->au_params, "realm=");
	if (realm == NULL)
		return false;
	return snprintf(out, len, "%s:%s:%s:%s", au->au_scheme, realm, user, password) <
	       (int)len;
}

static const char *
body_of(const sip_t *sip)
{
	return sip != NULL && sip->sip_payload != NULL && sip->sip_payload->pl_data != NULL &&
			       sip->sip_payload->pl_len > 0 ? sip->sip_payload->pl_data : NULL;
}

/* A NUL-terminated copy of the SDP body (pl_data is not terminated). */
static char *
body_dup(const sip_t *sip)
{
	const char *b = body_of(sip);
	char *out;

	if (b == NULL)
		return NULL;
	out = malloc(sip->sip_payload->pl_len + 1);
	if (out != NULL) {
		memcpy(out, b, sip->sip_payload->pl_len);
		out[sip->sip_payload->pl_len] = '\0';
	}
	return out;
}

/* ---- registrations ---- */

static void
reg_free(struct sip_reg *r)
{
	struct sip_reg **link = &r->s->regs;

	while (*link != NULL && *link != r)
		link = &(*link)->next;
	if (*link == r)
		*link = r->next;
	for (struct sip_call *c = r->s->calls; c != NULL; c = c->next)
		if (c->reg == r)
			c->reg = NULL;
	if (r->nh != NULL)
		nua_handle_destroy(r->nh);
	OPENSSL_cleanse(r->password, sizeof(r->password));
	free(r);
}

static void
reg_send(struct sip_reg *r)
{
	char params[32], expires[16];

	snprintf(params, sizeof(params), "rtcg=%s", r->id);
	snprintf(expires, sizeof(expires), "%u", r->s->cfg->sip.register_expires);
	r->auth_tried = false;
	nua_register(r->nh, NUTAG_M_USERNAME(r->user), NUTAG_M_PARAMS(params),
		     SIPTAG_EXPIRES_STR(expires),
		     NUTAG_OUTBOUND("no-options-keepalive no-validate no-natify"), TAG_END());
}

struct sip_reg *
sip_register(struct sip *s, const char *user, const char *password, void *owner)
{
	struct sip_reg *r = calloc(1, sizeof(*r));
	char aor[400];

	if (r == NULL)
		return NULL;
	r->kind = KIND_REG;
	r->s = s;
	r->owner = owner;
	snprintf(r->user, sizeof(r->user), "%s", user);
	snprintf(r->password, sizeof(r->password), "%s", password);
	random_id(r->id, 12);
	snprintf(aor, sizeof(aor), "sip:%s@%s", user, s->domain);
	r->nh = nua_handle(s->nua, r, SIPTAG_TO_STR(aor), SIPTAG_FROM_STR(aor), TAG_END());
	if (r->nh == NULL) {
		OPENSSL_cleanse(r->password, sizeof(r->password));
		free(r);
		return NULL;
	}
	r->next = s->regs;
	s->regs = r;
	reg_send(r);
	return r;
}

void
sip_unregister(struct sip_reg *r)
{
	if (r == NULL)
		return;
	r->owner = NULL;
	if (r->registered && !r->unregistering) {
		r->unregistering = true;
		r->backoff = 0;
		nua_unregister(r->nh, TAG_END());
	} else if (!r->unregistering) {
		reg_free(r); /* never registered: nothing to take back */
	}
}

/* A failure after success (or before): retry later, doubling up to retry_max. */
static void
reg_retry_later(struct sip_reg *r)
{
	unsigned max = r->s->cfg->sip.retry_max;

	r->backoff = r->backoff == 0 ? 1 : r->backoff * 2 > max ? max : r->backoff * 2;
	r->retry_at = now_ns() / 1000000ull + r->backoff * 1000ull;
	SLOG(NOTICE, "registration of %s failed; retrying in %u s", r->user, r->backoff);
}

static void
on_register(struct sip *s, struct sip_reg *r, int status, const char *phrase, const sip_t *sip,
	    bool unregister)
{
	char auth[700];

	if (status < 200)
		return;
	if ((status == 401 || status == 407) && !r->auth_tried && sip != NULL &&
	    auth_string(sip, r->user, r->password, auth, sizeof(auth))) {
		r->auth_tried = true;
		nua_authenticate(r->nh, NUTAG_AUTH(auth), TAG_END());
		OPENSSL_cleanse(auth, sizeof(auth));
		return;
	}
	if (unregister) {
		SLOG(INFO, "%s unregistered (%d %s)", r->user, status, phrase);
		reg_free(r);
		return;
	}
	if (status < 300) {
		r->auth_tried = false;
		r->backoff = 0;
		if (!r->registered)
			SLOG(INFO, "%s registered at %s", r->user, s->proxy);
		r->registered = true;
		s->registrations_ok++;
		if (r->owner != NULL)
			s->ev.reg_state(r->owner, status, phrase);
		return;
	}
	s->registrations_failed++;
	SLOG(NOTICE, "registration of %s: %d %s", r->user, status, phrase);
	if (r->owner == NULL) {
		reg_free(r);
		return;
	}
	if (r->registered && status != 401 && status != 403 && status != 407) {
		/* It was registered: keep the user signed in and try again. */
		reg_retry_later(r);
	} else {
		r->registered = false; /* nothing to un-REGISTER when the owner lets go */
	}
	s->ev.reg_state(r->owner, status, phrase);
}

/* ---- calls ---- */

static void
call_free(struct sip_call *c)
{
	struct sip_call **link = &c->s->calls;

	while (*link != NULL && *link != c)
		link = &(*link)->next;
	if (*link == c)
		*link = c->next;
	if (c->nh != NULL) {
		nua_handle_bind(c->nh, NULL);
		nua_handle_destroy(c->nh);
	}
	free(c);
}

static void
call_end(struct sip_call *c, int status, const char *reason)
{
	void *owner = c->owner;

	if (c->ended)
		return;
	c->ended = true;
	c->owner = NULL;
	if (owner != NULL)
		c->s->ev.call_ended(owner, status, reason);
}

static struct sip_call *
call_new(struct sip *s, nua_handle_t *nh, bool inbound)
{
	struct sip_call *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->kind = KIND_CALL;
	c->s = s;
	c->nh = nh;
	c->inbound = inbound;
	c->next = s->calls;
	s->calls = c;
	return c;
}

/* A destination as a SIP URI in our domain unless it is one already. */
static void
target_uri(const struct sip *s, const char *to, char *out, size_t len)
{
	if (strncmp(to, "sip:", 4) == 0 || strncmp(to, "sips:", 5) == 0)
		snprintf(out, len, "%s", to);
	else if (strncmp(to, "tel:", 4) == 0)
		snprintf(out, len, "sip:%s@%s;user=phone", to + 4, s->domain);
	else
		snprintf(out, len, "sip:%s@%s", to, s->domain);
}

struct sip_call *
sip_invite(struct sip *s, struct sip_reg *reg, const char *user, const char *to, const char *sdp,
	   void *owner)
{
	char from[400], target[400];
	struct sip_call *c;
	nua_handle_t *nh;

	snprintf(from, sizeof(from), "sip:%s@%s", user, s->domain);
	target_uri(s, to, target, sizeof(target));
	nh = nua_handle(s->nua, NULL, SIPTAG_TO_STR(target), SIPTAG_FROM_STR(from), TAG_END());
	if (nh == NULL)
		return NULL;
	c = call_new(s, nh, false);
	if (c == NULL) {
		nua_handle_destroy(nh);
		return NULL;
	}
	nua_handle_bind(nh, c);
	c->owner = owner;
	c->reg = reg;
	snprintf(c->user, sizeof(c->user), "%s", user);
	s->invites_out++;
	SLOG(INFO, "INVITE %s from %s", target, from);
	nua_invite(nh, NUTAG_M_USERNAME(user), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		   SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	return c;
}

int
sip_respond(struct sip_call *c, int status, const char *sdp)
{
	if (c == NULL || c->ended || !c->inbound || c->final_sent)
		return -EINVAL;
	if (status >= 200)
		c->final_sent = true;
	nua_respond(c->nh, status, sip_status_phrase(status),
		    TAG_IF(sdp != NULL, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		    TAG_IF(sdp != NULL, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
	return 0;
}

int
sip_reoffer(struct sip_call *c, const char *sdp)
{
	if (c == NULL || c->ended || !c->confirmed)
		return -EINVAL;
	nua_invite(c->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp),
		   TAG_END());
	return 0;
}

int
sip_send_dtmf(struct sip_call *c, const char *digits)
{
	if (c == NULL || c->ended || !c->confirmed)
		return -EINVAL;
	for (const char *d = digits; *d; d++) {
		char body[64];

		snprintf(body, sizeof(body), "Signal=%c\r\nDuration=160\r\n", *d);
		nua_info(c->nh, SIPTAG_CONTENT_TYPE_STR("application/dtmf-relay"),
			 SIPTAG_PAYLOAD_STR(body), TAG_END());
	}
	return 0;
}

void
sip_hangup(struct sip_call *c, int status)
{
	if (c == NULL)
		return;
	c->owner = NULL;
	if (c->ended) {
		call_free(c);
		return;
	}
	c->ended = true;
	if (c->inbound && !c->final_sent) {
		c->final_sent = true;
		nua_respond(c->nh, status >= 300 ? status : 486,
			    sip_status_phrase(status >= 300 ? status : 486), TAG_END());
	} else if (!c->inbound && !c->confirmed) {
		nua_cancel(c->nh, TAG_END());
	} else {
		nua_bye(c->nh, TAG_END());
	}
	/* Freed when the dialog reaches "terminated". */
}

/* DTMF by INFO: answered 200 when it carries a digit, else 415. */
static void
on_info(struct sip *s, struct sip_call *c, nua_handle_t *nh, const sip_t *sip)
{
	const char *b = body_of(sip);
	char digits[2] = { 0, 0 };

	if (b != NULL && sip->sip_content_type != NULL)
		digits[0] = sip_info_digit(sip->sip_content_type->c_type, b, sip->sip_payload->pl_len);
	if (digits[0] != 0) {
		nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(s->nua), TAG_END());
		if (c != NULL && c->owner != NULL)
			s->ev.dtmf(c->owner, digits);
	} else {
		s->bad_requests++;
		nua_respond(nh, SIP_415_UNSUPPORTED_MEDIA, NUTAG_WITH_THIS(s->nua), TAG_END());
	}
}

/* Which registration an INVITE's request URI names (our contact's rtcg= param). */
static struct sip_reg *
reg_of_request(struct sip *s, const sip_t *sip)
{
	const url_t *u = sip->sip_request ? sip->sip_request->rq_url : NULL;
	const char *p;

	if (u == NULL || u->url_params == NULL)
		return NULL;
	p = strstr(u->url_params, "rtcg=");
	if (p == NULL)
		return NULL;
	for (struct sip_reg *r = s->regs; r != NULL; r = r->next)
		if (r->owner != NULL && strncmp(p + 5, r->id, 12) == 0)
			return r;
	return NULL;
}

static void
on_incoming_invite(struct sip *s, nua_handle_t *nh, const sip_t *sip)
{
	struct sip_call *c;
	struct sip_reg *reg = reg_of_request(s, sip);
	char user[64] = "", from[400] = "";
	char *sdp = body_dup(sip);
	int status = 480;
	void *owner = NULL;

	s->invites_in++;
	if (reg != NULL)
		snprintf(user, sizeof(user), "%s", reg->user);
	else if (sip->sip_request && sip->sip_request->rq_url->url_user)
		snprintf(user, sizeof(user), "%s", sip->sip_request->rq_url->url_user);
	if (sip->sip_from != NULL)
		url_e(from, (isize_t)sizeof(from), sip->sip_from->a_url);
	c = call_new(s, nh, true);
	if (c == NULL) {
		free(sdp);
		nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
		nua_handle_destroy(nh);
		return;
	}
	nua_handle_bind(nh, c);
	snprintf(c->user, sizeof(c->user), "%s", user);
	if (sdp == NULL) {
		status = 488; /* we do not offer in the 200 (late SDP) */
	} else if (user[0] != '\0') {
		owner = s->ev.incoming(s->ev.arg, c, reg, user, from, sdp, &status);
	}
	free(sdp);
	if (owner == NULL) {
		SLOG(INFO, "INVITE for '%s' from %s refused: %d", user, from, status);
		c->ended = c->final_sent = true;
		nua_respond(nh, status, sip_status_phrase(status), TAG_END());
		return; /* freed at "terminated" */
	}
	c->owner = owner;
	nua_respond(nh, SIP_180_RINGING, TAG_END());
	SLOG(INFO, "INVITE for %s from %s: ringing", user, from);
}

static void
on_reinvite(struct sip *s, struct sip_call *c, nua_handle_t *nh, const sip_t *sip)
{
	char *sdp = body_dup(sip), *answer = malloc(8192);
	int status = 488;

	if (sdp != NULL && answer != NULL && c->owner != NULL)
		status = s->ev.reoffer(c->owner, sdp, answer, 8192);
	if (status == 200)
		nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
			    SIPTAG_PAYLOAD_STR(answer), TAG_END());
	else
		nua_respond(nh, status, sip_status_phrase(status), TAG_END());
	free(sdp);
	free(answer);
}

static void
on_invite_response(struct sip *s, struct sip_call *c, int status, const char *phrase,
		   const sip_t *sip)
{
	char auth[700];
	char *sdp;

	if (status < 180 && status >= 100)
		return;
	if ((status == 401 || status == 407) && !c->auth_tried && c->reg != NULL && sip != NULL &&
	    auth_string(sip, c->reg->user, c->reg->password, auth, sizeof(auth))) {
		c->auth_tried = true;
		nua_authenticate(c->nh, NUTAG_AUTH(auth), TAG_END());
		OPENSSL_cleanse(auth, sizeof(auth));
		return;
	}
	sdp = body_dup(sip);
	if (status < 200) {
		if (c->owner != NULL)
			s->ev.progress(c->owner, status, sdp);
	} else if (status < 300) {
		bool first = !c->confirmed;

		c->confirmed = true;
		if (c->owner != NULL && (first || sdp != NULL))
			s->ev.answered(c->owner, sdp);
	} else if (!c->confirmed) {
		s->calls_failed++;
		SLOG(INFO, "INVITE from %s: %d %s", c->user, status, phrase);
		call_end(c, status, phrase);
	} else {
		/* A refused re-INVITE leaves the call as it was (RFC 3261 14.1). */
		SLOG(NOTICE, "re-INVITE refused: %d %s", status, phrase);
	}
	free(sdp);
}

static void
on_state(struct sip *s, struct sip_call *c, int status, const char *phrase, tagi_t tags[])
{
	int state = nua_callstate_init;

	tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
	if (state == nua_callstate_ready) {
		c->confirmed = true;
	} else if (state == nua_callstate_terminated) {
		if (!c->ended)
			call_end(c, status >= 300 ? status : 0, status >= 300 ? phrase : "bye");
		if (c->owner == NULL)
			call_free(c);
	}
}

static void
nua_callback(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
	     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	struct sip *s = (struct sip *)magic;
	enum kind *k = (enum kind *)hmagic;
	struct sip_reg *r = k != NULL && *k == KIND_REG ? (struct sip_reg *)k : NULL;
	struct sip_call *c = k != NULL && *k == KIND_CALL ? (struct sip_call *)k : NULL;

	switch (event) {
	case nua_r_register:
		if (r != NULL)
			on_register(s, r, status, phrase, sip, false);
		break;
	case nua_r_unregister:
		if (r != NULL)
			on_register(s, r, status, phrase, sip, true);
		break;
	case nua_i_invite:
		if (c == NULL && k == NULL)
			on_incoming_invite(s, nh, sip);
		else if (c != NULL)
			on_reinvite(s, c, nh, sip);
		break;
	case nua_r_invite:
		if (c != NULL)
			on_invite_response(s, c, status, phrase, sip);
		break;
	case nua_i_state:
		if (c != NULL)
			on_state(s, c, status, phrase, tags);
		break;
	case nua_i_bye:
		if (c != NULL && !c->ended)
			call_end(c, 0, "bye");
		break;
	case nua_i_cancel:
		if (c != NULL && !c->ended)
			call_end(c, 487, "cancelled");
		break;
	case nua_i_info:
		on_info(s, c, nh, sip);
		if (k == NULL)
			nua_handle_destroy(nh); /* out of a dialog: answered, done */
		break;
	case nua_r_shutdown:
		if (status >= 200)
			s->shutdown_done = true;
		break;
	case nua_i_error:
		SLOG(WARNING, "stack error: %d %s", status, phrase);
		break;
	default:
		/* An incoming request nobody handles: NUA answers it; drop the handle. */
		if (k == NULL && nh != NULL && event >= nua_i_options && event <= nua_i_method)
			nua_handle_destroy(nh);
		break;
	}
}

/* ---- lifetime ---- */

const char *
sip_local_ip(const struct sip *s)
{
	return s->local_ip;
}

void
sip_poll(struct sip *s)
{
	uint64_t t;

	/*
	 * Every round of the control loop: one non-blocking wait on the stack's
	 * sockets and timers. Rate-limiting it to once a millisecond made a
	 * call's setup (about ten stack steps) 16 ms instead of 3 (bench-sip).
	 */
	su_root_step(s->root, 0);
	t = now_ns();
	for (struct sip_reg *r = s->regs; r != NULL; r = r->next)
		if (r->backoff != 0 && r->owner != NULL && t / 1000000ull >= r->retry_at) {
			r->retry_at = UINT64_MAX;
			reg_send(r);
		}
}

/* Append file `from` to fd; 0 or -1. */
static int
append_file(int fd, const char *from)
{
	char buf[4096];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), rc = 0;

	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			rc = -1;
	if (n < 0)
		rc = -1;
	close(in);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/*
 * sofia-sip reads TLS credentials from a folder: agent.pem (our key and
 * certificate: https.key and https.cert) and cafile.pem (sip.tls_ca). A
 * private one (0700, files 0600) under /tmp, removed at sip_destroy.
 */
static int
tls_dir_make(struct sip *s, char *err, size_t errlen)
{
	const struct rtcg_config *cfg = s->cfg;
	char path[128];
	int fd, rc;

	snprintf(s->tls_dir, sizeof(s->tls_dir), "/tmp/rtcgate-sip-tls-XXXXXX");
	if (mkdtemp(s->tls_dir) == NULL) {
		snprintf(err, errlen, "sip: cannot make a folder for TLS credentials: %s", strerror(errno));
		s->tls_dir[0] = '\0';
		return -1;
	}
	snprintf(path, sizeof(path), "%s/agent.pem", s->tls_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	rc = fd < 0 || append_file(fd, cfg->https.key) != 0 || append_file(fd, cfg->https.cert) != 0;
	if (fd >= 0)
		close(fd);
	if (rc) {
		snprintf(err, errlen, "sip: cannot read https.key and https.cert for SIP over TLS");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cafile.pem", s->tls_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	rc = fd < 0 || append_file(fd, cfg->sip.tls_ca) != 0;
	if (fd >= 0)
		close(fd);
	if (rc) {
		snprintf(err, errlen, "sip.tls_ca: cannot read %s", cfg->sip.tls_ca);
		return -1;
	}
	return 0;
}

static void
tls_dir_remove(struct sip *s)
{
	static const char *const files[] = { "agent.pem", "cafile.pem" };
	char path[128];

	if (s->tls_dir[0] == '\0')
		return;
	for (unsigned i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", s->tls_dir, files[i]);
		unlink(path);
	}
	rmdir(s->tls_dir);
	s->tls_dir[0] = '\0';
}

/* The proxy URI from sip.server: a sip:/sips: URI as given, else host[:port]. */
static void
proxy_uri(const struct rtcg_config *cfg, char *out, size_t len, char *host, size_t hostlen)
{
	static const char *const tp[] = { "udp", "tcp", "tls" };
	const char *srv = cfg->sip.server;

	if (strncmp(srv, "sip:", 4) == 0 || strncmp(srv, "sips:", 5) == 0) {
		snprintf(out, len, "%s", srv);
		srv = strchr(srv, ':') + 1;
	} else {
		snprintf(out, len, "sip:%s;transport=%s", srv, tp[cfg->sip.transport]);
	}
	snprintf(host, hostlen, "%s", srv);
	if (host[0] == '[') {
		char *e = strchr(host, ']');

		if (e != NULL)
			e[1] = '\0';
	} else {
		host[strcspn(host, ":;>")] = '\0';
	}
}

struct sip *
sip_create(const struct rtcg_config *cfg, const struct sip_events *ev, char *err, size_t errlen)
{
	struct sip *s;
	char bind[128], sips[128] = "", host[256];
	bool found = false;

	if (cfg->sip.server[0] == '\0') {
		snprintf(err, errlen, "sip.server is empty");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->ev = *ev;
	/* The internal side's first address: where SIP and its media live. */
	for (int fam = AF_INET; !found; fam = AF_INET6) {
		for (unsigned p = 0; p < cfg->n_ports && !found; p++) {
			const struct config_port *pc = &cfg->ports[p];

			if (pc->role == CONFIG_ROLE_PUBLIC)
				continue;
			for (unsigned a = 0; a < pc->n_addresses && !found; a++)
				if (pc->addresses[a].family == fam) {
					inet_ntop(fam, pc->addresses[a].bytes, s->local_ip,
						  sizeof(s->local_ip));
					found = true;
				}
		}
		if (fam == AF_INET6)
			break;
	}
	if (!found) {
		snprintf(err, errlen, "sip: no internal port has an address");
		free(s);
		return NULL;
	}
	proxy_uri(cfg, s->proxy, sizeof(s->proxy), host, sizeof(host));
	if (cfg->sip.transport == CONFIG_SIP_TLS && tls_dir_make(s, err, errlen) != 0) {
		tls_dir_remove(s);
		free(s);
		return NULL;
	}
	snprintf(s->domain, sizeof(s->domain), "%s", cfg->sip.domain[0] ? cfg->sip.domain : host);
	if (strchr(s->local_ip, ':') != NULL)
		snprintf(bind, sizeof(bind), "sip:[%s]:%u", s->local_ip, cfg->sip.local_port);
	else
		snprintf(bind, sizeof(bind), "sip:%s:%u", s->local_ip, cfg->sip.local_port);
	su_init();
	su_home_init(s->home);
	su_log_redirect(NULL, sofia_logger, NULL);
	s->root = su_root_create(s);
	if (s->root == NULL) {
		snprintf(err, errlen, "sip: cannot create the sofia-sip event root");
		goto fail;
	}
	/* One thread: the NUA stack runs inside su_root_step on the control lcore. */
	su_root_threading(s->root, 0);
	if (cfg->sip.transport == CONFIG_SIP_TLS) {
		if (strchr(s->local_ip, ':') != NULL)
			snprintf(sips, sizeof(sips), "sips:[%s]:%u", s->local_ip, cfg->sip.tls_port);
		else
			snprintf(sips, sizeof(sips), "sips:%s:%u", s->local_ip, cfg->sip.tls_port);
	}
	s->nua = nua_create(s->root, nua_callback, (nua_magic_t *)s, NUTAG_URL(bind),
			    TAG_IF(sips[0], NUTAG_SIPS_URL(sips)),
			    TAG_IF(sips[0], TPTAG_CERTIFICATE(s->tls_dir)),
			    /* The server's certificate must chain to sip.tls_ca. */
			    TAG_IF(sips[0], TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_OUT)),
			    NUTAG_PROXY(s->proxy), NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOANSWER(0),
			    NUTAG_AUTOACK(1), NUTAG_ENABLEINVITE(1),
			    NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE"),
			    NUTAG_APPL_METHOD("INFO"),
			    NUTAG_SESSION_TIMER(cfg->sip.session_expires),
			    NUTAG_UPDATE_REFRESH(1),
			    NTATAG_SIP_T1X64(cfg->sip.transaction_timeout_ms),
			    SIPTAG_USER_AGENT_STR("rtcgate/" RTCG_VERSION), TAG_END());
	if (s->nua == NULL) {
		snprintf(err, errlen, "sip: cannot bind %s (is the internal address up?)", bind);
		goto fail;
	}
	SLOG(INFO, "user agent on %s, outbound proxy %s, domain %s", bind, s->proxy, s->domain);
	return s;
fail:
	tls_dir_remove(s);
	if (s->root != NULL)
		su_root_destroy(s->root);
	su_home_deinit(s->home);
	su_deinit();
	free(s);
	return NULL;
}

void
sip_shutdown(struct sip *s)
{
	if (s == NULL || s->shutdown_started)
		return;
	s->shutdown_started = true;
	for (struct sip_call *c = s->calls, *next; c != NULL; c = next) {
		next = c->next;
		c->owner = NULL;
		if (!c->ended)
			sip_hangup(c, 503);
	}
	for (struct sip_reg *r = s->regs; r != NULL; r = r->next)
		r->owner = NULL;
	nua_shutdown(s->nua); /* BYEs, un-REGISTERs; nua_r_shutdown says when done */
}

bool
sip_shutdown_done(const struct sip *s)
{
	return s == NULL || s->shutdown_done;
}

void
sip_destroy(struct sip *s)
{
	uint64_t deadline;

	if (s == NULL)
		return;
	sip_shutdown(s);
	deadline = now_ns() + SHUTDOWN_WAIT_S * 1000000000ull;
	while (!s->shutdown_done && now_ns() < deadline)
		su_root_step(s->root, 50);
	while (s->calls != NULL)
		call_free(s->calls);
	while (s->regs != NULL)
		reg_free(s->regs);
	nua_destroy(s->nua);
	su_root_destroy(s->root);
	tls_dir_remove(s);
	su_home_deinit(s->home);
	su_deinit();
	free(s);
}

void
sip_write_metrics(const struct sip *s, struct evbuffer *out)
{
	unsigned regs = 0, calls = 0;

	for (const struct sip_reg *r = s->regs; r != NULL; r = r->next)
		regs += r->registered && r->owner != NULL;
	for (const struct sip_call *c = s->calls; c != NULL; c = c->next)
		calls += !c->ended;
	evbuffer_add_printf(out,
		"# HELP rtcgate_sip_registrations Users registered at the SIP server now.\n"
		"# TYPE rtcgate_sip_registrations gauge\nrtcgate_sip_registrations %u\n"
		"# HELP rtcgate_sip_calls SIP dialogs now.\n"
		"# TYPE rtcgate_sip_calls gauge\nrtcgate_sip_calls %u\n"
		"# HELP rtcgate_sip_register_total REGISTER outcomes.\n"
		"# TYPE rtcgate_sip_register_total counter\n"
		"rtcgate_sip_register_total{result=\"ok\"} %llu\n"
		"rtcgate_sip_register_total{result=\"failed\"} %llu\n"
		"# HELP rtcgate_sip_invites_total INVITEs by direction.\n"
		"# TYPE rtcgate_sip_invites_total counter\n"
		"rtcgate_sip_invites_total{direction=\"out\"} %llu\n"
		"rtcgate_sip_invites_total{direction=\"in\"} %llu\n"
		"# HELP rtcgate_sip_calls_failed_total Outbound INVITEs refused by the far end.\n"
		"# TYPE rtcgate_sip_calls_failed_total counter\nrtcgate_sip_calls_failed_total %llu\n",
		regs, calls, (unsigned long long)s->registrations_ok,
		(unsigned long long)s->registrations_failed, (unsigned long long)s->invites_out,
		(unsigned long long)s->invites_in, (unsigned long long)s->calls_failed);
}
