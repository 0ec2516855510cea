/* Name <-> value tables for the KB enumerations of kb.h.  The names are the
 * ones KB files and the MIB use; values are numbered as the MIB numbers them. */
#include <stddef.h>
#include <string.h>

#include "kb.h"

static const char *const severity_names[] = {
    NULL, "cleared", "indeterminate", "critical", "major", "minor", "warning",
};

static const char *const notification_names[] = {
    NULL,
    "exConnComPortConflict",
    "exConnCcMailExportFailed",
    "exConnImcQueueInterfaceFailed",
    "exConnMtaLinkStall",
    "exConnImcStartFailed",
    "exConnKbAlarm",
    "exConnServerStale",
    "exConnAlarmCleared",
};

static const char *const detector_names[] = {
    NULL, "comPortConflict", "msMailServiceError3", "mtaLinkStall", "imcStartFailed2140",
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int lookup(const char *const *names, int n, const char *s)
{
    if (s == NULL)
        return 0;
    for (int i = 1; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return 0;
}

static const char *name_of(const char *const *names, int n, int v)
{
    return v >= 1 && v < n ? names[v] : NULL;
}

int exc_severity_from(const char *s) { return lookup(severity_names, COUNT(severity_names), s); }

const char *exc_severity_name(int sev)
{
    return name_of(severity_names, COUNT(severity_names), sev);
}

int exc_notification_from(const char *s)
{
    return lookup(notification_names, COUNT(notification_names), s);
}

const char *exc_notification_name(int n)
{
    return name_of(notification_names, COUNT(notification_names), n);
}

int exc_detector_from(const char *s) { return lookup(detector_names, COUNT(detector_names), s); }

const char *exc_detector_name(int d)
{
    return name_of(detector_names, COUNT(detector_names), d);
}
