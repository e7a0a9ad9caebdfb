#!/usr/bin/python3
"""The TSIG vectors of tests/unit/test_dnsxld_tsig.c, computed independently
with dnspython (dns.tsig): run it to print them again.

A request (AXFR of bl.test, ID 0x1234) signed at T with each algorithm; the
MAC of a response message (given bytes) signed at T with the request's MAC;
the MAC of a second response message signed with the first's MAC and only
the timers (RFC 8945 5.3.1)."""
import struct
import time

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TSIG
import dns.tsig
import dns.tsigkeyring

T = 1700000000
SECRET = "c2VjcmV0LWtleS1mb3ItdGhlLXRlc3RzLTEyMzQ1Njc4OTA="   # "secret-key-for-the-tests-1234567890"
RESP1 = bytes.fromhex("1234" "8400" "0001" "0001" "0000" "0000"
                      "02626c0474657374 00 00fc 0001"
                      "c00c 0001 0001 0000012c 0004 7f000002".replace(" ", ""))
RESP2 = bytes.fromhex("1234" "8400" "0000" "0001" "0000" "0000"
                      "02626c0474657374 00 0001 0001 0000012c 0004 7f000004".replace(" ", ""))


def hexs(b):
    return "".join(f"{x:02x}" for x in b)


for alg in (dns.tsig.HMAC_SHA256, dns.tsig.HMAC_SHA512):
    key = dns.tsig.Key("xfr-key.", SECRET, alg)
    q = dns.message.make_query("bl.test.", "AXFR")
    q.id = 0x1234
    q.flags = 0
    q.use_tsig({dns.name.from_text("xfr-key."): key}, "xfr-key.", algorithm=alg)
    real = time.time
    time.time = lambda: T
    try:
        wire = q.to_wire()
    finally:
        time.time = real
    req_mac = q.mac
    print(f"{alg}: request {hexs(wire)}")
    print(f"{alg}: request mac {hexs(req_mac)}")

    def rdata():
        return dns.rdtypes.ANY.TSIG.TSIG(dns.rdataclass.ANY, dns.rdatatype.TSIG, alg, T, 300,
                                         b"", 0x1234, 0, b"")
    t1, ctx = dns.tsig.sign(RESP1, key, rdata(), T, req_mac, None, True)
    print(f"{alg}: response 1 mac {hexs(t1.mac)}")
    t2, _ = dns.tsig.sign(RESP2, key, rdata(), T, None, ctx, True)
    print(f"{alg}: response 2 mac {hexs(t2.mac)}")
