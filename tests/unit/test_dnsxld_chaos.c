/* Unit tests for dnsxld/chaos.c through dx_query_answer: CHAOS TXT
 * id.server, hostname.bind, version.bind, version.server with identity and
 * version set (the TXT, class CH, TTL 0, AA, any case, over TCP too) and
 * unset (REFUSED, EDE 18), other CH names (REFUSED, EDE 20). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsxld/ede.h"
#include "dnsxld/query.h"
#include "dnsxld/wire.h"
#include "tests/unit/dns_fixture.h"

static char g_dir[64];

static struct dx_conf *conf(const char *server)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "[server]\ndatabase = db\n%s\n[zone bl.example.org]\n", server);
    fclose(f);
    struct dx_conf *c = NULL;
    if (dx_conf_load(path, &c, err, sizeof(err)))
        fail_msg("%s", err);
    return c;
}

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-chaos-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    unlink(path);
    rmdir(g_dir);
    return 0;
}

struct ch {
    unsigned rcode;
    bool aa;
    unsigned an;
    uint16_t cls;
    uint32_t ttl;
    char txt[300];
    int ede;
};

static struct ch ask(const struct dx_conf *c, const char *name, uint16_t qtype,
                     enum dx_transport tr)
{
    uint8_t q[300], resp[1024];
    size_t nl;
    memset(q, 0, 12);
    q[5] = 1;
    q[11] = 1;
    assert_int_equal(dx_name_from_text(name, q + 12, &nl), 0);
    size_t n = 12 + nl;
    q[n++] = (uint8_t)(qtype >> 8);
    q[n++] = (uint8_t)qtype;
    q[n++] = 0;
    q[n++] = DX_C_CH;
    const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
    memcpy(q + n, opt, sizeof(opt));
    n += sizeof(opt);
    struct dx_qctx qc = { .conf = c, .now = 1800000000 };   /* no store needed */
    size_t len = dx_query_answer(&qc, q, n, resp, sizeof(resp), tr, NULL);
    assert_true(len >= 12);
    struct ch a;
    memset(&a, 0, sizeof(a));
    a.ede = -1;
    struct dx_bytes r;
    dx_bytes_reader(&r, resp, len);
    dx_skip(&r, 2);
    uint16_t flags = dx_get_u16(&r);
    a.rcode = flags & 0xf;
    a.aa = flags & 0x0400;
    dx_skip(&r, 2);
    a.an = dx_get_u16(&r);
    dx_skip(&r, 2);
    uint16_t ar = dx_get_u16(&r);
    uint8_t nm[DX_NAME_MAX];
    size_t nml;
    assert_int_equal(dx_wire_get_name(&r, nm, &nml), 0);
    dx_skip(&r, 4);
    for (unsigned i = 0; i < a.an + ar; i++) {
        assert_int_equal(dx_wire_get_name(&r, nm, &nml), 0);
        uint16_t type = dx_get_u16(&r), cls = dx_get_u16(&r);
        uint32_t ttl = dx_get_u32(&r);
        uint16_t rdlen = dx_get_u16(&r);
        const uint8_t *rd = dx_get_ptr(&r, rdlen);
        assert_int_equal(r.err, 0);
        if (type == DX_T_TXT) {
            a.cls = cls;
            a.ttl = ttl;
            assert_int_equal(rd[0] + 1, rdlen);
            memcpy(a.txt, rd + 1, rd[0]);
            assert_true(dx_name_equal(nm, nml, q + 12, nl));    /* owner: the question */
        } else if (type == DX_T_OPT && rdlen >= 6) {
            assert_int_equal(dx_be16(rd), DX_OPT_EDE);
            a.ede = dx_be16(rd + 4);
        }
    }
    assert_int_equal(r.pos, len);
    return a;
}

static void test_identity_and_version_are_answered_when_set(void **state)
{
    (void)state;
    struct dx_conf *c = conf("identity = ns1.example.org (node 7)\nversion = dnsxld 1.2");
    static const struct { const char *name; const char *text; } q[] = {
        { "id.server", "ns1.example.org (node 7)" },
        { "HOSTNAME.BIND", "ns1.example.org (node 7)" },
        { "version.bind", "dnsxld 1.2" },
        { "Version.Server.", "dnsxld 1.2" },
    };
    for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
        for (int tr = 0; tr < 2; tr++) {
            struct ch a = ask(c, q[i].name, DX_T_TXT, tr ? DX_TCP : DX_UDP);
            assert_int_equal(a.rcode, DX_RC_NOERROR);
            assert_true(a.aa);
            assert_int_equal(a.an, 1);
            assert_int_equal(a.cls, DX_C_CH);
            assert_int_equal(a.ttl, 0);
            assert_string_equal(a.txt, q[i].text);
            assert_int_equal(a.ede, -1);
        }
    }
    struct ch a = ask(c, "version.bind", DX_T_ANY, DX_UDP);
    assert_string_equal(a.txt, "dnsxld 1.2");
    a = ask(c, "version.bind", DX_T_A, DX_UDP);         /* no such type: no records */
    assert_int_equal(a.rcode, DX_RC_NOERROR);
    assert_int_equal(a.an, 0);
    a = ask(c, "bl.example.org", DX_T_TXT, DX_UDP);     /* not a CH name we answer */
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_int_equal(a.ede, DX_EDE_NOT_AUTHORITATIVE);
    a = ask(c, "authors.bind", DX_T_TXT, DX_UDP);
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    a = ask(c, "x.id.server", DX_T_TXT, DX_UDP);
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    dx_conf_free(c);
}

static void test_unset_ones_are_refused(void **state)
{
    (void)state;
    struct dx_conf *c = conf("version = v");
    struct ch a = ask(c, "id.server", DX_T_TXT, DX_UDP);
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_false(a.aa);
    assert_int_equal(a.an, 0);
    assert_int_equal(a.ede, DX_EDE_PROHIBITED);
    a = ask(c, "hostname.bind", DX_T_TXT, DX_UDP);
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_string_equal(ask(c, "version.server", DX_T_TXT, DX_UDP).txt, "v");
    dx_conf_free(c);
    c = conf("");
    assert_int_equal(ask(c, "version.bind", DX_T_TXT, DX_UDP).rcode, DX_RC_REFUSED);
    dx_conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_version_are_answered_when_set),
        cmocka_unit_test(test_unset_ones_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
