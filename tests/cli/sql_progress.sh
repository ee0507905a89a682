#!/usr/bin/env bash
# `tarn sql`'s progress bar: on a terminal's stderr (script(1) gives one),
# a query that runs past TARN_PROGRESS_AFTER seconds shows rows scanned of
# the estimated total, and the bar is erased before the result; with
# stderr not a terminal nothing but the result is written, whatever the
# delay; csv rows printed to the same terminal get no bar either.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

query="SELECT count(*) AS n FROM range(30000000) WHERE range % 7 = 1"

# not a terminal: no progress output at all
TARN_PROGRESS_AFTER=0 run "$TARN" sql "$query" --format csv --threads 2
[ "$rc" -eq 0 ] || fail "query exited $rc: $(cat "$tmp/err")"
expect_out "n
4285715
"
[ -s "$tmp/err" ] && fail "progress written to a stderr that is not a terminal: $(cat -v "$tmp/err")"

# a terminal, the result into a file: the bar, erased at the end
TARN_PROGRESS_AFTER=0 timeout 60 script -qec "$TARN sql '$query' --output res.csv --threads 2" /dev/null \
    >tty.out 2>&1
[ -f res.csv ] || fail "no result file: $(cat -v tty.out)"
grep -q "rows scanned" tty.out || fail "no progress bar on a terminal: $(cat -v tty.out)"
grep -q "of 30.0M rows scanned" tty.out || fail "no estimated total in the bar: $(cat -v tty.out)"
last=$(tr '\r' '\n' <tty.out | tail -n 1)
[ "$last" = $'\033[K' ] || [ -z "$last" ] || fail "the bar was not erased at the end: $(printf '%s' "$last" | cat -v)"

# a terminal, csv rows printed to it: no bar
TARN_PROGRESS_AFTER=0 timeout 60 script -qec "$TARN sql '$query' --format csv --threads 2" /dev/null >tty2.out 2>&1
grep -q "rows scanned" tty2.out && fail "a bar among csv rows on the terminal: $(cat -v tty2.out)"
grep -q "4285715" tty2.out || fail "no result: $(cat -v tty2.out)"

finish
