/* DNS wire format on top of the byte codec (zones/bytes.h: a bounded
 * cursor with a sticky error; a short read is DX_ESHORT, a full writer
 * DX_ERANGE): name reading with compression-pointer validation, the header
 * codec, parsing and validation of a whole query message. (Answers compress
 * names with known pointers into the question: see answer.c.)
 *
 * No function here allocates.
 */
#ifndef DX_WIRE_H
#define DX_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/bytes.h"

#define DX_NAME_MAX   255          /* wire name, root label included */
#define DX_LABEL_MAX  63
#define DX_LABELS_MAX 128          /* at most 127 labels + root in 255 octets */

enum {
    DX_T_A = 1, DX_T_NS = 2, DX_T_SOA = 6, DX_T_TXT = 16, DX_T_AAAA = 28,
    DX_T_OPT = 41, DX_T_IXFR = 251, DX_T_AXFR = 252, DX_T_ANY = 255,
};
enum { DX_C_IN = 1, DX_C_CH = 3, DX_C_ANY = 255 };
enum {
    DX_RC_NOERROR = 0, DX_RC_FORMERR = 1, DX_RC_SERVFAIL = 2, DX_RC_NXDOMAIN = 3,
    DX_RC_NOTIMP = 4, DX_RC_REFUSED = 5, DX_RC_BADVERS = 16, DX_RC_BADCOOKIE = 23,
};

#define DX_HDR_LEN 12
#define DX_OPT_LEN 11              /* an OPT RR without options */

/* --- names ------------------------------------------------------------ */

/* Decode the (possibly compressed) name at pkt[off] into out (uncompressed
 * wire form, at most DX_NAME_MAX octets, root included). Rejects: pointers
 * that do not point strictly before the start of the label run they end
 * (forward pointers, self pointers, and with them every loop), pointers past
 * the end of pkt, label types 0x40 and 0x80, truncation, names longer than
 * 255 octets. *next (may be NULL) = offset just past the name at off (after
 * its first pointer). Returns 0 or DX_EINVAL. Case is kept. */
int dx_name_unpack(const uint8_t *pkt, size_t pktlen, size_t off,
                   uint8_t *out, size_t *outlen, size_t *next);

/* Cursor form of dx_name_unpack: reads the name at b->pos (pointers resolve
 * against the whole input b->rp[0..len)), advances past it. On error sets
 * err = DX_EINVAL and returns it (or the error already set). */
int dx_wire_get_name(struct dx_bytes *b, uint8_t *out, size_t *outlen);

/* --- messages ----------------------------------------------------------- */

/* The validated question, name lowercased into fixed storage. */
struct dx_question {
    uint8_t name[DX_NAME_MAX];     /* lowercase wire form, root included */
    uint8_t orig[DX_NAME_MAX];     /* the same with the query's case, for the echo */
    size_t name_len;
    unsigned labels;               /* labels, root excluded */
    uint8_t lab_off[DX_LABELS_MAX];/* offset of label i in name; lab_off[labels] = root */
    uint16_t qtype, qclass;
};

/* The 12-byte header (RFC 1035 4.1.1). */
struct dx_hdr {
    uint16_t id, flags;            /* flags: header bytes 2-3 */
    uint16_t qd, an, ns, ar;       /* section counts */
};

/* Read a header at the cursor (a short input sets DX_ESHORT). */
void dx_hdr_get(struct dx_bytes *b, struct dx_hdr *h);
/* Write h over the first 12 bytes already written (the placeholder of a
 * reply): DX_EINVAL when fewer were written, nothing once err is set. */
void dx_hdr_patch(struct dx_bytes *b, const struct dx_hdr *h);

/* Write an OPT record without options (RFC 6891 6.1.2): UDP payload size,
 * the upper 8 bits of the 12-bit rcode, version 0, the DO bit. */
void dx_opt_put(struct dx_bytes *b, uint16_t payload, unsigned rcode, bool do_bit);
/* The same with options: opts[0..optlen) already in wire form (code,
 * length, data each) as the OPT's RDATA. */
void dx_opt_put_opts(struct dx_bytes *b, uint16_t payload, unsigned rcode, bool do_bit,
                     const uint8_t *opts, size_t optlen);

struct dx_msg {
    struct dx_hdr hdr;
    bool has_q;                    /* QDCOUNT == 1 and the question parsed */
    struct dx_question q;
    bool has_opt;                  /* one OPT at the root seen (its options may be
                                      malformed: the parse then fails, and the
                                      FORMERR carries an OPT, RFC 6891 7) */
    bool opt_bad;                  /* a second OPT, or one not at the root */
    uint16_t opt_payload;          /* requestor's UDP payload size */
    uint8_t opt_version;
    bool opt_do;
    uint8_t cookie_len;            /* the OPT's COOKIE option (RFC 7873): 0 = none, else 8
                                      or 16..40 (any other length fails the parse: FORMERR;
                                      so does a second COOKIE) */
    uint8_t cookie[40];            /* cookie[0..cookie_len) */
};

#define DX_MSG_QR(m)     (((m)->hdr.flags >> 15) & 1u)
#define DX_MSG_OPCODE(m) (((m)->hdr.flags >> 11) & 0xfu)
#define DX_MSG_RD(m)     ((m)->hdr.flags & 0x0100u)

/* Parse and validate a whole message. Returns:
 *   DX_ESHORT  fewer than 12 bytes (nothing usable: drop)
 *   DX_EINVAL  malformed after the header (the header fields, and has_q /
 *              has_opt for what parsed before the error, are filled in)
 *   0          every section walked, no trailing bytes.
 * QDCOUNT != 1 is not an error here (has_q is false). */
int dx_msg_parse(const uint8_t *buf, size_t len, struct dx_msg *m);

#endif
