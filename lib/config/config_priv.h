/* SPDX-License-Identifier: BSD-3-Clause */
/* config_priv.h - the key table's shape, shared by the loader and the schema. */
#ifndef RTCG_CONFIG_PRIV_H
#define RTCG_CONFIG_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum cfg_kind {
	CFG_BOOL,     /* bool */
	CFG_UINT,     /* uint32_t within [min, max] */
	CFG_STRING,   /* char[size] */
	CFG_PATH,     /* char[size], resolved against the config's folder */
	CFG_ENUM,     /* int, index into choices */
	CFG_ADDR,     /* struct config_addr */
	CFG_ENDPOINT, /* struct config_endpoint */
	CFG_SECTION,  /* a mapping: sub is its NULL-terminated key list */
	CFG_LIST,     /* a sequence: sub is one element's description */
};

struct cfg_field {
	const char *name;
	enum cfg_kind kind;
	size_t offset;		     /* within the parent struct */
	size_t size;		     /* STRING/PATH: buffer; LIST: element stride */
	uint64_t min, max;	     /* UINT: range; LIST: max is the most elements */
	const char *const *choices;  /* ENUM: NULL-terminated */
	const struct cfg_field *sub; /* SECTION: children; LIST: element */
	size_t count_offset;	     /* LIST: offset of its unsigned count */
	const char *def;	     /* default as YAML text; NULL: required */
	const char *doc;
};

/* The root of the table (a section without a name). */
extern const struct cfg_field config_schema_root;

struct cfg_ctx;

/* Checks across keys, run after every override; reports with cfg_error. */
void config_validate(struct rtcg_config *cfg, struct cfg_ctx *ctx);

/* Report an error about the key at path (where it was set, if it was). */
void cfg_error(struct cfg_ctx *ctx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* RTCG_CONFIG_PRIV_H */
