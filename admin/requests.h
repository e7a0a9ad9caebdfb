/* dnsxl-admin requests, approve, deny (dnsxl-admin(8)): the removal
 * requests dnsxl-web queued for review. Each runs with the -c value given
 * so far (*conf_opt; its own -c may change it), the clock `now` and argv
 * from the command's name on, owns what it opens and returns an exit
 * status of zones/cli.h. */
#ifndef DX_ADMIN_REQUESTS_H
#define DX_ADMIN_REQUESTS_H

#include <stdint.h>

#include "zones/cli.h"

int dx_adm_requests(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                    char **argv);
int dx_adm_approve(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                   char **argv);
int dx_adm_deny(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                char **argv);

#endif
