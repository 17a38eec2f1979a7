/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_log.h - logging for the API code, which has no DPDK in it: the
 * gateway points api_log_sink at rte_log; alone (tests, fuzzers) it writes
 * to stderr. Levels are syslog's (3 error, 4 warning, 5 notice, 6 info).
 */
#ifndef RTCG_API_LOG_H
#define RTCG_API_LOG_H

#include <stdarg.h>

extern void (*api_log_sink)(int level, const char *fmt, va_list ap);

void api_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* RTCG_API_LOG_H */
