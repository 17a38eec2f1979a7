/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_eal.h - EAL clean-up that also removes the process's runtime
 * directory (/var/run/dpdk/<file-prefix>): DPDK 22.11's rte_eal_cleanup()
 * leaves it behind, and a test bed that runs many short-lived EALs with
 * their own prefixes would collect hundreds of them.
 */
#ifndef RTCG_DP_EAL_H
#define RTCG_DP_EAL_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

static inline void
dp_eal_cleanup(void)
{
	char dir[PATH_MAX], path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
		return;
	/* Only files (config, fbarrays, sockets): a directory inside means it is not ours alone. */
	while ((e = readdir(d)) != NULL) {
		if (e->d_type == DT_DIR)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

#endif /* RTCG_DP_EAL_H */
