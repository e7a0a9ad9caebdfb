/* libFuzzer target: the rbldnsd dataset parser and the IP-to-country parser
 * (loader/fmt_rbldnsd.c, loader/fmt_country.c) on arbitrary bytes.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -I. \
 *       tests/fuzz/fuzz_rbldnsd.c loader/fmt_rbldnsd.c loader/fmt_country.c \
 *       loader/iso3166.c loader/import.c zones/[a-z]*.c -llmdb -lsodium -pthread \
 *       -o fuzz_rbldnsd
 *   cp -r tests/fuzz/corpus/rbldnsd /tmp/fr && ./fuzz_rbldnsd -max_total_time=60 /tmp/fr
 *
 * The first input byte picks the parser: (b % 8) = 0..5 an rbldnsd dataset
 * type (ip4set ip4trie ip4tset ip6tset ip6trie dnset), 6 the country parser,
 * 7 the import path's format detection (plain or rbldnsd, loader/format.h);
 * bit 3 passes a list value (`defaults`), bit 4 a domain zone for mode 7.
 * The rest is the file. Besides the sanitizers it checks the contract: on
 * success every record has a valid key of the right kind, with no host
 * bits set (it formats and parses back, strictly, to itself), and a line
 * within the file (LF, CRLF and lone CR end lines), the error text is
 * "FILE:LINE: ..." on failure, and the set sorts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/fmt_country.h"
#include "loader/fmt_rbldnsd.h"
#include "loader/format.h"
#include "loader/import.h"
#include "zones/err.h"
#include "zones/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    struct dx_imp_set s;
    dx_imp_set_init(&s);
    if (dx_imp_add_file(&s, "fuzz") != 0)
        abort();
    char err[256] = "";
    int rc;
    unsigned mode = sel % 8;
    enum dx_rbl_type t = DX_RBL_IP4SET;
    if (mode == 6) {
        rc = dx_fmt_country_parse(&s, 0, buf, len, err, sizeof(err));
    } else {
        static const enum dx_rbl_type types[] = { DX_RBL_IP4SET, DX_RBL_IP4TRIE, DX_RBL_IP4TSET,
                                                  DX_RBL_IP6TSET, DX_RBL_IP6TRIE, DX_RBL_DNSET };
        /* a list name picks a combined dataset's parts (loader/format.h) */
        struct dx_rbl_value lv = { 0x7f000002u, "Listed $", (sel & 0x20) ? "spam" : NULL };
        if (mode == 7) {
            bool ip_zone = (sel & 0x10) == 0;
            t = ip_zone ? DX_RBL_IP4SET : DX_RBL_DNSET;   /* the kind the records must have */
            rc = dx_fmt_parse(&s, 0, buf, len, DX_FMT_AUTO, ip_zone, &lv, NULL, err, sizeof(err));
        } else {
            t = types[mode];
            rc = dx_fmt_rbldnsd_parse(&s, 0, buf, len, t, (sel & 8) ? &lv : NULL, err,
                                      sizeof(err));
        }
    }
    uint32_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));
    if (rc == 0) {
        for (size_t i = 0; i < s.n; i++) {
            struct dx_key k;
            char kt[DX_KEY_TEXT_MAX];
            dx_imp_key(&s, &s.recs[i], &k);
            if (dx_key_format(&k, kt, sizeof(kt)) <= 0)
                abort();
            struct dx_key back;
            if (dx_key_parse(kt, &back) != 0 || back.family != k.family || back.plen != k.plen ||
                memcmp(back.addr, k.addr, k.len) != 0)
                abort();
            bool ip = k.family == DX_FAM_V4 || k.family == DX_FAM_V6;
            if (mode != 6 && ip != dx_rbl_type_is_ip(t))
                abort();
            if (mode == 6 && (!ip || s.recs[i].code == 0 || !dx_imp_txt(&s, &s.recs[i])))
                abort();
            if (s.recs[i].line < 1 || s.recs[i].line > lines || s.recs[i].file != 0)
                abort();
        }
        dx_imp_sort(&s);
    } else {
        if (rc != DX_EINVAL && rc != DX_ENOMEM)
            abort();
        if (strncmp(err, "fuzz:", 5) != 0)
            abort();
    }
    dx_imp_set_free(&s);
    return 0;
}
