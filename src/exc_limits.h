/* Sizes fixed by the MIB (SPEC §6): every string the agent publishes fits its
 * object, and every name index keeps instance OIDs under 128 sub-identifiers. */
#ifndef EXC_LIMITS_H
#define EXC_LIMITS_H

#define EXC_SERVER_MAX     32   /* exConnServerName SIZE (1..32) */
#define EXC_CONNECTOR_MAX  64   /* exConnConnectorName SIZE (1..64) */
#define EXC_QUEUE_MAX      64   /* exConnQueueName SIZE (1..64) */
#define EXC_COMPORT_MAX    16   /* exConnComPortName SIZE (1..16) */
#define EXC_ARTICLE_MAX    16   /* exConnKbArticleId SIZE (1..16) */
#define EXC_TEXT_MAX      255   /* DisplayString */
#define EXC_CLAIMANTS_MAX  32   /* claimants per COM port */

/* Buffer sizes: octets + NUL. */
#define EXC_SERVER_BUF    (EXC_SERVER_MAX + 1)
#define EXC_NAME_BUF      (EXC_CONNECTOR_MAX + 1)
#define EXC_PORT_BUF      (EXC_COMPORT_MAX + 1)
#define EXC_ARTICLE_BUF   (EXC_ARTICLE_MAX + 1)
#define EXC_TEXT_BUF      (EXC_TEXT_MAX + 1)

/* XML nesting limits (exc_xml max_depth: depth of the deepest element). */
#define EXC_REPORT_MAX_DEPTH 8
#define EXC_EVENT_MAX_DEPTH  16
#define EXC_CONFIG_MAX_DEPTH 8
#define EXC_KB_MAX_DEPTH     8

#endif
