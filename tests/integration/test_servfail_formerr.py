"""Review regressions for dnsxld (server.c, query.c, wire.c)."""
import os
import resource
import struct

import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from conftest import BL, LOADER, Server, base_config, rev4, run_tool


@pytest.mark.skipif("ASAN_OPTIONS" in os.environ,
                    reason="an address-space limit cannot be set under AddressSanitizer "
                           "(it reserves terabytes of shadow memory); the plain build runs it")
def test_renew_failure_answers_servfail(tmp_path):
    """When a worker cannot renew its read transaction the query is answered
    SERVFAIL (UDP and TCP), not dropped; names outside our zones stay REFUSED.

    A renew failure is provoked for real: dnsxld normally maps 1 TiB, so it
    follows a store that writers grow; under an address-space limit
    (RLIMIT_AS 4 GiB) it falls back to map-size (1 MiB here), then a loader
    with a larger map-size grows the database past it, so LMDB's
    mdb_txn_renew in dnsxld returns MDB_MAP_RESIZED."""
    def small(port, dbdir, **kw):
        return base_config(port, dbdir, **kw).replace(
            f"database = {dbdir}\n", f"database = {dbdir}\nmap-size = 1M\n", 1)

    s = Server(str(tmp_path), config_fn=small)
    s.start(preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30)))
    try:
        assert s.q(BL, "SOA").rcode() == dns.rcode.NOERROR
        big_conf = os.path.join(str(tmp_path), "big.conf")
        with open(s.conf) as f:
            text = f.read()
        with open(big_conf, "w") as f:
            f.write(text.replace("map-size = 1M\n", "map-size = 256M\n"))
        lst = os.path.join(str(tmp_path), "many.txt")
        with open(lst, "w") as f:
            for i in range(60000):
                f.write(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")
        run_tool([LOADER, "-c", big_conf, "import", f"{BL}/reports", lst])

        for tcp in (False, True):
            r = s.q(rev4("192.0.2.99") + "." + BL, "A", tcp=tcp)
            assert r.rcode() == dns.rcode.SERVFAIL
            assert not r.answer
            r = s.q("example.com", "A", tcp=tcp)
            assert r.rcode() == dns.rcode.REFUSED
        assert s.alive()
        assert "cannot map 1 TiB" in s.stderr_text()
        assert "cannot renew read transaction" in s.stderr_text()
    finally:
        rc = s.stop()
    assert rc == 0
    assert not s.sanitizer_report(), s.stderr_text()[-4000:]


def test_malformed_edns_option_formerr_carries_opt(srv):
    """RFC 6891 7: a FORMERR for a badly formatted option inside the one OPT
    MUST include an OPT (so the client can tell it from a non-EDNS server)."""
    m = dns.message.make_query(rev4("192.0.2.99") + "." + BL, "A", use_edns=0, payload=1232)
    w = bytearray(m.to_wire())
    assert w[-11] == 0 and struct.unpack("!H", w[-10:-8])[0] == dns.rdatatype.OPT
    struct.pack_into("!H", w, len(w) - 2, 4)          # OPT rdlength 4 ...
    w += b"\xfe\x01\x00\x05"                           # ... an option claiming 5 bytes
    resp = srv.raw_udp(bytes(w))
    assert resp is not None
    hdr = struct.unpack("!6H", resp[:12])
    assert hdr[0] == m.id
    assert hdr[1] & 0xf == dns.rcode.FORMERR
    assert hdr[2:5] == (0, 0, 0)
    assert hdr[5] == 1, "FORMERR for a malformed option must carry an OPT"
    assert resp[12] == 0 and struct.unpack("!H", resp[13:15])[0] == dns.rdatatype.OPT
