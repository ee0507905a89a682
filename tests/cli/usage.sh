#!/usr/bin/env bash
# The tarn command line: help on every level, version, exit codes and the
# one-line usage errors with their hint.
source "$(dirname "$0")/lib/check.bash"

expect_rc 0 "$TARN" --version
expect_out "tarn 0.1.0
"
expect_rc 0 "$TARN" --help
expect_in out "usage: tarn" cat schema convert example help --threads --memory-limit --version "exit codes"
expect_rc 0 "$TARN" -h
expect_rc 0 "$TARN" help
expect_in out "commands:"
expect_rc 2 "$TARN"
expect_in err "usage: tarn"

# each command's help names each of its flags and gives examples
expect_rc 0 "$TARN" cat --help
expect_in out "usage: tarn cat FILE" --format --columns --limit --max-rows --max-width --max-col-width --from \
    --threads --memory-limit "examples:" "tarn cat orders.arrow"
expect_rc 0 "$TARN" help cat
expect_in out "usage: tarn cat FILE"
expect_rc 0 "$TARN" schema -h
expect_in out "usage: tarn schema FILE" --from "examples:"
expect_rc 0 "$TARN" convert --help
expect_in out "usage: tarn convert IN OUT" --to --from --compression --columns --limit "examples:"
expect_rc 0 "$TARN" example --help
expect_in out "usage: tarn example FILE" --to --compression
expect_rc 0 "$TARN" help convert
expect_in out "tarn convert orders.arrow orders.arrows --compression zstd"

# usage errors: exit 2, one line naming the problem, then the hint
expect_rc 2 "$TARN" frobnicate
expect_in err "tarn: unknown command 'frobnicate'" "try 'tarn --help'"
expect_rc 2 "$TARN" help frobnicate
expect_in err "unknown command 'frobnicate'"
expect_rc 2 "$TARN" cat
expect_out ""
expect_in err "tarn cat: missing FILE" "try 'tarn cat --help'"
expect_lines err 2
# cat and schema hand unknown --key value flags to the reader: a bare one
# is a usage error, one with a value is refused by the reader, naming the key
expect_rc 2 "$TARN" cat x.arrow --bogus
expect_in err "tarn cat: flag '--bogus' needs a value" "try 'tarn cat --help'"
expect_rc 2 "$TARN" schema x.arrow --bogus
expect_in err "tarn schema: flag '--bogus' needs a value"
expect_rc 2 "$TARN" cat x.arrow -z
expect_in err "unknown flag '-z'"
expect_rc 2 "$TARN" cat x.arrow --limit
expect_in err "flag '--limit' needs a value"
expect_rc 2 "$TARN" cat x.arrow --limit ten
expect_in err "--limit expects a non-negative integer, got 'ten'"
expect_rc 2 "$TARN" cat x.arrow --format xml
expect_in err "--format must be table, csv or jsonl"
expect_rc 2 "$TARN" cat a.arrow b.arrow
expect_in err "unexpected argument 'b.arrow'"
expect_rc 2 "$TARN" convert a.arrow
expect_in err "tarn convert: missing OUT" "try 'tarn convert --help'"
expect_rc 2 "$TARN" schema
expect_in err "tarn schema: missing FILE"
expect_rc 2 "$TARN" --bogus cat x.arrow
expect_in err "unknown flag '--bogus'"
expect_rc 2 "$TARN" --threads
expect_in err "needs a value"
expect_rc 2 "$TARN" --threads many cat x.arrow
expect_in err "--threads expects a number"
expect_rc 2 "$TARN" cat x.arrow --memory-limit lots
expect_in err "--memory-limit"
expect_rc 2 "$TARN" cat x.arrow --help=yes
expect_in err "takes no value"

finish
