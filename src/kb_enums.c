/* Name <-> value tables for the KB enumerations of kb.h.  The names are the
 * ones KB files and the MIB use; values are numbered as the MIB numbers them. */
#include <stddef.h>
#include <string.h>

#include "enums.h"
#include "kb.h"
#include "report.h"
#include "util.h"

static const char *const severity_names[] = {
    "cleared", "indeterminate", "critical", "major", "minor", "warning",
};

static const char *const notification_names[] = {
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
    "comPortConflict", "msMailServiceError3", "mtaLinkStall", "imcStartFailed2140",
};

#define COUNT(a) ((int)EXC_ENUM_COUNT(a))

EXC_ENUM_FUNCS(exc_severity, severity_names, EXC_ENUM_COUNT(severity_names))
EXC_ENUM_FUNCS(exc_notification, notification_names, EXC_ENUM_COUNT(notification_names))
EXC_ENUM_FUNCS(exc_detector, detector_names, EXC_ENUM_COUNT(detector_names))

/* ---- insertion-string tests and service display names ---- */

static int fold(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

bool exc_kb_glob(const char *pat, const char *s)
{
    /* iterative, with one backtrack point: linear in practice, never
     * exponential (the last '*' absorbs what the next try needs) */
    const char *star = NULL, *resume = NULL;
    while (*s != '\0') {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (*pat == '?' || (*pat != '\0' && fold((unsigned char)*pat) ==
                                                       fold((unsigned char)*s))) {
            pat++;
            s++;
        } else if (star != NULL) {
            pat = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

static bool contains_fold(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++) {
        size_t i = 0;
        while (i < n && hay[i] != '\0' && fold((unsigned char)hay[i]) ==
                                               fold((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

bool exc_kb_data_test_ok(const exc_kb_data_test *t, size_t n_data, char *const *data)
{
    if (t->index == 0 || t->index > n_data || data[t->index - 1] == NULL)
        return false;
    const char *v = data[t->index - 1];
    if (t->kind == EXC_DT_EQUALS)
        return strcmp(v, t->value) == 0 ||
               (v[0] == '%' && v[1] == '%' && strcmp(v + 2, t->value) == 0);
    if (strpbrk(t->value, "*?") != NULL)
        return exc_kb_glob(t->value, v);
    return contains_fold(v, t->value);
}

/* Exchange 4.0 / 5.x service display names as the Service Control Manager
 * logs them (docs/event-traps.md: how they were checked). */
static const exc_kb_service default_services[] = {
    {"", "Microsoft Exchange Internet Mail Service", "MSExchangeIMC", EXC_CT_INTERNETMAIL},
    {"", "Microsoft Exchange Internet Mail Connector", "MSExchangeIMC", EXC_CT_INTERNETMAIL},
    {"", "Microsoft Exchange MS Mail Connector Interchange", "MSExchangeMSMI", EXC_CT_MSMAIL},
    {"", "Microsoft Exchange MS Mail Connector (PC MTA - *)", "MSExchangeMSMI", EXC_CT_MSMAIL},
    {"", "Microsoft Exchange Connector for Lotus cc:Mail", "MSExchangeCCMC", EXC_CT_CCMAIL},
    {"", "Microsoft Exchange Connector for cc:Mail", "MSExchangeCCMC", EXC_CT_CCMAIL},
    {"", "Microsoft Exchange Message Transfer Agent", "MSExchangeMTA", EXC_CT_X400},
};

static const exc_kb_service *find_service(const exc_kb_service *v, size_t n, const char *server,
                                          const char *display, bool any_server)
{
    for (size_t i = 0; i < n; i++) {
        bool for_server = v[i].server[0] != '\0';
        if (any_server == for_server)
            continue;
        if (for_server && (server == NULL || strcmp(v[i].server, server) != 0))
            continue;
        if (exc_kb_glob(v[i].display, display))
            return &v[i];
    }
    return NULL;
}

const exc_kb_service *exc_kb_service_for(const exc_kb *kb, const char *server,
                                         const char *display)
{
    if (display == NULL || display[0] == '\0')
        return NULL;
    const exc_kb_service *s = NULL;
    if (kb != NULL && kb->n_services > 0) {
        s = find_service(kb->services, kb->n_services, server, display, false);
        if (s == NULL)
            s = find_service(kb->services, kb->n_services, server, display, true);
    }
    if (s == NULL)
        s = find_service(default_services, COUNT(default_services), server, display, true);
    return s;
}

int exc_kb_service_type(const exc_kb *kb, const char *service)
{
    for (size_t i = 0; kb != NULL && i < kb->n_services; i++)
        if (exc_strcasecmp(kb->services[i].service, service) == 0)
            return kb->services[i].type;
    for (int i = 0; i < COUNT(default_services); i++)
        if (exc_strcasecmp(default_services[i].service, service) == 0)
            return default_services[i].type;
    return 0;
}
