#define _GNU_SOURCE
#include "agent.h"
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

volatile sig_atomic_t exc_stop_requested, exc_reload_requested;
static volatile sig_atomic_t stopping;
static int ready_fd = -1;        /* the daemon's end of the readiness pipe */
static int sig_pipe[2] = {-1, -1};

/* ------------------------------------------------------------ readiness */

void exc_sd_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = path ? strlen(path) : 0;
    if (n == 0 || n >= sizeof sa.sun_path || (path[0] != '/' && path[0] != '@'))
        return;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';   /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
        DEBUGMSGTL((EXC_DEBUG_TOKEN "/daemon", "sd_notify %s: %s\n", state, strerror(errno)));
    close(fd);
}

/* The parent: wait for the daemon's word, exit with it. */
static void parent_wait(int fd, pid_t child)
{
    char msg[1024];
    size_t len = 0;
    ssize_t r;
    while (len < sizeof msg - 1 && (r = read(fd, msg + len, sizeof msg - 1 - len)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        len += (size_t)r;
    }
    msg[len] = '\0';
    if (len > 0 && msg[0] == '+')
        _exit(0);
    if (len > 0) {
        fprintf(stderr, "exconn-agent: %s\n", msg + 1);
        _exit(1);
    }
    int status = 0;
    waitpid(child, &status, WNOHANG);
    fprintf(stderr, "exconn-agent: the daemon exited during start-up%s\n",
            WIFSIGNALED(status) ? " (killed by a signal)" : "");
    _exit(1);
}

bool exc_daemon_detach(char *why, size_t whylen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(why, whylen, "cannot create the readiness pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "cannot fork: %s", strerror(errno));
        return false;
    }
    if (pid > 0) {
        close(p[1]);
        parent_wait(p[0], pid);
    }
    close(p[0]);
    ready_fd = p[1];
    setsid();
    /* a second fork: the daemon is no session leader, never gets a tty */
    pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "cannot fork: %s", strerror(errno));
        return false;
    }
    if (pid > 0)
        _exit(0);
    if (chdir("/") != 0) {
        /* nothing relies on the working directory */
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0), dup2(null, 1), dup2(null, 2);
        if (null > 2)
            close(null);
    }
    return true;
}

static void tell_parent(char tag, const char *text)
{
    if (ready_fd < 0)
        return;
    char msg[1024];
    int n = snprintf(msg, sizeof msg, "%c%s", tag, text);
    if (n > 0 && write(ready_fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1) < 0) {
        /* the parent is gone: nobody to tell */
    }
    close(ready_fd);
    ready_fd = -1;
}

void exc_daemon_ready(void)
{
    tell_parent('+', "");
    exc_sd_notify("READY=1");
}

void exc_daemon_failed(const char *reason) { tell_parent('-', reason); }

/* ------------------------------------------------------------- pid file */

/* The pid an existing pid file names, 0 if none can be read. */
static long read_pid(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    char buf[32] = "";
    ssize_t n = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strtol(buf, NULL, 10);
}

bool exc_pidfile_create(const char *path, char *why, size_t whylen)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char buf[32];
            int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
            bool ok = fchmod(fd, 0644) == 0 && write(fd, buf, (size_t)n) == n;
            ok = close(fd) == 0 && ok;
            if (!ok)
                snprintf(why, whylen, "cannot write pid file %s: %s", path, strerror(errno));
            return ok;
        }
        if (errno != EEXIST)
            break;
        long pid = read_pid(path);
        if (pid > 0 && pid != getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
            snprintf(why, whylen, "pid file %s: exconn-agent already running as pid %ld", path,
                     pid);
            return false;
        }
        /* stale (its process is gone) or unreadable: replace it, once */
        struct stat st;
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(why, whylen, "pid file %s exists and is not a regular file", path);
            return false;
        }
        if (unlink(path) != 0 && errno != ENOENT)
            break;
    }
    snprintf(why, whylen, "cannot create pid file %s: %s", path, strerror(errno));
    return false;
}

void exc_pidfile_remove(const char *path)
{
    if (path && read_pid(path) == (long)getpid())
        unlink(path);
}

/* ----------------------------------------------------------- privileges */

static bool lookup_group(const char *name, gid_t *gid)
{
    struct group *g = getgrnam(name);
    char *end;
    unsigned long n = strtoul(name, &end, 10);
    if (g)
        *gid = g->gr_gid;
    else if (*name && !*end)
        *gid = (gid_t)n;
    else
        return false;
    return true;
}

bool exc_drop_privileges(const char *user, const char *group, char *why, size_t whylen)
{
    gid_t gid = 0;
    if (group && !lookup_group(group, &gid)) {
        snprintf(why, whylen, "unknown group %s", group);
        return false;
    }
    if (!user) {   /* a group alone: it is the only group */
        if (group && (setgroups(1, &gid) != 0 || setgid(gid) != 0)) {
            snprintf(why, whylen, "cannot switch to group %s: %s", group, strerror(errno));
            return false;
        }
        return true;
    }
    struct passwd *p = getpwnam(user);
    if (!p) {
        snprintf(why, whylen, "unknown user %s", user);
        return false;
    }
    if (!group)
        gid = p->pw_gid;
    /* the user's supplementary groups stay (a collector sharing a group
     * with the agent drops its files through that group) */
    if (initgroups(p->pw_name, gid) != 0 || setgid(gid) != 0) {
        snprintf(why, whylen, "cannot switch to the groups of %s: %s", user, strerror(errno));
        return false;
    }
    if (setuid(p->pw_uid) != 0) {
        snprintf(why, whylen, "cannot switch to user %s: %s", user, strerror(errno));
        return false;
    }
    return true;
}

/* -------------------------------------------------------------- signals */

/* The last resort: the agent thread has not seen a stop request for 400 ms,
 * so it waits in a synchronous AgentX exchange with a master that does not
 * answer (a ping, a re-registration; up to 2 s each, several in a row).
 * Shutting its connected stream sockets (the AgentX session) down ends that
 * wait at once, as if the master had gone. */
static void on_deadline(int sig)
{
    (void)sig;
    if (stopping)
        return;
    for (int fd = 3; fd < 1024; fd++) {
        int type;
        socklen_t len = sizeof type;
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM &&
            getpeername(fd, (struct sockaddr *)&peer, &plen) == 0)
            shutdown(fd, SHUT_RDWR);
    }
}

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP) {
        exc_reload_requested = 1;
    } else if (!exc_stop_requested) {
        exc_stop_requested = 1;
        struct itimerval it = {{0, 0}, {0, 400000}};
        setitimer(ITIMER_REAL, &it, NULL);
    }
    char c = (char)sig;
    if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
        /* full: a wake-up is pending anyway */
    }
    errno = saved;
}

static void drain_sig_pipe(int fd, void *arg)
{
    (void)arg;
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

bool exc_signals_init(void)
{
    if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    if (register_readfd(sig_pipe[0], drain_sig_pipe, NULL) != 0)
        return false;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;   /* no SA_RESTART: a wait returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* Net-SNMP's alarms do not use SIGALRM in an agent (init_agent sets
     * NETSNMP_DS_LIB_ALARM_DONT_USE_SIG) */
    sa.sa_handler = on_deadline;
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return true;
}

static void stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGALRM);
}

void exc_signals_block(sigset_t *saved)
{
    sigset_t set;
    stop_signals(&set);
    pthread_sigmask(SIG_BLOCK, &set, saved);
}

void exc_signals_restore(const sigset_t *saved) { pthread_sigmask(SIG_SETMASK, saved, NULL); }

void exc_signals_stopping(void)
{
    stopping = 1;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
}
