/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control.h - the control lcore: one libevent loop that runs the HTTPS API,
 * the admin listener, signals and housekeeping timers.
 */
#ifndef RTCG_CONTROL_H
#define RTCG_CONTROL_H

#include <stddef.h>

#include "config.h"
#include "dataplane.h"

struct ctl;

/*
 * Bind every listener and load TLS material. Returns NULL with a one-line
 * reason in err (address in use, bad TLS file, ...).
 */
struct ctl *ctl_create(const struct rtcg_config *cfg, struct dp *dp, char *err,
		       size_t errlen);

/* Run until SIGINT or SIGTERM; returns 0. */
int ctl_run(struct ctl *ctl);

void ctl_destroy(struct ctl *ctl);

#endif /* RTCG_CONTROL_H */
