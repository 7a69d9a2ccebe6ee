#!/usr/bin/env bash
# The side-by-side benchmark (issue 5): this registry against the CNCF reference registry
# (/usr/bin/docker-registry, Debian's docker-registry package), one after the other, each started fresh
# (temporary data directory, 127.0.0.1; ours with the GC schedule off, the reference with filesystem
# storage, deletes enabled, upload purging off), driven by the same load client (BenchLoad: JDK
# HttpClient over HTTP/1.1, bodies streamed from files, pulls counted and discarded) and by wrk.
#
#   push        one 1 GiB blob, monolithic (POST then PUT) and as 16 MiB PATCH chunks   MiB/s, median of 3 blobs
#   pull        that blob, 1 client and 8 concurrent clients (aggregate)                MiB/s, median of 5
#               (the single-client row is bound by the client on 2 cores and swings between runs)
#   pushes      16 concurrent monolithic pushes of distinct 32 MiB layers (aggregate)   MiB/s, median of 3 rounds,
#               and the server's peak resident memory during them (VmHWM reset before, VmRSS sampled every 20 ms)
#   requests    manifest GET by tag, blob HEAD (the empty blob: wrk 4.1 hangs on HEAD with a non-zero
#               Content-Length), wrk -t2 -c64 -d20s --latency after a 30 s warm-up     req/s, p50, p99
#               (30 s: on 2 cores the JIT still compiles the hot paths for about that long, taking
#               40 % of a core; a registry runs for days, so these rows measure it warmed up, the
#               reference alike)
#   tags        one manifest under 10,000 tags (16 clients), then GET tags/list and tags/list?n=10000
#                                                                                       ms, median of 7
#   startup     process start to the first 200 on /v2/, fresh empty data directory    ms, median of 5
#   limits      single-core SHA-256 of the JDK over 1 GiB; 1 GiB sequential write + fsync on the data disk
#   gc          ours: bench/gc.sh; reference: docker-registry garbage-collect over the same shape of data
#
# Prints a Markdown table and writes it, with the machine and versions, to bench/results/latest.md.
# About 12 minutes. BENCH_QUICK=1: a smoke run of about 3 minutes (128 MiB blobs, 1 repetition, 3 s wrk,
# 1,000 tags, GC rows skipped), written to bench/results/quick.md instead. BENCH_PORT picks the ports
# (default 5810 for ours, +1 for the reference); BENCH_KEEP=1 keeps the work directory (logs, wrk output).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
T0=$(date +%s)
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' || echo ' (with uncommitted changes)')
COMMAND="${BENCH_QUICK:+BENCH_QUICK=$BENCH_QUICK }bench/run.sh${*:+ $*}"

if [[ -n ${BENCH_QUICK:-} ]]; then
  BIG_MIB=128 REPS=1 PULL_REPS=1 ROUNDS=1 DURATION=3s WARM=1s TAGS=1000 LISTS=3 STARTS=2 OUT=bench/results/quick.md
else
  BIG_MIB=1024 REPS=3 PULL_REPS=5 ROUNDS=3 DURATION=20s WARM=30s TAGS=10000 LISTS=7 STARTS=5 OUT=bench/results/latest.md
fi
PULLERS=8 PUSHERS=16 LAYER_MIB=32 CHUNK_MIB=16
PORT=${BENCH_PORT:-5810}
declare -A BASE=([ours]=http://127.0.0.1:$PORT [ref]=http://127.0.0.1:$((PORT + 1)))
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
EMPTY_DIGEST=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
REF_BIN=/usr/bin/docker-registry

log() { echo "[$(( $(date +%s) - T0 ))s] $*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stowage-bench.XXXXXX")
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() {
  stop_server
  if [[ -n ${BENCH_KEEP:-} ]]; then
    find "$WORK" -mindepth 1 -maxdepth 1 \( -name 'data-*' -o -name 'blob-*' -o -name 'start-*' -o -name 'pushes-*' -o -name refgc \) -exec rm -rf {} +
    echo "kept $WORK (logs, wrk output)" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites and build ----
if [[ ! -x $REF_BIN ]]; then
  if [[ $(id -u) == 0 ]]; then
    log "installing docker-registry (the reference registry) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y docker-registry >&2
  else
    echo "$REF_BIN is missing: apt-get install docker-registry (as root)" >&2; exit 1
  fi
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
for port in "${BASE[@]}"; do
  if curl -s -o /dev/null "$port/v2/"; then echo "${port#http://} is in use" >&2; exit 1; fi
done

log "building registry.jar and the load client ..."
mvn -B -q -DskipTests package >/dev/null
JAR=$ROOT/registry-server/target/registry.jar
# The README's run command: relative paths from the repository root, so the class-data-sharing
# archive the build made (for exactly this class path) is used.
OURS=(java -XX:SharedArchiveFile=registry-server/target/registry.jsa -jar registry-server/target/registry.jar)
CP=$ROOT/registry-server/target/test-classes
[[ -f $CP/io/stowage/server/bench/BenchLoad.class ]] || { echo "BenchLoad not compiled" >&2; exit 1; }
bl() { java -cp "$CP" io.stowage.server.bench.BenchLoad "$@"; }

declare -A R=()
collect() { # collect LABEL FILE: RESULT lines of FILE into R[LABEL.key]
  local _r key value
  while read -r _r key value; do R[$1.$key]=$value; done < <(grep '^RESULT ' "$2")
}

# ---- the limits ----
log "limits: SHA-256 over 1 GiB (one core), 1 GiB write + fsync in $WORK ..."
bl sha256 1024 | tee "$WORK/limits.out" >&2
bl fsync "$WORK/fsync.tmp" 1024 | tee -a "$WORK/limits.out" >&2
collect limit "$WORK/limits.out"
dd if=/dev/zero of="$WORK/dd.tmp" bs=16M count=64 conv=fsync 2>"$WORK/dd.out"
R[limit.dd_mib_s]=$(awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") s = $(i - 1); printf "%.0f", $1 / s / 1048576 }' "$WORK/dd.out")
rm -f "$WORK/dd.tmp"
log "limits: sha256 ${R[limit.sha256_mib_s]} MiB/s, write+fsync ${R[limit.fsync_mib_s]} MiB/s (dd conv=fsync ${R[limit.dd_mib_s]} MiB/s)"

# ---- the blobs: every registry gets the same bytes ----
log "writing $((2 * REPS)) random blobs of $BIG_MIB MiB ..."
MONO=() CHUNKED=()
for i in $(seq 1 "$REPS"); do
  bl gen "$WORK/blob-mono-$i" "$BIG_MIB" "$i" >/dev/null; MONO+=("$WORK/blob-mono-$i")
  bl gen "$WORK/blob-chunked-$i" "$BIG_MIB" "$((100 + i))" >/dev/null; CHUNKED+=("$WORK/blob-chunked-$i")
done
# The blobs just written are gigabytes of dirty pages: flush them now, or their writeback competes
# with whichever registry's pushes come first (ours) and not with the other's.
sync
BIG_DIGEST=$(cat "$WORK/blob-mono-1.digest")
BIG_BYTES=$((BIG_MIB << 20))

# ---- servers ----
ref_config() { # ref_config FILE DATA_DIR PORT
  cat >"$1" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $2
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$3
  draintimeout: 5s
EOF
}

start_server() { # start_server LABEL
  local label=$1 base=${BASE[$1]}
  mkdir -p "$WORK/data-$label"
  if [[ $label == ours ]]; then
    REGISTRY_GC_INTERVAL=PT0S "${OURS[@]}" serve --data-dir "$WORK/data-$label" --listen "${base#http://}" \
      >"$WORK/server-$label.log" 2>&1 &
  else
    ref_config "$WORK/ref-config.yml" "$WORK/data-$label" "${base##*:}"
    "$REF_BIN" serve "$WORK/ref-config.yml" >"$WORK/server-$label.log" 2>&1 &
  fi
  SERVER_PID=$!
  local i
  for i in $(seq 1 600); do
    curl -fs -o /dev/null "$base/v2/" && return
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$label registry exited:" >&2; cat "$WORK/server-$label.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$label registry not ready after 60 s" >&2; exit 1
}

# startup script: $1 is the run number; a fresh empty data directory each time; execs the server
startup_script() { # startup_script LABEL -> path
  local label=$1 script=$WORK/start-$1.sh port=${BASE[$1]##*:}
  if [[ $label == ours ]]; then
    cat >"$script" <<EOF
#!/usr/bin/env bash
rm -rf "$WORK/start-$label-\$1"; mkdir -p "$WORK/start-$label-\$1"
cd "$ROOT"
REGISTRY_GC_INTERVAL=PT0S exec ${OURS[*]} serve --data-dir "$WORK/start-$label-\$1/data" --listen 127.0.0.1:$port
EOF
  else
    cat >"$script" <<EOF
#!/usr/bin/env bash
rm -rf "$WORK/start-$label-\$1"; mkdir -p "$WORK/start-$label-\$1"
cat >"$WORK/start-$label-\$1/config.yml" <<'YML'
$(ref_config /dev/stdout "$WORK/start-$label-data" "$port")
YML
sed -i "s|$WORK/start-$label-data|$WORK/start-$label-\$1/data|" "$WORK/start-$label-\$1/config.yml"
exec "$REF_BIN" serve "$WORK/start-$label-\$1/config.yml"
EOF
  fi
  chmod +x "$script"
  echo "$script"
}

# ms from a wrk duration such as 812.00us, 3.41ms, 1.02s
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

run_wrk() { # run_wrk LABEL NAME URL [wrk args...]: R[LABEL.NAME_rps], _p50, _p99
  local label=$1 name=$2 url=$3; shift 3
  local out=$WORK/$label-$name.wrk
  wrk -t2 -c64 -d"$WARM" "$@" "$url" >/dev/null
  wrk -t2 -c64 -d"$DURATION" --latency "$@" "$url" >"$out"
  if grep -q -e 'Non-2xx' -e 'Socket errors' "$out"; then echo "wrk $name ($label) saw errors:" >&2; cat "$out" >&2; exit 1; fi
  R[$label.${name}_rps]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  [[ -n ${R[$label.${name}_rps]} && ${R[$label.${name}_rps]} != 0 ]] || { echo "wrk $name ($label) completed nothing:" >&2; cat "$out" >&2; exit 1; }
  R[$label.${name}_p50]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  R[$label.${name}_p99]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
}

upload() { # upload BASE REPO FILE: monolithic POST then PUT with curl; digest on stdout
  local digest location sep
  digest=sha256:$(sha256sum "$3" | cut -d' ' -f1)
  location=$(curl -fsS -o /dev/null -D - -X POST "$1/v2/$2/blobs/uploads/" | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
  [[ $location == http* ]] || location=$1$location
  [[ $location == *\?* ]] && sep='&' || sep='?'
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$3" "$location${sep}digest=$digest"
  echo "$digest"
}

seed_small() { # seed_small LABEL: one small image under v1 and the empty blob, in bench/small
  local base=${BASE[$1]} config_digest layer_digest
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$WORK/config.json"
  head -c 4096 /dev/urandom >"$WORK/layer-$1"
  : >"$WORK/empty"
  config_digest=$(upload "$base" bench/small "$WORK/config.json")
  layer_digest=$(upload "$base" bench/small "$WORK/layer-$1")
  [[ $(upload "$base" bench/small "$WORK/empty") == "$EMPTY_DIGEST" ]]
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":4096}]}' \
    "$OCI_MANIFEST" "$config_digest" "$(stat -c %s "$WORK/config.json")" "$layer_digest" >"$WORK/manifest-$1.json"
  curl -fsS -o /dev/null -X PUT -H "Content-Type: $OCI_MANIFEST" --data-binary "@$WORK/manifest-$1.json" "$base/v2/bench/small/manifests/v1"
  curl -fsS -o /dev/null -H "Accept: $OCI_MANIFEST" "$base/v2/bench/small/manifests/v1"
  curl -fsS -o /dev/null -I "$base/v2/bench/small/blobs/$EMPTY_DIGEST"
}

suite() { # suite LABEL: every workload against one registry
  local label=$1 base=${BASE[$1]}
  sync # each registry starts with nothing of the other's left to write back
  log "$label: starting ..."
  start_server "$label"
  log "$label: $PUSHERS concurrent pushes of $LAYER_MIB MiB, $ROUNDS round(s) ..."
  bl pushes "$base" bench/layers "$PUSHERS" "$LAYER_MIB" "$ROUNDS" "$WORK/pushes-$label" "$SERVER_PID" | tee "$WORK/$label-pushes.out" >&2
  collect "$label.pushes" "$WORK/$label-pushes.out"
  # Each push workload starts with the previous one's bytes on disk: otherwise their writeback lands
  # in the next workload's time (1.5 GiB of layers just before the first 1 GiB push).
  sync
  log "$label: $BIG_MIB MiB pushes, monolithic ..."
  bl push "$base" bench/big mono "${MONO[@]}" | tee "$WORK/$label-mono.out" >&2
  collect "$label.mono" "$WORK/$label-mono.out"
  sync
  log "$label: $BIG_MIB MiB pushes, $CHUNK_MIB MiB chunks ..."
  bl push "$base" bench/big "$CHUNK_MIB" "${CHUNKED[@]}" | tee "$WORK/$label-chunked.out" >&2
  collect "$label.chunked" "$WORK/$label-chunked.out"
  sync
  log "$label: pulls ..."
  bl pull "$base" bench/big "$BIG_DIGEST" "$BIG_BYTES" 1 "$PULL_REPS" | tee "$WORK/$label-pull1.out" >&2
  collect "$label.pull1" "$WORK/$label-pull1.out"
  bl pull "$base" bench/big "$BIG_DIGEST" "$BIG_BYTES" "$PULLERS" "$PULL_REPS" | tee "$WORK/$label-pulln.out" >&2
  collect "$label.pulln" "$WORK/$label-pulln.out"
  log "$label: wrk manifest GET and blob HEAD ..."
  seed_small "$label"
  run_wrk "$label" get "$base/v2/bench/small/manifests/v1" -H "Accept: $OCI_MANIFEST"
  run_wrk "$label" head "$base/v2/bench/small/blobs/$EMPTY_DIGEST" -s "$WORK/head.lua"
  log "$label: $TAGS tags, tags/list ..."
  bl tags "$base" bench/tags "$TAGS" 16 "$LISTS" | tee "$WORK/$label-tags.out" >&2
  collect "$label.tags" "$WORK/$label-tags.out"
  R[$label.disk_mib]=$(du -sm "$WORK/data-$label" | cut -f1)
  stop_server
  rm -rf "$WORK/data-$label"
  log "$label: $STARTS start(s) ..."
  bl startup "$base/v2/" "$STARTS" "$(startup_script "$label")" | tee "$WORK/$label-startup.out" >&2
  collect "$label.startup" "$WORK/$label-startup.out"
  rm -rf "$WORK"/start-"$label"-*
}

printf 'wrk.method = "HEAD"\n' >"$WORK/head.lua"
suite ours
suite ref
rm -f "$WORK"/blob-*

# ---- GC ----
GC_OURS="not measured (BENCH_QUICK)" GC_REF="not measured (BENCH_QUICK)" GC_OURS_NOTE="" GC_REF_NOTE=""
if [[ -z ${BENCH_QUICK:-} ]]; then
  log "gc: ours (bench/gc.sh) ..."
  bench/gc.sh | tee "$WORK/gc-ours.out" >&2
  line=$(grep '^| gc:' "$WORK/gc-ours.out" | tail -1)
  GC_OURS=$(awk -F'|' '{ gsub(/^ +| +$/, "", $3); print $3 }' <<<"$line")
  GC_OURS_NOTE=$(awk -F'|' '{ gsub(/^ +| +$/, "", $4); print $4 }' <<<"$line")
  log "gc: reference (docker-registry garbage-collect) ..."
  bl refgc "$WORK/refgc/data" 10000 5 >&2
  ref_config "$WORK/refgc/config.yml" "$WORK/refgc/data" "$((PORT + 2))"
  blobs_before=$(find "$WORK/refgc/data/docker/registry/v2/blobs" -name data | wc -l)
  sync
  gc_start=$(date +%s%N)
  "$REF_BIN" garbage-collect "$WORK/refgc/config.yml" >"$WORK/gc-ref.out" 2>&1
  gc_end=$(date +%s%N)
  blobs_after=$(find "$WORK/refgc/data/docker/registry/v2/blobs" -name data | wc -l)
  GC_REF=$(awk -v a="$gc_start" -v b="$gc_end" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }')
  GC_REF_NOTE="offline; swept $((blobs_before - blobs_after)) of $blobs_before blobs (5,000 manifests + 25,000 layers/configs expected)"
  rm -rf "$WORK/refgc"
fi

# ---- the table ----
num() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); print s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 < b + 0) ? a : b }'; }
o() { echo "${R[ours.$1]}"; }
f() { echo "${R[ref.$1]}"; }
SHA=${R[limit.sha256_mib_s]} DISK=${R[limit.fsync_mib_s]}
PUSH_LIMIT="$(num "$(min "$SHA" "$DISK")") (min of SHA-256 $(num "$SHA"), write+fsync $(num "$DISK"))"
SIZE_LABEL=$([[ $BIG_MIB == 1024 ]] && echo "1 GiB" || echo "$BIG_MIB MiB")

row() { # row WORKLOAD OURS REF LIMIT [RATIO_OURS RATIO_REF]
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(ratio "${5:-$2}" "${6:-$3}")" "$4"
}
TABLE=$(
  echo "| workload | ours | reference | ratio (ours ÷ ref) | physical limit |"
  echo "|---|---|---|---|---|"
  row "push $SIZE_LABEL blob, monolithic (MiB/s)" "$(o mono.push_mib_s)" "$(f mono.push_mib_s)" "$PUSH_LIMIT"
  row "push $SIZE_LABEL blob, ${CHUNK_MIB} MiB PATCH chunks (MiB/s)" "$(o chunked.push_mib_s)" "$(f chunked.push_mib_s)" "$PUSH_LIMIT"
  row "pull $SIZE_LABEL blob, 1 client (MiB/s)" "$(o pull1.pull_mib_s)" "$(f pull1.pull_mib_s)" "—"
  row "pull $SIZE_LABEL blob, $PULLERS concurrent clients (aggregate MiB/s)" "$(o pulln.pull_mib_s)" "$(f pulln.pull_mib_s)" "—"
  row "$PUSHERS concurrent pushes of distinct $LAYER_MIB MiB layers (aggregate MiB/s)" "$(o pushes.pushes_mib_s)" "$(f pushes.pushes_mib_s)" "$(num "$DISK") (write+fsync; SHA-256 $(num "$SHA") per core)"
  row "server peak RSS during those pushes (MiB; before: ours $(o pushes.rss_before_mib), ref $(f pushes.rss_before_mib))" "$(o pushes.rss_peak_mib)" "$(f pushes.rss_peak_mib)" "—"
  row "manifest GET by tag, wrk 64 conns ${DURATION} (req/s)" "$(num "$(o get_rps)")" "$(num "$(f get_rps)")" "—" "$(o get_rps)" "$(f get_rps)"
  row "manifest GET p50 / p99 (ms)" "$(o get_p50) / $(o get_p99)" "$(f get_p50) / $(f get_p99)" "—" "$(o get_p50)" "$(f get_p50)"
  row "blob HEAD (empty blob), wrk 64 conns ${DURATION} (req/s)" "$(num "$(o head_rps)")" "$(num "$(f head_rps)")" "—" "$(o head_rps)" "$(f head_rps)"
  row "blob HEAD p50 / p99 (ms)" "$(o head_p50) / $(o head_p99)" "$(f head_p50) / $(f head_p99)" "—" "$(o head_p50)" "$(f head_p50)"
  row "manifest PUT of one manifest under $(num "$TAGS") tags, 16 clients (tags/s)" "$(num "$(o tags.tag_put_per_s)")" "$(num "$(f tags.tag_put_per_s)")" "—" "$(o tags.tag_put_per_s)" "$(f tags.tag_put_per_s)"
  row "GET tags/list of $(num "$TAGS") tags (ms; tags returned: ours $(o tags.tags_list_count), ref $(f tags.tags_list_count))" "$(o tags.tags_list_ms)" "$(f tags.tags_list_ms)" "—"
  row "GET tags/list?n=$TAGS (ms; tags returned: ours $(o tags.tags_list_n_count), ref $(f tags.tags_list_n_count))" "$(o tags.tags_list_n_ms)" "$(f tags.tags_list_n_ms)" "—"
  row "start to first 200 on /v2/, empty data dir (ms, median of $STARTS)" "$(o startup.startup_ms)" "$(f startup.startup_ms)" "—"
  row "gc: 10,000 manifests, 50,000 blobs of 4 KiB, half deleted" "$GC_OURS" "$GC_REF" "—" "${GC_OURS%% *}" "${GC_REF%% *}"
  echo "| limit: SHA-256 of the JDK, one core, 1 GiB (MiB/s) | — | — | — | $(num "$SHA") |"
  echo "| limit: sequential write of 1 GiB + fsync, data disk (MiB/s) | — | — | — | $(num "$DISK") (dd conv=fsync: $(num "${R[limit.dd_mib_s]}")) |"
)
ELAPSED=$(( $(date +%s) - T0 ))

echo "$TABLE"

mkdir -p bench/results
{
  echo "# Stowage against the CNCF reference registry (bench/run.sh)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); run time $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
  echo "- command: \`$COMMAND\`"
  echo "- machine: \`nproc\` = $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
    "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; data on $(df -T "$WORK" | awk 'NR == 2 { print $2 " (" $1 ")" }');" \
    "$(uname -sr); $(java -version 2>&1 | head -1 | tr -d '"'); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- ours: Stowage at commit $COMMIT (as built), defaults (audit on) except \`REGISTRY_GC_INTERVAL=PT0S\`"
  echo "- reference: \`$("$REF_BIN" --version 2>&1 | head -1)\`, filesystem storage, delete enabled, upload purging off, log level info"
  echo
  echo "Client and server share the machine; one registry runs at a time (ours first), each from an empty"
  echo "data directory. Rates are medians of $REPS blob(s) / $PULL_REPS pull(s) / $ROUNDS round(s) of the same bytes for both; pulled"
  echo "bodies are counted and discarded. \"Monolithic\" is POST then PUT with the body (the reference has no"
  echo "single-POST upload). Ratio: ours ÷ reference, higher is better for rates, lower for times, latencies"
  echo "and memory. Data directory after the workloads: ours $(o disk_mib) MiB, reference $(f disk_mib) MiB."
  [[ -n $GC_OURS_NOTE ]] && echo "GC, ours: $GC_OURS_NOTE. GC, reference: $GC_REF_NOTE."
  echo
  echo "$TABLE"
} >"$OUT"
log "wrote $OUT"
