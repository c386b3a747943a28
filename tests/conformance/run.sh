#!/usr/bin/env bash
# Conformance test runner.
#
# usage: tests/conformance/run.sh --bindir DIR [--runtime RT]... [--filter SUBSTR]
#                                 [--timeout SECS] [-v]
#
#   --bindir DIR    directory holding the built test programs (every executable
#                   regular file in it is a test, run in sorted order)
#   --runtime RT    may be repeated; default: native
#                     native        run DIR/test directly
#                     sentry        run "$SENTRY run -- DIR/test"
#                                   (SENTRY defaults to build/sentry in the repo)
#                     'CMD ARGS..'  run "CMD ARGS.. DIR/test"; shown as CMD
#                     NAME=CMD..    the same, shown as NAME
#   --filter STR    only run tests whose name contains STR
#   --timeout SECS  per-test timeout (default 30), enforced with timeout -k 5
#   -v              also print the output of passing tests
#
# Prints "PASS runtime test" or "FAIL runtime test (exit N)" followed by the
# indented output of the failing test, and at the end one summary line per
# runtime: "runtime: N passed, N failed".  Exits 0 only if everything passed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() {
    sed -n '2,22s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

bindir=""
filter=""
tmo=30
verbose=0
runtimes=()

while [ $# -gt 0 ]; do
    case "$1" in
        --bindir)     [ $# -ge 2 ] || usage; bindir=$2; shift 2 ;;
        --bindir=*)   bindir=${1#*=}; shift ;;
        --runtime)    [ $# -ge 2 ] || usage; runtimes+=("$2"); shift 2 ;;
        --runtime=*)  runtimes+=("${1#*=}"); shift ;;
        --filter)     [ $# -ge 2 ] || usage; filter=$2; shift 2 ;;
        --filter=*)   filter=${1#*=}; shift ;;
        --timeout)    [ $# -ge 2 ] || usage; tmo=$2; shift 2 ;;
        --timeout=*)  tmo=${1#*=}; shift ;;
        -v|--verbose) verbose=1; shift ;;
        -h|--help)    usage ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage ;;
    esac
done

[ -n "$bindir" ] || { echo "run.sh: --bindir is required" >&2; usage; }
[ -d "$bindir" ] || { echo "run.sh: no such directory: $bindir" >&2; exit 2; }
case "$tmo" in ''|*[!0-9]*) echo "run.sh: bad --timeout: $tmo" >&2; exit 2 ;; esac
[ ${#runtimes[@]} -gt 0 ] || runtimes=(native)

# Tests get an absolute argv[0] so they can re-exec themselves.
bindir=$(cd "$bindir" && pwd)

tests=()
while IFS= read -r f; do
    name=${f##*/}
    [ -f "$f" ] && [ -x "$f" ] || continue
    case "$name" in *"$filter"*) ;; *) continue ;; esac
    tests+=("$name")
done < <(find "$bindir" -maxdepth 1 -type f | LC_ALL=C sort)

if [ ${#tests[@]} -eq 0 ]; then
    echo "run.sh: no tests found in $bindir${filter:+ matching '$filter'}" >&2
    exit 2
fi

out=$(mktemp "${TMPDIR:-/tmp}/conformance-out.XXXXXX")
trap 'rm -f "$out"' EXIT

summaries=()
all_ok=1

for rt in "${runtimes[@]}"; do
    # Work out the display name and the command prefix of this runtime.
    prefix=()
    case "$rt" in
        native)
            rtname=native ;;
        sentry)
            rtname=sentry
            sentry=${SENTRY:-$root/build/sentry}
            if [ ! -x "$sentry" ]; then
                echo "run.sh: warning: sentry binary not found: $sentry" >&2
            fi
            # The test binaries may live under the host's /tmp, which the
            # sandbox replaces with its own tmpfs: mount their directory.
            prefix=("$sentry" run -v "$bindir:$bindir:ro" --) ;;
        *)
            cmd=$rt
            if [[ "$rt" =~ ^([A-Za-z0-9_.+-]+)=(.*)$ ]]; then
                rtname=${BASH_REMATCH[1]}
                cmd=${BASH_REMATCH[2]}
            fi
            read -r -a prefix <<< "$cmd"
            [ ${#prefix[@]} -gt 0 ] || { echo "run.sh: empty runtime: '$rt'" >&2; exit 2; }
            if [[ ! "$rt" =~ ^[A-Za-z0-9_.+-]+= ]]; then
                rtname=${prefix[0]##*/}
            fi ;;
    esac

    pass=0
    fail=0
    for t in "${tests[@]}"; do
        # The braces' 2>/dev/null only silences bash's own "Segmentation
        # fault" job report; the test's output goes to $out.
        { timeout -k 5 "$tmo" "${prefix[@]}" "$bindir/$t" </dev/null >"$out" 2>&1; rc=$?; } 2>/dev/null
        if [ $rc -eq 0 ]; then
            pass=$((pass + 1))
            echo "PASS $rtname $t"
            [ $verbose -eq 0 ] || sed 's/^/    /' "$out"
        else
            fail=$((fail + 1))
            case $rc in
                124) why="exit $rc, timed out after ${tmo}s" ;;
                129|1[3-9][0-9]|2[0-5][0-9])
                    why="exit $rc, likely killed by SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))" ;;
                *)   why="exit $rc" ;;
            esac
            echo "FAIL $rtname $t ($why)"
            sed 's/^/    /' "$out"
        fi
    done
    [ $fail -eq 0 ] || all_ok=0
    summaries+=("$rtname: $pass passed, $fail failed")
done

echo
for s in "${summaries[@]}"; do
    echo "$s"
done

[ $all_ok -eq 1 ]
