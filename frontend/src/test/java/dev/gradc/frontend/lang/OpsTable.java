package dev.gradc.frontend.lang;

import dev.gradc.F;
import dev.gradc.Linalg;
import dev.gradc.Tensor;
import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code docs/ops.md}: one row per {@link Op}, every cell computed from the op's constant, the
 * language's builtins, the Java API and reverse mode, so the page cannot drift from the code. The
 * gradient column is the adjoint reverse mode builds for the op alone, taken from the op's golden
 * vjp file and printed as an expression of the output gradient {@code g}, the result {@code y} and
 * the operands.
 */
final class OpsTable {
  private OpsTable() {}

  static final Path DOC = Path.of("../docs/ops.md");
  static final Path GOLDEN_VJP = Path.of("../ir/src/test/resources/golden/vjp");

  /**
   * How users write an op whose name is not its mnemonic (a null name: not at all, see the
   * comment).
   */
  record Surface(String builtin, String javaMethod) {}

  /**
   * The one exclusion list: ops users write under another name, or not at all. Every other op has a
   * builtin named as its mnemonic and a public method of {@link Tensor} or {@link F} named as its
   * mnemonic in camel case.
   */
  static final Map<Op, Surface> SURFACE =
      Map.ofEntries(
          // PyTorch's x.float(), x.double(), x.long() and x.to(dtype)
          Map.entry(Op.CAST, new Surface("float", "to")),
          // inserted by shape inference wherever operands broadcast; users write expand
          Map.entry(Op.BROADCAST, new Surface(null, null)),
          // the adjoint of broadcast, made by reverse mode; PyTorch's Tensor.sum_to_size
          Map.entry(Op.SUM_TO, new Surface("sum_to_size", null)),
          // the element count mean's gradient divides by; PyTorch's numel() is a Python int
          Map.entry(Op.NUMEL, new Surface(null, null)),
          // written x[a:b:c] in .grad (narrow and select are its builtins); aten's slice in Java
          Map.entry(Op.SLICE, new Surface("narrow", "slice")),
          // the adjoint of slice, made by reverse mode
          Map.entry(Op.SLICE_BACKWARD, new Surface(null, null)),
          // (values, indices) in Java: Tensor.cummax and Tensor.cummin return a ValuesIndices
          Map.entry(Op.CUMMAX, new Surface("cummax", null)),
          Map.entry(Op.CUMMIN, new Surface("cummin", null)),
          // the indices of cummax's and cummin's (values, indices), made by the same call
          Map.entry(Op.CUMMAX_INDICES, new Surface(null, null)),
          Map.entry(Op.CUMMIN_INDICES, new Surface(null, null)),
          Map.entry(Op.TOPK_ORDER, new Surface(null, null)),
          // part 0, the singular values: torch.linalg.svdvals (Linalg.svdvals in Java); U and Vh
          // are made by reverse mode
          Map.entry(Op.SVD, new Surface("svdvals", "svdvals")),
          Map.entry(Op.KTHVALUE_ORDER, new Surface(null, null)));

  static Surface surface(Op op) {
    return SURFACE.getOrDefault(op, new Surface(op.mnemonic(), camelCase(op.mnemonic())));
  }

  /**
   * The class of the Java API ({@link Tensor}, {@link F}, {@link Linalg}) that has a public method
   * {@code name} returning a Tensor, or null.
   */
  static Class<?> apiClass(String name) {
    for (Class<?> c : List.of(Tensor.class, F.class, Linalg.class)) {
      for (Method m : c.getMethods()) {
        if (m.getName().equals(name)
            && Modifier.isPublic(m.getModifiers())
            && m.getReturnType() == Tensor.class) {
          return c;
        }
      }
    }
    return null;
  }

  static String camelCase(String mnemonic) {
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

  static Path goldenVjp(Op op) {
    return GOLDEN_VJP.resolve("op_" + op.mnemonic() + ".ir");
  }

  private static final String HEADER =
      """
      # The ops of the IR

      Generated from the `Op` table (`ir/src/main/java/dev/gradc/ir/Op.java`) by `OpCoverageTest`,
      which fails when this page differs from the code; rewrite it with
      `mvn -B -ntp -q -pl frontend -am test -Dtest=OpCoverageTest -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.update=true`.
      [Adding an op](adding-an-op.md) walks through adding a row.

      - **kind**: what the op does to the iteration space (`Op.Kind`); a reduction shows its
        combine and identity, a normalization its `Op.Normalization`, a structural op its
        `Op.Structure`.
      - **PyTorch**: the function the op stands for; **grad_fn**: the names PyTorch records
        (`Tensor.gradFn()` prints the same).
      - **.grad**: the builtin of the `.grad` language, as a function and/or a tensor method;
        **Java API**: the method of `dev.gradc.Tensor` or `dev.gradc.F`.
      - **gradient**: the adjoint reverse mode builds for the op alone (`Rules`), on the operands
        and shapes of its golden vjp file `ir/src/test/resources/golden/vjp/op_<op>.ir`: `g` is
        the gradient of the op's result, `d<x>` the gradient of operand `x`; `-` where the
        gradient is zero.

      | op | kind | PyTorch | grad_fn | .grad | Java API | gradient |
      |---|---|---|---|---|---|---|
      """;

  /** The whole page. */
  static String markdown() throws IOException {
    StringBuilder s = new StringBuilder();
    s.append(HEADER);
    for (Op op : Op.values()) {
      Surface sf = surface(op);
      Builtin b = sf.builtin() == null ? null : Builtins.lookup(sf.builtin());
      Class<?> api = sf.javaMethod() == null ? null : apiClass(sf.javaMethod());
      s.append("| `")
          .append(op.mnemonic())
          .append("` | ")
          .append(kind(op))
          .append(" | ")
          .append(b == null ? "-" : code(pytorchName(b, api)))
          .append(" | ")
          .append(op.gradFnNames().isEmpty() ? "-" : String.join(", ", op.gradFnNames()))
          .append(" | ")
          .append(b == null ? "-" : builtinForms(b))
          .append(" | ")
          .append(api == null ? "-" : code(api.getSimpleName() + "." + sf.javaMethod()))
          .append(" | ")
          .append(gradient(op))
          .append(" |\n");
    }
    return s.toString();
  }

  private static String code(String s) {
    return "`" + s + "`";
  }

  private static String kind(Op op) {
    String k = op.kind().name().toLowerCase(Locale.ROOT);
    return switch (op.kind()) {
      case ELEMENTWISE -> k;
      case NORMALIZE -> k + " (" + op.normalization().name().toLowerCase(Locale.ROOT) + ")";
      case REDUCTION -> {
        Op.Reduction r = op.reduction();
        yield k
            + " ("
            + r.combine().name().toLowerCase(Locale.ROOT)
            + " from "
            + number(r.identity())
            + (r.finish() == Op.Reduction.Finish.DIVIDE_BY_COUNT ? ", / count" : "")
            + ")";
      }
      case STRUCTURAL -> k + " (" + op.structure().name().toLowerCase(Locale.ROOT) + ")";
    };
  }

  /** PyTorch's function: {@code torch.nn.functional} for what the Java API has on {@link F}. */
  private static String pytorchName(Builtin b, Class<?> api) {
    if (api == F.class) {
      return "torch.nn.functional." + b.name();
    }
    if (api == Linalg.class) {
      return "torch.linalg." + b.name();
    }
    return (b.forms().function() ? "torch." : "Tensor.") + b.name();
  }

  private static String builtinForms(Builtin b) {
    List<String> forms = new ArrayList<>();
    if (b.forms().function()) {
      forms.add(code(b.name() + "(...)"));
    }
    if (b.forms().method()) {
      forms.add(code("x." + b.name() + "(...)"));
    }
    return String.join(", ", forms);
  }

  /** The op's adjoint, one {@code d<operand> = ...} per operand that requires grad. */
  static String gradient(Op op) throws IOException {
    if (!op.isDifferentiable()) {
      return "-";
    }
    Func alone = alone(op);
    Func vjp = Autodiff.vjp(alone, true);
    String[] text = new String[vjp.valueCount()];
    boolean[] atomic = new boolean[vjp.valueCount()];
    for (Param p : vjp.params()) {
      text[p.id()] = p.name().equals(Autodiff.GRAD_OUTPUT) ? "g" : p.name();
      atomic[p.id()] = true;
    }
    for (Inst inst : vjp.insts()) {
      atomic[inst.id()] = !(INFIX.containsKey(inst.op()) || inst.op() == Op.NEG);
      text[inst.id()] = expression(inst, text, atomic);
    }
    List<String> parts = new ArrayList<>();
    int k = 1;
    for (Param p : alone.params()) {
      if (p.requiresGrad()) {
        parts.add(code("d" + p.name() + " = " + operand(vjp.result(k++), text, atomic, false)));
      }
    }
    return String.join(", ", parts);
  }

  /** The op's golden forward function cut after the op: its result is the op's value. */
  private static Func alone(Op op) throws IOException {
    String file = Files.readString(goldenVjp(op), StandardCharsets.UTF_8);
    Func f = Parser.parse(file.substring(0, file.indexOf(";; ==== ")));
    Builder b = new Builder(f.name());
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), p.type(), p.role());
    }
    for (Inst inst : f.insts()) {
      map[inst.id()] = b.emitLike(inst, Builder.mapped(inst.operands(), map));
      if (inst.op() == op) {
        b.ret(map[inst.id()]);
        return b.build();
      }
    }
    throw new IllegalStateException(goldenVjp(op) + " does not contain " + op.mnemonic());
  }

  private static final Map<Op, String> INFIX =
      Map.of(Op.ADD, " + ", Op.SUB, " - ", Op.MUL, " * ", Op.DIV, " / ");

  private static String expression(Inst inst, String[] text, boolean[] atomic) {
    Op op = inst.op();
    if (INFIX.containsKey(op)) {
      return operand(inst.operand(0), text, atomic, true)
          + INFIX.get(op)
          + operand(inst.operand(1), text, atomic, true);
    }
    if (op == Op.NEG) {
      return "-" + operand(inst.operand(0), text, atomic, true);
    }
    List<String> args = new ArrayList<>();
    for (Value v : inst.operands()) {
      args.add(operand(v, text, atomic, false));
    }
    if (inst.dimCount() > 0) {
      args.add("dims=" + Arrays.toString(inst.dims()));
    }
    if (inst.keepdim()) {
      args.add("keepdim");
    }
    if (op == Op.CAST) {
      args.add(inst.type().dtype().mnemonic());
    } else if (op.kind() == Op.Kind.STRUCTURAL && !op.hasDims() && op != Op.MATMUL) {
      args.add(inst.type().dims().toString());
    }
    return op.mnemonic() + "(" + String.join(", ", args) + ")";
  }

  private static String operand(Value v, String[] text, boolean[] atomic, boolean wrap) {
    if (v instanceof Lit l) {
      return number(l.value());
    }
    String t = text[v.id()];
    return wrap && !atomic[v.id()] ? "(" + t + ")" : t;
  }

  private static String number(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
