/* Unicode-aware name comparison and look-alike checks (names.h). */
#include "names.h"

#include <stdbool.h>

/* Decode one UTF-8 sequence at *p (advancing it); a malformed octet is
 * returned as itself (0xDC00 + octet keeps it apart from real code points). */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
                         : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        *p = s + 1;
        return 0xDC00 + c;
    }
    uint32_t cp = n == 0 ? c : c & (0x3Fu >> n);
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + 1;
            return 0xDC00 + c;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *p = s + n + 1;
    return cp;
}

/* Pairs upper/lower at even/odd (or odd/even) code points. */
static uint32_t pair_up(uint32_t cp, bool upper_even)
{
    bool even = (cp & 1) == 0;
    return even == upper_even ? cp : cp - 1;
}

uint32_t exc_name_upcase(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') ? cp - 0x20 : cp;
    /* Latin-1 Supplement */
    if (cp == 0xB5)
        return 0x39C;                        /* micro sign -> capital mu */
    if ((cp >= 0xE0 && cp <= 0xFE) && cp != 0xF7)
        return cp - 0x20;
    if (cp == 0xFF)
        return 0x178;
    /* Latin Extended-A */
    if (cp >= 0x100 && cp <= 0x17F) {
        if (cp == 0x131)
            return 'I';                      /* dotless i */
        if (cp == 0x17F)
            return 'S';                      /* long s */
        if (cp == 0x130 || cp == 0x138 || cp == 0x149)
            return cp;                       /* no simple upper case */
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            return pair_up(cp, false);
        if (cp == 0x178)
            return cp;
        return pair_up(cp, true);
    }
    /* Greek */
    if (cp >= 0x3B1 && cp <= 0x3CB && cp != 0x3C2)
        return cp - 0x20;
    if (cp == 0x3C2)
        return 0x3A3;                        /* final sigma */
    if (cp == 0x3AC)
        return 0x386;
    if (cp >= 0x3AD && cp <= 0x3AF)
        return cp - 0x25;
    if (cp == 0x3CC)
        return 0x38C;
    if (cp == 0x3CD || cp == 0x3CE)
        return cp - 0x3F;
    /* Cyrillic */
    if (cp >= 0x430 && cp <= 0x44F)
        return cp - 0x20;
    if (cp >= 0x450 && cp <= 0x45F)
        return cp - 0x50;
    if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
        (cp >= 0x4D0 && cp <= 0x52F))
        return pair_up(cp, true);
    if (cp >= 0x4C1 && cp <= 0x4CE)
        return pair_up(cp, false);
    if (cp == 0x4CF)
        return 0x4C0;
    return cp;
}

int exc_name_casecmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (;;) {
        if (*p == '\0' || *q == '\0')
            return (int)*p - (int)*q;
        uint32_t x = exc_name_upcase(next_cp(&p)), y = exc_name_upcase(next_cp(&q));
        if (x != y)
            return x < y ? -1 : 1;
    }
}

uint64_t exc_name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        h ^= exc_name_upcase(next_cp(&p));
        h *= 1099511628211ull;
    }
    return h;
}

/* Invisible or look-alike code points no name may hold. */
static const char *bad_cp(uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return "contains a control character";
    if (cp == 0xA0 || cp == 0x2007 || cp == 0x202F)
        return "contains a no-break space";
    if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD ||
        cp == 0x180E || cp == 0x034F)
        return "contains a zero-width or invisible character";
    if (cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069))
        return "contains a bidirectional formatting character";
    if (cp >= 0xDC00 + 0x80 && cp <= 0xDC00 + 0xFF)
        return "is not valid UTF-8";
    return NULL;
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x3000 || cp == 0x205F ||
           cp == 0x1680;
}

const char *exc_name_problem(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    bool all_space = true, lead_space = false, last_space = false;
    if (*p == '\0')
        return "is empty";
    while (*p) {
        if (*p > ' ' && *p < 0x7F) {   /* printable ASCII, no space: fine, and most */
            all_space = last_space = false;
            p++;
            continue;
        }
        bool first = p == (const unsigned char *)s;
        uint32_t cp = next_cp(&p);
        const char *why = bad_cp(cp);
        if (why != NULL)
            return why;
        bool sp = is_space_cp(cp);
        lead_space = lead_space || (first && sp);
        all_space = all_space && sp;
        last_space = sp;
    }
    if (all_space)
        return "is blank (spaces only)";
    if (lead_space)
        return "begins with a space";
    if (last_space)
        return "ends with a space";
    return NULL;
}
