package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Parser;
import dev.gradc.ir.ad.Autodiff;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

class AotCompilerTest {
  static final String LINEAR =
      """
      func @linear(input %x: f64[N, 3], input %y: f64[N], %w: f64[3], %b: f64) -> f64 {
        %0: f64[N] = matmul %x, %w
        %1: f64[N] = broadcast %b
        %2: f64[N] = add %0, %1
        %3: f64[N] = sub %2, %y
        %4: f64[N] = pow %3, 2.0
        %5: f64 = mean %4
        ret %5
      }
      """;

  /** Loads a set of class files into a fresh loader. */
  static final class BytesLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    BytesLoader(Map<String, byte[]> classes) {
      super(null);
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] b = classes.get(name.replace('.', '/'));
      if (b == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, b, 0, b.length);
    }
  }

  @Test
  void linearRegression_typedMethods_matchTheInterpreter() throws Exception {
    Func f = Parser.parse(LINEAR);
    Map<String, byte[]> classes = AotCompiler.compile(f, "com.acme.Linear");
    // the rows kernels' vector forms (VectorRows) in companions
    assertEquals(
        List.of(
            "com/acme/Linear",
            "com/acme/Linear$Value",
            "com/acme/Linear$Value$Vector",
            "com/acme/Linear$Grad",
            "com/acme/Linear$Grad$Vector"),
        List.copyOf(classes.keySet()));
    Class<?> c = new BytesLoader(classes).loadClass("com.acme.Linear");
    double[] x = {1, 2, 3, 4, 5, 6, -1, 0.5, 2};
    double[] y = {1, -2, 0.25};
    double[] w = {0.1, -0.3, 0.7};
    double[] b = {0.05};
    double value =
        (double)
            c.getMethod("value", double[].class, double[].class, double[].class, double[].class)
                .invoke(null, x, y, w, b);
    double[] gw = new double[3];
    double[] gb = new double[1];
    double v2 =
        (double)
            c.getMethod(
                    "valueAndGrad",
                    double[].class,
                    double[].class,
                    double[].class,
                    double[].class,
                    double[].class,
                    double[].class)
                .invoke(null, x, y, w, b, gw, gb);
    List<NdArray> want =
        Interpreter.run(
            Autodiff.vjp(f),
            NdArray.of(DType.F64, new int[] {3, 3}, x),
            NdArray.of(DType.F64, new int[] {3}, y),
            NdArray.of(DType.F64, new int[] {3}, w),
            NdArray.scalar(DType.F64, b[0]));
    assertEquals(want.get(0).item(), value, 1e-14);
    assertEquals(want.get(0).item(), v2, 1e-14);
    assertArrayEquals(want.get(1).toDoubleArray(), gw, 1e-14);
    assertArrayEquals(want.get(2).toDoubleArray(), gb, 1e-14);
  }

  @Test
  void wrongLength_namesTheArgument() throws Exception {
    Class<?> c =
        new BytesLoader(AotCompiler.compile(Parser.parse(LINEAR), "com.acme.Linear"))
            .loadClass("com.acme.Linear");
    var value =
        c.getMethod("value", double[].class, double[].class, double[].class, double[].class);
    InvocationTargetException e =
        assertThrows(
            InvocationTargetException.class,
            () -> value.invoke(null, new double[9], new double[4], new double[3], new double[1]));
    assertTrue(e.getCause() instanceof IllegalArgumentException);
    assertEquals("y: expected length 3 for shape [N], got 4", e.getCause().getMessage());
    e =
        assertThrows(
            InvocationTargetException.class,
            () -> value.invoke(null, new double[8], new double[3], new double[3], new double[1]));
    assertTrue(
        e.getCause().getMessage().startsWith("x: length is not a multiple"),
        e.getCause().getMessage());
  }

  @Test
  void generatedClasses_referenceOnlyJavaBase() {
    Map<String, byte[]> classes = AotCompiler.compile(Parser.parse(LINEAR), "com.acme.Linear");
    // only the vector companions, which the classes look up by name, use jdk.incubator.vector
    assertCallsOnly(
        classes,
        (cls, owner) ->
            owner.startsWith("java/")
                || owner.startsWith("com/acme/Linear")
                || (cls.endsWith("$Vector") && owner.startsWith("jdk/incubator/vector/")));
  }

  /**
   * Asserts {@code allowed(class, owner)} for the owner of every method call in {@code classes}.
   */
  static void assertCallsOnly(
      Map<String, byte[]> classes, java.util.function.BiPredicate<String, String> allowed) {
    for (var e : classes.entrySet()) {
      new ClassReader(e.getValue())
          .accept(
              new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(
                    int access, String name, String desc, String sig, String[] ex) {
                  return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(
                        int op, String owner, String n, String d, boolean itf) {
                      assertTrue(
                          allowed.test(e.getKey(), owner), e.getKey() + " references " + owner);
                    }
                  };
                }
              },
              0);
    }
  }

  static final String SQUARES =
      """
      func @sq(input %x: f32[N, 70], %w: f32[70, 60]) -> f32 {
        %0: f32[N, 60] = matmul %x, %w
        %1: f32[N, 60] = mul %0, %0
        %2: f32 = sum %1
        ret %2
      }
      """;

  /**
   * A loss with matrix products: each generated class comes with a companion holding the vector
   * forms, the only classes referring to jdk.incubator.vector; the jar gives the same bits with
   * them (the default here) and without ({@code -Dgradc.vector=false} when the class initializes),
   * and the interpreter's gradient.
   */
  @Test
  void matrixProducts_vectorCompanion_sameBitsWithAndWithout() throws Exception {
    Map<String, byte[]> classes = AotCompiler.compile(Parser.parse(SQUARES), "com.acme.Sq");
    assertEquals(
        List.of(
            "com/acme/Sq",
            "com/acme/Sq$Value",
            "com/acme/Sq$Value$Vector",
            "com/acme/Sq$Grad",
            "com/acme/Sq$Grad$Vector"),
        List.copyOf(classes.keySet()));
    assertCallsOnly(
        classes,
        (cls, owner) ->
            owner.startsWith("java/")
                || owner.startsWith("com/acme/Sq")
                || (cls.endsWith("$Vector") && owner.startsWith("jdk/incubator/vector/")));
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    int n = 50;
    float[] x = new float[n * 70];
    float[] w = new float[70 * 60];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextDouble(-1, 1);
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextDouble(-1, 1);
    }
    float[][] grads = new float[2][];
    for (int run = 0; run < 2; run++) {
      boolean vector = run == 0;
      System.setProperty("gradc.vector", Boolean.toString(vector));
      try {
        BytesLoader loader = new BytesLoader(classes);
        Class<?> c = loader.loadClass("com.acme.Sq");
        grads[run] = new float[w.length];
        c.getMethod("valueAndGrad", float[].class, float[].class, float[].class)
            .invoke(null, x, w, grads[run]);
        var field = loader.loadClass("com.acme.Sq$Grad").getDeclaredField("GEMM");
        field.setAccessible(true);
        assertEquals(vector, field.get(null) != null, "vector forms in use");
      } finally {
        System.clearProperty("gradc.vector");
      }
    }
    assertArrayEquals(grads[0], grads[1]);
    Func f = Parser.parse(SQUARES);
    List<NdArray> want =
        Interpreter.run(
            Autodiff.vjp(f),
            List.of(
                NdArray.of(DType.F32, new int[] {n, 70}, toDoubles(x)),
                NdArray.of(DType.F32, new int[] {70, 60}, toDoubles(w))));
    double[] gw = want.get(1).toDoubleArray();
    for (int i = 0; i < gw.length; i++) {
      assertEquals(gw[i], grads[0][i], 1e-4 * Math.max(1, Math.abs(gw[i])), "dw " + i);
    }
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  static final String W_TIMES_WT =
      """
      func @wwt(%w: f64[3, 3]) -> f64 {
        %0: f64[3, 3] = transpose %w, dims=[0, 1]
        %1: f64[3, 3] = mul %w, %0
        %2: f64 = sum %1
        ret %2
      }
      """;

  @Test
  void gradientOutputThatIsTheInput_resultsAsIfDistinct() throws Exception {
    Class<?> c =
        new BytesLoader(AotCompiler.compile(Parser.parse(W_TIMES_WT), "com.acme.Wwt"))
            .loadClass("com.acme.Wwt");
    var vg = c.getMethod("valueAndGrad", double[].class, double[].class);
    double[] w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    double[] distinct = new double[9];
    double want = (double) vg.invoke(null, w.clone(), distinct);
    assertEquals(261.0, want); // sum of w[i][j] * w[j][i]
    double[] shared = w.clone();
    double got = (double) vg.invoke(null, shared, shared);
    assertEquals(want, got);
    assertArrayEquals(distinct, shared);
  }

  @Test
  void inputThatIsAGradientOutput_isReadBeforeItIsWritten() throws Exception {
    Func f =
        Parser.parse(
            """
            func @f(input %x: f64[4], %w: f64[4]) -> f64 {
              %0: f64[4] = mul %x, %w
              %1: f64[4] = mul %0, %x
              %2: f64 = sum %1
              ret %2
            }
            """);
    Class<?> c = new BytesLoader(AotCompiler.compile(f, "com.acme.F")).loadClass("com.acme.F");
    var vg = c.getMethod("valueAndGrad", double[].class, double[].class, double[].class);
    double[] x = {1, -2, 3, 0.5};
    double[] w = {2, 3, -1, 4};
    double[] gw = new double[4];
    double want = (double) vg.invoke(null, x.clone(), w.clone(), gw);
    double[] xs = x.clone();
    assertEquals(want, (double) vg.invoke(null, xs, w.clone(), xs));
    assertArrayEquals(gw, xs);
    double[] ws = w.clone();
    assertEquals(want, (double) vg.invoke(null, x.clone(), ws, ws));
    assertArrayEquals(gw, ws);
  }

  @Test
  void twoGradientOutputsSharingAnArray_areRefusedByName() throws Exception {
    Func f =
        Parser.parse(
            """
            func @two(%a: f64[2], %b: f64[2]) -> f64 {
              %0: f64[2] = mul %a, %b
              %1: f64 = sum %0
              ret %1
            }
            """);
    Class<?> two =
        new BytesLoader(AotCompiler.compile(f, "com.acme.Two")).loadClass("com.acme.Two");
    var vg2 =
        two.getMethod(
            "valueAndGrad", double[].class, double[].class, double[].class, double[].class);
    double[] shared = new double[2];
    InvocationTargetException e =
        assertThrows(
            InvocationTargetException.class,
            () -> vg2.invoke(null, new double[] {1, 2}, new double[] {3, 4}, shared, shared));
    assertTrue(e.getCause() instanceof IllegalArgumentException);
    assertEquals(
        "gradA and gradB are the same array: each output needs its own", e.getCause().getMessage());
  }

  /** {@code w * x} (a param times a scaled input) and its sum: two results, one of them a param. */
  static final String TWO_RESULTS =
      """
      func @two(input %x: f64[N], %w: f64[N]) -> (f64[N], f64, f64[N]) {
        %0: f64[N] = mul %w, %x
        %1: f64 = sum %0
        ret %0, %1, %w
      }
      """;

  @Test
  void severalResults_valueAndVjp_matchTheInterpreter() throws Exception {
    Func f = Parser.parse(TWO_RESULTS);
    Map<String, byte[]> classes = AotCompiler.compile(f, "com.acme.Two", List.of("y"));
    assertEquals(
        List.of(
            "public static void value(double[] x, double[] w, double[] y, double[] output1,"
                + " double[] output2)",
            "public static void vjp(double[] x, double[] w, double[] gradY, double[] gradOutput1,"
                + " double[] gradOutput2, double[] gradW)"),
        AotCompiler.signatures(f, List.of("y")));
    Class<?> c = new BytesLoader(classes).loadClass("com.acme.Two");
    double[] x = {1, -2, 3};
    double[] w = {0.5, 4, -1};
    double[] c0 = {2, 1, -3};
    double[] c1 = {0.25};
    double[] c2 = {-1, 5, 7};
    List<NdArray> want =
        Interpreter.run(
            Autodiff.vjp(f, true),
            NdArray.of(DType.F64, new int[] {3}, x),
            NdArray.of(DType.F64, new int[] {3}, w),
            NdArray.of(DType.F64, new int[] {3}, c0),
            NdArray.of(DType.F64, new int[0], c1),
            NdArray.of(DType.F64, new int[] {3}, c2));
    double[] y = new double[3];
    double[] sum = new double[1];
    double[] wOut = new double[3];
    c.getMethod(
            "value", double[].class, double[].class, double[].class, double[].class, double[].class)
        .invoke(null, x, w, y, sum, wOut);
    assertArrayEquals(want.get(0).toDoubleArray(), y);
    assertArrayEquals(want.get(1).toDoubleArray(), sum);
    assertArrayEquals(w, wOut);
    var vjp =
        c.getMethod(
            "vjp",
            double[].class,
            double[].class,
            double[].class,
            double[].class,
            double[].class,
            double[].class);
    double[] gw = new double[3];
    vjp.invoke(null, x, w, c0, c1, c2, gw);
    assertArrayEquals(want.get(3).toDoubleArray(), gw);
    // w's gradient is c0 * x + c1 * x + c2, computed independently of the interpreter.
    for (int i = 0; i < 3; i++) {
      assertEquals(c0[i] * x[i] + c1[0] * x[i] + c2[i], gw[i], 1e-15);
    }
    // An output that is also an argument: the call computes as if they were distinct.
    double[] shared = x.clone();
    c.getMethod(
            "value", double[].class, double[].class, double[].class, double[].class, double[].class)
        .invoke(null, shared, w, shared, sum, wOut);
    assertArrayEquals(y, shared);
    // A cotangent of the wrong length and a null output name their argument.
    InvocationTargetException e =
        assertThrows(
            InvocationTargetException.class,
            () -> vjp.invoke(null, x, w, c0, new double[2], c2, gw));
    assertEquals("gradOutput1: expected length 1 for shape [], got 2", e.getCause().getMessage());
    e =
        assertThrows(
            InvocationTargetException.class, () -> vjp.invoke(null, x, w, c0, c1, c2, null));
    assertEquals("gradW: null instead of an array", e.getCause().getMessage());
  }

  @Test
  void oneNonScalarResult_valueReturnsANewArray() throws Exception {
    Func f =
        Parser.parse(
            """
            func @pred(input %x: f32[N, 2], %w: f32[2]) -> f32[N] {
              %0: f32[N] = matmul %x, %w
              ret %0
            }
            """);
    Class<?> c =
        new BytesLoader(AotCompiler.compile(f, "com.acme.Pred")).loadClass("com.acme.Pred");
    float[] out =
        (float[])
            c.getMethod("value", float[].class, float[].class)
                .invoke(null, new float[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, -1});
    assertArrayEquals(new float[] {-1.5f, -2.5f, -3.5f}, out);
  }

  /** {@code n} params {@code %pI: f64[2]}: {@code sum((p0 + ... + p(n-1)) * (p0 + ...))}. */
  static Func manyParams(int n) {
    StringBuilder ir = new StringBuilder("func @many(");
    for (int i = 0; i < n; i++) {
      ir.append(i == 0 ? "" : ", ").append("%p").append(i).append(": f64[2]");
    }
    ir.append(") -> f64 {\n  %0: f64[2] = add %p0, %p1\n");
    for (int i = 2; i < n; i++) {
      ir.append("  %").append(i - 1).append(": f64[2] = add %").append(i - 2).append(", %p");
      ir.append(i).append('\n');
    }
    ir.append("  %").append(n - 1).append(": f64[2] = mul %").append(n - 2).append(", %");
    ir.append(n - 2).append("\n  %").append(n).append(": f64 = sum %").append(n - 1);
    ir.append("\n  ret %").append(n).append("\n}\n");
    return Parser.parse(ir.toString());
  }

  @Test
  void moreArraysThanArgumentSlots_travelInObjectArrays() throws Exception {
    int n = 128; // 256 arrays for valueAndGrad: over the 255 argument slots of a method
    Func f = manyParams(n);
    assertEquals(
        "public static double valueAndGrad(Object[] args, Object[] grads)",
        AotCompiler.signatures(f, List.of()).get(1));
    Class<?> c =
        new BytesLoader(AotCompiler.compile(f, "com.acme.Many")).loadClass("com.acme.Many");
    Object[] args = new Object[n];
    NdArray[] in = new NdArray[n];
    Class<?>[] typed = new Class<?>[n];
    for (int i = 0; i < n; i++) {
      double[] p = {0.01 * i, 1 - 0.02 * i};
      args[i] = p;
      in[i] = NdArray.of(DType.F64, new int[] {2}, p.clone());
      typed[i] = double[].class;
    }
    Object[] grads = new Object[n];
    for (int i = 0; i < n; i++) {
      grads[i] = new double[2];
    }
    double v =
        (double)
            c.getMethod("valueAndGrad", Object[].class, Object[].class).invoke(null, args, grads);
    List<NdArray> want = Interpreter.run(Autodiff.vjp(f), in);
    assertEquals(want.get(0).item(), v, 1e-12);
    // value has 128 arrays: still typed
    assertEquals(
        want.get(0).item(), (double) c.getMethod("value", typed).invoke(null, args), 1e-12);
    for (int i = 0; i < n; i++) {
      assertArrayEquals(want.get(1 + i).toDoubleArray(), (double[]) grads[i], 1e-12);
    }
    InvocationTargetException e =
        assertThrows(
            InvocationTargetException.class,
            () ->
                c.getMethod("valueAndGrad", Object[].class, Object[].class)
                    .invoke(null, new Object[3], grads));
    assertEquals(
        "args: expected an Object[] of 128 arrays in declaration order", e.getCause().getMessage());
    Object[] wrong = grads.clone();
    wrong[5] = new float[2];
    e =
        assertThrows(
            InvocationTargetException.class,
            () ->
                c.getMethod("valueAndGrad", Object[].class, Object[].class)
                    .invoke(null, args, wrong));
    assertEquals(
        "gradP5: null or not a double[] (element 133 of the arrays)", e.getCause().getMessage());
  }
}
