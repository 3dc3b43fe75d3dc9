package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Args.CallArg;
import dev.gradc.frontend.lang.Val.Located;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Origin;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.ad.Transforms;
import dev.gradc.ir.ad.Vmap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code torch.func}'s transforms of a {@code def} in {@code .grad} programs, as {@code functorch}
 * names them in PyTorch 1.13: {@code grad}, {@code vmap}, {@code jacrev}, {@code jacfwd} and {@code
 * hessian}. {@code grad(f)} is a value that records the transform ({@link Val.Transformed});
 * calling it runs the def once on arguments of the shapes it sees inside every {@code vmap} (slices
 * of the real ones), makes a function of the IR of what it computed (the def's parameters, then
 * every tensor the body reads from outside it, which no transform differentiates or batches),
 * rewrites that function with {@link Transforms} and {@link Vmap} from the innermost transform out,
 * and inlines the result where it is called. The instructions of the traced run stay behind unused
 * until the program is built, which drops them ({@link Tracer#tracedOnly}).
 */
final class FuncTransforms {
  private FuncTransforms() {}

  /** The transforms, by their PyTorch names. */
  static final Set<String> NAMES =
      Set.of("grad", "vmap", "jacrev", "jacfwd", "hessian", "jvp", "vjp");

  /**
   * One transform. {@code argnums} for the differentiating ones ({@code tuple}: written as a tuple,
   * so the result is one too); {@code inDims} and {@code outDims} for {@code vmap}, one entry per
   * argument or result, or a single entry for all ({@code inAll}, {@code outAll}); an entry may be
   * null (not batched).
   */
  record Step(
      String name,
      List<Integer> argnums,
      boolean tuple,
      List<Integer> inDims,
      boolean inAll,
      List<Integer> outDims,
      boolean outAll) {}

  /** Runs a def's body with its parameters bound to the given tensors; returns what it returned. */
  interface Tracer {
    Val trace(Val.UserFunction f, List<Value> args, SourcePos at);

    /**
     * Instructions {@code [from, to)} of the builder (by position) were emitted for tracing only;
     * those the program does not use can go.
     */
    void tracedOnly(int from, int to);
  }

  /** {@code name(f, ...)}: {@code f} with one more transform outside the ones it has. */
  static Val.Transformed wrap(String name, List<CallArg> args, SourcePos at) {
    if (args.isEmpty() || args.get(0).keyword() != null) {
      throw new GradcException(
          name + "() missing its first argument, the function to transform", at);
    }
    Located f = args.get(0).value();
    Val.UserFunction def;
    List<Step> steps = new ArrayList<>();
    if (f.val() instanceof Val.UserFunction u) {
      def = u;
    } else if (f.val() instanceof Val.Transformed t) {
      def = t.def();
      steps.addAll(t.steps());
    } else {
      throw new GradcException(
          name
              + "() transforms a function defined with 'def' (or one transformed already), not a "
              + f.val().typeName(),
          f.pos());
    }
    steps.add(0, name.equals("vmap") ? vmapStep(args) : differentiating(name, args));
    return new Val.Transformed(def, List.copyOf(steps));
  }

  private static Step differentiating(String name, List<CallArg> args) {
    Located argnums = null;
    for (int i = 1; i < args.size(); i++) {
      CallArg a = args.get(i);
      String k = a.keyword() == null ? (i == 1 ? "argnums" : null) : a.keyword();
      if (k == null) {
        throw new GradcException(
            name + "() takes the function and argnums by position", a.value().pos());
      }
      switch (k) {
        case "argnums" -> argnums = a.value();
        case "has_aux" -> noAux(name, a, "the loss");
        default ->
            throw new GradcException(
                name
                    + "() got an unexpected keyword argument '"
                    + k
                    + "'"
                    + Diagnostics.suggestion(k, List.of("argnums", "has_aux")),
                a.keywordPos());
      }
    }
    if (argnums == null) {
      return new Step(name, List.of(0), false, null, false, null, false);
    }
    List<Integer> nums = dims(name, "argnums", argnums, false);
    if (nums.isEmpty()) {
      throw new GradcException(name + "(): argnums must be non-empty", argnums.pos());
    }
    return new Step(
        name, List.copyOf(nums), argnums.val() instanceof Val.Seq, null, false, null, false);
  }

  private static Step vmapStep(List<CallArg> args) {
    Located in = null;
    Located out = null;
    for (int i = 1; i < args.size(); i++) {
      CallArg a = args.get(i);
      String k =
          a.keyword() != null ? a.keyword() : i == 1 ? "in_dims" : i == 2 ? "out_dims" : null;
      if (k == null) {
        throw new GradcException(
            "vmap() takes the function, in_dims and out_dims by position", a.value().pos());
      }
      switch (k) {
        case "in_dims" -> in = a.value();
        case "out_dims" -> out = a.value();
        case "randomness", "chunk_size" -> {
          // no random ops and one batch at a time: the results do not depend on either
        }
        default ->
            throw new GradcException(
                "vmap() got an unexpected keyword argument '"
                    + k
                    + "'"
                    + Diagnostics.suggestion(
                        k, List.of("in_dims", "out_dims", "randomness", "chunk_size")),
                a.keywordPos());
      }
    }
    List<Integer> inDims = in == null ? List.of(0) : dims("vmap", "in_dims", in, true);
    List<Integer> outDims = out == null ? List.of(0) : dims("vmap", "out_dims", out, false);
    boolean inAll = in == null || !(in.val() instanceof Val.Seq);
    boolean outAll = out == null || !(out.val() instanceof Val.Seq);
    return new Step("vmap", null, false, inDims, inAll, outDims, outAll);
  }

  /** {@code has_aux}: False (an auxiliary result is not supported); {@code what} to return. */
  private static void noAux(String fn, CallArg a, String what) {
    if (!(a.value().val() instanceof Val.Num n && n.integral() && n.i() == 0)) {
      throw new GradcException(
          fn + "(): has_aux=True is not supported; return " + what + " alone", a.keywordPos());
    }
  }

  /** An int, or a tuple or list of ints (with None where {@code none} allows it). */
  private static List<Integer> dims(String fn, String what, Located v, boolean none) {
    List<Located> items = v.val() instanceof Val.Seq s ? s.items() : List.of(v);
    List<Integer> out = new ArrayList<>();
    for (Located item : items) {
      if (item.val() instanceof Val.Num n && n.kind() == Val.Num.NumKind.INT) {
        out.add(Math.toIntExact(n.i()));
      } else if (none && item.val() instanceof Val.Nothing) {
        out.add(null);
      } else {
        throw new GradcException(
            fn
                + "(): "
                + what
                + " must be an int"
                + (none ? ", None" : "")
                + " or a tuple of them, got "
                + item.val().typeName(),
            item.pos());
      }
    }
    return out;
  }

  /** Calls a transformed def on tensors: traces it, transforms the trace, inlines the result. */
  static Val call(Builder b, Val.Transformed t, List<Located> args, SourcePos at, Tracer tracer) {
    Traced r = trace(b, t.def(), t.steps(), args, at, tracer);
    return r.shape().build(b.inline(r.f(), r.inputs()).iterator(), at);
  }

  /** A def traced and transformed: the function, how its results nest, and its inputs. */
  private record Traced(Func f, Shape shape, List<Value> inputs) {}

  /**
   * {@code jvp(f, primals, tangents)} ({@code functorch.jvp}): the results of {@code f} (a def,
   * possibly transformed) at the primals and their tangents along the tangents, as a pair.
   */
  static Val jvp(Builder b, List<CallArg> args, SourcePos at, Tracer tracer) {
    Located f = null;
    Located primals = null;
    Located tangents = null;
    for (int i = 0; i < args.size(); i++) {
      CallArg a = args.get(i);
      String k =
          a.keyword() != null
              ? a.keyword()
              : i == 0 ? "func" : i == 1 ? "primals" : i == 2 ? "tangents" : null;
      if (k == null) {
        throw new GradcException(
            "jvp() takes the function, primals and tangents by position", a.value().pos());
      }
      switch (k) {
        case "func" -> f = a.value();
        case "primals" -> primals = a.value();
        case "tangents" -> tangents = a.value();
        case "strict" -> {
          // tangents that do not reach a result are zeros either way
        }
        case "has_aux" -> noAux("jvp", a, "the results");
        default ->
            throw new GradcException(
                "jvp() got an unexpected keyword argument '"
                    + k
                    + "'"
                    + Diagnostics.suggestion(
                        k, List.of("func", "primals", "tangents", "strict", "has_aux")),
                a.keywordPos());
      }
    }
    if (f == null || primals == null || tangents == null) {
      throw new GradcException(
          "jvp() missing "
              + (f == null ? "the function" : primals == null ? "primals" : "tangents")
              + ": jvp(func, primals, tangents)",
          at);
    }
    Val.Transformed t = transformed("jvp", f);
    List<Located> ps = tuple("primals", primals);
    List<Located> ts = tuple("tangents", tangents);
    if (ps.size() != ts.size()) {
      throw new GradcException(
          "jvp: Expected primals and tangents to have the same python structure: "
              + ps.size()
              + " primals, "
              + ts.size()
              + " tangents",
          tangents.pos());
    }
    Traced r = trace(b, t.def(), t.steps(), ps, at, tracer);
    int n = ps.size();
    Func pushed = Autodiff.jvp(r.f(), r.f().params().subList(0, n));
    List<Value> in = new ArrayList<>(r.inputs());
    for (int i = 0; i < n; i++) {
      Located tangent = ts.get(i);
      Type want = r.inputs().get(i).type();
      if (!(tangent.val() instanceof Val.Tensor tv) || !tv.value().type().equals(want)) {
        throw new GradcException(
            "jvp: tangent "
                + i
                + " must be a tensor of its primal's dtype and shape, "
                + want
                + ", got "
                + (tangent.val() instanceof Val.Tensor tv2
                    ? tv2.value().type().toString()
                    : tangent.val().typeName()),
            tangent.pos());
      }
      in.add(tv.value());
    }
    List<Value> out = b.inline(pushed, in);
    int m = out.size() / 2;
    Val value = r.shape().build(out.subList(0, m).iterator(), at);
    Val tangent = r.shape().build(out.subList(m, out.size()).iterator(), at);
    return new Val.Seq(List.of(new Located(value, at), new Located(tangent, at)), true);
  }

  /**
   * {@code vjp(f, *primals)} ({@code functorch.vjp}): the results of {@code f} (a def, possibly
   * transformed) at the primals, and the function that maps cotangents of them (nested as the
   * results) to one gradient per primal.
   */
  static Val vjp(Builder b, List<CallArg> args, SourcePos at, Tracer tracer) {
    if (args.isEmpty() || args.get(0).keyword() != null) {
      throw new GradcException("vjp() missing its first argument, the function", at);
    }
    Located f = args.get(0).value();
    List<Located> primals = new ArrayList<>();
    for (CallArg a : args.subList(1, args.size())) {
      if (a.keyword() == null) {
        primals.add(a.value());
      } else if (a.keyword().equals("has_aux")) {
        noAux("vjp", a, "the results");
      } else {
        throw new GradcException(
            "vjp() got an unexpected keyword argument '" + a.keyword() + "'", a.keywordPos());
      }
    }
    Val.Transformed t = transformed("vjp", f);
    Traced r = trace(b, t.def(), t.steps(), primals, at, tracer);
    Val output = r.shape().build(b.inline(r.f(), r.inputs()).iterator(), at);
    int[] all = new int[primals.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    Func back = Autodiff.vjp(Transforms.withRoles(r.f(), all), true);
    Val pull =
        new Val.Pullback(back, r.inputs(), r.f().results().size(), primals.size(), r.shape());
    return new Val.Seq(List.of(new Located(output, at), new Located(pull, at)), true);
  }

  /** Calls the function {@link #vjp} returned: the gradients of the primals, a tuple. */
  static Val pull(Builder b, Val.Pullback p, List<Located> args, SourcePos at) {
    if (args.size() != 1) {
      throw new GradcException(
          "the function vjp returned takes the cotangents as one argument, nested as the results;"
              + " got "
              + args.size(),
          at);
    }
    List<Value> cotangents = new ArrayList<>();
    p.shape().leaves(args.get(0), cotangents);
    List<Value> in = new ArrayList<>(p.inputs());
    for (int k = 0; k < cotangents.size(); k++) {
      Type want = p.back().params().get(p.inputs().size() + k).type();
      if (!cotangents.get(k).type().equals(want)) {
        throw new GradcException(
            "vjp: cotangent "
                + k
                + " must have its result's dtype and shape, "
                + want
                + ", got "
                + cotangents.get(k).type(),
            args.get(0).pos());
      }
      in.add(cotangents.get(k));
    }
    List<Value> out = b.inline(p.back(), in);
    List<Located> grads = new ArrayList<>();
    for (Value g : out.subList(p.results(), p.results() + p.primals())) {
      grads.add(new Located(new Val.Tensor(g), at));
    }
    return new Val.Seq(grads, true);
  }

  /** {@code f} as a transformed def (with no transforms when it is a plain def). */
  private static Val.Transformed transformed(String fn, Located f) {
    if (f.val() instanceof Val.UserFunction u) {
      return new Val.Transformed(u, List.of());
    }
    if (f.val() instanceof Val.Transformed t) {
      return t;
    }
    throw new GradcException(
        fn
            + "() takes a function defined with 'def' (or one transformed already), not a "
            + f.val().typeName(),
        f.pos());
  }

  private static List<Located> tuple(String what, Located v) {
    if (!(v.val() instanceof Val.Seq s)) {
      throw new GradcException(
          "jvp: Expected " + what + " to be a tuple of tensors, got " + v.val().typeName(),
          v.pos());
    }
    return s.items();
  }

  private static Traced trace(
      Builder b,
      Val.UserFunction def,
      List<Step> steps,
      List<Located> args,
      SourcePos at,
      Tracer tracer) {
    Val.Transformed t = new Val.Transformed(def, steps);
    String fn = t.def().name() + "()";
    List<Value> actual = new ArrayList<>();
    for (Located a : args) {
      if (!(a.val() instanceof Val.Tensor x)) {
        throw new GradcException(
            "the arguments of a transformed function are tensors; "
                + fn
                + " got a "
                + a.val().typeName(),
            a.pos());
      }
      actual.add(x.value());
    }
    if (actual.size() != t.def().params().size()) {
      throw new GradcException(
          fn + " takes " + t.def().params().size() + " arguments, got " + actual.size(), at);
    }
    // the arguments' types inside each vmap, from the outermost in
    List<Type> types = new ArrayList<>();
    for (Value a : actual) {
      types.add(a.type());
    }
    List<List<Integer>> inDims = new ArrayList<>();
    List<Dim> batches = new ArrayList<>();
    int from = b.size();
    List<Value> slices = new ArrayList<>(actual);
    for (Step s : t.steps()) {
      if (!s.name().equals("vmap")) {
        inDims.add(null);
        batches.add(null);
        continue;
      }
      List<Integer> ds = perArgument(s, types.size(), at);
      Dim batch = null;
      for (int i = 0; i < types.size(); i++) {
        Integer d = ds.get(i);
        if (d == null) {
          continue;
        }
        Type ty = types.get(i);
        if (d < -ty.rank() || d >= Math.max(ty.rank(), 1) || ty.rank() == 0) {
          throw new GradcException(
              "vmap: in_dims["
                  + i
                  + "] is "
                  + d
                  + ", but argument "
                  + i
                  + " of "
                  + fn
                  + " has "
                  + ty.rank()
                  + " dims",
              args.get(i).pos());
        }
        int dim = Builder.normalizeDim(d, ty.rank());
        Dim size = ty.dim(dim);
        if (batch != null && !batch.equals(size)) {
          throw new GradcException(
              "vmap: Expected all tensors to have the same size in the mapped dimension, got both "
                  + batch
                  + " and "
                  + size
                  + " for the mapped dimension",
              args.get(i).pos());
        }
        batch = size;
        List<Dim> rest = new ArrayList<>(ty.dims());
        rest.remove(dim);
        types.set(i, new Type(ty.dtype(), rest));
        slices.set(i, without(b, slices.get(i), dim));
      }
      if (batch == null) {
        throw new GradcException(
            "vmap: at least one argument must be batched, but in_dims has None for all", at);
      }
      inDims.add(ds);
      batches.add(batch);
    }
    // fresh values of the innermost types: distinct even where one tensor is passed twice
    List<Value> placeholders = new ArrayList<>();
    for (int i = 0; i < slices.size(); i++) {
      placeholders.add(
          b.emit(Op.RESHAPE, types.get(i), new Value[] {slices.get(i)}, new int[0], false));
    }
    int mark = b.params().size() + b.size();
    Val returned = tracer.trace(t.def(), placeholders, at);
    List<Value> results = new ArrayList<>();
    Shape shape = resultShape(returned, results, fn, at);
    List<Value> captured = new ArrayList<>();
    Func f = extract(b, t.def(), placeholders, mark, results, captured);
    tracer.tracedOnly(from, b.size());
    for (int k = t.steps().size() - 1; k >= 0; k--) {
      Step s = t.steps().get(k);
      f = apply(s, f, actual.size(), inDims.get(k), batches.get(k), at);
      shape = shape.after(s);
    }
    List<Value> in = new ArrayList<>(actual);
    in.addAll(captured);
    return new Traced(f, shape, in);
  }

  /**
   * A value of {@code x}'s type without dim {@code d}, for tracing only (its elements are never
   * used): a sum over {@code d}, which, unlike a slice, any size of {@code d} allows.
   */
  private static Value without(Builder b, Value x, int d) {
    DType dt = x.type().dtype();
    Value summed =
        b.reduce(Op.SUM, dt == DType.BOOL ? b.cast(x, DType.I64) : x, new int[] {d}, false);
    return b.cast(summed, dt);
  }

  private static List<Integer> perArgument(Step s, int n, SourcePos at) {
    if (s.inAll()) {
      return Collections.nCopies(n, s.inDims().get(0));
    }
    if (s.inDims().size() != n) {
      throw new GradcException(
          "vmap: in_dims has "
              + s.inDims().size()
              + " entries, but the function takes "
              + n
              + " arguments",
          at);
    }
    return s.inDims();
  }

  private static Func apply(
      Step s, Func f, int arguments, List<Integer> inDims, Dim batch, SourcePos at) {
    int[] argnums = new int[s.argnums() == null ? 0 : s.argnums().size()];
    for (int i = 0; i < argnums.length; i++) {
      argnums[i] = s.argnums().get(i);
    }
    if (s.argnums() != null) {
      for (int a : argnums) {
        if (a < 0 || a >= arguments) {
          throw new GradcException(
              s.name() + ": Got argnums=" + a + ", but only " + arguments + " positional inputs",
              at);
        }
      }
    }
    return switch (s.name()) {
      case "grad" -> Transforms.grad(f, argnums);
      case "jacrev" -> Transforms.jacrev(f, argnums);
      case "jacfwd" -> Transforms.jacfwd(f, argnums);
      case "hessian" -> Transforms.hessian(f, argnums);
      default -> {
        List<Integer> all = new ArrayList<>(inDims);
        all.addAll(Collections.nCopies(f.params().size() - arguments, null));
        List<Integer> outDims =
            s.outAll() ? Collections.nCopies(f.results().size(), s.outDims().get(0)) : s.outDims();
        yield Vmap.vmap(f, all, outDims, batch);
      }
    };
  }

  /**
   * The function of the instructions that compute {@code results} from the placeholders, emitted
   * since id {@code mark}: its parameters are the placeholders, then the values from before the
   * mark that those instructions read ({@code captured}, in id order).
   */
  private static Func extract(
      Builder b,
      Val.UserFunction def,
      List<Value> placeholders,
      int mark,
      List<Value> results,
      List<Value> captured) {
    Map<Value, Integer> argument = new IdentityHashMap<>();
    for (int i = 0; i < placeholders.size(); i++) {
      argument.put(placeholders.get(i), i);
    }
    Map<Value, Boolean> seen = new IdentityHashMap<>();
    List<Inst> body = new ArrayList<>();
    Deque<Value> todo = new ArrayDeque<>(results);
    while (!todo.isEmpty()) {
      Value v = todo.pop();
      if (v instanceof Lit || seen.put(v, Boolean.TRUE) != null) {
        continue;
      }
      if (argument.containsKey(v)) {
        continue;
      }
      if (v.id() >= mark && v instanceof Inst inst) {
        body.add(inst);
        todo.addAll(inst.operands());
      } else {
        captured.add(v);
      }
    }
    body.sort(Comparator.comparingInt(Value::id));
    captured.sort(Comparator.comparingInt(Value::id));
    Builder fb = new Builder(def.name());
    Map<Value, Value> map = new IdentityHashMap<>();
    for (int i = 0; i < placeholders.size(); i++) {
      map.put(placeholders.get(i), fb.input(def.params().get(i), placeholders.get(i).type()));
    }
    for (int k = 0; k < captured.size(); k++) {
      map.put(captured.get(k), fb.input("captured" + k + "_" + def.name(), captured.get(k).type()));
    }
    Function<Value, Value> mapped = v -> v instanceof Lit ? v : map.get(v);
    for (Inst inst : body) {
      Value[] operands = new Value[inst.operands().size()];
      for (int i = 0; i < operands.length; i++) {
        operands[i] = mapped.apply(inst.operand(i));
      }
      fb.at(b.origin(inst));
      map.put(inst, fb.emitLike(inst, operands));
    }
    fb.at((Origin) null);
    Value[] out = new Value[results.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = mapped.apply(results.get(k));
    }
    fb.ret(out);
    return fb.build();
  }

  private static Shape resultShape(Val returned, List<Value> results, String fn, SourcePos at) {
    if (returned instanceof Val.Tensor x) {
      results.add(x.value());
      return Shape.LEAF;
    }
    if (returned instanceof Val.Seq s) {
      List<Shape> items = new ArrayList<>();
      for (Located item : s.items()) {
        if (!(item.val() instanceof Val.Tensor x)) {
          throw new GradcException(
              "a transformed function returns tensors or a tuple of them; "
                  + fn
                  + " returned a "
                  + item.val().typeName()
                  + " in its tuple",
              item.pos());
        }
        results.add(x.value());
        items.add(Shape.LEAF);
      }
      return new Shape(items);
    }
    throw new GradcException(
        "a transformed function returns tensors or a tuple of them; "
            + fn
            + " returned a "
            + returned.typeName(),
        at);
  }

  /**
   * How a transformed function's results nest: a tensor ({@code items} null) or a tuple. The IR
   * function returns the leaves in order; its transforms keep that order (result-major, then
   * argument), so each transform maps the nesting as {@code torch.func} does.
   */
  record Shape(List<Shape> items) {
    static final Shape LEAF = new Shape(null);

    /** The nesting after {@code s}; nests at most one level deeper per transform. */
    Shape after(Step s) {
      return switch (s.name()) {
        case "vmap" -> this;
        case "grad" -> blocks(s);
        case "hessian" ->
            s.tuple() ? new Shape(Collections.nCopies(s.argnums().size(), blocks(s))) : LEAF;
        default -> withLeaves(blocks(s)); // jacrev, jacfwd: one block per result and argument
      };
    }

    private static Shape blocks(Step s) {
      return s.tuple() ? new Shape(Collections.nCopies(s.argnums().size(), LEAF)) : LEAF;
    }

    private Shape withLeaves(Shape leaf) {
      if (items == null) {
        return leaf;
      }
      List<Shape> out = new ArrayList<>();
      for (Shape item : items) {
        out.add(item.withLeaves(leaf));
      }
      return new Shape(out);
    }

    /** The tensors of {@code v}, which must nest as this shape, in order. */
    void leaves(Located v, List<Value> out) {
      if (items == null) {
        if (!(v.val() instanceof Val.Tensor t)) {
          throw new GradcException(
              "vjp: expected a tensor cotangent, got " + v.val().typeName(), v.pos());
        }
        out.add(t.value());
        return;
      }
      if (!(v.val() instanceof Val.Seq s) || s.items().size() != items.size()) {
        throw new GradcException(
            "vjp: expected the cotangents as a tuple of "
                + items.size()
                + ", nested as the results",
            v.pos());
      }
      for (int i = 0; i < items.size(); i++) {
        items.get(i).leaves(s.items().get(i), out);
      }
    }

    /** The values of the leaves, taken in order, nested as this shape. */
    Val build(Iterator<Value> leaves, SourcePos at) {
      if (items == null) {
        return new Val.Tensor(leaves.next());
      }
      List<Located> out = new ArrayList<>();
      for (Shape item : items) {
        out.add(new Located(item.build(leaves, at), at));
      }
      return new Val.Seq(out, true);
    }
  }
}
