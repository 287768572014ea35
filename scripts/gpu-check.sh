#!/usr/bin/env bash
# GPU check for the CUDA backend, in two halves (docs/gpu-check.md):
#   scripts/gpu-check.sh pack [DIR]   here: build the jars, a jlink'ed Java 25 runtime (libjvm stripped), the JCuda
#                                     driver binding and the JUnit console into DIR (default target/gpu-check), < 64 MiB
#   scripts/gpu-check.sh run  [DIR]   on the GPU machine (no Java, no network there): find libcublas.so.13 /
#                                     libcudnn.so.9, run the CUDA tests with the console launcher, time the hot
#                                     kernels, run the PyTorch peer if torch is there, print one summary
#   scripts/gpu-check.sh all  [DIR]   pack, then run (on a machine without a GPU the tests are skipped with a reason)
#   scripts/gpu-check.sh dry  [DIR]   here, without a GPU: pack, then run against the CUDA emulator (kernels/emu: a
#                                     libcuda.so.1, libcublas.so.13, libcudnn.so.9 on the CPU) at batch 4 with a few
#                                     iterations, so that every stage of run and its summary work before a GPU session
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-all}
DIR=${2:-target/gpu-check}
JDK=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
# The run half ends with its summary within BUDGET seconds (each stage's timeout is cut to what is left, keeping
# 30 s for a last kill and the summary). A lent GPU gives a task 15 minutes in all, the machine's start (minutes)
# included, so the default leaves room to run the check twice: call the device tool with timeout_s=330.
BUDGET=${GPU_CHECK_BUDGET:-300}
# The sizes of run (dry sets small ones): iterations of the eager comparison run and of the long graph run, batch,
# kernel timing repetitions, whether CudaTrainingTest runs, and a factor on each stage's own time cap.
SHORT=${GPU_CHECK_SHORT:-300}
LONG=${GPU_CHECK_LONG:-1000}
BATCH=${GPU_CHECK_BATCH:-100}
REPS=${GPU_CHECK_REPS:-50}
TRAINING_TEST=${GPU_CHECK_TRAINING_TEST:-1}
CAPX=${GPU_CHECK_CAPX:-1}
DRY=0
for v in BUDGET SHORT LONG BATCH REPS CAPX; do
  case "${!v}" in ''|*[!0-9]*) echo "GPU_CHECK_$v must be a whole number, not '${!v}'" >&2; exit 2 ;; esac
done
# Logs go to DIR/run-logs. When the device tool sets OUT, each stage also leaves there a tarball of them
# (run-logs.tgz) and, at the end, summary.txt: two files, as the tool returns at most 8 from OUT, and they come back
# even from a call cut short.
LOG=$DIR/run-logs
START=$SECONDS
JUNIT_CONSOLE=1.11.4          # platform version matching junit-jupiter 5.11.4 of the parent pom
JCUDA=12.6.0

pack() {
  set -e
  echo "== pack into $DIR"
  mvn -q -B -pl kernels,engine -am package -DskipTests
  mvn -q -B -pl kernels,engine,infogan,tests -am test-compile
  rm -rf "$DIR" && mkdir -p "$DIR/lib" "$DIR/jars"
  cp kernels/target/kernels-*.jar engine/target/engine-*.jar "$DIR/jars/"
  "$JDK/bin/jar" --create --file "$DIR/jars/engine-tests.jar" -C engine/target/test-classes .
  "$JDK/bin/jar" --create --file "$DIR/jars/tests-tests.jar" -C tests/target/test-classes .
  local m2=$HOME/.m2/repository
  cp "$m2/org/jcuda/jcuda/$JCUDA/jcuda-$JCUDA.jar" "$DIR/jars/"
  # Only the driver binding (1.2 MiB) of the 9 MiB natives jar; JCuda tries System.loadLibrary first.
  (cd "$DIR/lib" && "$JDK/bin/jar" --extract --file "$m2/org/jcuda/jcuda-natives/$JCUDA/jcuda-natives-$JCUDA-linux-x86_64.jar" \
      lib/libJCudaDriver-$JCUDA-linux-x86_64.so && mv lib/*.so . && rmdir lib)
  local cs=$m2/org/junit/platform/junit-platform-console-standalone/$JUNIT_CONSOLE/junit-platform-console-standalone-$JUNIT_CONSOLE.jar
  [ -f "$cs" ] || mvn -q -B dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE -Dtransitive=false
  cp "$cs" "$DIR/jars/junit-console.jar"
  # Java 25 runtime: JCuda needs java.logging (JUL in jcuda.LibUtils); no java.desktop (19 MiB).
  "$JDK/bin/jlink" --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported \
      --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$DIR/jre"
  strip --strip-unneeded "$DIR/jre/lib/server/libjvm.so"
  cp scripts/torch_gpu_bench.py "$DIR/"
  mvn -q -B -pl infogan -am package -DskipTests
  cp target/infogan-engine.jar "$DIR/jars/"
  local mib
  mib=$(du -sm "$DIR" | cut -f1)
  echo "pack size: $(du -sh "$DIR" | cut -f1) ($(du -sb "$DIR" | cut -f1) bytes): jre $(du -sh "$DIR/jre" | cut -f1), jars $(du -sh "$DIR/jars" | cut -f1), lib $(du -sh "$DIR/lib" | cut -f1)"
  if [ "$mib" -ge 64 ]; then echo "pack exceeds 64 MiB" >&2; exit 1; fi
  set +e
}

# Whether the run folder $1 holds a metrics.csv whose last row is iteration $2 (the run was not cut short).
complete() {
  [ -f "$1/metrics.csv" ] && [ "$(tail -n 1 "$1/metrics.csv" | cut -d, -f1)" = "$2" ]
}

# Prints "CURVES max <label>: <largest |difference|><note>" of columns 2-6 (d_loss … ce_cat1) between the first
# $3 logged rows of the metrics.csv of runs $1 and $2 (same seed, same logged iterations, row by row).
curve_diff() {
  paste -d, <(head -n $(($3 + 1)) "$DIR/runs/$1/metrics.csv") <(head -n $(($3 + 1)) "$DIR/runs/$2/metrics.csv") |
    awk -F, -v label="$4" -v note="$5" 'NR > 1 {
      n = NF / 2; for (c = 2; c <= 6; c++) { d = $c - $(c + n); if (d < 0) d = -d; if (d > m) m = d } }
      END { printf "CURVES max %s: %.4g%s\n", label, m, note }'
}

# Seconds a stage may take: its own cap, cut to the budget left minus 30 s (up to 10 s for timeout's -k kill,
# the rest for the summary), at least 1.
cap() {
  local left=$((BUDGET - (SECONDS - START) - 30)) want=$(($1 * CAPX))
  [ "$left" -lt 1 ] && left=1
  [ "$want" -lt "$left" ] && echo "$want" || echo "$left"
}

# Copies the logs so far to $OUT (when the device tool set it): run-logs.tgz, and summary.txt once there is one.
ship() {
  [ -n "${OUT:-}" ] || return 0
  tar -czf "$OUT/run-logs.tgz" -C "$LOG" . 2>/dev/null
  [ -f "$LOG/summary.txt" ] && cp "$LOG/summary.txt" "$OUT/"
  return 0
}

run() {
  cd "$ROOT"
  START=$SECONDS
  local J="$DIR/jre/bin/java" log="$LOG"
  [ -x "$J" ] || { echo "no runtime at $DIR/jre: run '$0 pack' first"; return 1; }
  rm -rf "$log" "$DIR/runs" && mkdir -p "$log"
  echo "== machine"
  (nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: none") | sed 's/^/  /'
  echo "== libraries"
  local libs cublas cudnn
  # (not the CUDA emulator's own libcublas/libcudnn, should a build folder hold one: dry finds those by LD_LIBRARY_PATH)
  libs=$(timeout -k 10 "$(cap 30)" find / -xdev \( -path '*cuda-emu' -o -path '*gpu-check-emu' -o -path /proc \) -prune -o \
      \( -name 'libcublas.so.13' -o -name 'libcudnn.so.9' -o -name 'libcublas.so.12' \) -print 2>/dev/null || true)
  cublas=$(echo "$libs" | grep 'libcublas.so.13$' | head -1); [ -n "$cublas" ] || cublas=$(echo "$libs" | grep 'libcublas.so.12$' | head -1)
  cudnn=$(echo "$libs" | grep 'libcudnn.so.9$' | head -1)
  echo "  cuBLAS: ${cublas:-not found}"; echo "  cuDNN:  ${cudnn:-not found}"
  local props=(-Djava.library.path="$DIR/lib")
  [ -n "$cublas" ] && props+=(-Dinfogan.cublas="$cublas")
  [ -n "$cudnn" ] && props+=(-Dinfogan.cudnn="$cudnn")
  # cuDNN's sub-libraries find cuBLAS(Lt) and nvrtc via RUNPATH inside a pip tree; add their dirs for other layouts.
  local extra=""
  for l in "$cublas" "$cudnn"; do [ -n "$l" ] && extra="$extra:$(dirname "$l")"; done
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}$extra"
  local CP="$DIR/jars/engine-tests.jar:$DIR/jars/tests-tests.jar:$(ls "$DIR"/jars/engine-*.jar | grep -v tests | head -1):$(ls "$DIR"/jars/kernels-*.jar | head -1):$DIR/jars/jcuda-$JCUDA.jar:$DIR/jars/infogan-engine.jar"
  local FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m "${props[@]}")

  echo "== conformance tests (JUnit console)"
  local classes=(--select-class infogan.engine.backend.cuda.CudaConformanceTest
                 --select-class infogan.engine.backend.cuda.CudaOfflineTest)
  [ "$TRAINING_TEST" = 1 ] && classes+=(--select-class infogan.tests.CudaTrainingTest)
  timeout -k 10 "$(cap 150)" "$J" "${FLAGS[@]}" -jar "$DIR/jars/junit-console.jar" execute --class-path "$CP" \
      "${classes[@]}" --details=tree --disable-banner 2>&1 | tee "$log/tests.txt"
  local trc=${PIPESTATUS[0]}
  ship

  echo "== kernel timings"
  timeout -k 10 "$(cap 45)" "$J" "${FLAGS[@]}" -cp "$CP" infogan.engine.backend.cuda.CudaKernelBench "$REPS" "$BATCH" 2>&1 | tee "$log/bench.txt"
  ship

  # Before our training runs, so that a budget cut short still leaves both halves of the ms/iteration target.
  echo "== PyTorch peer (CUDA, batch $BATCH)"
  local py=""
  for p in /opt/torch/.venv/bin/python3 python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' 2>/dev/null; then py=$p; break; fi
  done
  if [ -n "$py" ]; then
    timeout -k 10 "$(cap 60)" "$py" "$DIR/torch_gpu_bench.py" --batch "$BATCH" --iters 50 --warmup 10 2>&1 | tee "$log/torch.txt"
  else
    echo "TORCH skipped: no python3 with torch" | tee "$log/torch.txt"
  fi
  ship

  # The cuda-vs-cpu loss curves are CudaTrainingTest's ([cuda-training] lines, asserted there); here: the long run
  # with CUDA graphs (the default) for ms/iteration and launches, and an eager run of its first iterations.
  echo "== training: $LONG iterations on cuda (CUDA graph), then $SHORT without graphs (same seed)"
  local JVM=("$J" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "${props[@]}")
  local every=$((SHORT < 100 ? 1 : 100))
  local ARGS=(-cp "$DIR/jars/infogan-engine.jar" infogan.cli.Main train mnist --seed 1 --no-progress --log-every "$every"
              --batch "$BATCH" --sample-every 0 --checkpoint-every 0 --eval-every 0 --out "$DIR/runs")
  GRAPH=graph$LONG EAGER=eager$SHORT
  timeout -k 10 "$(cap 60)" "${JVM[@]}" "${ARGS[@]}" --device cuda --iterations "$LONG" --name "$GRAPH" 2>&1 | tee "$log/train-$GRAPH.txt"
  ship
  timeout -k 10 "$(cap 45)" "${JVM[@]}" -Dinfogan.cuda.graph=off "${ARGS[@]}" --device cuda --iterations "$SHORT" --name "$EAGER" 2>&1 \
      | tee "$log/train-$EAGER.txt"
  for r in "$DIR"/runs/*/; do [ -f "$r/metrics.csv" ] && cp "$r/metrics.csv" "$log/metrics-$(basename "$r").csv"; done
  # Graph and eager: the same kernels in the same order, so the same numbers (a run cut short is not compared).
  if complete "$DIR/runs/$GRAPH" "$LONG" && complete "$DIR/runs/$EAGER" "$SHORT"; then
    curve_diff "$GRAPH" "$EAGER" $((SHORT / every)) "|graph - eager| over d_loss, g_loss, d_real, d_fake, ce_cat1 at iterations $every..$SHORT" " (expect 0)"
  else
    echo "CURVES skipped: the graph or the eager run did not finish"
  fi | tee "$log/curves.txt"

  summary "$trc" > "$log/summary.txt"
  cat "$log/summary.txt"
  ship
  return "$trc"
}

# One summary of the logs of run() (its argument: the test launcher's exit code).
summary() {
  local log="$LOG" trc=$1
  echo "== summary ($((SECONDS - START)) s of the $BUDGET s budget used; logs in $log)"
  [ "$DRY" = 1 ] && echo "  DRY RUN on the CUDA emulator (batch $BATCH, $LONG/$SHORT iterations): it shows that every stage runs and parses; its times, ratios and TARGET verdicts mean nothing"
  echo "  test launcher exit code: $trc$([ "$trc" = 0 ] && echo ' (all selected tests passed or were skipped)')"
  grep -E "tests (successful|failed|skipped|aborted)" "$log/tests.txt" | sed 's/^ *\[ */  tests: /; s/ *\]$//'
  grep -E "^\[(conformance|cuda-training)\]" "$log/tests.txt" | sed 's/^/  /'
  grep -E "^BENCH" "$log/bench.txt" | sed 's/^BENCH /  bench: /'
  grep -E "^CURVES" "$log/curves.txt" | sed 's/^/  /'
  grep -shE "iterations in .* ms/iteration|accuracy under best match|recorded graph|^cuda work" "$log/train-$GRAPH.txt" | sed 's/^/  cuda with graphs: /'
  grep -shE "iterations in .* ms/iteration|^cuda work" "$log/train-$EAGER.txt" | sed 's/^/  cuda without graphs: /'
  grep -E "^(RESULT|TORCH|LAUNCHES)" "$log/torch.txt" | sed 's/^/  torch: /; s/torch: TORCH /torch: /'
  targets
}

# The issue's three targets, read off the logs of run(): ms/iteration against PyTorch eager (steady state: the
# iterations after the first logged row, from the cumulative ms_per_iteration column of metrics.csv), launches per
# iteration, and our GEMM against cuBLAS (the bench's ratio lines).
targets() {
  local csv="$DIR/runs/$GRAPH/metrics.csv" log="$LOG"
  local ours torch span
  ours=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ms_per_iteration") c = i; next }
      NR == 2 { i0 = $1; m0 = $c } { i1 = $1; m1 = $c }
      END { if (c && i1 > i0) printf "%.3f %d-%d", (i1 * m1 - i0 * m0) / (i1 - i0), i0 + 1, i1 }' "$csv" 2>/dev/null)
  span=${ours#* }; ours=${ours%% *}
  torch=$(sed -n 's/^RESULT .*median_ms=\([0-9.]*\).*/\1/p' "$log/torch.txt" 2>/dev/null | head -1)
  if [ -n "$ours" ] && [ -n "$torch" ]; then
    awk -v o="$ours" -v t="$torch" -v s="$span" -v b="$BATCH" 'BEGIN { printf "  TARGET ms/iteration at batch %d: ours %.3f (iterations %s), PyTorch eager %.3f (median): ratio %.2f, wanted <= 0.5\n", b, o, s, t, o / t }'
  else
    echo "  TARGET ms/iteration: not measured (ours: ${ours:-missing}, torch: ${torch:-missing})"
  fi
  grep -h "^cuda work" "$log/train-$GRAPH.txt" 2>/dev/null | sed -n 's/.*, \([0-9,]*\) graph launches.*/\1/p' | tr -d , |
    awk -v n="$LONG" '{ printf "  TARGET launches: %d graph launches over %d iterations (wanted: one per iteration after the first two, or <= 30 launches)\n", $1, n }'
  sed -n 's/^LAUNCHES torch per_iteration=\([0-9]*\).*/  TARGET launches of PyTorch eager: \1 per iteration (kernels, copies, memsets)/p' "$log/torch.txt" 2>/dev/null
  grep -hE "^cuda work" "$log/train-$EAGER.txt" 2>/dev/null | sed -n 's/^cuda work: \([0-9,]*\) kernel launches and \([0-9,]*\) cuBLAS.*/\1 \2/p' | tr -d , |
    awk -v n="$SHORT" '{ printf "  TARGET launches without graphs: %.0f per iteration (%d kernels + %d library calls over %d iterations and the evaluation)\n", ($1 + $2) / n, $1, $2, n }'
  grep -E "^BENCH ratio gemm" "$log/bench.txt" 2>/dev/null | sed 's/^BENCH ratio /  TARGET /'
}

# Without a GPU: the whole run half against the CUDA emulator, small (about 8 minutes on 2 cores, the pack
# included: always a fresh one, so that no stale jars are tried). Proves the packed runtime loads JCuda's driver
# binding and the FFM libraries, the stages run and the summary parses their output; not speed (the emulator is
# ~10^4 times slower than a GPU, so its TARGET figures mean nothing). The GPU_CHECK_* sizes apply here too.
dry() {
  pack || return 1
  local emu="$ROOT/target/gpu-check-emu"
  bash kernels/emu/build.sh "$emu" || return 1
  export LD_LIBRARY_PATH="$emu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  DRY=1 SHORT=${GPU_CHECK_SHORT:-2} LONG=${GPU_CHECK_LONG:-3} BATCH=${GPU_CHECK_BATCH:-4} REPS=${GPU_CHECK_REPS:-1} \
    TRAINING_TEST=${GPU_CHECK_TRAINING_TEST:-0} CAPX=${GPU_CHECK_CAPX:-8} BUDGET=${GPU_CHECK_BUDGET:-2400} run
}

case "$MODE" in
  pack) pack ;;
  run) run ;;
  all) pack && run ;;
  dry) dry ;;
  *) echo "usage: $0 pack|run|all|dry [DIR]" >&2; exit 2 ;;
esac
