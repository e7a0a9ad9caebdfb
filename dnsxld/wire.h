/* DNS wire format: a bounded byte cursor with a sticky error, name reading
 * with compression-pointer validation, parsing and validation of a whole
 * query message, and record writing with mark/rollback. (Answers compress
 * names with known pointers into the question: see answer.c.)
 *
 * The cursor (struct dx_wire) never reads or writes outside [buf, buf+len).
 * After the first overrun or malformed input it sets err (sticky): every later
 * read returns zero and every later write is a no-op, so a caller checks one
 * flag at the end of a sequence. dx_wire_rollback() is the only way to clear
 * err: it returns the cursor to a mark taken earlier.
 *
 * No function here allocates.
 */
#ifndef DX_WIRE_H
#define DX_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    DX_RC_NOTIMP = 4, DX_RC_REFUSED = 5, DX_RC_BADVERS = 16,
};

#define DX_HDR_LEN 12
#define DX_OPT_LEN 11              /* an OPT RR without options */

struct dx_wire {
    const uint8_t *rbuf;           /* reading: the message */
    uint8_t *wbuf;                 /* writing: the output buffer (NULL when reading) */
    size_t len;                    /* readable length / writable limit */
    size_t pos;
    int err;                       /* 0 or DX_ERANGE (overrun) / DX_EINVAL (malformed) */
};

/* --- cursor ----------------------------------------------------------- */

void dx_wire_init_read(struct dx_wire *w, const uint8_t *buf, size_t len);
/* Writing into buf[0..limit). The limit may be lowered/raised later with
 * dx_wire_set_limit (e.g. to reserve room for the OPT record). */
void dx_wire_init_write(struct dx_wire *w, uint8_t *buf, size_t limit);
void dx_wire_set_limit(struct dx_wire *w, size_t limit);

static inline size_t dx_wire_avail(const struct dx_wire *w)
{
    return w->err || w->pos > w->len ? 0 : w->len - w->pos;
}

/* Reads: return 0 (and set err) past the end or once err is set. */
uint8_t  dx_wire_u8(struct dx_wire *w);
uint16_t dx_wire_u16(struct dx_wire *w);
uint32_t dx_wire_u32(struct dx_wire *w);
/* Pointer to n bytes at the cursor (advanced past them), or NULL + err. */
const uint8_t *dx_wire_bytes(struct dx_wire *w, size_t n);
void dx_wire_skip(struct dx_wire *w, size_t n);

/* Writes: no-ops (and err = DX_ERANGE) when they would pass the limit. */
void dx_wire_put_u8(struct dx_wire *w, uint8_t v);
void dx_wire_put_u16(struct dx_wire *w, uint16_t v);
void dx_wire_put_u32(struct dx_wire *w, uint32_t v);
void dx_wire_put_bytes(struct dx_wire *w, const void *p, size_t n);
/* Overwrite 2 bytes at an earlier offset (rdlength, counts). */
void dx_wire_patch_u16(struct dx_wire *w, size_t at, uint16_t v);

/* Mark/rollback: a mark is the cursor position. Rolling back restores it
 * and clears err. */
struct dx_wire_mark { size_t pos; };
struct dx_wire_mark dx_wire_mark(const struct dx_wire *w);
void dx_wire_rollback(struct dx_wire *w, struct dx_wire_mark m);

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

/* Cursor form of dx_name_unpack: reads the name at w->pos (pointers resolve
 * against the whole buffer w->rbuf[0..len)), advances past it. On error sets
 * err = DX_EINVAL and returns it. */
int dx_wire_get_name(struct dx_wire *w, uint8_t *out, size_t *outlen);

/* Text name ("ns1.example.org", trailing dot optional, "" or "." = root) to
 * wire form in out[DX_NAME_MAX]. Returns 0 or DX_EINVAL (empty label, label
 * > 63, name > 255). No escapes. */
int dx_name_from_text(const char *text, uint8_t *out, size_t *outlen);

/* Case-insensitive equality of two uncompressed wire names. */
bool dx_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

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

struct dx_msg {
    uint16_t id, flags;            /* flags: header bytes 2-3 */
    uint16_t qdcount, ancount, nscount, arcount;
    bool has_q;                    /* QDCOUNT == 1 and the question parsed */
    struct dx_question q;
    bool has_opt;                  /* one OPT at the root seen (its options may be
                                      malformed: the parse then fails, and the
                                      FORMERR carries an OPT, RFC 6891 7) */
    bool opt_bad;                  /* a second OPT, or one not at the root */
    uint16_t opt_payload;          /* requestor's UDP payload size */
    uint8_t opt_version;
    bool opt_do;
};

#define DX_MSG_QR(m)     (((m)->flags >> 15) & 1u)
#define DX_MSG_OPCODE(m) (((m)->flags >> 11) & 0xfu)
#define DX_MSG_RD(m)     ((m)->flags & 0x0100u)

/* Parse and validate a whole message. Returns:
 *   DX_ERANGE  fewer than 12 bytes (nothing usable: drop)
 *   DX_EINVAL  malformed after the header (the header fields, and has_q /
 *              has_opt for what parsed before the error, are filled in)
 *   0          every section walked, no trailing bytes.
 * QDCOUNT != 1 is not an error here (has_q is false). */
int dx_msg_parse(const uint8_t *buf, size_t len, struct dx_msg *m);

#endif
