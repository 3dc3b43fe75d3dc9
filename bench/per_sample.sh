#!/usr/bin/env bash
# Per-sample gradients of an MLP over a batch of 256 (issue 19), in one run: gradc's
# vmap(grad(loss)) rewritten in the IR and compiled (JMH, PerSampleGradBench) against PyTorch's
# functorch.vmap(functorch.grad(loss)) (bench/pytorch_per_sample.py), on the same number of
# threads (THREADS, default 1). Prints both times and the ratio. Not part of CI.
#
#   bench/per_sample.sh                 the MLP 32 -> 64 -> 10 in f32, batch 256
#   SIZES=16x32x4 bench/per_sample.sh   another MLP (in x hidden x classes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
threads="${THREADS:-1}"
sizes="${SIZES:-32x64x10}"
batch=256
out="$root/bench/target/per_sample"
mkdir -p "$out"
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -ntp -q -Dstyle.color=never package -DskipTests -pl bench -am
fi
for activation in relu tanh; do
  java -jar "$jar" 'dev\.gradc\.bench\.PerSampleGradBench\.' -p batch="$batch" -p sizes="$sizes" \
    -p activation="$activation" -jvmArgsAppend "-Dgradc.threads=$threads" -rf json \
    -rff "$out/jmh-$activation.json" > "$out/jmh-$activation.txt"
  # PyTorch on the same threads, OpenBLAS's machine-wide kernel pins removed (as compare.sh does)
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" \
    OMP_NUM_THREADS="$threads" /usr/bin/python3 bench/pytorch_per_sample.py --batch "$batch" \
    --sizes "$sizes" --threads "$threads" --activation "$activation" > "$out/torch-$activation.json"
  /usr/bin/python3 - "$out/jmh-$activation.json" "$out/torch-$activation.json" <<'PY'
import json, sys
jmh = json.load(open(sys.argv[1]))[0]["primaryMetric"]
torch = json.loads(open(sys.argv[2]).read())
g = jmh["score"]
t = torch["median_ms"]
print(f"per-sample gradients, MLP {torch['sizes']} ({torch['activation']}) f32, "
      f"batch {torch['batch']}, {torch['threads']} thread(s)")
print(f"  gradc vmap(grad(f)), compiled:   {g:8.3f} ms  (JMH mean, +- {jmh['scoreError']:.3f})")
print(f"  functorch.vmap(grad(f)), {torch['torch']}: {t:8.3f} ms  (median)")
print(f"  functorch / gradc: {t / g:.2f}")
PY
done
