/* Unit tests: dnsxld/wire.c (names, message parsing, compression; the
 * cursor itself: test_zones_bytes.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "dnsxld/wire.h"
#include "zones/err.h"

static void test_header_patch_then_get_round_trips(void **state)
{
    (void)state;
    uint8_t out[16];
    struct dx_bytes w;
    dx_bytes_writer(&w, out, sizeof(out));
    struct dx_hdr h = { 0x1234, 0x8583, 1, 2, 3, 4 }, g;
    dx_hdr_patch(&w, &h);                   /* nothing written yet */
    assert_int_equal(w.err, DX_EINVAL);
    dx_bytes_writer(&w, out, sizeof(out));
    dx_put_zero(&w, DX_HDR_LEN);
    dx_put_u8(&w, 0xaa);
    dx_hdr_patch(&w, &h);
    assert_int_equal(w.err, 0);
    assert_int_equal(w.pos, 13);            /* the cursor stays */
    assert_memory_equal(out, "\x12\x34\x85\x83\x00\x01\x00\x02\x00\x03\x00\x04\xaa", 13);

    struct dx_bytes r;
    dx_bytes_reader(&r, out, 13);
    dx_hdr_get(&r, &g);
    assert_int_equal(r.err, 0);
    assert_memory_equal(&g, &h, sizeof(h));
    dx_bytes_reader(&r, out, 11);
    dx_hdr_get(&r, &g);
    assert_int_equal(r.err, DX_ESHORT);
}

static void test_opt_record_carries_payload_extended_rcode_and_do(void **state)
{
    (void)state;
    uint8_t out[DX_OPT_LEN + 1];
    struct dx_bytes w;
    dx_bytes_writer(&w, out, sizeof(out));
    dx_opt_put(&w, 1232, DX_RC_BADVERS, true);   /* rcode 16: extended rcode 1 */
    assert_int_equal(w.err, 0);
    assert_int_equal(w.pos, DX_OPT_LEN);
    assert_memory_equal(out, "\x00\x00\x29\x04\xd0\x01\x00\x80\x00\x00\x00", DX_OPT_LEN);
    dx_bytes_writer(&w, out, sizeof(out));
    dx_opt_put(&w, 512, DX_RC_NXDOMAIN, false);
    assert_memory_equal(out, "\x00\x00\x29\x02\x00\x00\x00\x00\x00\x00\x00", DX_OPT_LEN);
    dx_bytes_writer(&w, out, DX_OPT_LEN - 1);    /* does not fit */
    dx_opt_put(&w, 512, 0, false);
    assert_int_equal(w.err, DX_ERANGE);
}

static void test_name_unpack_reads_a_name_keeping_its_case(void **state)
{
    (void)state;
    const uint8_t pkt[] = "\x03" "WwW" "\x07" "example" "\x03" "org" "\x00" "\xff";
    uint8_t out[DX_NAME_MAX];
    size_t ol, next;
    assert_int_equal(dx_name_unpack(pkt, sizeof(pkt) - 1, 0, out, &ol, &next), 0);
    assert_int_equal(ol, 17);
    assert_int_equal(next, 17);
    assert_memory_equal(out, pkt, 17);             /* case kept */
    /* root */
    assert_int_equal(dx_name_unpack(pkt, sizeof(pkt) - 1, 16, out, &ol, &next), 0);
    assert_int_equal(ol, 1);
    assert_int_equal(next, 17);
    /* truncated */
    assert_int_equal(dx_name_unpack(pkt, 10, 0, out, &ol, &next), DX_EINVAL);
}

static void test_name_unpack_follows_backward_pointers(void **state)
{
    (void)state;
    /* 0: example.org. ; 13: www + ptr(0) ; 19: mail + ptr(13) */
    uint8_t pkt[64];
    size_t n = 0;
    memcpy(pkt, "\x07" "example" "\x03" "org" "\x00", 13);
    n = 13;
    memcpy(pkt + n, "\x03" "www" "\xc0\x00", 6);
    n += 6;
    memcpy(pkt + n, "\x04" "mail" "\xc0\x0d", 7);
    n += 7;
    pkt[n++] = 0xaa;
    uint8_t out[DX_NAME_MAX];
    size_t ol, next;
    assert_int_equal(dx_name_unpack(pkt, n, 19, out, &ol, &next), 0);
    assert_int_equal(next, 26);
    assert_int_equal(ol, 22);
    assert_memory_equal(out, "\x04" "mail" "\x03" "www" "\x07" "example" "\x03" "org" "\x00", 22);

    /* cursor form advances past the first pointer */
    struct dx_bytes w;
    dx_bytes_reader(&w, pkt, n);
    w.pos = 13;
    assert_int_equal(dx_wire_get_name(&w, out, &ol), 0);
    assert_int_equal(w.pos, 19);
    assert_int_equal(ol, 17);
}

static void test_name_unpack_refuses_loops_forward_and_cut_pointers(void **state)
{
    (void)state;
    uint8_t out[DX_NAME_MAX];
    size_t ol;
    /* self loop: pointer at 0 to 0 */
    const uint8_t self[] = { 0xc0, 0x00 };
    assert_int_equal(dx_name_unpack(self, 2, 0, out, &ol, NULL), DX_EINVAL);
    /* two-pointer loop: 0: "a" ptr->4 ; 4: "b" ptr->0  (read from 4) */
    const uint8_t loop[] = { 1, 'a', 0xc0, 0x04, 1, 'b', 0xc0, 0x00 };
    assert_int_equal(dx_name_unpack(loop, sizeof(loop), 4, out, &ol, NULL), DX_EINVAL);
    assert_int_equal(dx_name_unpack(loop, sizeof(loop), 0, out, &ol, NULL), DX_EINVAL);
    /* label run then pointer back into the same run (loop via partial run) */
    const uint8_t inrun[] = { 1, 'a', 1, 'b', 0xc0, 0x02 };
    assert_int_equal(dx_name_unpack(inrun, sizeof(inrun), 0, out, &ol, NULL), DX_EINVAL);
    /* forward pointer */
    const uint8_t fwd[] = { 0xc0, 0x02, 0x00 };
    assert_int_equal(dx_name_unpack(fwd, sizeof(fwd), 0, out, &ol, NULL), DX_EINVAL);
    /* out of range pointer (also forward) */
    const uint8_t oor[] = { 0x00, 0xc3, 0xff };
    assert_int_equal(dx_name_unpack(oor, sizeof(oor), 1, out, &ol, NULL), DX_EINVAL);
    /* pointer cut in half */
    const uint8_t half[] = { 0x00, 0xc0 };
    assert_int_equal(dx_name_unpack(half, sizeof(half), 1, out, &ol, NULL), DX_EINVAL);
    /* a valid backward pointer to the root */
    const uint8_t ok[] = { 0x00, 0xc0, 0x00 };
    assert_int_equal(dx_name_unpack(ok, sizeof(ok), 1, out, &ol, NULL), 0);
    assert_int_equal(ol, 1);
}

static void test_name_unpack_refuses_reserved_label_types_and_long_names(void **state)
{
    (void)state;
    uint8_t out[DX_NAME_MAX];
    size_t ol;
    const uint8_t l40[] = { 0x41, 'a', 0 };
    const uint8_t l80[] = { 0x81, 'a', 0 };
    assert_int_equal(dx_name_unpack(l40, sizeof(l40), 0, out, &ol, NULL), DX_EINVAL);
    assert_int_equal(dx_name_unpack(l80, sizeof(l80), 0, out, &ol, NULL), DX_EINVAL);

    /* 63-octet label ok, 64 is type 0x40 */
    uint8_t lab[70];
    memset(lab, 'x', sizeof(lab));
    lab[0] = 63;
    lab[64] = 0;
    assert_int_equal(dx_name_unpack(lab, 65, 0, out, &ol, NULL), 0);
    lab[0] = 64;
    lab[65] = 0;
    assert_int_equal(dx_name_unpack(lab, 66, 0, out, &ol, NULL), DX_EINVAL);

    /* 255 octets ok, 256 not: 4 labels of 63 (=256) + root = 257 */
    uint8_t big[300];
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        big[n++] = 63;
        memset(big + n, 'a', 63);
        n += 63;
    }
    big[n++] = 61;                                 /* 3*64 + 62 + 1 = 255 */
    memset(big + n, 'b', 61);
    n += 61;
    big[n++] = 0;
    assert_int_equal(n, 255);
    assert_int_equal(dx_name_unpack(big, n, 0, out, &ol, NULL), 0);
    assert_int_equal(ol, 255);
    big[192] = 62;                                 /* one longer: 256 */
    memmove(big + 193 + 62, big + 193 + 61, 1);
    big[193 + 61] = 'b';
    big[256] = 0;
    assert_int_equal(dx_name_unpack(big, 257, 0, out, &ol, NULL), DX_EINVAL);
}

static size_t mkq(uint8_t *b, uint16_t flags, uint16_t qd, const char *name, size_t nl,
                  uint16_t qtype)
{
    memset(b, 0, 12);
    b[0] = 0x12;
    b[1] = 0x34;
    b[2] = (uint8_t)(flags >> 8);
    b[3] = (uint8_t)flags;
    b[5] = (uint8_t)qd;
    memcpy(b + 12, name, nl);
    size_t n = 12 + nl;
    b[n++] = (uint8_t)(qtype >> 8);
    b[n++] = (uint8_t)qtype;
    b[n++] = 0;
    b[n++] = 1;
    return n;
}

static size_t add_opt(uint8_t *b, size_t n, uint16_t payload, uint8_t version, bool dobit)
{
    b[11]++;
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 41;
    b[n++] = (uint8_t)(payload >> 8);
    b[n++] = (uint8_t)payload;
    b[n++] = 0;
    b[n++] = version;
    b[n++] = dobit ? 0x80 : 0;
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 0;
    return n;
}

static void test_msg_parse_walks_every_section_and_refuses_malformed_ones(void **state)
{
    (void)state;
    uint8_t b[600];
    struct dx_msg m;
    const char nm[] = "\x02" "99" "\x02" "BL" "\x07" "example" "\x00";
    size_t n = mkq(b, 0x0100, 1, nm, 15, 1);
    assert_int_equal(dx_msg_parse(b, 11, &m), DX_ESHORT);
    assert_int_equal(dx_msg_parse(b, n, &m), 0);
    assert_true(m.has_q);
    assert_false(m.has_opt);
    assert_int_equal(m.hdr.id, 0x1234);
    assert_true(DX_MSG_RD(&m));
    assert_int_equal(m.q.labels, 3);
    assert_int_equal(m.q.qtype, 1);
    assert_memory_equal(m.q.name, "\x02" "99" "\x02" "bl" "\x07" "example", 14);
    assert_memory_equal(m.q.orig, nm, 15);
    assert_int_equal(m.q.lab_off[1], 3);
    assert_int_equal(m.q.lab_off[3], 14);

    /* trailing garbage */
    b[n] = 0;
    assert_int_equal(dx_msg_parse(b, n + 1, &m), DX_EINVAL);

    /* OPT */
    size_t n2 = add_opt(b, n, 4096, 0, true);
    assert_int_equal(dx_msg_parse(b, n2, &m), 0);
    assert_true(m.has_opt);
    assert_true(m.opt_do);
    assert_int_equal(m.opt_payload, 4096);
    /* two OPTs */
    size_t n3 = add_opt(b, n2, 4096, 0, false);
    assert_int_equal(dx_msg_parse(b, n3, &m), DX_EINVAL);
    assert_true(m.opt_bad);
    /* OPT with an unknown option, well formed */
    n = mkq(b, 0, 1, nm, 15, 1);
    n2 = add_opt(b, n, 1232, 0, false);
    b[n2 - 1] = 8;
    memcpy(b + n2, "\xfe\x01\x00\x04" "abcd", 8);
    assert_int_equal(dx_msg_parse(b, n2 + 8, &m), 0);
    assert_true(m.has_opt);
    /* option overruns the rdata */
    b[n2 + 3] = 5;
    assert_int_equal(dx_msg_parse(b, n2 + 8, &m), DX_EINVAL);
    /* ... but the OPT itself was read: the FORMERR carries an OPT */
    assert_true(m.has_opt);
    assert_false(m.opt_bad);
    assert_int_equal(m.opt_payload, 1232);
    /* OPT owner not root */
    n = mkq(b, 0, 1, nm, 15, 1);
    b[11] = 1;
    memcpy(b + n, "\xc0\x0c\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00", 12);
    assert_int_equal(dx_msg_parse(b, n + 12, &m), DX_EINVAL);
    assert_true(m.opt_bad);
    /* an answer record is walked, truncated one is an error */
    n = mkq(b, 0, 1, nm, 15, 1);
    b[7] = 1;
    memcpy(b + n, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x02", 16);
    assert_int_equal(dx_msg_parse(b, n + 16, &m), 0);
    assert_int_equal(dx_msg_parse(b, n + 15, &m), DX_EINVAL);
    /* QDCOUNT 2 parses but has no single question */
    n = mkq(b, 0, 2, nm, 15, 1);
    memcpy(b + n, "\xc0\x0c\x00\x10\x00\x01", 6);
    assert_int_equal(dx_msg_parse(b, n + 6, &m), 0);
    assert_false(m.has_q);
    /* QDCOUNT 0 */
    n = mkq(b, 0, 0, nm, 15, 1);
    assert_int_equal(dx_msg_parse(b, 12, &m), 0);
    assert_false(m.has_q);
    /* question name pointing into the header is a forward/odd pointer? it
     * points backwards (valid) but into the header bytes: 0x00 at offset 4 */
    n = mkq(b, 0, 1, "\xc0\x04", 2, 1);
    assert_int_equal(dx_msg_parse(b, n, &m), 0);
    assert_int_equal(m.q.labels, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_patch_then_get_round_trips),
        cmocka_unit_test(test_opt_record_carries_payload_extended_rcode_and_do),
        cmocka_unit_test(test_name_unpack_reads_a_name_keeping_its_case),
        cmocka_unit_test(test_name_unpack_follows_backward_pointers),
        cmocka_unit_test(test_name_unpack_refuses_loops_forward_and_cut_pointers),
        cmocka_unit_test(test_name_unpack_refuses_reserved_label_types_and_long_names),
        cmocka_unit_test(test_msg_parse_walks_every_section_and_refuses_malformed_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
