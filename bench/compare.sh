#!/usr/bin/env bash
# Runs the benchmarks of issue 7 at 1 and at 2 threads -- gradc, its interpreter and hand-written
# Java (JMH), TensorFlow Java and DJL (JMH, profile -Ppeers), PyTorch (bench/pytorch_bench.py) --
# and writes BENCHMARKS.md at the repository root from that run alone.
#
#   bench/compare.sh           full sizes; builds everything, the peers included
#   bench/compare.sh --quick   small sizes, few iterations, no forks (but 2 for the cold compile):
#                              a smoke test of the whole chain in under a minute; uses the peers
#                              only if already built; writes bench/target/compare/BENCHMARKS.md,
#                              leaving the full run's report alone
#
# Whatever is not available (python3 with torch, the peers) is skipped with a note, in the
# output and in BENCHMARKS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

quick=false
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

threads_list=(1 2)
python=/usr/bin/python3
out="$root/bench/target/compare"
bench_jar="$root/bench/target/benchmarks.jar"
peers_cp_file="$root/bench/peers/target/classpath.txt"
rm -rf "$out"
mkdir -p "$out"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
notes="$out/notes.md"
: > "$notes"
note() {
  echo "compare.sh: $*" >&2
  echo "- $*" >> "$notes"
}

# ---------------------------------------------------------------- build
mvn_build() { mvn -B -ntp -q -Dstyle.color=never "$@" package -DskipTests; }
if $quick; then
  if [ ! -f "$bench_jar" ]; then
    echo "compare.sh: building the benchmarks jar" >&2
    mvn_build -pl bench -am
  fi
else
  echo "compare.sh: building the benchmarks and the JVM peers (-Ppeers)" >&2
  if ! mvn_build -Ppeers -pl bench,bench/peers -am; then
    note "the JVM peers did not build; building without them"
    rm -f "$peers_cp_file"
    mvn_build -pl bench -am
  fi
fi

peers=false
if [ -f "$peers_cp_file" ] && [ -d "$root/bench/peers/target/classes" ]; then
  peers=true
else
  note "TF Java and DJL skipped: the peers are not built (\`mvn -Ppeers -pl bench/peers -am package -DskipTests\`, or run without --quick)"
fi

torch=false
if [ -x "$python" ] && "$python" -c 'import torch' 2> /dev/null; then
  torch=true
else
  note "PyTorch skipped: $python cannot import torch (Debian: \`apt-get install python3-torch libopenblas0-pthread\`)"
fi

# ---------------------------------------------------------------- run
if $quick; then
  # In-process (no fork), a few short iterations: checks the chain, not the speed.
  jmh_opts=(-f 0 -wi 1 -i 1 -w 100ms -r 100ms -p size=small)
  cold_forks=2
  first_runs=2
  first_steps=10000
  # One JVM runs every library in turn: keep OpenMP pools from spinning between benchmarks.
  export OMP_WAIT_POLICY=PASSIVE
  torch_opts=(--size small --warmup 2 --repeats 5)
  note "quick mode: small sizes, one short iteration each, JMH without forks; these numbers are a smoke test, not a comparison"
else
  jmh_opts=()
  cold_forks=10
  first_runs=5
  first_steps=100000
  torch_opts=(--size full --warmup 5 --repeats 20)
fi

if $peers; then
  classpath="$root/bench/peers/target/classes:$(cat "$peers_cp_file")"
else
  classpath="$bench_jar"
fi

# jmh THREADS KIND JMH-ARGS...: one JMH run into $out/jmh-KINDTHREADS.json and .log.
jmh() {
  local t=$1 kind=$2
  shift 2
  OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" java "${jvm[@]}" -cp "$classpath" \
    org.openjdk.jmh.Main "$@" -rf json -rff "$out/jmh-$kind$t.json" > "$out/jmh-$kind$t.log" 2>&1 || {
    echo "compare.sh: JMH failed at $t thread(s); see $out/jmh-$kind$t.log" >&2
    tail -30 "$out/jmh-$kind$t.log" >&2
    exit 1
  }
  grep -E '^(Benchmark|[A-Za-z.]+Bench\.[A-Za-z]+ )' "$out/jmh-$kind$t.log" | grep -v 'gc\.\|result is saved' >&2 || true
}

# The PyTorch command runs without the machine-wide OpenBLAS pins (never the tests), with
# OpenBLAS's pool and OpenMP's limited to the thread count, and on the OpenBLAS kernel family
# that multiplies fastest here (OpenBLAS's own choice, or a family the CPU supports if that is
# faster: an OpenBLAS older than the CPU falls back to a generic kernel). blas_kernel.py
# measures the candidates and the report names the one used.
torch_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
if $torch; then
  echo "compare.sh: choosing PyTorch's OpenBLAS kernel (bench/blas_kernel.py)" >&2
  if "$python" "$root/bench/blas_kernel.py" > "$out/blas.json"; then
    best="$("$python" -c 'import json,sys; k=json.load(open(sys.argv[1])); print(k["best"] if k["best"] != k["auto"] else "")' "$out/blas.json")"
    if [ -n "$best" ]; then
      torch_env+=(OPENBLAS_CORETYPE="$best")
    fi
    cat "$out/blas.json" >&2
  else
    rm -f "$out/blas.json"
    note "bench/blas_kernel.py failed: PyTorch ran on OpenBLAS's own kernel choice"
  fi
fi

for t in "${threads_list[@]}"; do
  props=(-Dgradc.threads="$t" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$t"
    -Dai.djl.pytorch.num_interop_threads=1)
  echo "compare.sh: JMH at $t thread(s)" >&2
  vector=(--add-modules jdk.incubator.vector)
  if $quick; then
    jvm=("${props[@]}")
    fork_args=()
  else
    jvm=()
    fork_args=(-jvmArgsAppend "${props[*]} -Xms4g -Xmx4g")
  fi
  jmh "$t" "" "${jmh_opts[@]}" "${fork_args[@]}" -prof gc \
    -e 'CompileBench\.cold|PeakBench|GemmBench|PerSampleGradBench|FloorBench\.readLogisticXVector' 'dev\.gradc\.bench\.'
  # gradc again in JVMs with the vector module (issue 16: every workload with the module on and
  # off), and, on one thread, the single-thread peak, the matrix-product routines and logistic's
  # one-pass floor, whose vector forms need the module. A command-line -jvmArgsAppend replaces
  # the benchmarks' own, so the module is passed here.
  if $quick; then
    jvm=("${props[@]}" "${vector[@]}")
  else
    fork_args=(-jvmArgsAppend "${props[*]} ${vector[*]} -Xms4g -Xmx4g")
  fi
  echo "compare.sh: gradc with the vector module at $t thread(s)" >&2
  jmh "$t" vector- "${jmh_opts[@]}" "${fork_args[@]}" -prof gc 'dev\.gradc\.bench\.GradcBench\.'
  if [ "$t" = 1 ]; then
    echo "compare.sh: peak, matrix products and the logistic floor on one thread" >&2
    jmh "$t" kernels- "${jmh_opts[@]}" "${fork_args[@]}" 'dev\.gradc\.bench\.(PeakBench|GemmBench|FloorBench\.readLogisticXVector)'
  fi
  # A first compile is only cold in a fresh JVM: always forked, even in quick mode.
  echo "compare.sh: first compiles in $cold_forks fresh JVMs at $t thread(s)" >&2
  jmh "$t" cold- -f "$cold_forks" -jvmArgs "${props[*]}" 'dev\.gradc\.bench\.CompileBench\.cold'
  if $torch; then
    echo "compare.sh: PyTorch at $t thread(s)" >&2
    "${torch_env[@]}" OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" "$python" "$root/bench/pytorch_bench.py" \
      --threads "$t" "${torch_opts[@]}" --json "$out/pytorch-$t.json"
  fi
  # The first tiny_steps of a fresh process, warm-up included (issue 16): one line per process.
  echo "compare.sh: first $first_steps tiny_steps in $first_runs fresh processes at $t thread(s)" >&2
  for _ in $(seq "$first_runs"); do
    OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" java "${props[@]}" -cp "$bench_jar" \
      dev.gradc.bench.FirstSteps "$first_steps" >> "$out/first-steps-gradc-$t.txt"
    if $torch; then
      "${torch_env[@]}" OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" "$python" \
        "$root/bench/pytorch_first_steps.py" --threads "$t" --steps "$first_steps" \
        >> "$out/first-steps-pytorch-$t.txt"
    fi
  done
  sed 's/^/  gradc /' "$out/first-steps-gradc-$t.txt" >&2
  if $torch; then
    sed 's/^/  pytorch /' "$out/first-steps-pytorch-$t.txt" >&2
  fi
done

# ---------------------------------------------------------------- machine and versions
pom_prop() { grep -m1 -o "<$1>[^<]*" "$root/bench/peers/pom.xml" | sed 's/.*>//'; }
{
  echo "## Machine and versions"
  echo
  echo "- run: $(date -u '+%Y-%m-%d %H:%M UTC'), $($quick && echo 'quick mode' || echo 'full mode'), gradc $(git rev-parse --short HEAD 2> /dev/null || echo unknown)$(git diff --quiet HEAD 2> /dev/null || echo ' (with uncommitted changes)')"
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; memory $(free -g | awk '/^Mem:/ {print $2}') GiB; $(uname -sr)"
  echo "- load average (1, 5, 15 min) at the start: $load_before; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine disturbs the numbers)"
  echo "- Java: $(java -version 2>&1 | head -1); $(mvn -B -v 2> /dev/null | head -1 | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/ (.*//'); JMH 1.37"
  if $torch; then
    "$python" - "$out/pytorch-1.json" $([ -f "$out/blas.json" ] && echo "$out/blas.json") << 'PY'
import json, sys
meta = json.load(open(sys.argv[1]))["meta"]
print(f"- PyTorch {meta['torch']} (Debian python3-torch); BLAS mapped after a matmul: "
      + (", ".join(f"`{b}`" for b in meta["blas"]) or "none found"))
kernel = meta.get("openblas")
if kernel:
    print(f"- PyTorch's OpenBLAS kernel: {kernel['core']} (`{kernel['config']}`; "
          f"OPENBLAS_CORETYPE={kernel['coretype']}, OPENBLAS_L2_SIZE unset; in the 1-thread run "
          f"OpenBLAS's pool has {kernel['threads']} thread(s))")
if len(sys.argv) > 2:
    choice = json.load(open(sys.argv[2]))
    rates = ", ".join(f"{core} {rate} GFLOP/s" for core, rate in choice["gflops"].items())
    print(f"- OpenBLAS kernel chosen by `bench/blas_kernel.py`: f32 matmul 256x784 @ 784x256 on"
          f" one thread with each kernel family this CPU supports: {rates}; OpenBLAS's own"
          f" choice with the machine's pins unset is {choice['auto']}, the fastest"
          f" {choice['best']}")
PY
  else
    echo "- PyTorch: not available"
  fi
  echo "- TF Java $(pom_prop tensorflow.version) (tensorflow-core-api, tensorflow-core-native linux-x86_64); DJL $(pom_prop djl.version) with PyTorch $(pom_prop pytorch.version) (pytorch-native-cpu linux-x86_64), offline$($peers || echo '; not run')"
  if $quick; then
    echo "- JMH: no fork, 1 warm-up and 1 measured iteration of 100 ms, \`-prof gc\`; the cold compile one shot in each of $cold_forks forks; OMP_WAIT_POLICY=PASSIVE"
  else
    echo "- JMH: 1 fork (-Xmx4g), 3 warm-up and 5 measured iterations of 1 s (interpreter: 1 and 3; \`tiny_step\` and the warm compile: 8 and 5), \`-prof gc\`; the cold compile one shot in each of $cold_forks forks; PyTorch: 5 warm-up calls, median of 20 (\`tiny_step\`: of 20 runs of 1,000 steps); the first 100,000 \`tiny_step\`s in each of $first_runs fresh processes"
  fi
} > "$out/env.md"

# The Spark benchmark is run by hand (docs/spark.md); its committed section is carried along.
if [ -f "$root/bench/spark.md" ]; then
  cp "$root/bench/spark.md" "$out/spark.md"
fi

report="$root/BENCHMARKS.md"
if $quick; then
  report="$out/BENCHMARKS.md"
fi
java -cp "$bench_jar" dev.gradc.bench.Report "$out" "$report"
echo "compare.sh: wrote $report (raw results in $out)" >&2
