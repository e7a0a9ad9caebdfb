/* The config file (dnsxl.conf(5)): one INI file read by dnsxld, dnsxl-admin
 * and dnsxl-loader.
 *
 * Sections: [server], [loader], [web], [zone NAME], [list ZONE/LIST]. Comments
 * start with ';' or '#' at the start of a line (after optional blanks), or
 * with ';' preceded by a blank inside a line ('#' inside a value is data, so
 * URLs with fragments survive in TXT templates). Repeatable keys (listen, ns, allow-query,
 * blocked-clients, trusted-relays, protected, never-list-zone, trusted-proxy) may appear
 * more than once.
 * Relative paths are relative to the directory of the file.
 *
 * The parser is table-driven: one table of keys per section with type,
 * default and validation; unknown sections and keys are errors. Errors are
 * reported as "FILE:LINE: message". Besides each value on its own, the
 * loader checks what only the whole file tells (so `dnsxld -t` refuses
 * what would fail or misbehave later): a `listen` address and port given
 * twice, a `never-list-zone` that names no configured zone, TXT templates
 * (zones/txt.h: known variables, worst-case length, no control
 * characters), list codes 127.0.0.1 and 127.255.255.0/24 (reserved for
 * errors; blocked-code and limit-code must be in it), and in a bitmask
 * zone list codes that differ in their first three octets or share bits
 * in the last, and a blocked-code or limit-code in use (blocked-clients,
 * query-limit, query-keys) whose last octet shares a bit with a list code
 * (a client testing that list's bit would take it for a listing). The
 * query-keys file is dnsxld's to read (dnsxld/policy.h), not
 * dx_conf_load's: the CLIs never need it.
 */
#ifndef DX_CONF_H
#define DX_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/key.h"

enum dx_zone_kind { DX_ZONE_IP = 0, DX_ZONE_DOMAIN = 1 };
enum dx_answer_mode { DX_ANSWER_SEPARATE = 0, DX_ANSWER_BITMASK = 1 };
enum dx_unknown_key { DX_UNKNOWN_KEY_REFUSED = 0, DX_UNKNOWN_KEY_BLOCKED = 1 };
enum dx_removal { DX_REMOVAL_NONE = 0, DX_REMOVAL_SELF = 1, DX_REMOVAL_REVIEW = 2 };

struct dx_qkeys;                 /* zones/qkeys.h */
struct dx_sketch;                /* zones/window.h */

struct dx_acl {                  /* list of CIDRs; empty = nothing matches */
    struct dx_key *nets;
    size_t n;
};

struct dx_list_conf {
    char *name;                  /* "traps" */
    char *target;                /* "bl.example.org/traps" */
    struct dx_zone_conf *zone;   /* owning zone */
    uint32_t code;               /* A value, host byte order (127.0.0.2 = 0x7f000002); default 127.0.0.2 */
    uint64_t lifetime;           /* default lifetime of automatic entries, seconds; DX_FOREVER; default forever */
    char *txt;                   /* TXT template, or NULL: use the zone's */
    /* listing policy for automated sources (loader) */
    uint32_t escalation;         /* relisting multiplies lifetime by escalation^n; default 1 (none) */
    uint64_t max_lifetime;       /* cap for escalated lifetimes; default DX_FOREVER */
    char *backscatter;           /* "ZONE/LIST" target for bounces, or NULL */
    uint32_t threshold;          /* distinct reporters needed; default 1 */
    uint64_t window;             /* ... within this many seconds; default 7d */
    int line;                    /* line of the [list] header, for messages */
    int code_line, txt_line;     /* lines of its code and txt keys; 0 = not in the file */
    /* the public lookup and removal page (dnsxl-web(8)) */
    int removal;                 /* enum dx_removal: what a removal request does; default none */
    uint32_t removal_limit;      /* self-service removals per key and removal_period, then
                                    review; default 1/30d */
    uint64_t removal_period;
    uint64_t removal_hold;       /* the hold a self-service or approved removal sets; default 1d */
    int public_reason;           /* public-reason (1 yes, 0 no): the page shows entry reasons;
                                    default yes */
    char *description;           /* what the list is, for the page; NULL */
};

/* A name of a zone's SOA/NS data in wire form, with what it shares with the
 * zone's name, so an answer can write it as its own labels plus one
 * compression pointer into the question (which ends with the zone name). */
struct dx_wname {
    uint8_t wire[256];           /* lowercase wire form, root label included */
    uint8_t len;                 /* bytes in wire */
    uint8_t prefix;              /* bytes of the leading labels not shared with the zone name */
    uint8_t common;              /* trailing labels shared with the zone name; 0 = none (prefix = len) */
};

/* A [key NAME] section: a TSIG key (RFC 8945; dnsxld/tsig.h). */
enum dx_tsig_alg { DX_TSIG_HMAC_SHA256 = 0, DX_TSIG_HMAC_SHA512 = 1 };

struct dx_key_conf {
    char *name;                  /* lowercase, no trailing dot: "xfr-key" */
    uint8_t wire[256];           /* the same in wire form */
    size_t wire_len;
    int alg;                     /* enum dx_tsig_alg; default hmac-sha256 */
    uint8_t *secret;             /* decoded from secret (base64) or secret-file */
    size_t secret_len;
    char *secret_b64, *secret_file;   /* as written (parse time) */
    int line;
};

/* One notify line (RFC 1996): a secondary told of every serial change,
 * the NOTIFY signed with key when one is named. */
struct dx_notify_conf {
    uint8_t family;              /* DX_FAM_V4 | DX_FAM_V6 */
    uint8_t addr[16];
    uint16_t port;               /* default 53 */
    const struct dx_key_conf *key;
    char *key_name;              /* as written (resolved at the end of the file) */
    int line;
};

/* One allow-transfer line: clients in net, with the key when one is named. */
struct dx_xfr_acl {
    struct dx_key net;
    const struct dx_key_conf *key;    /* NULL: no TSIG needed */
    char *key_name;              /* as written (resolved at the end of the file) */
    int line;
};

struct dx_zone_conf {
    char *name;                  /* lowercase, no trailing dot: "bl.example.org" */
    uint8_t wire[256];           /* the same in DNS wire form, lowercase */
    size_t wire_len;             /* including the root label */
    unsigned labels;             /* number of labels in name */
    enum dx_zone_kind kind;      /* default ip */
    uint32_t ttl;                /* answer TTL; default 300 */
    struct {
        char *mname, *rname;     /* absolute names, no trailing dot, lowercase */
        uint32_t refresh, retry, expire, minimum;
    } soa;                       /* default: ns.<zone> hostmaster.<zone> 3600 600 604800 300 */
    char **ns;                   /* NS names, no trailing dot; default: { soa.mname } */
    size_t n_ns;
    struct dx_wname soa_mname_w, soa_rname_w; /* soa.mname/rname in wire form */
    struct dx_wname *ns_w;       /* ns[i] in wire form (n_ns of them) */
    char *txt;                   /* zone TXT template, or NULL (no TXT unless the list has one) */
    int txt_line;                /* line of the txt key; 0 = not in the file */
    enum dx_answer_mode answer;  /* default separate */
    uint32_t code_prefix;        /* the first three octets of the list codes (low octet 0):
                                    what a bitmask answer keeps; 127.0.0.0 without lists */
    struct dx_acl allow_query;   /* allow-query; used only when has_allow_query */
    struct dx_xfr_acl *allow_transfer;  /* AXFR/IXFR to these; none: no transfers */
    size_t n_allow_transfer;
    struct dx_notify_conf *notify;   /* notify = ADDR[:PORT] [key NAME] lines */
    size_t n_notify;
    uint64_t ixfr_journal;       /* ixfr-journal: bytes of IXFR journal kept; 0 = none */
    uint64_t ixfr_journal_age;   /* ixfr-journal-age: changes older are dropped (seconds) */
    bool has_allow_query;
    /* usage policy (dnsxld(8) "Usage policy"): answers in 127.255.255.0/24 */
    struct dx_acl blocked_clients; /* blocked-clients: answered blocked_code */
    uint32_t blocked_code;       /* default 127.255.255.254 */
    char *blocked_txt;           /* its TXT template ($ = the client's address) */
    uint32_t query_limit;        /* query-limit: queries per client address (IPv6 /64) and
                                    query_period; 0 = none (default) */
    uint64_t query_period;
    uint32_t limit_code;         /* default 127.255.255.255 */
    int blocked_code_line, limit_code_line; /* their lines; 0 = the default */
    char *limit_txt;
    char *query_keys;            /* query-keys: the keys file, or NULL */
    int unknown_key;             /* enum dx_unknown_key: what an unknown or disabled key gets */
    bool has_policy;             /* any of blocked-clients, query-limit, query-keys */
    struct dx_qkeys *qkeys;      /* the keys of query_keys, and the query-limit counters: */
    struct dx_sketch *limit_sketch; /* set by dnsxld (dnsxld/policy.h), NULL after dx_conf_load */
    struct dx_list_conf *lists;  /* in file order */
    size_t n_lists;
    const struct dx_list_conf **lists_by_name; /* the same sorted by name (strcmp), the
                                                  order of dx_lookup's hits; NULL without lists */
    int line;
};

/* The RFC 9018 server-cookie secrets a dnsxld config carries: the current
 * one, and the one before it for an hour after a rotation. */
struct dx_cookie_keys {
    uint8_t cur[16], prev[16];
    bool has_prev;
    uint64_t prev_until;         /* unix seconds: prev is accepted before then */
};

struct dx_cstats;                /* dnsxld/stats.h */

struct dx_conf {
    char *path;                  /* the file as given */
    char *dir;                   /* its directory, for relative paths */
    struct {
        char **listen;           /* "127.0.0.1:5353", "[::1]:5353"; default { "127.0.0.1:53" } */
        size_t n_listen;
        char *database;          /* absolute path of the LMDB environment directory; default /var/lib/dnsxl */
        unsigned workers;        /* 0 = auto (one per core) */
        uint64_t map_size;       /* LMDB map size; default 16G */
        uint64_t udp_rcvbuf;     /* SO_RCVBUF for UDP sockets; default 8M */
        uint32_t edns_size;      /* largest UDP reply we send with EDNS; default 1232 */
        uint64_t tcp_idle;       /* TCP idle timeout, seconds; default 10 */
        uint32_t tcp_clients;    /* max concurrent TCP connections per worker; default 256 */
        uint32_t tcp_per_client; /* ... of them from one client address; default 16 */
        /* defence (dnsxld(8) "Rate limiting" and "DNS cookies") */
        uint32_t rate_limit;     /* RRL: answers/s per client network and response class; 0 = off (default) */
        uint32_t rate_limit_burst; /* answers a network may get at once; 0 (default) = rate_limit */
        uint32_t rate_limit_slip;  /* every Nth limited answer goes out truncated; 0 = none; default 2 */
        struct dx_acl rate_limit_exempt; /* never rate limited */
        char *cookie_secret;     /* cookie-secret: the server-cookie secret file, or NULL: random per start */
        struct dx_cookie_keys cookie; /* the secrets in force: set by dnsxld (dnsxld/cookie.h),
                                         never by dx_conf_load (all zero there) */
        /* identity and privileges (dnsxld(8) "Server identity", "Privileges") */
        char *user;              /* drop root to this user and its group after binding; NULL */
        char *identity;          /* CHAOS TXT id.server / hostname.bind; NULL = REFUSED */
        char *version;           /* CHAOS TXT version.bind / version.server; NULL = REFUSED */
        /* observability (dnsxld(8) "Metrics", "Heat", "Query logs") */
        char *metrics;           /* HTTP GET /metrics (Prometheus text), IPv4:PORT or
                                    [IPv6]:PORT; NULL = off (default) */
        int heat;                /* heat = yes (1): record each entry's answered queries
                                    and last query in DATABASE/heat/; default no */
        uint32_t heat_sample;    /* heat-sample: percent of listed answers sampled (it
                                    divides 100: each sample counts 100/heat_sample
                                    queries); default 100 */
        uint64_t heat_interval;  /* heat-interval: seconds between writes; default 30 */
        char *dnstap;            /* dnstap = unix:PATH (an fstrm reader's socket) or PATH
                                    (a file), as written (dnsxld/dnstap.h reads it); NULL */
        uint32_t tap_sample;     /* dnstap-sample: percent of queries logged; default 100 */
    } server;
    struct {
        struct dx_acl trusted_relays;
        struct dx_acl protected_nets;
        char **never_list_zones;
        size_t n_never_list_zones;
        uint64_t history;        /* keep history this long (dnsxl-loader expire prunes);
                                    DX_FOREVER = keep all; default 365d */
        uint64_t history_size;   /* and at most this many bytes: writers prune the oldest
                                    beyond it; 0 = no bound; default 1G */
        /* operator safety: what needs --force (dnsxl-loader import/sync, dnsxl-admin add) */
        uint32_t shortest_prefix;    /* IPv4 entries shorter than /N; default 8 */
        uint32_t shortest_prefix6;   /* IPv6 entries shorter than /N; default 16 */
        uint32_t replace_max_delete; /* a replace deleting more than N% of a list; default 50 */
    } loader;
    struct {                     /* [web]: dnsxl-web(8), the public lookup and removal page */
        char *listen;            /* HTTP, IPv4:PORT or [IPv6]:PORT; default 127.0.0.1:8080 */
        char *title;             /* the page's title; default "DNSxL lookup" */
        char *contact;           /* shown on every page; NULL */
        struct dx_acl trusted_proxy; /* peers whose X-Forwarded-For names the client */
        uint32_t request_limit;  /* removal requests per client address (IPv6 /64) and */
        uint64_t request_period; /* ... period; default 5/1h */
        uint32_t lookup_limit;   /* lookups per client address and period; default 3600/1h */
        uint64_t lookup_period;
        uint32_t pow_bits;       /* proof-of-work: leading zero bits of SHA-256; default 20 */
        char *secret;            /* secret: the form-token key file, or NULL: random per start */
    } web;
    struct {                     /* [check]: dnsxld checks our own addresses (dnsxld(8)) */
        struct dx_acl addresses; /* address: repeatable; none: no checks */
        char *lists;             /* lists: the lists file (dnsxl-admin(8) check); NULL: the
                                    default, /etc/dnsxl/check.lists */
        char *server;            /* server = IP[:PORT], or NULL: /etc/resolv.conf's */
        uint64_t interval;       /* seconds between checks; default 5m */
        uint64_t timeout;        /* seconds a check waits for answers; default 5s */
    } check;
    struct dx_zone_conf *zones;  /* in file order */
    size_t n_zones;
    struct dx_key_conf *keys;    /* [key] sections, in file order */
    size_t n_keys;
    struct dx_cstats *stats;     /* dnsxld's counters of this config (dnsxld/stats.h): set
                                    by dnsxld, NULL after dx_conf_load; one block, freed
                                    with the config */
};

/* Path of the config file to use: `opt` (from -c) if set, else $DNSXL_CONF,
 * else /etc/dnsxl/dnsxl.conf. Never NULL. */
const char *dx_conf_default_path(const char *opt);

/* Read and validate the file. On success *out owns everything (free with
 * dx_conf_free) and 0 is returned. On failure returns DX_EINVAL (syntax or
 * validation, err = "FILE:LINE: message") or -errno (err = "FILE: reason"),
 * and *out is NULL. */
int dx_conf_load(const char *path, struct dx_conf **out, char *err, size_t errlen);

void dx_conf_free(struct dx_conf *conf);

/* Zone by name (case-insensitive, trailing dot optional), or NULL. */
struct dx_zone_conf *dx_conf_zone(const struct dx_conf *conf, const char *name);

/* List of a zone by name, or NULL. */
struct dx_list_conf *dx_conf_list(const struct dx_zone_conf *zone, const char *name);

/* Resolve "ZONE/LIST" (list set) or "ZONE" (*list = NULL; only when
 * allow_zone). Returns 0 or DX_ENOTFOUND / DX_EINVAL with a message in err
 * ("unknown zone 'x'", "unknown list 'y' in zone 'x'", "ZONE/LIST required"). */
int dx_conf_target(const struct dx_conf *conf, const char *target, bool allow_zone,
                   struct dx_zone_conf **zone, struct dx_list_conf **list,
                   char *err, size_t errlen);

/* Checks for an entry's own values (dnsxl-admin add --code/--txt, imported
 * per-entry values), with the rules the config's own values obey. Each
 * returns 0, or DX_EINVAL with a message in err (no "FILE:LINE: " prefix).
 *
 * dx_conf_check_code: an entry's own A value (host order) in zone z: in
 * 127.0.0.0/8; not 127.0.0.1 nor in 127.255.255.0/24 (reserved: clients
 * read them as errors); in a bitmask zone, with the zone's first three
 * octets (z->code_prefix) and a non-zero last octet ("code 127.0.1.8 does
 * not share 127.0.0 with the list codes of bitmask zone 'x'"). Own codes
 * may share bits with the list codes: a bitmask answer ORs them.
 *
 * dx_conf_check_txt: an entry's own TXT for list l (of zone l->zone): the
 * template checks of zones/txt.h (dx_txt_check) with that list's and zone's
 * name lengths. "" (the entry's "no TXT") passes.
 *
 * Reasons do not depend on the zone: dx_txt_check_reason (zones/txt.h). */
int dx_conf_check_code(const struct dx_zone_conf *z, uint32_t code, char *err, size_t errlen);
int dx_conf_check_txt(const struct dx_list_conf *l, const char *txt, char *err, size_t errlen);

/* The [key] of this name (wire form, any case), or NULL. */
const struct dx_key_conf *dx_conf_key(const struct dx_conf *conf, const uint8_t *wire,
                                      size_t len);

/* Does the ACL contain the address/CIDR k? */
bool dx_acl_match(const struct dx_acl *acl, const struct dx_key *k);

#endif
