/* Unit tests for zones/ini.c (the line reader under the config file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zones/ini.h"

/* The lines dx_ini_next returns for text[0..n), one per row:
 * "S kw|rest", "K key|value", "E message" (then it stops), with the line
 * number in front: "3 K ttl|60". */
static char *read_all(const char *text, size_t n)
{
    FILE *f = fmemopen((void *)text, n, "r");
    assert_non_null(f);
    struct dx_ini r;
    dx_ini_open(&r, f);
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    for (;;) {
        char *a, *b;
        enum dx_ini_kind k = dx_ini_next(&r, &a, &b);
        if (k == DX_INI_EOF)
            break;
        size_t need = 32 + strlen(a) + (b ? strlen(b) : 0);
        if (len + need > cap) {
            cap = 2 * (len + need);
            out = realloc(out, cap);
            assert_non_null(out);
        }
        len += (size_t)snprintf(out + len, cap - len, "%d %c %s%s%s\n", r.line,
                                k == DX_INI_SECTION ? 'S' : k == DX_INI_KEY ? 'K' : 'E', a,
                                b ? "|" : "", b ? b : "");
        if (k == DX_INI_ERROR)
            break;
    }
    dx_ini_close(&r);
    fclose(f);
    return out;
}

static void reads(const char *text, const char *want)
{
    char *got = read_all(text, strlen(text));
    if (strcmp(got, want) != 0)
        fail_msg("for:\n%s\ngot:\n%s\nwant:\n%s", text, got, want);
    free(got);
}

static void test_ini_skips_comments_and_blank_lines_and_trims(void **state)
{
    (void)state;
    reads("; leading comment\n"
          "# hash comment\n"
          "   ; indented comment\n"
          "\t# indented hash\n"
          "\n"
          "[zone a.test]   ; comment after a header\n"
          "txt = A#B ; comment\n"
          "txt=x;y\t;z\n"
          "  ns = tab.test\tinside.test  \t\n"
          "[ list   a.test/x ]\n"
          "[server]\n"
          "empty =\n",
          "6 S zone|a.test\n"
          "7 K txt|A#B\n"
          "8 K txt|x;y\n"
          "9 K ns|tab.test\tinside.test\n"
          "10 S list|a.test/x\n"
          "11 S server|\n"
          "12 K empty|\n");
}

static void test_ini_reads_lines_of_any_length(void **state)
{
    (void)state;
    size_t n = 110000;
    char *text = malloc(n + 16);
    assert_non_null(text);
    memcpy(text, "k = ", 4);
    memset(text + 4, 'v', n);
    strcpy(text + 4 + n, "\n");
    char *got = read_all(text, strlen(text));
    assert_int_equal(strlen(got), strlen("1 K k|") + n + 1);
    assert_int_equal(strncmp(got, "1 K k|vvvv", 10), 0);
    free(got);
    free(text);
}

static void test_ini_skips_a_leading_bom_and_reads_every_line_end(void **state)
{
    (void)state;
    reads("\xef\xbb\xbf[zone a.test]\nttl = 60\n", "1 S zone|a.test\n2 K ttl|60\n");
    reads("\xef\xbb\xbf; a comment first\n[zone a.test]\n", "2 S zone|a.test\n");
    /* elsewhere it is data */
    reads("[zone a.test]\n\xef\xbb\xbfttl = 60\n", "1 S zone|a.test\n2 K \xef\xbb\xbfttl|60\n");
    /* CR alone, CRLF, LF, and no line end at the end; line numbers count them all */
    reads("[a]\rk = 1\r\r[b]\r\nk = 2\r\n\r\nk = 3\nk = 4",
          "1 S a|\n2 K k|1\n4 S b|\n5 K k|2\n7 K k|3\n8 K k|4\n");
    reads("", "");
    reads("\n\n", "");
}

static void test_ini_refuses_control_bytes_nul_and_bad_lines(void **state)
{
    (void)state;
    reads("[zone a.test]\ntxt = a\x1b[31mred\n",
          "1 S zone|a.test\n2 E control character 0x1b at column 8 (only tab is allowed)\n");
    reads("k = del\x7f\n", "1 E control character 0x7f at column 8 (only tab is allowed)\n");
    reads("  t\x01xt = 1\n", "1 E control character 0x01 at column 4 (only tab is allowed)\n");
    /* comments are not checked; tabs are blanks */
    reads("; \x1b comment\nns = a\tb ; \x07 bell\n", "2 K ns|a\tb\n");
    char *got = read_all("k = 1\nk\0 = 2\n", 13);
    assert_string_equal(got, "1 K k|1\n2 E NUL byte in line\n");
    free(got);
    reads("[server\n", "1 E section header without closing ']'\n");
    reads("[ ]\n", "1 E empty section header\n");
    reads("= 5\n", "1 E missing key before '='\n");
    reads("listen 127.0.0.1:53\n", "1 E expected 'key = value' or '[section]'\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ini_skips_comments_and_blank_lines_and_trims),
        cmocka_unit_test(test_ini_reads_lines_of_any_length),
        cmocka_unit_test(test_ini_skips_a_leading_bom_and_reads_every_line_end),
        cmocka_unit_test(test_ini_refuses_control_bytes_nul_and_bad_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
