package dev.gradc.codegen;

import dev.gradc.codegen.lib.Aliasing;
import dev.gradc.codegen.lib.GemmCall;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Ahead-of-time compilation of a function into named classes that depend on {@code java.base} only:
 * the public class {@code NAME} with typed static methods, and the compiled kernels they call
 * ({@code NAME$Value}, {@code NAME$Grad}, {@code NAME$Vjp}). For a scalar loss:
 *
 * <pre>
 * public static double value(double[] w, double[] b, double[] x, double[] y)
 * public static double valueAndGrad(double[] w, double[] b, double[] x, double[] y,
 *                                   double[] gradW, double[] gradB)
 * </pre>
 *
 * For a function with a non-scalar result or several results (a model's predictions), {@code value}
 * writes each result into an output array (with one result, an overload also returns a new array),
 * and, when it has params, {@code vjp} takes one cotangent per result and writes the params'
 * gradients:
 *
 * <pre>
 * public static double[] value(double[] w, double[] x)
 * public static void value(double[] w, double[] x, double[] logits)
 * public static void vjp(double[] w, double[] x, double[] gradLogits, double[] gradW)
 * </pre>
 *
 * One flat array per param and input in declaration order ({@code double[]} for f64, {@code
 * float[]} for f32, {@code long[]} for i64; a scalar is an array of length 1), then the cotangents,
 * then the output arrays. Symbolic dims are inferred from the lengths of the params' and inputs'
 * arrays; a null array or one of the wrong length throws {@link IllegalArgumentException} naming
 * the argument. A scalar result is returned as its element type: {@code double} for f64, {@code
 * float} for f32, {@code long} for i64, {@code boolean} for bool.
 *
 * <p>An entry point with more arrays than a method has argument slots (over {@value
 * #MAX_TYPED_ARGUMENTS}) takes the same arrays in one {@code Object[]} per kind instead, in the
 * same order: {@code valueAndGrad(Object[] args, Object[] grads)}, {@code value(Object[] args)},
 * {@code value(Object[] args, Object[] outputs)}, {@code vjp(Object[] args, Object[] cotangents,
 * Object[] grads)}. An element that is null or not an array of its dtype throws {@link
 * IllegalArgumentException} naming it.
 */
public final class AotCompiler {
  private AotCompiler() {}

  /** What an argument of an entry point is. */
  private enum Role {
    /** A param or input of the function, in declaration order. */
    ARGUMENT,
    /** The cotangent of a result: an input of the vjp kernel after the arguments. */
    COTANGENT,
    /** An array the kernel's result {@code slot} is written into. */
    OUTPUT
  }

  /** One array argument of an entry point. */
  private record Arg(String label, dev.gradc.ir.Type type, Role role, int slot) {}

  /** How an entry point returns: the scalar result 0, result 0's array, or nothing. */
  private enum Returns {
    SCALAR,
    ARRAY,
    VOID
  }

  /** One public static method of the API class and the kernel class it calls. */
  private record Entry(String method, String kernel, List<Arg> args, Returns returns, DType dtype) {
    String signature() {
      List<String> params = new ArrayList<>();
      if (packed()) {
        for (Role r : roles()) {
          params.add("Object[] " + groupName(r));
        }
      } else {
        for (Arg a : args) {
          params.add(a.type().dtype().javaArrayType() + " " + a.label());
        }
      }
      String ret =
          switch (returns) {
            case SCALAR -> Jvm.elementType(dtype).getClassName();
            case ARRAY -> dtype.javaArrayType();
            case VOID -> "void";
          };
      return "public static " + ret + " " + method + "(" + String.join(", ", params) + ")";
    }

    /** True when the arrays travel in one {@code Object[]} per role (see the class comment). */
    boolean packed() {
      return args.size() > MAX_TYPED_ARGUMENTS;
    }

    /** The roles of the arguments, in order of first appearance: a packed entry's parameters. */
    List<Role> roles() {
      List<Role> roles = new ArrayList<>();
      for (Arg a : args) {
        if (!roles.contains(a.role())) {
          roles.add(a.role());
        }
      }
      return roles;
    }

    /** A packed entry's parameter holding the arrays of role {@code r}. */
    String groupName(Role r) {
      return switch (r) {
        case ARGUMENT -> "args";
        case COTANGENT -> "cotangents";
        case OUTPUT -> method.equals("value") ? "outputs" : "grads";
      };
    }

    /**
     * Pushes array {@code i}: argument {@code i}, or, packed, its element of its role's {@code
     * Object[]} (cast to its array type; {@link #checkArrays} checked it).
     */
    void load(GeneratorAdapter g, int i) {
      if (!packed()) {
        g.loadArg(i);
        return;
      }
      loadElement(g, i);
      g.checkCast(Jvm.arrayType(args.get(i).type().dtype()));
    }

    private void loadElement(GeneratorAdapter g, int i) {
      Arg a = args.get(i);
      int position = 0;
      for (int k = 0; k < i; k++) {
        if (args.get(k).role() == a.role()) {
          position++;
        }
      }
      g.loadArg(roles().indexOf(a.role()));
      g.push(position);
      g.arrayLoad(Jvm.OBJECT);
    }

    /**
     * Throws {@link IllegalArgumentException} naming the first array that is null (or, packed, not
     * an array of its dtype, or whose {@code Object[]} is null or of the wrong length).
     */
    void checkArrays(GeneratorAdapter g) {
      if (packed()) {
        for (Role r : roles()) {
          int n = (int) args.stream().filter(a -> a.role() == r).count();
          Label ok = new Label();
          Label bad = new Label();
          g.loadArg(roles().indexOf(r));
          g.ifNull(bad);
          g.loadArg(roles().indexOf(r));
          g.arrayLength();
          g.push(n);
          g.ifICmp(GeneratorAdapter.EQ, ok);
          g.mark(bad);
          throwIllegalArgument(
              g, groupName(r) + ": expected an Object[] of " + n + " arrays in declaration order");
          g.mark(ok);
        }
      }
      for (int i = 0; i < args.size(); i++) {
        Label ok = new Label();
        if (packed()) {
          loadElement(g, i);
          g.instanceOf(Jvm.arrayType(args.get(i).type().dtype()));
          g.ifZCmp(GeneratorAdapter.NE, ok);
          throwIllegalArgument(
              g,
              args.get(i).label()
                  + ": null or not a "
                  + args.get(i).type().dtype().javaArrayType()
                  + " (element "
                  + i
                  + " of the arrays)");
        } else {
          g.loadArg(i);
          g.ifNonNull(ok);
          throwIllegalArgument(g, args.get(i).label() + ": null instead of an array");
        }
        g.mark(ok);
      }
    }
  }

  /**
   * Most array arguments of a typed entry method: a static method has 255 argument slots. An entry
   * with more takes {@code Object[]}s instead (see the class comment).
   */
  public static final int MAX_TYPED_ARGUMENTS = 254;

  /** Class files keyed by internal name, with outputs named by position. */
  public static Map<String, byte[]> compile(Func f, String binaryName) {
    return compile(f, binaryName, List.of());
  }

  /**
   * Class files keyed by internal name: {@code NAME}, {@code NAME$Value}, and {@code NAME$Grad} (a
   * scalar loss) or {@code NAME$Vjp} (other functions with params). {@code outputNames} may name
   * the results (null or missing entries, or names that would clash with another argument, fall
   * back to {@code output}, {@code output0}, ...).
   */
  public static Map<String, byte[]> compile(Func f, String binaryName, List<String> outputNames) {
    String name = binaryName.replace('.', '/');
    for (Param p : f.params()) {
      if (p.type().dtype() == DType.BOOL) {
        throw new GradcException("bool parameters are not supported ahead of time: %" + p.name());
      }
    }
    List<Entry> entries = entries(f, outputNames);
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(name, api(f, name, entries));
    List<Compiler.CompiledClass> kernels = new ArrayList<>();
    kernels.add(Compiler.compile(f, name + "$Value"));
    boolean loss = isLoss(f);
    if (differentiable(f) && (loss || !f.gradParams().isEmpty())) {
      kernels.add(Compiler.compile(Autodiff.vjp(f, !loss), name + (loss ? "$Grad" : "$Vjp")));
    }
    for (Compiler.CompiledClass c : kernels) {
      out.put(c.internalName(), c.bytes());
      if (c.vectorBytes() != null) {
        // The vector forms of its products, loaded only where jdk.incubator.vector is readable.
        out.put(GemmCall.gemmCompanion(c.internalName()), c.vectorBytes());
      }
    }
    return out;
  }

  /**
   * The simple class name a program file gives: its name without the extension, in upper camel case
   * ({@code mse_loss.grad} gives {@code MseLoss}), or null when that is not a Java name.
   */
  public static String simpleClassName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    String base = dot > 0 ? fileName.substring(0, dot) : fileName;
    StringBuilder b = new StringBuilder();
    boolean upper = true;
    for (int i = 0; i < base.length(); i++) {
      char c = base.charAt(i);
      if (c == '_' || c == '-' || c == '.' || c == ' ') {
        upper = true;
      } else if (Character.isJavaIdentifierPart(c)) {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    String name = b.toString();
    return name.isEmpty() || !SourceVersion.isName(name) ? null : name;
  }

  /** The Java signatures of the entry points {@link #compile} writes, in order. */
  public static List<String> signatures(Func f, List<String> outputNames) {
    List<String> out = new ArrayList<>();
    for (Entry e : entries(f, outputNames)) {
      out.add(e.signature());
    }
    return out;
  }

  /** One scalar result: {@code value} returns it and {@code valueAndGrad} seeds it with 1. */
  private static boolean isLoss(Func f) {
    return f.results().size() == 1 && f.result(0).type().isScalar();
  }

  /**
   * Whether the results are floating point, so that {@code valueAndGrad} and {@code vjp} exist; an
   * integer or bool result has {@code value} only (PyTorch has no gradient of integers).
   */
  private static boolean differentiable(Func f) {
    for (Value r : f.results()) {
      if (!r.type().dtype().isFloat()) {
        return false;
      }
    }
    return true;
  }

  private static List<Entry> entries(Func f, List<String> outputNames) {
    List<Arg> arguments = new ArrayList<>();
    for (Param p : f.params()) {
      arguments.add(new Arg(p.name(), p.type(), Role.ARGUMENT, -1));
    }
    List<Param> grads = f.gradParams();
    List<String> outputs = resultLabels(f, outputNames);
    int m = f.results().size();
    DType dtype = f.result(0).type().dtype();
    List<Entry> entries = new ArrayList<>();
    if (isLoss(f)) {
      entries.add(new Entry("value", "$Value", arguments, Returns.SCALAR, dtype));
      if (!differentiable(f)) {
        return entries;
      }
      List<Arg> args = new ArrayList<>(arguments);
      for (int i = 0; i < grads.size(); i++) {
        Param p = grads.get(i);
        args.add(new Arg(gradLabel(p.name()), p.type(), Role.OUTPUT, 1 + i));
      }
      entries.add(new Entry("valueAndGrad", "$Grad", args, Returns.SCALAR, dtype));
      return entries;
    }
    if (m == 1) {
      entries.add(new Entry("value", "$Value", arguments, Returns.ARRAY, dtype));
    }
    List<Arg> args = new ArrayList<>(arguments);
    for (int k = 0; k < m; k++) {
      args.add(new Arg(outputs.get(k), f.result(k).type(), Role.OUTPUT, k));
    }
    entries.add(new Entry("value", "$Value", args, Returns.VOID, dtype));
    if (!grads.isEmpty() && differentiable(f)) {
      args = new ArrayList<>(arguments);
      for (int k = 0; k < m; k++) {
        args.add(new Arg(gradLabel(outputs.get(k)), f.result(k).type(), Role.COTANGENT, -1));
      }
      for (int i = 0; i < grads.size(); i++) {
        Param p = grads.get(i);
        args.add(new Arg(gradLabel(p.name()), p.type(), Role.OUTPUT, m + i));
      }
      entries.add(new Entry("vjp", "$Vjp", args, Returns.VOID, dtype));
    }
    return entries;
  }

  /** {@code gradW} for {@code w}: the name of the gradient (or cotangent) array of a value. */
  public static String gradLabel(String name) {
    return "grad" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  /**
   * The argument names of the results: the given name when it is a Java identifier that no other
   * argument (or its gradient) uses, else {@code output} (one result) or {@code outputK}.
   */
  public static List<String> resultLabels(Func f, List<String> names) {
    int m = f.results().size();
    Set<String> taken = new HashSet<>();
    for (Param p : f.params()) {
      taken.add(p.name());
      taken.add(gradLabel(p.name()));
    }
    List<String> labels = new ArrayList<>();
    for (int k = 0; k < m; k++) {
      String n = k < names.size() ? names.get(k) : null;
      if (n == null
          || !SourceVersion.isIdentifier(n)
          || SourceVersion.isKeyword(n)
          || taken.contains(n)
          || taken.contains(gradLabel(n))) {
        n = m == 1 ? "output" : "output" + k;
        while (taken.contains(n) || taken.contains(gradLabel(n))) {
          n = "_" + n;
        }
      }
      taken.add(n);
      taken.add(gradLabel(n));
      labels.add(n);
    }
    return labels;
  }

  private static byte[] api(Func f, String name, List<Entry> entries) {
    ClassWriter cw = ClassEmitter.newClass(name, null);
    GeneratorAdapter ctor = Jvm.method(cw, Opcodes.ACC_PRIVATE, Method.getMethod("void <init>()"));
    ctor.loadThis();
    ctor.invokeConstructor(Jvm.OBJECT, Method.getMethod("void <init>()"));
    ctor.returnValue();
    ctor.endMethod();
    for (Entry e : entries) {
      entry(cw, f, name, e);
    }
    LibraryCopier lib = new LibraryCopier(name);
    lib.require(
        Aliasing.class, "separate", "([Ljava/lang/Object;[Ljava/lang/Object;Ljava/lang/String;)V");
    lib.emitInto(cw);
    cw.visitEnd();
    try {
      return cw.toByteArray();
    } catch (MethodTooLargeException e) {
      // The checks of each array take about 100 bytes: some 600 arrays fill a method.
      int arrays = 0;
      for (Entry en : entries) {
        if (en.method().equals(e.getMethodName())) {
          arrays = Math.max(arrays, en.args().size());
        }
      }
      throw new GradcException(
          "too many arrays for ahead-of-time compilation: "
              + e.getMethodName()
              + " would take "
              + arrays
              + " arrays, more than a JVM method has room to check (64 KB of bytecode)");
    }
  }

  private static void entry(ClassWriter cw, Func f, String name, Entry e) {
    List<Type> params = new ArrayList<>();
    if (e.packed()) {
      for (int r = 0; r < e.roles().size(); r++) {
        params.add(Jvm.OBJECT_ARRAY);
      }
    } else {
      for (Arg a : e.args()) {
        params.add(Jvm.arrayType(a.type().dtype()));
      }
    }
    Type ret =
        switch (e.returns()) {
          case SCALAR -> Jvm.elementType(e.dtype());
          case ARRAY -> Jvm.arrayType(e.dtype());
          case VOID -> Type.VOID_TYPE;
        };
    Method m = new Method(e.method(), ret, params.toArray(new Type[0]));
    GeneratorAdapter g = Jvm.method(cw, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, m);
    e.checkArrays(g);
    Map<String, Integer> symbols = inferSymbols(g, f, e);
    List<Integer> kernelArgs = new ArrayList<>();
    for (int i = 0; i < e.args().size(); i++) {
      Arg a = e.args().get(i);
      checkLength(g, e, i, symbols);
      if (a.role() != Role.OUTPUT) {
        kernelArgs.add(i);
      }
    }
    // args
    int argsLocal = g.newLocal(Jvm.OBJECT_ARRAY);
    g.push(kernelArgs.size());
    g.newArray(Jvm.OBJECT);
    for (int k = 0; k < kernelArgs.size(); k++) {
      g.dup();
      g.push(k);
      e.load(g, kernelArgs.get(k));
      g.arrayStore(Jvm.OBJECT);
    }
    g.dup();
    g.storeLocal(argsLocal);
    // shapes
    g.push(kernelArgs.size());
    g.newArray(Jvm.INT_ARRAY);
    for (int k = 0; k < kernelArgs.size(); k++) {
      List<Dim> dims = e.args().get(kernelArgs.get(k)).type().dims();
      g.dup();
      g.push(k);
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
    // outs: the output arrays go straight to the compiled code, which writes into them while it
    // reads the arguments; an argument that is also an output is copied first (Aliasing)
    int results = f.results().size() + (e.kernel().equals("$Value") ? 0 : f.gradParams().size());
    boolean anyOutput = e.args().stream().anyMatch(a -> a.role() == Role.OUTPUT);
    if (anyOutput) {
      String[] names = new String[results];
      Arrays.fill(names, "value");
      g.push(results);
      g.newArray(Jvm.OBJECT);
      for (int i = 0; i < e.args().size(); i++) {
        Arg a = e.args().get(i);
        if (a.role() == Role.OUTPUT) {
          g.dup();
          g.push(a.slot());
          e.load(g, i);
          g.arrayStore(Jvm.OBJECT);
          names[a.slot()] = a.label();
        }
      }
      g.dup();
      g.loadLocal(argsLocal);
      g.swap();
      g.push(String.join("\n", names));
      g.invokeStatic(
          Type.getObjectType(name), Method.getMethod("void separate(Object[], Object[], String)"));
    } else {
      g.visitInsn(Opcodes.ACONST_NULL);
    }
    g.invokeStatic(Type.getObjectType(name + e.kernel()), ClassEmitter.CALL_SEQUENTIAL);
    switch (e.returns()) {
      case SCALAR -> {
        g.push(0);
        g.arrayLoad(Jvm.OBJECT);
        g.checkCast(Jvm.arrayType(e.dtype()));
        g.push(0);
        g.arrayLoad(Jvm.elementType(e.dtype()));
      }
      case ARRAY -> {
        g.push(0);
        g.arrayLoad(Jvm.OBJECT);
        g.checkCast(Jvm.arrayType(e.dtype()));
      }
      case VOID -> g.pop();
    }
    g.returnValue();
    g.endMethod();
  }

  /**
   * Emits code that binds each symbol from the length of the first argument that determines it,
   * checking divisibility; returns the local holding each symbol.
   */
  private static Map<String, Integer> inferSymbols(GeneratorAdapter g, Func f, Entry e) {
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
        e.load(g, i);
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
        e.load(g, i);
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

  /** Throws when array {@code arg}'s length differs from the product of its type's dims. */
  private static void checkLength(
      GeneratorAdapter g, Entry e, int arg, Map<String, Integer> symbols) {
    dev.gradc.ir.Type t = e.args().get(arg).type();
    String label = e.args().get(arg).label();
    Label ok = new Label();
    int want = g.newLocal(Type.INT_TYPE);
    g.push(1);
    for (Dim d : t.dims()) {
      pushDim(g, d, symbols);
      g.visitInsn(Opcodes.IMUL);
    }
    g.storeLocal(want);
    e.load(g, arg);
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
    g.push(" for shape " + t.shapeString() + ", got ");
    g.invokeVirtual(sb, Method.getMethod("StringBuilder append(String)"));
    e.load(g, arg);
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
