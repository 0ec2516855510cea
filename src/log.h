/* exconn's logging hub.  Domain code and the worker thread log here (it is
 * thread-safe); the agent routes Net-SNMP's own messages in as well
 * (snmp_enable_calllog), so every line leaves through one set of sinks chosen
 * with Net-SNMP-style -L options.
 *
 * Why not Net-SNMP's snmp_log_options() and its log handlers (issue 12): the
 * worker thread logs and must never call Net-SNMP, which is not
 * thread-safe.  Its lines would have to be queued to the agent thread (as
 * agent/plugin.c does inside snmpd, where snmpd owns the sinks), and that
 * thread spends up to seconds in Net-SNMP's synchronous AgentX exchanges
 * with a master that does not answer: a bounded queue then drops lines
 * exactly when they matter, an unbounded one grows.  So the sinks stay
 * here, under one lock, for both threads; only the option syntax is
 * Net-SNMP's.  Every message is escaped (control characters, newlines) so
 * no caller can inject a line; log files are created 0640 with
 * O_EXCL|O_NOFOLLOW and reopened on SIGHUP (exc_log_reopen). */
#ifndef EXC_LOG_H
#define EXC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* Priorities are syslog's (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG). */
void exc_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse one -L option argument (the text after "-L", e.g. "e", "f /tmp/x",
 * "s daemon", "S 5 daemon", "n").  next is the following argv word for the
 * forms that take one (f, s, F, S, E, O); *used is set when it was consumed.
 * On a bad option (a usage error) or a log file that cannot be opened (a
 * run-time failure) err holds the message. */
typedef enum { EXC_LOGOPT_OK = 0, EXC_LOGOPT_USAGE, EXC_LOGOPT_FAILED } exc_logopt;
exc_logopt exc_log_option(const char *opt, const char *next, bool *used, char *err,
                          size_t errlen);

/* When no -L was given: stderr in the foreground, syslog(daemon) otherwise. */
void exc_log_default(bool foreground);

/* Lowest priority logged (default LOG_INFO; LOG_DEBUG when debugging). */
void exc_log_set_level(int priority);
bool exc_log_debug_enabled(void);

/* Reopen log files (after rotation); close all sinks. */
void exc_log_reopen(void);
void exc_log_close(void);

/* Hand every line (already filtered by level) to fn instead of the sinks,
 * e.g. to Net-SNMP's log when exconn runs inside snmpd (agent/plugin.c).
 * fn may be called on any thread, without exconn's log lock held; NULL
 * restores the sinks. */
typedef void (*exc_log_hook)(int priority, const char *msg);
void exc_log_set_hook(exc_log_hook fn);

/* For tests: count of lines logged at LOG_WARNING or worse. */
unsigned exc_log_warnings(void);

#endif
