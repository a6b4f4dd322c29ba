#!/bin/bash
# Are two CLI builds' JSON reports byte-identical? For changes meant to move no
# verdict and no byte (speed work): every scenario of `rstscope-scenarios all`,
# every shared capture (../shared/captures, skipped when absent) and the four
# `bulk --mix` traffic mixes at SIZE (default 64MiB).
#
#   scripts/same-json.sh OLD_RSTSCOPE NEW_RSTSCOPE [SIZE]
#
# Prints each file whose JSON differs and a count; exit 1 if any differ.
# Captures are written to a temporary directory that is removed at the end.
set -euo pipefail
old=$1 new=$2 size=${3:-64MiB}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p rstscope-scenarios
gen=target/release/rstscope-scenarios
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$gen" all "$dir/scenarios" >/dev/null
for mix in long web scan flood; do
  "$gen" bulk --size "$size" --mix "$mix" "$dir/mix-$mix.pcap" >/dev/null
done
files=("$dir"/scenarios/*.pcap* "$dir"/mix-*.pcap)
if [ -d ../shared/captures ]; then
  files+=(../shared/captures/*.pcap*)
else
  echo "shared captures: SKIPPED (../shared/captures absent)"
fi
same=0 differ=0
for f in "${files[@]}"; do
  case "$f" in *.tsv) continue ;; esac
  # A capture that cannot be read gives no JSON: equal if both fail alike.
  a=$({ "$old" analyze "$f" --format json 2>/dev/null || echo "exit $?"; } | sha256sum)
  b=$({ "$new" analyze "$f" --format json 2>/dev/null || echo "exit $?"; } | sha256sum)
  if [ "$a" = "$b" ]; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    echo "differs: $(basename "$f")"
  fi
done
echo "$same identical, $differ differ"
[ "$differ" -eq 0 ]
