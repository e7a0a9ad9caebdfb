/* Unit tests for zones/conf.c (the config file parser). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zones/conf.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/txt.h"

/* ---- fixture: a temp dir with one config file --------------------------- */

struct fx {
    char dir[PATH_MAX];
    char path[PATH_MAX + 16];
    char err[512];
    struct dx_conf *c;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/dx-conf-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char *real = realpath(f->dir, NULL);   /* /tmp may be a symlink */
    if (!real)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s", real);
    free(real);
    snprintf(f->path, sizeof(f->path), "%s/dnsxl.conf", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    dx_conf_free(f->c);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_conf(struct fx *f, const char *text)
{
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* Load text; returns the rc. On success f->c holds the conf. */
static int load(struct fx *f, const char *text)
{
    dx_conf_free(f->c);
    f->c = NULL;
    write_conf(f, text);
    f->err[0] = 0;
    return dx_conf_load(f->path, &f->c, f->err, sizeof(f->err));
}

/* Expect DX_EINVAL with "PATH:LINE: " prefix and `needle` in the message. */
static void expect_error(struct fx *f, const char *text, int line, const char *needle)
{
    int rc = load(f, text);
    if (rc != DX_EINVAL)
        fail_msg("expected DX_EINVAL, got %d (err '%s') for:\n%s", rc, f->err, text);
    assert_null(f->c);
    char prefix[PATH_MAX + 32];
    snprintf(prefix, sizeof(prefix), "%s:%d: ", f->path, line);
    if (strncmp(f->err, prefix, strlen(prefix)) != 0)
        fail_msg("expected prefix '%s', got '%s'", prefix, f->err);
    if (needle && !strstr(f->err, needle))
        fail_msg("expected '%s' in '%s'", needle, f->err);
}

static const char example_conf[] =
    "[server]\n"
    "listen   = 127.0.0.1:5353          ; repeatable; [::1]:5353 for IPv6\n"
    "database = var/dnsxl               ; LMDB environment directory\n"
    "workers  = auto                    ; worker threads; auto = one per core\n"
    "\n"
    "[zone bl.example.org]\n"
    "kind = ip                          ; ip | domain\n"
    "ttl  = 300                         ; answer TTL, capped by time to expiry\n"
    "soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300\n"
    "ns   = ns1.example.org.            ; repeatable\n"
    "txt  = Listed in $list: $reason - https://example.org/lookup?q=$\n"
    "answer = separate                  ; separate: one A/TXT per list (zen style)\n"
    "                                   ; bitmask: one A whose last octet ORs the list codes (SURBL multi style)\n"
    "\n"
    "[list bl.example.org/traps]\n"
    "code     = 127.0.0.2               ; A record answered for entries of this list\n"
    "lifetime = 48h                     ; default lifetime of automatic entries\n"
    "txt      = Seen hitting spam traps - https://example.org/lookup?q=$   ; optional\n"
    "escalation   = 2                   ; a relisted key gets lifetime x escalation^n ...\n"
    "max-lifetime = 30d                 ; ... capped here\n"
    "backscatter  = bl.example.org/backscatter   ; bounces to traps are listed there (unset: not listed)\n"
    "\n"
    "[list bl.example.org/manual]\n"
    "code     = 127.0.0.4\n"
    "lifetime = forever\n"
    "\n"
    "[loader]\n"
    "trusted-relays = 203.0.113.0/28    ; repeatable: our own MX and relays; their Received hops are skipped\n"
    "protected      = 198.51.100.0/24   ; repeatable: never listed by traps or reports\n"
    "never-list-zone = wl.example.org   ; repeatable: what these (allow-list) zones list is never listed\n"
    "\n"
    "[list bl.example.org/reports]\n"
    "code      = 127.0.0.3\n"
    "lifetime  = 24h\n"
    "threshold = 2                      ; distinct reporters needed ...\n"
    "window    = 7d                     ; ... within this window\n"
    "\n"
    "[list bl.example.org/backscatter]\n"
    "code = 127.0.0.5\n"
    "\n"
    "[zone wl.example.org]\n";

static void test_example_config_loads_every_value(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f, example_conf), 0);
    struct dx_conf *c = f->c;
    assert_non_null(c);
    assert_string_equal(c->path, f->path);
    assert_string_equal(c->dir, f->dir);

    assert_int_equal(c->server.n_listen, 1);
    assert_string_equal(c->server.listen[0], "127.0.0.1:5353");
    char db[PATH_MAX + 16];
    snprintf(db, sizeof(db), "%s/var/dnsxl", f->dir);
    assert_string_equal(c->server.database, db);
    assert_int_equal(c->server.workers, 0);

    assert_int_equal(c->n_zones, 2);
    struct dx_zone_conf *z = &c->zones[0];
    assert_string_equal(z->name, "bl.example.org");
    assert_int_equal(z->kind, DX_ZONE_IP);
    assert_int_equal(z->ttl, 300);
    assert_string_equal(z->soa.mname, "ns1.example.org");
    assert_string_equal(z->soa.rname, "hostmaster.example.org");
    assert_int_equal(z->soa.refresh, 3600);
    assert_int_equal(z->soa.retry, 600);
    assert_int_equal(z->soa.expire, 604800);
    assert_int_equal(z->soa.minimum, 300);
    assert_int_equal(z->n_ns, 1);
    assert_string_equal(z->ns[0], "ns1.example.org");
    assert_string_equal(z->txt, "Listed in $list: $reason - https://example.org/lookup?q=$");
    assert_int_equal(z->answer, DX_ANSWER_SEPARATE);
    assert_false(z->has_allow_query);
    assert_int_equal(z->line, 6);

    assert_int_equal(z->n_lists, 4);
    const char *names[] = { "traps", "manual", "reports", "backscatter" };
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(z->lists[i].name, names[i]);
        assert_ptr_equal(z->lists[i].zone, z);
        char t[64];
        snprintf(t, sizeof(t), "bl.example.org/%s", names[i]);
        assert_string_equal(z->lists[i].target, t);
    }
    struct dx_list_conf *traps = &z->lists[0];
    assert_int_equal(traps->line, 15);
    assert_int_equal(traps->code, 0x7f000002);
    assert_int_equal(traps->lifetime, 48 * 3600);
    assert_string_equal(traps->txt, "Seen hitting spam traps - https://example.org/lookup?q=$");
    assert_int_equal(traps->escalation, 2);
    assert_int_equal(traps->max_lifetime, 30 * 86400);
    assert_string_equal(traps->backscatter, "bl.example.org/backscatter");
    assert_int_equal(traps->threshold, 1);
    assert_int_equal(traps->window, 7 * 86400);

    struct dx_list_conf *manual = &z->lists[1];
    assert_int_equal(manual->code, 0x7f000004);
    assert_true(manual->lifetime == DX_FOREVER);
    assert_null(manual->txt);
    assert_null(manual->backscatter);

    struct dx_list_conf *reports = &z->lists[2];
    assert_int_equal(reports->code, 0x7f000003);
    assert_int_equal(reports->lifetime, 86400);
    assert_int_equal(reports->threshold, 2);
    assert_int_equal(reports->window, 7 * 86400);

    assert_int_equal(c->loader.trusted_relays.n, 1);
    char buf[DX_KEY_TEXT_MAX];
    dx_key_format(&c->loader.trusted_relays.nets[0], buf, sizeof(buf));
    assert_string_equal(buf, "203.0.113.0/28");
    assert_int_equal(c->loader.protected_nets.n, 1);
    dx_key_format(&c->loader.protected_nets.nets[0], buf, sizeof(buf));
    assert_string_equal(buf, "198.51.100.0/24");
    assert_int_equal(c->loader.n_never_list_zones, 1);
    assert_string_equal(c->loader.never_list_zones[0], "wl.example.org");

    /* lookups */
    assert_ptr_equal(dx_conf_zone(c, "bl.example.org"), z);
    assert_ptr_equal(dx_conf_zone(c, "BL.Example.ORG."), z);
    assert_null(dx_conf_zone(c, "example.org"));
    assert_null(dx_conf_zone(c, "bl.example.or"));
    assert_ptr_equal(dx_conf_list(z, "manual"), &z->lists[1]);
    assert_ptr_equal(dx_conf_list(z, "TRAPS"), &z->lists[0]);
    assert_null(dx_conf_list(z, "nope"));
}

/* The lists of a zone by name (strcmp order, the order of dx_lookup's
 * hits), whatever the file order; a zone without lists has none. */
static void test_lists_by_name_are_sorted_by_name(void **state)
{
    struct fx *f = *state;
    int rc = load(f, example_conf);
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    const struct dx_zone_conf *z = &f->c->zones[0];
    static const char *const want[] = { "backscatter", "manual", "reports", "traps" };
    assert_int_equal(z->n_lists, 4);
    assert_non_null(z->lists_by_name);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(z->lists_by_name[i]->name, want[i]);
        assert_ptr_equal(z->lists_by_name[i], dx_conf_list(z, want[i]));
    }
    assert_int_equal(f->c->zones[1].n_lists, 0);
    assert_null(f->c->zones[1].lists_by_name);
    /* byte order: "a-b" < "a_b" < "ab" */
    rc = load(f, "[zone a.test]\n[list a.test/ab]\n[list a.test/a_b]\n[list a.test/a-b]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    z = &f->c->zones[0];
    assert_string_equal(z->lists_by_name[0]->name, "a-b");
    assert_string_equal(z->lists_by_name[1]->name, "a_b");
    assert_string_equal(z->lists_by_name[2]->name, "ab");
}

static void test_zone_names_get_their_wire_form(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f, "[zone Bl.Example.ORG.]\n[zone x]\n"), 0);
    struct dx_zone_conf *z = &f->c->zones[0];
    assert_string_equal(z->name, "bl.example.org");
    static const uint8_t want[] = { 2, 'b', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0 };
    assert_int_equal(z->wire_len, sizeof(want));
    assert_memory_equal(z->wire, want, sizeof(want));
    assert_int_equal(z->labels, 3);
    z = &f->c->zones[1];
    assert_int_equal(z->wire_len, 3);
    assert_memory_equal(z->wire, "\001x\000", 3);
    assert_int_equal(z->labels, 1);
}

/* SOA and NS names in wire form, with the labels they share with the zone
 * name (what answers compress with one pointer into the question). */
static void test_soa_and_ns_names_know_the_labels_they_share_with_the_zone(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f, "[zone bl.example.org]\n"
                             "soa = ns1.Example.org. hostmaster.example.org. 1h 10m 7d 5m\n"
                             "ns = ns.other.net\nns = bl.example.org\nns = a.bl.example.org\n"), 0);
    struct dx_zone_conf *z = &f->c->zones[0];
    static const uint8_t mname[] = { 3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                     3, 'o', 'r', 'g', 0 };
    assert_int_equal(z->soa_mname_w.len, sizeof(mname));
    assert_memory_equal(z->soa_mname_w.wire, mname, sizeof(mname));
    assert_int_equal(z->soa_mname_w.common, 2);      /* example.org */
    assert_int_equal(z->soa_mname_w.prefix, 4);      /* "\3ns1" */
    assert_int_equal(z->soa_rname_w.common, 2);
    assert_int_equal(z->soa_rname_w.prefix, 11);     /* "\12hostmaster" */
    assert_int_equal(z->n_ns, 3);
    assert_int_equal(z->ns_w[0].common, 0);          /* nothing shared */
    assert_int_equal(z->ns_w[0].prefix, z->ns_w[0].len);
    assert_int_equal(z->ns_w[1].common, 3);          /* the zone name itself */
    assert_int_equal(z->ns_w[1].prefix, 0);
    assert_int_equal(z->ns_w[2].common, 3);
    assert_int_equal(z->ns_w[2].prefix, 2);          /* "\1a" */
}

static void test_defaults_fill_every_key_not_given(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f, "[zone bl.test]\n[list bl.test/a]\n"), 0);
    struct dx_conf *c = f->c;
    assert_int_equal(c->server.n_listen, 1);
    assert_string_equal(c->server.listen[0], "127.0.0.1:53");
    assert_string_equal(c->server.database, "/var/lib/dnsxl");
    assert_int_equal(c->server.workers, 0);
    assert_true(c->server.map_size == 16ull << 30);
    assert_true(c->server.udp_rcvbuf == 8ull << 20);
    assert_int_equal(c->server.edns_size, 1232);
    assert_int_equal(c->server.tcp_idle, 10);
    assert_int_equal(c->server.tcp_clients, 256);
    assert_int_equal(c->server.tcp_per_client, 16);
    assert_int_equal(c->loader.trusted_relays.n, 0);
    assert_int_equal(c->loader.protected_nets.n, 0);
    assert_int_equal(c->loader.n_never_list_zones, 0);
    assert_int_equal(c->loader.history, 365 * 86400);

    struct dx_zone_conf *z = &c->zones[0];
    assert_int_equal(z->kind, DX_ZONE_IP);
    assert_int_equal(z->ttl, 300);
    assert_string_equal(z->soa.mname, "ns.bl.test");
    assert_string_equal(z->soa.rname, "hostmaster.bl.test");
    assert_int_equal(z->soa.refresh, 3600);
    assert_int_equal(z->soa.retry, 600);
    assert_int_equal(z->soa.expire, 604800);
    assert_int_equal(z->soa.minimum, 300);
    assert_int_equal(z->n_ns, 1);
    assert_string_equal(z->ns[0], "ns.bl.test");
    assert_null(z->txt);
    assert_int_equal(z->answer, DX_ANSWER_SEPARATE);
    assert_false(z->has_allow_query);
    assert_int_equal(z->allow_query.n, 0);

    struct dx_list_conf *l = &z->lists[0];
    assert_int_equal(l->code, 0x7f000002);
    assert_true(l->lifetime == DX_FOREVER);
    assert_null(l->txt);
    assert_int_equal(l->escalation, 1);
    assert_true(l->max_lifetime == DX_FOREVER);
    assert_null(l->backscatter);
    assert_int_equal(l->threshold, 1);
    assert_int_equal(l->window, 7 * 86400);

    /* ns defaults to an explicit soa's mname */
    assert_int_equal(load(f, "[zone z.test]\nsoa = NS9.Other.Test. Admin.Other.Test 1h 10m 1w 5m\n"), 0);
    z = &f->c->zones[0];
    assert_string_equal(z->soa.mname, "ns9.other.test");
    assert_string_equal(z->soa.rname, "admin.other.test");
    assert_int_equal(z->soa.refresh, 3600);
    assert_int_equal(z->soa.retry, 600);
    assert_int_equal(z->soa.expire, 7 * 86400);
    assert_int_equal(z->soa.minimum, 300);
    assert_int_equal(z->n_ns, 1);
    assert_string_equal(z->ns[0], "ns9.other.test");

    /* an empty file is a valid config with no zones */
    assert_int_equal(load(f, "; nothing\n"), 0);
    assert_int_equal(f->c->n_zones, 0);
}

static void test_every_key_is_read_into_its_field(void **state)
{
    struct fx *f = *state;
    int rc = load(f,
        "# full server\n"
        "[server]\n"
        "listen = 127.0.0.1:5353\n"
        "listen = [::1]:5353\n"
        "listen = 0.0.0.0:53\n"
        "database = /srv/dnsxl/db\n"
        "workers = 4\n"
        "map-size = 1G\n"
        "udp-rcvbuf = 512k\n"
        "edns-size = 4096\n"
        "tcp-idle-timeout = 1m\n"
        "tcp-clients = 100\n"
        "[zone dbl.test]\n"
        "kind = domain\n"
        "ttl = 1h\n"
        "ns = a.ns.test\n"
        "ns = B.NS.TEST.\n"
        "ns = c.ns.test d.ns.test\n"
        "answer = bitmask\n"
        "allow-query = 192.0.2.0/24\n"
        "allow-query = 2001:db8::/32, 10.1.2.3\n"
        "txt = see https://x.test/#frag;x=$\n"
        "[server]\n"
        "listen = 127.0.0.2:53\n"
        "[loader]\n"
        "trusted-relays = 203.0.113.0/28\n"
        "trusted-relays = 2001:db8:1::/48\n"
        "protected = 198.51.100.7/24\n"
        "never-list-zone = WL.test.\n"
        "never-list-zone = wl2.test\n"
        "history = 30d\n"
        "[zone wl.test]\n"
        "[zone wl2.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    struct dx_conf *c = f->c;
    assert_int_equal(c->server.n_listen, 4);
    assert_string_equal(c->server.listen[0], "127.0.0.1:5353");
    assert_string_equal(c->server.listen[1], "[::1]:5353");
    assert_string_equal(c->server.listen[2], "0.0.0.0:53");
    assert_string_equal(c->server.listen[3], "127.0.0.2:53");
    assert_string_equal(c->server.database, "/srv/dnsxl/db");
    assert_int_equal(c->server.workers, 4);
    assert_true(c->server.map_size == 1ull << 30);
    assert_int_equal(c->server.udp_rcvbuf, 512 * 1024);
    assert_int_equal(c->server.edns_size, 4096);
    assert_int_equal(c->server.tcp_idle, 60);
    assert_int_equal(c->server.tcp_clients, 100);

    struct dx_zone_conf *z = &c->zones[0];
    assert_int_equal(z->kind, DX_ZONE_DOMAIN);
    assert_int_equal(z->ttl, 3600);
    assert_int_equal(z->n_ns, 4);
    assert_string_equal(z->ns[0], "a.ns.test");
    assert_string_equal(z->ns[1], "b.ns.test");
    assert_string_equal(z->ns[2], "c.ns.test");
    assert_string_equal(z->ns[3], "d.ns.test");
    assert_int_equal(z->answer, DX_ANSWER_BITMASK);
    assert_true(z->has_allow_query);
    assert_int_equal(z->allow_query.n, 3);
    assert_string_equal(z->txt, "see https://x.test/#frag;x=$");

    struct dx_key k;
    assert_int_equal(dx_key_parse("192.0.2.77", &k), 0);
    assert_true(dx_acl_match(&z->allow_query, &k));
    assert_int_equal(dx_key_parse("2001:db8:ffff::1", &k), 0);
    assert_true(dx_acl_match(&z->allow_query, &k));
    assert_int_equal(dx_key_parse("10.1.2.3", &k), 0);
    assert_true(dx_acl_match(&z->allow_query, &k));
    assert_int_equal(dx_key_parse("10.1.2.4", &k), 0);
    assert_false(dx_acl_match(&z->allow_query, &k));
    assert_int_equal(dx_key_parse("2001:db9::1", &k), 0);
    assert_false(dx_acl_match(&z->allow_query, &k));

    assert_int_equal(c->loader.trusted_relays.n, 2);
    assert_int_equal(c->loader.protected_nets.n, 1);
    char buf[DX_KEY_TEXT_MAX];
    dx_key_format(&c->loader.protected_nets.nets[0], buf, sizeof(buf));
    assert_string_equal(buf, "198.51.100.0/24");     /* host bits cleared */
    assert_int_equal(c->loader.n_never_list_zones, 2);
    assert_int_equal(c->loader.history, 30 * 86400);
    assert_string_equal(c->loader.never_list_zones[0], "wl.test");
    assert_string_equal(c->loader.never_list_zones[1], "wl2.test");
}

static void test_ttl_takes_durations_and_is_capped(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f, "[zone a.test]\nttl = 100000d\n"), 0);
    assert_int_equal(f->c->zones[0].ttl, 0x7fffffff);
    assert_int_equal(load(f, "[zone a.test]\nttl = 2147483647\n"), 0);
    assert_int_equal(f->c->zones[0].ttl, 0x7fffffff);
    assert_int_equal(load(f, "[zone a.test]\nttl = 2147483648\n"), 0);
    assert_int_equal(f->c->zones[0].ttl, 0x7fffffff);
    assert_int_equal(load(f, "[zone a.test]\nttl = 0\n"), 0);
    assert_int_equal(f->c->zones[0].ttl, 0);
    assert_int_equal(load(f, "[zone a.test]\nttl = 1d12h\n"), 0);
    assert_int_equal(f->c->zones[0].ttl, 129600);
}

static void test_comments_and_blanks_around_values_are_dropped(void **state)
{
    struct fx *f = *state;
    int rc = load(f,
        "; leading comment\n"
        "# hash comment\n"
        "   ; indented comment\n"
        "\t# indented hash\n"
        "\n"
        "[zone a.test]   ; comment after a header\n"
        "txt = A#B ; comment\n"
        "[zone b.test]\r\n"
        "txt=x;y\t;z\r\n"
        "[zone c.test]\n"
        "ns = tab.test\tinside.test  \t\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->n_zones, 3);
    assert_string_equal(f->c->zones[0].txt, "A#B");
    assert_string_equal(f->c->zones[1].txt, "x;y");
    assert_int_equal(f->c->zones[2].n_ns, 2);
    assert_string_equal(f->c->zones[2].ns[1], "inside.test");
}

static void test_a_long_line_loads(void **state)
{
    struct fx *f = *state;
    size_t n = 10000;                  /* names of 10 octets and a blank: a 110000-octet line */
    char *text = malloc(n * 11 + 64);
    assert_non_null(text);
    int off = sprintf(text, "[zone a.test]\nns = ");
    for (size_t i = 0; i < n; i++)
        off += sprintf(text + off, "n%04zu.test ", i);
    strcpy(text + off, "\n");
    assert_int_equal(load(f, text), 0);
    assert_int_equal(f->c->zones[0].n_ns, n);
    assert_string_equal(f->c->zones[0].ns[n - 1], "n9999.test");
    free(text);
}

static void test_lists_may_come_before_their_zone(void **state)
{
    struct fx *f = *state;
    int rc = load(f,
        "[list b.test/one]\n"
        "code = 127.0.0.10\n"
        "backscatter = a.test/bs\n"
        "[list a.test/bs]\n"
        "[list b.test/two]\n"
        "[zone a.test]\n"
        "[zone b.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    struct dx_zone_conf *a = dx_conf_zone(f->c, "a.test");
    struct dx_zone_conf *b = dx_conf_zone(f->c, "b.test");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->n_lists, 1);
    assert_int_equal(b->n_lists, 2);
    assert_string_equal(b->lists[0].name, "one");
    assert_string_equal(b->lists[1].name, "two");
    assert_ptr_equal(b->lists[1].zone, b);
    assert_ptr_equal(a->lists[0].zone, a);
    assert_int_equal(b->lists[0].code, 0x7f00000a);
    assert_string_equal(b->lists[0].backscatter, "a.test/bs");
}

static void test_bad_input_names_the_file_line_and_key(void **state)
{
    struct fx *f = *state;
    /* syntax */
    expect_error(f, "[server]\nlisten 127.0.0.1:53\n", 2, "key = value");
    expect_error(f, "[server\n", 1, "']'");
    expect_error(f, "[]\n", 1, "empty section");
    expect_error(f, "[server]\n= 5\n", 2, "missing key");
    expect_error(f, "workers = 2\n", 1, "outside");
    expect_error(f, "\n\n[bogus]\n", 3, "unknown section [bogus]");
    expect_error(f, "[server extra]\n", 1, "takes no name");
    expect_error(f, "[zone]\n", 1, "zone NAME");
    expect_error(f, "[list]\n", 1, "ZONE/LIST");
    expect_error(f, "[server]\nfoo = 1\n", 2, "unknown key 'foo'");
    expect_error(f, "[zone a.test]\ncode = 127.0.0.2\n", 2, "unknown key 'code'");
    expect_error(f, "[server]\nworkers =\n", 2, "workers: missing value");
    expect_error(f, "[server]\nworkers = 2\nworkers = 3\n", 3, "workers: duplicate");
    expect_error(f, "[server]\nworkers = 2\n[loader]\n[server]\nworkers = 3\n", 5, "duplicate");
    expect_error(f, "[zone a.test]\nttl = 1\nttl = 2\n", 3, "ttl: duplicate");
    expect_error(f, "[list a.test/l]\ncode = 127.0.0.2\ncode = 127.0.0.3\n[zone a.test]\n", 3,
                 "code: duplicate");
    /* zones and lists */
    expect_error(f, "[zone a.test]\n[zone b.test]\n[zone A.TEST.]\n", 3, "duplicate zone 'a.test'");
    expect_error(f, "[zone a..test]\n", 1, "bad zone name");
    expect_error(f, "[zone a_b.te$t]\n", 1, "bad zone name");
    expect_error(f, "[zone .]\n", 1, "bad zone name");
    expect_error(f, "[list a.test]\n", 1, "ZONE/LIST");
    expect_error(f, "[list a.test/]\n", 1, "ZONE/LIST");
    expect_error(f, "[list a.test/b/c]\n", 1, "ZONE/LIST");
    expect_error(f, "[zone a.test]\n[list a.test/x]\n[list A.test./X]\n", 3, "duplicate list");
    expect_error(f, "[zone a.test]\n[list a.test/x]\n\n[list b.test/y]\ncode = 127.0.0.3\n", 4,
                 "zone 'b.test' is not defined");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nbackscatter = a.test/nope\n", 3,
                 "backscatter: unknown list 'a.test/nope'");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nbackscatter = nope\n", 3, "backscatter: bad target");
    /* list values */
    expect_error(f, "[zone a.test]\n[list a.test/x]\ncode = 10.0.0.2\n", 3, "code: '10.0.0.2' is outside 127.0.0.0/8");
    expect_error(f, "[zone a.test]\n[list a.test/x]\ncode = 127.0.0\n", 3, "code: bad IPv4");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nlifetime = 5x\n", 3, "lifetime: bad duration");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nlifetime = 0\n", 3, "lifetime");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nescalation = 0\n", 3, "escalation: bad value");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nthreshold = -1\n", 3, "threshold: bad value");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nwindow = 1d5\n", 3, "window: bad duration");
    /* zone values */
    expect_error(f, "[zone a.test]\nkind = cidr\n", 2, "kind: bad value 'cidr' (expected ip or domain)");
    expect_error(f, "[zone a.test]\nanswer = both\n", 2, "answer: bad value 'both' (expected separate or bitmask)");
    expect_error(f, "[zone a.test]\nttl = 5 minutes\n", 2, "ttl: bad TTL");
    expect_error(f, "[zone a.test]\nttl = forever\n", 2, "ttl: bad TTL");
    expect_error(f, "[zone a.test]\nttl = -1\n", 2, "ttl: bad TTL");
    expect_error(f, "[zone a.test]\nsoa = ns.a.test. host.a.test. 1 2 3\n", 2, "soa: expected 6 fields");
    expect_error(f, "[zone a.test]\nsoa = ns.a.test. host.a.test. 1 2 3 4 5\n", 2, "soa: expected 6 fields");
    expect_error(f, "[zone a.test]\nsoa = ns..a host.a.test. 1 2 3 4\n", 2, "soa: bad mname");
    expect_error(f, "[zone a.test]\nsoa = ns.a h@st 1 2 3 4\n", 2, "soa: bad rname");
    expect_error(f, "[zone a.test]\nsoa = ns.a host.a x 2 3 4\n", 2, "soa: bad refresh 'x'");
    expect_error(f, "[zone a.test]\nsoa = ns.a host.a 1 2 3 forever\n", 2, "soa: bad minimum");
    expect_error(f, "[zone a.test]\nsoa = ns.a host.a 1 2 4294967296 1\n", 2, "soa: bad expire");
    expect_error(f, "[zone a.test]\nns = bad..name\n", 2, "ns: bad domain name");
    expect_error(f, "[zone a.test]\nallow-query = 192.0.2.0/33\n", 2, "allow-query: bad address or CIDR");
    expect_error(f, "[zone a.test]\nallow-query = example.com\n", 2, "allow-query: bad address or CIDR");
    /* server values */
    expect_error(f, "[server]\nlisten = 127.0.0.1\n", 2, "listen: bad address");
    expect_error(f, "[server]\nlisten = 127.0.0.1:0\n", 2, "listen: bad port");
    expect_error(f, "[server]\nlisten = 127.0.0.1:65536\n", 2, "listen: bad port");
    expect_error(f, "[server]\nlisten = 127.0.0.1:\n", 2, "listen: bad port");
    expect_error(f, "[server]\nlisten = ::1:53\n", 2, "listen: bad address");
    expect_error(f, "[server]\nlisten = [::1]53\n", 2, "listen: bad address");
    expect_error(f, "[server]\nlisten = [127.0.0.1]:53\n", 2, "listen: bad address");
    expect_error(f, "[server]\nlisten = localhost:53\n", 2, "listen: bad address");
    expect_error(f, "[server]\nworkers = none\n", 2, "workers: bad value");
    expect_error(f, "[server]\nworkers = 0\n", 2, "workers: bad value");
    expect_error(f, "[server]\nedns-size = 511\n", 2, "edns-size: bad value");
    expect_error(f, "[server]\nedns-size = 4097\n", 2, "edns-size: bad value");
    expect_error(f, "[server]\nmap-size = 16Q\n", 2, "map-size: bad size");
    expect_error(f, "[server]\nudp-rcvbuf = 4G\n", 2, "udp-rcvbuf: size");
    expect_error(f, "[server]\ntcp-idle-timeout = forever\n", 2, "tcp-idle-timeout: bad duration");
    expect_error(f, "[server]\ntcp-clients = 1x\n", 2, "tcp-clients: bad value");
    /* loader values */
    expect_error(f, "[loader]\nprotected = 10.0.0.0/8 300.1.1.1\n", 2, "protected: bad address or CIDR '300.1.1.1'");
    expect_error(f, "[loader]\ntrusted-relays = nope\n", 2, "trusted-relays: bad address");
    expect_error(f, "[loader]\nnever-list-zone = -*-\n", 2, "never-list-zone: bad domain name");
    /* a NUL byte */
    write_conf(f, "");
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fwrite("[server]\nwor\0kers = 1\n", 1, 22, fp);
    fclose(fp);
    assert_int_equal(dx_conf_load(f->path, &f->c, f->err, sizeof(f->err)), DX_EINVAL);
    assert_non_null(strstr(f->err, ":2: NUL byte"));
}

static void test_a_file_that_cannot_be_read_gives_errno_and_its_name(void **state)
{
    struct fx *f = *state;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/missing.conf", f->dir);
    struct dx_conf *c = (struct dx_conf *)1;
    char err[PATH_MAX + 64];
    assert_int_equal(dx_conf_load(path, &c, err, sizeof(err)), -ENOENT);
    assert_null(c);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
    assert_string_equal(err, want);
    /* a directory cannot be read as a config */
    int rc = dx_conf_load(f->dir, &c, err, sizeof(err));
    assert_true(rc < 0 && rc > -4096);
    assert_null(c);
    assert_non_null(strstr(err, f->dir));
    /* tiny error buffers are safe */
    assert_int_equal(dx_conf_load(path, &c, err, 4), -ENOENT);
    assert_int_equal(strlen(err), 3);
}

static void test_a_relative_database_is_relative_to_the_file(void **state)
{
    struct fx *f = *state;
    char old[PATH_MAX];
    assert_non_null(getcwd(old, sizeof(old)));
    write_conf(f, "[server]\ndatabase = ./db/env\n");
    /* load through a relative path: dir and database still absolute */
    assert_int_equal(chdir(f->dir), 0);
    int rc = dx_conf_load("dnsxl.conf", &f->c, f->err, sizeof(f->err));
    assert_int_equal(chdir(old), 0);
    assert_int_equal(rc, 0);
    assert_string_equal(f->c->path, "dnsxl.conf");
    assert_string_equal(f->c->dir, f->dir);
    char want[PATH_MAX + 16];
    snprintf(want, sizeof(want), "%s/db/env", f->dir);
    assert_string_equal(f->c->server.database, want);
    assert_true(f->c->server.database[0] == '/');
}

static void test_default_path_is_the_option_then_the_environment_then_etc(void **state)
{
    (void)state;
    char *saved = getenv("DNSXL_CONF") ? strdup(getenv("DNSXL_CONF")) : NULL;
    unsetenv("DNSXL_CONF");
    assert_string_equal(dx_conf_default_path(NULL), "/etc/dnsxl/dnsxl.conf");
    assert_string_equal(dx_conf_default_path("/x/y.conf"), "/x/y.conf");
    setenv("DNSXL_CONF", "/env/dnsxl.conf", 1);
    assert_string_equal(dx_conf_default_path(NULL), "/env/dnsxl.conf");
    assert_string_equal(dx_conf_default_path("opt.conf"), "opt.conf");
    setenv("DNSXL_CONF", "", 1);
    assert_string_equal(dx_conf_default_path(NULL), "/etc/dnsxl/dnsxl.conf");
    if (saved) {
        setenv("DNSXL_CONF", saved, 1);
        free(saved);
    } else {
        unsetenv("DNSXL_CONF");
    }
}

static void test_targets_name_a_zone_or_a_list(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f, "[zone bl.test]\n[list bl.test/a]\n[list bl.test/b]\n[zone wl.test]\n"), 0);
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    char err[128];
    assert_int_equal(dx_conf_target(f->c, "bl.test/b", false, &z, &l, err, sizeof(err)), 0);
    assert_string_equal(z->name, "bl.test");
    assert_string_equal(l->name, "b");
    assert_int_equal(dx_conf_target(f->c, "BL.test./A", false, &z, &l, err, sizeof(err)), 0);
    assert_string_equal(l->target, "bl.test/a");
    assert_int_equal(dx_conf_target(f->c, "wl.test", true, &z, &l, err, sizeof(err)), 0);
    assert_string_equal(z->name, "wl.test");
    assert_null(l);
    assert_int_equal(dx_conf_target(f->c, "bl.test", false, &z, &l, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "ZONE/LIST required"));
    assert_null(z);
    assert_int_equal(dx_conf_target(f->c, "nope.test/a", false, &z, &l, err, sizeof(err)), DX_ENOTFOUND);
    assert_string_equal(err, "unknown zone 'nope.test'");
    assert_int_equal(dx_conf_target(f->c, "nope.test", true, &z, &l, err, sizeof(err)), DX_ENOTFOUND);
    assert_string_equal(err, "unknown zone 'nope.test'");
    assert_int_equal(dx_conf_target(f->c, "bl.test/c", true, &z, &l, err, sizeof(err)), DX_ENOTFOUND);
    assert_string_equal(err, "unknown list 'c' in zone 'bl.test'");
    assert_int_equal(dx_conf_target(f->c, "bl.test/", true, &z, &l, err, sizeof(err)), DX_EINVAL);
    assert_int_equal(dx_conf_target(f->c, "/a", true, &z, &l, err, sizeof(err)), DX_EINVAL);
    assert_int_equal(dx_conf_target(f->c, "", true, &z, &l, err, sizeof(err)), DX_EINVAL);
}

static void test_acls_match_the_addresses_they_contain(void **state)
{
    (void)state;
    struct dx_key nets[3], k;
    assert_int_equal(dx_key_parse("192.0.2.0/25", &nets[0]), 0);
    assert_int_equal(dx_key_parse("2001:db8:1::/48", &nets[1]), 0);
    assert_int_equal(dx_key_parse("::ffff:198.51.100.0/120", &nets[2]), 0); /* becomes v4 /24 */
    struct dx_acl acl = { nets, 3 };
    struct dx_acl empty = { NULL, 0 };
    static const struct { const char *key; bool in; } cases[] = {
        { "192.0.2.0", true }, { "192.0.2.127", true }, { "192.0.2.128", false },
        { "192.0.2.0/26", true }, { "192.0.2.0/24", false },
        { "2001:db8:1:ffff::1", true }, { "2001:db8:2::1", false }, { "2001:db8::/47", false },
        { "198.51.100.9", true }, { "::ffff:198.51.100.9", true }, { "198.51.101.9", false },
        { "::ffff:192.0.2.1", true }, { "::192.0.2.1", false }, { "0.0.0.0/0", false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(dx_key_parse(cases[i].key, &k), 0);
        if (dx_acl_match(&acl, &k) != cases[i].in)
            fail_msg("acl match %s: expected %d", cases[i].key, cases[i].in);
        assert_false(dx_acl_match(&empty, &k));
    }
    struct dx_key all;
    assert_int_equal(dx_key_parse("::/0", &all), 0);
    struct dx_acl any6 = { &all, 1 };
    assert_int_equal(dx_key_parse("2001:db8::1", &k), 0);
    assert_true(dx_acl_match(&any6, &k));
    assert_int_equal(dx_key_parse("192.0.2.1", &k), 0);
    assert_false(dx_acl_match(&any6, &k));
    assert_int_equal(dx_key_parse("spam.example", &k), 0);
    assert_false(dx_acl_match(&any6, &k));
}

/* Reloading (SIGHUP) must give identical results: no hidden state. */
static void test_loading_again_gives_the_same_result(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(load(f, example_conf), 0);
        assert_int_equal(f->c->zones[0].n_lists, 4);
        assert_int_equal(f->c->server.n_listen, 1);
        expect_error(f, "[zone a.test]\nttl = x\n", 2, "ttl");
    }
}

/* ---- checks across the file (dnsxld -t) ---------------------------------- */

static void test_a_listen_address_and_port_given_twice_is_refused(void **state)
{
    struct fx *f = *state;
    expect_error(f, "[server]\nlisten = 127.0.0.1:53\nlisten = 127.0.0.1:53\n", 3,
                 "listen: '127.0.0.1:53' is the address and port of line 2 again");
    expect_error(f, "[server]\nlisten = 127.0.0.1:53\n\nlisten = 127.0.0.1:053\n", 4,
                 "of line 2 again");
    expect_error(f, "[server]\nlisten = [::1]:5353\n[loader]\n[server]\nlisten = [0:0::1]:5353\n",
                 5, "listen: '[0:0::1]:5353' is the address and port of line 2 again");
    /* other ports, addresses and families are other sockets */
    int rc = load(f, "[server]\nlisten = 127.0.0.1:53\nlisten = 127.0.0.1:54\n"
                     "listen = 127.0.0.2:53\nlisten = [::1]:53\nlisten = [::2]:53\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->server.n_listen, 5);
}

static void test_never_list_zone_must_be_a_zone(void **state)
{
    struct fx *f = *state;
    expect_error(f, "[loader]\nnever-list-zone = wl.test\n[zone bl.test]\n", 2,
                 "never-list-zone: 'wl.test' is not a configured zone (no [zone wl.test])");
    expect_error(f, "[zone bl.test]\n[loader]\nnever-list-zone = bl.test\n"
                    "never-list-zone = BL.test., nope.test\n", 4, "'nope.test' is not a configured zone");
    /* a zone defined later in the file, any case, a trailing dot */
    int rc = load(f, "[loader]\nnever-list-zone = WL.Test.\n[zone wl.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_string_equal(f->c->loader.never_list_zones[0], "wl.test");
}

/* [loader] bounds of the operator commands (dnsxl-admin add, dnsxl-loader
 * import/country/sync): defaults, forms, ranges. */
static void test_loader_safety_keys_have_defaults_and_bounds(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[zone bl.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->loader.shortest_prefix, 8);
    assert_int_equal(f->c->loader.shortest_prefix6, 16);
    assert_int_equal(f->c->loader.replace_max_delete, 50);
    rc = load(f, "[loader]\nshortest-prefix = 0\nshortest-prefix6 = 128\n"
                 "replace-max-delete = 30\n[zone bl.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->loader.shortest_prefix, 0);
    assert_int_equal(f->c->loader.shortest_prefix6, 128);
    assert_int_equal(f->c->loader.replace_max_delete, 30);
    rc = load(f, "[loader]\nreplace-max-delete = 100%\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->loader.replace_max_delete, 100);
    expect_error(f, "[loader]\nshortest-prefix = 33\n", 2, "shortest-prefix: bad value '33'");
    expect_error(f, "[loader]\nshortest-prefix6 = 129\n", 2, "shortest-prefix6: bad value");
    expect_error(f, "[loader]\n\nreplace-max-delete = 101%\n", 3,
                 "replace-max-delete: bad value '101%' (a share such as 50%, 0..100)");
    expect_error(f, "[loader]\nreplace-max-delete = %\n", 2, "replace-max-delete: bad value");
    expect_error(f, "[loader]\nreplace-max-delete = -5%\n", 2, "replace-max-delete: bad value");
    expect_error(f, "[loader]\nreplace-max-delete = 5%%\n", 2, "replace-max-delete: bad value");
    expect_error(f, "[loader]\nreplace-max-delete = half\n", 2, "replace-max-delete: bad value");
}

static void test_defence_keys_have_defaults_and_bounds(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[zone bl.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->server.rate_limit, 0);           /* off */
    assert_int_equal(f->c->server.rate_limit_burst, 0);     /* = rate-limit */
    assert_int_equal(f->c->server.rate_limit_slip, 2);
    assert_int_equal(f->c->server.rate_limit_exempt.n, 0);
    assert_null(f->c->server.cookie_secret);                /* random per start */
    rc = load(f, "[server]\nrate-limit = 20\nrate-limit-burst = 40\nrate-limit-slip = 0\n"
                 "rate-limit-exempt = 192.0.2.0/24\nrate-limit-exempt = 2001:db8::/32, 10.0.0.1\n"
                 "cookie-secret = keys/cookie\n[zone bl.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->server.rate_limit, 20);
    assert_int_equal(f->c->server.rate_limit_burst, 40);
    assert_int_equal(f->c->server.rate_limit_slip, 0);
    assert_int_equal(f->c->server.rate_limit_exempt.n, 3);
    assert_non_null(f->c->server.cookie_secret);
    assert_int_equal(f->c->server.cookie_secret[0], '/');   /* relative to the file */
    assert_non_null(strstr(f->c->server.cookie_secret, "/keys/cookie"));
    expect_error(f, "[server]\nrate-limit = 1000001\n", 2, "rate-limit: bad value '1000001'");
    expect_error(f, "[server]\nrate-limit-slip = 11\n", 2, "rate-limit-slip: bad value '11'");
    expect_error(f, "[server]\nrate-limit-burst = -1\n", 2, "rate-limit-burst: bad value");
    expect_error(f, "[server]\n\nrate-limit-exempt = 192.0.2.0/33\n", 3,
                 "rate-limit-exempt: bad address or CIDR '192.0.2.0/33'");
    expect_error(f, "[server]\ncookie-secret = a\ncookie-secret = b\n", 3,
                 "cookie-secret: duplicate key");
}

static void test_usage_policy_keys_have_defaults_and_bounds(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[zone bl.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    const struct dx_zone_conf *z = &f->c->zones[0];
    assert_false(z->has_policy);
    assert_int_equal(z->blocked_clients.n, 0);
    assert_int_equal(z->blocked_code, 0x7ffffffeu);         /* 127.255.255.254 */
    assert_int_equal(z->limit_code, 0x7fffffffu);           /* 127.255.255.255 */
    assert_int_equal(z->query_limit, 0);
    assert_null(z->query_keys);
    assert_null(z->qkeys);                                  /* dnsxld's to read */
    assert_null(z->limit_sketch);
    assert_int_equal(z->unknown_key, DX_UNKNOWN_KEY_REFUSED);
    assert_non_null(strstr(z->blocked_txt, "$zone"));
    assert_non_null(strstr(z->limit_txt, "$zone"));
    assert_null(f->c->server.user);
    assert_null(f->c->server.identity);
    assert_null(f->c->server.version);
    rc = load(f, "[server]\nuser = dnsxl\nidentity = ns1.example.org (anycast node 7)\n"
                 "version = dnsxld\n"
                 "[zone bl.test]\nblocked-clients = 8.8.8.0/24, 2001:4860::/32\n"
                 "blocked-clients = 1.1.1.1\nblocked-code = 127.255.255.250\n"
                 "blocked-txt = Use your own resolver for $zone, not $\n"
                 "query-limit = 300000/1d\nlimit-code = 127.255.255.0\nlimit-txt = Slow down\n"
                 "query-keys = keys/dqs.txt\nunknown-key = blocked\n"
                 "[zone l.test]\nquery-limit = 5/1m\n[zone k.test]\nquery-keys = /k\n"
                 "[zone b.test]\nblocked-clients = 10.0.0.0/8\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    z = &f->c->zones[0];
    assert_true(z->has_policy);
    assert_int_equal(z->blocked_clients.n, 3);
    assert_int_equal(z->blocked_code, 0x7ffffffau);
    assert_string_equal(z->blocked_txt, "Use your own resolver for $zone, not $");
    assert_int_equal(z->query_limit, 300000);
    assert_int_equal(z->query_period, 86400);
    assert_int_equal(z->limit_code, 0x7fffff00u);
    assert_string_equal(z->limit_txt, "Slow down");
    assert_int_equal(z->query_keys[0], '/');                /* relative to the file */
    assert_non_null(strstr(z->query_keys, "/keys/dqs.txt"));
    assert_int_equal(z->unknown_key, DX_UNKNOWN_KEY_BLOCKED);
    for (size_t i = 1; i < 4; i++)
        assert_true(f->c->zones[i].has_policy);
    assert_string_equal(f->c->server.user, "dnsxl");
    assert_string_equal(f->c->server.identity, "ns1.example.org (anycast node 7)");
    assert_string_equal(f->c->server.version, "dnsxld");
    /* the answers of the policy are error codes, never a listing's */
    expect_error(f, "[zone a.test]\nblocked-code = 127.0.0.2\n", 2,
                 "blocked-code: '127.0.0.2' is outside 127.255.255.0/24");
    expect_error(f, "[zone a.test]\n\nlimit-code = 127.255.254.255\n", 3,
                 "limit-code: '127.255.254.255' is outside 127.255.255.0/24");
    expect_error(f, "[zone a.test]\nlimit-code = 10.255.255.255\n", 2, "outside 127.255.255.0/24");
    expect_error(f, "[zone a.test]\nblocked-code = 127.255.255\n", 2,
                 "blocked-code: bad IPv4 address");
    expect_error(f, "[zone a.test]\nblocked-clients = 8.8.8.0/33\n", 2,
                 "blocked-clients: bad address or CIDR '8.8.8.0/33'");
    expect_error(f, "[zone a.test]\nquery-limit = 0/1d\n", 2,
                 "query-limit: bad limit '0/1d' (expected N/PERIOD such as 300000/1d: N "
                 "1..2097151, PERIOD 1s..366d)");
    expect_error(f, "[zone a.test]\nquery-limit = 100\n", 2, "query-limit: bad limit '100'");
    expect_error(f, "[zone a.test]\nquery-limit = 3000000/1d\n", 2, "query-limit: bad limit");
    expect_error(f, "[zone a.test]\nquery-limit = 10/forever\n", 2, "query-limit: bad limit");
    expect_error(f, "[zone a.test]\nunknown-key = nxdomain\n", 2,
                 "unknown-key: bad value 'nxdomain' (expected refused or blocked)");
    expect_error(f, "[zone a.test]\nblocked-txt = $reasons\n", 2,
                 "blocked-txt: TXT has an unknown variable '$reasons'");
    expect_error(f, "[zone a.test]\nlimit-txt = a\tb\n", 2, "limit-txt: TXT contains a control");
    char big[400];
    memset(big, 'x', 256);
    snprintf(big + 256, sizeof(big) - 256, "\n");
    char text[512];
    snprintf(text, sizeof(text), "[server]\nidentity = %s", big);
    expect_error(f, text, 2, "identity: 256 octets, more than the 255 of a TXT string");
    expect_error(f, "[server]\nversion = a\tb\n", 2,     /* the file's other control bytes are
                                                              refused by the reader */
                 "version: a control character (0x09) at offset 1");
    expect_error(f, "[server]\nuser = a\nuser = b\n", 3, "user: duplicate key");
}

static void test_reserved_codes_are_refused(void **state)
{
    struct fx *f = *state;
    expect_error(f, "[zone a.test]\n[list a.test/x]\ncode = 127.0.0.1\n", 3,
                 "code: '127.0.0.1' is reserved");
    expect_error(f, "[zone a.test]\n[list a.test/x]\ncode = 127.255.255.254\n", 3,
                 "code: '127.255.255.254' is reserved for error answers (127.255.255.0/24)");
    expect_error(f, "[list a.test/x]\ncode = 127.255.255.0\n[zone a.test]\n", 2, "reserved");
    int rc = load(f, "[zone a.test]\n[list a.test/x]\ncode = 127.255.254.255\n"
                     "[list a.test/y]\ncode = 127.0.0.0\n[list a.test/z]\ncode = 127.1.0.1\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
}

static void test_bitmask_zone_codes_share_a_prefix_and_have_bits_of_their_own(void **state)
{
    struct fx *f = *state;
    expect_error(f,
        "[zone m.test]\nanswer = bitmask\n[list m.test/a]\ncode = 127.0.0.2\n"
        "[list m.test/b]\ncode = 127.0.1.4\n", 6,
        "code: 127.0.1.4 of list 'b' differs from 127.0.0.2 of list 'a' (line 4) in the first "
        "three octets");
    expect_error(f,
        "[zone m.test]\nanswer = bitmask\n[list m.test/a]\ncode = 127.0.0.2\n"
        "[list m.test/b]\ncode = 127.0.0.4\n[list m.test/c]\ncode = 127.0.0.6\n", 8,
        "code: 127.0.0.6 of list 'c' shares bits with 127.0.0.2 of list 'a' (line 4)");
    /* two lists with the default code (127.0.0.2): the list headers' lines */
    expect_error(f, "[zone m.test]\nanswer = bitmask\n[list m.test/a]\n[list m.test/b]\n", 4,
                 "shares bits with 127.0.0.2 of list 'a' (line 3)");
    expect_error(f, "[zone m.test]\nanswer = bitmask\n[list m.test/a]\ncode = 127.0.1.0\n", 4,
                 "code: 127.0.1.0 of list 'a' sets no bit in its last octet");
    /* lists before their zone: the checks run when everything is known */
    expect_error(f, "[list m.test/a]\ncode = 127.0.0.2\n[list m.test/b]\ncode = 127.0.0.3\n"
                    "[zone m.test]\nanswer = bitmask\n", 4, "shares bits");
    /* fine: one prefix, distinct bits; separate zones may share codes */
    int rc = load(f,
        "[zone m.test]\nanswer = bitmask\n[list m.test/a]\ncode = 127.0.1.4\n"
        "[list m.test/b]\ncode = 127.0.1.8\n[list m.test/c]\ncode = 127.0.1.128\n"
        "[zone s.test]\n[list s.test/a]\ncode = 127.0.0.2\n[list s.test/b]\ncode = 127.0.1.2\n"
        "[list s.test/c]\ncode = 127.0.0.2\n[zone e.test]\nanswer = bitmask\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(dx_conf_zone(f->c, "m.test")->code_prefix, 0x7f000100);
    assert_int_equal(dx_conf_zone(f->c, "s.test")->code_prefix, 0x7f000000);
    assert_int_equal(dx_conf_zone(f->c, "e.test")->code_prefix, 0x7f000000);   /* no lists */
}

/* In a bitmask zone a policy code in use sets no bit of a list code: the
 * defaults (.254, .255) set them all, so such a zone sets its own. */
static void test_bitmask_zone_policy_codes_use_no_list_bit(void **state)
{
    struct fx *f = *state;
    char text[512];
#define BM(policy) snprintf(text, sizeof(text), "[zone m.test]\nanswer = bitmask\n%s" \
                            "[list m.test/a]\ncode = 127.0.0.2\n[list m.test/b]\n" \
                            "code = 127.0.0.8\n", policy)
    BM("blocked-clients = 192.0.2.0/24\n");
    expect_error(f, text, 1, "the default blocked-code 127.255.255.254 shares the bits 0x02 of "
                 "its last octet with code 127.0.0.2 of list 'a' (line 5): in bitmask zone "
                 "'m.test' a client testing that list's bit would read it as a listing; set a "
                 "blocked-code whose last octet uses only bits no list uses, such as "
                 "127.255.255.1");
    BM("query-limit = 100/1m\n");
    expect_error(f, text, 1, "the default limit-code 127.255.255.255 shares the bits 0x02");
    BM("query-keys = k.txt\nlimit-code = 127.255.255.9\n");
    expect_error(f, text, 4, "limit-code 127.255.255.9 shares the bits 0x08 of its last octet "
                 "with code 127.0.0.8 of list 'b' (line 8)");
    BM("query-keys = k.txt\nunknown-key = blocked\nlimit-code = 127.255.255.1\n"
       "blocked-code = 127.255.255.3\n");
    expect_error(f, text, 6, "blocked-code 127.255.255.3 shares the bits 0x02");
    /* fine: codes of their own, or a code not in use, or a separate zone */
    BM("blocked-clients = 192.0.2.0/24\nquery-limit = 100/1m\nblocked-code = 127.255.255.1\n"
       "limit-code = 127.255.255.0\n");
    int rc = load(f, text);
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    BM("query-keys = k.txt\nlimit-code = 127.255.255.245\n");   /* 0xf5; blocked-code unused */
    rc = load(f, text);
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
#undef BM
    rc = load(f, "[zone s.test]\nblocked-clients = 192.0.2.0/24\nquery-limit = 1/1s\n"
                 "[list s.test/a]\ncode = 127.0.0.2\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
}

static void test_entry_codes_obey_the_zone_rules(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[zone m.test]\nanswer = bitmask\n[list m.test/a]\ncode = 127.0.1.4\n"
                     "[zone s.test]\n[list s.test/a]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    struct dx_zone_conf *m = dx_conf_zone(f->c, "m.test"), *sz = dx_conf_zone(f->c, "s.test");
    char err[256];
    assert_int_equal(dx_conf_check_code(sz, 0x7f020304, err, sizeof(err)), 0);
    assert_int_equal(dx_conf_check_code(m, 0x7f000110, err, sizeof(err)), 0);
    assert_int_equal(dx_conf_check_code(m, 0x7f000104, err, sizeof(err)), 0);  /* may share bits */
    assert_int_equal(dx_conf_check_code(sz, 0x7f000001, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "code 127.0.0.1 is reserved"));
    assert_int_equal(dx_conf_check_code(m, 0x7fffff01, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "code 127.255.255.1 is reserved for error answers"));
    assert_int_equal(dx_conf_check_code(sz, 0x0a000002, err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "code 10.0.0.2 is outside 127.0.0.0/8");
    assert_int_equal(dx_conf_check_code(m, 0x7f000010, err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "code 127.0.0.16 does not share 127.0.1 with the list codes of "
                             "bitmask zone 'm.test'");
    assert_int_equal(dx_conf_check_code(m, 0x7f000100, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "sets no bit"));
    assert_int_equal(dx_conf_check_code(NULL, 0x7f000002, err, sizeof(err)), 0);
}

static void test_txt_templates_are_checked_at_load(void **state)
{
    struct fx *f = *state;
    expect_error(f, "[zone a.test]\ntxt = see $url\n", 2,
                 "txt: TXT has an unknown variable '$url' at offset 4 (known: $, $list, $zone, "
                 "$reason, $$)");
    expect_error(f, "[list a.test/x]\ntxt = $zone $lst\n[zone a.test]\n", 2,
                 "unknown variable '$lst' at offset 6");
    /* worst case: $ = 39 in an ip zone, 253 in a domain zone; $reason 1024;
     * the zone's template counts the longest list name */
    char *text = malloc(8192);
    assert_non_null(text);
    char *x = malloc(4200);
    assert_non_null(x);
    memset(x, 'x', 4200);
    snprintf(text, 8192, "[zone a.test]\ntxt = %.*s$\n", DX_TXT_MAX - DX_TXT_SUBJECT_IP_MAX, x);
    assert_int_equal(load(f, text), 0);
    snprintf(text, 8192, "[zone a.test]\nkind = domain\ntxt = %.*s$\n",
             DX_TXT_MAX - DX_TXT_SUBJECT_IP_MAX, x);
    expect_error(f, text, 3, "txt: TXT can expand to 4310 octets, more than 4096 ($ counts 253");
    snprintf(text, 8192, "[zone a.test]\n[list a.test/x]\ntxt = %.*s$reason\n",
             DX_TXT_MAX - DX_REASON_MAX + 1, x);
    expect_error(f, text, 3, "txt: TXT can expand to 4097 octets");
    snprintf(text, 8192, "[zone a.test]\ntxt = %.*s$list\n[list a.test/sixteen-chars-ok]\n"
             "[list a.test/x]\n", DX_TXT_MAX - 16, x);
    assert_int_equal(load(f, text), 0);
    snprintf(text, 8192, "[zone a.test]\ntxt = %.*s$list\n[list a.test/seventeen-chars-x]\n"
             "[list a.test/x]\n", DX_TXT_MAX - 16, x);
    expect_error(f, text, 2, "$list 17");
    free(text);
    free(x);
}

static void test_entry_txt_obeys_the_template_rules(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[zone a.test]\n[list a.test/abc]\n[zone d.test]\nkind = domain\n"
                     "[list d.test/abc]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    struct dx_list_conf *la = dx_conf_list(dx_conf_zone(f->c, "a.test"), "abc");
    struct dx_list_conf *ld = dx_conf_list(dx_conf_zone(f->c, "d.test"), "abc");
    char err[256];
    assert_int_equal(dx_conf_check_txt(la, "own text for $ in $list", err, sizeof(err)), 0);
    assert_int_equal(dx_conf_check_txt(la, "", err, sizeof(err)), 0);
    assert_int_equal(dx_conf_check_txt(la, "$oops", err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "unknown variable '$oops' at offset 0"));
    assert_int_equal(dx_conf_check_txt(la, "a\x1b[2J", err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "TXT contains a control character (0x1b) at offset 1");
    /* 4054 octets, $list (3) and $ (39 in an ip zone): exactly 4096 */
    char t[DX_TXT_MAX + 8];
    size_t lit = DX_TXT_MAX - 3 - DX_TXT_SUBJECT_IP_MAX;
    memset(t, 'x', lit);
    strcpy(t + lit, "$list$");
    assert_int_equal(dx_txt_worst_len(t, DX_TXT_SUBJECT_IP_MAX, 3, 6), DX_TXT_MAX);
    assert_int_equal(dx_conf_check_txt(la, t, err, sizeof(err)), 0);
    assert_int_equal(dx_conf_check_txt(ld, t, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "$ counts 253, $list 3, $zone 6"));
    assert_int_equal(dx_conf_check_txt(NULL, "x", err, sizeof(err)), DX_EINVAL);
}

/* ---- the file itself: BOM, line ends, control bytes ------------------------ */

static void test_a_bom_and_every_line_end_load(void **state)
{
    struct fx *f = *state;
    /* a UTF-8 byte order mark at the start is skipped */
    int rc = load(f, "\xef\xbb\xbf[zone a.test]\nttl = 60\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->zones[0].ttl, 60);
    rc = load(f, "\xef\xbb\xbf; a comment first\n[zone a.test]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    /* elsewhere it is data */
    expect_error(f, "[zone a.test]\n\xef\xbb\xbfttl = 60\n", 2, "unknown key");
    /* old Mac line ends (CR alone) are line ends; line numbers count them */
    rc = load(f, "[zone a.test]\rttl = 60\r\r[zone b.test]\rtxt = x ; comment\r");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->n_zones, 2);
    assert_int_equal(f->c->zones[0].ttl, 60);
    assert_string_equal(f->c->zones[1].txt, "x");
    assert_int_equal(f->c->zones[1].line, 4);
    expect_error(f, "[zone a.test]\r\rttl = soon\r", 3, "ttl: bad TTL");
    expect_error(f, "[zone a.test]\rttl = soon", 2, "ttl: bad TTL");   /* no final line end */
    /* CRLF, and a file without a final line end */
    rc = load(f, "[zone a.test]\r\nttl = 60\r\n\r\n[zone b.test]\r\nttl = 70");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->zones[1].ttl, 70);
    assert_int_equal(f->c->zones[1].line, 4);
    expect_error(f, "[zone a.test]\r\n\r\nttl = soon\r\n", 3, "ttl: bad TTL");
}

static void test_control_bytes_are_refused_with_their_column(void **state)
{
    struct fx *f = *state;
    expect_error(f, "[zone a.test]\ntxt = a\x1b[31mred\n", 2,
                 "control character 0x1b at column 8 (only tab is allowed)");
    expect_error(f, "[zone a.test]\ntxt = del\x7f\n", 2, "control character 0x7f");
    expect_error(f, "[zone a.test]\nt\x01xt = 1\n", 2, "control character 0x01 at column 2");
    expect_error(f, "[zone a\x02.test]\n", 1, "control character 0x02");
    expect_error(f, "[server]\nlisten = 127.0.0.1:53\x0c\n", 2, "control character 0x0c");
    /* tabs are blanks; comments are not values */
    int rc = load(f, "; \x1b comment\n[zone a.test]\nns = a.test\tb.test ; \x07 bell\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->zones[0].n_ns, 2);
    /* a tab in a TXT template is a TXT error (zones/txt.h), not a file one */
    expect_error(f, "[zone a.test]\ntxt = a\tb\n", 2,
                 "txt: TXT contains a control character (0x09) at offset 1");
}

static void test_web_and_removal_keys_have_defaults_and_bounds(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[zone bl.test]\n[list bl.test/a]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_string_equal(f->c->web.listen, "127.0.0.1:8080");
    assert_string_equal(f->c->web.title, "DNSxL lookup");
    assert_null(f->c->web.contact);
    assert_int_equal(f->c->web.trusted_proxy.n, 0);
    assert_int_equal(f->c->web.request_limit, 5);
    assert_int_equal(f->c->web.request_period, 3600);
    assert_int_equal(f->c->web.lookup_limit, 3600);
    assert_int_equal(f->c->web.lookup_period, 3600);
    assert_int_equal(f->c->web.pow_bits, 20);
    assert_null(f->c->web.secret);                          /* random per start */
    const struct dx_list_conf *l = &f->c->zones[0].lists[0];
    assert_int_equal(l->removal, DX_REMOVAL_NONE);          /* nothing written unless asked */
    assert_int_equal(l->removal_limit, 1);
    assert_int_equal(l->removal_period, 30 * 86400);
    assert_int_equal(l->removal_hold, 86400);
    assert_int_equal(l->public_reason, 1);
    assert_null(l->description);
    rc = load(f, "[web]\nlisten = [::1]:8443\ntitle = Example <Block> List\n"
                 "contact = abuse@example.org\ntrusted-proxy = 127.0.0.1, ::1\n"
                 "request-limit = 2/1d\nlookup-limit = none\nproof-of-work = 0\n"
                 "secret = keys/web\n"
                 "[zone bl.test]\n[list bl.test/a]\nremoval = self\nremoval-limit = 2/30d\n"
                 "removal-hold = 7d\npublic-reason = no\ndescription = Spam traps\n"
                 "[list bl.test/b]\nremoval = REVIEW\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_string_equal(f->c->web.listen, "[::1]:8443");
    assert_string_equal(f->c->web.title, "Example <Block> List");
    assert_string_equal(f->c->web.contact, "abuse@example.org");
    assert_int_equal(f->c->web.trusted_proxy.n, 2);
    assert_int_equal(f->c->web.request_limit, 2);
    assert_int_equal(f->c->web.request_period, 86400);
    assert_int_equal(f->c->web.lookup_limit, 0);           /* none */
    assert_int_equal(f->c->web.pow_bits, 0);
    assert_non_null(strstr(f->c->web.secret, "/keys/web"));
    l = &f->c->zones[0].lists[0];
    assert_int_equal(l->removal, DX_REMOVAL_SELF);
    assert_int_equal(l->removal_limit, 2);
    assert_int_equal(l->removal_hold, 7 * 86400);
    assert_int_equal(l->public_reason, 0);
    assert_string_equal(l->description, "Spam traps");
    assert_int_equal(f->c->zones[0].lists[1].removal, DX_REMOVAL_REVIEW);
    expect_error(f, "[web]\nlisten = 127.0.0.1\n", 2, "listen: ");
    expect_error(f, "[web]\nproof-of-work = 29\n", 2, "proof-of-work: bad value '29'");
    expect_error(f, "[web]\nrequest-limit = none\n", 2, "request-limit: bad limit 'none'");
    expect_error(f, "[web]\nlookup-limit = 5\n", 2, "lookup-limit: bad limit '5'");
    expect_error(f, "[web]\ntitle = a\tb\n", 2, "title: a control character (0x09) at offset 1");
    expect_error(f, "[web x]\n", 1, "section [web] takes no name");
    expect_error(f, "[web]\nfoo = 1\n", 2, "unknown key 'foo' in [web]");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nremoval = auto\n", 3,
                 "removal: bad value 'auto' (expected none, self or review)");
    expect_error(f, "[zone a.test]\n[list a.test/x]\npublic-reason = maybe\n", 3,
                 "public-reason: bad value 'maybe' (expected no or yes)");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nremoval-limit = 0/1d\n", 3,
                 "removal-limit: bad limit '0/1d'");
    expect_error(f, "[zone a.test]\n[list a.test/x]\nremoval-hold = 0\n", 3,
                 "removal-hold: duration '0' must be at least 1s");
}

static void test_observability_keys_have_defaults_and_bounds(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[server]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_null(f->c->server.metrics);
    assert_int_equal(f->c->server.heat, 0);
    assert_null(f->c->server.dnstap);
    assert_int_equal(f->c->server.tap_sample, 100);
    assert_int_equal(f->c->server.heat_sample, 100);
    assert_int_equal(f->c->server.heat_interval, 30);
    assert_null(f->c->stats);                               /* dnsxld's to set */
    rc = load(f, "[server]\nmetrics = 127.0.0.1:9153\nheat = yes\n"
                 "dnstap = unix:/run/dnstap.sock\ndnstap-sample = 1%\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_string_equal(f->c->server.metrics, "127.0.0.1:9153");
    assert_int_equal(f->c->server.heat, 1);
    assert_string_equal(f->c->server.dnstap, "unix:/run/dnstap.sock");
    assert_int_equal(f->c->server.tap_sample, 1);
    rc = load(f, "[server]\nmetrics = [::1]:9153\ndnstap = q.dnstap\ndnstap-sample = 25\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_string_equal(f->c->server.metrics, "[::1]:9153");
    assert_string_equal(f->c->server.dnstap, "q.dnstap");  /* dnsxld resolves it */
    assert_int_equal(f->c->server.tap_sample, 25);
    rc = load(f, "[server]\nheat = yes\nheat-sample = 10%\nheat-interval = 5m\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->server.heat_sample, 10);
    assert_int_equal(f->c->server.heat_interval, 300);
    expect_error(f, "[server]\nheat-sample = 0\n", 2, "heat-sample: bad value '0'");
    expect_error(f, "[server]\nheat-sample = 30%\n", 2,
                 "heat-sample: bad value '30%' (a share that divides 100: 1, 2, 4, 5, 10, 20, 25, "
                 "50 or 100%)");
    expect_error(f, "[server]\nheat-interval = 0\n", 2, "heat-interval: ");
    expect_error(f, "[server]\nheat-interval = 2h\n", 2, "heat-interval: ");
    expect_error(f, "[server]\nmetrics = 9153\n", 2, "metrics: ");
    expect_error(f, "[server]\nmetrics = 127.0.0.1\n", 2, "metrics: ");
    expect_error(f, "[server]\nheat = maybe\n", 2, "heat: bad value 'maybe' (expected no or yes)");
    expect_error(f, "[server]\ndnstap-sample = 0%\n", 2, "dnstap-sample: bad value '0%'");
    expect_error(f, "[server]\ndnstap-sample = 101%\n", 2, "dnstap-sample: bad value");
    expect_error(f, "[server]\ndnstap-sample = 0.5%\n", 2, "dnstap-sample: bad value");
    expect_error(f, "[server]\nmetrics = 127.0.0.1:1\nmetrics = 127.0.0.1:2\n", 3,
                 "metrics: duplicate key");
}

static void test_check_section(void **state)
{
    struct fx *f = *state;
    int rc = load(f, "[server]\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->check.addresses.n, 0);          /* no [check]: no checks */
    assert_null(f->c->check.lists);
    assert_int_equal(f->c->check.interval, 300);
    assert_int_equal(f->c->check.timeout, 5);
    rc = load(f, "[check]\naddress = 192.0.2.25\naddress = 2001:db8::25, 192.0.2.26\n"
                 "lists = check.lists\nserver = 127.0.0.1:5353\ninterval = 1m\ntimeout = 2s\n");
    if (rc)
        fail_msg("rc %d: %s", rc, f->err);
    assert_int_equal(f->c->check.addresses.n, 3);
    assert_int_equal(f->c->check.addresses.nets[1].family, DX_FAM_V6);
    char want[PATH_MAX + 32];
    snprintf(want, sizeof(want), "%s/check.lists", f->dir);
    assert_string_equal(f->c->check.lists, want);
    assert_string_equal(f->c->check.server, "127.0.0.1:5353");
    assert_int_equal(f->c->check.interval, 60);
    assert_int_equal(f->c->check.timeout, 2);
    expect_error(f, "[check]\naddress = example.org\n", 2, "address: bad address");
    expect_error(f, "[check]\ntimeout = 2m\n", 2, "timeout: ");
    expect_error(f, "[check]\nlists = a\nlists = b\n", 3, "lists: duplicate key");
    expect_error(f, "[check]\nlist = a\n", 2, "unknown key 'list' in [check]");
    expect_error(f, "[check x]\n", 1, "section [check] takes no name");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_example_config_loads_every_value),
        T(test_lists_by_name_are_sorted_by_name),
        T(test_zone_names_get_their_wire_form),
        T(test_soa_and_ns_names_know_the_labels_they_share_with_the_zone),
        T(test_defaults_fill_every_key_not_given),
        T(test_every_key_is_read_into_its_field),
        T(test_ttl_takes_durations_and_is_capped),
        T(test_comments_and_blanks_around_values_are_dropped),
        T(test_a_long_line_loads),
        T(test_lists_may_come_before_their_zone),
        T(test_bad_input_names_the_file_line_and_key),
        T(test_a_file_that_cannot_be_read_gives_errno_and_its_name),
        T(test_a_relative_database_is_relative_to_the_file),
        cmocka_unit_test(test_default_path_is_the_option_then_the_environment_then_etc),
        T(test_targets_name_a_zone_or_a_list),
        cmocka_unit_test(test_acls_match_the_addresses_they_contain),
        T(test_loading_again_gives_the_same_result),
        T(test_a_listen_address_and_port_given_twice_is_refused),
        T(test_never_list_zone_must_be_a_zone),
        T(test_reserved_codes_are_refused),
        T(test_bitmask_zone_codes_share_a_prefix_and_have_bits_of_their_own),
        T(test_bitmask_zone_policy_codes_use_no_list_bit),
        T(test_entry_codes_obey_the_zone_rules),
        T(test_txt_templates_are_checked_at_load),
        T(test_entry_txt_obeys_the_template_rules),
        T(test_a_bom_and_every_line_end_load),
        T(test_control_bytes_are_refused_with_their_column),
        T(test_loader_safety_keys_have_defaults_and_bounds),
        T(test_defence_keys_have_defaults_and_bounds),
        T(test_usage_policy_keys_have_defaults_and_bounds),
        T(test_web_and_removal_keys_have_defaults_and_bounds),
        T(test_observability_keys_have_defaults_and_bounds),
        T(test_check_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
