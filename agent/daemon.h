/* The daemon's conventions (issue 12, contract B): detaching with a
 * readiness pipe, sd_notify, the pid file, the privilege drop, and signals
 * taken by the agent thread alone through a self-pipe. */
#ifndef EXC_DAEMON_H
#define EXC_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Fork into the background.  The parent stays until the daemon reports
 * (exc_daemon_ready / exc_daemon_failed) and exits 0, or 1 printing the
 * daemon's one-line reason.  Returns in the daemon only (false: the fork
 * itself failed, reason in why). */
bool exc_daemon_detach(char *why, size_t whylen);
/* Started: release the parent; READY=1 to $NOTIFY_SOCKET. */
void exc_daemon_ready(void);
/* A start-up failure after the fork: the parent prints reason, exits 1. */
void exc_daemon_failed(const char *reason);
/* A datagram to $NOTIFY_SOCKET (nothing when unset), e.g. "STOPPING=1". */
void exc_sd_notify(const char *state);

/* Create the pid file (0644, O_EXCL|O_NOFOLLOW; a stale one -- its process
 * gone -- is replaced, a live one refused).  Before the privilege drop. */
bool exc_pidfile_create(const char *path, char *why, size_t whylen);
void exc_pidfile_remove(const char *path);

/* Switch to user (with its supplementary groups: initgroups) and/or group. */
bool exc_drop_privileges(const char *user, const char *group, char *why, size_t whylen);

/* Signals: SIGTERM/SIGINT (stop) and SIGHUP (reload) become flags and a
 * byte on a self-pipe watched by Net-SNMP's select loop.  Call
 * exc_signals_block() around starting threads, so that they inherit a mask
 * blocking them, and exc_signals_restore() after. */
extern volatile sig_atomic_t exc_stop_requested, exc_reload_requested;
bool exc_signals_init(void);
void exc_signals_block(sigset_t *saved);
void exc_signals_restore(const sigset_t *saved);
/* Stopping: the last resort for a stop that is not seen within 400 ms
 * (the agent thread waiting in one of Net-SNMP's synchronous AgentX
 * exchanges with a master that does not answer) is off from here on. */
void exc_signals_stopping(void);

#endif
