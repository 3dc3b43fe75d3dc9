package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * Every IR program under {@code src/test/resources/kernels/} compiles, verifies, and computes what
 * the interpreter computes: the function itself and, when it has params and a scalar result, its
 * vjp, and when it has params its jvp. Inputs are drawn in [0.5, 2) (a domain where every op is
 * smooth), integer inputs in [0, 3), and symbolic dims are bound to 5.
 *
 * <p>Each file is also a golden test: after the function come sections {@code ;; ==== plan} (the
 * plan text, always), {@code ;; ==== vjp plan} (the vjp's plan, when the vjp is compiled) and,
 * where the file has one, {@code ;; ==== bytecode} (the function's class as ASM's Textifier prints
 * it). Run with {@code -Dgolden.update=true} to rewrite the expected sections, then review the
 * diff.
 */
class KernelFilesTest {
  static final Path ROOT = Path.of("src/test/resources/kernels");
  static final boolean UPDATE = Boolean.getBoolean("golden.update");
  static final String SEPARATOR = ";; ==== ";

  @TestFactory
  Stream<DynamicTest> kernels() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(ROOT)) {
      files = s.filter(p -> p.toString().endsWith(".ir")).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : files) {
      Map<String, String> sections = sections(Files.readString(p, StandardCharsets.UTF_8));
      Func f = Verifier.verify(Parser.parse(p.toString(), sections.get("")));
      String name = p.getFileName().toString();
      tests.add(DynamicTest.dynamicTest(name, () -> check(f)));
      tests.add(
          DynamicTest.dynamicTest(
              name + " in frame mode",
              () ->
                  CompilerTest.assertMatches(
                      f, Loaded.inFrameMode(f), inputs(f, 7), tolerance(f))));
      if (hasVjp(f)) {
        tests.add(DynamicTest.dynamicTest(name + " vjp", () -> check(Autodiff.vjp(f))));
      }
      if (!f.gradParams().isEmpty()) {
        tests.add(DynamicTest.dynamicTest(name + " jvp", () -> check(Autodiff.jvp(f))));
      }
      tests.add(DynamicTest.dynamicTest(name + " golden", () -> golden(p, f, sections)));
    }
    return tests.stream();
  }

  static boolean hasVjp(Func f) {
    return !f.gradParams().isEmpty() && f.results().size() == 1 && f.result(0).type().isScalar();
  }

  /** The file's sections by name; the function itself is the section named "". */
  static Map<String, String> sections(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    String name = "";
    int from = 0;
    while (true) {
      int at = text.indexOf(SEPARATOR, from);
      out.put(name, text.substring(from, at < 0 ? text.length() : at));
      if (at < 0) {
        return out;
      }
      int eol = text.indexOf('\n', at);
      name = text.substring(at + SEPARATOR.length(), eol);
      from = eol + 1;
    }
  }

  /** What the compiler makes of {@code f} now, section by section. */
  static Map<String, String> actualSections(Func f, Map<String, String> expected) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("plan", Compiler.plan(f).text());
    if (hasVjp(f)) {
      out.put("vjp plan", Compiler.plan(Autodiff.vjp(f)).text());
    }
    if (expected.containsKey("bytecode")) {
      out.put("bytecode", bytecode(Compiler.compile(f, "dev/gradc/codegen/Generated").bytes()));
    }
    return out;
  }

  static void golden(Path file, Func f, Map<String, String> expected) throws IOException {
    Map<String, String> actual = actualSections(f, expected);
    if (UPDATE) {
      String input = expected.get("");
      StringBuilder s = new StringBuilder(input.endsWith("\n") ? input : input + "\n");
      actual.forEach((k, v) -> s.append(SEPARATOR).append(k).append('\n').append(v));
      Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
      return;
    }
    for (Map.Entry<String, String> e : actual.entrySet()) {
      assertEquals(
          expected.get(e.getKey()),
          e.getValue(),
          "section " + e.getKey() + " of " + file + " (rerun with -Dgolden.update=true)");
    }
    assertEquals(
        expected.keySet().size() - 1,
        actual.size(),
        "sections of " + file + ": " + expected.keySet());
  }

  /** A class file as ASM's Textifier prints it. */
  static String bytecode(byte[] classFile) {
    StringWriter s = new StringWriter();
    new ClassReader(classFile)
        .accept(new TraceClassVisitor(null, new Textifier(), new PrintWriter(s)), 0);
    return s.toString();
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
