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

/*
 * Remove the runtime directory dir (only files in it: a directory inside
 * means it is not ours alone). Also for an EAL whose init failed, which
 * may have created it already.
 */
static inline void
dp_eal_remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type == DT_DIR)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static inline void
dp_eal_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	dp_eal_remove_runtime_dir(dir);
}

#endif /* RTCG_DP_EAL_H */
