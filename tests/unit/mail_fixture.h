/* Test helper over loader/mail.h (unit tests and fuzz targets): the first
 * MIME part of a type, found with dx_mail_walk. */
#ifndef DX_TEST_MAIL_FIXTURE_H
#define DX_TEST_MAIL_FIXTURE_H

#include "loader/mail.h"
#include "zones/err.h"

struct mail_find {
    const char *type, *subtype;
    struct dx_mail_part *out;
};

static inline int mail_find_cb(void *arg, const struct dx_mail_part *p)
{
    struct mail_find *f = arg;
    if (!dx_mail_ctype_is(&p->ct, f->type, f->subtype))
        return 0;
    *f->out = *p;
    return 1;
}

/* First part (in walk order) of type/subtype; *p is filled. Returns 0, or
 * DX_ENOTFOUND, or dx_mail_walk's error. */
static inline int mail_find_part(const struct dx_mail_msg *m, const char *type,
                                 const char *subtype, struct dx_mail_part *p)
{
    struct mail_find f = { type, subtype, p };
    int rc = dx_mail_walk(m, mail_find_cb, &f);
    if (rc == 1)
        return 0;
    return rc < 0 ? rc : DX_ENOTFOUND;
}

#endif
