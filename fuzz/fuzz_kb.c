/* libFuzzer target: one KB article file (SPEC §4).  The loader reads files
 * and insists that the file is named after the article's id, so the input is
 * written to a private temporary directory under the id it declares (the
 * first id="..." of the input when it is a plausible id, else Q0).  An input
 * that mentions serviceNames is loaded as the directory's services.xml
 * instead, next to a minimal valid article. */
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

static const char minimal[] =
    "<kbArticle id=\"Q1\" severity=\"minor\"><title>t</title><appliesTo>a</appliesTo>"
    "<symptom>s</symptom><cause>c</cause><resolution>r</resolution>"
    "<url>https://example.invalid/1</url><rules><detector name=\"mtaLinkStall\"/></rules>"
    "</kbArticle>";

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

/* the input as services.xml of a directory that is otherwise valid */
static void services_input(const uint8_t *data, size_t size)
{
    char art[300], svc[300];
    snprintf(art, sizeof art, "%s/Q1.xml", dir);
    snprintf(svc, sizeof svc, "%s/" EXC_KB_SERVICES_FILE, dir);
    write_file(art, minimal, sizeof minimal - 1);
    write_file(svc, data, size);
    exc_kb kb;
    exc_err err = {0};
    if (exc_kb_load_dir(dir, &kb, &err))
        exc_kb_free(&kb);
    unlink(svc);
    unlink(art);
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
    if (memmem(data, size, "serviceNames", 12) != NULL) {
        services_input(data, size);
        return 0;
    }
    char id[20], path[300];
    id_of(data, size, id, sizeof id);
    snprintf(path, sizeof path, "%s/%s.xml", dir, id);
    write_file(path, data, size);
    exc_kb_article a;
    exc_err err = {0};
    if (exc_kb_load_file(path, &a, &err))
        exc_kb_article_free(&a);
    unlink(path);
    return 0;
}
