package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.F;
import dev.gradc.Tensor;
import dev.gradc.frontend.fuzz.GeneratedOps;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.ad.FiniteDifferenceCoverage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op lands whole. javac lists the switches a new op must join (typing, interpreter, scalar
 * math, gradient rules, codegen, the finite-difference cases); this test names, per op, what
 * nothing else points at: a {@code .grad} builtin with PyTorch's name, a Java API method, a golden
 * vjp file, a finite-difference case that contains the op, an entry in the {@code .grad} fuzz
 * generator and a PyTorch fixture that exercises it. It also checks that the op's facts agree with
 * one another.
 */
class OpCoverageTest {
  /** Programs of the fuzz generator searched for each op (the build's fuzz run covers 2,000). */
  private static final int FUZZ_PROGRAMS = 400;

  private static final Path GOLDEN_VJP = Path.of("../ir/src/test/resources/golden/vjp");

  /** How users write an op whose name is not its mnemonic (null: not at all, see the comment). */
  private record Surface(String builtin, String javaMethod) {}

  /**
   * The one exclusion list: ops users write under another name, or not at all. Every other op has a
   * builtin named as its mnemonic and a public method of {@link Tensor} or {@link F} named as its
   * mnemonic in camel case.
   */
  private static final Map<Op, Surface> SURFACE =
      Map.of(
          // PyTorch's x.float(), x.double(), x.long() and x.to(dtype)
          Op.CAST, new Surface("float", "to"),
          // inserted by shape inference wherever operands broadcast; users write expand
          Op.BROADCAST, new Surface(null, null),
          // the adjoint of broadcast, made by reverse mode; PyTorch's Tensor.sum_to_size
          Op.SUM_TO, new Surface("sum_to_size", null),
          // the element count mean's gradient divides by; PyTorch's numel() is a Python int
          Op.NUMEL, new Surface(null, null));

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Set<Op> fixtureOps;
  private static Set<Op> fuzzOps;

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
    Surface s = SURFACE.getOrDefault(op, new Surface(op.mnemonic(), camelCase(op.mnemonic())));
    if (s.builtin() != null && Builtins.lookup(s.builtin()) == null) {
      missing.add("a .grad builtin '" + s.builtin() + "' (Builtins)");
    }
    if (s.javaMethod() != null && !hasApiMethod(s.javaMethod())) {
      missing.add("a public method Tensor." + s.javaMethod() + " or F." + s.javaMethod());
    }
    Path golden = GOLDEN_VJP.resolve("op_" + op.mnemonic() + ".ir");
    if (!Files.isRegularFile(golden)) {
      missing.add("a golden vjp file " + golden.normalize() + " (GoldenTest, -Dgolden.update)");
    }
    if (!FiniteDifferenceCoverage.covers(op)) {
      missing.add("a finite-difference case containing it (FiniteDifferenceTest.cases)");
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
        op.gradFn() != null || !op.isDifferentiable(),
        op + ": records no grad_fn, so its gradient must be zero");
    assertTrue(!op.isComparison() || !op.isDifferentiable(), op + ": a comparison has no gradient");
    assertTrue(op.arity() >= 1 && op.arity() <= 3, op + ": arity " + op.arity());
    assertTrue(Op.byMnemonic(op.mnemonic()) == op, op + ": mnemonic " + op.mnemonic());
    assertTrue(
        !op.isView() || (op.kind() == Op.Kind.STRUCTURAL && op.arity() == 1),
        op + ": a view is a one-operand structural op");
  }

  private static boolean hasApiMethod(String name) {
    for (Class<?> c : List.of(Tensor.class, F.class)) {
      for (Method m : c.getMethods()) {
        if (m.getName().equals(name)
            && Modifier.isPublic(m.getModifiers())
            && m.getReturnType() == Tensor.class) {
          return true;
        }
      }
    }
    return false;
  }

  private static String camelCase(String mnemonic) {
    StringBuilder s = new StringBuilder();
    boolean upper = false;
    for (int i = 0; i < mnemonic.length(); i++) {
      char c = mnemonic.charAt(i);
      if (c == '_') {
        upper = true;
      } else {
        s.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return s.toString();
  }

  private static synchronized Set<Op> fuzzOps() {
    if (fuzzOps == null) {
      fuzzOps = GeneratedOps.ofSeeds(1, FUZZ_PROGRAMS);
    }
    return fuzzOps;
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
