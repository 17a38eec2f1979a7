/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.c - the table-driven YAML loader: defaults, the file, environment
 * and --set overrides, all through one assign() that knows every key's type.
 *
 * libyaml's document API keeps each node's start mark, so every error names
 * origin:line:column and the key path. Validation across keys lives in
 * config_schema.c beside the table.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <yaml.h>

#include "config_priv.h"

#define CFG_FILE_MAX (1u << 20)
#define CFG_PATH_LEN 160

struct cfg_mark {
	char path[CFG_PATH_LEN];
	char origin[CFG_PATH_LEN];
	unsigned line, col;
};

struct cfg_ctx {
	struct rtcg_config *cfg;
	struct config_errors *errs;
	const char *origin; /* the source being read now */
	bool recording;	    /* false while applying defaults */
	struct cfg_mark *marks;
	unsigned n_marks, cap_marks;
};

static void
errs_add(struct config_errors *errs, const char *fmt, ...)
{
	va_list ap;

	if (errs->n >= CONFIG_MAX_ERRORS) {
		errs->truncated = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(errs->msg[errs->n++], sizeof(errs->msg[0]), fmt, ap);
	va_end(ap);
}

static void
verr_at(struct cfg_ctx *ctx, const char *origin, unsigned line, unsigned col,
	const char *path, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line == 0)
		errs_add(ctx->errs, "%s: %s%s%s", origin, path, *path ? ": " : "", msg);
	else
		errs_add(ctx->errs, "%s:%u:%u: %s%s%s", origin, line, col, path,
			 *path ? ": " : "", msg);
}

/* An error about what node says, at node's place in the current source. */
static void __attribute__((format(printf, 4, 5)))
node_error(struct cfg_ctx *ctx, const yaml_node_t *node, const char *path,
	   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_at(ctx, ctx->origin, node->start_mark.line + 1,
		node->start_mark.column + 1, path, fmt, ap);
	va_end(ap);
}

static const struct cfg_mark *
mark_find(const struct cfg_ctx *ctx, const char *path)
{
	for (unsigned i = ctx->n_marks; i-- > 0;)
		if (strcmp(ctx->marks[i].path, path) == 0)
			return &ctx->marks[i];
	return NULL;
}

static void
mark_record(struct cfg_ctx *ctx, const char *path, const yaml_node_t *node)
{
	struct cfg_mark *m;

	if (!ctx->recording)
		return;
	if (ctx->n_marks == ctx->cap_marks) {
		unsigned cap = ctx->cap_marks ? ctx->cap_marks * 2 : 64;
		void *p = realloc(ctx->marks, cap * sizeof(*m));

		if (p == NULL)
			return; /* only costs a location in a later message */
		ctx->marks = p;
		ctx->cap_marks = cap;
	}
	m = &ctx->marks[ctx->n_marks++];
	snprintf(m->path, sizeof(m->path), "%s", path);
	snprintf(m->origin, sizeof(m->origin), "%s", ctx->origin);
	m->line = node->start_mark.line + 1;
	m->col = node->start_mark.column + 1;
}

void
cfg_error(struct cfg_ctx *ctx, const char *path, const char *fmt, ...)
{
	char probe[CFG_PATH_LEN];
	const struct cfg_mark *m = NULL;
	va_list ap;

	/* The key itself, or the nearest enclosing key that was written. */
	snprintf(probe, sizeof(probe), "%s", path);
	for (;;) {
		char *cut;

		m = mark_find(ctx, probe);
		if (m != NULL)
			break;
		cut = strrchr(probe, '.');
		if (strrchr(probe, '[') > cut)
			cut = strrchr(probe, '[');
		if (cut == NULL)
			break;
		*cut = '\0';
	}
	va_start(ap, fmt);
	if (m != NULL)
		verr_at(ctx, m->origin, m->line, m->col, path, fmt, ap);
	else
		verr_at(ctx, ctx->cfg->path, 0, 0, path, fmt, ap);
	va_end(ap);
}

static const char *
node_kind_name(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

static bool
node_is_null(const yaml_node_t *node)
{
	const char *v;

	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)node->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

/* Levenshtein distance, for "did you mean" on unknown keys. */
static unsigned
edit_distance(const char *a, const char *b)
{
	unsigned la = strlen(a), lb = strlen(b), row[64], i, j;

	if (la >= 63 || lb >= 63)
		return UINT_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		unsigned diag = row[0], tmp;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			tmp = row[j];
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = tmp;
		}
	}
	return row[lb];
}

static const struct cfg_field *
section_child(const struct cfg_field *section, const char *name)
{
	for (const struct cfg_field *f = section->sub; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static const char *
suggest_key(const struct cfg_field *section, const char *name)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (const struct cfg_field *f = section->sub; f->name != NULL; f++) {
		unsigned d = edit_distance(name, f->name);

		if (d < best_d) {
			best_d = d;
			best = f->name;
		}
	}
	return best;
}

static void
unknown_key_error(struct cfg_ctx *ctx, const yaml_node_t *node,
		  const char *path, const struct cfg_field *section,
		  const char *name)
{
	const char *hint = suggest_key(section, name);

	if (hint != NULL)
		node_error(ctx, node, path, "unknown key '%s' (did you mean '%s'?)",
			   name, hint);
	else
		node_error(ctx, node, path, "unknown key '%s'", name);
}

static int
parse_addr(const char *text, struct config_addr *out)
{
	char buf[64];
	char *slash;
	unsigned maxlen;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, out->bytes) == 1) {
		out->family = AF_INET;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
		out->family = AF_INET6;
		maxlen = 128;
	} else {
		return -EINVAL;
	}
	out->prefix_len = maxlen;
	if (slash != NULL) {
		char *end;
		unsigned long len;

		if (!isdigit((unsigned char)slash[1]))
			return -EINVAL;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > maxlen)
			return -EINVAL;
		out->prefix_len = len;
	}
	snprintf(out->text, sizeof(out->text), "%s", text);
	return 0;
}

static int
parse_endpoint(const char *text, struct config_endpoint *out)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;
	size_t hl;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -EINVAL;
		hl = close - text - 1;
		colon = close + 1;
		text++;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return -EINVAL;
		hl = colon - text;
	}
	if (hl == 0 || hl >= sizeof(host) || !isdigit((unsigned char)colon[1]))
		return -EINVAL;
	memcpy(host, text, hl);
	host[hl] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&out->ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		out->len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host,
			     &((struct sockaddr_in6 *)&out->ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		out->len = sizeof(*sin6);
	} else {
		return -EINVAL;
	}
	snprintf(out->text, sizeof(out->text), "%s%s%s:%lu",
		 out->ss.ss_family == AF_INET6 ? "[" : "", host,
		 out->ss.ss_family == AF_INET6 ? "]" : "", port);
	return 0;
}

int
config_resolve_path(const struct rtcg_config *cfg, const char *path, char *out,
		    size_t outlen)
{
	int n;

	if (path[0] == '\0' || path[0] == '/' || cfg->dir[0] == '\0')
		n = snprintf(out, outlen, "%s", path);
	else
		n = snprintf(out, outlen, "%s/%s", cfg->dir, path);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static void assign(struct cfg_ctx *ctx, yaml_document_t *doc,
		   const struct cfg_field *f, void *base, yaml_node_t *node,
		   const char *path);
static void apply_defaults(struct cfg_ctx *ctx, const struct cfg_field *section,
			   void *base);

static void
assign_scalar(struct cfg_ctx *ctx, const struct cfg_field *f, void *slot,
	      yaml_node_t *node, const char *path)
{
	const char *v = (const char *)node->data.scalar.value;
	size_t len = node->data.scalar.length;

	if (node->type != YAML_SCALAR_NODE) {
		node_error(ctx, node, path, "expected %s, found %s",
			   f->kind == CFG_BOOL ? "true or false" :
			   f->kind == CFG_UINT ? "an integer" : "a scalar",
			   node_kind_name(node));
		return;
	}
	if (strlen(v) != len) {
		node_error(ctx, node, path, "value contains a NUL byte");
		return;
	}
	switch (f->kind) {
	case CFG_BOOL:
		if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
		    !strcasecmp(v, "on"))
			*(bool *)slot = true;
		else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
			 !strcasecmp(v, "off"))
			*(bool *)slot = false;
		else
			node_error(ctx, node, path, "expected true or false, found '%s'", v);
		break;
	case CFG_UINT: {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0) {
			node_error(ctx, node, path, "expected an integer, found '%s'", v);
			break;
		}
		if (n < f->min || n > f->max) {
			node_error(ctx, node, path,
				   "%llu is out of range (%llu..%llu)", n,
				   (unsigned long long)f->min,
				   (unsigned long long)f->max);
			break;
		}
		*(uint32_t *)slot = (uint32_t)n;
		break;
	}
	case CFG_STRING:
	case CFG_PATH:
		if (len < f->min) {
			node_error(ctx, node, path, "must not be empty");
			break;
		}
		if (f->kind == CFG_PATH && v[0] != '\0' && v[0] != '/' &&
		    ctx->cfg->dir[0] != '\0') {
			if ((size_t)snprintf(slot, f->size, "%s/%s", ctx->cfg->dir, v) >= f->size)
				node_error(ctx, node, path, "path too long");
			break;
		}
		if (len >= f->size) {
			node_error(ctx, node, path, "longer than %zu characters",
				   f->size - 1);
			break;
		}
		memcpy(slot, v, len + 1);
		break;
	case CFG_ENUM: {
		char list[256] = "";

		for (int i = 0; f->choices[i] != NULL; i++) {
			if (strcmp(v, f->choices[i]) == 0) {
				*(int *)slot = i;
				return;
			}
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", i ? ", " : "", f->choices[i]);
		}
		node_error(ctx, node, path, "'%s' is not one of: %s", v, list);
		break;
	}
	case CFG_ADDR:
		if (parse_addr(v, slot) < 0)
			node_error(ctx, node, path,
				   "'%s' is not an IPv4 or IPv6 address (optionally /prefix)", v);
		break;
	case CFG_ENDPOINT:
		if (parse_endpoint(v, slot) < 0)
			node_error(ctx, node, path,
				   "'%s' is not ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)", v);
		break;
	default:
		break;
	}
}

static void
assign_section(struct cfg_ctx *ctx, yaml_document_t *doc,
	       const struct cfg_field *f, void *base, yaml_node_t *node,
	       const char *path)
{
	uint64_t seen = 0;

	if (node_is_null(node))
		return;
	if (node->type != YAML_MAPPING_NODE) {
		node_error(ctx, node, path, "expected a mapping, found %s",
			   node_kind_name(node));
		return;
	}
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const struct cfg_field *child;
		char sub[CFG_PATH_LEN];
		const char *name;

		if (k == NULL || v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			node_error(ctx, k, path, "keys must be plain words, found %s",
				   node_kind_name(k));
			continue;
		}
		name = (const char *)k->data.scalar.value;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", name);
		child = section_child(f, name);
		if (child == NULL) {
			unknown_key_error(ctx, k, sub, f, name);
			continue;
		}
		if (seen & (1ull << (child - f->sub))) {
			node_error(ctx, k, sub, "key given twice");
			continue;
		}
		seen |= 1ull << (child - f->sub);
		assign(ctx, doc, child, base, v, sub);
	}
}

static void
assign_list(struct cfg_ctx *ctx, yaml_document_t *doc, const struct cfg_field *f,
	    void *base, yaml_node_t *node, const char *path)
{
	unsigned *count = (unsigned *)((char *)base + f->count_offset);
	char *elems = (char *)base + f->offset;
	unsigned n = 0;

	if (node_is_null(node)) {
		*count = 0;
		return;
	}
	if (node->type != YAML_SEQUENCE_NODE) {
		node_error(ctx, node, path, "expected a list, found %s",
			   node_kind_name(node));
		return;
	}
	n = node->data.sequence.items.top - node->data.sequence.items.start;
	if (n > f->max) {
		node_error(ctx, node, path, "has %u entries, at most %llu allowed",
			   n, (unsigned long long)f->max);
		return;
	}
	memset(elems, 0, f->size * f->max);
	for (unsigned i = 0; i < n; i++) {
		yaml_node_t *item = yaml_document_get_node(
			doc, node->data.sequence.items.start[i]);
		char sub[CFG_PATH_LEN];

		if (item == NULL)
			continue;
		snprintf(sub, sizeof(sub), "%s[%u]", path, i);
		if (f->sub->kind == CFG_SECTION)
			apply_defaults(ctx, f->sub, elems + i * f->size);
		assign(ctx, doc, f->sub, elems + i * f->size, item, sub);
	}
	*count = n;
}

static void
assign(struct cfg_ctx *ctx, yaml_document_t *doc, const struct cfg_field *f,
       void *base, yaml_node_t *node, const char *path)
{
	void *slot = (char *)base + f->offset;

	mark_record(ctx, path, node);
	switch (f->kind) {
	case CFG_SECTION:
		assign_section(ctx, doc, f, slot, node, path);
		break;
	case CFG_LIST:
		assign_list(ctx, doc, f, base, node, path);
		break;
	default:
		assign_scalar(ctx, f, slot, node, path);
		break;
	}
}

/* Parse YAML text into doc; reports syntax errors at their place. */
static int
parse_yaml(struct cfg_ctx *ctx, const void *buf, size_t len,
	   yaml_document_t *doc)
{
	yaml_parser_t parser;
	int ok;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, buf, len);
	ok = yaml_parser_load(&parser, doc);
	if (!ok) {
		errs_add(ctx->errs, "%s:%zu:%zu: YAML syntax error: %s%s%s",
			 ctx->origin, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "unknown",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
	}
	yaml_parser_delete(&parser);
	return ok ? 0 : -EINVAL;
}

static void
apply_defaults(struct cfg_ctx *ctx, const struct cfg_field *section, void *base)
{
	bool rec = ctx->recording;
	const char *origin = ctx->origin;

	ctx->recording = false;
	ctx->origin = "(built-in default)";
	for (const struct cfg_field *f = section->sub; f->name != NULL; f++) {
		yaml_document_t doc;
		yaml_node_t *root;

		if (f->kind == CFG_SECTION) {
			apply_defaults(ctx, f, (char *)base + f->offset);
			continue;
		}
		if (f->def == NULL)
			continue;
		if (parse_yaml(ctx, f->def, strlen(f->def), &doc) < 0)
			continue;
		root = yaml_document_get_root_node(&doc);
		if (root != NULL)
			assign(ctx, &doc, f, base, root, f->name);
		else if (f->kind == CFG_LIST)
			*(unsigned *)((char *)base + f->count_offset) = 0;
		yaml_document_delete(&doc);
	}
	ctx->recording = rec;
	ctx->origin = origin;
}

/* Keys without a default must have been written, in every list element too. */
static void
check_required(struct cfg_ctx *ctx, const struct cfg_field *section,
	       void *base, const char *path)
{
	for (const struct cfg_field *f = section->sub; f->name != NULL; f++) {
		char sub[CFG_PATH_LEN];

		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->name);
		if (f->kind == CFG_SECTION) {
			check_required(ctx, f, (char *)base + f->offset, sub);
			continue;
		}
		if (f->def == NULL && mark_find(ctx, sub) == NULL) {
			cfg_error(ctx, sub, "missing required key '%s'", f->name);
			continue;
		}
		if (f->kind == CFG_LIST && f->sub->kind == CFG_SECTION) {
			unsigned n = *(unsigned *)((char *)base + f->count_offset);

			for (unsigned i = 0; i < n; i++) {
				char el[CFG_PATH_LEN];

				snprintf(el, sizeof(el), "%s[%u]", sub, i);
				check_required(ctx, f->sub,
					       (char *)base + f->offset + i * f->size, el);
			}
		}
	}
}

/*
 * Apply "a.b[1].c=value" (or a.b.1.c) from the command line or environment.
 * The value is YAML, so lists and mappings can be given in flow style.
 */
static void
apply_override(struct cfg_ctx *ctx, const char *origin, const char *assignment)
{
	const struct cfg_field *f = &config_schema_root;
	char *parent = (char *)ctx->cfg; /* f lives at parent + f->offset */
	char keybuf[CFG_PATH_LEN], path[CFG_PATH_LEN] = "";
	const char *eq = strchr(assignment, '=');
	char *save = NULL, *seg;
	yaml_document_t doc;
	yaml_node_t *root;

	ctx->origin = origin;
	if (eq == NULL || eq == assignment ||
	    (size_t)(eq - assignment) >= sizeof(keybuf)) {
		errs_add(ctx->errs,
			 "%s: expected KEY=VALUE, for example sip.server=198.18.1.10:5060",
			 origin);
		return;
	}
	memcpy(keybuf, assignment, eq - assignment);
	keybuf[eq - assignment] = '\0';
	for (char *c = keybuf; *c; c++)
		if (*c == '[' || *c == ']')
			*c = '.';

	for (seg = strtok_r(keybuf, ".", &save); seg != NULL;
	     seg = strtok_r(NULL, ".", &save)) {
		size_t pl = strlen(path);

		if (f->kind == CFG_LIST) {
			unsigned *count = (unsigned *)(parent + f->count_offset);
			char *end;
			unsigned long idx = strtoul(seg, &end, 10);

			if (!isdigit((unsigned char)seg[0]) || *end != '\0' ||
			    idx > *count || idx >= f->max) {
				errs_add(ctx->errs, "%s: %s: index '%s' must be 0..%u",
					 origin, path, seg,
					 *count < f->max ? *count : *count - 1);
				return;
			}
			parent = parent + f->offset + idx * f->size;
			if (idx == *count) {
				/* Appending: a new element starts from its defaults. */
				memset(parent, 0, f->size);
				if (f->sub->kind == CFG_SECTION)
					apply_defaults(ctx, f->sub, parent);
				(*count)++;
			}
			snprintf(path + pl, sizeof(path) - pl, "[%lu]", idx);
			f = f->sub;
		} else if (f->kind == CFG_SECTION) {
			const struct cfg_field *child = section_child(f, seg);

			snprintf(path + pl, sizeof(path) - pl, "%s%s", pl ? "." : "", seg);
			if (child == NULL) {
				const char *hint = suggest_key(f, seg);

				errs_add(ctx->errs, "%s: %s: unknown key '%s'%s%s%s",
					 origin, path, seg,
					 hint ? " (did you mean '" : "",
					 hint ? hint : "", hint ? "'?)" : "");
				return;
			}
			parent = parent + f->offset;
			f = child;
		} else {
			errs_add(ctx->errs, "%s: %s: is not a section, '%s' cannot follow",
				 origin, path, seg);
			return;
		}
	}
	if (f == &config_schema_root) {
		errs_add(ctx->errs, "%s: no key given", origin);
		return;
	}
	/* An empty value means an empty string or an empty list. */
	if (eq[1] == '\0')
		eq = "=\"\"";
	if (parse_yaml(ctx, eq + 1, strlen(eq + 1), &doc) < 0)
		return;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		if (f->kind == CFG_LIST && root->type == YAML_SCALAR_NODE &&
		    root->data.scalar.length == 0)
			*(unsigned *)(parent + f->count_offset) = 0;
		else
			assign(ctx, &doc, f, parent, root, path);
		mark_record(ctx, path, root);
	}
	yaml_document_delete(&doc);
}

static void
apply_env(struct cfg_ctx *ctx, char *const *envp)
{
	static const char prefix[] = "RTCGATE_";
	const char *origin_was = ctx->origin; /* each override points it at its own name */

	for (; envp != NULL && *envp != NULL; envp++) {
		char origin[CFG_PATH_LEN], assignment[CONFIG_PATH + CFG_PATH_LEN];
		const char *e = *envp, *eq = strchr(e, '=');
		size_t o = 0;

		if (strncmp(e, prefix, sizeof(prefix) - 1) != 0 || eq == NULL)
			continue;
		snprintf(origin, sizeof(origin), "environment %.*s",
			 (int)(eq - e), e);
		/* SIP__SERVER -> sip.server; PORTS__0__DEVICE -> ports.0.device */
		for (const char *c = e + sizeof(prefix) - 1; c < eq && o + 2 < sizeof(assignment); c++) {
			if (c[0] == '_' && c + 1 < eq && c[1] == '_') {
				assignment[o++] = '.';
				c++;
			} else {
				assignment[o++] = tolower((unsigned char)*c);
			}
		}
		snprintf(assignment + o, sizeof(assignment) - o, "%s", eq);
		apply_override(ctx, origin, assignment);
	}
	ctx->origin = origin_was;
}

static struct rtcg_config *
load(const char *origin, const char *dir, const void *buf, size_t len,
     const char *const *sets, unsigned n_sets, char *const *envp,
     struct config_errors *errs)
{
	struct rtcg_config *cfg = calloc(1, sizeof(*cfg));
	struct cfg_ctx ctx = { .cfg = cfg, .errs = errs, .origin = origin };
	yaml_document_t doc;
	yaml_node_t *root = NULL;
	bool have_doc = false;

	memset(errs, 0, sizeof(*errs));
	if (cfg == NULL) {
		errs_add(errs, "%s: out of memory", origin);
		return NULL;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", origin);
	snprintf(cfg->dir, sizeof(cfg->dir), "%s", dir);
	apply_defaults(&ctx, &config_schema_root, cfg);

	ctx.recording = true;
	ctx.origin = cfg->path;
	if (memchr(buf, '\0', len) != NULL) {
		errs_add(errs, "%s: contains a NUL byte: not a YAML text file", origin);
	} else if (parse_yaml(&ctx, buf, len, &doc) == 0) {
		have_doc = true;
		root = yaml_document_get_root_node(&doc);
		if (root == NULL)
			errs_add(errs, "%s: is empty", origin);
		else
			assign(&ctx, &doc, &config_schema_root, cfg, root, "");
	}
	if (have_doc)
		yaml_document_delete(&doc);

	apply_env(&ctx, envp);
	for (unsigned i = 0; i < n_sets; i++) {
		char o[CFG_PATH_LEN];
		const char *eq = strchr(sets[i], '=');

		snprintf(o, sizeof(o), "--set %.*s",
			 eq ? (int)(eq - sets[i]) : (int)strlen(sets[i]), sets[i]);
		apply_override(&ctx, o, sets[i]);
	}
	ctx.origin = cfg->path;
	if (errs->n == 0) {
		check_required(&ctx, &config_schema_root, cfg, "");
		if (errs->n == 0)
			config_validate(cfg, &ctx);
	}
	free(ctx.marks);
	if (errs->n != 0) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

struct rtcg_config *
config_load_buffer(const char *origin, const void *buf, size_t len,
		   const char *const *sets, unsigned n_sets, char *const *envp,
		   struct config_errors *errs)
{
	return load(origin, "", buf, len, sets, n_sets, envp, errs);
}

struct rtcg_config *
config_load(const char *path, const char *const *sets, unsigned n_sets,
	    char *const *envp, struct config_errors *errs)
{
	struct rtcg_config *cfg = NULL;
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len;

	memset(errs, 0, sizeof(*errs));
	if (f == NULL) {
		errs_add(errs, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CFG_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		errs_add(errs, "%s: out of memory", path);
		return NULL;
	}
	len = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f))
		errs_add(errs, "%s: read error: %s", path, strerror(errno));
	else if (len > CFG_FILE_MAX)
		errs_add(errs, "%s: larger than %u bytes", path, CFG_FILE_MAX);
	fclose(f);
	if (errs->n == 0) {
		/* Relative paths in the file resolve against its folder. */
		char dir[CONFIG_PATH], real[PATH_MAX];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (realpath(dir, real) != NULL)
			snprintf(dir, sizeof(dir), "%s", real);
		cfg = load(path, dir, buf, len, sets, n_sets, envp, errs);
	}
	free(buf);
	return cfg;
}

void
config_free(struct rtcg_config *cfg)
{
	free(cfg);
}
