/* dnsxl-loader commands for automated feeds (dnsxl-loader(8)):
 *
 *   traps   ZONE/LIST PATH            spam-trap mail (Maildir, mbox, or - = one
 *                                     message on stdin) -> listing policy
 *   reports ZONE/LIST PATH            ARF abuse reports (a file, a directory
 *                                     of files or a Maildir, or -) -> policy
 *                                     with reporter thresholds
 *   sync    ZONE/LIST SOURCE [--pubkey FILE] [--format FMT] [--rsync PATH]
 *                                     fetch a zone file with rsync, check its
 *                                     minisign signature, import with --replace
 *
 * Each is self-contained: conf_path is the -c value given before the
 * command (or NULL: $DNSXL_CONF, then /etc/dnsxl/dnsxl.conf), argv[0] is the
 * command name, options are parsed with getopt_long (-c/--config and
 * -h/--help are accepted after the command too). Each loads the config,
 * opens the store, does its work in one write transaction (a crash or an
 * error leaves nothing half-done) and returns the exit status: 0 done, 1 bad
 * usage or bad input (bad signature included), 2 store or system error.
 * reports: a single report (a file or - holding one message) that is no
 * valid report is bad input (1, nothing written); in a directory, a
 * Maildir or an mbox such messages are skipped, named and counted, the
 * valid reports applied, and the status is 3 (DX_EX_PARTIAL). A valid
 * report whose Feedback-Type is no complaint (dx_arf_lists) never lists.
 * Messages go to stderr prefixed "dnsxl-loader: " (control bytes escaped),
 * the summary to stdout (names of skipped files escaped the same way).
 */
#ifndef DX_LOADER_FEEDS_H
#define DX_LOADER_FEEDS_H

int dx_cmd_traps(const char *conf_path, int argc, char **argv);
int dx_cmd_reports(const char *conf_path, int argc, char **argv);
int dx_cmd_sync(const char *conf_path, int argc, char **argv);

#endif
