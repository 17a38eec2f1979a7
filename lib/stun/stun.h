/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stun.h - STUN (RFC 8489) as ICE-lite (RFC 8445) needs it: parse a Binding
 * request, check FINGERPRINT (CRC-32, zlib's) and MESSAGE-INTEGRITY
 * (HMAC-SHA1 with the short-term password, OpenSSL's), read USERNAME,
 * PRIORITY, USE-CANDIDATE and the ICE role, and write the Binding success
 * response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
 * No allocation; pointers in struct stun_msg point into the parsed buffer.
 */
#ifndef RTCG_STUN_H
#define RTCG_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER 20
#define STUN_COOKIE 0x2112A442u
#define STUN_BINDING_REQUEST 0x0001
#define STUN_BINDING_SUCCESS 0x0101
#define STUN_BINDING_ERROR 0x0111
#define STUN_BINDING_INDICATION 0x0011

enum stun_result {
	STUN_OK = 0,
	STUN_ERR_TRUNCATED,   /* shorter than its header or attributes say */
	STUN_ERR_NOT_STUN,    /* top bits, cookie or length wrong */
	STUN_ERR_BAD_ATTR,    /* attribute overruns, or one after FINGERPRINT */
	STUN_ERR_FINGERPRINT, /* FINGERPRINT present and wrong */
	STUN_ERR_INTEGRITY,   /* MESSAGE-INTEGRITY missing or wrong */
	STUN_ERR_USERNAME,    /* USERNAME missing or not ours */
};

struct stun_msg {
	uint16_t type;
	uint16_t length; /* of the attributes */
	uint8_t tid[12];
	const char *username; /* not NUL-terminated */
	uint16_t username_len;
	uint32_t priority;
	bool has_priority;
	bool use_candidate;
	bool controlling, controlled;
	uint64_t tiebreaker;
	int integrity_at;   /* offset of MESSAGE-INTEGRITY's header, -1 if none */
	int fingerprint_at; /* offset of FINGERPRINT's header, -1 if none */
	uint16_t unknown_required; /* a comprehension-required attribute we do not know, or 0 */
};

/* Cheap test: could this be STUN? (first two bits 0, cookie, length) */
bool stun_looks_like(const uint8_t *buf, size_t len);

/* Parse and check the structure and the FINGERPRINT if present. */
enum stun_result stun_parse(const uint8_t *buf, size_t len, struct stun_msg *m);

/* MESSAGE-INTEGRITY with the short-term key (the password as is). */
enum stun_result stun_check_integrity(const uint8_t *buf, size_t len, const struct stun_msg *m,
				      const char *password);

/*
 * ICE: is USERNAME "OURS:THEIRS"? (RFC 8445 7.3: the request's USERNAME is
 * the receiver's ufrag, a colon, the sender's ufrag.)
 */
enum stun_result stun_check_username(const struct stun_msg *m, const char *our_ufrag,
				     const char *their_ufrag);

/*
 * Write the Binding success response to req for a request that came from
 * `from` (XOR-MAPPED-ADDRESS), signed with password. Returns its length or
 * -1 when out is too short (a response needs at most 80 bytes).
 */
int stun_binding_success(const struct stun_msg *req, const struct sockaddr *from,
			 const char *password, uint8_t *out, size_t outlen);

/*
 * Write a Binding request (for tests, and for consent checks from our side
 * if ever needed): USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE when
 * asked, MESSAGE-INTEGRITY, FINGERPRINT. Returns its length or -1.
 */
int stun_binding_request(const uint8_t tid[12], const char *username, const char *password,
			 uint32_t priority, bool use_candidate, uint64_t tiebreaker,
			 uint8_t *out, size_t outlen);

/* The XOR-MAPPED-ADDRESS of a response into sa; 0 or -1. */
int stun_xor_mapped(const uint8_t *buf, size_t len, struct sockaddr_storage *sa);

const char *stun_result_name(enum stun_result r);

#endif /* RTCG_STUN_H */
