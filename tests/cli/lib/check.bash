# Helpers for the CLI shell tests: run tarn, compare exit codes, stdout and
# stderr, count failures, and clean up a private temporary directory.
set -u
: "${TARN:?TARN must name the tarn binary}"
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run CMD...: runs with stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# expect_rc WANT CMD...
expect_rc() {
    local want=$1
    shift
    run "$@"
    [ "$rc" -eq "$want" ] || fail "'$*' exited $rc, want $want; stderr: $(cat "$tmp/err")"
}

# expect_out TEXT: the last run's stdout equals TEXT exactly.
expect_out() {
    printf '%s' "$1" >"$tmp/want"
    cmp -s "$tmp/out" "$tmp/want" || fail "stdout differs:$(diff "$tmp/want" "$tmp/out")"
}

# expect_in FILE TEXT...: every TEXT occurs in FILE (out or err).
expect_in() {
    local f=$1
    shift
    for t in "$@"; do
        grep -qF -- "$t" "$tmp/$f" || fail "$f lacks '$t': $(head -c 600 "$tmp/$f")"
    done
}

# expect_lines FILE N: the file has exactly N lines.
expect_lines() {
    local n
    n=$(wc -l <"$tmp/$1")
    [ "$n" -eq "$2" ] || fail "$1 has $n lines, want $2: $(cat "$tmp/$1")"
}

finish() {
    if [ "$fails" -gt 0 ]; then
        echo "$fails check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}
