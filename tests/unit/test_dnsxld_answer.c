/* Unit tests: dnsxld/answer.c (phase 2 of answering: the records of a
 * resolved question) against hand-built results (struct dx_resolved) and a
 * config loaded from text: no store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsxld/answer.h"
#include "tests/unit/dns_fixture.h"
#include "zones/err.h"

#define T_NOW 1800000000u

static char g_dir[64];
static struct dx_conf *g_conf;

static const char conf_text[] =
    "[server]\n"
    "database = db\n"
    "[zone bl.example.org]\n"
    "ttl = 300\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
    "ns = ns1.example.org.\n"
    "ns = ns2.bl.example.org.\n"
    "[list bl.example.org/traps]\n"
    "code = 127.0.0.2\n"
    "[zone bm.example.org]\n"
    "ttl = 300\n"
    "answer = bitmask\n"
    "[list bm.example.org/a]\n"
    "code = 127.0.0.2\n"
    "[list bm.example.org/b]\n"
    "code = 127.0.0.4\n";

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-answer-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    char path[128], err[256] = "";
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(conf_text, f);
    fclose(f);
    int rc = dx_conf_load(path, &g_conf, err, sizeof(err));
    if (rc)
        fprintf(stderr, "conf: %s\n", err);
    assert_int_equal(rc, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dx_conf_free(g_conf);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A result for zone `zone` with outcome out and no hits yet. */
static void result(struct dx_resolved *r, const char *zone, enum dx_outcome out)
{
    memset(r, 0, sizeof(*r));
    r->out = out;
    r->now = T_NOW;
    r->serial = 4242;
    for (size_t i = 0; i < g_conf->n_zones; i++)
        if (strcmp(g_conf->zones[i].name, zone) == 0)
            r->zone = &g_conf->zones[i];
    assert_non_null(r->zone);
}

static void add_hit(struct dx_resolved *r, uint32_t code, const char *tmpl, const char *list,
                    const char *reason, uint64_t expires)
{
    struct dx_rhit h = { .code = code, .tmpl = tmpl, .list = list, .reason = reason,
                         .expires = expires };
    r->hit[r->n++] = h;
}

struct rr {
    uint16_t type;
    uint32_t ttl;
    size_t rdoff, rdlen;
};

struct reply {
    uint8_t buf[4096];
    size_t len;
    struct dx_answer_out o;
    struct rr rr[80];
    size_t n_rr;                        /* answer + authority */
};

/* Write the answer to "name qtype" as r says, with a writer limited to
 * `limit` bytes, and parse the records written. */
static void answer(const char *name, uint16_t qtype, const struct dx_resolved *r, size_t limit,
                   struct reply *p)
{
    struct dx_msg m;
    uint8_t q[DX_HDR_LEN + DX_NAME_MAX + 4];
    size_t ql = dns_question(name, qtype, q, &m);
    assert_true(ql > 0);
    memset(p, 0, sizeof(*p));
    struct dx_bytes w;
    dx_bytes_writer(&w, p->buf, limit);
    dx_put(&w, q, ql);                  /* a header placeholder and the question */
    assert_int_equal(w.err, 0);
    memset(&p->o, 0x5a, sizeof(p->o));
    dx_answer_write(&w, dx_bytes_mark(&w), &m.q, r, &p->o);
    assert_int_equal(w.err, 0);
    p->len = w.pos;
    struct dx_bytes b;
    dx_bytes_reader(&b, p->buf, p->len);
    b.pos = ql;
    for (size_t i = 0; i < (size_t)p->o.an + p->o.ns; i++) {
        uint8_t nm[DX_NAME_MAX];
        size_t nl;
        assert_int_equal(dx_wire_get_name(&b, nm, &nl), 0);
        struct rr *rr = &p->rr[p->n_rr++];
        rr->type = dx_get_u16(&b);
        assert_int_equal(dx_get_u16(&b), DX_C_IN);
        rr->ttl = dx_get_u32(&b);
        rr->rdlen = dx_get_u16(&b);
        rr->rdoff = b.pos;
        dx_skip(&b, rr->rdlen);
        assert_int_equal(b.err, 0);
    }
    assert_int_equal(b.pos, p->len);    /* nothing else written */
}

static uint32_t rd_u32(const struct reply *p, const struct rr *rr, size_t at)
{
    return dx_be32(p->buf + rr->rdoff + at);
}

/* The text of a TXT RR, its character-strings joined. */
static void txt_text(const struct reply *p, const struct rr *rr, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < rr->rdlen;) {
        size_t l = p->buf[rr->rdoff + i];
        memcpy(out + n, p->buf + rr->rdoff + i + 1, l);
        n += l;
        i += 1 + l;
    }
    out[n] = 0;
}

static void test_a_rrset_holds_each_code_once(void **state)
{
    (void)state;
    struct dx_resolved r;
    result(&r, "bl.example.org", DX_OUT_LISTED);
    add_hit(&r, 0x7f000004u, NULL, "manual", NULL, 0);
    add_hit(&r, 0x7f000002u, NULL, "reports", NULL, 0);
    add_hit(&r, 0x7f000004u, NULL, "traps", NULL, 0);
    struct reply p;
    answer("99.2.0.192.bl.example.org", DX_T_A, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.rcode, DX_RC_NOERROR);
    assert_true(p.o.aa);
    assert_false(p.o.tc);
    assert_int_equal(p.o.an, 2);
    assert_int_equal(p.o.ns, 0);
    assert_int_equal(p.rr[0].type, DX_T_A);
    assert_int_equal(p.rr[0].ttl, 300);
    assert_int_equal(rd_u32(&p, &p.rr[0], 0), 0x7f000004u);
    assert_int_equal(rd_u32(&p, &p.rr[1], 0), 0x7f000002u);
}

static void test_ttl_is_capped_by_the_soonest_expiry(void **state)
{
    (void)state;
    struct dx_resolved r;
    struct reply p;
    result(&r, "bl.example.org", DX_OUT_LISTED);
    add_hit(&r, 0x7f000002u, "a $", "a", NULL, T_NOW + 100);
    add_hit(&r, 0x7f000003u, NULL, "b", NULL, T_NOW + 10);     /* no TXT: caps A only */
    answer("99.2.0.192.bl.example.org", DX_T_ANY, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.an, 3);
    assert_int_equal(p.rr[0].ttl, 10);
    assert_int_equal(p.rr[1].ttl, 10);
    assert_int_equal(p.rr[2].type, DX_T_TXT);
    assert_int_equal(p.rr[2].ttl, 100);
    result(&r, "bl.example.org", DX_OUT_LISTED);
    add_hit(&r, 0x7f000002u, NULL, "a", NULL, T_NOW - 5);      /* expired since: 1 s */
    answer("99.2.0.192.bl.example.org", DX_T_A, &r, sizeof(p.buf), &p);
    assert_int_equal(p.rr[0].ttl, 1);
}

static void test_bitmask_zone_answers_one_a(void **state)
{
    (void)state;
    struct dx_resolved r;
    struct reply p;
    result(&r, "bm.example.org", DX_OUT_LISTED);
    add_hit(&r, 0x7f000002u, NULL, "a", NULL, 0);
    add_hit(&r, 0x7f000004u, NULL, "b", NULL, 0);
    add_hit(&r, 0x7f020210u, NULL, "c", NULL, 0);   /* an own code: its last octet only */
    answer("1.2.0.192.bm.example.org", DX_T_A, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.an, 1);
    assert_int_equal(rd_u32(&p, &p.rr[0], 0), 0x7f000016u);
}

static void test_txt_expands_per_hit_and_holds_each_text_once(void **state)
{
    (void)state;
    struct dx_resolved r;
    struct reply p;
    char t[1024];
    result(&r, "bl.example.org", DX_OUT_LISTED);
    r.subject = "192.0.2.99";
    add_hit(&r, 0x7f000002u, "$ in $list of $zone: $reason", "manual", "by hand", 0);
    add_hit(&r, 0x7f000002u, NULL, "nothing", NULL, 0);        /* no TXT */
    add_hit(&r, 0x7f000003u, "same", "reports", NULL, 0);
    add_hit(&r, 0x7f000004u, "same", "traps", NULL, 0);         /* the same text: once */
    answer("99.2.0.192.bl.example.org", DX_T_TXT, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.an, 2);
    txt_text(&p, &p.rr[0], t);
    assert_string_equal(t, "192.0.2.99 in manual of bl.example.org: by hand");
    txt_text(&p, &p.rr[1], t);
    assert_string_equal(t, "same");
    /* a text longer than 255 octets is split into character-strings */
    char long_t[600];
    memset(long_t, 'x', 599);
    long_t[599] = 0;
    result(&r, "bl.example.org", DX_OUT_LISTED);
    r.subject = "192.0.2.99";
    add_hit(&r, 0x7f000002u, long_t, "traps", NULL, 0);
    answer("99.2.0.192.bl.example.org", DX_T_TXT, &r, sizeof(p.buf), &p);
    assert_int_equal(p.rr[0].rdlen, 599 + 3);
    assert_int_equal(p.buf[p.rr[0].rdoff], 255);
    assert_int_equal(p.buf[p.rr[0].rdoff + 256], 255);
    assert_int_equal(p.buf[p.rr[0].rdoff + 512], 89);
    txt_text(&p, &p.rr[0], t);
    assert_string_equal(t, long_t);
}

static void test_answer_that_does_not_fit_is_truncated_to_the_question(void **state)
{
    (void)state;
    struct dx_resolved r;
    struct reply p;
    result(&r, "bl.example.org", DX_OUT_LISTED);
    r.subject = "192.0.2.99";
    char t[200];
    memset(t, 'y', 199);
    t[199] = 0;
    add_hit(&r, 0x7f000002u, t, "a", NULL, 0);
    add_hit(&r, 0x7f000003u, "other", "b", NULL, 0);
    struct dx_msg m;
    uint8_t q[DX_HDR_LEN + DX_NAME_MAX + 4];
    size_t ql = dns_question("99.2.0.192.bl.example.org", DX_T_ANY, q, &m);
    answer("99.2.0.192.bl.example.org", DX_T_ANY, &r, ql + 250, &p);
    assert_true(p.o.tc);
    assert_true(p.o.aa);
    assert_int_equal(p.o.an, 0);
    assert_int_equal(p.len, ql);
}

static void test_negative_answers_carry_the_soa(void **state)
{
    (void)state;
    struct dx_resolved r;
    struct reply p;
    result(&r, "bl.example.org", DX_OUT_NXDOMAIN);
    answer("98.2.0.192.bl.example.org", DX_T_A, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.rcode, DX_RC_NXDOMAIN);
    assert_true(p.o.aa);
    assert_int_equal(p.o.an, 0);
    assert_int_equal(p.o.ns, 1);
    assert_int_equal(p.rr[0].type, DX_T_SOA);
    assert_int_equal(p.rr[0].ttl, 120);                 /* min(ttl, SOA minimum) */
    /* the two names, then serial, refresh, retry, expire, minimum */
    size_t names = p.rr[0].rdlen - 20;
    assert_int_equal(rd_u32(&p, &p.rr[0], names), 4242);
    assert_int_equal(rd_u32(&p, &p.rr[0], names + 16), 120);
    result(&r, "bl.example.org", DX_OUT_NODATA);
    answer("2.0.192.bl.example.org", DX_T_A, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.rcode, DX_RC_NOERROR);
    assert_int_equal(p.o.ns, 1);
    /* the SOA does not fit: dropped, TC, the rcode stays */
    struct dx_msg m;
    uint8_t q[DX_HDR_LEN + DX_NAME_MAX + 4];
    size_t ql = dns_question("98.2.0.192.bl.example.org", DX_T_A, q, &m);
    result(&r, "bl.example.org", DX_OUT_NXDOMAIN);
    answer("98.2.0.192.bl.example.org", DX_T_A, &r, ql + 20, &p);
    assert_int_equal(p.o.rcode, DX_RC_NXDOMAIN);
    assert_true(p.o.tc);
    assert_int_equal(p.o.ns, 0);
    assert_int_equal(p.len, ql);
}

static void test_apex_answers_soa_and_ns(void **state)
{
    (void)state;
    struct dx_resolved r;
    struct reply p;
    result(&r, "bl.example.org", DX_OUT_APEX);
    answer("bl.example.org", DX_T_SOA, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.an, 1);
    assert_int_equal(p.rr[0].type, DX_T_SOA);
    assert_int_equal(p.rr[0].ttl, 300);
    answer("bl.example.org", DX_T_NS, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.an, 2);
    assert_int_equal(p.rr[0].type, DX_T_NS);
    assert_int_equal(p.rr[1].type, DX_T_NS);
    answer("bl.example.org", DX_T_ANY, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.an, 3);
    assert_int_equal(p.o.ns, 0);
    assert_int_equal(p.o.rcode, DX_RC_NOERROR);
}

static void test_refused_and_servfail_write_nothing(void **state)
{
    (void)state;
    struct dx_resolved r;
    struct reply p;
    result(&r, "bl.example.org", DX_OUT_SERVFAIL);
    answer("99.2.0.192.bl.example.org", DX_T_A, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.rcode, DX_RC_SERVFAIL);
    assert_false(p.o.aa);
    assert_false(p.o.tc);
    assert_int_equal(p.o.an + p.o.ns, 0);
    memset(&r, 0, sizeof(r));
    r.out = DX_OUT_REFUSED;                             /* no zone */
    answer("99.2.0.192.example.com", DX_T_A, &r, sizeof(p.buf), &p);
    assert_int_equal(p.o.rcode, DX_RC_REFUSED);
    assert_false(p.o.aa);
    assert_int_equal(p.o.an + p.o.ns, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_rrset_holds_each_code_once),
        cmocka_unit_test(test_ttl_is_capped_by_the_soonest_expiry),
        cmocka_unit_test(test_bitmask_zone_answers_one_a),
        cmocka_unit_test(test_txt_expands_per_hit_and_holds_each_text_once),
        cmocka_unit_test(test_answer_that_does_not_fit_is_truncated_to_the_question),
        cmocka_unit_test(test_negative_answers_carry_the_soa),
        cmocka_unit_test(test_apex_answers_soa_and_ns),
        cmocka_unit_test(test_refused_and_servfail_write_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
