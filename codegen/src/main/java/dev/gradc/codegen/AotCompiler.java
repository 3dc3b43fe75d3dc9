package dev.gradc.codegen;

import dev.gradc.codegen.lib.Aliasing;
import dev.gradc.codegen.lib.GemmCall;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Param;
import dev.gradc.ir.ad.Autodiff;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Ahead-of-time compilation of a scalar loss into named classes that depend on {@code java.base}
 * only: {@code NAME$Value} and {@code NAME$Grad} (the compiled forward and value-and-gradient), and
 * the public class {@code NAME} with typed static methods:
 *
 * <pre>
 * public static double value(double[] w, double[] b, double[] x, double[] y)
 * public static double valueAndGrad(double[] w, double[] b, double[] x, double[] y,
 *                                   double[] gradW, double[] gradB)
 * </pre>
 *
 * One flat array per param and input in declaration order ({@code double[]} for f64, {@code
 * float[]} for f32, {@code long[]} for i64; a scalar is an array of length 1), then, for {@code
 * valueAndGrad}, one output array per param. Symbolic dims are inferred from array lengths and
 * checked; a mismatch throws {@link IllegalArgumentException} naming the argument. The value is a
 * {@code double} for an f64 loss and a {@code float} for an f32 loss.
 */
public final class AotCompiler {
  private AotCompiler() {}

  /** Class files keyed by internal name: {@code NAME}, {@code NAME$Value}, {@code NAME$Grad}. */
  public static Map<String, byte[]> compile(Func loss, String binaryName) {
    if (loss.results().size() != 1 || !loss.result(0).type().isScalar()) {
      throw new GradcException("ahead-of-time compilation needs a function returning one scalar");
    }
    if (!loss.result(0).type().dtype().isFloat()) {
      throw new GradcException("the loss must be f32 or f64, not " + loss.result(0).type());
    }
    String name = binaryName.replace('.', '/');
    for (Param p : loss.params()) {
      if (p.type().dtype() == DType.BOOL) {
        throw new GradcException("bool parameters are not supported ahead of time: %" + p.name());
      }
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    Compiler.CompiledClass value = Compiler.compile(loss, name + "$Value");
    Compiler.CompiledClass grad = Compiler.compile(Autodiff.vjp(loss), name + "$Grad");
    out.put(name, api(loss, name));
    for (Compiler.CompiledClass c : List.of(value, grad)) {
      out.put(c.internalName(), c.bytes());
      if (c.vectorBytes() != null) {
        // The vector forms of its products, loaded only where jdk.incubator.vector is readable.
        out.put(GemmCall.gemmCompanion(c.internalName()), c.vectorBytes());
      }
    }
    return out;
  }

  private static byte[] api(Func f, String name) {
    ClassWriter cw = ClassEmitter.newClass(name, null);
    GeneratorAdapter ctor = Jvm.method(cw, Opcodes.ACC_PRIVATE, Method.getMethod("void <init>()"));
    ctor.loadThis();
    ctor.invokeConstructor(Jvm.OBJECT, Method.getMethod("void <init>()"));
    ctor.returnValue();
    ctor.endMethod();
    entry(cw, f, name, false);
    entry(cw, f, name, true);
    LibraryCopier lib = new LibraryCopier(name);
    lib.require(
        Aliasing.class, "separate", "([Ljava/lang/Object;[Ljava/lang/Object;Ljava/lang/String;)V");
    lib.emitInto(cw);
    cw.visitEnd();
    return cw.toByteArray();
  }

  private static void entry(ClassWriter cw, Func f, String name, boolean withGrad) {
    DType lossType = f.result(0).type().dtype();
    List<Type> params = new ArrayList<>();
    for (Param p : f.params()) {
      params.add(Jvm.arrayType(p.type().dtype()));
    }
    List<Param> grads = f.gradParams();
    if (withGrad) {
      for (Param p : grads) {
        params.add(Jvm.arrayType(p.type().dtype()));
      }
    }
    Type ret = lossType == DType.F32 ? Type.FLOAT_TYPE : Type.DOUBLE_TYPE;
    Method m = new Method(withGrad ? "valueAndGrad" : "value", ret, params.toArray(new Type[0]));
    GeneratorAdapter g = Jvm.method(cw, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, m);
    int np = f.params().size();
    Map<String, Integer> symbols = inferSymbols(g, f);
    for (int i = 0; i < np; i++) {
      checkLength(g, f.params().get(i), i, symbols, f.params().get(i).name());
    }
    if (withGrad) {
      for (int i = 0; i < grads.size(); i++) {
        Param p = grads.get(i);
        checkLength(g, p, np + i, symbols, gradLabel(p));
      }
    }
    // args
    int argsLocal = g.newLocal(Jvm.OBJECT_ARRAY);
    g.push(np);
    g.newArray(Jvm.OBJECT);
    for (int i = 0; i < np; i++) {
      g.dup();
      g.push(i);
      g.loadArg(i);
      g.arrayStore(Jvm.OBJECT);
    }
    g.storeLocal(argsLocal);
    // shapes
    int shapesLocal = g.newLocal(Type.getType(int[][].class));
    g.push(np);
    g.newArray(Jvm.INT_ARRAY);
    for (int i = 0; i < np; i++) {
      List<Dim> dims = f.params().get(i).type().dims();
      g.dup();
      g.push(i);
      g.push(dims.size());
      g.newArray(Type.INT_TYPE);
      for (int d = 0; d < dims.size(); d++) {
        g.dup();
        g.push(d);
        pushDim(g, dims.get(d), symbols);
        g.arrayStore(Type.INT_TYPE);
      }
      g.arrayStore(Jvm.INT_ARRAY);
    }
    g.storeLocal(shapesLocal);
    // outs: the gradient arrays go straight to the compiled code, which writes into them while it
    // reads the arguments; an argument that is also an output is copied first (Aliasing)
    g.loadLocal(argsLocal);
    g.loadLocal(shapesLocal);
    if (withGrad) {
      g.push(1 + grads.size());
      g.newArray(Jvm.OBJECT);
      for (int i = 0; i < grads.size(); i++) {
        g.dup();
        g.push(1 + i);
        g.loadArg(np + i);
        g.arrayStore(Jvm.OBJECT);
      }
      g.dup();
      g.loadLocal(argsLocal);
      g.swap();
      StringBuilder names = new StringBuilder("value");
      for (Param p : grads) {
        names.append('\n').append(gradLabel(p));
      }
      g.push(names.toString());
      g.invokeStatic(
          Type.getObjectType(name), Method.getMethod("void separate(Object[], Object[], String)"));
    } else {
      g.visitInsn(Opcodes.ACONST_NULL);
    }
    g.invokeStatic(
        Type.getObjectType(name + (withGrad ? "$Grad" : "$Value")), ClassEmitter.CALL_SEQUENTIAL);
    g.push(0);
    g.arrayLoad(Jvm.OBJECT);
    g.checkCast(Jvm.arrayType(lossType));
    g.push(0);
    g.arrayLoad(Jvm.elementType(lossType));
    g.returnValue();
    g.endMethod();
  }

  /**
   * Emits code that binds each symbol from the length of the first argument that determines it,
   * checking divisibility; returns the local holding each symbol.
   */
  private static Map<String, Integer> inferSymbols(GeneratorAdapter g, Func f) {
    Map<String, Integer> symbols = new HashMap<>();
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = 0; i < f.params().size(); i++) {
        Param p = f.params().get(i);
        long known = 1;
        List<String> knownSyms = new ArrayList<>();
        String unknown = null;
        int unknownCount = 0;
        for (Dim d : p.type().dims()) {
          known *= d.factor();
          if (d.symbol() == null) {
            continue;
          }
          if (symbols.containsKey(d.symbol())) {
            knownSyms.add(d.symbol());
          } else if (!d.symbol().equals(unknown)) {
            unknown = d.symbol();
            unknownCount++;
          } else {
            unknownCount = 2; // the same symbol twice: N*N is not solved by division
          }
        }
        if (unknownCount != 1) {
          continue;
        }
        // unknown = length / (known * product of known symbols), which must divide exactly
        int divisor = g.newLocal(Type.INT_TYPE);
        g.push((int) known);
        for (String s : knownSyms) {
          g.loadLocal(symbols.get(s));
          g.visitInsn(Opcodes.IMUL);
        }
        g.storeLocal(divisor);
        Label ok = new Label();
        Label bad = new Label();
        g.loadLocal(divisor);
        g.ifZCmp(GeneratorAdapter.EQ, bad);
        g.loadArg(i);
        g.arrayLength();
        g.loadLocal(divisor);
        g.visitInsn(Opcodes.IREM);
        g.ifZCmp(GeneratorAdapter.EQ, ok);
        g.mark(bad);
        throwIllegalArgument(
            g,
            p.name()
                + ": length is not a multiple of the static part of its shape "
                + p.type().shapeString());
        g.mark(ok);
        g.loadArg(i);
        g.arrayLength();
        g.loadLocal(divisor);
        g.visitInsn(Opcodes.IDIV);
        int local = g.newLocal(Type.INT_TYPE);
        g.storeLocal(local);
        symbols.put(unknown, local);
        progress = true;
      }
    }
    for (Param p : f.params()) {
      for (Dim d : p.type().dims()) {
        if (d.symbol() != null && !symbols.containsKey(d.symbol())) {
          throw new GradcException(
              "cannot infer the symbolic dim " + d.symbol() + " from array lengths alone");
        }
      }
    }
    return symbols;
  }

  /** The declared name of {@code p}'s gradient argument: {@code gradW} for {@code w}. */
  private static String gradLabel(Param p) {
    return "grad" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
  }

  private static void pushDim(GeneratorAdapter g, Dim d, Map<String, Integer> symbols) {
    if (d.isStatic()) {
      g.push(d.size());
      return;
    }
    g.loadLocal(symbols.get(d.symbol()));
    if (d.factor() != 1) {
      g.push(d.factor());
      g.visitInsn(Opcodes.IMUL);
    }
  }

  /** Throws when argument {@code arg}'s length differs from the product of {@code p}'s dims. */
  private static void checkLength(
      GeneratorAdapter g, Param p, int arg, Map<String, Integer> symbols, String label) {
    Label ok = new Label();
    int want = g.newLocal(Type.INT_TYPE);
    g.push(1);
    for (Dim d : p.type().dims()) {
      pushDim(g, d, symbols);
      g.visitInsn(Opcodes.IMUL);
    }
    g.storeLocal(want);
    g.loadArg(arg);
    g.arrayLength();
    g.loadLocal(want);
    g.ifICmp(GeneratorAdapter.EQ, ok);
    // label + ": expected length " + want + " for shape " + shape + ", got " + actual
    Type sb = Type.getType(StringBuilder.class);
    g.newInstance(Type.getType(IllegalArgumentException.class));
    g.dup();
    g.newInstance(sb);
    g.dup();
    g.push(label + ": expected length ");
    g.invokeConstructor(sb, Method.getMethod("void <init>(String)"));
    g.loadLocal(want);
    g.invokeVirtual(sb, Method.getMethod("StringBuilder append(int)"));
    g.push(" for shape " + p.type().shapeString() + ", got ");
    g.invokeVirtual(sb, Method.getMethod("StringBuilder append(String)"));
    g.loadArg(arg);
    g.arrayLength();
    g.invokeVirtual(sb, Method.getMethod("StringBuilder append(int)"));
    g.invokeVirtual(sb, Method.getMethod("String toString()"));
    g.invokeConstructor(
        Type.getType(IllegalArgumentException.class), Method.getMethod("void <init>(String)"));
    g.throwException();
    g.mark(ok);
  }

  private static void throwIllegalArgument(GeneratorAdapter g, String message) {
    g.throwException(Type.getType(IllegalArgumentException.class), message);
  }
}
