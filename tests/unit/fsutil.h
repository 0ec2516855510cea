/* File-system helpers for the unit tests that need a scratch directory
 * (test_spool.c, test_engine.c, test_state.c).  Header-only: each test
 * executable includes it once. */
#ifndef EXC_TEST_FSUTIL_H
#define EXC_TEST_FSUTIL_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR (or /tmp); the path goes into buf. */
static inline bool fs_mkdtemp(char *buf, size_t cap, const char *tag)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, cap, "%s/exconn-%s.XXXXXX", t && *t ? t : "/tmp", tag);
    return mkdtemp(buf) != NULL;
}

static int fs_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    (void)flag;
    remove(path);
    return 0;
}

static inline void fs_rm_rf(const char *dir)
{
    if (dir && *dir)
        nftw(dir, fs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline bool fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Whole file into a malloc'ed NUL-terminated buffer (NULL if unreadable). */
static inline char *fs_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static inline bool fs_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0) && ok;
}

static inline bool fs_write_str(const char *path, const char *s)
{
    return fs_write(path, s, strlen(s));
}

/* Publish a file the way collectors do: write DIR/.NAME.tmp, rename to
 * DIR/NAME.  Source is a file (src_path) or a buffer (data/len). */
static inline bool fs_publish(const char *dir, const char *name, const void *data, size_t len)
{
    char tmp[4096], dst[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    return fs_write(tmp, data, len) && rename(tmp, dst) == 0;
}

static inline bool fs_publish_file(const char *dir, const char *name, const char *src_path)
{
    size_t len;
    char *data = fs_read(src_path, &len);
    if (!data)
        return false;
    bool ok = fs_publish(dir, name, data, len);
    free(data);
    return ok;
}

/* Number of lines (newline-terminated) in s; a trailing fragment counts too. */
static inline size_t fs_count_lines(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        if (*p == '\n')
            n++;
    if (*s && s[strlen(s) - 1] != '\n')
        n++;
    return n;
}

/* Number of directory entries not starting with '.' */
static inline size_t fs_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

#endif
