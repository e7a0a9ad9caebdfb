/* Unit tests: Received header parsing and the trusted-relay walk
 * (loader/received.c), against one fixture per MTA style in
 * tests/fixtures/mail/ (run from the repository root). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/mail.h"
#include "loader/received.h"
#include "zones/err.h"

#define FIX "tests/fixtures/mail/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    char *b = malloc(1 << 20);
    assert_non_null(b);
    *len = fread(b, 1, (1 << 20) - 1, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

static void key_is(const struct dx_key *k, const char *want)
{
    char buf[DX_KEY_TEXT_MAX];
    assert_true(dx_key_format(k, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, want);
}

static struct dx_key key(const char *text)
{
    struct dx_key k;
    assert_int_equal(dx_key_parse(text, &k), 0);
    return k;
}

struct style {
    const char *file;
    const char *ip;               /* expected client */
    size_t hop;                   /* header index that names it */
    const char *helo, *rdns, *by;
};

static const struct style styles[] = {
    { "received-postfix.eml", "192.0.2.10", 0, "mail.bulk.example",
      "host-192-0-2-10.bulk.example", "mx.example.org" },
    { "received-postfix-unknown.eml", "198.51.100.23", 0, "helo.bulk.example", "",
      "mx.example.org" },
    { "received-postfix-ipv6.eml", "2001:db8:5::25", 0, "mail6.bulk.example",
      "mail6.bulk.example", "mx.example.org" },
    { "received-exim-literal.eml", "203.0.113.5", 0, "win-pc", "", "mx.example.org" },
    { "received-exim-rdns.eml", "198.51.100.44", 0, "smtp.sender.example",
      "mail.sender.example", "mx.example.org" },
    { "received-exim-port.eml", "192.0.2.77", 0, "[192.0.2.1]", "host.bulk.example",
      "mx.example.org" },
    { "received-sendmail-forged.eml", "203.0.113.88", 0, "fake.helo.example",
      "dsl-88.isp.example", "mx.example.org" },
    { "received-sendmail-noptr.eml", "198.51.100.99", 0, "helo.bulk.example", "",
      "mx.example.org" },
    { "received-qmail-unknown.eml", "203.0.113.201", 1, "192.0.2.200", "", "mx.example.org" },
    { "received-qmail-rdns.eml", "198.51.100.150", 0, "smtp.sender.example",
      "mail.sender.example", "mx.example.org" },
    { "received-qmail-bare.eml", "192.0.2.45", 0, "192.0.2.45", "", "mx.example.org" },
    { "received-opensmtpd.eml", "203.0.113.12", 0, "helo.bulk.example", "mail.bulk.example",
      "mx.example.org" },
    { "received-o365-ipv6.eml", "2603:10b6:a03:1a9::12", 0,
      "NAM12-DM6-obe.outbound.protection.outlook.com", "",
      "MW4PR01MB1234.namprd01.prod.exchangelabs.com" },
    { "received-exchange-ipv4.eml", "192.0.2.61", 0, "mail.sender.example", "",
      "EXCH01.example.org" },
    { "received-exchange-eop.eml", "2a01:111:f400::1", 0,
      "EUR05-AM6-obe.outbound.protection.outlook.com", "",
      "AM6PR10MB2345.EURPRD10.PROD.OUTLOOK.COM" },
    /* Google's internal "by 2002:..." hop on top, then mx.google.com's
     * hop, whose rdns ends in a dot and whose IPv6 literal has no tag */
    { "received-gmail.eml", "209.85.208.65", 1, "mail-ed1-f65.google.com",
      "mail-ed1-f65.google.com", "mx.google.com" },
    { "received-gmail-workspace.eml", "192.0.2.25", 1, "mail.bulk.example",
      "mail.bulk.example", "mx.google.com" },
    { "received-gmail-ipv6.eml", "2001:db8::25", 1, "mail6.bulk.example",
      "mail6.bulk.example", "mx.google.com" },
};

/* Each style: the walk from the top finds the expected client, and the
 * header it came from gives helo/rdns/by. */
static void test_styles(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
        const struct style *s = &styles[i];
        char path[256];
        snprintf(path, sizeof(path), FIX "%s", s->file);
        size_t len;
        char *buf = slurp(path, &len);
        struct dx_mail_msg m;
        assert_int_equal(dx_mail_parse(&m, buf, len), 0);
        const char *rc[16];
        size_t n = dx_mail_header_all(&m, "Received", rc, 16);
        assert_true(n >= 1);
        struct dx_key client;
        size_t hop = 99;
        enum dx_rcvd_why why;
        int r = dx_rcvd_client(rc, n, NULL, 0, &client, &hop, &why);
        if (r != 0)
            fail_msg("%s: %s", s->file, dx_rcvd_why_str(why));
        assert_int_equal(why, DX_RCVD_FOUND);
        key_is(&client, s->ip);
        assert_int_equal(hop, s->hop);
        struct dx_rcvd h;
        assert_int_equal(dx_rcvd_parse(rc[hop], &h), 0);
        assert_true(h.has_from);
        assert_true(h.has_ip);
        key_is(&h.ip, s->ip);
        if (strcmp(h.helo, s->helo) || strcmp(h.rdns, s->rdns) || strcmp(h.by, s->by))
            fail_msg("%s: helo '%s' rdns '%s' by '%s'", s->file, h.helo, h.rdns, h.by);
        dx_mail_free(&m);
        free(buf);
    }
}

/* Gmail: the top hop is an internal "by 2002:a05:..." without a from. It
 * names no client (its by address is Google's, never the client) and is
 * passed over, with or without relays configured. */
static void test_gmail(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp(FIX "received-gmail.eml", &len);
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, buf, len), 0);
    const char *rc[8];
    size_t n = dx_mail_header_all(&m, "Received", rc, 8);
    assert_int_equal(n, 2);  /* X-Received is not Received */

    struct dx_rcvd h;
    assert_int_equal(dx_rcvd_parse(rc[0], &h), 0);
    assert_false(h.has_from);
    assert_false(h.has_ip);
    assert_string_equal(h.by, "2002:a05:6a10:a20e:b0:4d3:1e0c:56a1");
    assert_string_equal(h.with, "SMTP");

    struct dx_key client;
    size_t hop;
    enum dx_rcvd_why why;
    assert_int_equal(dx_rcvd_client(rc, n, NULL, 0, &client, &hop, &why), 0);
    key_is(&client, "209.85.208.65");
    assert_int_equal(hop, 1);

    struct dx_key google = key("2002:a05::/32");
    assert_int_equal(dx_rcvd_client(rc, n, &google, 1, &client, &hop, &why), 0);
    key_is(&client, "209.85.208.65");
    assert_int_equal(hop, 1);
    assert_int_equal(dx_rcvd_parse(rc[1], &h), 0);
    assert_string_equal(h.rdns, "mail-ed1-f65.google.com");
    assert_string_equal(h.by, "mx.google.com");
    assert_string_equal(h.with, "SMTPS");
    dx_mail_free(&m);
    free(buf);
}

/* Our LMTP hop, a loopback content-filter hop, a v6 relay, a v4 relay, then
 * the client; the header below it is forged and never read. */
static void test_chain_relays(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp(FIX "chain-relays.eml", &len);
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, buf, len), 0);
    const char *rc[16];
    size_t n = dx_mail_header_all(&m, "Received", rc, 16);
    assert_int_equal(n, 6);
    struct dx_key relays[2] = { key("2001:db8:ffff::/48"), key("203.0.113.0/28") };
    struct dx_key client;
    size_t hop;
    enum dx_rcvd_why why;
    assert_int_equal(dx_rcvd_client(rc, n, relays, 2, &client, &hop, &why), 0);
    key_is(&client, "198.51.100.66");
    assert_int_equal(hop, 4);

    /* the relay header is folded inside its comment */
    struct dx_rcvd h;
    assert_int_equal(dx_rcvd_parse(rc[2], &h), 0);
    key_is(&h.ip, "2001:db8:ffff::25");

    /* without the v6 relay configured, the relay itself is the client */
    assert_int_equal(dx_rcvd_client(rc, n, relays + 1, 1, &client, &hop, &why), 0);
    key_is(&client, "2001:db8:ffff::25");
    assert_int_equal(hop, 2);
    /* without the v4 relay: its address */
    assert_int_equal(dx_rcvd_client(rc, n, relays, 1, &client, &hop, &why), 0);
    key_is(&client, "203.0.113.2");
    assert_int_equal(hop, 3);

    /* the forged header below claims a trusted relay: not read. Replace it
     * by garbage and the answer is the same. */
    const char *forged[6];
    memcpy(forged, rc, sizeof(forged));
    forged[5] = "this is not a received header at all";
    assert_int_equal(dx_rcvd_client(forged, 6, relays, 2, &client, &hop, &why), 0);
    key_is(&client, "198.51.100.66");

    /* trusting the client too: the forged header is reached, its (trusted)
     * address is passed, and the chain runs out */
    struct dx_key all[3] = { relays[0], relays[1], key("198.51.100.0/24") };
    assert_int_equal(dx_rcvd_client(rc, n, all, 3, &client, &hop, &why), DX_ENOTFOUND);
    assert_int_equal(why, DX_RCVD_ALL_TRUSTED);
    assert_int_equal(hop, 6);
    dx_mail_free(&m);
    free(buf);
}

/* Google Workspace: the sender's own headers below mx.google.com's hop
 * (a local submission and a forged trusted relay) are never read. */
static void test_gmail_workspace(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp(FIX "received-gmail-workspace.eml", &len);
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, buf, len), 0);
    const char *rc[8];
    size_t n = dx_mail_header_all(&m, "Received", rc, 8);
    assert_int_equal(n, 4);
    struct dx_key relay = key("203.0.113.0/28"), client;
    size_t hop;
    enum dx_rcvd_why why;
    assert_int_equal(dx_rcvd_client(rc, n, &relay, 1, &client, &hop, &why), 0);
    key_is(&client, "192.0.2.25");
    assert_int_equal(hop, 1);
    /* the sender's local submission below is no internal hop of ours:
     * reached only when the client itself is trusted, it ends the walk */
    struct dx_key all[2] = { relay, key("192.0.2.0/24") };
    assert_int_equal(dx_rcvd_client(rc, n, all, 2, &client, &hop, &why), DX_EINVAL);
    assert_int_equal(why, DX_RCVD_NO_IP);
    assert_int_equal(hop, 2);
    dx_mail_free(&m);
    free(buf);
}

/* An anti-virus gateway of ours in front of the MX writes "from
 * unknown[IP]:PORT" (no blank before the bracket): with the gateway in the
 * relays, the client is that IP. */
static void test_fsecure_unknown(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp(FIX "received-fsecure-unknown.eml", &len);
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, buf, len), 0);
    const char *rc[8];
    size_t n = dx_mail_header_all(&m, "Received", rc, 8);
    assert_int_equal(n, 3);
    struct dx_key gw = key("203.0.113.0/30"), client;
    size_t hop;
    enum dx_rcvd_why why;
    assert_int_equal(dx_rcvd_client(rc, n, &gw, 1, &client, &hop, &why), 0);
    key_is(&client, "192.0.2.24");
    assert_int_equal(hop, 1);
    struct dx_rcvd h;
    assert_int_equal(dx_rcvd_parse(rc[1], &h), 0);
    assert_string_equal(h.helo, "helo.bulk.example");
    assert_string_equal(h.rdns, "");
    assert_string_equal(h.by, "av-gw.example.org");
    assert_string_equal(h.with, "SMTP");
    /* without the gateway trusted, the gateway is the client */
    assert_int_equal(dx_rcvd_client(rc, n, NULL, 0, &client, &hop, &why), 0);
    key_is(&client, "203.0.113.1");
    assert_int_equal(hop, 0);
    dx_mail_free(&m);
    free(buf);
}

/* Literals in the from clause outside comments. */
static void test_parse_bracket_words(void **state)
{
    (void)state;
    struct dx_rcvd r;
    assert_int_equal(dx_rcvd_parse("from unknown[192.0.2.24] by mx.example.org with ESMTP id 1", &r), 0);
    key_is(&r.ip, "192.0.2.24");
    assert_string_equal(r.rdns, "");
    assert_string_equal(r.helo, "");
    assert_int_equal(dx_rcvd_parse("from host.bulk.example[192.0.2.24] by mx with SMTP", &r), 0);
    key_is(&r.ip, "192.0.2.24");
    assert_string_equal(r.rdns, "host.bulk.example");
    assert_int_equal(dx_rcvd_parse("from host.bulk.example[2001:db8::24]:25 by mx", &r), 0);
    key_is(&r.ip, "2001:db8::24");
    assert_int_equal(dx_rcvd_parse("from unknown[IPv6:2001:db8::25] by mx", &r), 0);
    key_is(&r.ip, "2001:db8::25");
    /* an IPv6 literal without the IPv6: tag, in every position */
    assert_int_equal(dx_rcvd_parse("from [2001:db8::26] (port=4000 helo=x) by mx with esmtp", &r), 0);
    key_is(&r.ip, "2001:db8::26");
    assert_int_equal(dx_rcvd_parse("from [2001:db8::27]:50999 (HELO x) by mx with SMTP", &r), 0);
    key_is(&r.ip, "2001:db8::27");
    assert_int_equal(dx_rcvd_parse("from m.example (m.example. [2001:db8::28]) by mx.google.com", &r), 0);
    key_is(&r.ip, "2001:db8::28");
    assert_string_equal(r.rdns, "m.example");
    /* Exim 3, MDaemon: the literal is a word of its own; a by clause's is not */
    assert_int_equal(dx_rcvd_parse("from boggle.example [198.51.100.21] by mx.example with esmtp (Exim 3.35 #1)", &r), 0);
    key_is(&r.ip, "198.51.100.21");
    assert_int_equal(dx_rcvd_parse("from acecomms [198.51.100.22] by mx [192.0.2.9] with SMTP", &r), 0);
    key_is(&r.ip, "198.51.100.22");
    assert_int_equal(dx_rcvd_parse("from acecomms by mx [192.0.2.9] with SMTP", &r), 0);
    assert_false(r.has_ip);
    /* the MTA's comment literal always wins over the (sender's) from word */
    assert_int_equal(dx_rcvd_parse("from x[192.0.2.66] (rdns.example [198.51.100.23]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.23");
    assert_int_equal(dx_rcvd_parse("from x [192.0.2.66] (rdns.example [198.51.100.24]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.24");
    /* not such a word: brackets inside the name, junk after the literal */
    assert_int_equal(dx_rcvd_parse("from a(b[192.0.2.66]) by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from a]b[192.0.2.66] by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from x[192.0.2.66]y by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from x[192.0.2.66]: by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from x[192.0.2.66]:25a by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from [192.0.2.66]x by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from x[300.0.2.1] by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from x[ by mx", &r), 0);
    assert_false(r.has_ip);
}

/* Hops without a from clause: a provider's internal hop named by its
 * address is passed over (one or several, IPv4 or IPv6); one named by a
 * host name is a local submission and ends the walk. */
static void test_internal_by_hops(void **state)
{
    (void)state;
    struct dx_key client;
    size_t hop;
    enum dx_rcvd_why why;
    const char *google[] = {
        "by 2002:a17:902:ab86:: with SMTP id f6ls4928291plr.10.gmail; Fri, 07 Feb 2020 00:40:37 -0800 (PST)",
        "by 10.86.92.7 with SMTP id p7mr15645159fgb.72.1210655302147; Mon, 12 May 2008 22:08:22 -0700 (PDT)",
        "from mail.bulk.example (mail.bulk.example. [192.0.2.31]) by mx.google.com with ESMTPS id x",
        "from forged.example (forged.example [198.51.100.1]) by mail.bulk.example with SMTP",
    };
    assert_int_equal(dx_rcvd_client(google, 4, NULL, 0, &client, &hop, &why), 0);
    key_is(&client, "192.0.2.31");
    assert_int_equal(hop, 2);
    /* the internal hop's own address is never the client, trusted or not */
    struct dx_key g = key("2002:a17::/32");
    assert_int_equal(dx_rcvd_client(google, 4, &g, 1, &client, &hop, &why), 0);
    key_is(&client, "192.0.2.31");
    /* a trusted relay below the internal hops is still passed over */
    const char *relayed[] = {
        google[0],
        "from relay.example.org (relay.example.org. [203.0.113.2]) by mx.google.com with ESMTPS id y",
        "from spam.bulk.example (unknown [198.51.100.32]) by relay.example.org (Postfix) with SMTP id z",
    };
    struct dx_key relay = key("203.0.113.0/28");
    assert_int_equal(dx_rcvd_client(relayed, 3, &relay, 1, &client, &hop, &why), 0);
    key_is(&client, "198.51.100.32");
    assert_int_equal(hop, 2);
    assert_int_equal(dx_rcvd_client(relayed, 3, NULL, 0, &client, &hop, &why), 0);
    key_is(&client, "203.0.113.2");
    /* named hops without a from: the walk stops there */
    const char *named[] = {
        "by obbbh8 with SMTP id bh8so22677398obb.0; Wed, 09 Sep 2015 18:05:34 -0700 (PDT)",
        google[2],
    };
    assert_int_equal(dx_rcvd_client(named, 2, NULL, 0, &client, &hop, &why), DX_EINVAL);
    assert_int_equal(why, DX_RCVD_NO_IP);
    assert_int_equal(hop, 0);
    /* only internal hops: nothing to list */
    assert_int_equal(dx_rcvd_client(google, 2, NULL, 0, &client, &hop, &why), DX_ENOTFOUND);
    assert_int_equal(why, DX_RCVD_ALL_TRUSTED);
}

static void test_chain_failures(void **state)
{
    (void)state;
    struct dx_key client, relay = key("192.0.2.0/28");
    size_t hop;
    enum dx_rcvd_why why;
    assert_int_equal(dx_rcvd_client(NULL, 0, NULL, 0, &client, &hop, &why), DX_ENOTFOUND);
    assert_int_equal(why, DX_RCVD_EMPTY);

    /* local pickup on our MX: no client, not an internal relay hop */
    const char *pickup[] = {
        "by mx.example.org (Postfix, from userid 1000) id 3F; Sun, 22 Nov 2026 10:00:00 +0000",
        "from forged.example (forged.example [198.51.100.1]) by x.example with SMTP",
    };
    assert_int_equal(dx_rcvd_client(pickup, 2, NULL, 0, &client, &hop, &why), DX_EINVAL);
    assert_int_equal(why, DX_RCVD_NO_IP);
    assert_int_equal(hop, 0);

    /* a hop from a trusted relay that names no IP stops the walk */
    const char *noip[] = {
        "from relay.example.org (relay.example.org [192.0.2.5]) by mx.example.org with ESMTP",
        "from somehost by relay.example.org with SMTP",
        "from spam.example (spam.example [198.51.100.2]) by relay.example.org with SMTP",
    };
    assert_int_equal(dx_rcvd_client(noip, 3, &relay, 1, &client, &hop, &why), DX_EINVAL);
    assert_int_equal(why, DX_RCVD_NO_IP);
    assert_int_equal(hop, 1);

    const char *bad[] = { "garbage without keywords" };
    assert_int_equal(dx_rcvd_client(bad, 1, NULL, 0, &client, &hop, &why), DX_EINVAL);
    assert_int_equal(why, DX_RCVD_BAD_HEADER);

    /* an IPv4 relay range never matches an IPv6 client and vice versa */
    struct dx_key v6 = key("::/0");
    const char *v4[] = { "from a (a [198.51.100.9]) by mx" };
    assert_int_equal(dx_rcvd_client(v4, 1, &v6, 1, &client, &hop, &why), 0);
    key_is(&client, "198.51.100.9");
    assert_string_not_equal(dx_rcvd_why_str(DX_RCVD_NO_IP), "unknown");
}

static void test_parse_forms(void **state)
{
    (void)state;
    struct dx_rcvd r;
    /* Exim: a literal in helo= is the (forgeable) HELO, not the client */
    assert_int_equal(dx_rcvd_parse("from [198.51.100.3] (helo=[192.0.2.1]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.3");
    assert_string_equal(r.helo, "[192.0.2.1]");
    /* only a helo= literal and nothing else: no client */
    assert_int_equal(dx_rcvd_parse("from x (helo=[192.0.2.1]) by mx", &r), 0);
    assert_false(r.has_ip);
    /* IPv4-mapped becomes IPv4 */
    assert_int_equal(dx_rcvd_parse("from x (x [IPv6:::ffff:192.0.2.33]) by mx", &r), 0);
    key_is(&r.ip, "192.0.2.33");
    /* a bracketed v6 literal without the IPv6: tag, case-insensitive tag */
    assert_int_equal(dx_rcvd_parse("from x (y [2001:db8::44]) by mx", &r), 0);
    key_is(&r.ip, "2001:db8::44");
    assert_int_equal(dx_rcvd_parse("FROM x (y [ipv6:2001:DB8::45]) BY mx", &r), 0);
    key_is(&r.ip, "2001:db8::45");
    assert_string_equal(r.by, "mx");
    /* sendmail ident: user@rdns */
    assert_int_equal(dx_rcvd_parse("from h (joe@host.example [192.0.2.8]) by mx", &r), 0);
    key_is(&r.ip, "192.0.2.8");
    assert_string_equal(r.rdns, "host.example");
    /* qmail with remote ident */
    assert_int_equal(dx_rcvd_parse("from unknown (HELO h) (joe@192.0.2.9) by mx with SMTP", &r), 0);
    key_is(&r.ip, "192.0.2.9");
    /* OpenSMTPD without rdns */
    assert_int_equal(dx_rcvd_parse("from h (<unknown> [192.0.2.10]) by mx (OpenSMTPD)", &r), 0);
    key_is(&r.ip, "192.0.2.10");
    assert_string_equal(r.rdns, "");
    /* bracket in the by clause is not the client */
    assert_int_equal(dx_rcvd_parse("from name by mx ([192.0.2.11]) with SMTP", &r), 0);
    assert_false(r.has_ip);
    /* unterminated comment, invalid literals, empty */
    assert_int_equal(dx_rcvd_parse("from h (rdns [192.0.2.12]", &r), 0);
    key_is(&r.ip, "192.0.2.12");
    assert_int_equal(dx_rcvd_parse("from h (rdns [300.1.2.3]) by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("from h (rdns [1.2.3.4.5]) by mx", &r), 0);
    assert_false(r.has_ip);
    assert_int_equal(dx_rcvd_parse("", &r), DX_EINVAL);
    assert_int_equal(dx_rcvd_parse("(qmail 1 invoked from network); date", &r), DX_EINVAL);
    /* the date part is not parsed for keywords */
    assert_int_equal(dx_rcvd_parse("by mx; from 192.0.2.1", &r), 0);
    assert_false(r.has_from);
    /* a second from clause is ignored */
    assert_int_equal(dx_rcvd_parse("from a (a [192.0.2.1]) from b (b [192.0.2.2]) by mx", &r), 0);
    key_is(&r.ip, "192.0.2.1");
    /* long names are truncated, not overflowed */
    char big[2000];
    memset(big, 'a', sizeof(big));
    memcpy(big, "from ", 5);
    strcpy(big + 1900, " (x [192.0.2.3]) by mx");
    assert_int_equal(dx_rcvd_parse(big, &r), 0);
    key_is(&r.ip, "192.0.2.3");
    assert_int_equal(strlen(r.from), DX_RCVD_NAME_MAX - 1);
}

/* The sender chooses the HELO (and ident, and its PTR data): none of it
 * may smuggle in an address that wins over the one the MTA recorded. */
static void test_parse_forged(void **state)
{
    (void)state;
    struct dx_rcvd r;
    /* Postfix writes any HELO without blanks as given */
    assert_int_equal(dx_rcvd_parse("from a(b[192.0.2.66]) (rdns.example [198.51.100.5]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.5");
    assert_string_equal(r.helo, "a(b[192.0.2.66])");
    assert_string_equal(r.rdns, "rdns.example");
    assert_int_equal(dx_rcvd_parse("from a;b (rdns [198.51.100.9]) by mx; date", &r), 0);
    key_is(&r.ip, "198.51.100.9");
    assert_string_equal(r.by, "mx");
    assert_int_equal(dx_rcvd_parse("from (x[192.0.2.66]) (unknown [198.51.100.10]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.10");
    /* qmail: an address literal as HELO */
    assert_int_equal(dx_rcvd_parse("from unknown (HELO [192.0.2.66]) (198.51.100.6) by mx with SMTP", &r), 0);
    key_is(&r.ip, "198.51.100.6");
    assert_string_equal(r.helo, "[192.0.2.66]");
    assert_int_equal(dx_rcvd_parse("from unknown (HELO 192.0.2.66) (198.51.100.6) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.6");
    /* ident before the rdns */
    assert_int_equal(dx_rcvd_parse("from h (x[192.0.2.66]@rdns [198.51.100.7]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.7");
    assert_int_equal(dx_rcvd_parse("from unknown (HELO h) (x@192.0.2.66@198.51.100.11) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.11");
    /* a bare-address comment before the MTA's: the last one counts */
    assert_int_equal(dx_rcvd_parse("from a (192.0.2.66) (198.51.100.8) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.8");
    /* Exim: a literal after helo= in the MTA's comment */
    assert_int_equal(dx_rcvd_parse("from r ([198.51.100.12]:25 helo=[192.0.2.66]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.12");
    /* ... or inside the helo= value, or in an ident= value (RFC 1413: the
     * sender's identd), which Exim writes after the client's literal */
    assert_int_equal(dx_rcvd_parse("from r ([198.51.100.13] helo=x[192.0.2.66]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.13");
    assert_int_equal(dx_rcvd_parse("from r ([198.51.100.14] helo=a(b[192.0.2.66])) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.14");
    assert_int_equal(dx_rcvd_parse("from r ([198.51.100.15]:25 helo=h ident=[192.0.2.66]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.15");
    assert_int_equal(dx_rcvd_parse("from [198.51.100.16] (port=25 helo=h ident=x[192.0.2.66]) by mx", &r), 0);
    key_is(&r.ip, "198.51.100.16");
    assert_int_equal(dx_rcvd_parse("from r (ident=[192.0.2.66]) by mx", &r), 0);
    assert_false(r.has_ip);
}

static void test_parse_addr(void **state)
{
    (void)state;
    struct dx_key k;
    assert_int_equal(dx_rcvd_parse_addr("[192.0.2.1]", 11, &k), 0);
    key_is(&k, "192.0.2.1");
    assert_int_equal(dx_rcvd_parse_addr("192.0.2.1xyz", 9, &k), 0);  /* length-bounded */
    key_is(&k, "192.0.2.1");
    assert_int_equal(dx_rcvd_parse_addr("[IPv6:2001:db8::1]", 18, &k), 0);
    key_is(&k, "2001:db8::1");
    assert_int_equal(dx_rcvd_parse_addr("IPv6:", 5, &k), DX_EINVAL);
    assert_int_equal(dx_rcvd_parse_addr("[]", 2, &k), DX_EINVAL);
    assert_int_equal(dx_rcvd_parse_addr("mx.example.org", 14, &k), DX_EINVAL);
    assert_int_equal(dx_rcvd_parse_addr("2001:db8::1%eth0", 16, &k), DX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_styles),
        cmocka_unit_test(test_gmail),
        cmocka_unit_test(test_gmail_workspace),
        cmocka_unit_test(test_fsecure_unknown),
        cmocka_unit_test(test_parse_bracket_words),
        cmocka_unit_test(test_internal_by_hops),
        cmocka_unit_test(test_chain_relays),
        cmocka_unit_test(test_chain_failures),
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_forged),
        cmocka_unit_test(test_parse_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
