/* Unit tests of the byte codec (zones/bytes.h): a short read is DX_ESHORT,
 * a full writer DX_ERANGE, growth and its failure (DX_ENOMEM, through the
 * DX_BYTES_REALLOC fault hook), the sticky first error, mark/rollback,
 * patch bounds, length-prefixed fields and the raw big-endian helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

static int g_fail_realloc;           /* > 0: fail the g_fail_realloc-th realloc from now */
static int g_reallocs;

static void *fault_realloc(void *p, size_t n)
{
    g_reallocs++;
    if (g_fail_realloc > 0 && --g_fail_realloc == 0)
        return NULL;
    return realloc(p, n);
}

#define DX_BYTES_REALLOC fault_realloc
#include "zones/bytes.h"
#include "zones/err.h"

static void test_reads_return_fields_big_endian(void **state)
{
    (void)state;
    const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                           0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11 };
    struct dx_bytes b;
    dx_bytes_reader(&b, in, sizeof(in));
    assert_int_equal(dx_get_u8(&b), 0x01);
    assert_int_equal(dx_get_u16(&b), 0x0203);
    assert_int_equal(dx_get_u32(&b), 0x04050607);
    assert_true(dx_get_u64(&b) == 0x08090a0b0c0d0e0fULL);
    assert_int_equal(dx_bytes_left(&b), 2);
    const uint8_t *p = dx_get_ptr(&b, 2);
    assert_ptr_equal(p, in + 15);
    assert_int_equal(b.pos, sizeof(in));
    assert_int_equal(dx_bytes_left(&b), 0);
    assert_true(dx_bytes_ok(&b));
    assert_non_null(dx_get_ptr(&b, 0));       /* nothing left, nothing asked */
    assert_true(dx_bytes_ok(&b));
}

static void test_short_read_is_eshort_and_sticky(void **state)
{
    (void)state;
    const uint8_t in[8] = { 0xaa, 0xbb, 0xcc };
    struct dx_bytes b;
    /* each width, one byte short */
    size_t widths[] = { 1, 2, 4, 8 };
    for (size_t i = 0; i < 4; i++) {
        dx_bytes_reader(&b, in, widths[i] - 1);
        uint64_t v = widths[i] == 1 ? dx_get_u8(&b) : widths[i] == 2 ? dx_get_u16(&b)
                   : widths[i] == 4 ? dx_get_u32(&b) : dx_get_u64(&b);
        assert_true(v == 0);
        assert_int_equal(b.err, DX_ESHORT);
        assert_int_equal(b.pos, 0);              /* the cursor did not move */
    }
    /* after the first error: reads return 0/NULL and do not move, even
     * where bytes are left */
    dx_bytes_reader(&b, in, 3);
    assert_int_equal(dx_get_u8(&b), 0xaa);
    assert_null(dx_get_ptr(&b, 3));
    assert_int_equal(b.err, DX_ESHORT);
    assert_int_equal(dx_get_u8(&b), 0);
    assert_int_equal(dx_get_u16(&b), 0);
    assert_null(dx_get_ptr(&b, 0));
    dx_skip(&b, 1);
    assert_int_equal(b.pos, 1);
    assert_int_equal(dx_bytes_left(&b), 0);
    /* the first failure is kept */
    assert_int_equal(dx_bytes_fail(&b, DX_EINVAL), DX_ESHORT);
    assert_false(dx_bytes_ok(&b));
    /* a length that does not fit in size_t arithmetic is still short */
    dx_bytes_reader(&b, in, 3);
    dx_skip(&b, 1);
    assert_null(dx_get_ptr(&b, SIZE_MAX));
    assert_int_equal(b.err, DX_ESHORT);
    /* an empty reader over NULL */
    dx_bytes_reader(&b, NULL, 0);
    assert_int_equal(dx_get_u8(&b), 0);
    assert_int_equal(b.err, DX_ESHORT);
}

static void test_full_writer_is_erange_and_sticky(void **state)
{
    (void)state;
    uint8_t buf[8];
    memset(buf, 0xee, sizeof(buf));
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, 7);
    dx_put_u8(&b, 0x01);
    dx_put_u16(&b, 0x0203);
    dx_put_u32(&b, 0x04050607);
    assert_true(dx_bytes_ok(&b));
    assert_int_equal(b.pos, 7);
    assert_memory_equal(buf, "\x01\x02\x03\x04\x05\x06\x07", 7);
    dx_put_u8(&b, 0x08);                         /* the 8th byte is past the limit */
    assert_int_equal(b.err, DX_ERANGE);
    assert_int_equal(b.pos, 7);
    assert_int_equal(buf[7], 0xee);              /* nothing written there */
    /* later writes of any size do nothing, even of 0 bytes */
    dx_put(&b, "", 0);
    dx_put_zero(&b, 0);
    assert_null(dx_put_ptr(&b, 0));
    assert_int_equal(b.pos, 7);
    assert_int_equal(b.err, DX_ERANGE);
    /* a write that partly fits writes nothing */
    dx_bytes_writer(&b, buf, 8);
    dx_put_u32(&b, 0x11223344);
    dx_put_u64(&b, 0x5566778899aabbccULL);
    assert_int_equal(b.err, DX_ERANGE);
    assert_int_equal(b.pos, 4);
    assert_memory_equal(buf, "\x11\x22\x33\x44\x05\x06\x07\xee", 8);
    /* the same sizes that fit */
    dx_bytes_writer(&b, buf, 8);
    dx_put_u64(&b, 0x5566778899aabbccULL);
    assert_true(dx_bytes_ok(&b));
    assert_memory_equal(buf, "\x55\x66\x77\x88\x99\xaa\xbb\xcc", 8);
    /* a zero-capacity writer */
    dx_bytes_writer(&b, buf, 0);
    dx_put_u8(&b, 1);
    assert_int_equal(b.err, DX_ERANGE);
}

static void test_short_read_and_full_write_differ(void **state)
{
    (void)state;
    uint8_t buf[1] = { 7 };
    struct dx_bytes r, w;
    dx_bytes_reader(&r, buf, 1);
    dx_bytes_writer(&w, buf, 1);
    (void)dx_get_u16(&r);
    dx_put_u16(&w, 1);
    assert_int_equal(r.err, DX_ESHORT);
    assert_int_equal(w.err, DX_ERANGE);
    assert_int_not_equal(DX_ESHORT, DX_ERANGE);
    assert_string_equal(dx_strerror(DX_ESHORT), "input ends inside a field");
}

static void test_write_on_a_reader_is_einval(void **state)
{
    (void)state;
    uint8_t in[4] = { 1, 2, 3, 4 };
    struct dx_bytes b;
    dx_bytes_reader(&b, in, sizeof(in));
    dx_put_u8(&b, 9);
    assert_int_equal(b.err, DX_EINVAL);
    assert_memory_equal(in, "\x01\x02\x03\x04", 4);
    dx_bytes_reader(&b, in, sizeof(in));
    assert_null(dx_put_ptr(&b, 0));
    assert_int_equal(b.err, DX_EINVAL);
    dx_bytes_reader(&b, in, sizeof(in));
    dx_bytes_set_limit(&b, 2);
    assert_int_equal(b.err, DX_EINVAL);
    assert_int_equal(b.len, 4);
}

static void test_limit_reserves_room_and_can_be_raised(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_bytes_set_limit(&b, 5);                  /* keep 11 bytes for a trailer */
    dx_put_u32(&b, 1);
    dx_put_u16(&b, 2);
    assert_int_equal(b.err, DX_ERANGE);
    assert_int_equal(b.pos, 4);
    struct dx_bytes_mark m = { 4 };
    dx_bytes_rollback(&b, m);
    assert_true(dx_bytes_ok(&b));
    dx_bytes_set_limit(&b, 16);                 /* the trailer goes in */
    dx_put_u16(&b, 2);
    assert_true(dx_bytes_ok(&b));
    assert_int_equal(dx_bytes_left(&b), 10);
    /* beyond the buffer: refused, limit unchanged */
    dx_bytes_set_limit(&b, 17);
    assert_int_equal(b.err, DX_EINVAL);
    assert_int_equal(b.len, 16);
    /* below what is written: DX_ERANGE */
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_put_u32(&b, 1);
    dx_bytes_set_limit(&b, 3);
    assert_int_equal(b.err, DX_ERANGE);
    assert_int_equal(dx_bytes_left(&b), 0);
    /* a growable writer has no limit to set */
    struct dx_bytes g;
    dx_bytes_growable(&g);
    dx_bytes_set_limit(&g, 0);
    assert_int_equal(g.err, DX_EINVAL);
}

static void test_rollback_clears_the_error_and_drops_what_followed(void **state)
{
    (void)state;
    uint8_t buf[6];
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_put_u16(&b, 0x0102);
    struct dx_bytes_mark m = dx_bytes_mark(&b);
    dx_put_u32(&b, 0x03040506);
    dx_put_u8(&b, 7);                           /* full */
    assert_int_equal(b.err, DX_ERANGE);
    dx_bytes_rollback(&b, m);
    assert_true(dx_bytes_ok(&b));
    assert_int_equal(b.pos, 2);
    dx_put_u16(&b, 0x0a0b);
    assert_memory_equal(buf, "\x01\x02\x0a\x0b", 4);
    /* a mark ahead of the cursor: DX_EINVAL, nothing moves */
    struct dx_bytes_mark ahead = { 5 };
    dx_bytes_rollback(&b, ahead);
    assert_int_equal(b.err, DX_EINVAL);
    assert_int_equal(b.pos, 4);
    /* a mark beyond a limit lowered since: the error stays (DX_ERANGE) */
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_put_u32(&b, 0);
    m = dx_bytes_mark(&b);
    dx_bytes_set_limit(&b, 2);
    dx_bytes_rollback(&b, m);
    assert_int_equal(b.err, DX_ERANGE);
    /* readers roll back too */
    const uint8_t in[] = { 1, 2, 3 };
    dx_bytes_reader(&b, in, 3);
    m = dx_bytes_mark(&b);
    (void)dx_get_u32(&b);
    assert_int_equal(b.err, DX_ESHORT);
    dx_bytes_rollback(&b, m);
    assert_int_equal(dx_get_u16(&b), 0x0102);
    assert_true(dx_bytes_ok(&b));
}

static void test_patch_only_inside_what_was_written(void **state)
{
    (void)state;
    uint8_t buf[8] = { 0 };
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_put_u16(&b, 0);
    dx_put_u16(&b, 0xffff);
    dx_patch_u16(&b, 0, 0x1234);
    dx_patch_u16(&b, 2, 0x5678);                /* the last two written bytes */
    assert_true(dx_bytes_ok(&b));
    assert_memory_equal(buf, "\x12\x34\x56\x78", 4);
    dx_patch_u16(&b, 3, 1);                     /* one byte past what is written */
    assert_int_equal(b.err, DX_EINVAL);
    assert_memory_equal(buf, "\x12\x34\x56\x78\x00", 5);
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_patch_u16(&b, SIZE_MAX, 1);
    assert_int_equal(b.err, DX_EINVAL);
    /* nothing once err is set */
    dx_bytes_writer(&b, buf, 2);
    dx_put_u16(&b, 0x1111);
    dx_put_u8(&b, 1);
    assert_int_equal(b.err, DX_ERANGE);
    dx_patch_u16(&b, 0, 0x2222);
    assert_memory_equal(buf, "\x11\x11", 2);
    assert_int_equal(b.err, DX_ERANGE);
}

static void test_growable_writer_grows_keeps_bytes_and_resets(void **state)
{
    (void)state;
    struct dx_bytes b;
    dx_bytes_growable(&b);
    g_reallocs = 0;
    for (uint32_t i = 0; i < 1000; i++)
        dx_put_u32(&b, i);
    assert_true(dx_bytes_ok(&b));
    assert_int_equal(b.pos, 4000);
    assert_int_equal(b.cap, 4096);              /* 256, doubling */
    assert_int_equal(g_reallocs, 5);            /* 256 512 1024 2048 4096 */
    struct dx_bytes r;
    dx_bytes_reader(&r, b.rp, b.pos);
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(dx_get_u32(&r), i);
    assert_true(dx_bytes_ok(&r));
    /* one big write jumps to the next power of two */
    dx_bytes_reset(&b);
    assert_int_equal(b.pos, 0);
    dx_put_zero(&b, 10000);
    assert_int_equal(b.cap, 16384);
    /* reset keeps the allocation */
    const uint8_t *before = b.wp;
    dx_bytes_reset(&b);
    dx_put_u8(&b, 1);
    assert_ptr_equal(b.wp, before);
    /* rollback keeps it too */
    struct dx_bytes_mark m = dx_bytes_mark(&b);
    dx_put_zero(&b, 100);
    dx_bytes_rollback(&b, m);
    assert_int_equal(b.pos, 1);
    assert_int_equal(b.cap, 16384);
    dx_bytes_free(&b);
    assert_null(b.wp);
    assert_int_equal(b.cap, 0);
    assert_true(b.grow);
    dx_put_u8(&b, 5);                           /* usable again after free */
    assert_true(dx_bytes_ok(&b));
    assert_int_equal(b.rp[0], 5);
    dx_bytes_free(&b);
    /* freeing a fixed writer or a reader does nothing */
    uint8_t buf[2];
    dx_bytes_writer(&b, buf, 2);
    dx_bytes_free(&b);
    assert_ptr_equal(b.wp, buf);
}

static void test_growth_failure_is_enomem(void **state)
{
    (void)state;
    struct dx_bytes b;
    dx_bytes_growable(&b);
    g_fail_realloc = 1;                         /* the first allocation fails */
    dx_put_u8(&b, 1);
    assert_int_equal(b.err, DX_ENOMEM);
    assert_int_equal(b.pos, 0);
    dx_bytes_reset(&b);
    g_fail_realloc = 2;                         /* 256 bytes, then growth fails */
    dx_put_zero(&b, 200);
    dx_put_zero(&b, 100);
    assert_int_equal(b.err, DX_ENOMEM);
    assert_int_equal(b.pos, 200);
    assert_int_equal(b.cap, 256);               /* the old buffer is kept */
    dx_put_u8(&b, 1);
    assert_int_equal(b.pos, 200);               /* sticky */
    dx_bytes_free(&b);
    /* sizes beyond what size_t can double to: no realloc at all */
    dx_bytes_growable(&b);
    g_fail_realloc = 0;
    g_reallocs = 0;
    assert_null(dx_put_ptr(&b, SIZE_MAX));
    assert_int_equal(b.err, DX_ENOMEM);
    assert_int_equal(g_reallocs, 0);
    dx_bytes_free(&b);
}

static void test_length_prefixed_fields(void **state)
{
    (void)state;
    uint8_t buf[600];
    char big[300];
    memset(big, 'x', sizeof(big));
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_put_lp8(&b, "abc", 3);
    dx_put_lp8(&b, "", 0);
    dx_put_lp16(&b, big, 300);
    dx_put_lp8(&b, big, 255);
    assert_true(dx_bytes_ok(&b));
    assert_memory_equal(buf, "\x03" "abc" "\x00" "\x01\x2c" "xx", 8);
    size_t end = b.pos;
    dx_put_lp8(&b, big, 256);                   /* too long for a u8 length */
    assert_int_equal(b.err, DX_ERANGE);
    assert_int_equal(b.pos, end);

    struct dx_bytes r;
    size_t n;
    dx_bytes_reader(&r, buf, end);
    const uint8_t *p = dx_get_lp8(&r, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "abc", 3);
    p = dx_get_lp8(&r, &n);
    assert_non_null(p);
    assert_int_equal(n, 0);
    p = dx_get_lp16(&r, &n);
    assert_int_equal(n, 300);
    assert_memory_equal(p, big, 300);
    p = dx_get_lp8(&r, &n);
    assert_int_equal(n, 255);
    assert_true(dx_bytes_ok(&r));
    assert_int_equal(dx_bytes_left(&r), 0);
    /* a length that runs past the end: short, *n = 0 */
    dx_bytes_reader(&r, "\x05" "abc", 4);
    assert_null(dx_get_lp8(&r, &n));
    assert_int_equal(n, 0);
    assert_int_equal(r.err, DX_ESHORT);
    dx_bytes_reader(&r, "\x01", 1);              /* half a u16 length */
    assert_null(dx_get_lp16(&r, &n));
    assert_int_equal(r.err, DX_ESHORT);

    struct dx_bytes g;
    dx_bytes_growable(&g);
    char *huge = calloc(1, 65536);
    assert_non_null(huge);
    dx_put_lp16(&g, huge, 65535);
    assert_true(dx_bytes_ok(&g));
    dx_put_lp16(&g, huge, 65536);
    assert_int_equal(g.err, DX_ERANGE);
    assert_int_equal(g.pos, 65537);
    free(huge);
    dx_bytes_free(&g);
}

static void test_put_ptr_and_zero_reserve_bytes(void **state)
{
    (void)state;
    uint8_t buf[8];
    memset(buf, 0xee, sizeof(buf));
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_put_zero(&b, 3);
    uint8_t *p = dx_put_ptr(&b, 2);
    assert_ptr_equal(p, buf + 3);
    p[0] = 'o';
    p[1] = 'k';
    assert_int_equal(b.pos, 5);
    assert_memory_equal(buf, "\0\0\0ok\xee", 6);
    assert_null(dx_put_ptr(&b, 4));
    assert_int_equal(b.err, DX_ERANGE);
}

static void test_raw_big_endian_helpers(void **state)
{
    (void)state;
    uint8_t p[16];
    dx_set_be16(p, 0xa1b2);
    assert_memory_equal(p, "\xa1\xb2", 2);
    assert_int_equal(dx_be16(p), 0xa1b2);
    dx_set_be32(p, 0xc0000263);
    assert_memory_equal(p, "\xc0\x00\x02\x63", 4);
    assert_int_equal(dx_be32(p), 0xc0000263);
    dx_set_be64(p, 0x0102030405060708ULL);
    assert_memory_equal(p, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    assert_true(dx_be64(p) == 0x0102030405060708ULL);

    /* addresses as numbers: 4 and 16 bytes */
    const uint8_t v4[4] = { 192, 0, 2, 99 };
    assert_true(dx_be_n(v4, 4) == 0xc0000263u);
    const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
    dx_u128 a = dx_be_n(v6, 16);
    assert_true((uint64_t)(a >> 64) == 0x20010db800000000ULL);
    assert_true((uint64_t)a == 1);
    uint8_t out[16];
    dx_set_be_n(out, 16, a + 1);
    assert_memory_equal(out, v6, 15);
    assert_int_equal(out[15], 2);
    dx_set_be_n(out, 4, (dx_u128)0x1ffffffffULL);   /* only the low 4 bytes */
    assert_memory_equal(out, "\xff\xff\xff\xff", 4);
    assert_true(dx_be_n(v4, 0) == 0);

    /* sort handle: zero-padded, orders like memcmp */
    assert_true(dx_be_prefix64((const uint8_t *)"ab", 2) == 0x6162000000000000ULL);
    assert_true(dx_be_prefix64((const uint8_t *)"abcdefghij", 10) == 0x6162636465666768ULL);
    assert_true(dx_be_prefix64((const uint8_t *)"", 0) == 0);
    assert_true(dx_be_prefix64((const uint8_t *)"ab", 2) < dx_be_prefix64((const uint8_t *)"abc", 3));
    assert_true(dx_be_prefix64((const uint8_t *)"b", 1) > dx_be_prefix64((const uint8_t *)"az", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_return_fields_big_endian),
        cmocka_unit_test(test_short_read_is_eshort_and_sticky),
        cmocka_unit_test(test_full_writer_is_erange_and_sticky),
        cmocka_unit_test(test_short_read_and_full_write_differ),
        cmocka_unit_test(test_write_on_a_reader_is_einval),
        cmocka_unit_test(test_limit_reserves_room_and_can_be_raised),
        cmocka_unit_test(test_rollback_clears_the_error_and_drops_what_followed),
        cmocka_unit_test(test_patch_only_inside_what_was_written),
        cmocka_unit_test(test_growable_writer_grows_keeps_bytes_and_resets),
        cmocka_unit_test(test_growth_failure_is_enomem),
        cmocka_unit_test(test_length_prefixed_fields),
        cmocka_unit_test(test_put_ptr_and_zero_reserve_bytes),
        cmocka_unit_test(test_raw_big_endian_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
