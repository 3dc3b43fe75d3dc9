package dev.gradc.frontend.lang;

import static dev.gradc.frontend.lang.Builtin.Forms.BOTH;
import static dev.gradc.frontend.lang.Builtin.Forms.FUNCTION;
import static dev.gradc.frontend.lang.Builtin.Forms.METHOD;
import static dev.gradc.frontend.lang.Builtin.Kind.ANY;
import static dev.gradc.frontend.lang.Builtin.Kind.BOOL;
import static dev.gradc.frontend.lang.Builtin.Kind.DIMS;
import static dev.gradc.frontend.lang.Builtin.Kind.DTYPE;
import static dev.gradc.frontend.lang.Builtin.Kind.INT;
import static dev.gradc.frontend.lang.Builtin.Kind.NUMBER;
import static dev.gradc.frontend.lang.Builtin.Kind.NUMBER_OR_BOOL;
import static dev.gradc.frontend.lang.Builtin.Kind.OPERAND;
import static dev.gradc.frontend.lang.Builtin.Kind.SHAPE;
import static dev.gradc.frontend.lang.Builtin.Kind.STRING;
import static dev.gradc.frontend.lang.Builtin.Kind.TENSOR;

import dev.gradc.frontend.Gathering;
import dev.gradc.frontend.Indexing;
import dev.gradc.frontend.Joining;
import dev.gradc.frontend.lang.Builtin.Body;
import dev.gradc.frontend.lang.Builtin.Forms;
import dev.gradc.frontend.lang.Builtin.Kind;
import dev.gradc.frontend.lang.Builtin.Param;
import dev.gradc.ir.Activations;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Distances;
import dev.gradc.ir.Einsum;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.LinearAlgebra;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Losses;
import dev.gradc.ir.MathFunctions;
import dev.gradc.ir.Op;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Statistics;
import dev.gradc.ir.Svd;
import dev.gradc.ir.Type;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The table of built-in functions, with PyTorch's names, parameter names and defaults. Each entry
 * maps a call to {@link Builder} operations; the builder supplies promotion, broadcasting, folding
 * and shape errors. Checks here cover what PyTorch rejects but the builder would accept (the mean
 * of integers, matmul of mixed dtypes, ...).
 */
final class Builtins {
  private Builtins() {}

  private static final Val NONE = new Val.Nothing();
  private static final Map<String, Builtin> TABLE = new LinkedHashMap<>();

  /** The {@code reduction=} option of the losses: {@code "mean"} (the default), "sum" or "none". */
  private static final Param REDUCTION = opt("reduction", STRING, new Val.Str("mean"));

  /** The {@code ignore_index=} option of the class-index losses: PyTorch's -100. */
  private static final Param IGNORE_INDEX =
      opt("ignore_index", INT, Val.Num.ofInt(Losses.IGNORE_INDEX));

  private static final Val FALSE = Val.Num.ofBool(false);
  private static final Val TRUE = Val.Num.ofBool(true);

  /** The tensor properties ({@code x.T}), which are read without a call. */
  static final Set<String> PROPERTIES = Set.of("T", "mT");

  static {
    for (Op op :
        List.of(
            Op.NEG,
            Op.ABS,
            Op.SIGN,
            Op.EXP,
            Op.EXPM1,
            Op.LOG,
            Op.LOG1P,
            Op.SQRT,
            Op.RSQRT,
            Op.SQUARE,
            Op.RECIPROCAL,
            Op.SIN,
            Op.COS,
            Op.TAN,
            Op.TANH,
            Op.SIGMOID,
            Op.RELU,
            Op.ERF,
            Op.ERFC,
            Op.ERFINV,
            Op.LGAMMA,
            Op.DIGAMMA,
            Op.SINC,
            Op.EXP2,
            Op.SINH,
            Op.COSH,
            Op.ASINH,
            Op.ACOSH,
            Op.ATANH,
            Op.ASIN,
            Op.ACOS,
            Op.ATAN,
            Op.LOG2,
            Op.LOG10,
            Op.FLOOR,
            Op.CEIL,
            Op.TRUNC)) {
      define(op.mnemonic(), BOTH, (b, a) -> tensor(b.unary(op, a.tensor("input"))), in());
    }
    define(
        "polygamma",
        BOTH,
        "input",
        (b, a) -> tensor(MathFunctions.polygamma(b, a.integer("n"), a.tensor("input"))),
        req("n", INT),
        in());
    define("negative", BOTH, (b, a) -> tensor(b.neg(a.tensor("input"))), in());
    define("round", BOTH, Builtins::round, in(), opt("decimals", INT, Val.Num.ofInt(0)));
    define("frac", BOTH, (b, a) -> tensor(MathFunctions.frac(b, a.tensor("input"))), in());
    define(
        "softplus",
        FUNCTION,
        Builtins::softplus,
        in(),
        opt("beta", NUMBER, Val.Num.ofInt(1)),
        opt("threshold", NUMBER, Val.Num.ofInt(20)));
    activations();
    for (Op op :
        List.of(Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE)) {
      define(op.mnemonic(), BOTH, binary(op), in(), req("other", OPERAND));
    }
    for (Op op : List.of(Op.MAXIMUM, Op.MINIMUM)) {
      define(op.mnemonic(), BOTH, binary(op), in(), req("other", TENSOR));
    }
    define(
        "pow", BOTH, numbers(Op.POW, "exponent"), req("input", OPERAND), req("exponent", OPERAND));
    for (Op op : List.of(Op.ATAN2, Op.HYPOT, Op.LOGADDEXP, Op.LOGADDEXP2)) {
      define(op.mnemonic(), BOTH, binary(op), in(), req("other", TENSOR));
    }
    for (Op op : List.of(Op.FMOD, Op.COPYSIGN)) {
      define(op.mnemonic(), BOTH, binary(op), in(), req("other", OPERAND));
    }
    for (Op op : List.of(Op.REMAINDER, Op.XLOGY, Op.XLOG1PY)) {
      define(
          op.mnemonic(),
          op == Op.XLOG1PY ? FUNCTION : BOTH,
          numbers(op, "other"),
          req("input", OPERAND),
          req("other", OPERAND));
    }
    define(
        "nan_to_num",
        BOTH,
        (b, a) ->
            tensor(
                MathFunctions.nanToNum(
                    b,
                    a.tensor("input"),
                    a.number("nan"),
                    a.isNone("posinf") ? null : a.number("posinf"),
                    a.isNone("neginf") ? null : a.number("neginf"))),
        in(),
        opt("nan", NUMBER, Val.Num.ofFloat(0.0)),
        opt("posinf", NUMBER, NONE),
        opt("neginf", NUMBER, NONE));
    define(
        "where",
        BOTH,
        "input",
        Builtins::where,
        req("condition", TENSOR),
        req("input", OPERAND),
        req("other", OPERAND));
    for (String name : List.of("clamp", "clip")) {
      define(
          name,
          BOTH,
          (b, a) -> tensor(b.clamp(a.tensor("input"), a.operand("min"), a.operand("max"))),
          in(),
          opt("min", OPERAND, NONE),
          opt("max", OPERAND, NONE));
    }

    for (Op op : List.of(Op.SUM, Op.MEAN, Op.AMAX, Op.AMIN)) {
      define(
          op.mnemonic(),
          BOTH,
          (b, a) -> reduce(b, a, op),
          in(),
          opt("dim", DIMS, NONE),
          opt("keepdim", BOOL, Val.Num.ofBool(false)));
    }
    for (String name : List.of("var", "std", "var_mean", "std_mean")) {
      define(
          name,
          name.endsWith("_mean") ? FUNCTION : BOTH,
          (b, a) -> statistics(b, a, name),
          in(),
          opt("dim", DIMS, NONE),
          opt("unbiased", BOOL, NONE),
          opt("keepdim", BOOL, FALSE),
          opt("correction", INT, NONE));
    }
    define(
        "nansum",
        BOTH,
        (b, a) -> tensor(Statistics.nansum(b, a.tensor("input"), a.dims("dim"), a.flag("keepdim"))),
        in(),
        opt("dim", DIMS, NONE),
        opt("keepdim", BOOL, FALSE));
    define(
        "nanmean",
        BOTH,
        Builtins::nanmean,
        in(),
        opt("dim", DIMS, NONE),
        opt("keepdim", BOOL, FALSE));
    define(
        "count_nonzero",
        BOTH,
        (b, a) -> tensor(Statistics.countNonzero(b, a.tensor("input"), a.dims("dim"))),
        in(),
        opt("dim", DIMS, NONE));
    for (String name : List.of("all", "any")) {
      define(
          name,
          BOTH,
          (b, a) ->
              tensor(
                  Statistics.allAny(
                      b, a.tensor("input"), a.dims("dim"), a.flag("keepdim"), name.equals("all"))),
          in(),
          opt("dim", INT, NONE),
          opt("keepdim", BOOL, FALSE));
    }
    define(
        "norm",
        BOTH,
        Builtins::norm,
        in(),
        opt("p", ANY, new Val.Str("fro")),
        opt("dim", DIMS, NONE),
        opt("keepdim", BOOL, FALSE));
    define(
        "vector_norm",
        FUNCTION,
        Builtins::vectorNorm,
        in(),
        opt("ord", NUMBER, Val.Num.ofInt(2)),
        opt("dim", DIMS, NONE),
        opt("keepdim", BOOL, FALSE));
    define(
        "matrix_norm",
        FUNCTION,
        Builtins::matrixNorm,
        in(),
        opt("ord", ANY, new Val.Str("fro")),
        opt("dim", DIMS, NONE),
        opt("keepdim", BOOL, FALSE));
    define("svdvals", FUNCTION, Builtins::svdvals, req("A", TENSOR));
    define(
        "prod",
        BOTH,
        Builtins::prod,
        in(),
        opt("dim", INT, NONE),
        opt("keepdim", BOOL, FALSE),
        opt("dtype", DTYPE, NONE));
    for (Op op : List.of(Op.CUMSUM, Op.CUMPROD)) {
      define(
          op.mnemonic(),
          BOTH,
          (b, a) -> {
            Value x = a.tensor("input");
            if (!a.isNone("dtype")) {
              x = b.cast(x, a.dtype("dtype"));
            }
            return tensor(b.scan(op, x, a.integer("dim"), false));
          },
          in(),
          req("dim", INT),
          opt("dtype", DTYPE, NONE));
    }
    define(
        "logcumsumexp",
        BOTH,
        (b, a) -> tensor(b.scan(Op.LOGCUMSUMEXP, a.tensor("input"), a.integer("dim"), false)),
        in(),
        req("dim", INT));
    for (Op op : List.of(Op.CUMMAX, Op.CUMMIN)) {
      Op indices = op == Op.CUMMAX ? Op.CUMMAX_INDICES : Op.CUMMIN_INDICES;
      define(
          op.mnemonic(),
          BOTH,
          (b, a) -> {
            Value x = a.tensor("input");
            int dim = a.integer("dim");
            SourcePos pos = a.callPos();
            return new Val.Seq(
                List.of(
                    new Val.Located(tensor(b.scan(op, x, dim, false)), pos),
                    new Val.Located(tensor(b.scan(indices, x, dim, false)), pos)),
                true);
          },
          in(),
          req("dim", INT));
    }
    define(
        "logsumexp",
        BOTH,
        (b, a) -> reduce(b, a, Op.LOGSUMEXP),
        in(),
        req("dim", DIMS),
        opt("keepdim", BOOL, Val.Num.ofBool(false)));
    define(
        "max",
        BOTH,
        (b, a) -> maxMin(b, a, Op.AMAX, Op.MAXIMUM),
        in(),
        opt("other", OPERAND, NONE),
        opt("dim", INT, NONE),
        opt("keepdim", BOOL, Val.Num.ofBool(false)));
    define(
        "min",
        BOTH,
        (b, a) -> maxMin(b, a, Op.AMIN, Op.MINIMUM),
        in(),
        opt("other", OPERAND, NONE),
        opt("dim", INT, NONE),
        opt("keepdim", BOOL, Val.Num.ofBool(false)));
    for (String name : List.of("argmax", "argmin")) {
      define(
          name,
          BOTH,
          (b, a) ->
              tensor(
                  Selection.argMaxMin(
                      b,
                      a.tensor("input"),
                      a.isNone("dim") ? null : a.integer("dim"),
                      a.flag("keepdim"),
                      name.equals("argmax"))),
          in(),
          opt("dim", INT, NONE),
          opt("keepdim", BOOL, Val.Num.ofBool(false)));
    }
    define(
        "sort",
        BOTH,
        (b, a) ->
            pair(a, Selection.sort(b, a.tensor("input"), a.integer("dim"), a.flag("descending"))),
        in(),
        opt("dim", INT, Val.Num.ofInt(-1)),
        opt("descending", BOOL, Val.Num.ofBool(false)),
        opt("stable", BOOL, Val.Num.ofBool(false)));
    define(
        "argsort",
        BOTH,
        (b, a) ->
            tensor(Selection.argsort(b, a.tensor("input"), a.integer("dim"), a.flag("descending"))),
        in(),
        opt("dim", INT, Val.Num.ofInt(-1)),
        opt("descending", BOOL, Val.Num.ofBool(false)),
        opt("stable", BOOL, Val.Num.ofBool(false)));
    define(
        "msort", BOTH, (b, a) -> tensor(Selection.sort(b, a.tensor("input"), 0, false)[0]), in());
    define(
        "topk",
        BOTH,
        (b, a) ->
            pair(
                a,
                Selection.topk(
                    b,
                    a.tensor("input"),
                    a.integer("k"),
                    a.integer("dim"),
                    a.flag("largest"),
                    a.flag("sorted"))),
        in(),
        req("k", INT),
        opt("dim", INT, Val.Num.ofInt(-1)),
        opt("largest", BOOL, Val.Num.ofBool(true)),
        opt("sorted", BOOL, Val.Num.ofBool(true)));
    define(
        "kthvalue",
        BOTH,
        (b, a) ->
            pair(
                a,
                Selection.kthvalue(
                    b, a.tensor("input"), a.integer("k"), a.integer("dim"), a.flag("keepdim"))),
        in(),
        req("k", INT),
        opt("dim", INT, Val.Num.ofInt(-1)),
        opt("keepdim", BOOL, Val.Num.ofBool(false)));
    define(
        "median",
        BOTH,
        (b, a) ->
            a.isNone("dim")
                ? tensor(Selection.median(b, a.tensor("input")))
                : pair(
                    a, Selection.median(b, a.tensor("input"), a.integer("dim"), a.flag("keepdim"))),
        in(),
        opt("dim", INT, NONE),
        opt("keepdim", BOOL, Val.Num.ofBool(false)));
    define(
        "repeat",
        METHOD,
        (b, a) -> tensor(Selection.repeat(b, a.tensor("input"), a.shape("repeats"))),
        in(),
        req("repeats", SHAPE));
    define(
        "tile",
        BOTH,
        (b, a) -> tensor(Selection.tile(b, a.tensor("input"), a.shape("dims"))),
        in(),
        req("dims", SHAPE));
    define(
        "stack",
        FUNCTION,
        "tensors",
        Builtins::stack,
        req("tensors", ANY),
        opt("dim", INT, Val.Num.ofInt(0)));
    define("softmax", BOTH, (b, a) -> normalize(b, a, Op.SOFTMAX), in(), req("dim", INT));
    define("log_softmax", BOTH, (b, a) -> normalize(b, a, Op.LOG_SOFTMAX), in(), req("dim", INT));

    for (String name : List.of("reshape", "view")) {
      define(
          name,
          name.equals("view") ? METHOD : BOTH,
          (b, a) ->
              tensor(
                  a.symbolic("shape")
                      ? reshapeSymbolic(b, a.tensor("input"), a.sizes("shape"))
                      : b.reshape(a.tensor("input"), a.shape("shape"))),
          in(),
          req("shape", SHAPE));
    }
    define(
        "transpose",
        BOTH,
        (b, a) -> tensor(b.transpose(a.tensor("input"), a.integer("dim0"), a.integer("dim1"))),
        in(),
        req("dim0", INT),
        req("dim1", INT));
    define(
        "permute",
        BOTH,
        (b, a) -> tensor(b.permute(a.tensor("input"), a.shape("dims"))),
        in(),
        req("dims", SHAPE));
    define(
        "unsqueeze",
        BOTH,
        (b, a) -> tensor(b.unsqueeze(a.tensor("input"), a.integer("dim"))),
        in(),
        req("dim", INT));
    define(
        "squeeze",
        BOTH,
        (b, a) ->
            tensor(
                a.isNone("dim")
                    ? b.squeeze(a.tensor("input"))
                    : b.squeeze(a.tensor("input"), a.integer("dim"))),
        in(),
        opt("dim", INT, NONE));
    define(
        "narrow",
        BOTH,
        (b, a) -> {
          Value x = a.tensor("input");
          int d = Builder.normalizeDim(a.integer("dim"), x.type().rank());
          long n = Indexing.size(x.type().dims(), d);
          return tensor(
              Indexing.apply(b, x, Indexing.narrow(d, n, a.integer("start"), a.integer("length"))));
        },
        in(),
        req("dim", INT),
        req("start", INT),
        req("length", INT));
    define(
        "gather",
        BOTH,
        (b, a) -> tensor(b.gather(a.tensor("input"), a.integer("dim"), a.tensor("index"))),
        in(),
        req("dim", INT),
        req("index", TENSOR));
    define(
        "index_select",
        BOTH,
        (b, a) ->
            tensor(
                Gathering.indexSelect(b, a.tensor("input"), a.integer("dim"), a.tensor("index"))),
        in(),
        req("dim", INT),
        req("index", TENSOR));
    define(
        "take_along_dim",
        BOTH,
        (b, a) ->
            tensor(
                Gathering.takeAlongDim(
                    b,
                    a.tensor("input"),
                    a.tensor("indices"),
                    a.isNone("dim") ? null : a.integer("dim"))),
        in(),
        req("indices", TENSOR),
        opt("dim", INT, NONE));
    define(
        "scatter_add",
        BOTH,
        (b, a) ->
            tensor(
                Gathering.scatterAdd(
                    b, a.tensor("input"), a.integer("dim"), a.tensor("index"), a.tensor("src"))),
        in(),
        req("dim", INT),
        req("index", TENSOR),
        req("src", TENSOR));
    define(
        "scatter",
        BOTH,
        (b, a) -> {
          Value x = a.tensor("input");
          Value index = a.tensor("index");
          int dim = a.integer("dim");
          if (!a.isNone("value")) {
            return tensor(Gathering.scatter(b, x, dim, index, a.number("value")));
          }
          if (a.isNone("src")) {
            throw new GradcException("scatter() needs src or value", a.callPos());
          }
          return a.get("src").val() instanceof Val.Num
              ? tensor(Gathering.scatter(b, x, dim, index, a.number("src")))
              : tensor(Gathering.scatter(b, x, dim, index, a.tensor("src")));
        },
        in(),
        req("dim", INT),
        req("index", TENSOR),
        opt("src", OPERAND, NONE),
        opt("value", NUMBER, NONE));
    define(
        "masked_fill",
        BOTH,
        (b, a) ->
            tensor(
                Gathering.maskedFill(b, a.tensor("input"), a.tensor("mask"), a.operand("value"))),
        in(),
        req("mask", TENSOR),
        req("value", OPERAND));
    define(
        "index_put",
        BOTH,
        (b, a) ->
            tensor(
                Gathering.indexPut(
                    b,
                    a.tensor("input"),
                    tensorList(a, "indices"),
                    a.operand("values"),
                    a.flag("accumulate"))),
        in(),
        req("indices", ANY),
        req("values", OPERAND),
        opt("accumulate", BOOL, Val.Num.ofBool(false)));
    define(
        "index_add",
        BOTH,
        (b, a) ->
            tensor(
                Gathering.indexAdd(
                    b,
                    a.tensor("input"),
                    a.integer("dim"),
                    a.tensor("index"),
                    a.tensor("source"),
                    a.number("alpha"))),
        in(),
        req("dim", INT),
        req("index", TENSOR),
        req("source", TENSOR),
        opt("alpha", NUMBER, Val.Num.ofInt(1)));
    define(
        "select",
        BOTH,
        (b, a) -> {
          Value x = a.tensor("input");
          if (x.type().rank() == 0) {
            throw new GradcException("select() cannot be applied to a 0-dim tensor.");
          }
          int d = Builder.normalizeDim(a.integer("dim"), x.type().rank());
          return tensor(
              Indexing.apply(b, x, Indexing.select(d, x.type().dims(), a.integer("index"))));
        },
        in(),
        req("dim", INT),
        req("index", INT));
    for (String name : List.of("cat", "concat")) {
      define(
          name,
          FUNCTION,
          "tensors",
          (b, a) -> tensor(Joining.cat(b, tensorList(a, "tensors"), a.integer("dim"))),
          req("tensors", ANY),
          opt("dim", INT, Val.Num.ofInt(0)));
    }
    define(
        "flip",
        BOTH,
        (b, a) -> tensor(Joining.flip(b, a.tensor("input"), a.dims("dims"))),
        in(),
        req("dims", DIMS));
    define(
        "roll",
        BOTH,
        (b, a) -> {
          long[] shifts = longs(a.dims("shifts"));
          return tensor(Joining.roll(b, a.tensor("input"), shifts, a.dims("dims")));
        },
        in(),
        req("shifts", DIMS),
        opt("dims", DIMS, NONE));
    define(
        "split",
        BOTH,
        "tensor",
        (b, a) -> {
          Value x = a.tensor("tensor");
          int d = Builder.normalizeDim(a.integer("dim"), x.type().rank());
          long n = Indexing.size(x.type().dims(), d);
          Val sizes = a.get("split_size_or_sections").val();
          long[] pieces;
          if (sizes instanceof Val.Seq) {
            pieces = Joining.checkSections(n, longs(a.dims("split_size_or_sections")), d);
          } else {
            pieces = Joining.splitSizes(n, a.integer("split_size_or_sections"));
          }
          return views(b, a, x, Joining.pieces(d, n, pieces));
        },
        req("tensor", TENSOR),
        req("split_size_or_sections", DIMS),
        opt("dim", INT, Val.Num.ofInt(0)));
    define(
        "chunk",
        BOTH,
        (b, a) -> {
          Value x = a.tensor("input");
          int d = Builder.normalizeDim(a.integer("dim"), x.type().rank());
          long n = Indexing.size(x.type().dims(), d);
          return views(b, a, x, Joining.pieces(d, n, Joining.chunkSizes(n, a.integer("chunks"))));
        },
        in(),
        req("chunks", INT),
        opt("dim", INT, Val.Num.ofInt(0)));
    define(
        "unbind",
        BOTH,
        (b, a) -> {
          Value x = a.tensor("input");
          if (x.type().rank() == 0) {
            throw new GradcException("Dimension specified as 0 but tensor has no dimensions");
          }
          int d = Builder.normalizeDim(a.integer("dim"), x.type().rank());
          long n = Indexing.size(x.type().dims(), d);
          List<Indexing.Step> steps = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            steps.add(Indexing.select(d, x.type().dims(), i));
          }
          return views(b, a, x, steps);
        },
        in(),
        opt("dim", INT, Val.Num.ofInt(0)));
    define("expand", METHOD, Builtins::expand, in(), req("size", SHAPE));
    define("broadcast_to", BOTH, Builtins::expand, in(), req("size", SHAPE));
    define(
        "size",
        METHOD,
        (b, a) -> {
          Value x = a.tensor("input");
          if (a.isNone("dim")) {
            return Python.shape(x, a.callPos());
          }
          return Python.size(x, Python.dimIndex(a.integer("dim"), x.type().rank()));
        },
        in(),
        opt("dim", INT, NONE));
    define("dim", METHOD, (b, a) -> Val.Num.ofInt(a.tensor("input").type().rank()), in());
    define("numel", BOTH, (b, a) -> Python.numel(b, a.tensor("input")), in());
    define(
        "flatten",
        BOTH,
        Builtins::flatten,
        in(),
        opt("start_dim", INT, Val.Num.ofInt(0)),
        opt("end_dim", INT, Val.Num.ofInt(-1)));
    define("t", BOTH, Builtins::t, in());
    define("sum_to_size", METHOD, Builtins::sumToSize, in(), req("size", SHAPE));

    define(
        "matmul",
        BOTH,
        (b, a) -> tensor(Semantics.matmul(b, a.tensor("input"), a.tensor("other"))),
        in(),
        req("other", TENSOR));
    define("mm", BOTH, (b, a) -> ranked(b, a, "mat2", 2, 2), in(), req("mat2", TENSOR));
    define("mv", BOTH, (b, a) -> ranked(b, a, "vec", 2, 1), in(), req("vec", TENSOR));
    define("dot", BOTH, (b, a) -> ranked(b, a, "other", 1, 1), in(), req("other", TENSOR));
    define("bmm", BOTH, (b, a) -> ranked(b, a, "mat2", 3, 3), in(), req("mat2", TENSOR));
    define(
        "vdot",
        BOTH,
        (b, a) -> tensor(LinearAlgebra.dot(b, "dot", a.tensor("input"), a.tensor("other"))),
        in(),
        req("other", TENSOR));
    define(
        "outer",
        BOTH,
        (b, a) -> tensor(LinearAlgebra.outer(b, a.tensor("input"), a.tensor("vec2"))),
        in(),
        req("vec2", TENSOR));
    define(
        "kron",
        BOTH,
        (b, a) -> tensor(LinearAlgebra.kron(b, a.tensor("input"), a.tensor("other"))),
        in(),
        req("other", TENSOR));
    for (String name : List.of("addmm", "baddbmm")) {
      boolean batched = name.equals("baddbmm");
      String first = batched ? "batch1" : "mat1";
      String second = batched ? "batch2" : "mat2";
      define(
          name,
          BOTH,
          (b, a) ->
              tensor(
                  LinearAlgebra.addmm(
                      b,
                      a.tensor("input"),
                      a.tensor(first),
                      a.tensor(second),
                      a.number("beta"),
                      a.number("alpha"),
                      batched)),
          in(),
          req(first, TENSOR),
          req(second, TENSOR),
          opt("beta", NUMBER, Val.Num.ofInt(1)),
          opt("alpha", NUMBER, Val.Num.ofInt(1)));
    }
    for (String name : List.of("tril", "triu")) {
      define(
          name,
          BOTH,
          (b, a) ->
              tensor(
                  LinearAlgebra.triangle(
                      b, a.tensor("input"), a.integer("diagonal"), name.equals("tril"))),
          in(),
          opt("diagonal", INT, Val.Num.ofInt(0)));
    }
    define(
        "diag",
        BOTH,
        (b, a) -> tensor(LinearAlgebra.diag(b, a.tensor("input"), a.integer("diagonal"))),
        in(),
        opt("diagonal", INT, Val.Num.ofInt(0)));
    define(
        "diagonal",
        BOTH,
        (b, a) ->
            tensor(
                LinearAlgebra.diagonal(
                    b,
                    a.tensor("input"),
                    a.integer("offset"),
                    a.integer("dim1"),
                    a.integer("dim2"))),
        in(),
        opt("offset", INT, Val.Num.ofInt(0)),
        opt("dim1", INT, Val.Num.ofInt(0)),
        opt("dim2", INT, Val.Num.ofInt(1)));
    define(
        "diag_embed",
        BOTH,
        (b, a) ->
            tensor(
                LinearAlgebra.diagEmbed(
                    b,
                    a.tensor("input"),
                    a.integer("offset"),
                    a.integer("dim1"),
                    a.integer("dim2"))),
        in(),
        opt("offset", INT, Val.Num.ofInt(0)),
        opt("dim1", INT, Val.Num.ofInt(-2)),
        opt("dim2", INT, Val.Num.ofInt(-1)));
    define("trace", BOTH, (b, a) -> tensor(LinearAlgebra.trace(b, a.tensor("input"))), in());
    affineNorm(
        "layer_norm",
        req("normalized_shape", SHAPE),
        (b, a, x, w, s, eps) -> Distances.layerNorm(b, x, a.sizes("normalized_shape"), w, s, eps));
    define(
        "normalize",
        FUNCTION,
        (b, a) ->
            tensor(
                Distances.normalize(
                    b, a.tensor("input"), a.number("p"), a.integer("dim"), a.number("eps"))),
        in(),
        opt("p", NUMBER, Val.Num.ofFloat(2.0)),
        opt("dim", INT, Val.Num.ofInt(1)),
        opt("eps", NUMBER, Val.Num.ofFloat(1e-12)));
    define(
        "local_response_norm",
        FUNCTION,
        (b, a) ->
            tensor(
                Distances.localResponseNorm(
                    b,
                    a.tensor("input"),
                    a.integer("size"),
                    a.number("alpha"),
                    a.number("beta"),
                    a.number("k"))),
        in(),
        req("size", INT),
        opt("alpha", NUMBER, Val.Num.ofFloat(1e-4)),
        opt("beta", NUMBER, Val.Num.ofFloat(0.75)),
        opt("k", NUMBER, Val.Num.ofFloat(1.0)));
    define(
        "cosine_similarity",
        FUNCTION,
        "x1",
        (b, a) ->
            tensor(
                Distances.cosineSimilarity(
                    b, a.tensor("x1"), a.tensor("x2"), a.integer("dim"), a.number("eps"))),
        req("x1", TENSOR),
        req("x2", TENSOR),
        opt("dim", INT, Val.Num.ofInt(1)),
        opt("eps", NUMBER, Val.Num.ofFloat(1e-8)));
    define(
        "pairwise_distance",
        FUNCTION,
        "x1",
        (b, a) ->
            tensor(
                Distances.pairwiseDistance(
                    b,
                    a.tensor("x1"),
                    a.tensor("x2"),
                    a.number("p"),
                    a.number("eps"),
                    a.flag("keepdim"))),
        req("x1", TENSOR),
        req("x2", TENSOR),
        opt("p", NUMBER, Val.Num.ofFloat(2.0)),
        opt("eps", NUMBER, Val.Num.ofFloat(1e-6)),
        opt("keepdim", BOOL, FALSE));
    define(
        "einsum",
        FUNCTION,
        "equation",
        Builtins::einsum,
        req("equation", STRING),
        req("operands", ANY),
        opt("operand2", TENSOR, NONE),
        opt("operand3", TENSOR, NONE),
        opt("operand4", TENSOR, NONE),
        opt("operand5", TENSOR, NONE),
        opt("operand6", TENSOR, NONE));
    affineNorm(
        "group_norm",
        req("num_groups", INT),
        (b, a, x, w, s, eps) -> Distances.groupNorm(b, x, a.integer("num_groups"), w, s, eps));
    define(
        "instance_norm",
        FUNCTION,
        Builtins::instanceNorm,
        runningStatsParams(opt("use_input_stats", BOOL, TRUE)));
    define(
        "batch_norm",
        FUNCTION,
        Builtins::batchNorm,
        runningStatsParams(opt("training", BOOL, FALSE)));
    define(
        "cdist",
        FUNCTION,
        "x1",
        (b, a) -> tensor(Distances.cdist(b, a.tensor("x1"), a.tensor("x2"), a.number("p"))),
        req("x1", TENSOR),
        req("x2", TENSOR),
        opt("p", NUMBER, Val.Num.ofFloat(2.0)));

    define(
        "pdist",
        FUNCTION,
        (b, a) -> tensor(Distances.pdist(b, a.tensor("input"), a.number("p"))),
        in(),
        opt("p", NUMBER, Val.Num.ofFloat(2.0)));

    define("detach", BOTH, (b, a) -> tensor(b.detach(a.tensor("input"))), in());
    define("clone", BOTH, (b, a) -> tensor(b.copy(a.tensor("input"))), in());
    define("float", METHOD, (b, a) -> tensor(b.cast(a.tensor("input"), DType.F32)), in());
    define("double", METHOD, (b, a) -> tensor(b.cast(a.tensor("input"), DType.F64)), in());
    define("long", METHOD, (b, a) -> tensor(b.cast(a.tensor("input"), DType.I64)), in());
    define(
        "one_hot",
        FUNCTION,
        "tensor",
        Builtins::oneHot,
        req("tensor", TENSOR),
        opt("num_classes", INT, Val.Num.ofInt(-1)));

    loss("mse_loss", (b, x, y, a, r) -> b.mseLoss(x, y, r), REDUCTION);
    loss("l1_loss", (b, x, y, a, r) -> b.l1Loss(x, y, r), REDUCTION);
    define(
        "huber_loss",
        FUNCTION,
        Builtins::huber,
        in(),
        req("target", TENSOR),
        REDUCTION,
        opt("delta", NUMBER, Val.Num.ofFloat(1.0)));
    define(
        "binary_cross_entropy_with_logits",
        FUNCTION,
        Builtins::bceWithLogits,
        in(),
        req("target", TENSOR),
        opt("weight", TENSOR, NONE),
        REDUCTION,
        opt("pos_weight", TENSOR, NONE));
    loss(
        "cross_entropy",
        (b, x, y, a, r) ->
            Losses.crossEntropy(
                b,
                x,
                y,
                optTensor(a, "weight"),
                a.integer("ignore_index"),
                r,
                a.number("label_smoothing")),
        opt("weight", TENSOR, NONE),
        IGNORE_INDEX,
        REDUCTION,
        opt("label_smoothing", NUMBER, Val.Num.ofFloat(0.0)));
    loss(
        "nll_loss",
        (b, x, y, a, r) ->
            Losses.nllLoss(b, x, y, optTensor(a, "weight"), a.integer("ignore_index"), r),
        opt("weight", TENSOR, NONE),
        IGNORE_INDEX,
        REDUCTION);
    loss(
        "binary_cross_entropy",
        (b, x, y, a, r) -> Losses.binaryCrossEntropy(b, x, y, optTensor(a, "weight"), r),
        opt("weight", TENSOR, NONE),
        REDUCTION);
    loss(
        "smooth_l1_loss",
        (b, x, y, a, r) -> Losses.smoothL1Loss(b, x, y, a.number("beta"), r),
        REDUCTION,
        opt("beta", NUMBER, Val.Num.ofFloat(1.0)));
    define(
        "kl_div",
        FUNCTION,
        (b, a) -> {
          boolean batchMean = a.string("reduction").equals("batchmean");
          return tensor(
              Losses.klDiv(
                  b,
                  a.tensor("input"),
                  a.tensor("target"),
                  batchMean ? Builder.Reduction.SUM : reduction(a),
                  batchMean,
                  a.flag("log_target")));
        },
        in(),
        req("target", TENSOR),
        REDUCTION,
        opt("log_target", BOOL, FALSE));
    loss(
        "gaussian_nll_loss",
        (b, x, y, a, r) ->
            Losses.gaussianNllLoss(b, x, y, a.tensor("var"), a.flag("full"), a.number("eps"), r),
        req("var", TENSOR),
        opt("full", BOOL, FALSE),
        opt("eps", NUMBER, Val.Num.ofFloat(1e-6)),
        REDUCTION);
    loss(
        "poisson_nll_loss",
        (b, x, y, a, r) ->
            Losses.poissonNllLoss(b, x, y, a.flag("log_input"), a.flag("full"), a.number("eps"), r),
        opt("log_input", BOOL, TRUE),
        opt("full", BOOL, FALSE),
        opt("eps", NUMBER, Val.Num.ofFloat(1e-8)),
        REDUCTION);
    for (String name : List.of("cosine_embedding_loss", "margin_ranking_loss")) {
      boolean cosine = name.equals("cosine_embedding_loss");
      define(
          name,
          FUNCTION,
          "input1",
          (b, a) -> {
            Value x1 = a.tensor("input1");
            Value x2 = a.tensor("input2");
            Value y = a.tensor("target");
            double margin = a.number("margin");
            return tensor(
                cosine
                    ? Losses.cosineEmbeddingLoss(b, x1, x2, y, margin, reduction(a))
                    : Losses.marginRankingLoss(b, x1, x2, y, margin, reduction(a)));
          },
          req("input1", TENSOR),
          req("input2", TENSOR),
          req("target", TENSOR),
          opt("margin", NUMBER, Val.Num.ofInt(0)),
          REDUCTION);
    }
    define(
        "triplet_margin_loss",
        FUNCTION,
        "anchor",
        (b, a) ->
            tensor(
                Losses.tripletMarginLoss(
                    b,
                    a.tensor("anchor"),
                    a.tensor("positive"),
                    a.tensor("negative"),
                    a.number("margin"),
                    a.number("p"),
                    a.number("eps"),
                    a.flag("swap"),
                    reduction(a))),
        req("anchor", TENSOR),
        req("positive", TENSOR),
        req("negative", TENSOR),
        opt("margin", NUMBER, Val.Num.ofFloat(1.0)),
        opt("p", NUMBER, Val.Num.ofInt(2)),
        opt("eps", NUMBER, Val.Num.ofFloat(1e-6)),
        opt("swap", BOOL, FALSE),
        REDUCTION);
    loss(
        "hinge_embedding_loss",
        (b, x, y, a, r) -> Losses.hingeEmbeddingLoss(b, x, y, a.number("margin"), r),
        opt("margin", NUMBER, Val.Num.ofFloat(1.0)),
        REDUCTION);
    loss("soft_margin_loss", (b, x, y, a, r) -> Losses.softMarginLoss(b, x, y, r), REDUCTION);
    loss(
        "multi_margin_loss",
        (b, x, y, a, r) ->
            Losses.multiMarginLoss(
                b, x, y, a.number("p"), a.number("margin"), optTensor(a, "weight"), r),
        opt("p", NUMBER, Val.Num.ofInt(1)),
        opt("margin", NUMBER, Val.Num.ofFloat(1.0)),
        opt("weight", TENSOR, NONE),
        REDUCTION);
    loss(
        "multilabel_margin_loss",
        (b, x, y, a, r) -> Losses.multilabelMarginLoss(b, x, y, r),
        REDUCTION);
    loss(
        "multilabel_soft_margin_loss",
        (b, x, y, a, r) -> Losses.multilabelSoftMarginLoss(b, x, y, optTensor(a, "weight"), r),
        opt("weight", TENSOR, NONE),
        REDUCTION);
  }

  static {
    for (String name : List.of("zeros", "ones")) {
      double v = name.equals("zeros") ? 0 : 1;
      define(
          name,
          FUNCTION,
          "size",
          (b, a) ->
              tensor(
                  Constructors.filled(
                      b,
                      v,
                      Constructors.dtype(a, Builder.DEFAULT_FLOAT),
                      Constructors.size(a, "size"))),
          req("size", SHAPE),
          opt("dtype", DTYPE, NONE));
      define(name + "_like", FUNCTION, (b, a) -> like(b, a, v), in(), opt("dtype", DTYPE, NONE));
    }
    define(
        "full",
        FUNCTION,
        "size",
        (b, a) -> {
          Val fill = a.get("fill_value").val();
          DType inferred =
              fill instanceof Val.Num n
                  ? (n.kind() == Val.Num.NumKind.BOOL
                      ? DType.BOOL
                      : n.integral() ? DType.I64 : Builder.DEFAULT_FLOAT)
                  : Builder.DEFAULT_FLOAT;
          return tensor(
              Constructors.filled(
                  b,
                  a.element("fill_value"),
                  Constructors.dtype(a, inferred),
                  Constructors.size(a, "size")));
        },
        req("size", SHAPE),
        req("fill_value", NUMBER_OR_BOOL),
        opt("dtype", DTYPE, NONE));
    define(
        "full_like",
        FUNCTION,
        (b, a) -> like(b, a, a.element("fill_value")),
        in(),
        req("fill_value", NUMBER_OR_BOOL),
        opt("dtype", DTYPE, NONE));
    define(
        "arange",
        FUNCTION,
        "start",
        Constructors::arange,
        req("start", NUMBER),
        opt("end", NUMBER, NONE),
        opt("step", NUMBER, Val.Num.ofInt(1)),
        opt("dtype", DTYPE, NONE));
    define(
        "linspace",
        FUNCTION,
        "start",
        Constructors::linspace,
        req("start", NUMBER),
        req("end", NUMBER),
        req("steps", INT),
        opt("dtype", DTYPE, NONE));
    define(
        "eye",
        FUNCTION,
        "n",
        Constructors::eye,
        req("n", INT),
        opt("m", INT, NONE),
        opt("dtype", DTYPE, NONE));
    define(
        "tensor",
        FUNCTION,
        "data",
        Constructors::tensor,
        req("data", ANY),
        opt("dtype", DTYPE, NONE));
  }

  /** {@code zeros_like(x)}: x's shape (symbolic dims too) and dtype, unless one is given. */
  private static Val like(Builder b, Args a, double v) {
    Value x = a.tensor("input");
    return tensor(
        Constructors.filled(b, v, Constructors.dtype(a, x.type().dtype()), x.type().dims()));
  }

  // ---------------------------------------------------------------- lookup

  /** The built-in called {@code name}, or null. */
  static Builtin lookup(String name) {
    return TABLE.get(name);
  }

  /** Names callable as functions, sorted. */
  static Set<String> functionNames() {
    return names(true);
  }

  /** Names callable as tensor methods, sorted. */
  static Set<String> methodNames() {
    return names(false);
  }

  private static Set<String> names(boolean functions) {
    Set<String> out = new TreeSet<>();
    for (Builtin f : TABLE.values()) {
      if (functions ? f.forms().function() : f.forms().method()) {
        out.add(f.name());
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /** {@code x.T} (all dims reversed) or {@code x.mT} (the last two swapped). */
  static Value property(Builder b, String name, Value x) {
    int r = x.type().rank();
    if (name.equals("mT")) {
      if (r < 2) {
        throw new GradcException(
            "tensor.mT is only supported on matrices or batches of matrices. Got "
                + r
                + "-D tensor.");
      }
      return b.transposeLast(x);
    }
    int[] reversed = new int[r];
    for (int i = 0; i < r; i++) {
      reversed[i] = r - 1 - i;
    }
    return r <= 2 ? b.transposeLast(x) : b.permute(x, reversed);
  }

  // ---------------------------------------------------------------- table helpers

  /**
   * The parameters of {@code batch_norm} and {@code instance_norm}, PyTorch's order: input,
   * running_mean, running_var, weight, bias, {@code mode} (training or use_input_stats), momentum,
   * eps.
   */
  private static Param[] runningStatsParams(Param mode) {
    return new Param[] {
      in(),
      opt("running_mean", TENSOR, NONE),
      opt("running_var", TENSOR, NONE),
      opt("weight", TENSOR, NONE),
      opt("bias", TENSOR, NONE),
      mode,
      opt("momentum", NUMBER, Val.Num.ofFloat(0.1)),
      opt("eps", NUMBER, Val.Num.ofFloat(1e-5))
    };
  }

  private static void define(String name, Forms forms, Body body, Param... params) {
    define(name, forms, params[0].name(), body, params);
  }

  private static void define(String name, Forms forms, String self, Body body, Param... params) {
    if (TABLE.put(name, new Builtin(name, List.of(params), forms, self, body)) != null) {
      throw new IllegalStateException("built-in " + name + " is defined twice");
    }
  }

  /** A loss's body, given its input, target and reduction; its other arguments are in {@code a}. */
  private interface LossBody {
    Value build(Builder b, Value input, Value target, Args a, Builder.Reduction r);
  }

  /**
   * Defines the loss {@code name(input, target, params...)}, whose {@code params} include its
   * {@link #REDUCTION}.
   */
  private static void loss(String name, LossBody body, Param... params) {
    List<Param> all = new ArrayList<>(List.of(in(), req("target", TENSOR)));
    all.addAll(List.of(params));
    define(
        name,
        FUNCTION,
        (b, a) -> tensor(body.build(b, a.tensor("input"), a.tensor("target"), a, reduction(a))),
        all.toArray(Param[]::new));
  }

  /** A normalization's body: the input, the weight and bias (null when None) and eps. */
  private interface AffineNormBody {
    Value build(Builder b, Args a, Value x, Value weight, Value bias, double eps);
  }

  /**
   * A normalization of {@code input} with PyTorch's {@code weight=None, bias=None, eps=1e-5} after
   * its own parameter.
   */
  private static void affineNorm(String name, Param own, AffineNormBody body) {
    define(
        name,
        FUNCTION,
        (b, a) ->
            tensor(
                body.build(
                    b,
                    a,
                    a.tensor("input"),
                    optTensor(a, "weight"),
                    optTensor(a, "bias"),
                    a.number("eps"))),
        in(),
        own,
        opt("weight", TENSOR, NONE),
        opt("bias", TENSOR, NONE),
        opt("eps", NUMBER, Val.Num.ofFloat(1e-5)));
  }

  private static Param in() {
    return req("input", TENSOR);
  }

  private static Param req(String name, Kind kind) {
    return new Param(name, kind, null);
  }

  private static Param opt(String name, Kind kind, Val dflt) {
    return new Param(name, kind, dflt);
  }

  private static Val tensor(Value v) {
    return new Val.Tensor(v);
  }

  // ---------------------------------------------------------------- bodies

  private static Body binary(Op op) {
    return (b, a) -> tensor(Semantics.tensors(b, op, a.tensor("input"), a.operand("other")));
  }

  /** {@code op(input, second)}, either a number but not both ({@code pow}, {@code remainder}). */
  private static Body numbers(Op op, String second) {
    return (b, a) -> {
      if (!(a.get("input").val() instanceof Val.Tensor)
          && !(a.get(second).val() instanceof Val.Tensor)) {
        throw new GradcException(
            a.fn() + " needs a Tensor for 'input' or '" + second + "', got two numbers");
      }
      return tensor(Semantics.tensors(b, op, a.operand("input"), a.operand(second)));
    };
  }

  private static Val where(Builder b, Args a) {
    Value x = a.operand("input");
    Value y = a.operand("other");
    if (x instanceof Lit l && y instanceof Lit m) {
      // Two Python numbers make a new tensor: of the default float dtype if either is a float.
      DType d = Builder.promote(l, m);
      if (d.isFloat()) {
        x = Builder.lit(l.value(), Builder.DEFAULT_FLOAT);
        y = Builder.lit(m.value(), Builder.DEFAULT_FLOAT);
      }
    }
    return tensor(b.where(a.tensor("condition"), x, y));
  }

  /** The activations of {@code torch.nn.functional} ({@link Activations}). */
  private static void activations() {
    Param inplace = opt("inplace", BOOL, Val.Num.ofBool(false));
    define(
        "gelu",
        FUNCTION,
        (b, a) -> tensor(Activations.gelu(b, floatInput(a), approximateTanh(a))),
        in(),
        opt("approximate", STRING, new Val.Str("none")));
    define("silu", FUNCTION, (b, a) -> tensor(Activations.silu(b, floatInput(a))), in(), inplace);
    define("mish", FUNCTION, (b, a) -> tensor(Activations.mish(b, floatInput(a))), in(), inplace);
    define(
        "leaky_relu",
        FUNCTION,
        (b, a) -> tensor(Activations.leakyRelu(b, floatInput(a), a.number("negative_slope"))),
        in(),
        opt("negative_slope", NUMBER, Val.Num.ofFloat(0.01)),
        inplace);
    define(
        "elu",
        FUNCTION,
        (b, a) -> tensor(Activations.elu(b, floatInput(a), a.number("alpha"), 1, 1)),
        in(),
        opt("alpha", NUMBER, Val.Num.ofFloat(1.0)),
        inplace);
    define(
        "selu",
        BOTH,
        (b, a) ->
            tensor(
                Activations.elu(
                    b, floatInput(a), Activations.SELU_ALPHA, Activations.SELU_SCALE, 1)),
        in(),
        inplace);
    define(
        "celu",
        BOTH,
        (b, a) -> {
          double alpha = a.number("alpha");
          if (alpha == 0) {
            throw a.error("alpha", "ZeroDivisionError");
          }
          return tensor(Activations.elu(b, floatInput(a), alpha, 1, 1 / alpha));
        },
        in(),
        opt("alpha", NUMBER, Val.Num.ofFloat(1.0)),
        inplace);
    define(
        "logsigmoid", FUNCTION, (b, a) -> tensor(Activations.logsigmoid(b, floatInput(a))), in());
    define(
        "softsign",
        FUNCTION,
        (b, a) -> {
          Value x = a.tensor("input");
          return tensor(b.div(x, b.add(b.abs(x), 1)));
        },
        in());
    define(
        "hardtanh",
        FUNCTION,
        (b, a) ->
            tensor(
                Activations.hardtanh(b, floatInput(a), a.number("min_val"), a.number("max_val"))),
        in(),
        opt("min_val", NUMBER, Val.Num.ofFloat(-1.0)),
        opt("max_val", NUMBER, Val.Num.ofFloat(1.0)),
        inplace);
    define(
        "relu6",
        FUNCTION,
        (b, a) -> tensor(Activations.hardtanh(b, floatInput(a), 0, 6)),
        in(),
        inplace);
    define(
        "hardsigmoid",
        FUNCTION,
        (b, a) -> tensor(Activations.hardsigmoid(b, floatInput(a))),
        in(),
        inplace);
    define(
        "hardswish",
        FUNCTION,
        (b, a) -> tensor(Activations.hardswish(b, floatInput(a))),
        in(),
        inplace);
    define(
        "glu",
        FUNCTION,
        (b, a) -> tensor(Activations.glu(b, floatInput(a), a.integer("dim"))),
        in(),
        opt("dim", INT, Val.Num.ofInt(-1)));
    define(
        "softmin",
        FUNCTION,
        (b, a) -> tensor(b.softmax(b.neg(floatInput(a)), a.integer("dim"))),
        in(),
        req("dim", INT));
    define(
        "threshold",
        BOTH,
        (b, a) ->
            tensor(
                Activations.threshold(
                    b, a.tensor("input"), a.number("threshold"), a.number("value"))),
        in(),
        req("threshold", NUMBER),
        req("value", NUMBER),
        inplace);
  }

  private static Value floatInput(Args a) {
    Value x = a.tensor("input");
    requireFloat(a, x);
    return x;
  }

  /** {@code approximate="none"} or {@code "tanh"}, as PyTorch's gelu. */
  private static boolean approximateTanh(Args a) {
    String s = a.string("approximate");
    if (!s.equals("none") && !s.equals("tanh")) {
      throw a.error("approximate", "approximate argument must be either none or tanh.");
    }
    return s.equals("tanh");
  }

  /** {@code round(input, decimals=0)}: ties to even. */
  private static Val round(Builder b, Args a) {
    return tensor(MathFunctions.round(b, a.tensor("input"), a.integer("decimals")));
  }

  private static Val softplus(Builder b, Args a) {
    Value x = a.tensor("input");
    if (a.number("threshold") != 20) {
      throw a.error("threshold", a.fn() + " supports only threshold=20");
    }
    double beta = a.number("beta");
    if (beta == 1) {
      return tensor(b.unary(Op.SOFTPLUS, x));
    }
    Value t = b.mul(x, beta);
    if (beta == 0) {
      // PyTorch: log1p(exp(x * 0)) / 0 is ln 2 / beta, an infinity, and its gradient exp(t) /
      // (exp(t)
      // + 1) at t = x * 0 is 1/2 (both NaN where x is not finite). x * sigmoid(x * 0) has that
      // gradient and the second derivative 0, as PyTorch; the division below would give 0 / 0.
      return tensor(b.add(b.mul(x, b.unary(Op.SIGMOID, t)), Math.log(2) / beta));
    }
    if (Double.isInfinite(1 / beta)) {
      throw a.error(
          "beta",
          a.fn()
              + " supports no beta whose reciprocal overflows (0 < |beta| < 2^-1024), got "
              + beta);
    }
    // PyTorch: x where beta x > 20, else log1p(exp(beta x)) / beta; the gradient of the latter is
    // formed as sigmoid(beta x) times beta / beta, so 1 / beta must be finite.
    Value linear = b.binary(Op.GT, t, Builder.lit(20, DType.F64));
    Value scaled = b.div(b.unary(Op.SOFTPLUS, t), Builder.lit(beta, DType.F64));
    return tensor(b.where(linear, x, scaled));
  }

  private static Val reduce(Builder b, Args a, Op op) {
    Value x = a.tensor("input");
    if (op == Op.MEAN) {
      requireFloat(a, x);
    }
    int[] dims = a.dims("dim");
    requireElements(a, op.mnemonic(), op, x, dims);
    return tensor(b.reduce(op, x, dims, a.flag("keepdim")));
  }

  /**
   * {@code prod(input, dim=None, keepdim=False, dtype=None)}: over every element without {@code
   * dim}, where PyTorch has no {@code keepdim}; {@code dtype} converts the input first.
   */
  private static Val prod(Builder b, Args a) {
    Value x = a.tensor("input");
    if (!a.isNone("dtype")) {
      x = b.cast(x, a.dtype("dtype"));
    }
    if (a.isNone("dim")) {
      if (a.flag("keepdim")) {
        throw a.error(
            "keepdim", "prod() received an invalid combination of arguments: keepdim needs dim");
      }
      return tensor(b.reduce(Op.PROD, x, new int[0], false));
    }
    return tensor(b.reduce(Op.PROD, x, a.dims("dim"), a.flag("keepdim")));
  }

  /**
   * {@code var}, {@code std}, {@code var_mean} and {@code std_mean}: {@code unbiased} (default
   * True) or {@code correction} (default 1), not both; the last two give the tuple {@code (var,
   * mean)} or {@code (std, mean)}.
   */
  private static Val statistics(Builder b, Args a, String name) {
    Value x = a.tensor("input");
    if (!x.type().dtype().isFloat()) {
      throw a.error(
          "input",
          (name.endsWith("_mean") ? name : "std and var")
              + " only support floating point and complex dtypes");
    }
    if (!a.isNone("unbiased") && !a.isNone("correction")) {
      throw a.error(
          "correction",
          name
              + "() received an invalid combination of arguments: unbiased and correction cannot"
              + " both be given");
    }
    long correction =
        !a.isNone("correction")
            ? a.integer("correction")
            : a.isNone("unbiased") || a.flag("unbiased") ? 1 : 0;
    int[] dims = a.dims("dim");
    boolean keepdim = a.flag("keepdim");
    boolean std = name.startsWith("std");
    Value spread =
        std
            ? Statistics.std(b, x, dims, correction, keepdim)
            : Statistics.var(b, x, dims, correction, keepdim);
    if (!name.endsWith("_mean")) {
      return tensor(spread);
    }
    SourcePos pos = a.callPos();
    Value mean = Statistics.meanOfSpread(b, x, dims, keepdim);
    return new Val.Seq(
        List.of(new Val.Located(tensor(spread), pos), new Val.Located(tensor(mean), pos)), true);
  }

  /**
   * The argument {@code input}, a float tensor; else PyTorch's error at it: {@code before}, the
   * dtype's name, {@code after}.
   */
  private static Value floatInput(Args a, String before, String after) {
    Value x = a.tensor("input");
    if (!x.type().dtype().isFloat()) {
      throw a.error("input", before + x.type().dtype().scalarTypeName() + after);
    }
    return x;
  }

  private static Val nanmean(Builder b, Args a) {
    Value x = floatInput(a, "nanmean(): expected input to have floating point dtype but got ", "");
    return tensor(Statistics.nanmean(b, x, a.dims("dim"), a.flag("keepdim")));
  }

  /** {@code torch.norm(input, p='fro', dim=None, keepdim=False)}: 'fro' is the 2-norm. */
  private static Val norm(Builder b, Args a) {
    Val p = a.get("p").val();
    if (p instanceof Val.Str nuc && nuc.s().equals("nuc")) {
      return nuclearNorm(
          b,
          a,
          floatInput(
              a, "linalg.svd: Expected a floating point or complex tensor as input. Got ", ""));
    }
    Value x =
        floatInput(
            a, "norm(): input dtype should be either floating point or complex. Got ", " instead.");
    double ord;
    if (p instanceof Val.Str s && s.s().equals("fro")) {
      ord = 2;
    } else if (p instanceof Val.Num n && n.kind() != Val.Num.NumKind.BOOL) {
      ord = n.asDouble();
    } else {
      throw a.error(
          "p",
          p instanceof Val.Str s
              ? "only valid string values are 'fro' and 'nuc', found " + s.s()
              : "norm(): argument 'p' must be a number or a string, not " + p.typeName());
    }
    return tensor(Statistics.vectorNorm(b, x, ord, a.dims("dim"), a.flag("keepdim")));
  }

  /** {@code torch.linalg.vector_norm(input, ord=2, dim=None, keepdim=False)}. */
  private static Val vectorNorm(Builder b, Args a) {
    Value x =
        floatInput(
            a,
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
            "");
    return tensor(Statistics.vectorNorm(b, x, a.number("ord"), a.dims("dim"), a.flag("keepdim")));
  }

  /**
   * {@code torch.linalg.matrix_norm(input, ord='fro', dim=(-2, -1), keepdim=False)}: {@code ord}
   * {@code 'fro'}, {@code 'nuc'}, 1, -1, 2, -2, {@code inf} or {@code -inf}.
   */
  private static Val matrixNorm(Builder b, Args a) {
    Value x = a.tensor("input");
    boolean lastTwo = a.isNone("dim");
    int[] d;
    try {
      d = Statistics.matrixNormDims(x.type(), lastTwo ? new int[] {-2, -1} : a.dims("dim"));
    } catch (GradcException e) {
      throw a.error(lastTwo ? "input" : "dim", e.getMessage());
    }
    boolean keepdim = a.flag("keepdim");
    Val ord = a.get("ord").val();
    try {
      if (ord instanceof Val.Str s) {
        return tensor(
            Statistics.isNuclear(s.s())
                ? Statistics.singularNorm(b, x, Op.SUM, d, keepdim)
                : Statistics.vectorNorm(b, x, 2, d, keepdim));
      }
      if (ord instanceof Val.Num n && n.kind() != Val.Num.NumKind.BOOL) {
        return tensor(Statistics.matrixNorm(b, x, n.asDouble(), d, keepdim));
      }
    } catch (GradcException e) {
      throw a.error("ord", e.getMessage());
    }
    throw a.error(
        "ord",
        "linalg.matrix_norm: argument 'ord' must be a number or a string, not " + ord.typeName());
  }

  /**
   * {@code torch.linalg.svdvals(A)}: the singular values of each matrix of the last two dims, in
   * descending order.
   */
  private static Val svdvals(Builder b, Args a) {
    Value x = a.tensor("A");
    try {
      return tensor(b.svd(x, Svd.VALUES));
    } catch (GradcException e) {
      throw a.error("A", e.getMessage());
    }
  }

  /**
   * {@code torch.norm(input, p='nuc', dim, keepdim)}: PyTorch's {@code nuclear_norm}, of a matrix
   * or over two given dims.
   */
  private static Val nuclearNorm(Builder b, Args a, Value x) {
    boolean keepdim = a.flag("keepdim");
    if (a.isNone("dim")) {
      if (x.type().rank() != 2) {
        throw a.error(
            "input",
            "Expected a tensor with 2 dimensions, but got a tensor with "
                + x.type().rank()
                + " dimensions instead.");
      }
      return tensor(Statistics.singularNorm(b, x, Op.SUM, new int[] {0, 1}, keepdim));
    }
    int[] dims = a.dims("dim");
    if (dims.length != 2) {
      throw a.error("dim", "nuclear norm requires a 'dim' argument of size 2");
    }
    int[] d;
    try {
      d = Statistics.matrixNormDims(x.type(), dims);
    } catch (GradcException e) {
      throw a.error(
          "dim",
          e.getMessage().contains("dims must be different")
              ? "duplicate or invalid dimensions"
              : e.getMessage());
    }
    return tensor(Statistics.singularNorm(b, x, Op.SUM, d, keepdim));
  }

  /** PyTorch's error for a maximum or minimum of no elements, at the dims or the input. */
  private static void requireElements(Args a, String name, Op op, Value x, int[] dims) {
    String error = Typing.emptyReductionError(name, op, x.type(), dims);
    if (error != null) {
      throw a.error(dims.length == 0 ? "input" : "dim", error);
    }
  }

  private static void requireFloat(Args a, Value x) {
    if (!x.type().dtype().isFloat()) {
      throw a.error("input", a.fn() + " needs a floating-point tensor, got " + x.type());
    }
  }

  /** A values-and-indices result ({@code torch.return_types}) as a tuple at the call. */
  private static Val pair(Args a, Value[] valuesIndices) {
    SourcePos pos = a.callPos();
    return new Val.Seq(
        List.of(
            new Val.Located(tensor(valuesIndices[0]), pos),
            new Val.Located(tensor(valuesIndices[1]), pos)),
        true);
  }

  private static Val maxMin(Builder b, Args a, Op reduction, Op elementwise) {
    Value x = a.tensor("input");
    Val other = a.get("other").val();
    String dim = other instanceof Val.Num ? "other" : a.isNone("dim") ? null : "dim";
    if (dim != null) {
      // torch.max(input, 1) is the dim overload, as torch.max(input, dim=1)
      return pair(
          a, Selection.maxMin(b, x, a.integer(dim), a.flag("keepdim"), elementwise == Op.MAXIMUM));
    }
    if (other instanceof Val.Nothing) {
      requireElements(a, elementwise == Op.MAXIMUM ? "max" : "min", reduction, x, new int[0]);
      return tensor(b.reduce(reduction, x, new int[0], false));
    }
    return tensor(b.binary(elementwise, x, a.tensor("other")));
  }

  /** The tuple of views of {@code x} that these steps make ({@code split}, {@code unbind}). */
  private static Val views(Builder b, Args a, Value x, List<Indexing.Step> steps) {
    List<Val.Located> out = new ArrayList<>();
    for (Indexing.Step s : steps) {
      out.add(new Val.Located(tensor(Indexing.apply(b, x, s)), a.callPos()));
    }
    return new Val.Seq(out, true);
  }

  private static long[] longs(int[] v) {
    return java.util.Arrays.stream(v).asLongStream().toArray();
  }

  /** A list or tuple of tensors, as {@code cat} and {@code stack} take. */
  private static List<Value> tensorList(Args a, String name) {
    Val v = a.get(name).val();
    if (!(v instanceof Val.Seq seq)) {
      throw a.error(
          name,
          a.fn() + "(): argument '" + name + "' must be tuple of Tensors, not a single value");
    }
    List<Value> xs = new ArrayList<>();
    for (Val.Located item : seq.items()) {
      if (!(item.val() instanceof Val.Tensor t)) {
        throw a.error(name, a.fn() + "(): argument '" + name + "' must be tuple of Tensors");
      }
      xs.add(t.value());
    }
    return xs;
  }

  /** {@code torch.stack(tensors, dim)}: a list or tuple of tensors. */
  /**
   * {@code torch.einsum(equation, *operands)}: the operands one by one (up to six) or as one list
   * or tuple; a bad equation is an error at the equation.
   */
  private static Val einsum(Builder b, Args a) {
    List<Value> xs = new ArrayList<>();
    if (a.get("operands").val() instanceof Val.Seq) {
      xs.addAll(tensorList(a, "operands"));
    } else {
      xs.add(a.tensor("operands"));
    }
    for (int k = 2; k <= 6; k++) {
      if (!a.isNone("operand" + k)) {
        xs.add(a.tensor("operand" + k));
      }
    }
    String equation = a.string("equation");
    try {
      Einsum.parse(equation, xs.stream().mapToInt(x -> x.type().rank()).toArray());
    } catch (GradcException e) {
      throw a.error("equation", e.getMessage());
    }
    return tensor(Einsum.einsum(b, equation, xs));
  }

  /** {@code F.instance_norm}: the input's own statistics only (no running statistics). */
  private static Val instanceNorm(Builder b, Args a) {
    for (String name : List.of("running_mean", "running_var")) {
      if (!a.isNone(name)) {
        throw a.error(
            name, "instance_norm(): running statistics are not supported; leave " + name + " None");
      }
    }
    if (!a.flag("use_input_stats")) {
      throw a.error(
          "use_input_stats", "instance_norm(): use_input_stats=False needs running statistics");
    }
    return tensor(
        Distances.instanceNorm(
            b, a.tensor("input"), optTensor(a, "weight"), optTensor(a, "bias"), a.number("eps")));
  }

  private static Val batchNorm(Builder b, Args a) {
    boolean training = a.flag("training");
    if (training) {
      for (String name : List.of("running_mean", "running_var")) {
        if (!a.isNone(name)) {
          throw a.error(
              name,
              "batch_norm(): updating running statistics in place is not supported in .grad"
                  + " programs; leave "
                  + name
                  + " None when training, or update it in the caller");
        }
      }
    }
    return tensor(
        Distances.batchNorm(
            b,
            a.tensor("input"),
            optTensor(a, "running_mean"),
            optTensor(a, "running_var"),
            optTensor(a, "weight"),
            optTensor(a, "bias"),
            training,
            a.number("eps")));
  }

  private static Val stack(Builder b, Args a) {
    return tensor(Selection.stack(b, tensorList(a, "tensors"), a.integer("dim")));
  }

  private static Val normalize(Builder b, Args a, Op op) {
    Value x = a.tensor("input");
    requireFloat(a, x);
    int dim = a.integer("dim");
    return tensor(op == Op.SOFTMAX ? b.softmax(x, dim) : b.logSoftmax(x, dim));
  }

  private static Val flatten(Builder b, Args a) {
    Value x = a.tensor("input");
    List<Dim> dims = x.type().dims();
    if (dims.isEmpty()) {
      return tensor(b.reshape(x, List.of(Dim.of(1))));
    }
    int start = Builder.normalizeDim(a.integer("start_dim"), dims.size());
    int end = Builder.normalizeDim(a.integer("end_dim"), dims.size());
    if (start > end) {
      throw a.error("start_dim", "flatten() has invalid args: start_dim cannot come after end_dim");
    }
    Dim merged = Type.product(dims.subList(start, end + 1));
    if (merged == null) {
      throw new GradcException(
          "flatten() cannot merge two symbolic dims of " + x.type() + " into one dim");
    }
    List<Dim> out = new ArrayList<>(dims.subList(0, start));
    out.add(merged);
    out.addAll(dims.subList(end + 1, dims.size()));
    return tensor(b.reshape(x, out));
  }

  private static Val expand(Builder b, Args a) {
    Value x = a.tensor("input");
    if (!a.symbolic("size")) {
      return tensor(b.expand(x, a.shape("size")));
    }
    List<Dim> sizes = a.sizes("size");
    int off = sizes.size() - x.type().rank();
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      if (sizes.get(i) == null && i < off) {
        throw a.error(
            "size",
            "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension "
                + i);
      }
      out.add(sizes.get(i) == null ? x.type().dim(i - off) : sizes.get(i));
    }
    if (off < 0) {
      return tensor(b.expand(x, a.shape("size")));
    }
    return tensor(b.expand(x, out));
  }

  /** Reshape to sizes that hold symbolic dims; null is PyTorch's -1, inferred. */
  static Value reshapeSymbolic(Builder b, Value x, List<Dim> sizes) {
    Dim total = x.type().numel();
    List<Dim> out = new ArrayList<>(sizes);
    int infer = out.indexOf(null);
    if (infer >= 0 && out.lastIndexOf(null) != infer) {
      throw new GradcException("only one dimension can be inferred");
    }
    if (infer >= 0) {
      out.set(infer, Dim.of(1));
      Dim known = Type.product(out);
      Dim q = total == null || known == null ? null : quotient(total, known);
      if (q == null) {
        throw new GradcException(
            "shape '" + shapeText(sizes) + "' is invalid for input of size " + total);
      }
      out.set(infer, q);
    }
    if (total == null || !total.equals(Type.product(out))) {
      throw new GradcException(
          "shape '" + shapeText(sizes) + "' is invalid for input of size " + total);
    }
    return b.reshape(x, out);
  }

  private static String shapeText(List<Dim> sizes) {
    List<String> parts = new ArrayList<>();
    for (Dim d : sizes) {
      parts.add(d == null ? "-1" : d.toString());
    }
    return "[" + String.join(", ", parts) + "]";
  }

  /** The dim {@code q} with {@code q * b == a}, or null when there is none. */
  private static Dim quotient(Dim a, Dim b) {
    if (b.factor() == 0 || a.factor() % b.factor() != 0) {
      return null;
    }
    Dim q = new Dim(a.factor() / b.factor(), b.symbol() == null ? a.symbol() : null);
    return a.equals(Type.product(List.of(q, b))) ? q : null;
  }

  private static Val t(Builder b, Args a) {
    Value x = a.tensor("input");
    int r = x.type().rank();
    if (r > 2) {
      throw new GradcException(
          a.fn() + " expects a tensor with <= 2 dimensions, but self is " + r + "D");
    }
    return tensor(b.transposeLast(x));
  }

  private static Val sumToSize(Builder b, Args a) {
    Value x = a.tensor("input");
    List<Dim> size = new ArrayList<>();
    for (int s : a.shape("size")) {
      if (s < 0) {
        throw a.error("size", a.fn() + " got a negative size " + s);
      }
      size.add(Dim.of(s));
    }
    try {
      Typing.checkBroadcastTo(size, x.type().dims());
    } catch (GradcException e) {
      throw a.error(
          "size", "size " + size + " is not expandable to size " + x.type().shapeString());
    }
    return tensor(b.sumTo(x, size));
  }

  /** {@code mm}, {@code mv}, {@code dot}, {@code bmm}: matmul with fixed operand ranks. */
  private static Val ranked(Builder b, Args a, String other, int rankA, int rankB) {
    Value x = a.tensor("input");
    Value y = a.tensor(other);
    if (x.type().rank() != rankA || y.type().rank() != rankB) {
      throw new GradcException(
          a.fn()
              + " expects "
              + rankA
              + "-D and "
              + rankB
              + "-D tensors, got "
              + x.type()
              + " and "
              + y.type());
    }
    if (rankA == 3 && !x.type().dim(0).equals(y.type().dim(0))) {
      throw new GradcException(
          a.fn() + " needs equal batch sizes, got " + x.type() + " and " + y.type());
    }
    return tensor(Semantics.matmul(b, x, y));
  }

  private static Val oneHot(Builder b, Args a) {
    int classes = a.integer("num_classes");
    if (classes == -1) {
      throw new GradcException(
          a.fn() + " needs num_classes: the number of classes must be known when compiling");
    }
    return tensor(b.oneHot(a.tensor("tensor"), classes));
  }

  private static Builder.Reduction reduction(Args a) {
    String r = a.string("reduction");
    for (Builder.Reduction each : Builder.Reduction.values()) {
      if (each.keyword().equals(r)) {
        return each;
      }
    }
    throw a.error("reduction", r + " is not a valid value for reduction");
  }

  /** An optional tensor argument: null for None. */
  private static Value optTensor(Args a, String name) {
    return a.isNone(name) ? null : a.tensor(name);
  }

  private static Val huber(Builder b, Args a) {
    double delta = a.number("delta");
    if (!(delta > 0)) {
      throw a.error("delta", "huber_loss does not support non-positive values for delta.");
    }
    return tensor(b.huberLoss(a.tensor("input"), a.tensor("target"), delta, reduction(a)));
  }

  private static Val bceWithLogits(Builder b, Args a) {
    Value x = a.tensor("input");
    Value y = a.tensor("target");
    if (!x.type().dims().equals(y.type().dims())) {
      throw a.error(
          "target",
          "Target size ("
              + y.type().shapeString()
              + ") must be the same as input size ("
              + x.type().shapeString()
              + ")");
    }
    return tensor(
        Losses.binaryCrossEntropyWithLogits(
            b, x, y, optTensor(a, "weight"), optTensor(a, "pos_weight"), reduction(a)));
  }

  /** Every built-in, in definition order. */
  static List<Builtin> all() {
    return List.copyOf(TABLE.values());
  }
}
