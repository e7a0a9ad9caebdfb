/* Bulk import for dnsxl-loader: format parsers produce records into a
 * dx_imp_set; dx_imp_write() then puts the whole set into one list in one
 * store transaction.
 *
 * The flow is: parse every input file completely (a format parser per file,
 * e.g. dx_imp_parse_plain; later loader/fmt_*.c for rbldnsd formats) ->
 * dx_imp_check() (policy: never 127.0.0.1) -> dx_imp_sort() (key order,
 * duplicates removed) -> dx_imp_write(). Nothing is written until every
 * file has parsed, so a bad line never leaves a partial write.
 *
 * Records are compact (a 1M-line import is ~40 MB): keys and texts live in
 * one arena owned by the set, records refer to them by offset.
 */
#ifndef DX_LOADER_IMPORT_H
#define DX_LOADER_IMPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/key.h"

struct dx_progress;

#define DX_IMP_NONE SIZE_MAX      /* no text */

struct dx_imp_rec {
    uint64_t sort_prefix;         /* first bytes of the packed key, for dx_imp_sort */
    size_t key_off;               /* packed key in the arena (see dx_imp_key) */
    size_t txt_off;               /* own TXT (NUL-terminated) in the arena, or DX_IMP_NONE */
    uint32_t code;                /* own A value (host order), 0 = the list's */
    uint32_t line;                /* 1-based line in its file */
    uint16_t file;                /* index into set->files */
    uint8_t flags;                /* DX_ENTRY_EXCLUDE (zones/store.h) */
};

struct dx_imp_set {
    struct dx_imp_rec *recs;      /* owned */
    size_t n, cap;
    uint8_t *arena;               /* owned */
    size_t arena_len, arena_cap;
    char **files;                 /* file names as given, owned; for messages */
    size_t n_files;
    bool sorted;                  /* set by dx_imp_sort */
};

/* An empty set (all zero) is valid; dx_imp_set_free releases everything. */
void dx_imp_set_init(struct dx_imp_set *s);
void dx_imp_set_free(struct dx_imp_set *s);

/* Register an input file name; returns its index (>= 0), or DX_ENOMEM /
 * DX_ERANGE (more than 65535 files). */
int dx_imp_add_file(struct dx_imp_set *s, const char *name);

/* Append one record. txt may be NULL. Returns 0 or DX_ENOMEM / DX_ERANGE
 * (arena would pass 4 GiB per text). */
int dx_imp_add(struct dx_imp_set *s, const struct dx_key *k, uint8_t flags, uint32_t code,
               const char *txt, uint16_t file, uint32_t line);

/* Unpack the key of record r into *k. */
void dx_imp_key(const struct dx_imp_set *s, const struct dx_imp_rec *r, struct dx_key *k);

/* Own TXT of record r, or NULL. Points into the set's arena. */
const char *dx_imp_txt(const struct dx_imp_set *s, const struct dx_imp_rec *r);

/* A bounded copy of t[0..n) for a message: at most cap - 1 bytes, cut ones
 * ending in "..."; control bytes as '?' (a message must not carry them).
 * Returns out. cap >= 4. */
const char *dx_imp_show(char *out, size_t cap, const char *t, size_t n);

/* err = "FILE:LINE: message" for line `line` of file index `file` of s (the
 * form every format parser reports a bad line in); returns DX_EINVAL. */
int dx_imp_errf(const struct dx_imp_set *s, uint16_t file, uint32_t line, char *err,
                size_t errlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int dx_imp_verrf(const struct dx_imp_set *s, uint16_t file, uint32_t line, char *err,
                 size_t errlen, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Read a whole file (or stdin for "-") into a malloc'd buffer (*buf, NUL
 * appended, *len without it). Returns 0 or -errno; err = "FILE: reason". */
int dx_imp_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen);

/* The lines of a data file, as every format parser (plain, rbldnsd,
 * country) and the format detection read them: a UTF-8 byte order mark at
 * the very start is skipped (editors on Windows write one), and a line ends
 * at LF, CRLF or a lone CR (old Mac files), so line numbers are what an
 * editor shows. The last line may lack its end. */
struct dx_imp_lines {
    const char *p, *end;
    uint32_t line;                /* number of the line last returned, 1-based */
};
void dx_imp_lines_init(struct dx_imp_lines *it, const char *buf, size_t len);
/* The next line (without its end) in *line / *len; false after the last. */
bool dx_imp_lines_next(struct dx_imp_lines *it, const char **line, size_t *len);

/* The message for a NUL byte in a line (the usual sign of a UTF-16 file). */
#define DX_IMP_NUL_MSG "NUL byte in line (UTF-16 text? data files are ASCII or UTF-8)"

/* Plain list format: one key per line (address, CIDR, or for domain zones a
 * name or *.name; "!KEY" = exclusion). Blank lines and lines starting with
 * '#' or ';' (after blanks) are skipped; after the key, whitespace and then
 * a '#' or ';' comment may follow, nothing else: "192.0.2.1 spam run" is an
 * error, never a TXT. A CIDR with host bits set ("192.0.2.1/24") is an
 * error ("... did you mean 192.0.2.0/24?"). Lines as dx_imp_lines reads
 * them. ip_zone selects which keys are valid.
 * Appends to s under file index `file`. Returns 0, DX_EINVAL (err =
 * "FILE:LINE: reason", nothing appended from the bad line on) or DX_ENOMEM. */
int dx_imp_parse_plain(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len,
                       bool ip_zone, char *err, size_t errlen);

struct dx_list_conf;

/* What an operator must confirm with --force ([loader] keys of
 * dnsxl.conf(5)), and the list whose rules own values must obey. */
struct dx_imp_policy {
    unsigned shortest4;           /* IPv4 entries shorter than /shortest4 (shortest-prefix) */
    unsigned shortest6;           /* IPv6 entries shorter than /shortest6 (shortest-prefix6) */
    bool force;                   /* --force: allow them */
    const struct dx_list_conf *list;  /* the target: own TXT and codes are checked for it
                                         (zones/conf.h); NULL = not checked */
};

/* Policy for operator imports, in file order: no record may list
 * 127.0.0.1 (or a range containing it) or the name "invalid" (RFC 5782
 * test points; exclusions are fine); unless pol->force, no entry (listing
 * or exclusion) may be wider than pol's bounds; with pol->list, an own TXT
 * must pass dx_conf_check_txt (no control character, known variables, at
 * most DX_TXT_MAX octets expanded) and an own code dx_conf_check_code.
 * pol NULL = the test points only. Returns 0, or DX_EREFUSED (test points,
 * width) or DX_EINVAL (TXT, code) with err = "FILE:LINE: ..." for the
 * first offender. */
int dx_imp_check(const struct dx_imp_set *s, const struct dx_imp_policy *pol, char *err,
                 size_t errlen);

/* Sort records by key (family, address, prefix / name, wildcard) and drop
 * duplicate keys: the last occurrence (file order, then line) wins. */
void dx_imp_sort(struct dx_imp_set *s);

/* Is k one of the set's keys? Requires dx_imp_sort. O(log n). */
bool dx_imp_contains(const struct dx_imp_set *s, const struct dx_key *k);

struct dx_txn;

struct dx_imp_opts {
    const char *zone, *list;      /* target */
    uint64_t now;                 /* unix seconds */
    uint64_t lifetime;            /* seconds, DX_FOREVER = never expires */
    const char *reason;           /* may be NULL */
    const char *source;           /* "import" */
    bool replace;                 /* delete entries of the list not in the set */
    unsigned max_delete;          /* with replace: refuse when more than this share (percent)
                                     of the list's entries would go; >= 100 = no limit */
    bool dry_run;                 /* count what would change, write nothing (w may be a
                                     read txn) */
    struct dx_progress *progress; /* updated while writing; NULL = none (loader/progress.h) */
};

struct dx_imp_stats {
    size_t total;                 /* records in the set (after dedup) */
    size_t added, updated, unchanged, deleted;
    size_t existing;              /* entries the list had before */
};

/* Would a replace deleting st->deleted of st->existing entries pass the
 * max_delete share (percent)? */
bool dx_imp_delete_ok(const struct dx_imp_stats *st, unsigned max_delete);

/* The operator's message for a replace of target that dx_imp_write refused
 * (what it would have done, and what to do). */
void dx_imp_refused_msg(const struct dx_imp_stats *st, const char *target, unsigned max_delete,
                        char *buf, size_t cap);

/* Write the sorted set into opts->list of opts->zone within write txn w:
 * new keys are put (history "list", except on the first load of an empty
 * list: that baseline is recorded in the entries themselves — source,
 * reason, first seen — not as a million history records), existing ones rewritten only if
 * something changed (first_seen and hits kept, history "update" not
 * recorded per entry), and with replace, entries not in the set are deleted
 * (history "delist"). The caller commits or aborts w.
 *
 * Nothing is written, and *st says what would have been, when
 *   - o->dry_run (returns 0, or DX_EREFUSED as below), or
 *   - a replace would delete more than o->max_delete percent of the list's
 *     entries (a failed download, an empty file): returns DX_EREFUSED.
 * Otherwise returns 0 or the first store error (the txn is then unusable:
 * abort it). */
int dx_imp_write(struct dx_txn *w, const struct dx_imp_set *s, const struct dx_imp_opts *o,
                 struct dx_imp_stats *st);

#endif
