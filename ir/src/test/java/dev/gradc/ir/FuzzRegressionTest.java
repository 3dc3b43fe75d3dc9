package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.opt.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Programs under {@code src/test/resources/fuzz/}, each reduced from a failure the {@code .grad}
 * fuzzer found in this module. Each function and its vjp verify, optimize with the verifier after
 * every pass, and compute on the interpreter what they computed before optimization (symbols bound
 * to 3, inputs drawn from [0.5, 2)).
 */
class FuzzRegressionTest {
  static final Path ROOT = Path.of("src/test/resources/fuzz");

  @TestFactory
  Stream<DynamicTest> reducedPrograms() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(ROOT)) {
      files = s.filter(p -> p.toString().endsWith(".ir")).sorted().toList();
    }
    return files.stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  /** Reduced from seed 628683: {@code sum(x.eq(y)) - 1} with 0-dim x and y was a bool minus 1. */
  @Test
  void sumOfZeroDimBool_isInt64AsInPyTorch() {
    Builder b = new Builder("f");
    Value x = b.param("x", Type.scalar(DType.F64));
    Value y = b.input("y", Type.scalar(DType.F64));
    Value count = b.sum(b.binary(Op.EQ, x, y));
    assertEquals(Type.scalar(DType.I64), count.type());
    assertEquals(Type.scalar(DType.I64), b.sub(count, Builder.lit(1, DType.I64)).type());
  }

  private static void check(Path file) throws IOException {
    Func f =
        Verifier.verify(
            Parser.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
    for (Func g : List.of(f, Verifier.verify(Autodiff.vjp(f)))) {
      Func opt = Pipeline.run(g, (pass, out) -> Verifier.verify(out));
      List<NdArray> args = inputs(g);
      List<NdArray> want = Interpreter.run(g, args);
      List<NdArray> got = Interpreter.run(opt, args);
      for (int r = 0; r < want.size(); r++) {
        double[] w = want.get(r).toDoubleArray();
        double[] o = got.get(r).toDoubleArray();
        assertEquals(w.length, o.length, "result " + r + " of @" + g.name());
        for (int i = 0; i < w.length; i++) {
          assertEquals(w[i], o[i], 1e-12 * (1 + Math.abs(w[i])), "result " + r + "[" + i + "]");
        }
      }
    }
  }

  private static List<NdArray> inputs(Func f) {
    SplittableRandom rnd = new SplittableRandom(7);
    Map<String, Integer> symbols = new HashMap<>();
    List<NdArray> args = new ArrayList<>();
    for (Param p : f.params()) {
      for (Dim d : p.type().dims()) {
        if (d.symbol() != null) {
          symbols.put(d.symbol(), 3);
        }
      }
      int[] shape = p.type().shape(symbols);
      double[] data = new double[NdArray.numel(shape)];
      for (int i = 0; i < data.length; i++) {
        data[i] = p.type().dtype().isFloat() ? rnd.nextDouble(0.5, 2.0) : rnd.nextInt(3);
      }
      args.add(new NdArray(p.type().dtype(), shape, data));
    }
    return args;
  }
}
