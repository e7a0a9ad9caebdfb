#!/bin/sh
# Duplicate-code scan: text forms parsed, byte layouts coded and store
# internals used outside the one module that owns each, and files too long.
# A report: exits 0 whatever it finds, unless LINT_STRICT=1 (then 1 if it
# found anything). Comments and string literals are ignored
# (tests/lint/strip.awk); tests/, bench/ and contrib/ are not scanned.
#
#   sh tests/lint/dupscan.sh          (make lint runs it)
#
# Each rule: a name, an extended regex, where it applies (path prefixes),
# where it is allowed (path globs; GLOB~ERE = only on lines of GLOB that
# also match ERE; no blanks in ERE: [[:space:]]), and what to use instead.
set -euf                        # -f: the globs of the rules are matched by case, never expanded
cd "$(dirname "$0")/../.."
DIRS="zones dnsxld loader admin"
MAX_LINES=700
SHOW=${SHOW:-8}                  # lines shown per rule and file (SHOW=1000: all)

TMP=$(mktemp -d /tmp/dx-dupscan-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

FILES=$(find $DIRS -name '*.[ch]' | LC_ALL=C sort)
for f in $FILES; do
    mkdir -p "$TMP/$(dirname "$f")"
    awk -f tests/lint/strip.awk "$f" >"$TMP/$f"
done

# name % ERE % scope % allowed % instead
RULES='addr-parse%inet_(pton|aton)[[:space:]]*\(%zones/ dnsxld/ loader/ admin/%zones/key.c%dx_addr_parse (zones/key.h)
label-chars%isalnum[[:space:]]*\(|== '"'"'_'"'"'%zones/ dnsxld/ loader/ admin/%zones/name.c zones/txt.c%the label rules of zones/name.h
byte-shifts%<< 8 \||<< 16|<< 24|>> 24\)%zones/ dnsxld/ loader/ admin/%zones/bytes.h zones/schema.h zones/code.c dnsxld/wire.c~ttl%dx_be16/32/64, dx_set_be* (zones/bytes.h)
int-parse%(strtoul|strtol|strtoull|atoi)[[:space:]]*\(%zones/ dnsxld/ loader/ admin/%zones/dur.c zones/clock.c loader/fmt_rbldnsd.c~strtoull?\(v([[:space:]]\+[[:space:]]1)?,%dx_uint_parse (zones/dur.h)
lmdb-calls%(^|[^a-z_])mdb_[a-z_]+[[:space:]]*\(%zones/ dnsxld/ loader/ admin/%zones/store_*.c zones/err.c%the store API (zones/store.h)
lmdb-offsets%mv_data[[:space:]]*\+|mv_data\)[[:space:]]*\[%zones/ dnsxld/ loader/ admin/%zones/schema.c zones/schema.h%the codecs of zones/schema.h
conf-list%dx_conf_list[[:space:]]*\(%dnsxld/%dnsxld/resolve.c%the list config attached by dnsxld/resolve.c
answer-store%(dx_txn|dx_lookup|dx_entry_get)%dnsxld/answer.c%%struct dx_resolved (dnsxld/resolve.h)'

# allowed FILE LINE ALLOWED: is this line of FILE allowed?
allowed() {
    for a in $3; do
        glob=${a%%~*}
        case $1 in
        $glob)
            [ "$glob" = "$a" ] && return 0
            printf '%s\n' "$2" | grep -Eq -- "${a#*~}" && return 0
            ;;
        esac
    done
    return 1
}

found=0
printf '%s\n' "$RULES" | {
    while IFS='%' read -r name re scope allow instead; do
        hits=""
        count=0
        for f in $FILES; do
            inscope=0
            for s in $scope; do
                case $f in "$s"*) inscope=1 ;; esac
            done
            [ $inscope = 1 ] || continue
            matches=$(grep -nE -- "$re" "$TMP/$f" || true)
            [ -n "$matches" ] || continue
            shown=0
            more=0
            while IFS= read -r m; do
                ln=${m%%:*}
                orig=$(sed -n "${ln}p" "$f")
                allowed "$f" "$orig" "$allow" && continue
                if [ $shown -lt $SHOW ]; then
                    hits="$hits
  $f:$ln: $(printf '%s' "$orig" | sed 's/^[[:space:]]*//' | cut -c1-100)"
                    shown=$((shown + 1))
                else
                    more=$((more + 1))
                fi
            done <<HITS
$matches
HITS
            [ $more -eq 0 ] || hits="$hits
  $f: $more more"
            count=$((count + shown + more))
        done
        if [ $count -gt 0 ]; then
            found=$((found + count))
            echo "$name: $count outside ${allow:-(nowhere)}; use $instead$hits"
        fi
    done

    long=""
    for f in $(find zones dnsxld -name '*.[ch]' | LC_ALL=C sort); do
        n=$(wc -l <"$f")
        [ "$n" -le $MAX_LINES ] || long="$long
  $f: $n lines"
    done
    if [ -n "$long" ]; then
        n=$(printf '%s\n' "$long" | grep -c .)
        found=$((found + n))
        echo "file-size: $n files of zones/ and dnsxld/ over $MAX_LINES lines$long"
    fi

    echo "dupscan: $found finding(s)${LINT_STRICT:+ (LINT_STRICT)}"
    [ "${LINT_STRICT:-0}" = 1 ] && [ $found -gt 0 ] && exit 1
    exit 0
}
