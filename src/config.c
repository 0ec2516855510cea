#include "config.h"

#include <stdio.h>
#include <string.h>

#include "exc_limits.h"
#include "util.h"
#include "xmlsafe.h"

#define CONFIG_MAX_BYTES (1u << 20)

void exc_config_defaults(exc_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->agentx_address, sizeof c->agentx_address, "/var/agentx/master");
    c->ping_interval = 5;
    snprintf(c->spool_dir, sizeof c->spool_dir, "%s", EXC_DEFAULT_SPOOL_DIR);
    c->max_file_bytes = 16777216;
    snprintf(c->state_dir, sizeof c->state_dir, "%s", EXC_DEFAULT_STATE_DIR);
    snprintf(c->kb_dir, sizeof c->kb_dir, "%s", EXC_DEFAULT_KB_DIR);
    c->stale_after = 900;
    c->max_clock_skew = 300;
    c->max_servers = 10000;
    c->max_rows_per_server = 20000;
    c->stall_samples = 3;
    c->event_ttl = 86400;
    c->history_size = 500;
    c->hold_down = 2;
    c->notifications_enabled = true;
    c->queue_size = 1000;
    snprintf(c->master_community, sizeof c->master_community, "public");
    snprintf(c->master_source, sizeof c->master_source, "127.0.0.1");
    snprintf(c->trap_community, sizeof c->trap_community, "public");
}

/* One attribute the config knows: where it goes and what it may hold. */
typedef enum { A_STR, A_PATH, A_UINT, A_BOOL } attr_kind;

typedef struct attr_spec {
    const char *element;
    const char *name;
    attr_kind kind;
    size_t offset;
    size_t size;       /* string buffer size */
    uint64_t min, max; /* numbers */
} attr_spec;

#define STR(e, n, f) {e, n, A_STR, offsetof(exc_config, f), sizeof(((exc_config *)0)->f), 0, 0}
#define PATH(e, n, f) {e, n, A_PATH, offsetof(exc_config, f), sizeof(((exc_config *)0)->f), 0, 0}
#define UINT(e, n, f, lo, hi) {e, n, A_UINT, offsetof(exc_config, f), sizeof(((exc_config *)0)->f), lo, hi}
#define BOOL(e, n, f) {e, n, A_BOOL, offsetof(exc_config, f), sizeof(bool), 0, 0}

static const attr_spec specs[] = {
    STR("agentx", "address", agentx_address),
    UINT("agentx", "pingInterval", ping_interval, 1, 3600),
    PATH("spool", "dir", spool_dir),
    UINT("spool", "maxFileBytes", max_file_bytes, 1, 1ull << 30),
    PATH("state", "dir", state_dir),
    PATH("kb", "dir", kb_dir),
    UINT("servers", "staleAfter", stale_after, 1, 31536000),
    UINT("servers", "maxClockSkew", max_clock_skew, 0, 31536000),
    UINT("limits", "maxServers", max_servers, 1, 1000000),
    UINT("limits", "maxRowsPerServer", max_rows_per_server, 1, 10000000),
    UINT("queues", "stallSamples", stall_samples, 1, 32),
    UINT("alarms", "eventTtl", event_ttl, 1, 31536000),
    UINT("alarms", "historySize", history_size, 1, 100000),
    UINT("alarms", "holdDown", hold_down, 0, 3600),
    BOOL("notifications", "enabled", notifications_enabled),
    UINT("notifications", "queueSize", queue_size, 1, 1000000),
    STR("master", "community", master_community),
    STR("master", "source", master_source),
    STR("master", "trapSink", trap_sink),
    STR("master", "trapCommunity", trap_community),
};

static const char *const elements[] = {"agentx", "spool", "state", "kb", "servers",
                                       "queues", "alarms", "notifications", "master",
                                       "limits"};

typedef struct attr_ctx {
    exc_config *c;
    const char *element;
    int line;
    exc_err *err;
} attr_ctx;

static bool set_attr(const char *name, const char *value, void *arg)
{
    attr_ctx *a = arg;
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        const attr_spec *s = &specs[i];
        if (strcmp(s->element, a->element) != 0 || strcmp(s->name, name) != 0)
            continue;
        char *field = (char *)a->c + s->offset;
        switch (s->kind) {
        case A_PATH:
            if (value[0] != '/') {
                exc_err_set(a->err, a->line, "<%s %s=\"%s\">: must be an absolute path",
                            a->element, name, value);
                return false;
            }
            /* fall through */
        case A_STR:
            if (value[0] == '\0' && strcmp(name, "trapSink") != 0) {
                exc_err_set(a->err, a->line, "<%s %s>: must not be empty", a->element, name);
                return false;
            }
            if (strlen(value) >= s->size) {
                exc_err_set(a->err, a->line, "<%s %s>: longer than %zu characters", a->element,
                            name, s->size - 1);
                return false;
            }
            snprintf(field, s->size, "%s", value);
            return true;
        case A_UINT: {
            uint64_t v;
            if (!exc_parse_u64(value, UINT64_MAX, &v) || v < s->min || v > s->max) {
                exc_err_set(a->err, a->line,
                            "<%s %s=\"%s\">: expected a whole number from %llu to %llu",
                            a->element, name, value, (unsigned long long)s->min,
                            (unsigned long long)s->max);
                return false;
            }
            if (s->size == sizeof(uint64_t))
                *(uint64_t *)(void *)field = v;
            else
                *(unsigned *)(void *)field = (unsigned)v;
            return true;
        }
        case A_BOOL:
            if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
                *(bool *)(void *)field = true;
            else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
                *(bool *)(void *)field = false;
            else {
                exc_err_set(a->err, a->line, "<%s %s=\"%s\">: expected true or false",
                            a->element, name, value);
                return false;
            }
            return true;
        }
    }
    exc_err_set(a->err, a->line, "<%s>: unknown attribute \"%s\"", a->element, name);
    return false;
}

static bool parse(exc_xml *x, exc_config *c, exc_err *err)
{
    bool seen_root = false;
    unsigned seen = 0;
    int rc;
    while ((rc = exc_xml_next(x)) == 1) {
        int t = exc_xml_type(x);
        int depth = exc_xml_depth(x);
        if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) {
            exc_err_set(err, exc_xml_line(x), "unexpected text");
            return false;
        }
        if (t != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = exc_xml_local_name(x);
        if (depth == 0) {
            if (strcmp(name, "exconn") != 0 || exc_xml_ns(x) != NULL) {
                exc_err_set(err, exc_xml_line(x), "root element must be <exconn>, not <%s>",
                            name);
                return false;
            }
            if (xmlTextReaderHasAttributes(x->r) == 1) {
                exc_err_set(err, exc_xml_line(x), "<exconn> takes no attributes");
                return false;
            }
            seen_root = true;
            continue;
        }
        if (depth > 1) {
            exc_err_set(err, exc_xml_line(x), "unknown element <%s> inside a setting", name);
            return false;
        }
        size_t e;
        for (e = 0; e < sizeof elements / sizeof elements[0]; e++)
            if (strcmp(elements[e], name) == 0)
                break;
        if (e == sizeof elements / sizeof elements[0] || exc_xml_ns(x) != NULL) {
            exc_err_set(err, exc_xml_line(x), "unknown element <%s>", name);
            return false;
        }
        if (seen & (1u << e)) {
            exc_err_set(err, exc_xml_line(x), "<%s> given twice", name);
            return false;
        }
        seen |= 1u << e;
        attr_ctx a = {c, elements[e], exc_xml_line(x), err};
        if (!exc_xml_each_attr(x, set_attr, &a))
            return false;
    }
    if (rc < 0)
        return false;
    if (!seen_root) {
        exc_err_set(err, 0, "no <exconn> element");
        return false;
    }
    return true;
}

bool exc_config_load(const char *path, exc_config *c, exc_err *err)
{
    exc_xml x;
    bool ok = exc_xml_open_file(&x, path, CONFIG_MAX_BYTES, EXC_CONFIG_MAX_DEPTH, err);
    if (ok) {
        ok = parse(&x, c, err);
        exc_xml_close(&x);
    }
    if (!ok)
        exc_err_at(err, path);
    return ok;
}

bool exc_config_load_memory(const char *buf, size_t len, exc_config *c, exc_err *err)
{
    exc_xml x;
    if (!exc_xml_open_memory(&x, buf, len, "config", EXC_CONFIG_MAX_DEPTH, err))
        return false;
    bool ok = parse(&x, c, err);
    exc_xml_close(&x);
    return ok;
}
