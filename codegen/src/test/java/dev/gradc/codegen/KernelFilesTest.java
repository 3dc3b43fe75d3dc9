package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every IR program under {@code src/test/resources/kernels/} compiles, verifies, and computes what
 * the interpreter computes: the function itself and, when it has params and a scalar result, its
 * vjp. Inputs are drawn in [0.5, 2) (a domain where every op is smooth), integer inputs in [0, 3),
 * and symbolic dims are bound to 5.
 */
class KernelFilesTest {
  static final Path ROOT = Path.of("src/test/resources/kernels");

  @TestFactory
  Stream<DynamicTest> kernels() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(ROOT)) {
      files = s.filter(p -> p.toString().endsWith(".ir")).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : files) {
      Func f = Verifier.verify(Parser.parse(p.toString(), Files.readString(p)));
      String name = p.getFileName().toString();
      tests.add(DynamicTest.dynamicTest(name, () -> check(f)));
      tests.add(
          DynamicTest.dynamicTest(
              name + " in frame mode",
              () ->
                  CompilerTest.assertMatches(
                      f, Loaded.inFrameMode(f), inputs(f, 7), tolerance(f))));
      if (!f.gradParams().isEmpty() && f.results().size() == 1 && f.result(0).type().isScalar()) {
        tests.add(DynamicTest.dynamicTest(name + " vjp", () -> check(Autodiff.vjp(f))));
      }
    }
    return tests.stream();
  }

  static List<NdArray> inputs(Func f, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<NdArray> args = new ArrayList<>();
    for (Param p : f.params()) {
      List<Dim> dims = p.type().dims();
      int[] shape = new int[dims.size()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = dims.get(d).isStatic() ? dims.get(d).size() : dims.get(d).factor() * 5;
      }
      double[] data = new double[NdArray.numel(shape)];
      for (int i = 0; i < data.length; i++) {
        data[i] =
            p.type().dtype() == DType.I64 || p.type().dtype() == DType.BOOL
                ? rnd.nextInt(p.type().dtype() == DType.BOOL ? 2 : 3)
                : rnd.nextDouble(0.5, 2.0);
      }
      args.add(new NdArray(p.type().dtype(), shape, data));
    }
    return args;
  }

  static double tolerance(Func f) {
    boolean f32 = f.params().stream().anyMatch(p -> p.type().dtype() == DType.F32);
    return f32 ? 1e-5 : 1e-12;
  }

  static void check(Func f) {
    CompilerTest.assertMatches(f, inputs(f, 42), tolerance(f));
  }
}
