/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_api_lib.c - the API's building blocks without a server: CORS origin
 * matching, password hashes and HMAC tokens, the ban tracker and its state
 * file, and the call state machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/hmac.h>

#include "auth.h"
#include "ban.h"
#include "call_fsm.h"
#include "cors.h"
#include "unit.h"

static bool
allowed(const char *const *list, unsigned n, const char *origin)
{
	struct cors_origin o[8] = { 0 };

	if (n > 8)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (cors_origin_parse(list[i], true, &o[i]) != 0)
			return false;
	return cors_allowed(o, n, origin);
}

TEST(cors_origins)
{
	static const char *const list[] = { "https://app.example.com", "http://127.0.0.1:9000",
					    "https://*.agents.example" };
	struct cors_origin o;

	CHECK(allowed(list, 0, "https://anything.example"));
	CHECK(allowed(list, 3, "https://app.example.com"));
	CHECK(allowed(list, 3, "https://APP.example.com:443"));
	CHECK(!allowed(list, 3, "http://app.example.com"));	/* scheme */
	CHECK(!allowed(list, 3, "https://app.example.com:8443")); /* port */
	CHECK(!allowed(list, 3, "https://app.example.com.evil.example"));
	CHECK(allowed(list, 3, "http://127.0.0.1:9000"));
	CHECK(!allowed(list, 3, "http://localhost:9000"));
	CHECK(allowed(list, 3, "https://eu.agents.example"));
	CHECK(allowed(list, 3, "https://a.b.agents.example"));
	CHECK(!allowed(list, 3, "https://agents.example")); /* the bare domain */
	CHECK(!allowed(list, 3, "https://evilagents.example"));
	CHECK(!allowed(list, 3, "null"));
	CHECK(!allowed(list, 3, "https://app.example.com/path"));
	CHECK(!allowed(list, 3, "https://*.agents.example")); /* a request's Origin has no * */
	CHECK(cors_origin_parse("https://[2001:2::1]:8443", false, &o) == 0 && o.port == 8443);
	CHECK(cors_origin_parse("ftp://a.example", true, &o) != 0);
	CHECK(cors_origin_parse("https://", true, &o) != 0);
	CHECK(cors_origin_parse("https://a.example:0", true, &o) != 0);
	CHECK(cors_origin_parse("https://a.example:65536", true, &o) != 0);
	CHECK(cors_origin_parse("https://a.example.", true, &o) != 0);
}

TEST(auth_password_hashes)
{
	char hash[AUTH_HASH_MAX], other[AUTH_HASH_MAX];

	CHECK(auth_hash_password("s3cret", 1000, hash, sizeof(hash)) == 0);
	CHECK(auth_hash_valid(hash));
	CHECK(auth_check_password(hash, "s3cret") == 1);
	CHECK(auth_check_password(hash, "s3cre") == 0);
	CHECK(auth_check_password(hash, "") == 0);
	CHECK(auth_hash_password("s3cret", 1000, other, sizeof(other)) == 0);
	CHECK(strcmp(hash, other) != 0); /* salted */
	CHECK(!auth_hash_valid("s3cret"));
	CHECK(!auth_hash_valid("$pbkdf2-sha256$10$AAAA$BBBB"));
	CHECK(auth_check_password("$pbkdf2-sha256$1000$!!$!!", "x") == -1);
	/* A known vector: PBKDF2-HMAC-SHA256("password", 16 zero bytes, 1000). */
	{
		unsigned char salt[16] = { 0 }, dk[32];
		char s64[32], d64[64], h[AUTH_HASH_MAX];

		PKCS5_PBKDF2_HMAC("password", 8, salt, 16, 1000, EVP_sha256(), 32, dk);
		auth_b64_encode(salt, 16, s64, sizeof(s64));
		auth_b64_encode(dk, 32, d64, sizeof(d64));
		snprintf(h, sizeof(h), "$pbkdf2-sha256$1000$%s$%s", s64, d64);
		CHECK(auth_check_password(h, "password") == 1);
		/* Padding is optional on input. */
		s64[strcspn(s64, "=")] = '\0';
		d64[strcspn(d64, "=")] = '\0';
		snprintf(h, sizeof(h), "$pbkdf2-sha256$1000$%s$%s", s64, d64);
		CHECK(auth_check_password(h, "password") == 1);
	}
}

TEST(auth_tokens)
{
	const char *secret = "0123456789abcdef-shared";
	char user[128], pass[64], name[64];
	unsigned char mac[32];
	unsigned int mac_len;
	char expect[64];
	time_t expiry;

	CHECK(auth_mint_token(secret, "agent7", 2000000000, user, sizeof(user), pass,
			      sizeof(pass)) == 0);
	CHECK(strcmp(user, "2000000000:agent7") == 0);
	/* What a web backend computes on its own. */
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)user,
	     strlen(user), mac, &mac_len);
	auth_b64_encode(mac, mac_len, expect, sizeof(expect));
	CHECK(strcmp(pass, expect) == 0);
	CHECK(auth_check_token(secret, user, pass, 1900000000, name, sizeof(name), &expiry) ==
	      AUTH_TOKEN_OK);
	CHECK(strcmp(name, "agent7") == 0 && expiry == 2000000000);
	CHECK(auth_check_token(secret, user, pass, 2000000000, name, sizeof(name), NULL) ==
	      AUTH_TOKEN_EXPIRED);
	CHECK(auth_check_token("another-secret-123", user, pass, 1900000000, name, sizeof(name),
			       NULL) == AUTH_TOKEN_BAD_SIGNATURE);
	CHECK(auth_check_token(secret, "2000000000:agent8", pass, 1900000000, name,
			       sizeof(name), NULL) == AUTH_TOKEN_BAD_SIGNATURE);
	CHECK(auth_check_token(secret, "agent7", pass, 1900000000, name, sizeof(name), NULL) ==
	      AUTH_TOKEN_MALFORMED);
	CHECK(auth_check_token(secret, "2000000000:", pass, 1900000000, name, sizeof(name),
			       NULL) == AUTH_TOKEN_MALFORMED);
	pass[3] ^= 1;
	CHECK(auth_check_token(secret, user, pass, 1900000000, name, sizeof(name), NULL) ==
	      AUTH_TOKEN_BAD_SIGNATURE);
}

static struct ban_addr
A(const char *text)
{
	struct ban_addr a;

	CHECK(ban_addr_parse(text, &a) == 0);
	return a;
}

static unsigned lifted_n;
static void
count_lifted(const struct ban_addr *a, void *arg)
{
	lifted_n++;
}

TEST(ban_window_and_expiry)
{
	struct config_addr ignore = { .family = AF_INET, .bytes = { 198, 18, 9, 0 },
				      .prefix_len = 24 };
	struct ban_params p = { .max_failures = 3, .find_window_seconds = 600,
				.ban_seconds = 600, .ignore = &ignore, .n_ignore = 1 };
	struct ban_tracker *bt = ban_tracker_create(&p);
	struct ban_addr x = A("198.18.1.2"), y = A("2001:2::7"), z = A("198.18.9.77");
	time_t until;

	CHECK(ban_failure(bt, &x, 1000, &until) == BAN_COUNTED);
	CHECK(ban_failure(bt, &x, 1100, &until) == BAN_COUNTED);
	CHECK(!ban_is_banned(bt, &x, 1100, NULL));
	CHECK(ban_failure(bt, &x, 1599, &until) == BAN_NOW_BANNED && until == 2199);
	CHECK(ban_is_banned(bt, &x, 2198, NULL));
	CHECK(!ban_is_banned(bt, &x, 2199, NULL));
	CHECK(ban_failure(bt, &x, 1700, NULL) == BAN_ALREADY);
	/* Failures spread wider than the window never ban. */
	CHECK(ban_failure(bt, &y, 0, NULL) == BAN_COUNTED);
	CHECK(ban_failure(bt, &y, 500, NULL) == BAN_COUNTED);
	CHECK(ban_failure(bt, &y, 1000, NULL) == BAN_COUNTED); /* 0 fell out */
	CHECK(ban_failure(bt, &y, 1099, NULL) == BAN_NOW_BANNED); /* 500..1099 */
	for (int i = 0; i < 10; i++)
		CHECK(ban_failure(bt, &z, 1000 + i, NULL) == BAN_IGNORED);
	CHECK(!ban_is_banned(bt, &z, 1010, NULL));
	CHECK(ban_count(bt) == 2);
	CHECK(ban_failures_total(bt) == 18);
	/* The v4-mapped form is the same address. */
	{
		struct ban_addr m = A("::ffff:198.18.1.2");

		CHECK(ban_is_banned(bt, &m, 1700, NULL));
	}
	lifted_n = 0;
	CHECK(ban_expire(bt, 1699, count_lifted, NULL) == 1 && lifted_n == 1); /* y's */
	CHECK(ban_count(bt) == 1 && !ban_is_banned(bt, &y, 1699, NULL));
	CHECK(ban_remove(bt, &x, NULL) == 0 && ban_remove(bt, &x, NULL) == -ENOENT);
	CHECK(ban_count(bt) == 0);
	/* After a ban, an address starts afresh. */
	CHECK(ban_failure(bt, &x, 3000, NULL) == BAN_COUNTED);
	ban_tracker_destroy(bt);
}

TEST(ban_table_full_forgets_oldest_unbanned)
{
	struct ban_params p = { .max_failures = 2, .find_window_seconds = 60,
				.ban_seconds = 60, .capacity = 16 };
	struct ban_tracker *bt = ban_tracker_create(&p);
	struct ban_addr a;
	char text[32];

	/* 8 bans, then 100 addresses with one failure each: the bans stay. */
	for (int i = 0; i < 8; i++) {
		snprintf(text, sizeof(text), "198.18.2.%d", i);
		a = A(text);
		ban_failure(bt, &a, 10, NULL);
		CHECK(ban_failure(bt, &a, 11, NULL) == BAN_NOW_BANNED);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(text, sizeof(text), "198.18.3.%d", i);
		a = A(text);
		CHECK(ban_failure(bt, &a, 12, NULL) == BAN_COUNTED);
	}
	CHECK(ban_count(bt) == 8);
	a = A("198.18.2.5");
	CHECK(ban_is_banned(bt, &a, 12, NULL));
	/* The most recent failure is still counted: a second one bans. */
	a = A("198.18.3.99");
	CHECK(ban_failure(bt, &a, 13, NULL) == BAN_NOW_BANNED);
	ban_tracker_destroy(bt);
}

static unsigned parsed_n;
static void
count_parsed(const struct ban_addr *a, time_t until, void *arg)
{
	parsed_n++;
}

TEST(ban_state_file)
{
	struct ban_params p = { .max_failures = 1, .find_window_seconds = 60, .ban_seconds = 100 };
	struct ban_tracker *bt = ban_tracker_create(&p), *bt2 = ban_tracker_create(&p);
	struct ban_addr a = A("198.18.4.1"), b = A("2001:2::9");
	char path[] = "/tmp/rtcg-bans-XXXXXX", err[200];
	unsigned bad, first_bad;
	int fd = mkstemp(path);
	static const char text[] = "# rtcgate bans v1\n198.18.0.9 5000\nnot-an-ip 5000\n"
				   "198.18.0.10 100\n198.18.0.11\n2001:2::1 6000 extra\n\n"
				   "2001:2::2 7000";

	close(fd);
	CHECK(ban_failure(bt, &a, 1000, NULL) == BAN_NOW_BANNED);
	CHECK(ban_failure(bt, &b, 1000, NULL) == BAN_NOW_BANNED);
	CHECK(ban_state_save(bt, path, err, sizeof(err)) == 0);
	CHECK(ban_state_load(bt2, path, 1050, &bad, &first_bad, err, sizeof(err)) == 2);
	CHECK(bad == 0);
	CHECK(ban_is_banned(bt2, &a, 1099, NULL) && !ban_is_banned(bt2, &a, 1100, NULL));
	CHECK(ban_is_banned(bt2, &b, 1099, NULL));
	/* Loading after every ban ended loads none. */
	ban_tracker_destroy(bt2);
	bt2 = ban_tracker_create(&p);
	CHECK(ban_state_load(bt2, path, 1100, &bad, &first_bad, err, sizeof(err)) == 0);
	unlink(path);
	CHECK(ban_state_load(bt2, path, 0, &bad, &first_bad, err, sizeof(err)) == 0); /* missing */
	parsed_n = 0;
	CHECK(ban_state_parse(text, strlen(text), 1000, count_parsed, NULL, &bad, &first_bad) == 2);
	CHECK(parsed_n == 2 && bad == 3 && first_bad == 3);
	ban_tracker_destroy(bt);
	ban_tracker_destroy(bt2);
}

/*
 * ban.ipv6_prefix 64: an IPv6 client's failures count against its /64, the
 * ban covers every address of it and of nothing beside it, and it is
 * written as address/prefix, loaded back as such (and still found by a
 * tracker counting single addresses), and lifted by any address in it.
 * IPv4 is untouched.
 */
TEST(ban_ipv6_prefix)
{
	struct ban_params p = { .max_failures = 3, .find_window_seconds = 600, .ban_seconds = 600,
				.ipv6_prefix = 64 };
	struct ban_params p128 = p;
	struct ban_tracker *bt = ban_tracker_create(&p), *bt2;
	struct ban_addr a1 = A("2001:2:0:7::1"), a2 = A("2001:2:0:7:ffff::2"), a3 = A("2001:2:0:7::3");
	struct ban_addr beside = A("2001:2:0:6::1"), v4 = A("198.18.5.1"), k, n;
	char path[] = "/tmp/rtcg-bans-XXXXXX", err[200], text[64];
	unsigned bad, first_bad;
	int fd = mkstemp(path);
	time_t until;

	close(fd);
	ban_key(bt, &a2, &k);
	ban_addr_format(&k, text, sizeof(text));
	CHECK(strcmp(text, "2001:2:0:7::/64") == 0);
	/* Three addresses of one /64, a failure each: banned. */
	CHECK(ban_failure(bt, &a1, 1000, &until) == BAN_COUNTED);
	CHECK(ban_failure(bt, &a2, 1001, &until) == BAN_COUNTED);
	CHECK(ban_failure(bt, &a3, 1002, &until) == BAN_NOW_BANNED && until == 1602);
	CHECK(ban_is_banned(bt, &a1, 1100, NULL) && ban_is_banned(bt, &a2, 1100, NULL));
	CHECK(!ban_is_banned(bt, &beside, 1100, NULL));
	/* IPv4 still by address. */
	CHECK(ban_failure(bt, &v4, 1000, NULL) == BAN_COUNTED);
	v4.bytes[3] = 2;
	CHECK(ban_failure(bt, &v4, 1000, NULL) == BAN_COUNTED);
	CHECK(ban_count(bt) == 1);
	/* The state file: address/prefix, loaded back by a tracker of either setting. */
	CHECK(ban_state_save(bt, path, err, sizeof(err)) == 0);
	bt2 = ban_tracker_create(&p128);
	CHECK(ban_state_load(bt2, path, 1100, &bad, &first_bad, err, sizeof(err)) == 1 && bad == 0);
	CHECK(ban_is_banned(bt2, &a3, 1100, NULL) && !ban_is_banned(bt2, &beside, 1100, NULL));
	CHECK(ban_remove(bt2, &a1, &n) == 0 && n.plen == 64 && !ban_is_banned(bt2, &a3, 1100, NULL));
	ban_tracker_destroy(bt2);
	unlink(path);
	/* Any address of the network lifts the ban. */
	CHECK(ban_remove(bt, &a2, &n) == 0 && memcmp(&n, &k, sizeof(n)) == 0 &&
	      !ban_is_banned(bt, &a1, 1100, NULL) && ban_count(bt) == 0);
	/* The parser: networks are IPv6, 1..128 bits; /128 is the address. */
	CHECK(ban_net_parse("2001:2:0:7:1::/64", &n) == 0 && n.plen == 64 && n.bytes[9] == 0);
	CHECK(ban_net_parse("2001:2::5/128", &n) == 0 && n.plen == 0 && n.bytes[15] == 5);
	CHECK(ban_net_parse("2001:2::/60x", &n) != 0 && ban_net_parse("2001:2::/0", &n) != 0 &&
	      ban_net_parse("2001:2::/129", &n) != 0 && ban_net_parse("198.18.0.0/24", &n) != 0 &&
	      ban_net_parse("2001:2::/", &n) != 0);
	CHECK(ban_addr_parse("2001:2::/64", &n) != 0); /* an address only */
	ban_tracker_destroy(bt);
}

TEST(call_state_machine)
{
	/* Outbound: calling -> ringing -> active <-> held -> ended. */
	CHECK(call_fsm_step(CALL_CALLING, CALL_IN_PROGRESS) == CALL_RINGING);
	CHECK(call_fsm_step(CALL_RINGING, CALL_IN_PROGRESS) == CALL_RINGING);
	CHECK(call_fsm_step(CALL_RINGING, CALL_IN_ANSWERED) == CALL_ACTIVE);
	CHECK(call_fsm_step(CALL_CALLING, CALL_IN_ANSWERED) == CALL_ACTIVE);
	CHECK(call_fsm_step(CALL_ACTIVE, CALL_IN_HOLD) == CALL_HELD);
	CHECK(call_fsm_step(CALL_HELD, CALL_IN_RESUME) == CALL_ACTIVE);
	CHECK(call_fsm_step(CALL_ACTIVE, CALL_IN_DTMF) == CALL_ACTIVE);
	CHECK(call_fsm_step(CALL_ACTIVE, CALL_IN_REMOTE_HOLD) == CALL_HELD);
	CHECK(call_fsm_step(CALL_HELD, CALL_IN_REMOTE_RESUME) == CALL_ACTIVE);
	/* Inbound: only an incoming call can be answered. */
	CHECK(call_fsm_step(CALL_INCOMING, CALL_IN_ANSWER) == CALL_ACTIVE);
	CHECK(call_fsm_step(CALL_CALLING, CALL_IN_ANSWER) < 0);
	CHECK(call_fsm_step(CALL_ACTIVE, CALL_IN_ANSWER) < 0);
	/* What is refused (a 409 in the API). */
	CHECK(call_fsm_step(CALL_RINGING, CALL_IN_DTMF) < 0);
	CHECK(call_fsm_step(CALL_HELD, CALL_IN_DTMF) < 0);
	CHECK(call_fsm_step(CALL_HELD, CALL_IN_HOLD) < 0);
	CHECK(call_fsm_step(CALL_ACTIVE, CALL_IN_RESUME) < 0);
	CHECK(call_fsm_step(CALL_INCOMING, CALL_IN_HOLD) < 0);
	/* Every live state can end; an ended call takes nothing. */
	for (int s = 0; s < CALL_ENDED; s++) {
		CHECK(call_fsm_step((enum call_state)s, CALL_IN_HANGUP) == CALL_ENDED);
		CHECK(call_fsm_step((enum call_state)s, CALL_IN_ENDED) == CALL_ENDED);
	}
	for (int in = 0; in < CALL_INPUT_MAX; in++)
		CHECK(call_fsm_step(CALL_ENDED, (enum call_input)in) < 0);
	CHECK(call_fsm_step(CALL_STATE_MAX, CALL_IN_HANGUP) < 0);
	CHECK(call_dtmf_valid("0123456789*#ABCD"));
	CHECK(!call_dtmf_valid(""));
	CHECK(!call_dtmf_valid("12E"));
	CHECK(!call_dtmf_valid("123456789012345678901234567890123"));
	CHECK(strcmp(call_state_name(CALL_HELD), "held") == 0);
}
