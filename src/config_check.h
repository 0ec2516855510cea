/* The complete check of a configuration before it is used: by
 * `exconn-agent --check-config` and before a SIGHUP reload switches to it
 * (issue 9.15, issue 12).  The file parses, the KB directory loads, and the
 * spool and state directories exist or can be created, and are writable by
 * this process (its effective user: after the privilege drop, the user the
 * daemon runs as). */
#ifndef EXC_CONFIG_CHECK_H
#define EXC_CONFIG_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "kb.h"

/* path: the config file; must_exist: false when it is the compiled-in
 * default, which may be absent (then the defaults apply).  On success cfg
 * and kb hold what was loaded (kb to be freed by the caller); on failure a
 * one-line reason, naming the file (and line) or directory, is in why. */
bool exc_config_check(const char *path, bool must_exist, exc_config *cfg, exc_kb *kb,
                      char *why, size_t whylen);

/* The directory part alone: dir exists and is a writable, searchable
 * directory, or does not exist and its nearest existing ancestor is. */
bool exc_config_check_dir(const char *what, const char *dir, char *why, size_t whylen);

#endif
