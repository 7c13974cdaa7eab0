/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMTPRLCTL_UTIL_H
#define SMTPRLCTL_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* Strict parsers: the whole string, no overflow; 0 on success, -1 if not. */
int parse_u32(const char *s, uint32_t max, uint32_t *out);
int parse_rate(const char *s, uint32_t *count, uint32_t *unit);
int parse_duration(const char *s, uint64_t *secs);
int parse_word(const char *s, const char *const *words, unsigned int n);

struct prefix {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint8_t plen;
};

int parse_prefix(const char *s, bool allow_len, struct prefix *p);
void format_prefix(const struct prefix *p, char *buf, size_t len);

extern const char *const unit_names[];

/*
 * One print path for text and JSON (after iproute2's json_print): an object
 * is a list of key/value pairs; text shows "key value" pairs on one line,
 * JSON an object with the same keys.
 */
void out_init(bool json, bool pretty);
bool out_is_json(void);
void out_open_list(void);
void out_close_list(void);
void out_open_obj(void);
void out_close_obj(void);
void out_str(const char *key, const char *val);
void out_uint(const char *key, uint64_t val);
void out_str_list(const char *key, const char *const *vals, size_t n);
void out_null(const char *key);

/* Where the print path is, to print a dump again from there. */
struct out_state {
	int depth;
	bool first[8];
};

void out_save(struct out_state *st);
void out_restore(const struct out_state *st);

#endif
