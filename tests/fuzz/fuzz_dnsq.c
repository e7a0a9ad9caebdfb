/* libFuzzer target: what dnsxl-admin check reads from outside: the DNS
 * replies its stub takes (dx_dnsq_parse, admin/dnsq.c) and the lists file
 * (dx_check_lists_load, admin/check.c, which dnsxld's [check] reads too),
 * with the verdicts of an answer (dx_check_answer) on what it loaded.
 *
 *   make fuzz   (builds every tests/fuzz/fuzz_*.c)
 *
 * The first byte picks: even, the rest is a reply to the query with the ID
 * of its first two bytes for 2.0.0.127.zen.example (odd: for
 * spam.example.dbl.example), read as the stub reads it, and the reply to
 * the query dx_dnsq_build writes for it is checked too; odd, the rest is a
 * lists file (written to a file in a temp directory: the loader reads a
 * path). Besides the sanitizers it checks: a reply taken is a response
 * (QR, opcode QUERY) with the ID and the question asked, its RCODE as
 * sent, at most the A records asked for; a refused lists file has an error
 * "PATH:LINE: ..." or "PATH: ..." and nothing loaded; a loaded one has
 * lists with a zone, at most DX_CHECK_CODES codes each (lo <= hi), lines
 * in order, and each gives a verdict for any answer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/check.h"
#include "admin/dnsq.h"
#include "zones/bytes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/dx-fuzz-dnsq-XXXXXX";
static char path[128];
static uint8_t qn[2][256];
static size_t qn_len[2];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    snprintf(path, sizeof(path), "%s/check.lists", dir);
    qn_len[0] = dx_dnsq_wire("2.0.0.127.zen.example", qn[0]);
    qn_len[1] = dx_dnsq_wire("spam.example.DBL.example.", qn[1]);
    if (!qn_len[0] || !qn_len[1])
        abort();
    return 0;
}

static void reply(const uint8_t *m, size_t n, uint16_t id, const uint8_t *q, size_t qlen)
{
    uint8_t *copy = malloc(n ? n : 1);          /* exactly n bytes: ASan sees past them */
    if (!copy)
        abort();
    memcpy(copy, m, n);
    int rcode = -1;
    uint32_t a[DX_DNSQ_A_MAX];
    size_t na = 99;
    size_t max = n ? m[n - 1] % (DX_DNSQ_A_MAX + 1) : DX_DNSQ_A_MAX;
    int rc = dx_dnsq_parse(copy, n, id, q, qlen, &rcode, a, max, &na);
    free(copy);
    if (rc == 0) {
        if (n < 12 + qlen + 4 || dx_be16(m) != id || !(m[2] & 0x80) || (m[2] & 0x78) != 0 ||
            dx_be16(m + 4) != 1 || rcode != (m[3] & 0xf) || na > max)
            abort();
    } else if (rc != DX_EINVAL) {
        abort();
    }
}

static void lists(const uint8_t *d, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(d, 1, n, f) != n || fclose(f) != 0)
        abort();
    struct dx_check_list *l = NULL;
    size_t nl = 99;
    char err[512] = "";
    int rc = dx_check_lists_load(path, &l, &nl, err, sizeof(err));
    if (rc != 0) {
        if (l || nl != 0 || strncmp(err, path, strlen(path)) != 0 || err[strlen(path)] != ':')
            abort();
        return;
    }
    int line = 0;
    for (size_t i = 0; i < nl; i++) {
        if (!l[i].zone[0] || l[i].ncodes > DX_CHECK_CODES || l[i].line <= line)
            abort();
        line = l[i].line;
        for (size_t c = 0; c < l[i].ncodes; c++)
            if (l[i].lo[c] > l[i].hi[c])
                abort();
        /* a verdict for the answers the input's bytes make */
        uint32_t a[4];
        for (size_t k = 0; k < 4; k++)
            a[k] = 0x7f000000u | (uint32_t)(n > k ? d[k] : 2) << (8 * (k % 3));
        char why[256];
        int v = dx_check_answer(&l[i], (int)(i % 3), a, i % 5, why, sizeof(why));
        if (v != DX_CHECK_CLEAN && v != DX_CHECK_LISTED && v != DX_CHECK_ERROR)
            abort();
        if (v == DX_CHECK_ERROR && !why[0])
            abort();
    }
    free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t m = data[0];
    if (m & 1) {
        lists(data + 1, size - 1);
        return 0;
    }
    int w = (m >> 1) & 1;
    uint16_t id = size >= 3 ? dx_be16(data + 1) : 0;
    reply(data + 1, size - 1, id, qn[w], qn_len[w]);
    /* the query the stub sends, answered as the input's bits say */
    uint8_t q[300];
    size_t ql = dx_dnsq_build(q, sizeof(q), id, qn[w], qn_len[w]);
    if (ql == 0 || ql < 12 + qn_len[w] + 4)
        abort();
    q[2] |= 0x80;
    q[3] = size >= 4 ? data[3] & 0x0f : 0;
    reply(q, ql, id, qn[w], qn_len[w]);
    return 0;
}
