/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320: zlib's). */
#ifndef EXC_CRC32_H
#define EXC_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* By parts: c = exc_crc32_update(0xFFFFFFFF, ...) ... ^ 0xFFFFFFFF. */
uint32_t exc_crc32_update(uint32_t c, const void *data, size_t len);
/* Of one buffer ("123456789" gives 0xCBF43926). */
uint32_t exc_crc32_of(const void *data, size_t len);

#endif
