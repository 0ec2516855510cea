/* CRC-32 (IEEE 802.3, the one of zlib and gzip), which the state's
 * checkpoints and journal entries carry (src/state.c, src/state_load.c). */
#include "crc32.h"

#include <pthread.h>

/* Performance (issue 14): slicing by 8 -- eight octets per step through
 * eight tables (table[k][i]: the CRC of octet i followed by k zero octets);
 * the octet-at-a-time loop was the largest single cost of a batch's
 * commits (the journal entry and the checkpoint are checksummed whole). */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++)
            crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^ crc_table[0][crc_table[k - 1][i] & 0xFF];
}

uint32_t exc_crc32_update(uint32_t c, const void *data, size_t len)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = data;
    for (; len >= 8; p += 8, len -= 8) {
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                           (uint32_t)p[3] << 24);
        c = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^
            crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
            crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
    }
    for (; len > 0; p++, len--)
        c = crc_table[0][(c ^ *p) & 0xFF] ^ (c >> 8);
    return c;
}

uint32_t exc_crc32_of(const void *data, size_t len)
{
    return exc_crc32_update(0xFFFFFFFFu, data, len) ^ 0xFFFFFFFFu;
}
