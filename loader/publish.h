/* dnsxl-loader publish ZONE[/LIST] DIR --seckey FILE (dnsxl-loader(8)):
 * the data of a zone (or one of its lists) for rsync mirrors.
 *
 * 1. the secret key is loaded first (loader/minisign.h: minisign's
 *    format, encrypted or not (minisign -W)); the password of an
 *    encrypted key is the environment variable DNSXL_MINISIGN_PASSWORD,
 *    else asked on the terminal (/dev/tty, echo off) when stdin is one;
 *    otherwise the command is refused (exit 1) and nothing is written;
 * 2. one read txn: the rbldnsd combined dataset of zones/export.h
 *    (dx_export_rbldnsd) to a temporary file in DIR, signed there
 *    (prehashed Ed25519, trusted comment "timestamp:T\tfile:NAME\thashed");
 * 3. both files replaced atomically (zones/afile.h), the data file first,
 *    then NAME.minisig. NAME is ZONE.combined for a whole zone and
 *    ZONE+LIST.combined for one list (no zone name holds a '+').
 *
 * A mirror runs `dnsxl-loader sync ZONE/LIST rsync://HOST/MODULE/NAME
 * --pubkey FILE` (it takes the parts named as its list, loader/format.h),
 * or rbldnsd serves the file as ZONE:combined:NAME. A sync that runs
 * between the two renames finds the signature does not match, imports
 * nothing and picks both up on its next run.
 */
#ifndef DX_LOADER_PUBLISH_H
#define DX_LOADER_PUBLISH_H

#define DX_PUBLISH_PASSWORD_ENV "DNSXL_MINISIGN_PASSWORD"

/* The command: argv[0] = "publish". Returns an exit status of zones/cli.h. */
int dx_cmd_publish(const char *conf_path, int argc, char **argv);

#endif
