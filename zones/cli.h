/* What the three programs (dnsxld, dnsxl-admin, dnsxl-loader) share at
 * their edges: the exit status table, messages on stderr, and opening the
 * config and the store with an operator-readable error. The clock and the
 * test hooks: zones/clock.h; text made safe for a terminal: zones/safe.h.
 *
 * Exit status (every program, every command; dnsxld(8), dnsxl-admin(8),
 * dnsxl-loader(8) print this table):
 *   0  done
 *   1  bad usage or bad input: a wrong option, a config or input file that
 *      is missing, unreadable or invalid (the message names FILE:LINE), a
 *      store that does not exist, a request the safety checks refuse
 *   2  store or system error: the store cannot be read or written, out of
 *      memory or disk
 *   3  done, but some inputs were skipped (each named on stderr)
 */
#ifndef DX_CLI_H
#define DX_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dx_conf;
struct dx_store;
struct dx_txn;

enum dx_exit { DX_EX_OK = 0, DX_EX_USAGE = 1, DX_EX_STORE = 2, DX_EX_PARTIAL = 3 };

/* The table above as every program's --help prints it. */
#define DX_EXIT_HELP                                                                       \
    "exit status:\n"                                                                       \
    "  0  done\n"                                                                          \
    "  1  bad usage or bad input (the message names FILE:LINE), or a request the safety\n"  \
    "     checks refuse (use --force where the message offers it); nothing was written\n"  \
    "  2  store or system error; nothing was written\n"                                    \
    "  3  done, but some inputs were skipped (each named on stderr)\n"

/* What --version prints after the program name (all three programs). */
#ifndef DNSXL_VERSION
#define DNSXL_VERSION "0.1.0"
#endif

/* The program name that prefixes messages and names the program in its
 * usage and version text ("dnsxl-admin"). */
void dx_cli_set_prog(const char *prog);

/* "PROG: message\n" on stderr. The formatted message is written with its
 * control bytes escaped (dx_safe, zones/safe.h): file names, keys and
 * reasons come from outside and must not drive the terminal. */
void dx_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dx_cli_verr(const char *fmt, va_list ap);

/* The exit status for the error code rc of one kind of step (rc != 0):
 *   dx_exit_conf   loading the config: out of memory 2, anything else 1
 *   dx_exit_store  opening or using the store: no store (DX_ENOSTORE) 1,
 *                  anything else 2
 *   dx_exit_file   reading an input file: missing, unreadable or a
 *                  directory (-ENOENT, -EACCES, -EISDIR) 1, anything else 2
 *   dx_exit_input  parsing input: bad input (DX_EINVAL) 1, anything else 2
 *   dx_exit_check  checking input: out of memory (DX_ENOMEM) 2, a refusal 1 */
int dx_exit_conf(int rc);
int dx_exit_store(int rc);
int dx_exit_file(int rc);
int dx_exit_input(int rc);
int dx_exit_check(int rc);

/* A command of dnsxl-admin or dnsxl-loader: its name, its arguments and
 * help for the usage text, and its handler (ctx: the program's state). */
struct dx_cli_cmd {
    const char *name;
    int (*run)(void *ctx, int argc, char **argv);   /* argv[0] = the name; an exit status */
    const char *args;
    const char *help;
};

/* The front of main: the options before the command (-c/--config CONF into
 * *conf_opt, -h/--help, -V/--version), then the command that the next
 * argument names in cmds (ended by a NULL name) runs with ctx and the
 * arguments from its name on. Returns its exit status, or that of the help,
 * the version or a usage error (said here). */
int dx_cli_run(int argc, char **argv, const struct dx_cli_cmd *cmds, const char **conf_opt,
               void *ctx);

/* The program's usage (the command table, the common options, the exit
 * status table) on f. */
void dx_cli_usage(FILE *f, const struct dx_cli_cmd *cmds);

/* One command's usage: on stdout with the exit status table (DX_EX_OK),
 * or after an error on stderr (DX_EX_USAGE). Returns that status. */
int dx_cli_cmd_usage(const struct dx_cli_cmd *m, bool error);

/* The end of main: stdout flushed; a write error on it turns a status of
 * 0 into 2 (said). Returns the exit status. */
int dx_cli_finish(int ex);

/* Load the config (-c value or NULL: $DNSXL_CONF, /etc/dnsxl/dnsxl.conf).
 * Prints the FILE:LINE message and returns the exit status; *out on 0. */
int dx_cli_conf(const char *opt, struct dx_conf **out);

/* Open conf's store. `write`: the command writes, and may create the store
 * (then says so on stderr); otherwise a missing store is an error (exit 1).
 * Prints the cause and what to do, returns the exit status. */
int dx_cli_store(const struct dx_conf *conf, bool write, struct dx_store **out);

/* Print "WHAT: DIR: cause; what to do" for store error rc (st may be NULL:
 * no DIR) and return its exit status (1 for DX_ENOSTORE, 2 otherwise). */
int dx_cli_store_err(const struct dx_store *st, const char *what, int rc);

/* Begin a txn (write: with clock now) / commit *t (NULL after). Print and
 * return the exit status. */
int dx_cli_begin(struct dx_store *st, bool write, uint64_t now, struct dx_txn **t);
int dx_cli_commit(struct dx_store *st, struct dx_txn **t);

/* A loader command's run (zones/store.h dx_run, dnsxl-loader(8) "Runs"):
 * the command notes itself and its target ("ZONE/LIST", "" for none) once
 * it knows them (a usage error before that records nothing), then what it
 * added, updated and removed; the last message said (dx_cli_err) after the
 * note is the run's message. At the end, dx_cli_run_end writes the run with
 * the command's exit status ex into the store (st when it is open, else the
 * store of the config conf_opt names, if it exists), in a write txn of its
 * own; nothing noted, nothing written. A failure to write it is said and
 * does not change the exit status. */
void dx_cli_run_note(const char *command, const char *target);
void dx_cli_run_counts(uint64_t added, uint64_t updated, uint64_t removed);
void dx_cli_run_end(struct dx_store *st, const char *conf_opt, int ex);

#endif
