/* libFuzzer target: dx_query_answer on arbitrary bytes, against a real store
 * and config in a temp directory.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -I. \
 *       tests/fuzz/fuzz_query.c dnsxld/wire.c dnsxld/query.c dnsxld/resolve.c dnsxld/answer.c \
 *       zones/[a-z]*.c \
 *       -llmdb -lsodium -pthread -o fuzz_query
 *   ./fuzz_query -max_total_time=60 /tmp/fc
 *   (libFuzzer writes new units into the first corpus directory: give it a
 *   scratch copy, e.g. cp -r tests/fuzz/corpus/query /tmp/fc)
 *
 * Besides the sanitizers it checks that every reply is a well-formed DNS
 * message within the size limit of its transport, answering the query's ID.
 * Rate limiting is on (rate-limit 2, a 16-slot table so that networks
 * collide, a clock that moves 10 ms per input) and the cookie secret set,
 * so slips, drops, BADCOOKIE and the COOKIE of replies are fuzzed too.
 * The usage policy is on in pol.example.org (the 10/8 peer is blocked,
 * 192.0.2.1 over a query limit after 3 queries, query keys) and
 * dpol.example.org (keys in a domain zone), and identity/version are set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "dnsxld/cookie.h"
#include "dnsxld/guard.h"
#include "dnsxld/policy.h"
#include "dnsxld/query.h"
#include "dnsxld/rrl.h"
#include "dnsxld/wire.h"

#define T_NOW 1800000000u

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dx_conf *conf;
static struct dx_store *st;
static struct dx_txn *rtxn;
static uint64_t now;
static struct dx_rrl *rrl;
static struct dx_guard_stats gst;
static uint64_t mono_ms;
static struct dx_policy_stats pst;

static const char conf_text[] =
    "[server]\n"
    "database = db\n"
    "edns-size = 1232\n"
    "rate-limit = 2\n"
    "rate-limit-exempt = 10.0.0.0/8\n"
    "identity = fuzz-node\n"
    "version = dnsxld fuzz\n"
    "[zone bl.example.org]\n"
    "ttl = 300\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
    "ns = ns1.example.org.\n"
    "ns = ns2.bl.example.org.\n"
    "txt = Listed in $list: $reason - https://example.org/q?ip=$ $$ $zone\n"
    "[list bl.example.org/traps]\n"
    "code = 127.0.0.2\n"
    "txt = Trap hit $ xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
    "[list bl.example.org/manual]\n"
    "code = 127.0.0.4\n"
    "[list bl.example.org/reports]\n"
    "code = 127.0.0.3\n"
    "[zone acl.example.org]\n"
    "allow-query = 10.0.0.0/8\n"
    "[zone bm.example.org]\n"
    "answer = bitmask\n"
    "txt = bm $\n"
    "[list bm.example.org/a]\n"
    "code = 127.0.0.2\n"
    "[list bm.example.org/b]\n"
    "code = 127.0.0.4\n"
    "[zone dbl.example.org]\n"
    "kind = domain\n"
    "txt = Domain $ in $zone: $reason\n"
    "[list dbl.example.org/spam]\n"
    "code = 127.0.1.2\n"
    "[zone pol.example.org]\n"
    "blocked-clients = 10.0.0.0/8\n"
    "query-limit = 3/1h\n"
    "query-keys = keys.txt\n"
    "[list pol.example.org/x]\n"
    "code = 127.0.0.2\n"
    "[zone dpol.example.org]\n"
    "kind = domain\n"
    "answer = bitmask\n"
    "query-keys = keys.txt\n"
    "unknown-key = blocked\n"
    "blocked-code = 127.255.255.1\n"     /* bits no list of this bitmask zone uses */
    "limit-code = 127.255.255.5\n"
    "[list dpol.example.org/x]\n"
    "code = 127.0.1.2\n";

static void put(struct dx_txn *w, const char *zone, const char *list, const char *key,
                uint64_t expires)
{
    struct dx_key k;
    struct dx_entry e;
    if (dx_key_parse(key, &k))
        abort();
    memset(&e, 0, sizeof(e));
    e.expires_at = expires;
    e.reason = "fuzz reason";
    if (dx_entry_put(w, zone, list, &k, &e))
        abort();
}

static char dir[] = "/tmp/dx-fuzz-XXXXXX";

static void cleanup(void)
{
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[128], err[256];
    now = (uint64_t)time(NULL);
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(conf_text, f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/keys.txt", dir);
    f = fopen(path, "w");
    if (!f || chmod(path, 0600) != 0)
        abort();
    fputs("abcdefgh12345678 k1\nquota0000001 k2 2/1h\ndisabled0001 k3 disabled\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    if (dx_conf_load(path, &conf, err, sizeof(err)) ||
        dx_cookie_setup(conf, NULL, now, err, sizeof(err)) ||
        dx_policy_attach(conf, NULL, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    if (dx_store_open(conf->server.database, 64u << 20, DX_STORE_CREATE, &st))
        abort();
    struct dx_txn *w;
    if (dx_txn_write(st, T_NOW, &w))
        abort();
    put(w, "bl.example.org", "traps", "192.0.2.99", 0);
    put(w, "bl.example.org", "manual", "192.0.2.0/24", now + 50);
    put(w, "bl.example.org", "reports", "2001:db8::/32", 0);
    put(w, "bl.example.org", "traps", "2001:db8::1", 0);
    put(w, "bm.example.org", "a", "192.0.2.1", 0);
    put(w, "bm.example.org", "b", "192.0.2.0/30", 0);
    put(w, "dbl.example.org", "spam", "spam.example", 0);
    put(w, "dbl.example.org", "spam", "*.wild.example", 0);
    put(w, "pol.example.org", "x", "192.0.2.99", 0);
    put(w, "dpol.example.org", "x", "spam.example", 0);
    if (dx_txn_commit(w))
        abort();
    if (dx_txn_read(st, &rtxn))
        abort();
    if ((rrl = dx_rrl_new(4)) == NULL)
        abort();
    return 0;
}

static uint8_t resp[65535];

static void check(const uint8_t *q, size_t qlen, size_t n, size_t limit)
{
    if (n == 0)
        return;
    struct dx_msg m;
    if (n < 12 || n > limit)
        abort();
    if (dx_msg_parse(resp, n, &m) != 0)   /* our reply must be well formed */
        abort();
    if (resp[0] != q[0] || resp[1] != q[1] || !(resp[2] & 0x80))
        abort();
    (void)qlen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mono_ms += 10;
    struct dx_qctx ctx = { .conf = conf, .txn = rtxn, .now = now, .mono_ms = mono_ms,
                           .rrl = rrl, .st = &gst, .pst = &pst };
    struct sockaddr_in peer;
    memset(&peer, 0, sizeof(peer));
    peer.sin_family = AF_INET;
    peer.sin_addr.s_addr = htonl(size & 1 ? 0x0a000001 : 0xc0000201);
    size_t n = dx_query_answer(&ctx, data, size, resp, sizeof(resp), DX_UDP,
                               (const struct sockaddr *)&peer);
    check(data, size, n, 1232);
    n = dx_query_answer(&ctx, data, size, resp, sizeof(resp), DX_TCP,
                        (const struct sockaddr *)&peer);
    check(data, size, n, 65535);
    return 0;
}
