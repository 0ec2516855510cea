/* Knowledge-base articles (SPEC §4): data files, one per article, that say
 * what a fault is, how to fix it, and which rules detect it. */
#ifndef EXC_KB_H
#define EXC_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "exc_limits.h"

/* ITU perceived severity, numbered as exConnAlarmSeverity. */
typedef enum { EXC_SEV_CLEARED = 1, EXC_SEV_INDETERMINATE, EXC_SEV_CRITICAL, EXC_SEV_MAJOR,
               EXC_SEV_MINOR, EXC_SEV_WARNING } exc_severity;

/* Notifications: the value is the sub-identifier under exConnNotifications. */
typedef enum {
    EXC_NOTIF_COMPORT_CONFLICT = 1,   /* exConnComPortConflict */
    EXC_NOTIF_CCMAIL_EXPORT_FAILED,   /* exConnCcMailExportFailed */
    EXC_NOTIF_IMC_QUEUE_IF_FAILED,    /* exConnImcQueueInterfaceFailed */
    EXC_NOTIF_MTA_LINK_STALL,         /* exConnMtaLinkStall */
    EXC_NOTIF_IMC_START_FAILED,       /* exConnImcStartFailed */
    EXC_NOTIF_KB_ALARM,               /* exConnKbAlarm */
    EXC_NOTIF_SERVER_STALE,           /* exConnServerStale */
    EXC_NOTIF_ALARM_CLEARED,          /* exConnAlarmCleared */
} exc_notification;

/* Name tables (src/kb_enums.c).  _from returns 0 for an unknown name; _name
 * returns NULL for a value out of range (as report.h's tables do). */
int exc_severity_from(const char *s);          /* "critical" -> 3; 0 if unknown */
const char *exc_severity_name(int sev);
int exc_notification_from(const char *s);      /* "exConnComPortConflict" -> 1; 0 if unknown */
const char *exc_notification_name(int n);

/* Built-in detectors an article may name (SPEC §4 table). */
typedef enum {
    EXC_DET_NONE = 0,
    EXC_DET_COMPORT_CONFLICT,        /* "comPortConflict": a port with >= 2 claimants */
    EXC_DET_MSMAIL_EXIT3,            /* "msMailServiceError3": msMail stopped, service exit 3 */
    EXC_DET_MTA_LINK_STALL,          /* "mtaLinkStall": Q193760's three conditions */
    EXC_DET_IMC_EXIT2140,            /* "imcStartFailed2140": internetMail stopped, win32 2140 */
} exc_detector;

int exc_detector_from(const char *s);
const char *exc_detector_name(int d);

/* Bounds on what a KB directory may hold, so that a directory operators
 * write to cannot make the agent use unbounded memory or time. */
#define EXC_KB_MAX_FILE_BYTES (64 * 1024)  /* one article file */
#define EXC_KB_MAX_RULES 64                 /* rules per article */
#define EXC_KB_MAX_ARTICLES 1024            /* articles per directory */

#define EXC_KB_PROVIDER_BUF 129
#define EXC_KB_MATCH_BUF 256

typedef enum { EXC_RULE_EVENT = 1, EXC_RULE_DETECTOR } exc_rule_kind;

#define EXC_KB_MAX_DATA_TESTS 8     /* <data> tests per event rule or clearEvent */
#define EXC_KB_MAX_CLEAR_EVENTS 4   /* <clearEvent>s per event rule */
#define EXC_KB_LOG_BUF 65

/* A test on an insertion string (EventData/Data[index], from 1). */
typedef enum { EXC_DT_EQUALS = 1, EXC_DT_MATCHES } exc_data_test_kind;
typedef struct exc_kb_data_test {
    uint8_t index;                         /* 1..EXC_EVENT_MAX_DATA */
    uint8_t kind;                          /* exc_data_test_kind */
    char value[EXC_KB_MATCH_BUF];
} exc_kb_data_test;

/* A later event that clears the alarm a rule raised (same resource). */
typedef struct exc_kb_clear_event {
    char provider[EXC_KB_PROVIDER_BUF];    /* the rule's provider when not given */
    uint16_t event_id;
    uint8_t resource_data;                 /* the rule's when not given */
    int32_t qualifiers;                    /* evntcmd only: -1 = not given */
    size_t n_tests;
    exc_kb_data_test tests[EXC_KB_MAX_DATA_TESTS];
} exc_kb_clear_event;

/* Matching of insertion strings (src/kb_enums.c):
 *  equals: exact, case-sensitive; a Data value "%%N" (a message-table
 *    reference, the way the Service Control Manager writes error codes) also
 *    equals "N";
 *  matches: ASCII case-insensitive; a pattern with '*' or '?' is a glob over
 *    the whole value ('*' any run, '?' one octet), one without is a
 *    substring. */
bool exc_kb_data_test_ok(const exc_kb_data_test *t, size_t n_data, char *const *data);
bool exc_kb_glob(const char *pattern, const char *s);   /* whole-string, ASCII nocase */

/* Service display names -> the Windows service and the connector type it
 * runs (SCM events name services by display name).  A KB directory may hold
 * services.xml (<serviceNames>, schemas/kb-article.xsd) with entries for
 * all servers or for one; the Exchange defaults come after those. */
typedef struct exc_kb_service {
    char server[EXC_SERVER_BUF];           /* "" = every server */
    char display[EXC_KB_MATCH_BUF];        /* display name or glob, ASCII nocase */
    char service[EXC_NAME_BUF];            /* e.g. MSExchangeIMC */
    int type;                              /* exc_conn_type */
} exc_kb_service;

typedef struct exc_kb_rule {
    int kind;                              /* exc_rule_kind */
    /* EXC_RULE_EVENT */
    char provider[EXC_KB_PROVIDER_BUF];    /* compared case-insensitively */
    uint16_t event_id;
    char message[EXC_KB_MATCH_BUF];        /* substring of the message; "" = any */
    int connector_type;                    /* exc_conn_type whose connector is the
                                              resource; 0 = the provider name is */
    int clear_state;                       /* exc_svc_state a later report must show
                                              for that connector to clear; 0 = only
                                              eventTtl clears */
    int clear_dirsync;                     /* exc_dirsync also required; 0 = none */
    uint8_t resource_data;                 /* Data[n] names the service whose
                                              connector is the resource; 0 = none */
    char log[EXC_KB_LOG_BUF];              /* evntcmd only: "" = Application */
    int32_t qualifiers;                    /* evntcmd only: -1 = not given */
    size_t n_tests;
    exc_kb_data_test tests[EXC_KB_MAX_DATA_TESTS];   /* all must hold */
    size_t n_clears;
    exc_kb_clear_event clears[EXC_KB_MAX_CLEAR_EVENTS];
    /* EXC_RULE_DETECTOR */
    int detector;                          /* exc_detector */
} exc_kb_rule;

typedef struct exc_kb_article {
    char id[EXC_ARTICLE_BUF];              /* "Q158047" */
    char title[EXC_TEXT_BUF];
    char applies_to[EXC_TEXT_BUF];         /* e.g. "Exchange Server 4.0, 5.0" */
    char symptom[EXC_TEXT_BUF];
    char cause[EXC_TEXT_BUF];
    char resolution[EXC_TEXT_BUF];
    char url[EXC_TEXT_BUF];
    int severity;                          /* exc_severity */
    int notification;                      /* exc_notification */
    size_t n_rules;
    exc_kb_rule *rules;
    char file[256];                        /* where it was loaded from */
} exc_kb_article;

typedef struct exc_kb {
    size_t n;
    exc_kb_article *articles;              /* sorted by id */
    size_t n_services;
    exc_kb_service *services;              /* services.xml, in file order */
} exc_kb;

#define EXC_KB_SERVICES_FILE "services.xml"
#define EXC_KB_MAX_SERVICES 256

/* The service a display name belongs to on a server: services.xml entries
 * for that server, then those for every server, then the Exchange
 * defaults; NULL when none matches. */
const exc_kb_service *exc_kb_service_for(const exc_kb *kb, const char *server,
                                         const char *display);
/* The connector type of a service name (MSExchangeIMC -> internetMail), from
 * the same tables; 0 when unknown. */
int exc_kb_service_type(const exc_kb *kb, const char *service);

/* Load one article file (hardened XML, validated).  On failure err is set
 * (with line) and *out needs no free.  The file must be named <id>.xml and be
 * at most EXC_KB_MAX_FILE_BYTES; the format is schemas/kb-article.xsd.  Texts
 * have their white space folded (as xs:token) before the 255-octet check. */
bool exc_kb_load_file(const char *path, exc_kb_article *out, exc_err *err);

/* Load every *.xml of a directory.  All or nothing: on the first bad file,
 * returns false with err set, err->file naming the bad file.  Duplicate
 * ids are an error. */
/* Details: files are read in name order; dot-files and names not ending in
 * ".xml" are skipped; ids count as duplicates case-insensitively and the
 * later file is the bad one; a missing, unreadable or article-less directory
 * is an error with the directory itself in err->file.  *out is untouched on
 * failure; articles are sorted by id (strcmp), which is what exc_kb_find's
 * binary search relies on. */
bool exc_kb_load_dir(const char *dir, exc_kb *out, exc_err *err);

const exc_kb_article *exc_kb_find(const exc_kb *kb, const char *id);
void exc_kb_article_free(exc_kb_article *a);
void exc_kb_free(exc_kb *kb);

#endif
