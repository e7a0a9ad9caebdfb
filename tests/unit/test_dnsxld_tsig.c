/* TSIG (dnsxld/tsig.h) against vectors computed independently with
 * dnspython (tests/unit/tsig_vectors.py prints them): requests signed by
 * dnspython verify; the MACs we compute for a response (on the request's
 * MAC) and for the next message of it (on the previous MAC, timers only)
 * are dnspython's; every error RFC 8945 names is found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsxld/tsig.h"
#include "zones/bytes.h"

#define T 1700000000u

static const char SECRET[] = "secret-key-for-the-tests-1234567890";

static const char *REQ_HEX[2] = {
    "12340000000100000000000102626c04746573740000fc0001077866722d6b65790000fa00ff0000000000"
    "3d0b686d61632d7368613235360000006553f100012c0020a15ac0cc4bc8d3b14c75e1c6a5cff1f5ea9473"
    "f2fdf9d2fb1bb0b45e04f66dfa123400000000",
    "12340000000100000000000102626c04746573740000fc0001077866722d6b65790000fa00ff0000000000"
    "5d0b686d61632d7368613531320000006553f100012c0040f01d9f9b4ea7f72a62ca6a61a2fd75019e8632"
    "58afe2f2942c434f0d9657428eabcf146a13f3e1ec965d9ca727f110b9014081384369ff78fbc303f76cbb"
    "2b93123400000000",
};
static const char *REQ_MAC[2] = {
    "a15ac0cc4bc8d3b14c75e1c6a5cff1f5ea9473f2fdf9d2fb1bb0b45e04f66dfa",
    "f01d9f9b4ea7f72a62ca6a61a2fd75019e863258afe2f2942c434f0d9657428eabcf146a13f3e1ec965d9ca7"
    "27f110b9014081384369ff78fbc303f76cbb2b93",
};
static const char *R1_MAC[2] = {
    "9ac159979dfe016d90a49125359f5b6b4c60ceeb4bdcbf00dbbafae2790e399f",
    "8f01e5b656bdb97316e16b5d0455b5b8d0bf5a1beddefdd31eb01d4bc08d020557b23fcad9ddd705bcf98afd"
    "a111ec6c22b5bf28bf4b1ae098b6e13248028482",
};
static const char *R2_MAC[2] = {
    "8dbae0d0612843aa614d1d9dadaadcdf03946afd5d015b0f6911d272f8ec7898",
    "12f95638e49022f42f419d5faf8279e34e34dab5c52e6b19957050f990dbe7927ea162b8b3c997b9c0e4c594"
    "c14dcb9ddf6f86671320e38f6be21fbd14f5a31a",
};
static const char R1_HEX[] = "123484000001000100000000" "02626c047465737400" "00fc0001"
                             "c00c000100010000012c00047f000002";
static const char R2_HEX[] = "123484000000000100000000"
                             "02626c047465737400000100010000012c00047f000004";

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

struct fx {
    struct dx_key_conf key;
    struct dx_conf conf;
};

static void key_init(struct fx *f, int alg, const char *name)
{
    memset(f, 0, sizeof(*f));
    f->key.alg = alg;
    f->key.secret = (uint8_t *)SECRET;
    f->key.secret_len = strlen(SECRET);
    size_t l = strlen(name);
    f->key.wire[0] = (uint8_t)l;
    memcpy(f->key.wire + 1, name, l);
    f->key.wire_len = l + 2;
    f->conf.keys = &f->key;
    f->conf.n_keys = 1;
}

static void test_verify_vectors(void **state)
{
    (void)state;
    for (int alg = 0; alg < 2; alg++) {
        struct fx f;
        key_init(&f, alg, "xfr-key");
        uint8_t msg[512], mac[64];
        size_t n = unhex(REQ_HEX[alg], msg), ml = unhex(REQ_MAC[alg], mac);
        struct dx_tsig t;
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_OK);
        assert_ptr_equal(t.key, &f.key);
        assert_int_equal(t.mac_len, ml);
        assert_memory_equal(t.mac, mac, ml);
        assert_int_equal(t.time_signed, T);
        assert_int_equal(t.fudge, 300);
        assert_int_equal(t.at, 25);          /* header + question */
        /* the fudge window, both ways, then BADTIME */
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T + 300, &t), DX_TSIG_OK);
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T - 300, &t), DX_TSIG_OK);
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T + 301, &t),
                         DX_TSIG_BADTIME);
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T - 301, &t),
                         DX_TSIG_BADTIME);
        /* a forwarder's new ID: the original ID is what was signed */
        msg[0] = 0x77;
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_OK);
        msg[0] = 0x12;
        /* one bit of the question, or of the MAC */
        msg[14] ^= 1;
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_BADSIG);
        msg[14] ^= 1;
        msg[n - 10] ^= 0x80;
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_BADSIG);
        msg[n - 10] ^= 0x80;
        /* another secret */
        f.key.secret_len--;
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_BADSIG);
        f.key.secret_len++;
        /* the same name under the other algorithm, and a name we do not have */
        f.key.alg = !alg;
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_BADKEY);
        assert_null(t.key);
        key_init(&f, alg, "other-key");
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_BADKEY);
        /* the key name in another case is the same key */
        key_init(&f, alg, "XFR-Key");
        assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_OK);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    struct fx f;
    key_init(&f, DX_TSIG_HMAC_SHA256, "xfr-key");
    uint8_t msg[600];
    size_t n = unhex(REQ_HEX[0], msg);
    struct dx_tsig t;
    /* no TSIG at all */
    uint8_t q[64];
    memcpy(q, msg, 25);
    q[11] = 0;
    assert_int_equal(dx_tsig_verify(q, 25, &f.conf, NULL, 0, false, T, &t), DX_TSIG_NONE);
    /* cut anywhere inside the TSIG */
    for (size_t cut = 26; cut < n; cut += 7) {
        assert_int_equal(dx_tsig_verify(msg, cut, &f.conf, NULL, 0, false, T, &t),
                         DX_TSIG_FORMERR);
    }
    /* not the last record: an A record after it */
    uint8_t two[700];
    memcpy(two, msg, n);
    static const uint8_t a[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 };
    memcpy(two + n, a, sizeof(a));
    two[11] = 2;
    assert_int_equal(dx_tsig_verify(two, n + sizeof(a), &f.conf, NULL, 0, false, T, &t),
                     DX_TSIG_FORMERR);
    /* in the answer section */
    memcpy(two, msg, n);
    two[7] = 1;
    two[11] = 0;
    assert_int_equal(dx_tsig_verify(two, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_FORMERR);
    /* class IN */
    memcpy(two, msg, n);
    two[25 + 9 + 3] = 1;
    assert_int_equal(dx_tsig_verify(two, n, &f.conf, NULL, 0, false, T, &t), DX_TSIG_FORMERR);
    /* a truncated MAC: 16 bytes verify but are not full (BADTRUNC), 8 are too few */
    size_t macsz = 25 + 9 + 10 + 13 + 6 + 2;     /* offset of the MAC size */
    assert_int_equal(dx_be16(msg + macsz), 32);
    for (size_t keep = 16; keep >= 8; keep -= 8) {
        memcpy(two, msg, macsz);
        dx_set_be16(two + macsz, (uint16_t)keep);
        memcpy(two + macsz + 2, msg + macsz + 2, keep);
        memcpy(two + macsz + 2 + keep, msg + macsz + 2 + 32, 6);
        dx_set_be16(two + 25 + 9 + 8, (uint16_t)(dx_be16(msg + 25 + 9 + 8) - (32 - keep)));
        size_t tn = n - (32 - keep);
        assert_int_equal(dx_tsig_verify(two, tn, &f.conf, NULL, 0, false, T, &t),
                         keep == 16 ? DX_TSIG_BADTRUNC : DX_TSIG_FORMERR);
    }
}

/* A two-message response, signed as a server signs a transfer. */
static void test_sign_vectors(void **state)
{
    (void)state;
    for (int alg = 0; alg < 2; alg++) {
        struct fx f;
        key_init(&f, alg, "xfr-key");
        uint8_t req_mac[64], want[64], buf[1024], m1[64], m2[64];
        size_t rml = unhex(REQ_MAC[alg], req_mac), l1, l2;
        struct dx_bytes b;
        dx_bytes_writer(&b, buf, sizeof(buf));
        b.pos = unhex(R1_HEX, buf);
        assert_int_equal(dx_tsig_sign(&b, &f.key, req_mac, rml, false, T, 0, NULL, 0, m1, &l1), 0);
        assert_int_equal(l1, unhex(R1_MAC[alg], want));
        assert_memory_equal(m1, want, l1);
        assert_int_equal(dx_be16(buf + 10), 1);       /* counted in ARCOUNT */
        struct dx_tsig t;
        assert_int_equal(dx_tsig_verify(buf, b.pos, &f.conf, req_mac, rml, false, T, &t),
                         DX_TSIG_OK);
        assert_int_equal(dx_tsig_verify(buf, b.pos, &f.conf, NULL, 0, false, T, &t),
                         DX_TSIG_BADSIG);               /* without the request's MAC */
        dx_bytes_writer(&b, buf, sizeof(buf));
        b.pos = unhex(R2_HEX, buf);
        assert_int_equal(dx_tsig_sign(&b, &f.key, m1, l1, true, T, 0, NULL, 0, m2, &l2), 0);
        assert_int_equal(l2, unhex(R2_MAC[alg], want));
        assert_memory_equal(m2, want, l2);
        assert_int_equal(dx_tsig_verify(buf, b.pos, &f.conf, m1, l1, true, T, &t), DX_TSIG_OK);
        assert_int_equal(dx_tsig_verify(buf, b.pos, &f.conf, m1, l1, false, T, &t),
                         DX_TSIG_BADSIG);               /* all variables, not the timers */
    }
}

/* BADTIME answers carry the server's time in Other; BADKEY/BADSIG are unsigned. */
static void test_error_records(void **state)
{
    (void)state;
    struct fx f;
    key_init(&f, DX_TSIG_HMAC_SHA256, "xfr-key");
    uint8_t msg[512], buf[1024];
    size_t n = unhex(REQ_HEX[0], msg);
    struct dx_tsig req, t;
    assert_int_equal(dx_tsig_verify(msg, n, &f.conf, NULL, 0, false, T + 1000, &req),
                     DX_TSIG_BADTIME);
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, sizeof(buf));
    memcpy(buf, msg, req.at);
    buf[2] |= 0x80;
    buf[3] = 9;                                       /* NOTAUTH */
    dx_set_be16(buf + 10, 0);
    b.pos = req.at;
    uint8_t other[6];
    dx_set_be16(other, 0);
    dx_set_be32(other + 2, T + 1000);
    assert_int_equal(dx_tsig_sign(&b, &f.key, req.mac, req.mac_len, false, req.time_signed,
                                  DX_TSIG_BADTIME, other, 6, NULL, NULL), 0);
    assert_int_equal(dx_tsig_verify(buf, b.pos, &f.conf, req.mac, req.mac_len, false, T, &t),
                     DX_TSIG_OK);
    assert_int_equal(t.error, DX_TSIG_BADTIME);
    assert_int_equal(t.time_signed, T);

    dx_bytes_writer(&b, buf, sizeof(buf));
    memcpy(buf, msg, req.at);
    dx_set_be16(buf + 10, 0);
    b.pos = req.at;
    assert_int_equal(dx_tsig_unsigned(&b, &req, DX_TSIG_BADSIG), 0);
    assert_int_equal(dx_be16(buf + 10), 1);
    assert_int_equal(dx_tsig_verify(buf, b.pos, &f.conf, NULL, 0, false, T, &t),
                     DX_TSIG_FORMERR);                  /* MAC size 0: nothing to verify */
    assert_int_equal(t.error, DX_TSIG_BADSIG);
    assert_int_equal(t.mac_len, 0);
    /* no room: the writer's error, the message untouched in its counts */
    dx_bytes_writer(&b, buf, req.at + 20);
    memcpy(buf, msg, req.at);
    dx_set_be16(buf + 10, 0);
    b.pos = req.at;
    assert_int_equal(dx_tsig_sign(&b, &f.key, NULL, 0, false, T, 0, NULL, 0, NULL, NULL),
                     DX_ERANGE);
    assert_int_equal(dx_be16(buf + 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_vectors),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_sign_vectors),
        cmocka_unit_test(test_error_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
