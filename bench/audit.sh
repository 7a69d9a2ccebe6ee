#!/usr/bin/env bash
# What the audit log costs: the same four workloads against one registry with audit.enabled=true and
# one with audit.enabled=false (fresh data directories, 127.0.0.1 only; both run side by side, each
# workload drives one at a time, in alternating order, so drift of the machine hits both alike).
#   1. manifest GET by tag   wrk -t2 -c64 -d20s --latency (after a 30 s warm-up), 3 rounds alternating
#                            which registry goes first, the median round
#   2. blob HEAD             the same, on the empty blob:
#                            wrk 4.1 waits for a body after HEAD when Content-Length > 0 and never
#                            completes a request; the server answers HEAD from metadata alone
#                            (statBlob), so the size does not change the work
#   3. blob push             16 concurrent monolithic pushes of distinct 32 MiB random blobs,
#                            3 rounds with fresh blobs (each round's bytes go to both registries),
#                            median aggregate MiB/s (AuditLoad, JDK HttpClient, streamed from files)
#   4. manifest push         2,000 PUTs of one small OCI manifest under distinct tags, 16 clients
#                            (AuditLoad), 3 repetitions, median manifests/s
# Prints a Markdown table (workload | audit on | audit off | cost) and writes it to
# bench/results/audit.md. Takes about 8 minutes. AUDIT_BENCH_PORT picks the ports (default 5710 for
# audit on, +1 for audit off); AUDIT_BENCH_DURATION shortens the wrk runs (default 20s) for a quick check;
# AUDIT_BENCH_KEEP=1 keeps the wrk output and server logs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PORT_BASE=${AUDIT_BENCH_PORT:-5710}
DURATION=${AUDIT_BENCH_DURATION:-20s}
REPO=bench/audit
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stowage-audit-bench.XXXXXX")
declare -A PID=()
stop_server() { # stop_server MODE
  local pid=${PID[$1]:-}
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  PID[$1]=
}
cleanup() {
  stop_server on; stop_server off
  if [[ -n ${AUDIT_BENCH_KEEP:-} ]]; then rm -rf "$WORK"/data-* "$WORK"/blobs; echo "kept $WORK (wrk output, server logs)" >&2
  else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building registry.jar and the load client ..." >&2
mvn -B -q -DskipTests package >/dev/null
JAR=$ROOT/registry-server/target/registry.jar
# The README's run command (relative paths from the root, so the build's CDS archive is used).
OURS=(java -XX:SharedArchiveFile=registry-server/target/registry.jsa -jar registry-server/target/registry.jar)
LOAD_CP=$ROOT/registry-server/target/test-classes
[[ -f $LOAD_CP/io/stowage/server/bench/AuditLoad.class ]] || { echo "AuditLoad not compiled" >&2; exit 1; }

printf 'wrk.method = "HEAD"\n' >"$WORK/head.lua"
declare -A BASE=([on]=http://127.0.0.1:$PORT_BASE [off]=http://127.0.0.1:$((PORT_BASE + 1)))

# ms from a wrk duration such as 812.00us, 3.41ms, 1.02s
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

# run_wrk MODE NAME URL [wrk args...]: sets <MODE>_<NAME>_rps, _p50, _p99 (globals)
run_wrk() {
  local mode=$1 name=$2 url=$3; shift 3
  local out=$WORK/$mode-$name.wrk var=${mode}_${name}
  wrk -t2 -c64 -d"$DURATION" --latency "$@" "$url" >"$out"
  if grep -q -e 'Non-2xx' -e 'Socket errors' "$out"; then
    echo "wrk $name ($mode) saw errors:" >&2; cat "$out" >&2; exit 1
  fi
  printf -v "${var}_rps" '%s' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
  local rps=${var}_rps
  if [[ -z ${!rps} || ${!rps} == 0 ]]; then echo "wrk $name ($mode) completed no requests:" >&2; cat "$out" >&2; exit 1; fi
  printf -v "${var}_p50" '%s' "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
  printf -v "${var}_p99" '%s' "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
}

push_blob() { # push_blob BASE FILE -> digest on stdout
  local digest
  digest=sha256:$(sha256sum "$2" | cut -d' ' -f1)
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$2" \
    "$1/v2/$REPO/blobs/uploads/?digest=$digest"
  echo "$digest"
}

start_server() { # start_server MODE
  local mode=$1 enabled base=${BASE[$1]}
  [[ $mode == on ]] && enabled=true || enabled=false
  if curl -s -o /dev/null "$base/healthz"; then echo "${base#http://} is in use" >&2; exit 1; fi
  mkdir -p "$WORK/data-$mode"
  echo "audit $mode: starting registry on ${base#http://} ..." >&2
  REGISTRY_AUDIT_ENABLED=$enabled REGISTRY_GC_INTERVAL=PT0S \
    "${OURS[@]}" serve --data-dir "$WORK/data-$mode" --listen "${base#http://}" >"$WORK/server-$mode.log" 2>&1 &
  PID[$mode]=$!
}

wait_ready() { # wait_ready MODE
  local i
  for i in $(seq 1 600); do
    curl -fs -o /dev/null "${BASE[$1]}/readyz" && return
    kill -0 "${PID[$1]}" 2>/dev/null || { echo "registry ($1) exited:" >&2; cat "$WORK/server-$1.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "registry ($1) not ready after 60 s" >&2; exit 1
}

# seed MODE: one small image under v1 (config + 4 KiB layer + OCI manifest) and the empty blob
EMPTY_DIGEST=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
seed() {
  local base=${BASE[$1]} config_digest layer_digest
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$WORK/config.json"
  head -c 4096 /dev/urandom >"$WORK/layer-$1"
  : >"$WORK/empty"
  config_digest=$(push_blob "$base" "$WORK/config.json")
  layer_digest=$(push_blob "$base" "$WORK/layer-$1")
  [[ $(push_blob "$base" "$WORK/empty") == "$EMPTY_DIGEST" ]]
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":4096}]}' \
    "$OCI_MANIFEST" "$config_digest" "$(stat -c %s "$WORK/config.json")" "$layer_digest" >"$WORK/manifest-$1.json"
  curl -fsS -o /dev/null -X PUT -H "Content-Type: $OCI_MANIFEST" --data-binary "@$WORK/manifest-$1.json" \
    "$base/v2/$REPO/manifests/v1"
  curl -fsS -o /dev/null -H "Accept: $OCI_MANIFEST" "$base/v2/$REPO/manifests/v1"
  curl -fsS -o /dev/null -I "$base/v2/$REPO/blobs/$EMPTY_DIGEST"
}

# Both registries run side by side, idle while the other is measured, so that the push workloads
# can interleave them; the read workloads run one registry after the other, in alternating order.
start_server on; start_server off
wait_ready on; wait_ready off
seed on; seed off

# The read rows: after a warm-up of each, ROUNDS rounds that alternate which registry goes first,
# and per registry the round with the median rate (its p50/p99 with it). One pass each measured the
# machine's drift as much as the log: the same build gave 16 % and 56 % on two runs an hour apart.
ROUNDS=3
median_round() { # median_round MODE NAME: copies <MODE>_<NAME><r>_* of the median round to <MODE>_<NAME>_*
  local mode=$1 name=$2 r best var rates=()
  for r in $(seq 1 "$ROUNDS"); do var=${mode}_${name}${r}_rps; rates+=("${!var} $r"); done
  best=$(printf '%s\n' "${rates[@]}" | sort -n | awk -v m=$(((ROUNDS + 1) / 2)) 'NR == m { print $2 }')
  for var in rps p50 p99; do
    local from=${mode}_${name}${best}_${var}
    printf -v "${mode}_${name}_${var}" '%s' "${!from}"
  done
  local all=() ; for r in $(seq 1 "$ROUNDS"); do var=${mode}_${name}${r}_rps; all+=("$(num "${!var}")"); done
  printf -v "${mode}_${name}_all" '%s' "$(IFS=/; echo "${all[*]}")"
}
num() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); print s }'; }
for mode in on off; do
  echo "audit $mode: manifest GET and blob HEAD warm-up ..." >&2
  wrk -t2 -c64 -d30s -H "Accept: $OCI_MANIFEST" "${BASE[$mode]}/v2/$REPO/manifests/v1" >/dev/null
  wrk -t2 -c64 -d30s -s "$WORK/head.lua" "${BASE[$mode]}/v2/$REPO/blobs/$EMPTY_DIGEST" >/dev/null
done
for r in $(seq 1 "$ROUNDS"); do
  order=(on off); (( r % 2 == 0 )) && order=(off on)
  for mode in "${order[@]}"; do
    echo "audit $mode: manifest GET, round $r ..." >&2
    run_wrk "$mode" "get$r" "${BASE[$mode]}/v2/$REPO/manifests/v1" -H "Accept: $OCI_MANIFEST"
  done
  for mode in "${order[@]}"; do
    echo "audit $mode: blob HEAD, round $r ..." >&2
    run_wrk "$mode" "head$r" "${BASE[$mode]}/v2/$REPO/blobs/$EMPTY_DIGEST" -s "$WORK/head.lua"
  done
done
for mode in on off; do median_round "$mode" get; median_round "$mode" head; done

echo "blob push (rounds alternate which registry goes first) ..." >&2
java -cp "$LOAD_CP" io.stowage.server.bench.AuditLoad blobs "$REPO-blobs" 16 32 3 "$WORK/blobs" \
  "on=${BASE[on]}" "off=${BASE[off]}" | tee "$WORK/blobs.out" >&2
echo "manifest push (repetitions alternate which registry goes first) ..." >&2
java -cp "$LOAD_CP" io.stowage.server.bench.AuditLoad manifests "$REPO-tags" 16 2000 3 \
  "on=${BASE[on]}" "off=${BASE[off]}" | tee "$WORK/manifests.out" >&2

for mode in on off; do
  printf -v "${mode}_blob_mib" '%s' "$(sed -n "s/^RESULT $mode blob_push_mib_s=\([0-9.]*\).*/\1/p" "$WORK/blobs.out")"
  read -r "${mode}_mput" "${mode}_mput_p50" "${mode}_mput_p99" \
    < <(sed -n "s/^RESULT $mode manifest_put_per_s=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2 \3/p" "$WORK/manifests.out")
  printf -v "${mode}_rounds" '%s' "$(sed -n "s/^RESULT $mode blob_push_mib_s=.* rounds=\[\(.*\)\]/\1/p" "$WORK/blobs.out" | awk -F', ' '{ for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? ", " : ""), $i }')"
  printf -v "${mode}_reps" '%s' "$(sed -n "s/^RESULT $mode manifest_put_per_s=.* reps=\[\(.*\)\]/\1/p" "$WORK/manifests.out" | awk -F', ' '{ for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? ", " : ""), $i }')"
done
on_audit_bytes=$(du -sb "$WORK/data-on/audit" 2>/dev/null | cut -f1 || echo 0)
off_audit_bytes=$(du -sb "$WORK/data-off/audit" 2>/dev/null | cut -f1 || echo 0)
stop_server on; stop_server off
rm -rf "$WORK/data-on" "$WORK/data-off"

# cost: throughput rows lose (off - on) / off, latency rows gain (on - off) / off
lost() { awk -v on="$1" -v off="$2" 'BEGIN { if (off == 0) print "n/a"; else printf "%.1f %%", (off - on) / off * 100 }'; }
slower() { awk -v on="$1" -v off="$2" 'BEGIN { if (off == 0) print "n/a"; else printf "%+.1f %% latency", (on - off) / off * 100 }'; }

TABLE=$(cat <<EOF
| workload | audit on | audit off | cost (% lost) |
|---|---|---|---|
| manifest GET by tag, 64 conns ${DURATION}, median of $ROUNDS rounds (req/s) | $(num "$on_get_rps") ($on_get_all) | $(num "$off_get_rps") ($off_get_all) | $(lost "$on_get_rps" "$off_get_rps") |
| manifest GET p50 / p99 (ms) | $on_get_p50 / $on_get_p99 | $off_get_p50 / $off_get_p99 | $(slower "$on_get_p50" "$off_get_p50") p50, $(slower "$on_get_p99" "$off_get_p99") p99 |
| blob HEAD, 64 conns ${DURATION}, median of $ROUNDS rounds (req/s) | $(num "$on_head_rps") ($on_head_all) | $(num "$off_head_rps") ($off_head_all) | $(lost "$on_head_rps" "$off_head_rps") |
| blob HEAD p50 / p99 (ms) | $on_head_p50 / $on_head_p99 | $off_head_p50 / $off_head_p99 | $(slower "$on_head_p50" "$off_head_p50") p50, $(slower "$on_head_p99" "$off_head_p99") p99 |
| blob push, 16 x 32 MiB concurrent, median of 3 rounds (MiB/s) | $on_blob_mib ($on_rounds) | $off_blob_mib ($off_rounds) | $(lost "$on_blob_mib" "$off_blob_mib") |
| manifest PUT, 2,000 distinct tags, 16 clients, median of 3 (manifests/s) | $(num "$on_mput") ($on_reps) | $(num "$off_mput") ($off_reps) | $(lost "$on_mput" "$off_mput") |
| manifest PUT p50 / p99 (ms) | $on_mput_p50 / $on_mput_p99 | $off_mput_p50 / $off_mput_p99 | $(slower "$on_mput_p50" "$off_mput_p50") p50, $(slower "$on_mput_p99" "$off_mput_p99") p99 |
EOF
)

echo "$TABLE"

mkdir -p bench/results
{
  echo "# Audit log cost (bench/audit.sh)"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) at commit $(git rev-parse --short HEAD) on $(nproc) cores" \
    "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')," \
    "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM," \
    "data on $(df -T "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $2 }')," \
    "$(java -version 2>&1 | head -1 | tr -d '"'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2))."
  echo "Client and servers share the machine. Both registries run side by side (fresh data directories);"
  echo "each workload drives one at a time, rounds alternating which goes first (GET and HEAD: median of 3 rounds)."
  echo "Audit log on disk at the end: $((on_audit_bytes / 1024)) KiB with audit on, $((off_audit_bytes / 1024)) KiB with audit off."
  echo
  echo "$TABLE"
} >bench/results/audit.md
echo "wrote bench/results/audit.md" >&2
