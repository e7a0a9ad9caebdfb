/* Unit tests for zones/dur.c (integers, durations, sizes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "zones/dur.h"
#include "zones/err.h"

static void test_uint_parse_reads_plain_decimals_up_to_max(void **state)
{
    (void)state;
    static const struct { const char *s; uint64_t max, v; } ok[] = {
        { "0", 0, 0 }, { "7", 7, 7 }, { "65535", 65535, 65535 }, { "053", 65535, 53 },
        { "00000000000000000000000001", 1, 1 }, { "1844674407370955150", UINT64_MAX, 1844674407370955150ull },
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint64_t v = 1234;
        if (dx_uint_parse(ok[i].s, ok[i].max, &v) != 0 || v != ok[i].v)
            fail_msg("'%s' -> %llu, want %llu", ok[i].s, (unsigned long long)v,
                     (unsigned long long)ok[i].v);
    }
    static const struct { const char *s; uint64_t max; } bad[] = {
        { "", 10 }, { "8", 7 }, { "65536", 65535 }, { "-1", 10 }, { "+1", 10 }, { " 1", 10 },
        { "1 ", 10 }, { "0x10", 100 }, { "1.0", 10 }, { "1e3", 10000 }, { "12a", 100 },
        { "99999999999999999999", UINT64_MAX },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = 1234;
        if (dx_uint_parse(bad[i].s, bad[i].max, &v) != DX_EINVAL)
            fail_msg("'%s' (max %llu) should be refused", bad[i].s, (unsigned long long)bad[i].max);
        assert_int_equal(v, 1234);   /* untouched on error */
    }
    uint64_t v;
    assert_int_equal(dx_uint_parse(NULL, 10, &v), DX_EINVAL);
}

static void test_dur_parse_reads_units_and_forever_and_refuses_junk(void **state)
{
    (void)state;
    static const struct { const char *s; uint64_t v; } ok[] = {
        { "90", 90 }, { "0", 0 }, { "30s", 30 }, { "15m", 900 }, { "48h", 172800 },
        { "7d", 604800 }, { "2w", 1209600 }, { "1d12h", 129600 }, { "1h30m15s", 5415 },
        { "48H", 172800 }, { "forever", DX_FOREVER }, { "FOREVER", DX_FOREVER },
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint64_t v = 1234;
        if (dx_dur_parse(ok[i].s, &v) != 0 || v != ok[i].v)
            fail_msg("'%s' -> %llu, want %llu", ok[i].s, (unsigned long long)v,
                     (unsigned long long)ok[i].v);
    }
    static const char *const bad[] = {
        "", "5x", "1d5", "0d5", "1h30", "d", "-5", " 5", "5 ", "5s ", "1.5h", "forevers",
        "99999999999999999999", "18446744073709551615s", "999999999999999999w",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = 1234;
        if (dx_dur_parse(bad[i], &v) != DX_EINVAL)
            fail_msg("'%s' should be rejected (got %llu)", bad[i], (unsigned long long)v);
        assert_int_equal(v, 1234);   /* untouched on error */
    }
    uint64_t v;
    assert_int_equal(dx_dur_parse(NULL, &v), DX_EINVAL);
}

static void test_dur_parse_lifetime_refuses_zero(void **state)
{
    (void)state;
    uint64_t v = 1234;
    assert_int_equal(dx_dur_parse_lifetime("48h", &v), 0);
    assert_int_equal(v, 172800);
    assert_int_equal(dx_dur_parse_lifetime("forever", &v), 0);
    assert_int_equal(v, DX_FOREVER);
    v = 1234;
    assert_int_equal(dx_dur_parse_lifetime("0", &v), DX_EINVAL);
    assert_int_equal(dx_dur_parse_lifetime("0s", &v), DX_EINVAL);
    assert_int_equal(dx_dur_parse_lifetime("0d0h", &v), DX_EINVAL);
    assert_int_equal(dx_dur_parse_lifetime("5x", &v), DX_EINVAL);
    assert_int_equal(dx_dur_parse_lifetime("", &v), DX_EINVAL);
    assert_int_equal(v, 1234);
}

static void test_dur_format_writes_what_dur_parse_reads_back(void **state)
{
    (void)state;
    char buf[32];
    dx_dur_format(DX_FOREVER, buf, sizeof(buf));
    assert_string_equal(buf, "forever");
    dx_dur_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "0s");
    dx_dur_format(604800, buf, sizeof(buf));
    assert_string_equal(buf, "7d");
    dx_dur_format(129600, buf, sizeof(buf));
    assert_string_equal(buf, "1d12h");
    dx_dur_format(3600, buf, sizeof(buf));
    assert_string_equal(buf, "1h");
    /* every formatted value parses back to itself */
    static const uint64_t vals[] = { 1, 59, 60, 61, 90, 3599, 3601, 86399, 86401, 1234567,
                                     (uint64_t)1 << 40 };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        uint64_t back;
        dx_dur_format(vals[i], buf, sizeof(buf));
        assert_int_equal(dx_dur_parse(buf, &back), 0);
        assert_int_equal(back, vals[i]);
    }
    /* a small buffer is not overrun */
    char tiny[6] = "zzzzz";
    dx_dur_format(129600, tiny, 3);
    assert_int_equal(tiny[2], 0);
    assert_int_equal(tiny[3], 'z');
}

static void test_size_parse_reads_binary_units(void **state)
{
    (void)state;
    static const struct { const char *s; uint64_t v; } ok[] = {
        { "65536", 65536 }, { "0", 0 }, { "512k", 512 * 1024 }, { "512K", 512 * 1024 },
        { "8M", 8 << 20 }, { "8m", 8 << 20 }, { "4G", 4ull << 30 }, { "16g", 16ull << 30 },
        { "1kb", 1024 }, { "2MB", 2 << 20 },
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint64_t v = 0;
        if (dx_size_parse(ok[i].s, &v) != 0 || v != ok[i].v)
            fail_msg("'%s' -> %llu, want %llu", ok[i].s, (unsigned long long)v,
                     (unsigned long long)ok[i].v);
    }
    static const char *const bad[] = {
        "", "k", "8X", "8 M", "-1", "1.5G", "8Mx", "8bb", "99999999999999999999",
        "17179869184G",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = 77;
        if (dx_size_parse(bad[i], &v) != DX_EINVAL)
            fail_msg("'%s' should be rejected", bad[i]);
        assert_int_equal(v, 77);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_parse_reads_plain_decimals_up_to_max),
        cmocka_unit_test(test_dur_parse_reads_units_and_forever_and_refuses_junk),
        cmocka_unit_test(test_dur_parse_lifetime_refuses_zero),
        cmocka_unit_test(test_dur_format_writes_what_dur_parse_reads_back),
        cmocka_unit_test(test_size_parse_reads_binary_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
