/* exconn-agent: the daemon.  Parses options and the config, loads the KB,
 * starts the worker (engine) and then runs Net-SNMP's loop on this thread,
 * the only one that ever calls Net-SNMP. */
#define _GNU_SOURCE
#include "agent.h"
#include "mib_module.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_check.h"
#include "daemon.h"
#include "engine.h"
#include "feed.h"
#include "kb.h"
#include "log.h"
#include "util.h"
#include "subagent.h"

/* from libnetsnmpmibs: what an embedded master needs besides our module */
void init_vacm_vars(void);
void init_vacm_conf(void);
void init_system_mib(void);
void init_snmp_mib(void);
void init_sysORTable(void);

#define APP_NAME "exconn-agent"
/* The AgentX session to the master takes Net-SNMP's library defaults
 * (defTimeout/defRetries), not the agentx* settings, which only a master
 * reads.  2 s and no retransmission: a ping to a dead or frozen master fails
 * after 2 s instead of blocking the agent thread for 6 (the library's 1 s
 * times 5 retries), a busy master still has 2 s to answer before the agent
 * re-registers, and a Notify is never retransmitted, so a master frozen by
 * SIGSTOP does not forward every retransmitted copy as its own trap once it
 * runs again. */
#define AGENTX_TIMEOUT_S 2
#define AGENTX_RETRIES 0
/* SIGTERM: how long the Responses to Notify PDUs in flight are waited for
 * (each one not seen is sent again by the next start) */
#define STOP_DRAIN_MS 200
#define EXIT_USAGE 2

static const char *pidfile_made;   /* to remove at exit */

typedef struct options {
    const char *config;
    bool config_given;
    bool foreground;
    const char *agentx;
    const char *master;
    const char *debug;
    const char *user, *group, *pidfile;
    bool check_config;
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " APP_NAME " [options]\n"
            "Publishes Exchange 4.0/5.x connector health, COM-port conflicts, IMC queues\n"
            "and KB-mapped alarms as EXCHANGE-CONNECTOR-MIB over AgentX.\n\n"
            "  -c FILE          config file (default " EXC_DEFAULT_CONFIG ")\n"
            "  -f               stay in the foreground\n"
            "  -x ADDRESS       AgentX master address (overrides the config)\n"
            "  -M ADDRESS       embedded mode: be the master agent on ADDRESS\n"
            "                   (e.g. udp:127.0.0.1:1161)\n"
            "  -L[efosn] ...    logging, as Net-SNMP: -Le stderr, -Lo stdout, -Lf FILE,\n"
            "                   -Ls FACILITY (syslog), -Ln none; -LE/-LO/-LF/-LS take a priority\n"
            "  -D[TOKENS]       Net-SNMP debug tokens (e.g. -Dexconn,agentx)\n"
            "  -u USER, -g GROUP  drop privileges after start-up\n"
            "  -p FILE          write the process id to FILE\n"
            "  --check-config   validate the config, the KB directory and the spool and\n"
            "                   state directories (writable by this user), then exit 0/1\n"
            "  --version        print the version (and Net-SNMP's)\n"
            "  --help           this text\n");
}

/* Net-SNMP's own log lines join ours (snmp_enable_calllog).  Its debug
 * output arrives in pieces (token, then text): collect up to the newline. */
static int netsnmp_log_cb(int major, int minor, void *server, void *client)
{
    (void)major; (void)minor; (void)client;
    static char line[1024];
    static size_t len;
    const struct snmp_log_message *m = server;
    if (!m || !m->msg)
        return 0;
    size_t n = strlen(m->msg);
    if (len + n >= sizeof line)
        n = sizeof line - 1 - len;
    memcpy(line + len, m->msg, n);
    len += n;
    line[len] = '\0';
    if (len > 0 && line[len - 1] != '\n' && len < sizeof line - 1)
        return 0;
    int pri = m->priority;
    /* one line per received packet is noise for this agent */
    if (strncmp(line, "Connection from", 15) == 0)
        pri = LOG_DEBUG;
    exc_log(pri, "%s", line);
    len = 0;
    return 0;
}

static int check_config(const options *o)
{
    exc_config cfg;
    exc_kb kb;
    char why[2048];
    if (!exc_config_check(o->config, o->config_given, &cfg, &kb, why, sizeof why)) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    printf("%s: OK; %zu KB article(s) in %s; spool %s and state %s writable\n", o->config, kb.n,
           cfg.kb_dir, cfg.spool_dir, cfg.state_dir);
    exc_kb_free(&kb);
    return 0;
}

static void configure_netsnmp(const options *o, const exc_config *cfg)
{
    /* -C: no snmpd.conf/snmp.conf, no persistent file: everything is ours */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    if (o->master) {
        netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 0);
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_PORTS, o->master);
        netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_MASTER, 0);
    } else {
        netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
                              o->agentx ? o->agentx : cfg->agentx_address);
        netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
                               NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
    }
}

static bool master_access(const exc_config *cfg, char *why, size_t whylen)
{
    char line[512];
    snprintf(line, sizeof line, "rocommunity %s %s", cfg->master_community, cfg->master_source);
    if (netsnmp_config(line) != SNMPERR_SUCCESS) {
        snprintf(why, whylen, "embedded master: bad access line \"%s\"", line);
        return false;
    }
    if (cfg->trap_sink[0]) {
        snprintf(line, sizeof line, "trap2sink %s %s", cfg->trap_sink, cfg->trap_community);
        if (netsnmp_config(line) != SNMPERR_SUCCESS) {
            snprintf(why, whylen, "embedded master: bad trap sink \"%s\"", cfg->trap_sink);
            return false;
        }
    }
    return true;
}

/* SIGHUP: log files reopened (logrotate), then the new config checked
 * completely before the worker switches to it. */
static void reload(const options *o, exc_engine *engine, exc_config *current)
{
    exc_sd_notify("RELOADING=1");
    exc_log_reopen();
    exc_config cfg;
    exc_kb kb;
    char why[2048];
    if (!exc_config_check(o->config, o->config_given, &cfg, &kb, why, sizeof why)) {
        exc_log(LOG_ERR, "reload refused, keeping the running configuration: %s", why);
    } else {
        if (strcmp(cfg.agentx_address, current->agentx_address) != 0 ||
            cfg.ping_interval != current->ping_interval)
            exc_log(LOG_WARNING, "reload: AgentX settings take effect at restart");
        exc_engine_reload(engine, &cfg, &kb);
        *current = cfg;
    }
    exc_sd_notify("READY=1");
}

/* A start-up failure: one line on stderr (the parent's, when detached) and
 * in the log; exit status 1. */
static int fail(const char *fmt, const char *arg)
{
    char msg[2048];
    snprintf(msg, sizeof msg, fmt, arg);
    fprintf(stderr, APP_NAME ": %s\n", msg);
    exc_log(LOG_ERR, "%s", msg);
    exc_daemon_failed(msg);
    exc_pidfile_remove(pidfile_made);
    return 1;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, APP_NAME ": ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    return EXIT_USAGE;
}

/* Stop: no new Notify; the Responses in flight waited for a moment; the
 * master left without waiting for it (agent/subagent.c); then the worker
 * commits and stops, and Net-SNMP is shut down. */
static void stop(exc_engine *engine, const options *o)
{
    exc_sd_notify("STOPPING=1");
    exc_log(LOG_NOTICE, "stopping");
    if (!o->master) {
        exc_subagent_drain(STOP_DRAIN_MS);
        exc_subagent_detach();
    }
    exc_signals_stopping();
    exc_feed_shutdown();
    exc_engine_stop(engine);   /* commits the state (and the acknowledgements) */
    exc_mib_shutdown();
    snmp_shutdown(APP_NAME);
    shutdown_agent();
    exc_pidfile_remove(pidfile_made);
    exc_log_close();
}

/* Options; returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"check-config", no_argument, NULL, 'C'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char why[2048];
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:fx:M:L:D::u:g:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; o->config_given = true; break;
        case 'f': o->foreground = true; break;
        case 'x': o->agentx = optarg; break;
        case 'M': o->master = optarg; break;
        case 'L': {
            bool used;
            const char *next = optind < argc ? argv[optind] : NULL;
            exc_logopt r = exc_log_option(optarg, next, &used, why, sizeof why);
            if (r != EXC_LOGOPT_OK)
                return r == EXC_LOGOPT_FAILED ? fail("%s", why) : usage_error("%s", why);
            if (used)
                optind++;
            break;
        }
        case 'D': o->debug = optarg ? optarg : "ALL"; break;
        case 'u': o->user = optarg; break;
        case 'g': o->group = optarg; break;
        case 'p': o->pidfile = optarg; break;
        case 'C': o->check_config = true; break;
        case 'V':
            printf(APP_NAME " " EXCONN_VERSION " (Net-SNMP %s)\n", netsnmp_get_version());
            return 0;
        case 'h': usage(stdout); return 0;
        case ':': {
            char opt[3] = {'-', (char)optopt, '\0'};
            return usage_error("option %s needs an argument", opt);
        }
        default:
            return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument %s", argv[optind]);
    return -1;
}

/* Net-SNMP start-up: the AgentX session (or the embedded master, with its
 * own MIB modules and access control), then the privilege drop.  False on
 * failure, reason in why. */
static bool start_netsnmp(const options *o, const exc_config *cfg, char *why, size_t whylen)
{
    configure_netsnmp(o, cfg);
    if (init_agent(APP_NAME) != 0) {
        snprintf(why, whylen, "Net-SNMP agent initialisation failed");
        return false;
    }
    /* Find a restarted master within pingInterval seconds: also the interval
     * of the reconnect attempts.  Set after init_agent(), whose AgentX set-up
     * (agentx_config_init) resets it to Net-SNMP's default of 15 s, and whose
     * library set-up resets the session defaults (see AGENTX_TIMEOUT_S). */
    if (!o->master) {
        netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                           (int)cfg->ping_interval);
        netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_TIMEOUT, AGENTX_TIMEOUT_S);
        netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RETRIES, AGENTX_RETRIES);
    } else {
        init_vacm_conf();
        init_vacm_vars();
        init_system_mib();
        init_snmp_mib();
        init_sysORTable();
    }
    /* The subtrees are registered further down, once the loaded state is
     * being served; the connection is followed from the start. */
    exc_mib_watch_master();
    if (o->master && !master_access(cfg, why, whylen))
        return false;
    init_snmp(APP_NAME);
    if (o->master && init_master_agent() != 0) {
        snprintf(why, whylen, "cannot listen on %s", o->master);
        return false;
    }
    /* SIGTERM handled from here on: the master may already answer for our
     * first registrations, so a stop can come while the state loads or the
     * tables register; it is then served by the run loop's first turn. */
    if (!exc_signals_init()) {
        snprintf(why, whylen, "cannot watch signals: %s", strerror(errno));
        return false;
    }
    if ((o->user || o->group) && !exc_drop_privileges(o->user, o->group, why, whylen))
        return false;
    return true;
}

/* The worker, the snapshot feed and the registered subtrees.
 * NULL on failure, reason in why. */
static exc_engine *start_serving(exc_config *cfg, exc_kb *kb, char *why, size_t whylen)
{
    /* the worker never takes a signal: it inherits a mask blocking them */
    exc_err err = {0};
    sigset_t saved;
    exc_signals_block(&saved);
    exc_engine *engine = exc_engine_start(cfg, kb, &err);
    exc_signals_restore(&saved);
    if (!engine) {
        snprintf(why, whylen, "%s", err.msg);
        return NULL;
    }
    if (exc_feed_init(engine) != 0) {
        exc_engine_stop(engine);
        snprintf(why, whylen, "cannot watch the worker");
        return NULL;
    }
    /* Register EXCHANGE-CONNECTOR-MIB only now that the state loaded from the
     * state directory is being served: a subagent answers the requests that
     * arrive while it registers (init_snmp() connects and registers, waiting
     * for each response), and would otherwise answer them from an empty MIB
     * -- no alarms, zero counters -- after every restart. */
    if (exc_mib_init() != SNMPERR_SUCCESS) {
        exc_feed_shutdown();
        exc_engine_stop(engine);
        snprintf(why, whylen, "cannot register EXCHANGE-CONNECTOR-MIB");
        return NULL;
    }
    return engine;
}

/* path made absolute against the working directory (false: left as is) */
static bool absolute(const char *path, char *out, size_t cap)
{
    char cwd[EXC_PATH_BUF];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        return false;
    return (size_t)snprintf(out, cap, "%s/%s", cwd, path) < cap;
}

/* Net-SNMP's logging goes through ours; -D tokens (DEBUG: NULL) */
static void netsnmp_logging(const char *debug)
{
    snmp_disable_log();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, netsnmp_log_cb, NULL);
    snmp_enable_calllog();
    if (debug) {
        debug_register_tokens(debug);
        snmp_set_do_debugging(1);
        if (strstr(debug, EXC_DEBUG_TOKEN) || strcmp(debug, "ALL") == 0)
            exc_log_set_level(LOG_DEBUG);
    }
}

/* Without -f, become a daemon; then the pid file (-p), before the privilege
 * drop (/run is root's).  No thread exists yet: the worker is started in the
 * daemon, which works from /, so relative names are made absolute first. */
static bool detach(options *o, char *why, size_t whylen)
{
    static char config_abs[EXC_PATH_BUF], pid_abs[EXC_PATH_BUF];
    if (!o->foreground) {
        if (absolute(o->config, config_abs, sizeof config_abs))
            o->config = config_abs;
        if (o->pidfile && absolute(o->pidfile, pid_abs, sizeof pid_abs))
            o->pidfile = pid_abs;
        if (!exc_daemon_detach(why, whylen))
            return false;
    }
    if (o->pidfile) {
        if (!exc_pidfile_create(o->pidfile, why, whylen))
            return false;
        pidfile_made = o->pidfile;
    }
    return true;
}

/* The run loop: Net-SNMP's requests and alarms (AgentX pings), SIGHUP
 * reloads, until a stop is asked for. */
static void run(const options *o, exc_engine *engine, exc_config *cfg)
{
    while (!exc_stop_requested) {
        agent_check_and_process(1);
        if (exc_reload_requested && !exc_stop_requested) {
            exc_reload_requested = 0;
            reload(o, engine, cfg);
        }
    }
}

int main(int argc, char **argv)
{
    /* the agent never needs MIB files at run time */
    setenv("MIBS", "", 1);
    /* a master that dies while we write to it must not kill us, even during
     * registration (the signal set-up proper comes later) */
    signal(SIGPIPE, SIG_IGN);
    options o = {.config = EXC_DEFAULT_CONFIG};
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (o.check_config)
        return check_config(&o);

    exc_log_default(o.foreground);
    exc_config cfg;
    exc_kb kb;
    char why[2048];
    if (!exc_config_check(o.config, o.config_given, &cfg, &kb, why, sizeof why))
        return fail("%s", why);

    netsnmp_logging(o.debug);
    if (!detach(&o, why, sizeof why))
        return fail("%s", why);
    exc_engine *engine = NULL;
    if (start_netsnmp(&o, &cfg, why, sizeof why))
        engine = start_serving(&cfg, &kb, why, sizeof why);
    if (!engine) {
        exc_kb_free(&kb);
        return fail("%s", why);
    }
    exc_log(LOG_NOTICE, APP_NAME " " EXCONN_VERSION " started (%s %s)",
            o.master ? "master agent on" : "AgentX subagent of",
            o.master ? o.master : (o.agentx ? o.agentx : cfg.agentx_address));
    exc_daemon_ready();
    run(&o, engine, &cfg);
    stop(engine, &o);
    return 0;
}
