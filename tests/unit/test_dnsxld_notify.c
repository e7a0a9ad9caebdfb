/* Unit tests of dx_notify_response (dnsxld/notify.h): which replies to a
 * NOTIFY (RFC 1996 4.7) acknowledge it. Without a key, so no TSIG; the
 * signed cases run in tests/integration/test_xfr.py against real peers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dnsxld/notify.h"
#include "dnsxld/wire.h"

static const uint8_t ZONE[] = "\002bl\007example\003org";   /* with its root label */

/* A reply: id, flags, one question zone/type/class; its length. */
static size_t reply(uint8_t *m, uint16_t id, uint16_t flags, const uint8_t *zone, size_t zl,
                    uint16_t type, uint16_t cls)
{
    memset(m, 0, DX_HDR_LEN);
    m[0] = (uint8_t)(id >> 8), m[1] = (uint8_t)id;
    m[2] = (uint8_t)(flags >> 8), m[3] = (uint8_t)flags;
    m[5] = 1;                                   /* QDCOUNT */
    memcpy(m + DX_HDR_LEN, zone, zl);
    uint8_t *q = m + DX_HDR_LEN + zl;
    q[0] = (uint8_t)(type >> 8), q[1] = (uint8_t)type;
    q[2] = (uint8_t)(cls >> 8), q[3] = (uint8_t)cls;
    return DX_HDR_LEN + zl + 4;
}

static enum dx_notify_resp judge(const uint8_t *m, size_t n, unsigned *rcode)
{
    enum dx_tsig_result tres;
    return dx_notify_response(m, n, 0x1234, ZONE, sizeof(ZONE), NULL, NULL, NULL, 0, 1000,
                              rcode, &tres);
}

#define QR_NOTIFY (0x8000 | 4 << 11 | 0x0400)  /* QR, opcode NOTIFY, AA */

static void test_the_zones_reply_acknowledges_and_others_do_not(void **state)
{
    (void)state;
    uint8_t m[512];
    unsigned rc;
    size_t n = reply(m, 0x1234, QR_NOTIFY, ZONE, sizeof(ZONE), DX_T_SOA, DX_C_IN);
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_ACK);
    assert_int_equal(rc, DX_RC_NOERROR);
    n = reply(m, 0x1234, QR_NOTIFY | DX_RC_REFUSED, ZONE, sizeof(ZONE), DX_T_SOA, DX_C_IN);
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_RCODE);
    assert_int_equal(rc, DX_RC_REFUSED);
    uint8_t upper[sizeof(ZONE)];                /* names compare without case */
    memcpy(upper, ZONE, sizeof(ZONE));
    upper[1] = 'B';
    n = reply(m, 0x1234, QR_NOTIFY, upper, sizeof(upper), DX_T_SOA, DX_C_IN);
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_ACK);

    n = reply(m, 0x1235, QR_NOTIFY, ZONE, sizeof(ZONE), DX_T_SOA, DX_C_IN);      /* id */
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_OTHER);
    n = reply(m, 0x1234, QR_NOTIFY & ~0x8000, ZONE, sizeof(ZONE), DX_T_SOA, DX_C_IN); /* no QR */
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_OTHER);
    n = reply(m, 0x1234, 0x8000 | 0x0400, ZONE, sizeof(ZONE), DX_T_SOA, DX_C_IN);  /* QUERY */
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_OTHER);
    n = reply(m, 0x1234, QR_NOTIFY, ZONE, sizeof(ZONE), DX_T_A, DX_C_IN);        /* type */
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_OTHER);
    n = reply(m, 0x1234, QR_NOTIFY, ZONE, sizeof(ZONE), DX_T_SOA, DX_C_CH);      /* class */
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_OTHER);
    static const uint8_t other[] = "\002bx\007example\003org";
    n = reply(m, 0x1234, QR_NOTIFY, other, sizeof(other), DX_T_SOA, DX_C_IN);    /* zone */
    assert_int_equal(judge(m, n, &rc), DX_NOTIFY_OTHER);
    n = reply(m, 0x1234, QR_NOTIFY, ZONE, sizeof(ZONE), DX_T_SOA, DX_C_IN);
    assert_int_equal(judge(m, n - 1, &rc), DX_NOTIFY_OTHER);                  /* cut short */
    assert_int_equal(judge(m, DX_HDR_LEN - 1, &rc), DX_NOTIFY_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_zones_reply_acknowledges_and_others_do_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
