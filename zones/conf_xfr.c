/* The config of zone transfers (dnsxl.conf(5)): [key NAME] sections (TSIG
 * keys, RFC 8945: algorithm, secret or secret-file) and the zones'
 * allow-transfer lines ("ADDR[/LEN] [key NAME]") and notify lines
 * ("ADDR[:PORT] [key NAME]"), for zones/conf.c. A
 * secret is base64 (decoded with libsodium); a secret file is read through
 * zones/secret.h, so one that its group or others may read is refused. */
#include "zones/conf_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zones/err.h"
#include "zones/key.h"
#include "zones/listen.h"
#include "zones/name.h"
#include "zones/secret.h"

#define SECRET_MAX 512               /* decoded bytes: longer than any HMAC block */

int dx__conf_key_open(struct parser *p, const char *name)
{
    char norm[DX_NAME_TEXT_MAX + 1];
    if (!*name)
        return fail(p, p->line, "section [key] needs a key name: [key NAME]");
    if (dx__conf_name(name, norm))
        return fail(p, p->line, "bad key name '%s' (a domain name, as in TSIG)", name);
    for (size_t i = 0; i < p->c->n_keys; i++)
        if (strcmp(p->c->keys[i].name, norm) == 0)
            return fail(p, p->line, "duplicate key '%s' (first defined on line %d)", norm,
                        p->c->keys[i].line);
    struct dx_key_conf *nk = realloc(p->c->keys, (p->c->n_keys + 1) * sizeof(*nk));
    if (!nk)
        return nomem(p);
    p->c->keys = nk;
    struct dx_key_conf *k = &nk[p->c->n_keys];
    memset(k, 0, sizeof(*k));
    k->name = strdup(norm);
    if (!k->name)
        return nomem(p);
    unsigned labels;
    k->wire_len = dx_name_wire(norm, k->wire, &labels);
    k->line = p->line;
    p->c->n_keys++;
    p->sec = SEC_KEY;
    p->cur = p->c->n_keys - 1;
    return 0;
}

int dx__conf_key_close(struct parser *p, struct dx_key_conf *k)
{
    int rc;
    if (!k->secret_b64 == !k->secret_file)
        return fail(p, k->line, "key '%s': needs secret = BASE64 or secret-file = PATH "
                    "(one of them)", k->name);
    char buf[4 * SECRET_MAX / 3 + 8], err[1024];
    const char *text = k->secret_b64;
    if (k->secret_file) {
        size_t len;
        rc = dx_secret_read(k->secret_file, buf, sizeof(buf), &len, err, sizeof(err));
        if (rc)
            return fail(p, k->line, "key '%s': secret-file %s", k->name, err);
        text = buf;
    }
    k->secret = malloc(SECRET_MAX);
    if (!k->secret)
        return nomem(p);
    size_t n = 0;
    if (sodium_base642bin(k->secret, SECRET_MAX, text, strlen(text), " \t\r\n", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || n == 0)
        return fail(p, k->line, "key '%s': the secret is not base64 (or longer than %d bytes)",
                    k->name, SECRET_MAX);
    k->secret_len = n;
    sodium_memzero(buf, sizeof(buf));
    return 0;
}

/* notify = ADDR[:PORT] [key NAME]: IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT. */
static int set_notify(struct parser *p, struct dx_zone_conf *z, const char *val)
{
    char *copy = strdup(val);
    if (!copy)
        return nomem(p);
    char *save = NULL, *tok[4];
    int n = 0;
    for (char *t = strtok_r(copy, " \t", &save); t && n < 4; t = strtok_r(NULL, " \t", &save))
        tok[n++] = t;
    struct dx_notify_conf nc = { .line = p->line, .port = 53 };
    int rc = 0;
    struct dx_listen l;
    char why[256];
    int fam = n >= 1 ? dx_addr_parse(tok[0], 0, nc.addr) : DX_EINVAL;
    if (n != 1 && !(n == 3 && strcasecmp(tok[1], "key") == 0)) {
        rc = fail(p, p->line, "notify: expected ADDRESS[:PORT] [key NAME], got '%s'", val);
    } else if (fam > 0) {
        nc.family = (uint8_t)fam;
    } else if (dx_listen_from_text(tok[0], &l, why, sizeof(why)) == 0) {
        nc.family = l.family;
        nc.port = l.port;
        memcpy(nc.addr, l.addr, 16);
    } else {
        rc = fail(p, p->line, "notify: %s", why);
    }
    if (rc == 0 && n == 3) {
        char norm[DX_NAME_TEXT_MAX + 1];
        if (dx__conf_name(tok[2], norm) || !(nc.key_name = strdup(norm)))
            rc = nc.key_name ? nomem(p) : fail(p, p->line, "notify: bad key name '%s'", tok[2]);
    }
    free(copy);
    if (rc)
        return rc;
    struct dx_notify_conf *nn = realloc(z->notify, (z->n_notify + 1) * sizeof(*nn));
    if (!nn) {
        free(nc.key_name);
        return nomem(p);
    }
    z->notify = nn;
    nn[z->n_notify++] = nc;
    return 0;
}

int dx__conf_set_allow_transfer(struct parser *p, const char *what, void *base,
                                const char *val)
{
    struct dx_zone_conf *z = base;
    if (strcmp(what, "notify") == 0)
        return set_notify(p, z, val);
    char *copy = strdup(val);
    if (!copy)
        return nomem(p);
    char *save = NULL, *tok[4];
    int n = 0;
    for (char *t = strtok_r(copy, " \t", &save); t && n < 4; t = strtok_r(NULL, " \t", &save))
        tok[n++] = t;
    struct dx_xfr_acl a = { .line = p->line };
    int rc = 0;
    if (n != 1 && !(n == 3 && strcasecmp(tok[1], "key") == 0)) {
        rc = fail(p, p->line, "%s: expected ADDRESS[/LEN] [key NAME], got '%s'", what, val);
    } else if (dx_key_parse(tok[0], &a.net) || a.net.family == DX_FAM_DOMAIN) {
        rc = fail(p, p->line, "%s: bad address or CIDR '%s'", what, tok[0]);
    } else if (n == 3) {
        char norm[DX_NAME_TEXT_MAX + 1];
        if (dx__conf_name(tok[2], norm) || !(a.key_name = strdup(norm)))
            rc = a.key_name ? nomem(p) : fail(p, p->line, "%s: bad key name '%s'", what, tok[2]);
    }
    free(copy);
    if (rc)
        return rc;
    struct dx_xfr_acl *na = realloc(z->allow_transfer, (z->n_allow_transfer + 1) * sizeof(*na));
    if (!na) {
        free(a.key_name);
        return nomem(p);
    }
    z->allow_transfer = na;
    na[z->n_allow_transfer++] = a;
    return 0;
}

int dx__conf_xfr_finish(struct parser *p)
{
    struct dx_conf *c = p->c;
    for (size_t zi = 0; zi < c->n_zones; zi++) {
        struct dx_zone_conf *z = &c->zones[zi];
        for (size_t i = 0; i < z->n_allow_transfer; i++) {
            struct dx_xfr_acl *a = &z->allow_transfer[i];
            if (!a->key_name)
                continue;
            for (size_t k = 0; k < c->n_keys && !a->key; k++)
                if (strcmp(c->keys[k].name, a->key_name) == 0)
                    a->key = &c->keys[k];
            if (!a->key)
                return fail(p, a->line, "allow-transfer: unknown key '%s' (no [key %s])",
                            a->key_name, a->key_name);
        }
        for (size_t i = 0; i < z->n_notify; i++) {
            struct dx_notify_conf *a = &z->notify[i];
            if (!a->key_name)
                continue;
            for (size_t k = 0; k < c->n_keys && !a->key; k++)
                if (strcmp(c->keys[k].name, a->key_name) == 0)
                    a->key = &c->keys[k];
            if (!a->key)
                return fail(p, a->line, "notify: unknown key '%s' (no [key %s])", a->key_name,
                            a->key_name);
        }
    }
    return 0;
}

void dx__conf_xfr_free(struct dx_conf *c)
{
    for (size_t i = 0; i < c->n_keys; i++) {
        struct dx_key_conf *k = &c->keys[i];
        if (k->secret)
            sodium_memzero(k->secret, k->secret_len);
        free(k->secret);
        if (k->secret_b64)
            sodium_memzero(k->secret_b64, strlen(k->secret_b64));
        free(k->secret_b64);
        free(k->secret_file);
        free(k->name);
    }
    free(c->keys);
    for (size_t zi = 0; zi < c->n_zones; zi++) {
        for (size_t i = 0; i < c->zones[zi].n_allow_transfer; i++)
            free(c->zones[zi].allow_transfer[i].key_name);
        free(c->zones[zi].allow_transfer);
        for (size_t i = 0; i < c->zones[zi].n_notify; i++)
            free(c->zones[zi].notify[i].key_name);
        free(c->zones[zi].notify);
    }
}

const struct dx_key_conf *dx_conf_key(const struct dx_conf *conf, const uint8_t *wire,
                                      size_t len)
{
    for (size_t i = 0; conf && i < conf->n_keys; i++) {
        const struct dx_key_conf *k = &conf->keys[i];
        if (k->wire_len != len)
            continue;
        size_t j = 0;
        while (j < len && (wire[j] | 0x20) == (k->wire[j] | 0x20))
            j++;
        if (j == len)
            return k;
    }
    return NULL;
}
