/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-memory - what this machine charges for a cache line the worker has
 * to fetch, and for the page it lies in: the two costs that grow with the
 * number of sessions (docs/benchmarks.md, "What 100,000 sessions cost").
 *
 * A chain of dependent loads (each line holds the address of the next, in
 * a random cyclic order) over n lines, three ways, in a region of --mib
 * MiB (default 64):
 *   packed  n lines side by side (n * 64 bytes): the caches alone;
 *   spread  the same n lines, one every 4 KiB + 64 bytes (no two in a
 *           4 KiB page, and not all in the same cache sets): the caches
 *           plus one page translation a load;
 *   region  every line of the region: memory itself.
 * n = region / 4160. Each with 2 MiB pages (MAP_HUGETLB; reserve them
 * first, as for bench-worker --huge) and with 4 KiB pages. With 2 MiB
 * pages a region of 64 MiB is 32 pages, which any core's TLB holds: on
 * bare metal `spread` then reads about what `packed` does. A virtual
 * machine whose host backs its memory with 4 KiB pages translates each
 * new 4 KiB page through both page tables whatever the guest's page size,
 * and `spread` reads far above `packed` in both rows.
 *
 * usage: bench-memory [--mib N]
 * Not part of meson test: a figure for docs/benchmarks.md.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define LINE 64u
#define SPREAD (4096u + LINE)
#define LOADS 4000000u

static double
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* ns a load along a random cycle through n lines `stride` bytes apart from m. */
static double
chase(uint8_t *m, size_t n, size_t stride)
{
	uint32_t *order = malloc(n * sizeof(*order));
	uint64_t x = 88172645463325252ull;
	void **p;
	double t0, t1;

	if (order == NULL) {
		fprintf(stderr, "bench-memory: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = xorshift(&x) % (i + 1);
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		*(void **)(m + order[i] * stride) = m + order[(i + 1) % n] * stride;
	p = (void **)(m + order[0] * stride);
	free(order);
	for (size_t i = 0; i < n && i < LOADS; i++) /* warm: caches and TLBs as they settle */
		p = *p;
	t0 = now_ns();
	for (unsigned i = 0; i < LOADS; i++)
		p = *p;
	t1 = now_ns();
	__asm__ volatile("" : : "r"(p));
	return (t1 - t0) / LOADS;
}

static int
row(size_t bytes, bool huge)
{
	uint8_t *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | (huge ? MAP_HUGETLB : 0), -1, 0);
	size_t n = bytes / SPREAD;
	double packed, spread, region;

	if (m == MAP_FAILED) {
		printf("%-9s (no memory: reserve %zu 2 MiB pages first)\n", huge ? "2 MiB" : "4 KiB",
		       bytes >> 21);
		return 1;
	}
	memset(m, 0, bytes);
	packed = chase(m, n, LINE);
	spread = chase(m, n, SPREAD);
	region = chase(m, bytes / LINE, LINE);
	printf("%-9s %9.1f %9.1f %9.1f %12.1f\n", huge ? "2 MiB" : "4 KiB", packed, spread, region,
	       spread - packed);
	munmap(m, bytes);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned long mib = 64;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mib") == 0 && i + 1 < argc) {
			char *end;

			mib = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || mib < 2 || mib > 65536 || mib % 2 != 0) {
				fprintf(stderr, "bench-memory: --mib takes an even number of MiB, 2-65536\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: bench-memory [--mib N]\n");
			return 2;
		}
	}
	size_t bytes = (size_t)mib << 20;

	printf("bench-memory: %lu MiB, %zu lines; ns a dependent load\n", mib, bytes / SPREAD);
	printf("%-9s %9s %9s %9s %12s\n", "pages", "packed", "spread", "region", "translation");
	int rc = row(bytes, true);

	rc |= row(bytes, false);
	printf("translation: spread - packed, the cost of a new 4 KiB page a load\n");
	return rc;
}
