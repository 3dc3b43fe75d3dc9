package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Param;
import dev.gradc.ir.Role;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import javax.lang.model.SourceVersion;

/**
 * The Java source of the typed facade of a program compiled ahead of time: a final class with
 * Javadoc taken from the program (its source lines, each declaration's and result's role, dtype and
 * shape, the symbolic dims) and static methods that check their arguments by name and call the
 * kernel class {@link AotCompiler} wrote. {@code gradc compile --package} and gradc-maven-plugin
 * both write it.
 *
 * <p>The arguments are the program's declarations in order ({@code double[]} for f64, {@code
 * float[]} for f32, {@code long[]} for i64, one flat row-major array each; a scalar is an array of
 * length 1). A program returning one scalar (a loss) gets:
 *
 * <pre>
 * public static double value(double[] x, double[] y, double[] w, double[] b)
 * public static double valueAndGrad(double[] x, double[] y, double[] w, double[] b,
 *                                   double[] gradW, double[] gradB)
 * public static Result valueAndGrad(double[] x, double[] y, double[] w, double[] b)
 * public static double gradCheck(double step, double[] x, double[] y, double[] w, double[] b)
 * </pre>
 *
 * Any other program (a non-scalar result or several results) gets its results in a {@code Result}
 * or in the caller's arrays, and, with params, the vector-Jacobian product: one cotangent per
 * result in, one gradient per param out, as {@code torch.autograd.grad(results, params,
 * cotangents)}:
 *
 * <pre>
 * public static Result value(double[] x, double[] w)
 * public static void value(double[] x, double[] w, double[] h, double[] loss)
 * public static Gradients vjp(double[] x, double[] w, double[] gradH, double[] gradLoss)
 * public static void vjp(double[] x, double[] w, double[] gradH, double[] gradLoss,
 *                        double[] gradW)
 * public static double gradCheck(double step, double[] x, double[] w, double[] gradH,
 *                                double[] gradLoss)
 * </pre>
 *
 * A null argument is a {@link NullPointerException} naming it; a wrong length an {@link
 * IllegalArgumentException} naming it, its type and the symbolic dims it was checked with ({@code y
 * has 3 elements; f64[N] with N = 4 needs 4}). Symbolic dims are taken from the first argument that
 * determines them, in declaration order, unless the caller fixes them.
 */
public final class JavaFacade {
  /** A program as the facade shows it: its function, result names, text and file name. */
  public record Program(Func func, List<String> resultNames, String text, String shownName) {}

  /**
   * A generated facade: its binary class name, its Java source, and its public methods' signatures
   * in order.
   */
  public record Source(String className, String text, List<String> signatures) {}

  /** Names of the generated locals and helpers start with {@code $}, which programs cannot use. */
  private static final String LOCAL = "$";

  private final Func f;
  private final Program program;
  private final String packageName;
  private final String simpleName;
  private final String kernel;
  private final Map<String, Integer> fixedDims;
  private final String generator;
  private final List<Param> params;
  private final List<Param> grads;
  private final List<String> names = new ArrayList<>();
  private final List<String> outputNames = new ArrayList<>();
  private final List<String> cotangentNames = new ArrayList<>();
  private final List<String> gradNames = new ArrayList<>();
  private final String resultClass;
  private final String gradientsClass;
  private final boolean loss;
  private final boolean differentiable;
  private final List<String> signatures = new ArrayList<>();
  private final StringBuilder s = new StringBuilder();

  /** How each symbolic dim is known: fixed, or from an argument. In binding order. */
  private final Map<String, Binding> bindings = new LinkedHashMap<>();

  /**
   * A symbolic dim fixed by the build ({@code param < 0}) or read from declaration {@code param}.
   */
  private record Binding(int param, int fixed) {}

  private JavaFacade(
      Program program,
      String packageName,
      String simpleName,
      String kernel,
      Map<String, Integer> fixedDims,
      String generator) {
    this.program = program;
    this.f = program.func();
    this.packageName = packageName;
    this.simpleName = simpleName;
    this.kernel = kernel;
    this.fixedDims = fixedDims;
    this.generator = generator;
    this.params = f.params();
    this.grads = f.gradParams();
    this.loss = f.results().size() == 1 && f.result(0).type().isScalar();
    boolean floats = true;
    for (Value r : f.results()) {
      floats &= r.type().dtype().isFloat();
    }
    this.differentiable = floats && !grads.isEmpty();
    this.resultClass = simpleName.equals("Result") ? "Values" : "Result";
    this.gradientsClass = simpleName.equals("Gradients") ? "Grads" : "Gradients";
    Set<String> taken = new HashSet<>();
    taken.add(simpleName);
    taken.add(kernel);
    taken.add(resultClass);
    taken.add(gradientsClass);
    taken.add("step");
    for (Param p : params) {
      names.add(unique(p.name(), taken));
    }
    List<String> labels = AotCompiler.resultLabels(f, program.resultNames());
    for (String label : labels) {
      outputNames.add(unique(label, taken));
    }
    if (!loss && differentiable) {
      for (String o : outputNames) {
        cotangentNames.add(unique(AotCompiler.gradLabel(o), taken));
      }
    }
    for (Param p : grads) {
      gradNames.add(unique(AotCompiler.gradLabel(names.get(params.indexOf(p))), taken));
    }
    bind();
  }

  /**
   * The facade of {@code program}: class {@code simpleName} in {@code packageName} (empty for the
   * unnamed package), calling the kernel class {@code kernelSimpleName} of the same package that
   * {@link AotCompiler#compile} wrote. {@code fixedDims} fixes symbolic dims (the facade then
   * checks the arrays against them); {@code generator} names what wrote the file in its first line.
   *
   * @throws GradcException when an argument cannot be a Java method parameter (over {@value
   *     AotCompiler#MAX_TYPED_ARGUMENTS} arrays) or a result's symbolic dim is not determined by
   *     the arguments
   */
  public static Source generate(
      Program program,
      String packageName,
      String simpleName,
      String kernelSimpleName,
      Map<String, Integer> fixedDims,
      String generator) {
    JavaFacade g =
        new JavaFacade(program, packageName, simpleName, kernelSimpleName, fixedDims, generator);
    g.write();
    String binary = packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
    return new Source(binary, g.s.toString(), List.copyOf(g.signatures));
  }

  /** The symbolic dims of the function's params, in order of first use. */
  public static Set<String> symbols(List<Param> params) {
    Set<String> out = new LinkedHashSet<>();
    for (Param p : params) {
      for (Dim dim : p.type().dims()) {
        if (!dim.isStatic()) {
          out.add(dim.symbol());
        }
      }
    }
    return out;
  }

  /**
   * Binds each symbolic dim: fixed ones first, then, as the kernel class does, from the first
   * declaration in which it is the one unknown symbol (pass after pass).
   */
  private void bind() {
    fixedDims.forEach((k, v) -> bindings.put(k, new Binding(-1, v)));
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = 0; i < params.size(); i++) {
        String unknown = null;
        int count = 0;
        long staticPart = 1;
        for (Dim d : params.get(i).type().dims()) {
          staticPart *= d.factor();
          if (d.symbol() != null && !bindings.containsKey(d.symbol())) {
            count += d.symbol().equals(unknown) ? 2 : 1;
            unknown = d.symbol();
          }
        }
        if (count == 1 && staticPart != 0) {
          bindings.put(unknown, new Binding(i, 0));
          progress = true;
        }
      }
    }
    List<Type> shapes = new ArrayList<>();
    params.forEach(p -> shapes.add(p.type()));
    f.results().forEach(r -> shapes.add(r.type()));
    for (Type t : shapes) {
      for (Dim d : t.dims()) {
        if (d.symbol() != null && !bindings.containsKey(d.symbol())) {
          throw new GradcException(
              "cannot infer the symbolic dim " + d.symbol() + " from array lengths alone");
        }
      }
    }
    int arrays = params.size() + outputNames.size() + gradNames.size() + cotangentNames.size();
    if (arrays > AotCompiler.MAX_TYPED_ARGUMENTS) {
      throw new GradcException(
          "too many arrays for a Java facade: a method would take "
              + arrays
              + " arrays, more than the "
              + AotCompiler.MAX_TYPED_ARGUMENTS
              + " a Java method can");
    }
  }

  private void write() {
    s.append("// Generated by ")
        .append(generator)
        .append(" from ")
        .append(program.shownName())
        .append(". Do not edit.\n");
    if (!packageName.isEmpty()) {
      s.append("package ").append(packageName).append(";\n\n");
    }
    classDoc();
    s.append("public final class ").append(simpleName).append(" {\n");
    s.append("  /** Not instantiated: the methods are static. */\n");
    s.append("  private ").append(simpleName).append("() {}\n");
    if (loss) {
      lossValue();
      if (differentiable) {
        lossValueAndGrad();
        lossValueAndGradResult();
        lossGradCheck();
        lossResultClass();
      }
    } else {
      forwardValueResult();
      forwardValue();
      if (differentiable) {
        vjpGradients();
        vjp();
        vjpGradCheck();
      }
      forwardResultClass();
      if (differentiable) {
        gradientsClass();
      }
    }
    s.append("}\n");
  }

  // ---------------------------------------------------------------- Javadoc

  private void classDoc() {
    s.append("/**\n");
    s.append(" * The ")
        .append(loss ? "loss" : "function")
        .append(" of the gradc program ")
        .append(code(program.shownName()))
        .append(", compiled ahead of time\n");
    s.append(" * into {@link ").append(kernel).append("} (which needs only java.base).\n");
    s.append(" *\n * <pre>\n");
    String[] lines = program.text().split("\r?\n", -1);
    int count = lines.length;
    if (count > 0 && lines[count - 1].isEmpty()) {
      count--;
    }
    int width = String.valueOf(count).length();
    for (int i = 0; i < count; i++) {
      String number = String.valueOf(i + 1);
      s.append(" * ")
          .append(" ".repeat(width - number.length()))
          .append(number)
          .append("  ")
          .append(htmlText(lines[i]))
          .append('\n');
    }
    s.append(" * </pre>\n *\n");
    s.append(
        " * <p>Arguments, in declaration order (one flat row-major array each; a scalar is an\n");
    s.append(" * array of length 1):\n *\n * <ul>\n");
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      s.append(" *   <li>{@code ")
          .append(names.get(i))
          .append("}: ")
          .append(p.role() == Role.PARAM ? "param (differentiated)" : "input")
          .append(", ");
      typeText(p.type());
      s.append('\n');
    }
    s.append(" * </ul>\n *\n");
    if (!loss) {
      s.append(" * <p>Results, in the order the program returns them:\n *\n * <ul>\n");
      for (int k = 0; k < outputNames.size(); k++) {
        s.append(" *   <li>{@code ").append(outputNames.get(k)).append("}: ");
        typeText(f.result(k).type());
        s.append('\n');
      }
      s.append(" * </ul>\n *\n");
    }
    Set<String> symbols = symbols(params);
    if (symbols.isEmpty()) {
      s.append(" * <p>All shapes are static.\n");
    } else {
      s.append(" * <p>Symbolic dims: {@code ")
          .append(String.join(", ", symbols))
          .append("}, inferred from the lengths of the arrays and checked\n");
      s.append(" * ({@link IllegalArgumentException} naming the argument)");
      if (fixedDims.isEmpty()) {
        s.append(".\n");
      } else {
        List<String> fixed = new ArrayList<>();
        fixedDims.forEach((k, v) -> fixed.add(k + " = " + v));
        s.append("; the build fixes {@code ").append(String.join(", ", fixed)).append("}.\n");
      }
    }
    s.append(" */\n");
  }

  /** {@code <code>f64[N, 3]</code>, double[] of <code>N * 3</code> elements}. */
  private void typeText(Type t) {
    s.append(code(t.toString()))
        .append(", ")
        .append(t.dtype().javaArrayType())
        .append(" of ")
        .append(lengthText(t.dims()));
  }

  private void methodDoc(String summary, List<String> extraDocs, String returns) {
    methodDoc(summary, List.of(), extraDocs, returns);
  }

  private void methodDoc(
      String summary, List<String> leadingDocs, List<String> extraDocs, String returns) {
    s.append("\n  /**\n");
    for (String line : summary.split("\n", -1)) {
      s.append("   * ").append(line).append('\n');
    }
    s.append("   *\n");
    for (String d : leadingDocs) {
      s.append("   * @param ").append(d).append('\n');
    }
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      s.append("   * @param ")
          .append(names.get(i))
          .append(' ')
          .append(p.role() == Role.PARAM ? "param" : "input")
          .append(' ')
          .append(code(p.type().toString()))
          .append(": ")
          .append(lengthText(p.type().dims()))
          .append('\n');
    }
    for (String d : extraDocs) {
      s.append("   * @param ").append(d).append('\n');
    }
    if (returns != null) {
      s.append("   * @return ").append(returns).append('\n');
    }
    s.append("   * @throws NullPointerException if an argument is null\n");
    s.append(
        "   * @throws IllegalArgumentException if an array's length does not match its shape\n");
    s.append("   */\n");
  }

  private List<String> outputDocs(String verb) {
    return docs(
        outputNames.size(),
        k ->
            outputNames.get(k)
                + " "
                + verb
                + " result "
                + code(f.result(k).type().toString())
                + ": "
                + lengthText(f.result(k).type().dims()));
  }

  private List<String> cotangentDocs() {
    return docs(
        outputNames.size(),
        k ->
            cotangentNames.get(k)
                + " the cotangent of {@code "
                + outputNames.get(k)
                + "}, of its length");
  }

  private List<String> gradDocs() {
    return docs(
        grads.size(),
        i ->
            gradNames.get(i)
                + " receives the gradient with respect to {@code "
                + paramName(i)
                + "}, of the same length");
  }

  /** The {@code @param} texts {@code doc(0), ..., doc(n - 1)}. */
  private static List<String> docs(int n, IntFunction<String> doc) {
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      docs.add(doc.apply(i));
    }
    return docs;
  }

  // ---------------------------------------------------------------- signatures and checks

  /** Starts a public static method: its signature, also recorded for {@link Source}. */
  private void header(String ret, String method, List<String> extraTypes, List<String> extra) {
    List<String> ps = new ArrayList<>();
    if (method.equals("gradCheck")) {
      ps.add("double step");
    }
    for (int i = 0; i < params.size(); i++) {
      ps.add(params.get(i).type().dtype().javaArrayType() + " " + names.get(i));
    }
    for (int i = 0; i < extra.size(); i++) {
      ps.add(extraTypes.get(i) + " " + extra.get(i));
    }
    String signature = "public static " + ret + " " + method + "(" + String.join(", ", ps) + ")";
    signatures.add(signature);
    s.append("  ").append(signature).append(" {\n");
  }

  private List<String> outputTypes() {
    List<String> t = new ArrayList<>();
    f.results().forEach(r -> t.add(r.type().dtype().javaArrayType()));
    return t;
  }

  private List<String> gradTypes() {
    List<String> t = new ArrayList<>();
    grads.forEach(p -> t.add(p.type().dtype().javaArrayType()));
    return t;
  }

  /**
   * Null checks of every array, then the symbolic dims, then the length of each array: the
   * arguments, and {@code extra} arrays of the given types.
   */
  private void checks(List<String> extra, List<Type> extraTypes) {
    List<String> all = new ArrayList<>(names);
    all.addAll(extra);
    for (String n : all) {
      s.append("    if (")
          .append(n)
          .append(" == null) {\n      throw new NullPointerException(\"")
          .append(n)
          .append(" is null\");\n    }\n");
    }
    for (Map.Entry<String, Binding> b : bindings.entrySet()) {
      String local = LOCAL + b.getKey();
      Binding how = b.getValue();
      if (how.param() < 0) {
        continue; // folded into the lengths as a constant
      }
      String name = names.get(how.param());
      Type t = params.get(how.param()).type();
      String divisor = divisor(t, b.getKey());
      boolean literal = isLiteral(divisor);
      if (!divisor.equals("1")) {
        divisibilityCheck(name, t, divisor, literal);
      }

      s.append("    final int ").append(local).append(" = ");
      if (divisor.equals("1")) {
        s.append(name).append(".length;\n");
      } else if (literal) {
        s.append(name).append(".length / ").append(divisor).append(";\n");
      } else {
        s.append("(int) (").append(name).append(".length / ").append(divisor).append(");\n");
      }
    }
    List<Type> types = new ArrayList<>();
    params.forEach(p -> types.add(p.type()));
    types.addAll(extraTypes);
    Set<Integer> inferring = new HashSet<>();
    bindings.values().forEach(b -> inferring.add(b.param()));
    for (int i = 0; i < all.size(); i++) {
      if (!inferring.contains(i)) { // an argument a dim is read from has a length that fits it
        lengthCheck(all.get(i), types.get(i));
      }
    }
  }

  private void divisibilityCheck(String name, Type t, String divisor, boolean literal) {
    s.append("    if (");
    if (!literal) {
      s.append(divisor).append(" == 0 || ");
    }
    s.append(name).append(".length % ").append(divisor).append(" != 0) {\n");
    s.append("      throw new IllegalArgumentException(\n");
    s.append("          \"").append(name).append(" has \" + ").append(name);
    s.append(".length + \" elements; ").append(t).append(" needs a multiple of ");
    if (literal) {
      s.append(divisor).append("\");\n    }\n");
    } else {
      s.append("\" + ").append(divisor).append(");\n    }\n");
    }
  }

  /** The product of the dims of {@code t} other than {@code symbol}: a Java long expression. */
  private String divisor(Type t, String symbol) {
    return product(t, symbol, "(", ")");
  }

  /** The length of type {@code t}: a Java long expression, or a literal when it is known. */
  private String length(Type t) {
    return product(t, null, "", "");
  }

  /**
   * The product of the dims of {@code t} other than {@code except}, fixed dims folded in: a
   * literal, or a long expression in {@code open}...{@code close}.
   */
  private String product(Type t, String except, String open, String close) {
    long known = 1;
    List<String> parts = new ArrayList<>();
    for (Dim d : t.dims()) {
      known *= d.factor();
      if (d.symbol() == null || d.symbol().equals(except)) {
        continue;
      }
      Binding b = bindings.get(d.symbol());
      if (b.param() < 0) {
        known *= b.fixed();
      } else {
        parts.add(LOCAL + d.symbol());
      }
    }
    if (parts.isEmpty()) {
      return Long.toString(known);
    }
    return open + known + "L * " + String.join(" * ", parts) + close;
  }

  private static boolean isLiteral(String expression) {
    return expression.chars().allMatch(Character::isDigit);
  }

  private void lengthCheck(String name, Type t) {
    String n = length(t);
    s.append("    if (").append(name).append(".length != ").append(n).append(") {\n");
    s.append("      throw new IllegalArgumentException(\n");
    s.append("          \"").append(name).append(" has \" + ").append(name);
    s.append(".length + \" elements; ").append(t);
    List<String> symbols = new ArrayList<>();
    for (Dim d : t.dims()) {
      if (d.symbol() != null && !symbols.contains(d.symbol())) {
        symbols.add(d.symbol());
      }
    }
    for (int i = 0; i < symbols.size(); i++) {
      s.append(i == 0 ? " with " : ", ").append(symbols.get(i)).append(" = ");
      Binding b = bindings.get(symbols.get(i));
      if (b.param() < 0) {
        s.append(b.fixed());
      } else {
        s.append("\" + ").append(LOCAL).append(symbols.get(i)).append(" + \"");
      }
    }
    if (isLiteral(n)) {
      s.append(" needs ").append(n).append("\");\n    }\n");
    } else {
      s.append(" needs \" + (").append(n).append("));\n    }\n");
    }
  }

  /** Declares the local {@code $name}, a new array of type {@code t}; returns the local's name. */
  private String allocate(String name, Type t) {
    String n = length(t);
    String size = isLiteral(n) ? n : "Math.toIntExact(" + n + ")";
    String element = scalarType(t.dtype());
    s.append("    final ").append(element).append("[] ").append(LOCAL).append(name);
    s.append(" = new ").append(element).append('[').append(size).append("];\n");
    return LOCAL + name;
  }

  private String args() {
    return String.join(", ", names);
  }

  private String paramName(int gradIndex) {
    return names.get(params.indexOf(grads.get(gradIndex)));
  }

  private List<Type> resultTypes() {
    List<Type> t = new ArrayList<>();
    f.results().forEach(r -> t.add(r.type()));
    return t;
  }

  private List<Type> gradParamTypes() {
    List<Type> t = new ArrayList<>();
    grads.forEach(p -> t.add(p.type()));
    return t;
  }

  private static String scalarType(DType d) {
    String a = d.javaArrayType();
    return a.substring(0, a.length() - 2);
  }

  // ---------------------------------------------------------------- a loss

  private String lossType() {
    return scalarType(f.result(0).type().dtype());
  }

  private void lossValue() {
    methodDoc("The value of the loss.", List.of(), "the loss");
    header(lossType(), "value", List.of(), List.of());
    checks(List.of(), List.of());
    s.append("    return ").append(kernel).append(".value(").append(args()).append(");\n");
    s.append("  }\n");
  }

  private void lossValueAndGrad() {
    methodDoc(
        "The value of the loss, and its gradient with respect to each param written into\n"
            + "the given arrays (allocation-free).",
        gradDocs(),
        "the loss");
    header(lossType(), "valueAndGrad", gradTypes(), gradNames);
    checks(gradNames, gradParamTypes());
    List<String> all = new ArrayList<>(names);
    all.addAll(gradNames);
    s.append("    return ")
        .append(kernel)
        .append(".valueAndGrad(")
        .append(String.join(", ", all))
        .append(");\n");
    s.append("  }\n");
  }

  private void lossValueAndGradResult() {
    methodDoc(
        "The value of the loss and its gradients in new arrays.",
        List.of(),
        "the loss and its gradients");
    header(resultClass, "valueAndGrad", List.of(), List.of());
    checks(List.of(), List.of());
    List<String> all = new ArrayList<>(names);
    for (int i = 0; i < grads.size(); i++) {
      all.add(allocate(gradNames.get(i), grads.get(i).type()));
    }
    s.append("    final ")
        .append(lossType())
        .append(" $value = ")
        .append(kernel)
        .append(".valueAndGrad(")
        .append(String.join(", ", all))
        .append(");\n");
    s.append("    return new ").append(resultClass).append("($value");
    for (String g : gradNames) {
      s.append(", ").append(LOCAL).append(g);
    }
    s.append(");\n  }\n");
  }

  private void gradCheckDoc(String what, List<String> extraDocs) {
    methodDoc(
        "For tests: compares the gradient of each param with central finite differences of\n"
            + what
            + ", one element at a time, with {@code h = step * max(1, |p|)}, and returns\n"
            + "the largest difference relative to {@code max(1, |gradient|)}. The arrays are\n"
            + "restored before it returns.",
        List.of("step the relative step, for example 1e-6 for f64 and 1e-3 for f32"),
        extraDocs,
        "the largest relative difference");
  }

  private void lossGradCheck() {
    gradCheckDoc("the loss, {@code (value(p + h) - value(p - h)) / 2h}", List.of());
    header("double", "gradCheck", List.of(), List.of());
    s.append("    final ")
        .append(resultClass)
        .append(" $r = valueAndGrad(")
        .append(args())
        .append(");\n");
    s.append("    double $worst = 0;\n");
    for (int i = 0; i < grads.size(); i++) {
      probeLoop(i, "$r." + gradNames.get(i), kernel + ".value(" + args() + ")");
    }
    s.append("    return $worst;\n  }\n");
  }

  /**
   * The finite-difference loop over the elements of gradient {@code i}: {@code grad} is the array
   * of the gradient, {@code value} the expression of the function at the probed point.
   */
  private void probeLoop(int i, String grad, String value) {
    String p = paramName(i);
    String elem = scalarType(grads.get(i).type().dtype());
    s.append("    for (int $i = 0; $i < ").append(p).append(".length; $i++) {\n");
    s.append("      final ").append(elem).append(" $saved = ").append(p).append("[$i];\n");
    s.append("      final double $h = step * Math.max(1.0, Math.abs($saved));\n");
    for (String[] side : new String[][] {{"+", "$up"}, {"-", "$down"}}) {
      String point = "$saved " + side[0] + " $h";
      s.append("      ").append(p).append("[$i] = ");
      s.append(elem.equals("double") ? point : "(" + elem + ") (" + point + ")").append(";\n");
      s.append("      final double ").append(side[1]).append("At = ").append(p);
      s.append("[$i];\n");
      s.append("      final double ").append(side[1]).append(" = ").append(value).append(";\n");
    }
    s.append("      ").append(p).append("[$i] = $saved;\n");
    s.append("      final double $g = ").append(grad).append("[$i];\n");
    s.append("      final double $fd = ($up - $down) / ($upAt - $downAt);\n");
    s.append(
        "      $worst = Math.max($worst, Math.abs($fd - $g) / Math.max(1.0, Math.abs($g)));\n");
    s.append("    }\n");
  }

  private void lossResultClass() {
    String ret = lossType();
    s.append(
        "\n  /** The value of the loss and its gradients, as returned by {@code valueAndGrad}. */\n");
    s.append("  public static final class ").append(resultClass).append(" {\n");
    s.append("    /** The loss. */\n");
    s.append("    private final ").append(ret).append(" value;\n");
    gradFields(true);
    s.append("\n    /**\n     * Holds the given arrays, not copies.\n     *\n");
    s.append("     * @param value the loss\n");
    for (int i = 0; i < grads.size(); i++) {
      s.append("     * @param ")
          .append(gradNames.get(i))
          .append(" the gradient with respect to {@code ")
          .append(paramName(i))
          .append("}\n");
    }
    s.append("     */\n");
    s.append("    private ").append(resultClass).append("(").append(ret).append(" value");
    for (int i = 0; i < grads.size(); i++) {
      s.append(", ").append(gradTypes().get(i)).append(' ').append(gradNames.get(i));
    }
    s.append(") {\n      this.value = value;\n");
    for (String g : gradNames) {
      s.append("      this.").append(g).append(" = ").append(g).append(";\n");
    }
    s.append("    }\n\n");
    s.append("    /**\n     * The loss.\n     *\n     * @return the loss\n     */\n");
    s.append("    public ").append(ret).append(" value() {\n      return value;\n    }\n");
    gradAccessors();
    s.append("  }\n");
  }

  /** A result class's gradient fields, each after a blank line but the first unless {@code all}. */
  private void gradFields(boolean all) {
    for (int i = 0; i < grads.size(); i++) {
      s.append(all || i > 0 ? "\n" : "");
      s.append("    /** The gradient with respect to {@code ")
          .append(paramName(i))
          .append("}. */\n");
      s.append("    private final ")
          .append(gradTypes().get(i))
          .append(' ')
          .append(gradNames.get(i))
          .append(";\n");
    }
  }

  /** A result class's accessors of its gradient fields. */
  private void gradAccessors() {
    for (int i = 0; i < grads.size(); i++) {
      arrayAccessor(
          gradTypes().get(i),
          gradNames.get(i),
          "The gradient with respect to {@code " + paramName(i) + "}");
    }
  }

  private void arrayAccessor(String type, String name, String what) {
    s.append("\n    /**\n");
    s.append("     * ").append(what).append(".\n     *\n");
    s.append("     * @return the array this result holds (not a copy)\n     */\n");
    s.append("    public ")
        .append(type)
        .append(' ')
        .append(name)
        .append("() {\n      return ")
        .append(name)
        .append(";\n    }\n");
  }

  // ---------------------------------------------------------------- any other program

  private void forwardValueResult() {
    methodDoc("The results of the program, in new arrays.", List.of(), "the results");
    header(resultClass, "value", List.of(), List.of());
    checks(List.of(), List.of());
    List<String> all = new ArrayList<>(names);
    for (int k = 0; k < outputNames.size(); k++) {
      all.add(allocate(outputNames.get(k), f.result(k).type()));
    }
    s.append("    ").append(kernel).append(".value(").append(String.join(", ", all)).append(");\n");
    s.append("    return new ").append(resultClass).append("(");
    List<String> outs = new ArrayList<>();
    outputNames.forEach(o -> outs.add(LOCAL + o));
    s.append(String.join(", ", outs)).append(");\n  }\n");
  }

  private void forwardValue() {
    methodDoc(
        "The results of the program, written into the given arrays (allocation-free).",
        outputDocs("receives the"),
        null);
    header("void", "value", outputTypes(), outputNames);
    checks(outputNames, resultTypes());
    List<String> all = new ArrayList<>(names);
    all.addAll(outputNames);
    s.append("    ").append(kernel).append(".value(").append(String.join(", ", all)).append(");\n");
    s.append("  }\n");
  }

  private List<String> cotangentTypes() {
    return outputTypes();
  }

  private void vjpGradients() {
    methodDoc(
        """
        The vector-Jacobian product, as {@code torch.autograd.grad(results, params,
        cotangents)}: the gradient of {@code sum(result * cotangent)} over the results with
        respect to each param, in new arrays.""",
        cotangentDocs(),
        "the gradients");
    header(gradientsClass, "vjp", cotangentTypes(), cotangentNames);
    checks(cotangentNames, resultTypes());
    List<String> all = new ArrayList<>(names);
    all.addAll(cotangentNames);
    for (int i = 0; i < grads.size(); i++) {
      all.add(allocate(gradNames.get(i), grads.get(i).type()));
    }
    s.append("    ").append(kernel).append(".vjp(").append(String.join(", ", all)).append(");\n");
    List<String> gs = new ArrayList<>();
    gradNames.forEach(g -> gs.add(LOCAL + g));
    s.append("    return new ").append(gradientsClass).append("(");
    s.append(String.join(", ", gs)).append(");\n  }\n");
  }

  private void vjp() {
    List<String> docs = new ArrayList<>(cotangentDocs());
    docs.addAll(gradDocs());
    methodDoc(
        "The vector-Jacobian product, as {@code torch.autograd.grad(results, params,\n"
            + "cotangents)}, written into the given arrays (allocation-free).",
        docs,
        null);
    List<String> types = new ArrayList<>(cotangentTypes());
    types.addAll(gradTypes());
    List<String> extra = new ArrayList<>(cotangentNames);
    extra.addAll(gradNames);
    header("void", "vjp", types, extra);
    List<Type> extraTypes = new ArrayList<>(resultTypes());
    extraTypes.addAll(gradParamTypes());
    checks(extra, extraTypes);
    List<String> all = new ArrayList<>(names);
    all.addAll(extra);
    s.append("    ").append(kernel).append(".vjp(").append(String.join(", ", all)).append(");\n");
    s.append("  }\n");
  }

  private void vjpGradCheck() {
    gradCheckDoc("{@code sum(result * cotangent)} over the results", cotangentDocs());
    header("double", "gradCheck", cotangentTypes(), cotangentNames);
    List<String> withCotangents = new ArrayList<>(names);
    withCotangents.addAll(cotangentNames);
    String all = String.join(", ", withCotangents);
    s.append("    final ").append(gradientsClass).append(" $r = vjp(").append(all).append(");\n");
    s.append("    double $worst = 0;\n");
    for (int i = 0; i < grads.size(); i++) {
      probeLoop(i, "$r." + gradNames.get(i), "$dot(" + all + ")");
    }
    s.append("    return $worst;\n  }\n");

    s.append(
        "\n  /**\n   * The sum over the results of {@code result * cotangent}, for gradCheck.\n");
    s.append("   *\n");
    for (String n : names) {
      s.append("   * @param ").append(n).append(" an argument\n");
    }
    for (String n : cotangentNames) {
      s.append("   * @param ").append(n).append(" a cotangent\n");
    }
    s.append("   * @return the sum\n   */\n");
    List<String> ps = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      ps.add(params.get(i).type().dtype().javaArrayType() + " " + names.get(i));
    }
    for (int k = 0; k < cotangentNames.size(); k++) {
      ps.add(cotangentTypes().get(k) + " " + cotangentNames.get(k));
    }
    s.append("  private static double $dot(").append(String.join(", ", ps)).append(") {\n");
    s.append("    final ").append(resultClass).append(" $r = value(").append(args()).append(");\n");
    s.append("    double $sum = 0;\n");
    for (int k = 0; k < outputNames.size(); k++) {
      String o = outputNames.get(k);
      s.append("    for (int $j = 0; $j < $r.").append(o).append(".length; $j++) {\n");
      boolean f64 = f.result(k).type().dtype() == DType.F64;
      s.append(f64 ? "      $sum += $r." : "      $sum += (double) $r.")
          .append(o)
          .append("[$j] * ")
          .append(cotangentNames.get(k))
          .append("[$j];\n    }\n");
    }
    s.append("    return $sum;\n  }\n");
  }

  private void forwardResultClass() {
    s.append("\n  /** The results of the program, as returned by {@code value}. */\n");
    s.append("  public static final class ").append(resultClass).append(" {\n");
    for (int k = 0; k < outputNames.size(); k++) {
      s.append(k == 0 ? "" : "\n");
      s.append("    /** The result {@code ").append(outputNames.get(k)).append("}. */\n");
      s.append("    private final ")
          .append(outputTypes().get(k))
          .append(' ')
          .append(outputNames.get(k))
          .append(";\n");
    }
    holderConstructor(resultClass, outputTypes(), outputNames, "the result {@code %s}");
    for (int k = 0; k < outputNames.size(); k++) {
      arrayAccessor(
          outputTypes().get(k),
          outputNames.get(k),
          "The result {@code "
              + outputNames.get(k)
              + "}, "
              + code(f.result(k).type().toString())
              + ", flat in row-major order");
    }
    s.append("  }\n");
  }

  private void gradientsClass() {
    s.append("\n  /** The gradients of the params, as returned by {@code vjp}. */\n");
    s.append("  public static final class ").append(gradientsClass).append(" {\n");
    gradFields(false);
    List<String> whats = new ArrayList<>();
    for (int i = 0; i < grads.size(); i++) {
      whats.add("the gradient with respect to {@code " + paramName(i) + "}");
    }
    holderConstructor(gradientsClass, gradTypes(), gradNames, whats);
    gradAccessors();
    s.append("  }\n");
  }

  private void holderConstructor(
      String cls, List<String> types, List<String> fields, String whatFormat) {
    List<String> whats = new ArrayList<>();
    fields.forEach(n -> whats.add(String.format(whatFormat, n)));
    holderConstructor(cls, types, fields, whats);
  }

  private void holderConstructor(
      String cls, List<String> types, List<String> fields, List<String> whats) {
    s.append("\n    /**\n     * Holds the given arrays, not copies.\n     *\n");
    for (int i = 0; i < fields.size(); i++) {
      s.append("     * @param ")
          .append(fields.get(i))
          .append(' ')
          .append(whats.get(i))
          .append('\n');
    }
    s.append("     */\n");
    List<String> ps = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      ps.add(types.get(i) + " " + fields.get(i));
    }
    s.append("    private ").append(cls).append("(").append(String.join(", ", ps)).append(") {\n");
    for (String n : fields) {
      s.append("      this.").append(n).append(" = ").append(n).append(";\n");
    }
    s.append("    }\n");
  }

  // ---------------------------------------------------------------- names and text

  /** Methods of Object a result's accessor must not override or clash with. */
  private static final Set<String> OBJECT_METHODS =
      Set.of(
          "getClass", "hashCode", "toString", "clone", "finalize", "notify", "notifyAll", "wait");

  /**
   * A Java name for {@code name}, distinct from those {@code taken} (which it joins): itself, or
   * with {@code _} appended while Java reserves it or it is taken.
   */
  private static String unique(String name, Set<String> taken) {
    String n = name;
    if (!SourceVersion.isName(n) || n.equals("_") || OBJECT_METHODS.contains(n)) {
      n = n + "_";
    }
    while (taken.contains(n)) {
      n = n + "_";
    }
    taken.add(n);
    return n;
  }

  /** "1 element" or "N * 3 elements". */
  private static String lengthText(List<Dim> dims) {
    if (dims.isEmpty()) {
      return "1 element";
    }
    List<String> parts = new ArrayList<>();
    long product = 1;
    boolean symbolic = false;
    for (Dim d : dims) {
      parts.add(d.toString());
      if (d.isStatic()) {
        product *= d.size();
      } else {
        symbolic = true;
      }
    }
    if (!symbolic) {
      return product + (product == 1 ? " element" : " elements");
    }
    return code(String.join(" * ", parts)) + " elements";
  }

  /** {@code s} in code font, escaped by {@link #htmlText}. */
  private static String code(String s) {
    return "<code>" + htmlText(s) + "</code>";
  }

  /**
   * Text for a Javadoc comment, shown as written: HTML-escaped, with {@code @}, backslashes (javac
   * reads unicode escapes even in comments) and comment ends as character references.
   */
  static String htmlText(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '@' -> b.append("&#64;");
        case '\\' -> b.append("&#92;");
        case '{' -> b.append("&#123;");
        case '}' -> b.append("&#125;");
        case '/' -> b.append(i > 0 && s.charAt(i - 1) == '*' ? "&#47;" : "/");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
