/* Exports for mirrors (zones/export.h): the master file of the zone's
 * records, and the rbldnsd combined dataset of its entries. */
#include "zones/export.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zones/afile.h"
#include "zones/bytes.h"
#include "zones/code.h"
#include "zones/err.h"
#include "zones/txt.h"

/* --- the master file ---------------------------------------------------------------- */

struct zf {
    FILE *f;
    const struct dx_zrr_zone *z;
};

/* The labels wire[0..n) as text (escaped per RFC 1035 5.1), each followed
 * by '.' but the last when rel (a name relative to $ORIGIN). */
static void put_labels(FILE *f, const uint8_t *w, size_t n, bool rel)
{
    for (size_t i = 0; i < n && w[i];) {
        size_t l = w[i++];
        for (size_t j = 0; j < l && i + j < n; j++) {
            unsigned char c = w[i + j];
            if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' ||
                c == '@' || c == '$')
                fprintf(f, "\\%c", c);
            else if (c <= 0x20 || c >= 0x7f)
                fprintf(f, "\\%03u", c);
            else
                fputc(c, f);
        }
        i += l;
        if (!rel || (i < n && w[i]))
            fputc('.', f);
    }
}

static size_t name_len(const uint8_t *w)
{
    size_t i = 0;
    while (w[i])
        i += (size_t)w[i] + 1;
    return i + 1;
}

static int zf_rr(void *arg, const struct dx_rr *rr)
{
    struct zf *x = arg;
    FILE *f = x->f;
    const struct dx_zrr_zone *z = x->z;
    size_t rel = rr->owner_len - z->wire_len;
    if (rel == 0) {
        fputc('@', f);
    } else {
        put_labels(f, rr->owner, rel, true);
    }
    static const char *const names[] = { [1] = "A", [2] = "NS", [5] = "CNAME", [6] = "SOA",
                                         [16] = "TXT" };
    const char *tn = rr->type < 17 && names[rr->type] ? names[rr->type] : "TYPE0";
    fprintf(f, "\t%u\tIN\t%s\t", rr->ttl, tn);
    const uint8_t *d = rr->rdata;
    switch (rr->type) {
    case DX_RR_A:
        fprintf(f, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
        break;
    case DX_RR_NS:
    case DX_RR_CNAME:
        put_labels(f, d, rr->rdlen, false);
        break;
    case DX_RR_SOA: {
        size_t m = name_len(d), r = name_len(d + m);
        put_labels(f, d, m, false);
        fputc(' ', f);
        put_labels(f, d + m, r, false);
        const uint8_t *p = d + m + r;
        fprintf(f, " %u %u %u %u %u", dx_be32(p), dx_be32(p + 4), dx_be32(p + 8),
                dx_be32(p + 12), dx_be32(p + 16));
        break;
    }
    case DX_RR_TXT:
        for (size_t i = 0; i < rr->rdlen;) {
            size_t l = d[i++];
            fputs(i > 1 ? " \"" : "\"", f);
            for (size_t j = 0; j < l && i + j < rr->rdlen; j++) {
                unsigned char c = d[i + j];
                if (c == '"' || c == '\\')
                    fprintf(f, "\\%c", c);
                else if (c < 0x20 || c >= 0x7f)
                    fprintf(f, "\\%03u", c);
                else
                    fputc(c, f);
            }
            fputc('"', f);
            i += l;
        }
        break;
    }
    fputc('\n', f);
    return ferror(f) ? -(errno ? errno : EIO) : 0;
}

int dx_export_zone(FILE *f, struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now)
{
    struct zf x = { f, z };
    fprintf(f, "; zone %s: the records dnsxld transfers (dnsxld(8), ZONE TRANSFERS)\n$ORIGIN ",
            z->name);
    put_labels(f, z->wire, z->wire_len, false);
    fputc('\n', f);
    int rc = dx_zrr_walk(t, z, now, zf_rr, &x);
    if (rc == 0 && ferror(f))
        rc = -(errno ? errno : EIO);
    return rc;
}

/* --- rbldnsd ------------------------------------------------------------------------------- */

struct rx {
    FILE *f;
    struct dx_txn *t;
    const struct dx_zone_conf *z;
    const struct dx_list_conf *l;    /* the list being written */
    uint64_t now;
    char *err;
    size_t errlen;
    int part;                        /* the part open: 0, DX_FAM_V4, DX_FAM_V6, DX_FAM_DOMAIN */
    bool part_localhost;             /* an entry of the open ip4trie part covers 127.0.0.1 */
    bool per_entry;                  /* the list's template uses $reason */
    char def[2 * DX_TXT_MAX + 1];    /* the list's text, rbldnsd's form */
    char txt[2 * DX_TXT_MAX + 1];
    char raw[DX_TXT_MAX];
};

/* A dnsxl template as rbldnsd's: $list, $zone, $reason expanded; `$`
 * kept; a literal '$' doubled. DX_EINVAL for `$` then a digit. */
static int rbl_text(struct rx *x, const char *tmpl, const char *reason, char *out)
{
    struct dx_txt_vars v = { "\x01", x->l->name, x->z->name, reason };
    size_t n = dx_txt_expand(tmpl, &v, x->raw, sizeof(x->raw)), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (x->raw[i] == '\x01') {
            if (i + 1 < n && x->raw[i + 1] >= '0' && x->raw[i + 1] <= '9') {
                if (x->errlen)
                    snprintf(x->err, x->errlen, "list %s: TXT '%s' has '$' followed by a digit, "
                             "which rbldnsd reads as a variable", x->l->target, tmpl);
                return DX_EINVAL;
            }
            out[o++] = '$';
        } else if (x->raw[i] == '$') {
            out[o++] = '$';
            out[o++] = '$';
        } else {
            out[o++] = x->raw[i];
        }
    }
    out[o] = 0;
    return 0;
}

static const char *list_tmpl(const struct rx *x)
{
    return x->l->txt ? x->l->txt : x->z->txt;
}

static void part_end(struct rx *x)
{
    if (x->part == DX_FAM_V4 && x->part_localhost)
        fputs("!127.0.0.1\n", x->f);
    x->part = 0;
    x->part_localhost = false;
}

static void part_begin(struct rx *x, int part, const char *name)
{
    static const char *const types[] = { [DX_FAM_V4] = "ip4trie", [DX_FAM_V6] = "ip6trie",
                                         [DX_FAM_DOMAIN] = "dnset" };
    char code[DX_CODE_TEXT_MAX];
    part_end(x);
    fprintf(x->f, "$DATASET %s:%s @\n:%s:%s\n", types[part], name, dx_code_text(x->l->code, code),
            x->per_entry ? "" : x->def);
    x->part = part;
}

static int rx_entry(void *arg, const char *list, const struct dx_key *k, const struct dx_entry *e)
{
    struct rx *x = arg;
    (void)list;
    if (e->expires_at && e->expires_at <= x->now)
        return 0;
    if (x->part != k->family)
        part_begin(x, k->family, x->l->name);
    char kt[DX_KEY_TEXT_MAX], code[DX_CODE_TEXT_MAX];
    if (dx_key_format(k, kt, sizeof(kt)) < 0)
        return DX_EINVAL;
    bool excl = e->flags & DX_ENTRY_EXCLUDE;
    if (!excl && k->family == DX_FAM_V4 && dx_key_is_localhost(k))
        x->part_localhost = true;
    if (excl) {
        fprintf(x->f, "!%s\n", kt);
        return ferror(x->f) ? -(errno ? errno : EIO) : 0;
    }
    uint32_t c = e->code ? e->code : x->l->code;
    const char *tmpl = e->txt ? e->txt : list_tmpl(x);
    if (!e->txt && !x->per_entry && c == x->l->code) {
        fprintf(x->f, "%s\n", kt);      /* the part's default value */
    } else {
        x->txt[0] = 0;
        if (tmpl && *tmpl) {
            int rc = rbl_text(x, tmpl, e->reason, x->txt);
            if (rc)
                return rc;
        }
        fprintf(x->f, "%s :%s:%s\n", kt, dx_code_text(c, code), x->txt);
    }
    return ferror(x->f) ? -(errno ? errno : EIO) : 0;
}

static int rx_list(struct rx *x, const struct dx_list_conf *l)
{
    x->l = l;
    const char *tmpl = list_tmpl(x);
    x->per_entry = tmpl && dx_txt_uses_reason(tmpl);
    x->def[0] = 0;
    if (tmpl && !x->per_entry) {
        int rc = rbl_text(x, tmpl, NULL, x->def);
        if (rc)
            return rc;
    }
    int rc = dx_entry_foreach(x->t, x->z->name, l->name, rx_entry, x);
    part_end(x);
    return rc;
}

/* The RFC 5782 test point, in a part of its own (named test.point, which
 * no list can be: an import of one list passes over it) when no exported
 * list lists it. */
static int rx_test_point(struct rx *x, const struct dx_list_conf *only)
{
    struct dx_key q;
    if (x->z->kind == DX_ZONE_DOMAIN) {
        q = (struct dx_key){ .family = DX_FAM_DOMAIN, .len = 4 };
        memcpy(q.addr, "test", 5);
    } else {
        static const uint8_t tp[4] = { 127, 0, 0, 2 };
        dx_key_from_addr(&q, tp, 4);
    }
    struct dx_hit hits[DX_HITS_MAX];
    int nh = dx_lookup(x->t, x->z->name, &q, x->now, hits, DX_HITS_MAX);
    if (nh < 0)
        return nh;
    for (int i = 0; i < nh; i++) {
        const struct dx_list_conf *l = dx_conf_list(x->z, hits[i].list);
        if (l && (!only || l == only))
            return 0;
    }
    const struct dx_list_conf *first = only ? only : x->z->n_lists ? &x->z->lists[0] : NULL;
    if (!first)
        return 0;
    x->l = first;
    const char *tmpl = list_tmpl(x);
    x->per_entry = false;
    x->def[0] = 0;
    if (tmpl) {
        int rc = rbl_text(x, tmpl, NULL, x->def);
        if (rc)
            return rc;
    }
    part_begin(x, x->z->kind == DX_ZONE_DOMAIN ? DX_FAM_DOMAIN : DX_FAM_V4, "test.point");
    fputs(x->z->kind == DX_ZONE_DOMAIN ? "test\n" : "127.0.0.2\n", x->f);
    x->part = 0;
    return 0;
}

int dx_export_rbldnsd(FILE *f, struct dx_txn *t, const struct dx_zone_conf *z,
                      const struct dx_list_conf *l, uint64_t now, char *err, size_t errlen)
{
    struct rx *x = calloc(1, sizeof(*x));
    if (!x)
        return DX_ENOMEM;
    *x = (struct rx){ .f = f, .t = t, .z = z, .now = now, .err = err, .errlen = errlen };
    fprintf(f, "# zone %s%s%s for rbldnsd: ZONE:combined:FILE (dnsxl-admin(8), export)\n",
            z->name, l ? " list " : "", l ? l->name : "");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < z->n_lists; i++)
        if (!l || &z->lists[i] == l)
            rc = rx_list(x, &z->lists[i]);
    if (rc == 0)
        rc = rx_test_point(x, l);
    if (rc == 0 && ferror(f))
        rc = -(errno ? errno : EIO);
    free(x);
    return rc;
}

int dx_export_write(struct dx_txn *t, const struct dx_zone_conf *z, const struct dx_list_conf *l,
                    enum dx_export_format fmt, uint64_t now, const char *path, FILE *out,
                    char *err, size_t errlen)
{
    if (errlen)
        err[0] = 0;
    struct dx_afile a = { 0 };
    int rc;
    if (path) {
        if ((rc = dx_afile_open(&a, path, 0644, err, errlen)) != 0)
            return rc;
        out = a.f;
    }
    if (fmt == DX_EXPORT_ZONE) {
        struct dx_zrr_zone *zz;
        rc = dx_zrr_zone_new(z, &zz);
        if (rc == 0)
            rc = dx_export_zone(out, t, zz, DX_XFR_CLOCK);   /* what AXFR sends */
        dx_zrr_zone_free(zz);
    } else {
        rc = dx_export_rbldnsd(out, t, z, l, now, err, errlen);
    }
    if (rc < 0 && rc > -4096 && errlen && !err[0])
        snprintf(err, errlen, "%s: %s", path ? path : "(stdout)", strerror(-rc));
    if (path) {
        if (rc == 0)
            rc = dx_afile_commit(&a, err, errlen);
        else
            dx_afile_abort(&a);
    }
    return rc;
}
