#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SINK_STDERR = 1, SINK_STDOUT = 2, SINK_FILE = 4, SINK_SYSLOG = 8 };

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned sinks;
static bool configured;
static int min_priority = LOG_INFO;
static int sink_pri[4] = {LOG_DEBUG, LOG_DEBUG, LOG_DEBUG, LOG_DEBUG};
static char file_path[4096];
static FILE *file_fp;
static int syslog_facility = LOG_DAEMON;
static bool syslog_open;
static unsigned warnings;
static exc_log_hook hook;

static const struct {
    const char *name;
    int fac;
} facilities[] = {
    {"daemon", LOG_DAEMON}, {"d", LOG_DAEMON}, {"user", LOG_USER}, {"u", LOG_USER},
    {"local0", LOG_LOCAL0}, {"0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2}, {"2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4}, {"4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}, {"7", LOG_LOCAL7},
};

static const char *pri_names[] = {"emerg", "alert", "crit", "err", "warning", "notice",
                                  "info", "debug"};

/* A log file: created 0640 whatever the umask, never through a symbolic
 * link (O_EXCL on creation, O_NOFOLLOW always), appended to only when it
 * is a regular file. */
static FILE *open_log_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd >= 0) {
        if (fchmod(fd, 0640) != 0) {
            close(fd);
            return NULL;
        }
    } else if (errno == EEXIST) {
        fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            close(fd);
            errno = EINVAL;
            return NULL;
        }
    }
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "a");
    if (!fp) {
        close(fd);
        return NULL;
    }
    setvbuf(fp, NULL, _IOLBF, 0);
    return fp;
}

/* Log injection made impossible as a class: whatever a caller formats --
 * a file name with a newline or an escape sequence, a server name -- every
 * control character (C0, DEL, and C1 as UTF-8) leaves as a visible escape,
 * so one call is one line and nothing reaches a terminal raw. */
static void escape_controls(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 7 < cap; p++) {
        if (*p == '\n') {
            out[o++] = '\\', out[o++] = 'n';
        } else if (*p == '\t') {
            out[o++] = '\\', out[o++] = 't';
        } else if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *p);
        } else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", p[1]);
            p++;
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

static int parse_priority(const char *s)
{
    if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
        return s[0] - '0';
    for (int i = 0; i < 8; i++)
        if (strcasecmp(s, pri_names[i]) == 0)
            return i;
    return -1;
}

static int sink_index(unsigned sink)
{
    switch (sink) {
    case SINK_STDERR: return 0;
    case SINK_STDOUT: return 1;
    case SINK_FILE: return 2;
    default: return 3;
    }
}

static void add_sink(unsigned sink, int pri)
{
    sinks |= sink;
    sink_pri[sink_index(sink)] = pri;
    configured = true;
}

/* The argument of -Lf or -Ls: the rest of the option word, else the next
 * word (then *used); NULL, with missing in err, when it is absent or empty. */
static const char *option_arg(const char *rest, const char *next, bool *used,
                              const char *missing, char *err, size_t errlen)
{
    const char *arg = rest ? rest : next;
    if (!arg || !*arg) {
        snprintf(err, errlen, "%s", missing);
        return NULL;
    }
    if (!rest)
        *used = true;
    return arg;
}

/* -Lf: log to the file at path (NULL: missing, err already set). */
static exc_logopt log_to_file(const char *path, int pri, char *err, size_t errlen)
{
    if (!path)
        return EXC_LOGOPT_USAGE;
    snprintf(file_path, sizeof file_path, "%s", path);
    if (file_fp)
        fclose(file_fp);
    file_fp = open_log_file(file_path);
    if (!file_fp) {
        snprintf(err, errlen, "cannot open log file %s: %s", file_path, strerror(errno));
        return EXC_LOGOPT_FAILED;
    }
    add_sink(SINK_FILE, pri);
    return EXC_LOGOPT_OK;
}

/* -Ls: log to syslog with facility fac (NULL: missing, err already set). */
static exc_logopt log_to_syslog(const char *fac, int pri, char *err, size_t errlen)
{
    if (!fac)
        return EXC_LOGOPT_USAGE;
    for (size_t i = 0; i < sizeof facilities / sizeof facilities[0]; i++)
        if (strcasecmp(fac, facilities[i].name) == 0) {
            syslog_facility = facilities[i].fac;
            add_sink(SINK_SYSLOG, pri);
            return EXC_LOGOPT_OK;
        }
    snprintf(err, errlen, "-Ls: unknown facility \"%s\"", fac);
    return EXC_LOGOPT_USAGE;
}

exc_logopt exc_log_option(const char *opt, const char *next, bool *used, char *err, size_t errlen)
{
    *used = false;
    char c = opt[0];
    const char *rest = opt[1] ? opt + 1 : NULL;
    /* "-Lf FILE" and "-LfFILE" are both Net-SNMP usage */
    while (rest && *rest == ' ')
        rest++;
    int pri = LOG_DEBUG;
    if (c == 'E' || c == 'O' || c == 'F' || c == 'S') {
        const char *p = rest ? rest : next;
        if (!p) {
            snprintf(err, errlen, "-L%c needs a priority", c);
            return EXC_LOGOPT_USAGE;
        }
        char pbuf[16];
        snprintf(pbuf, sizeof pbuf, "%.*s", (int)strcspn(p, " "), p);
        pri = parse_priority(pbuf);
        if (pri < 0) {
            snprintf(err, errlen, "-L%c: bad priority \"%s\"", c, pbuf);
            return EXC_LOGOPT_USAGE;
        }
        if (!rest)
            *used = true;
        rest = NULL;
        c = (char)(c - 'A' + 'a');
        if (c == 'f' || c == 's') {
            if (*used) {
                snprintf(err, errlen, "-L%c: give priority and argument as \"-L%c PRI ARG\"",
                         (char)(c - 'a' + 'A'), (char)(c - 'a' + 'A'));
                return EXC_LOGOPT_USAGE;
            }
            const char *sp = strchr(p, ' ');
            if (sp) {
                rest = sp + 1;
            } else {
                rest = NULL;
            }
        }
    }
    switch (c) {
    case 'e': add_sink(SINK_STDERR, pri); return EXC_LOGOPT_OK;
    case 'o': add_sink(SINK_STDOUT, pri); return EXC_LOGOPT_OK;
    case 'n': configured = true; sinks = 0; return EXC_LOGOPT_OK;
    case 'f': return log_to_file(option_arg(rest, next, used, "-Lf needs a file name", err,
                                            errlen), pri, err, errlen);
    case 's': return log_to_syslog(option_arg(rest, next, used,
                                              "-Ls needs a facility (e.g. daemon)", err, errlen),
                                   pri, err, errlen);
    default:
        snprintf(err, errlen, "unknown logging option -L%s", opt);
        return EXC_LOGOPT_USAGE;
    }
}

void exc_log_default(bool foreground)
{
    if (configured)
        return;
    add_sink(foreground ? SINK_STDERR : SINK_SYSLOG, LOG_DEBUG);
}

void exc_log_set_level(int priority) { min_priority = priority; }
bool exc_log_debug_enabled(void) { return min_priority >= LOG_DEBUG; }

void exc_log(int priority, const char *fmt, ...)
{
    char raw[2048], msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t n = strlen(raw);
    while (n > 0 && raw[n - 1] == '\n')
        raw[--n] = '\0';
    escape_controls(raw, msg, sizeof msg);

    pthread_mutex_lock(&log_lock);
    if (priority <= LOG_WARNING)
        warnings++;
    if (priority > min_priority) {
        pthread_mutex_unlock(&log_lock);
        return;
    }
    exc_log_hook fn = hook;
    if (fn) {
        pthread_mutex_unlock(&log_lock);
        fn(priority, msg);
        return;
    }
    if (!configured)
        sinks = SINK_STDERR, configured = true;
    char stamp[32] = "";
    if (sinks & (SINK_FILE | SINK_STDERR | SINK_STDOUT)) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        size_t k = strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
        snprintf(stamp + k, sizeof stamp - k, ".%03ld", ts.tv_nsec / 1000000);
    }
    const char *pn = priority >= 0 && priority < 8 ? pri_names[priority] : "?";
    if ((sinks & SINK_STDERR) && priority <= sink_pri[0])
        fprintf(stderr, "%s exconn-agent[%s]: %s\n", stamp, pn, msg);
    if ((sinks & SINK_STDOUT) && priority <= sink_pri[1]) {
        fprintf(stdout, "%s exconn-agent[%s]: %s\n", stamp, pn, msg);
        fflush(stdout);
    }
    if ((sinks & SINK_FILE) && file_fp && priority <= sink_pri[2])
        fprintf(file_fp, "%s exconn-agent[%s]: %s\n", stamp, pn, msg);
    if ((sinks & SINK_SYSLOG) && priority <= sink_pri[3]) {
        if (!syslog_open) {
            openlog("exconn-agent", LOG_PID | LOG_NDELAY, syslog_facility);
            syslog_open = true;
        }
        syslog(priority, "%s", msg);
    }
    pthread_mutex_unlock(&log_lock);
}

void exc_log_set_hook(exc_log_hook fn)
{
    pthread_mutex_lock(&log_lock);
    hook = fn;
    pthread_mutex_unlock(&log_lock);
}

void exc_log_reopen(void)
{
    pthread_mutex_lock(&log_lock);
    if (file_fp) {
        /* the new file first: a failure keeps the old one */
        FILE *fp = open_log_file(file_path);
        if (fp) {
            fclose(file_fp);
            file_fp = fp;
        }
    }
    pthread_mutex_unlock(&log_lock);
}

void exc_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (file_fp)
        fclose(file_fp);
    file_fp = NULL;
    if (syslog_open)
        closelog();
    syslog_open = false;
    pthread_mutex_unlock(&log_lock);
}

unsigned exc_log_warnings(void)
{
    pthread_mutex_lock(&log_lock);
    unsigned w = warnings;
    pthread_mutex_unlock(&log_lock);
    return w;
}
