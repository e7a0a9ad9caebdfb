/* libFuzzer target: dnsxld's reading of the responses to its NOTIFYs,
 * dx_notify_response (dnsxld/notify.h), with the TSIG checks of
 * dnsxld/tsig.h, against a real config with two [key]s.
 *
 *   make fuzz   (builds every tests/fuzz/fuzz_*.c)
 *
 * The first byte picks the case: bit 0 whether the NOTIFY was signed (key
 * nk, hmac-sha256, or with bit 2 nk5, hmac-sha512), bit 1 whether the rest
 * is the response as is (its ID taken as the NOTIFY's, so that the rest of
 * it is read) or drives a response built here: the zone's SOA question
 * (case changed by the input's bits), QR, opcode NOTIFY, the input's
 * RCODE, signed on the NOTIFY's MAC with its key. Besides the sanitizers
 * it checks: only a response with the ID, QR, opcode NOTIFY and RCODE 0 is
 * acknowledged, an error RCODE is reported as it is; the response built
 * here is acknowledged (RCODE 0) or reported (else), never taken for a bad
 * signature; and the same with one byte changed (the input says which and
 * how) before its MAC, or in its MAC, is never acknowledged when signed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsxld/notify.h"
#include "dnsxld/tsig.h"
#include "dnsxld/wire.h"
#include "zones/bytes.h"

#define NOW 1800000000u

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dx_conf *conf;
static const struct dx_zone_conf *zone;
static const struct dx_key_conf *keys[2];
static char dir[] = "/tmp/dx-fuzz-notify-XXXXXX";

static const char conf_text[] =
    "[server]\n"
    "database = db\n"
    "[key nk]\n"
    "secret = c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==\n"
    "[key nk5.example]\n"
    "algorithm = hmac-sha512\n"
    "secret = YW5vdGhlci1zZWNyZXQ=\n"
    "[zone nt.Example.org]\n"
    "notify = 127.0.0.1:5300 key nk\n"
    "notify = 127.0.0.2:5300 key nk5.example\n"
    "notify = 127.0.0.3\n";

static void cleanup(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[128], err[256];
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(conf_text, f);
    fclose(f);
    if (dx_conf_load(path, &conf, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    if (conf->n_zones != 1 || conf->n_keys != 2)
        abort();
    zone = &conf->zones[0];
    keys[0] = &conf->keys[0];
    keys[1] = &conf->keys[1];
    return 0;
}

/* The NOTIFY dnsxld sends (dnsxld/notify.c): its MAC when signed. */
static size_t request_mac(uint16_t id, const struct dx_key_conf *key, uint8_t *mac)
{
    uint8_t msg[1024];
    struct dx_bytes b;
    dx_bytes_writer(&b, msg, sizeof(msg));
    struct dx_hdr h = { .id = id, .flags = 4 << 11 | 0x0400, .qd = 1 };
    dx_put_zero(&b, DX_HDR_LEN);
    dx_hdr_patch(&b, &h);
    dx_put(&b, zone->wire, zone->wire_len);
    dx_put_u16(&b, DX_T_SOA);
    dx_put_u16(&b, 1);
    size_t mac_len = 0;
    if (key && dx_tsig_sign(&b, key, NULL, 0, false, NOW, 0, NULL, 0, mac, &mac_len))
        abort();
    if (b.err)
        abort();
    return mac_len;
}

static enum dx_notify_resp check(const uint8_t *m, size_t len, uint16_t id,
                                 const struct dx_key_conf *key, const uint8_t *mac,
                                 size_t mac_len)
{
    unsigned rcode;
    enum dx_tsig_result tres;
    uint8_t *copy = malloc(len ? len : 1);      /* exactly len bytes: ASan sees past them */
    if (!copy)
        abort();
    memcpy(copy, m, len);
    enum dx_notify_resp r = dx_notify_response(copy, len, id, zone->wire, zone->wire_len, conf,
                                               key, mac, mac_len, NOW, &rcode, &tres);
    free(copy);
    switch (r) {
    case DX_NOTIFY_OTHER:
        break;
    case DX_NOTIFY_BADTSIG:
        if (!key)
            abort();
        break;
    case DX_NOTIFY_RCODE:
    case DX_NOTIFY_ACK:
        if (len < DX_HDR_LEN || dx_be16(m) != id || !(m[2] & 0x80) || ((m[2] >> 3) & 0xf) != 4 ||
            dx_be16(m + 4) != 1 || rcode != (m[3] & 0xfu) || (r == DX_NOTIFY_ACK) != (rcode == 0))
            abort();
        if (key && tres != DX_TSIG_OK)
            abort();
        break;
    default:
        abort();
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const struct dx_key_conf *key = mode & 1 ? keys[(mode >> 2) & 1] : NULL;
    data++;
    size--;
    uint8_t mac[DX_TSIG_MAC_MAX];
    if (mode & 2) {                             /* the response as it came */
        uint16_t id = size >= 2 ? dx_be16(data) : 0;
        size_t mac_len = request_mac(id, key, mac);
        check(data, size, id, key, mac, mac_len);
        return 0;
    }
    if (size < 6)
        return 0;
    uint16_t id = dx_be16(data);
    size_t mac_len = request_mac(id, key, mac);
    uint8_t msg[1024];
    struct dx_bytes b;
    dx_bytes_writer(&b, msg, sizeof(msg));
    struct dx_hdr h = { .id = id, .flags = 0x8000 | 4 << 11 | (data[2] & 0x07) << 8 | (data[3] & 0xf),
                        .qd = 1 };
    dx_put_zero(&b, DX_HDR_LEN);
    dx_hdr_patch(&b, &h);
    size_t q = b.pos;
    dx_put(&b, zone->wire, zone->wire_len);
    for (size_t i = 0; i < zone->wire_len && i < 8 * (size - 6); i++) {
        uint8_t *c = &msg[q + i];               /* the input's bits change the case */
        if ((data[6 + i / 8] >> (i % 8)) & 1 && ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z'))
            *c ^= 0x20;
    }
    dx_put_u16(&b, DX_T_SOA);
    dx_put_u16(&b, 1);
    size_t at = b.pos;
    if (key && dx_tsig_sign(&b, key, mac, mac_len, false, NOW, 0, NULL, 0, NULL, NULL))
        abort();
    if (b.err)
        abort();
    size_t len = b.pos;
    enum dx_notify_resp r = check(msg, len, id, key, mac, mac_len);
    if (r != ((data[3] & 0xf) ? DX_NOTIFY_RCODE : DX_NOTIFY_ACK))
        abort();
    if (!key)
        return 0;
    /* one byte changed before the MAC (but in the ID: the MAC covers the
     * original ID of the TSIG) or in the MAC: never acknowledged */
    size_t mac_at = len - 6 - dx_tsig_mac_size(key->alg);      /* MAC, original ID, error, other len */
    size_t span = (at - 2) + dx_tsig_mac_size(key->alg);
    size_t pos = dx_be16(data + 4) % span;
    pos = pos < at - 2 ? 2 + pos : mac_at + (pos - (at - 2));
    uint8_t x = data[2] & 0xf0 ? data[2] : 1;
    msg[pos] ^= x;
    if (check(msg, len, id, key, mac, mac_len) == DX_NOTIFY_ACK)
        abort();
    return 0;
}
