package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Functions far larger than one JVM method compile by splitting, and still match the interpreter.
 */
class LargeFunctionTest {
  /** A seeded function of {@code n} instructions mixing elementwise ops, reductions and scalars. */
  static Func wide(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Builder b = new Builder("wide");
    Value x = b.param("x", Type.of(DType.F64, 64));
    Value y = b.param("y", Type.of(DType.F64, 64));
    Value s = b.param("s", Type.scalar(DType.F64));
    List<Value> pool = new ArrayList<>(List.of(x, y));
    List<Value> scalars = new ArrayList<>(List.of(s));
    Op[] unary = {Op.SIN, Op.TANH, Op.SIGMOID, Op.NEG, Op.SQUARE};
    Op[] binary = {Op.ADD, Op.SUB, Op.MUL, Op.MAXIMUM};
    while (b.size() < n) {
      Value a = pool.get(pool.size() - 1 - rnd.nextInt(Math.min(pool.size(), 8)));
      int kind = rnd.nextInt(10);
      if (kind < 4) {
        pool.add(b.unary(unary[rnd.nextInt(unary.length)], a));
      } else if (kind < 8) {
        Value c = pool.get(rnd.nextInt(pool.size()));
        pool.add(b.binary(binary[rnd.nextInt(binary.length)], a, c));
      } else if (kind < 9) {
        scalars.add(b.mul(b.sum(a), Builder.lit(1e-3, DType.F64)));
      } else {
        Value sc = scalars.get(rnd.nextInt(scalars.size()));
        pool.add(b.mul(a, b.unary(Op.TANH, sc)));
      }
    }
    Value out = b.sum(pool.get(pool.size() - 1));
    for (Value sc : scalars) {
      out = b.add(out, sc);
    }
    b.ret(out);
    return b.build();
  }

  @Test
  void kernelWithTooManyArgumentsForASignature_takesThemPacked() {
    Builder b = new Builder("wide_args");
    List<Value> xs = new ArrayList<>();
    List<Value> ss = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      xs.add(b.param("x" + i, Type.of(DType.F64, 16)));
    }
    for (int i = 0; i < 90; i++) {
      ss.add(b.param("s" + i, Type.scalar(DType.F64)));
    }
    Value acc = b.mul(xs.get(0), ss.get(0));
    for (int i = 1; i < 90; i++) {
      acc = b.add(acc, b.mul(xs.get(i), ss.get(i)));
    }
    b.ret(b.sum(b.unary(Op.TANH, acc)));
    Func f = dev.gradc.ir.ad.Autodiff.vjp(b.build());
    SplittableRandom rnd = new SplittableRandom(13);
    List<NdArray> args = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      args.add(CompilerTest.random(rnd, DType.F64, 16));
    }
    for (int i = 0; i < 90; i++) {
      args.add(NdArray.scalar(DType.F64, rnd.nextDouble(-1, 1)));
    }
    Loaded k = Loaded.of(f);
    assertTrue(
        k.compiled.plan().kernels.stream().anyMatch(Kernel::packed), k.compiled.plan().text());
    CompilerTest.assertMatches(f, k, args, 1e-12);
  }

  @Test
  void twentyThousandInstructions_compileAndMatchTheInterpreter() {
    Func f = wide(20_000, 11);
    Loaded k = Loaded.of(f);
    int largest = 0;
    ClassNode node = new ClassNode();
    new ClassReader(k.compiled.bytes()).accept(node, 0);
    for (MethodNode m : node.methods) {
      int size = m.instructions.size();
      largest = Math.max(largest, size);
    }
    // Instructions, not bytes, but a method of this many instructions is far below the limits.
    assertTrue(largest < 4000, "largest method has " + largest + " instructions");
    SplittableRandom rnd = new SplittableRandom(12);
    List<NdArray> args =
        List.of(
            CompilerTest.random(rnd, DType.F64, 64),
            CompilerTest.random(rnd, DType.F64, 64),
            NdArray.scalar(DType.F64, 0.3));
    CompilerTest.assertMatches(f, k, args, 1e-10);
  }

  @Test
  void tanhChain_storedValuesOverSeveralFramePages_matchTheInterpreter() {
    // The adjoint reads every forward value: 5,000 stored buffers, two pages of the frame.
    Builder b = new Builder("tanh_chain");
    Value a = b.param("w", Type.of(DType.F64, 3));
    for (int i = 0; i < 5_000; i++) {
      a = b.unary(Op.TANH, a);
    }
    b.ret(b.sum(a));
    Func f = dev.gradc.ir.ad.Autodiff.vjp(b.build());
    List<NdArray> args = List.of(new NdArray(DType.F64, new int[] {3}, new double[] {0.5, -1, 2}));
    CompilerTest.assertMatches(f, args, 1e-12);
  }

  @Test
  void sevenHundredParams_bindingAndResultsSplitIntoSegments_matchTheInterpreter() {
    Builder b = new Builder("many_params");
    List<Value> ps = new ArrayList<>();
    List<NdArray> args = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      ps.add(b.param("p" + i, Type.of(DType.F64, 2)));
      args.add(new NdArray(DType.F64, new int[] {2}, new double[] {0.01 * i, -0.5 + 1e-3 * i}));
    }
    Value acc = ps.get(0);
    for (int i = 1; i < 700; i++) {
      acc = b.add(acc, b.mul(ps.get(i), Builder.lit(1 + i * 1e-3, DType.F64)));
    }
    b.ret(b.sum(b.unary(Op.TANH, acc)));
    Func f = dev.gradc.ir.ad.Autodiff.vjp(b.build());
    CompilerTest.assertMatches(f, args, 1e-12);
  }
}
