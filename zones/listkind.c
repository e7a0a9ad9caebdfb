/* See zones/listkind.h. */
#include "zones/listkind.h"

#include "zones/store.h"

#include <stdio.h>
#include <string.h>

static int census_cb(void *arg, const char *list, const struct dx_key *k,
                     const struct dx_entry *e)
{
    struct dx_list_census *c = arg;
    (void)list;
    if (e->source && strcmp(e->source, DX_SOURCE_COUNTRY) == 0)
        c->country++;
    else if (c->entries == c->country) {   /* the first other entry */
        c->other = *k;
        snprintf(c->other_source, sizeof(c->other_source), "%s",
                 e->source && *e->source ? e->source : "-");
    }
    c->entries++;
    return 0;
}

int dx_list_census(struct dx_txn *t, const char *zone, const char *list,
                   struct dx_list_census *c)
{
    memset(c, 0, sizeof(*c));
    return dx_entry_foreach(t, zone, list, census_cb, c);
}

const char *dx_list_kind(const struct dx_list_census *c)
{
    if (c->entries == 0)
        return "empty";
    return c->entries == c->country ? "country" : "listing";
}
