/* Name <-> value tables of the enumerations (report.h, kb.h): names[0..n)
 * are the values 1..n, 0 is "none". */
#ifndef EXC_ENUMS_H
#define EXC_ENUMS_H

#include <stddef.h>

/* The value of the name s among names[0..n) (case-sensitive), 0 when s is
 * NULL or none of them. */
int exc_enum_from(const char *const *names, size_t n, const char *s);

/* The name of the value v of names[0..n), NULL out of range. */
const char *exc_enum_name(const char *const *names, size_t n, int v);

#define EXC_ENUM_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The pair of functions of one enumeration, int PREFIX_from(const char *)
 * and const char *PREFIX_name(int), over the array table: _from accepts its
 * first n_from names (a tail beyond, such as the MIB's notApplicable, is
 * named but never read), _name names all of them. */
#define EXC_ENUM_FUNCS(prefix, table, n_from)                                         \
    int prefix##_from(const char *s) { return exc_enum_from(table, n_from, s); }      \
    const char *prefix##_name(int v)                                                  \
    {                                                                                 \
        return exc_enum_name(table, EXC_ENUM_COUNT(table), v);                        \
    }

#endif
