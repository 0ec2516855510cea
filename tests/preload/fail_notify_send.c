/* LD_PRELOAD shim for tests/integration/notify_send_failed.sh: the first
 * AgentX Notify PDU written with sendto() (Net-SNMP's Unix-domain
 * transport) fails with EPIPE, as it does when the master dies just as the
 * Notify is written, before the agent has read the end of the connection.
 * Only that one write; everything else goes through unchanged. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/types.h>

#define AGENTX_MSG_NOTIFY 12   /* RFC 2741: h.type, the header's second octet */

static atomic_int failed;

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
    static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    if (!real)
        real = (ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *,
                            socklen_t))dlsym(RTLD_NEXT, "sendto");
    const unsigned char *p = buf;
    if (len >= 20 && p[0] == 1 && p[1] == AGENTX_MSG_NOTIFY && atomic_exchange(&failed, 1) == 0) {
        errno = EPIPE;
        return -1;
    }
    return real(fd, buf, len, flags, to, tolen);
}
