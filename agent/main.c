/* exconn-agent: the daemon.  Parses options and the config, loads the KB,
 * starts the worker (engine) and then runs Net-SNMP's loop on this thread,
 * the only one that ever calls Net-SNMP. */
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "feed.h"
#include "kb.h"
#include "log.h"
#include "util.h"

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

static volatile sig_atomic_t stop_requested, reload_requested;

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
            "  --check-config   validate the config and the KB directory, then exit 0/1\n"
            "  --version        print the version\n"
            "  --help           this text\n");
}

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reload_requested = 1;
    else
        stop_requested = 1;
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

static bool load_config(const options *o, exc_config *cfg, char *why, size_t whylen)
{
    exc_config_defaults(cfg);
    if (!o->config_given && access(o->config, F_OK) != 0)
        return true;   /* no file at the default place: defaults */
    exc_err err = {0};
    if (!exc_config_load(o->config, cfg, &err)) {
        if (err.line)
            snprintf(why, whylen, "%s:%d: %s", o->config, err.line, err.msg);
        else
            snprintf(why, whylen, "%s: %s", o->config, err.msg);
        return false;
    }
    return true;
}

static bool load_kb(const exc_config *cfg, exc_kb *kb, char *why, size_t whylen)
{
    exc_err err = {0};
    char bad[EXC_PATH_BUF] = "";
    if (!exc_kb_load_dir(cfg->kb_dir, kb, &err, bad, sizeof bad)) {
        const char *where = bad[0] ? bad : cfg->kb_dir;
        if (err.line)
            snprintf(why, whylen, "%s:%d: %s", where, err.line, err.msg);
        else
            snprintf(why, whylen, "%s: %s", where, err.msg);
        return false;
    }
    return true;
}

static int check_config(const options *o)
{
    exc_config cfg;
    exc_kb kb = {0};
    char why[2048];
    if (!load_config(o, &cfg, why, sizeof why)) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    if (!load_kb(&cfg, &kb, why, sizeof why)) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    printf("%s: OK; %zu KB article(s) in %s\n", o->config, kb.n, cfg.kb_dir);
    exc_kb_free(&kb);
    return 0;
}

static bool drop_privileges(const options *o, char *why, size_t whylen)
{
    if (o->group) {
        struct group *g = getgrnam(o->group);
        gid_t gid = g ? g->gr_gid : (gid_t)strtoul(o->group, NULL, 10);
        if ((!g && gid == 0) || setgroups(0, NULL) != 0 || setgid(gid) != 0) {
            snprintf(why, whylen, "cannot switch to group %s: %s", o->group, strerror(errno));
            return false;
        }
    }
    if (o->user) {
        struct passwd *p = getpwnam(o->user);
        uid_t uid = p ? p->pw_uid : (uid_t)strtoul(o->user, NULL, 10);
        if (!p && uid == 0) {
            snprintf(why, whylen, "unknown user %s", o->user);
            return false;
        }
        if (!o->group && p && (setgroups(0, NULL) != 0 || setgid(p->pw_gid) != 0)) {
            snprintf(why, whylen, "cannot switch to the group of %s: %s", o->user,
                     strerror(errno));
            return false;
        }
        if (setuid(uid) != 0) {
            snprintf(why, whylen, "cannot switch to user %s: %s", o->user, strerror(errno));
            return false;
        }
    }
    return true;
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

static void reload(const options *o, exc_engine *engine, exc_config *current)
{
    exc_config cfg;
    exc_kb kb = {0};
    char why[2048];
    if (!load_config(o, &cfg, why, sizeof why) || !load_kb(&cfg, &kb, why, sizeof why)) {
        exc_log(LOG_ERR, "reload refused, keeping the running configuration: %s", why);
        return;
    }
    if (strcmp(cfg.agentx_address, current->agentx_address) != 0 ||
        cfg.ping_interval != current->ping_interval)
        exc_log(LOG_WARNING, "reload: AgentX settings take effect at restart");
    exc_engine_reload(engine, &cfg, &kb);
    *current = cfg;
}

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, APP_NAME ": ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exc_log(LOG_ERR, fmt, arg);
    return 1;
}

int main(int argc, char **argv)
{
    /* the agent never needs MIB files at run time */
    setenv("MIBS", "", 1);
    options o = {.config = EXC_DEFAULT_CONFIG};
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
        case 'c': o.config = optarg; o.config_given = true; break;
        case 'f': o.foreground = true; break;
        case 'x': o.agentx = optarg; break;
        case 'M': o.master = optarg; break;
        case 'L': {
            bool used;
            const char *next = optind < argc ? argv[optind] : NULL;
            if (!exc_log_option(optarg, next, &used, why, sizeof why))
                return fail("%s", why);
            if (used)
                optind++;
            break;
        }
        case 'D': o.debug = optarg ? optarg : "ALL"; break;
        case 'u': o.user = optarg; break;
        case 'g': o.group = optarg; break;
        case 'p': o.pidfile = optarg; break;
        case 'C': o.check_config = true; break;
        case 'V': printf(APP_NAME " " EXCONN_VERSION "\n"); return 0;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, APP_NAME ": option -%c needs an argument\n", optopt);
            usage(stderr);
            return 1;
        default:
            fprintf(stderr, APP_NAME ": unknown option %s\n", argv[optind - 1]);
            usage(stderr);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, APP_NAME ": unexpected argument %s\n", argv[optind]);
        return 1;
    }
    if (o.check_config)
        return check_config(&o);

    exc_log_default(o.foreground);
    exc_config cfg;
    exc_kb kb = {0};
    if (!load_config(&o, &cfg, why, sizeof why) || !load_kb(&cfg, &kb, why, sizeof why))
        return fail("%s", why);

    /* Net-SNMP's logging goes through ours */
    snmp_disable_log();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, netsnmp_log_cb, NULL);
    snmp_enable_calllog();
    if (o.debug) {
        debug_register_tokens(o.debug);
        snmp_set_do_debugging(1);
        if (strstr(o.debug, EXC_DEBUG_TOKEN) || strcmp(o.debug, "ALL") == 0)
            exc_log_set_level(LOG_DEBUG);
    }

    if (!o.foreground && netsnmp_daemonize(1, 0) != 0)
        return fail("%s", "cannot detach from the terminal");

    configure_netsnmp(&o, &cfg);
    if (init_agent(APP_NAME) != 0) {
        exc_kb_free(&kb);
        return fail("%s", "Net-SNMP agent initialisation failed");
    }
    /* Find a restarted master within pingInterval seconds: also the interval
     * of the reconnect attempts.  Set after init_agent(), whose AgentX set-up
     * (agentx_config_init) resets it to Net-SNMP's default of 15 s, and whose
     * library set-up resets the session defaults (see AGENTX_TIMEOUT_S). */
    if (!o.master) {
        netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                           (int)cfg.ping_interval);
        netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_TIMEOUT, AGENTX_TIMEOUT_S);
        netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RETRIES, AGENTX_RETRIES);
    }
    if (o.master) {
        init_vacm_conf();
        init_vacm_vars();
        init_system_mib();
        init_snmp_mib();
        init_sysORTable();
    }
    /* The subtrees are registered further down, once the loaded state is
     * being served; the connection is followed from the start. */
    exc_mib_watch_master();
    if (o.master && !master_access(&cfg, why, sizeof why))
        return fail("%s", why);
    init_snmp(APP_NAME);
    if (o.master) {
        if (init_master_agent() != 0)
            return fail("cannot listen on %s", o.master);
    }
    if ((o.user || o.group) && !drop_privileges(&o, why, sizeof why))
        return fail("%s", why);

    exc_err err = {0};
    exc_engine *engine = exc_engine_start(&cfg, &kb, &err);
    if (!engine) {
        exc_kb_free(&kb);
        return fail("%s", err.msg);
    }
    if (exc_feed_init(engine) != 0) {
        exc_engine_stop(engine);
        return fail("%s", "cannot watch the worker");
    }
    /* Register EXCHANGE-CONNECTOR-MIB only now that the state loaded from the
     * state directory is being served: a subagent answers the requests that
     * arrive while it registers (init_snmp() connects and registers, waiting
     * for each response), and would otherwise answer them from an empty MIB
     * -- no alarms, zero counters -- after every restart. */
    if (exc_mib_init() != SNMPERR_SUCCESS) {
        exc_feed_shutdown();
        exc_engine_stop(engine);
        return fail("%s", "cannot register EXCHANGE-CONNECTOR-MIB");
    }
    if (o.pidfile) {
        FILE *pf = fopen(o.pidfile, "w");
        if (pf) {
            fprintf(pf, "%ld\n", (long)getpid());
            fclose(pf);
        } else {
            exc_log(LOG_WARNING, "cannot write pid file %s: %s", o.pidfile, strerror(errno));
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;   /* no SA_RESTART: select() returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    exc_log(LOG_NOTICE, APP_NAME " " EXCONN_VERSION " started (%s %s)",
            o.master ? "master agent on" : "AgentX subagent of",
            o.master ? o.master : (o.agentx ? o.agentx : cfg.agentx_address));
    while (!stop_requested) {
        agent_check_and_process(1);   /* also runs Net-SNMP's alarms (AgentX pings) */
        if (reload_requested) {
            reload_requested = 0;
            reload(&o, engine, &cfg);
        }
    }
    exc_log(LOG_NOTICE, "stopping");
    exc_feed_shutdown();
    exc_engine_stop(engine);   /* commits the state */
    exc_mib_shutdown();
    snmp_shutdown(APP_NAME);
    shutdown_agent();
    if (o.pidfile)
        unlink(o.pidfile);
    exc_log_close();
    return 0;
}
