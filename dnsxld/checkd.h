/* [check] (dnsxl.conf(5)): is one of our own addresses listed somewhere?
 * With `address` lines in [check], a thread of dnsxld asks each list of
 * the lists file (the format of dnsxl-admin check, admin/check.h) about
 * each address every `interval`, all queries at once with `timeout`, and
 * keeps the last verdict per (address, list) for the metrics:
 * dnsxl_check_listed 1/0, dnsxl_check_error 1 when the list could not be
 * asked or answered an error code (dnsxld(8) "Metrics"), so that an alert
 * fires when one of our mail servers gets listed. Domain lists are not
 * asked about addresses. Never on a worker's path. */
#ifndef DX_CHECKD_H
#define DX_CHECKD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/conf.h"

struct dx_checkd;

/* Read the lists file and the resolver, start the thread (the first check
 * at once). 0, or an error with err ("FILE:LINE: ..."). conf->check has at
 * least one address. */
int dx_checkd_start(const struct dx_conf *conf, struct dx_checkd **out, char *err,
                    size_t errlen);
/* The same checks without the thread (dnsxld -t, a reload). */
int dx_checkd_verify(const struct dx_conf *conf, char *err, size_t errlen);
/* Stop the thread (a check under way ends within its timeout), free. NULL ok. */
void dx_checkd_stop(struct dx_checkd *c);

struct dx_check_result {
    char address[64];            /* as dx_key_format writes it */
    char list[256];              /* the list's zone */
    bool checked;                /* false until its first check ended */
    bool listed, error;
};

/* A copy of the results (address then list order; malloc'd, *n of them),
 * or NULL (none, c NULL, out of memory); *last_run: when the last check
 * ended (unix), 0 never. */
struct dx_check_result *dx_checkd_results(struct dx_checkd *c, size_t *n, uint64_t *last_run);

#endif
