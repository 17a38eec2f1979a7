/* SPDX-License-Identifier: BSD-3-Clause */
/* unit_main.c - runs every registered TEST, or those named on the command line. */
#include "unit.h"

struct unit_test unit_tests[512];
unsigned unit_n_tests;
int unit_failed_checks;

int
main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	for (unsigned i = 0; i < unit_n_tests; i++) {
		int before = unit_failed_checks;
		bool wanted = argc < 2;

		for (int a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], unit_tests[i].name) == 0;
		if (!wanted)
			continue;
		unit_tests[i].fn();
		if (unit_failed_checks == before) {
			passed++;
			printf("ok   %s\n", unit_tests[i].name);
		} else {
			failed++;
			printf("FAIL %s\n", unit_tests[i].name);
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
