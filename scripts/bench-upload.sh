#!/usr/bin/env bash
# Upload throughput and memory: `decoda upload` against `curl -F` doing the same work, in the same
# run, to the sandbox's sink mode (which reads and discards bodies) on loopback.
#
#   bash scripts/bench-upload.sh            1 GiB in 20 files, 5 runs each, release build
#   bash scripts/bench-upload.sh --record   the same, and append the results to docs/BENCHMARKS.md
#   bash scripts/bench-upload.sh --smoke    a few MiB with the debug build: checks the script works
#
# Figures are ratios to curl; absolute times drift on shared machines.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-full}"
files=20
total_mib=1024
runs=5
profile=release
case "$mode" in
  --smoke) total_mib=8; files=4; runs=1; profile=debug ;;
  --record|full) ;;
  *) echo "usage: $0 [--record|--smoke]" >&2; exit 2 ;;
esac

command -v curl >/dev/null && [ -x /usr/bin/time ] || bash scripts/setup-system.sh
if [ "$profile" = release ]; then
  cargo build --release --locked -p decoda-cli -p decoda-sandbox >&2
else
  bash scripts/build-debug.sh >&2
fi
bin="target/$profile"

work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The files: about equal shares of the total, each of its own size as real documents are (files of
# one size could be copies of each other, so they are hashed before sending: see the "sent before"
# row), random content (nothing compresses or dedups).
total_bytes=$((total_mib * 1024 * 1024))
per_file=$((total_bytes / files))
curl_args=()
paths=()
for i in $(seq 1 "$files"); do
  size=$((per_file - i * 4096))
  [ "$i" -eq "$files" ] && size=$((total_bytes - (per_file * (files - 1) - 4096 * files * (files - 1) / 2)))
  head -c "$size" /dev/urandom > "$work/scan $i.bin"
  paths+=("$work/scan $i.bin")
  curl_args+=(-F "attachments=@\"$work/scan $i.bin\";type=application/octet-stream")
done
# Written out to disk before any run, so that no run competes with the write-back of the files.
sync

"$bin/decoda-sandbox" --sink --port 0 > "$work/sandbox.out" 2>&1 &
sandbox_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^decoda-sandbox listening on //p' "$work/sandbox.out" | head -n 1)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the sandbox did not start: $(cat "$work/sandbox.out")" >&2; exit 1; }

export DECODA_API_URL="$url" DECODA_TENANT=demo-clinic DECODA_API_KEY=sandbox-demo-key
export DECODA_CONFIG="$work/settings.toml"
export DECODA_SYSTEM_CONFIG="$work/system.toml"
# Every run sends the same files again, with --force so that the duplicate guard does not skip
# them. Each run starts with an empty queue and history (files never sent before: each is read
# once, hashed while it is sent), except the "sent before" runs, whose history already holds these
# files (so each is hashed before it is sent, to be compared with the earlier uploads).
fresh_data() { rm -rf "$work/data"; export DECODA_DATA_DIR="$work/data"; }

# Runs a command under /usr/bin/time; prints "seconds max_rss_kib".
measure() {
  local log="$work/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" > "$work/out.log" 2> "$work/err.log" || {
    echo "failed: $*" >&2; cat "$work/err.log" >&2; exit 1
  }
  cat "$log"
}

run_curl() {
  measure curl -sS --fail -o /dev/null -H "API-KEY: $DECODA_API_KEY" -H "TENANT: $DECODA_TENANT" \
    -F patient_id=pat_1001 "${curl_args[@]}" "$url/attachments/bulk"
}
run_decoda_one() {
  fresh_data
  measure "$bin/decoda" upload --patient pat_1001 --yes --json --force --max-file-size 4096 \
    --files-per-request "$files" --mib-per-request 4096 --parallel 1 "${paths[@]}"
}
run_decoda_default() {
  fresh_data
  measure "$bin/decoda" upload --patient pat_1001 --yes --json --force --max-file-size 4096 "${paths[@]}"
}
run_decoda_again() {
  export DECODA_DATA_DIR="$work/data-again"
  measure "$bin/decoda" upload --patient pat_1001 --yes --json --force --max-file-size 4096 "${paths[@]}"
}
# The "sent before" history: one untimed upload of the same files.
run_decoda_again > /dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A secs rss
for tool in curl decoda_one decoda_default decoda_again; do
  : > "$work/$tool.s"; : > "$work/$tool.m"
done
for _ in $(seq 1 "$runs"); do
  # Interleaved, so that drift on a shared machine hits every tool alike.
  for tool in curl decoda_one decoda_default decoda_again; do
    read -r s m < <("run_$tool")
    echo "$s" >> "$work/$tool.s"; echo "$m" >> "$work/$tool.m"
  done
done
for tool in curl decoda_one decoda_default decoda_again; do
  secs[$tool]=$(median < "$work/$tool.s")
  rss[$tool]=$(sort -n "$work/$tool.m" | tail -n 1)
done

ratio() { awk -v c="${secs[curl]}" -v d="$1" 'BEGIN { if (d > 0) printf "%.2f", c / d; else print "n/a" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
table="| what | throughput vs curl (higher is better) | peak RSS |
|---|---|---|
| \`curl -F\`, one request | 1.00 | $(mib "${rss[curl]}") MiB |
| \`decoda upload\`, one request (\`--files-per-request $files --parallel 1\`) | $(ratio "${secs[decoda_one]}") | $(mib "${rss[decoda_one]}") MiB |
| \`decoda upload\`, default limits (20 files / 256 MiB per request, 2 in parallel) | $(ratio "${secs[decoda_default]}") | $(mib "${rss[decoda_default]}") MiB |
| \`decoda upload\`, default limits, files sent to this patient before (hashed before sending) | $(ratio "${secs[decoda_again]}") | $(mib "${rss[decoda_again]}") MiB |"

echo "$total_mib MiB in $files files, median of $runs runs, $profile build"
echo "$table"

# Every upload must have sent every file (not failed, not skipped), or the figures mean nothing.
grep -q '"uploaded": '"$files"',' "$work/out.log" || { echo "the last upload did not send every file" >&2; exit 1; }
if [ "$mode" = --smoke ]; then
  exit 0
fi
if [ "$mode" = --record ]; then
  cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  {
    echo
    echo "### Upload throughput, $(date -u +%Y-%m-%d)"
    echo
    echo "Machine: $(nproc) cores ($cpu), $mem, $(uname -sr). $total_mib MiB in $files files of random data to"
    echo "\`decoda-sandbox --sink\` on loopback; median wall time of $runs interleaved runs; peak RSS is the"
    echo "largest of the runs (\`/usr/bin/time\`). Command: \`bash scripts/bench-upload.sh --record\`."
    echo
    echo "$table"
  } >> docs/BENCHMARKS.md
  echo "appended to docs/BENCHMARKS.md"
fi
