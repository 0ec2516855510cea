#define _GNU_SOURCE
#include "config_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "state.h"

static bool writable_dir(const char *what, const char *dir, const char *as, char *why,
                         size_t whylen)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(why, whylen, "%s directory %s: %s", what, as, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "%s directory %s: %s is not a directory", what, as, dir);
        return false;
    }
    if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
        if (strcmp(dir, as) == 0)
            snprintf(why, whylen, "%s directory %s is not writable: %s", what, dir,
                     strerror(errno));
        else
            snprintf(why, whylen, "%s directory %s cannot be created: %s is not writable",
                     what, as, dir);
        return false;
    }
    return true;
}

bool exc_config_check_dir(const char *what, const char *dir, char *why, size_t whylen)
{
    if (!dir[0]) {
        snprintf(why, whylen, "%s directory: empty path", what);
        return false;
    }
    struct stat st;
    if (stat(dir, &st) == 0 || errno != ENOENT)
        return writable_dir(what, dir, dir, why, whylen);
    /* to be created: the nearest existing ancestor must take it */
    char up[EXC_PATH_BUF];
    snprintf(up, sizeof up, "%s", dir);
    for (;;) {
        char *slash = strrchr(up, '/');
        while (slash && slash > up && slash[1] == '\0') {   /* trailing slashes */
            *slash = '\0';
            slash = strrchr(up, '/');
        }
        if (!slash)
            snprintf(up, sizeof up, ".");
        else if (slash == up)
            up[1] = '\0';
        else
            *slash = '\0';
        if (stat(up, &st) == 0 || errno != ENOENT || !slash || slash == up)
            return writable_dir(what, up, dir, why, whylen);
    }
}

static bool with_place(bool ok, const exc_err *err, char *why, size_t whylen)
{
    if (!ok)
        exc_err_format(err, why, whylen);   /* the loaders name the file */
    return ok;
}

bool exc_config_check(const char *path, bool must_exist, exc_config *cfg, exc_kb *kb,
                      char *why, size_t whylen)
{
    exc_config_defaults(cfg);
    memset(kb, 0, sizeof *kb);
    exc_err err = {0};
    if ((must_exist || access(path, F_OK) == 0) &&
        !with_place(exc_config_load(path, cfg, &err), &err, why, whylen))
        return false;
    if (!with_place(exc_kb_load_dir(cfg->kb_dir, kb, &err), &err, why, whylen))
        return false;
    bool ok = exc_config_check_dir("spool", cfg->spool_dir, why, whylen) &&
              exc_config_check_dir("state", cfg->state_dir, why, whylen);
    /* the spool's own subdirectories, where they exist already */
    static const char *const subs[] = {"reports", "events", "rejected"};
    for (size_t i = 0; ok && i < sizeof subs / sizeof subs[0]; i++) {
        char sub[EXC_PATH_BUF + 16];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", cfg->spool_dir, subs[i]);
        if (lstat(sub, &st) == 0)
            ok = writable_dir("spool", sub, sub, why, whylen);
    }
    /* a damaged or orphaned state refuses to start: say so here too */
    if (ok && access(cfg->state_dir, F_OK) == 0) {
        exc_err serr = {0};
        ok = exc_state_check(cfg->state_dir, &serr);   /* serr.msg names the file */
        if (!ok)
            snprintf(why, whylen, "%s", serr.msg);
    }
    if (!ok)
        exc_kb_free(kb);
    return ok;
}
