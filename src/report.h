/* The status report of SPEC §3: one server, completely, at one time. */
#ifndef EXC_REPORT_H
#define EXC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "exc_limits.h"

/* Enumerations are numbered as the MIB numbers them (SPEC §6): the report's
 * values in the order SPEC §3 lists them, from 1. */
typedef enum { EXC_CT_MSMAIL = 1, EXC_CT_CCMAIL, EXC_CT_INTERNETMAIL, EXC_CT_X400,
               EXC_CT_OTHER } exc_conn_type;
typedef enum { EXC_ST_STOPPED = 1, EXC_ST_START_PENDING, EXC_ST_STOP_PENDING, EXC_ST_RUNNING,
               EXC_ST_CONTINUE_PENDING, EXC_ST_PAUSE_PENDING, EXC_ST_PAUSED,
               EXC_ST_UNKNOWN } exc_svc_state;
typedef enum { EXC_DS_COMPLETED = 1, EXC_DS_PENDING, EXC_DS_FAILED, EXC_DS_UNKNOWN,
               EXC_DS_NA } exc_dirsync;
typedef enum { EXC_QF_OK = 1, EXC_QF_MISSING, EXC_QF_READONLY, EXC_QF_DAMAGED, EXC_QF_UNKNOWN,
               EXC_QF_NA } exc_queuefile;
typedef enum { EXC_LINK_UP = 1, EXC_LINK_DOWN, EXC_LINK_UNKNOWN, EXC_LINK_NA } exc_link;
typedef enum { EXC_QK_MTSIN = 1, EXC_QK_MTSOUT, EXC_QK_IMCIN, EXC_QK_IMCOUT, EXC_QK_X400LINK,
               EXC_QK_OTHER } exc_queue_kind;
typedef enum { EXC_CK_MSMAIL = 1, EXC_CK_RAS, EXC_CK_MTAASYNC, EXC_CK_UPS, EXC_CK_MODEM,
               EXC_CK_OTHERDEV, EXC_CK_OTHERAPP } exc_claimant_kind;

/* exConnServerCollectStatus (SPEC §6; contract A's status values). */
typedef enum { EXC_CS_OK = 1, EXC_CS_UNREACHABLE, EXC_CS_AUTH_FAILED, EXC_CS_ACCESS_DENIED,
               EXC_CS_PROTOCOL_ERROR, EXC_CS_UNKNOWN } exc_collect_status;

/* Lookup tables name <-> value, shared by parser, persistence and tests.
 * Return 0 when the name is not a valid value. */
int exc_conn_type_from(const char *s);
int exc_svc_state_from(const char *s);
int exc_dirsync_from(const char *s);     /* report values only (not NA) */
int exc_queuefile_from(const char *s);   /* report values only (not NA) */
int exc_link_from(const char *s);        /* report values only (not NA) */
int exc_queue_kind_from(const char *s);
int exc_claimant_kind_from(const char *s);
int exc_collect_status_from(const char *s);
/* The _name functions return NULL for a value outside the enumeration; the
 * NA values are named "notApplicable". */
const char *exc_conn_type_name(int v);
const char *exc_svc_state_name(int v);
const char *exc_dirsync_name(int v);
const char *exc_queuefile_name(int v);
const char *exc_link_name(int v);
const char *exc_queue_kind_name(int v);
const char *exc_claimant_kind_name(int v);
const char *exc_collect_status_name(int v);

/* An unsigned number that may be absent from the report. */
typedef struct exc_opt_u32 {
    bool known;
    uint32_t v;
} exc_opt_u32;

typedef struct exc_opt_u64 {
    bool known;
    uint64_t v;
} exc_opt_u64;

typedef struct exc_queue {
    char name[EXC_NAME_BUF];
    char connector[EXC_NAME_BUF];   /* owning connector's name, "" when none */
    int kind;                       /* exc_queue_kind */
    exc_opt_u32 messages;
    exc_opt_u64 bytes;
    exc_opt_u32 oldest_age;         /* seconds */
} exc_queue;

typedef struct exc_connector {
    char name[EXC_NAME_BUF];
    int type;                       /* exc_conn_type */
    char service[EXC_NAME_BUF];     /* Windows service name, "" when absent */
    int state;                      /* exc_svc_state */
    exc_opt_u32 win32_exit;
    exc_opt_u32 service_exit;
    char com_port[EXC_PORT_BUF];    /* "" when absent */
    int dirsync;                    /* EXC_DS_NA unless ccMail */
    int queuefile;                  /* EXC_QF_NA unless internetMail */
    char remote_site[EXC_NAME_BUF]; /* "" when absent */
    int link;                       /* EXC_LINK_NA unless x400 */
} exc_connector;

typedef struct exc_claimant {
    int kind;                       /* exc_claimant_kind */
    char name[EXC_NAME_BUF];
} exc_claimant;

typedef struct exc_comport {
    char name[EXC_PORT_BUF];
    size_t n_claimants;
    exc_claimant *claimants;
} exc_comport;

/* What a file in SPOOL/reports holds, by its root element. */
typedef enum {
    EXC_REC_REPORT = 0,   /* <exchangeStatus>: a status report (SPEC §3) */
    EXC_REC_STATUS,       /* <collectionStatus>: how the collector's last poll of a
                             server went (contract A) */
    EXC_REC_FORGET        /* <forgetServer>: an operator forgets a server */
} exc_record_kind;

/* A <collectionStatus> record. */
typedef struct exc_collect_rec {
    char server[EXC_SERVER_BUF];    /* upper-cased */
    int status;                     /* exc_collect_status */
    char error[EXC_TEXT_BUF];       /* "" when absent; cut to 255 octets */
} exc_collect_rec;

typedef struct exc_report {
    int kind;                       /* exc_record_kind */
    /* EXC_REC_REPORT and EXC_REC_FORGET: the server, upper-cased.
     * EXC_REC_STATUS: "" -- the server is in `status`: a status record
     * changes nothing a rule looks at, so whoever re-evaluates "the server of
     * the report" (the engine) finds none and counts no new match. */
    char server[EXC_SERVER_BUF];
    char site[EXC_NAME_BUF];
    int64_t collected;              /* epoch seconds (REPORT, STATUS) */
    exc_collect_rec status;         /* EXC_REC_STATUS only */
    char exchange_version[EXC_NAME_BUF];  /* "" when unknown */
    char mta_version[EXC_NAME_BUF];       /* "" when unknown */
    size_t n_connectors;
    exc_connector *connectors;
    size_t n_queues;
    exc_queue *queues;
    size_t n_comports;
    exc_comport *comports;
} exc_report;

/* Parse and validate one file of SPOOL/reports: a report, a collection
 * status or a forget record (r->kind says which) (hardened streaming reader; size limit
 * max_bytes, 0 = none).  On success fills *out (free with exc_report_free)
 * and returns true; on failure returns false with err set, *out untouched
 * needing no free. */
bool exc_report_parse_file(const char *path, size_t max_bytes, exc_report *out, exc_err *err);
bool exc_report_parse_memory(const char *buf, size_t len, exc_report *out, exc_err *err);
void exc_report_free(exc_report *r);

/* Server names (SPEC §3, NetBIOS style): 1..EXC_SERVER_MAX octets of ASCII
 * letters, digits and the punctuation  ! @ # $ % ^ & ( ) - _ ' { } . ~
 * Returns NULL when s is acceptable, else a short description of what is
 * wrong ("is empty", ...).  Shared by the report and event parsers. */
const char *exc_server_name_problem(const char *s);

#endif
