/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit.h - a minimal test harness: TEST(name) functions registered by a
 * constructor, CHECK() assertions that report file:line and keep going, and
 * a closing "N passed, N failed" line.
 */
#ifndef RTCG_UNIT_H
#define RTCG_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

extern struct unit_test unit_tests[];
extern unsigned unit_n_tests;
extern int unit_failed_checks;

#define TEST(tname)                                                       \
	static void test_##tname(void);                                   \
	static void __attribute__((constructor)) register_##tname(void)   \
	{                                                                 \
		unit_tests[unit_n_tests].name = #tname;                   \
		unit_tests[unit_n_tests++].fn = test_##tname;             \
	}                                                                 \
	static void test_##tname(void)

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",     \
				__FILE__, __LINE__, #cond);               \
			unit_failed_checks++;                             \
		}                                                         \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                   \
	do {                                                              \
		const char *h_ = (hay), *n_ = (needle);                   \
		if (h_ == NULL || strstr(h_, n_) == NULL) {               \
			fprintf(stderr, "%s:%d: expected '%s' in '%s'\n", \
				__FILE__, __LINE__, n_, h_ ? h_ : "(null)"); \
			unit_failed_checks++;                             \
		}                                                         \
	} while (0)

#endif /* RTCG_UNIT_H */
