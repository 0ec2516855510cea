/* exconn.so: EXCHANGE-CONNECTOR-MIB inside snmpd, loaded with
 *
 *     dlmod exconn /usr/lib/exconn/exconn.so
 *     exconnConfig /etc/exconn/exconn.xml        (after the dlmod line)
 *
 * The same MIB module as exconn-agent (exconn_agent_mib) and the same worker
 * (exconn_core's engine: spool, parsers, rules, state), with no AgentX hop:
 * snmpd answers from the snapshot directly.  The worker thread never calls
 * Net-SNMP (snmpd is not thread-safe); its snapshots arrive through a pipe
 * registered with snmpd's select loop, as in the daemon, and its log lines
 * are queued to snmpd's log (snmp_log) on snmpd's thread.
 *
 * Life cycle, as snmpd drives it:
 *   init_exconn      (the dlmod line is parsed) registers the MIB, the
 *                    exconnConfig token and a post-config callback;
 *   post-config      arms a one-shot alarm, so the worker starts from snmpd's
 *                    main loop -- after snmpd daemonized itself (a thread
 *                    started before the fork would not exist in the daemon);
 *   SIGHUP           snmpd unloads every dlmod module (deinit_exconn: the
 *                    worker commits and stops, everything is unregistered)
 *                    and loads it again: config and KB are read anew;
 *   shutdown         the worker commits and stops (snmpd calls deinit_exconn,
 *                    or else the shutdown callback does it).
 *
 * The config file is exconn's own (<spool>, <state>, <kb>, <servers>,
 * <queues>, <alarms>, <notifications>); <agentx> and <master> do not apply:
 * access and trap sinks are snmpd.conf's.  Without exconnConfig, the
 * environment variable EXCONN_CONFIG names the file; else the default
 * /etc/exconn/exconn.xml (defaults when it does not exist). */
#define _GNU_SOURCE
#include "agent.h"
#include "mib_module.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "feed.h"
#include "kb.h"
#include "log.h"

#define TOKEN "exconnConfig"
#define LOGQ_LEN 256
#define LOGQ_MSG 1024

void init_exconn(void);
void deinit_exconn(void);

/* libnetsnmpagent's "keep running" flag (no installed header declares it):
 * 0 once snmpd is shutting down. */
extern int netsnmp_running;

static char config_path[EXC_PATH_BUF];
static bool config_given;
static exc_engine *engine;
static unsigned start_alarm;
static bool callbacks_registered;

/* ------------------------------------------------------------ log bridge */

static pthread_t agent_thread;
static pthread_mutex_t logq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct logq_entry {
    int priority;
    char msg[LOGQ_MSG];
} logq[LOGQ_LEN];
static unsigned logq_head, logq_n, logq_dropped;
static int logq_pipe[2] = {-1, -1};

static void log_hook(int priority, const char *msg)
{
    if (pthread_equal(pthread_self(), agent_thread)) {
        snmp_log(priority, "exconn: %s\n", msg);
        return;
    }
    pthread_mutex_lock(&logq_lock);
    if (logq_n == LOGQ_LEN) {
        logq_dropped++;
    } else {
        struct logq_entry *e = &logq[(logq_head + logq_n++) % LOGQ_LEN];
        e->priority = priority;
        snprintf(e->msg, sizeof e->msg, "%s", msg);
    }
    pthread_mutex_unlock(&logq_lock);
    char c = 1;
    if (logq_pipe[1] >= 0 && write(logq_pipe[1], &c, 1) < 0) {
        /* full pipe: a wake-up is pending anyway */
    }
}

static void logq_drain(int fd, void *arg)
{
    (void)fd;
    (void)arg;
    char buf[256];
    while (logq_pipe[0] >= 0 && read(logq_pipe[0], buf, sizeof buf) > 0)
        ;
    for (;;) {
        struct logq_entry e;
        unsigned dropped;
        pthread_mutex_lock(&logq_lock);
        if (logq_n == 0) {
            dropped = logq_dropped;
            logq_dropped = 0;
            pthread_mutex_unlock(&logq_lock);
            if (dropped)
                snmp_log(LOG_WARNING, "exconn: %u log line(s) dropped (log queue full)\n",
                         dropped);
            return;
        }
        e = logq[logq_head];
        logq_head = (logq_head + 1) % LOGQ_LEN;
        logq_n--;
        pthread_mutex_unlock(&logq_lock);
        snmp_log(e.priority, "exconn: %s\n", e.msg);
    }
}

static void log_bridge_start(void)
{
    agent_thread = pthread_self();
    if (logq_pipe[0] < 0 && pipe2(logq_pipe, O_CLOEXEC | O_NONBLOCK) == 0)
        register_readfd(logq_pipe[0], logq_drain, NULL);
    if (snmp_get_do_debugging() && debug_is_token_registered(EXC_DEBUG_TOKEN) == SNMPERR_SUCCESS)
        exc_log_set_level(LOG_DEBUG);
    exc_log_set_hook(log_hook);
}

static void log_bridge_stop(void)
{
    exc_log_set_hook(NULL);
    if (logq_pipe[0] >= 0) {
        logq_drain(-1, NULL);
        unregister_readfd(logq_pipe[0]);
        close(logq_pipe[0]);
        close(logq_pipe[1]);
    }
    logq_pipe[0] = logq_pipe[1] = -1;
    logq_head = logq_n = logq_dropped = 0;
}

/* ------------------------------------------------------------ the worker */

static void engine_stop(void)
{
    if (start_alarm)
        snmp_alarm_unregister(start_alarm);
    start_alarm = 0;
    if (engine) {
        exc_feed_shutdown();
        exc_engine_stop(engine);   /* commits the state */
        engine = NULL;
        snmp_log(LOG_INFO, "exconn: stopped\n");
    }
}

static void engine_start(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    start_alarm = 0;
    if (engine)
        return;
    log_bridge_start();
    const char *path = config_given ? config_path : getenv("EXCONN_CONFIG");
    bool explicit = path != NULL && path[0] != '\0';
    if (!explicit)
        path = EXC_DEFAULT_CONFIG;
    exc_config cfg;
    exc_config_defaults(&cfg);
    exc_err err = {0};
    char why[EXC_ERR_FILE + EXC_ERR_MSG + 32];
    if ((explicit || access(path, F_OK) == 0) && !exc_config_load(path, &cfg, &err)) {
        exc_err_format(&err, why, sizeof why);
        snmp_log(LOG_ERR, "exconn: %s; exconn not started\n", why);
        return;
    }
    exc_kb kb = {0};
    if (!exc_kb_load_dir(cfg.kb_dir, &kb, &err)) {
        exc_err_format(&err, why, sizeof why);
        snmp_log(LOG_ERR, "exconn: %s; exconn not started\n", why);
        return;
    }
    engine = exc_engine_start(&cfg, &kb, &err);
    if (!engine) {
        exc_kb_free(&kb);
        snmp_log(LOG_ERR, "exconn: %s; exconn not started\n", err.msg);
        return;
    }
    if (exc_feed_init(engine) != 0) {
        exc_engine_stop(engine);
        engine = NULL;
        snmp_log(LOG_ERR, "exconn: cannot watch the worker; exconn not started\n");
        return;
    }
    snmp_log(LOG_INFO, "exconn " EXCONN_VERSION " started in snmpd (config %s, spool %s)\n",
             explicit || access(path, F_OK) == 0 ? path : "defaults", cfg.spool_dir);
}

/* ------------------------------------------------------- snmpd callbacks */

static void parse_config_token(const char *token, char *line)
{
    (void)token;
    while (line && (*line == ' ' || *line == '\t'))
        line++;
    size_t n = line ? strcspn(line, " \t\r\n") : 0;
    if (n == 0 || n >= sizeof config_path) {
        config_perror(TOKEN " needs the path of exconn's XML config file");
        return;
    }
    memcpy(config_path, line, n);
    config_path[n] = '\0';
    config_given = true;
}

static int on_post_config(int major, int minor, void *server, void *client)
{
    (void)major; (void)minor; (void)server; (void)client;
    /* start from the main loop: snmpd forks into the background after its
     * configuration is read, and threads do not survive a fork */
    if (!engine && !start_alarm)
        start_alarm = snmp_alarm_register(0, 0, engine_start, NULL);
    return SNMPERR_SUCCESS;
}

static int on_shutdown(int major, int minor, void *server, void *client)
{
    (void)major; (void)minor; (void)server; (void)client;
    engine_stop();
    log_bridge_stop();
    return SNMPERR_SUCCESS;
}

void init_exconn(void)
{
    config_path[0] = '\0';
    config_given = false;
    snmpd_register_config_handler(TOKEN, parse_config_token, NULL,
                                  "PATH (exconn's XML config file; after the dlmod line)");
    if (!callbacks_registered) {
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                               on_post_config, NULL);
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SHUTDOWN, on_shutdown,
                               NULL);
        callbacks_registered = true;
    }
    if (exc_mib_init() != SNMPERR_SUCCESS)
        snmp_log(LOG_ERR, "exconn: cannot register EXCHANGE-CONNECTOR-MIB\n");
}

void deinit_exconn(void)
{
    engine_stop();
    log_bridge_stop();
    exc_mib_shutdown();
    snmpd_unregister_config_handler(TOKEN);
    /* Debian's snmpd unloads dlmod modules from its SHUTDOWN callbacks:
     * unregistering a callback of the list being run would stall on its
     * lock.  The module stays mapped (-z nodelete), so they may stay. */
    if (callbacks_registered && netsnmp_running) {
        snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                                 on_post_config, NULL, 1);
        snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SHUTDOWN, on_shutdown,
                                 NULL, 1);
        callbacks_registered = false;
    }
}
