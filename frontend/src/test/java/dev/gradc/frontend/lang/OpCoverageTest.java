package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.frontend.fuzz.GeneratedOps;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.Parser;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.ad.FiniteDifferenceCoverage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op lands whole. javac lists the switches a new op must join (typing, interpreter, scalar
 * math, gradient rules, codegen, the finite-difference cases); this test names, per op, what
 * nothing else points at, and checks at run time what the switches only promise:
 *
 * <ul>
 *   <li>a {@code .grad} builtin with PyTorch's name and a Java API method (or an entry on {@link
 *       OpsTable#SURFACE}, the one exclusion list);
 *   <li>a golden vjp file (its gradient rule as reverse mode applies it);
 *   <li>a finite-difference case that contains the op (its interpreter case and its gradient rule,
 *       checked against central differences);
 *   <li>a codegen kernel file that contains it (its emitter, checked against the interpreter);
 *   <li>an entry in the {@code .grad} fuzz generator and a PyTorch fixture that exercises it;
 *   <li>its row in {@code docs/ops.md}, which is generated from the Op table.
 * </ul>
 *
 * It also checks that the op's facts agree with one another.
 */
class OpCoverageTest {
  /** Programs of the fuzz generator searched for each op (the build's fuzz run covers 2,000). */
  private static final int FUZZ_PROGRAMS = 400;

  private static final Path KERNEL_FILES = Path.of("../codegen/src/test/resources/kernels");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Set<Op> fixtureOps;
  private static Set<Op> fuzzOps;
  private static Set<Op> kernelFileOps;

  /** docs/ops.md is the table {@link OpsTable} generates; -Dgolden.update=true rewrites it. */
  @Test
  void opsDoc_isTheGeneratedTable() throws IOException {
    String expected = OpsTable.markdown();
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(OpsTable.DOC, expected, StandardCharsets.UTF_8);
    }
    assertEquals(
        expected,
        Files.readString(OpsTable.DOC, StandardCharsets.UTF_8),
        "docs/ops.md differs from the Op table; rewrite it with -Dgolden.update=true");
  }

  @TestFactory
  Stream<DynamicTest> everyOp_landsWhole() {
    return Arrays.stream(Op.values())
        .map(op -> DynamicTest.dynamicTest(op.name(), () -> checkWhole(op)));
  }

  @TestFactory
  Stream<DynamicTest> everyOp_factsAgree() {
    return Arrays.stream(Op.values())
        .map(op -> DynamicTest.dynamicTest(op.name(), () -> checkFacts(op)));
  }

  private static void checkWhole(Op op) {
    List<String> missing = new ArrayList<>();
    OpsTable.Surface s = OpsTable.surface(op);
    if (s.builtin() != null && Builtins.lookup(s.builtin()) == null) {
      missing.add("a .grad builtin '" + s.builtin() + "' (Builtins)");
    }
    if (s.javaMethod() != null && OpsTable.apiClass(s.javaMethod()) == null) {
      missing.add("a public method Tensor." + s.javaMethod() + " or F." + s.javaMethod());
    }
    Path golden = OpsTable.goldenVjp(op);
    if (!Files.isRegularFile(golden)) {
      missing.add("a golden vjp file " + golden.normalize() + " (GoldenTest, -Dgolden.update)");
    }
    if (!FiniteDifferenceCoverage.covers(op)) {
      missing.add("a finite-difference case containing it (FiniteDifferenceTest.cases)");
    }
    if (!kernelFileOps().contains(op)) {
      missing.add(
          "a codegen kernel file whose function or vjp contains it, compiled and checked against"
              + " the interpreter (codegen/src/test/resources/kernels, KernelFilesTest)");
    }
    if (!fuzzOps().contains(op)) {
      missing.add("an entry in the .grad fuzz generator (ProgramGenerator)");
    }
    if (!fixtureOps().contains(op)) {
      missing.add("a PyTorch fixture exercising it (tools/fixtures/generate.py)");
    }
    assertTrue(missing.isEmpty(), op + " lacks " + String.join("; ", missing));
  }

  private static void checkFacts(Op op) {
    assertTrue(
        (op.kind() == Op.Kind.REDUCTION) == (op.reduction() != null),
        op + ": a reduction, and only a reduction, has a Reduction");
    assertTrue(
        (op.kind() == Op.Kind.STRUCTURAL) == (op.structure() != null),
        op + ": a structural op, and only a structural op, has a Structure");
    assertTrue(
        (op.kind() == Op.Kind.NORMALIZE) == (op.normalization() != null),
        op + ": a normalization, and only a normalization, has a Normalization");
    assertTrue(
        op.gradFn() != null || !op.isDifferentiable(),
        op + ": records no grad_fn, so its gradient must be zero");
    assertTrue(!op.isComparison() || !op.isDifferentiable(), op + ": a comparison has no gradient");
    assertTrue(op.arity() >= 1 && op.arity() <= 3, op + ": arity " + op.arity());
    assertTrue(Op.byMnemonic(op.mnemonic()) == op, op + ": mnemonic " + op.mnemonic());
    assertTrue(
        !op.isView() || (op.kind() == Op.Kind.STRUCTURAL && op.arity() == 1),
        op + ": a view is a one-operand structural op");
  }

  private static synchronized Set<Op> fuzzOps() {
    if (fuzzOps == null) {
      fuzzOps = GeneratedOps.ofSeeds(1, FUZZ_PROGRAMS);
    }
    return fuzzOps;
  }

  /**
   * The ops of every codegen kernel file's function and, where KernelFilesTest compiles it, vjp.
   */
  private static synchronized Set<Op> kernelFileOps() {
    if (kernelFileOps == null) {
      Set<Op> seen = EnumSet.noneOf(Op.class);
      try (Stream<Path> files = Files.list(KERNEL_FILES)) {
        for (Path file : files.filter(p -> p.toString().endsWith(".ir")).toList()) {
          String text = Files.readString(file, StandardCharsets.UTF_8);
          int end = text.indexOf(";; ==== ");
          Func f = Parser.parse(file.toString(), end < 0 ? text : text.substring(0, end));
          boolean vjp =
              !f.gradParams().isEmpty() && f.results().size() == 1 && f.result(0).type().isScalar();
          for (Inst inst : (vjp ? Autodiff.vjp(f) : f).insts()) {
            seen.add(inst.op());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      kernelFileOps = seen;
    }
    return kernelFileOps;
  }

  /** The ops of every fixture program and its gradient. */
  private static synchronized Set<Op> fixtureOps() {
    if (fixtureOps == null) {
      Set<Op> seen = EnumSet.noneOf(Op.class);
      try {
        for (Path file : PyTorchFixtureTest.fixtures()) {
          JsonNode root = JSON.readTree(file.toFile());
          Func f = GradLanguage.parse("f.grad", root.get("program").asText()).func();
          Func g = f.gradParams().isEmpty() ? f : Autodiff.vjp(f);
          for (Inst inst : g.insts()) {
            seen.add(inst.op());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      fixtureOps = seen;
    }
    return fixtureOps;
  }
}
