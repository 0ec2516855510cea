/* libFuzzer target: one KB article file (SPEC §4).  The loader reads files
 * and insists that the file is named after the article's id, so the input is
 * written to a private temporary directory under the id it declares (the
 * first id="..." of the input when it is a plausible id, else Q0). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];

static void cleanup(void)
{
    if (dir[0])
        rmdir(dir);
}

static void id_of(const uint8_t *data, size_t size, char *id, size_t cap)
{
    snprintf(id, cap, "Q0");
    const uint8_t *p = memmem(data, size, "id=\"", 4);
    if (!p)
        return;
    p += 4;
    size_t n = 0;
    while (p + n < data + size && n + 1 < cap && n < 16 &&
           ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z') ||
            (p[n] >= '0' && p[n] <= '9')))
        n++;
    if (n == 0 || p + n >= data + size || p[n] != '"')
        return;
    memcpy(id, p, n);
    id[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/exconn-fuzz-kb.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    char id[20], path[300];
    id_of(data, size, id, sizeof id);
    snprintf(path, sizeof path, "%s/%s.xml", dir, id);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    exc_kb_article a;
    exc_err err = {0};
    if (exc_kb_load_file(path, &a, &err))
        exc_kb_article_free(&a);
    unlink(path);
    return 0;
}
