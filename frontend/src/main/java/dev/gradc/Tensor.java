package dev.gradc;

import dev.gradc.frontend.Gathering;
import dev.gradc.frontend.Indexing;
import dev.gradc.frontend.Joining;
import dev.gradc.frontend.Names;
import dev.gradc.frontend.TensorFormat;
import dev.gradc.frontend.lang.Selection;
import dev.gradc.ir.Builder;
import dev.gradc.ir.Distances;
import dev.gradc.ir.Einsum;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.LinearAlgebra;
import dev.gradc.ir.MathFunctions;
import dev.gradc.ir.Op;
import dev.gradc.ir.Statistics;
import dev.gradc.ir.Type;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import dev.gradc.runtime.Buffers;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A tensor with PyTorch's autograd contract. Ops record a node with PyTorch's {@code grad_fn} name
 * when grad mode is on and an input requires grad, and stay lazy: values are computed on demand
 * ({@link #item}, {@link #toString}, {@link #toDoubleArray}, {@link #backward}) by capturing the
 * pending graph into the IR, compiling it through the kernel cache and running it. A training loop
 * that rebuilds the same graph every step compiles once.
 *
 * <pre>
 * Tensor a = Tensor.ones(2, 2).requiresGrad_();
 * Tensor b = a.pow(2);
 * Tensor c = b.mean();
 * c.backward();
 * a.grad();   // tensor([[0.5000, 0.5000],
 *             //         [0.5000, 0.5000]])
 * </pre>
 *
 * <p>Leaves are the tensors the user creates and every tensor that does not require grad. {@link
 * #backward} fills {@link #grad} on the leaves that require grad (and on non-leaves that called
 * {@link #retainGrad}); the gradient is created by the first backward and accumulated in place
 * afterwards. In-place ops ({@link #add_}, {@link #zero_}, ...) bump PyTorch's version counter; a
 * value captured before an in-place update still computes from the data it saw. Results of view ops
 * ({@link #view}, {@link #reshape}, {@link #transpose}, ...) share storage with their base as
 * PyTorch's views do ({@link ViewOf}): they read in-place updates of the base, and in-place ops on
 * them write through to it.
 *
 * <p>Differences from PyTorch: a Java {@code double} operand acts as a Python float. Grad mode is
 * per thread. One thread may update a tensor in place while others read it (record ops on it, run
 * backward through it, print it), as Hogwild-style training does under no-grad: readers see whole
 * versions and no update is lost. Two threads updating one tensor in place at once race, as in
 * PyTorch.
 */
public final class Tensor {
  private static final long DEFAULT_SEED = 67280421310721L;
  // Made on the first rand or randn (guarded by Tensor.class), so that loading Tensor does not load
  // the random generators' classes.
  private static SplittableRandom rng;

  // The state Recorder reads and writes: the storage shared with detach() aliases and views, what
  // makes this tensor a view (null for a base), the node this tensor reads and the storage version
  // it reflects.
  // Other threads may read a tensor while one thread updates it in place (a training loop stepping
  // under no-grad while another runs backward), so only the writing thread sets node and
  // nodeVersion, the node first; a reader that finds them behind the storage keeps the node it
  // derives in `derived`, one object with its version, so that no thread ever pairs an old node
  // with a new version (Recorder.refresh).
  final Storage storage;
  final ViewOf viewOf;
  volatile Node node;
  volatile int nodeVersion;
  volatile Recorder.Derived derived;
  volatile Tensor grad;

  /** Where backward delivers this tensor's gradient; made when first needed. */
  private GradSink sink;

  private boolean retainsGrad;

  Tensor(Storage storage, Node node, ViewOf viewOf) {
    this.storage = storage;
    this.node = node;
    this.nodeVersion = storage.version();
    this.viewOf = viewOf;
  }

  GradSink sink() {
    if (sink == null) {
      sink =
          (g, createGraph) ->
              Recorder.accumulate(
                  this,
                  isLeaf() && hooks != null ? runHooks(hooks, g, createGraph) : g,
                  createGraph);
    }
    return sink;
  }

  /**
   * The gradient hooks of this tensor, in registration order; made by the first {@link
   * #registerHook}, so a tensor without hooks (nearly every one) carries no list.
   */
  private volatile List<UnaryOperator<Tensor>> hooks;

  /**
   * {@code g} passed through {@code hooks} in order: each sees the previous one's result, and one
   * that returns null leaves the gradient as it is.
   */
  static Node runHooks(List<UnaryOperator<Tensor>> hooks, Node g, boolean createGraph) {
    Node out = g;
    for (UnaryOperator<Tensor> h : hooks) {
      Node in = out;
      Tensor r = Autograd.withGrad(createGraph, () -> h.apply(Tensor.of(in)));
      if (r != null) {
        if (!r.node().type().dims().equals(in.type().dims())) {
          throw new GradcException("hook 'hook' has changed the size of value");
        }
        out = r.to(DType.of(in.type().dtype())).node();
      }
    }
    return out;
  }

  /**
   * Registers a backward hook, PyTorch's {@code register_hook}: {@code hook} is called with this
   * tensor's gradient each time one is computed and may return a replacement (or null to keep it).
   * On a leaf the replacement is what accumulates into {@link #grad}; on a non-leaf it is what
   * flows on into the graph below.
   */
  public RemovableHandle registerHook(UnaryOperator<Tensor> hook) {
    Node n = node();
    if (!n.requiresGrad()) {
      throw new GradcException("cannot register a hook on a tensor that doesn't require gradient");
    }
    List<UnaryOperator<Tensor>> list = hookList();
    list.add(hook);
    if (n.gradFn() != null) {
      n.setHooks(list);
    }
    return new RemovableHandle(() -> list.remove(hook));
  }

  private synchronized List<UnaryOperator<Tensor>> hookList() {
    if (hooks == null) {
      hooks = new CopyOnWriteArrayList<>();
    }
    return hooks;
  }

  static Tensor of(Node n) {
    return new Tensor(new Storage(n), n, null);
  }

  private static Tensor ofData(dev.gradc.ir.DType dt, int[] shape, Object buffer) {
    return of(Node.data(Type.of(dt, shape), buffer));
  }

  /**
   * The current node: re-derived when an alias or a view sharing the storage was modified in place.
   */
  Node node() {
    int seen = nodeVersion;
    Node n = node;
    return seen == storage.version() ? n : Recorder.refresh(this);
  }

  // ------------------------------------------------------------------ factories

  /** A 0-d tensor, {@code torch.tensor(v)}. */
  public static Tensor scalar(double v) {
    return scalar(DType.F32, v);
  }

  /** A 0-d tensor of {@code dtype}. */
  public static Tensor scalar(DType dtype, double v) {
    return fromDoubles(dtype, new int[0], new double[] {v});
  }

  /** A 1-d tensor, {@code torch.tensor([...])} (f32, the default dtype). */
  public static Tensor tensor(double... data) {
    return tensor(DType.F32, data);
  }

  /** A 1-d tensor of {@code dtype}. */
  public static Tensor tensor(DType dtype, double... data) {
    return fromDoubles(dtype, new int[] {data.length}, data.clone());
  }

  /** A 2-d tensor from rows of equal length. */
  public static Tensor tensor(double[][] rows) {
    return tensor(DType.F32, rows);
  }

  /** A 2-d tensor of {@code dtype}. */
  public static Tensor tensor(DType dtype, double[][] rows) {
    int n = rows.length;
    int m = n == 0 ? 0 : rows[0].length;
    double[] flat = new double[n * m];
    for (int i = 0; i < n; i++) {
      checkLength(rows[i].length, m, 1);
      System.arraycopy(rows[i], 0, flat, i * m, m);
    }
    return fromDoubles(dtype, new int[] {n, m}, flat);
  }

  /** A 3-d tensor from nested arrays of equal lengths. */
  public static Tensor tensor(double[][][] data) {
    return tensor(DType.F32, data);
  }

  /** A 3-d tensor of {@code dtype}. */
  public static Tensor tensor(DType dtype, double[][][] data) {
    int n = data.length;
    int m = n == 0 ? 0 : data[0].length;
    int k = m == 0 ? 0 : data[0][0].length;
    double[] flat = new double[n * m * k];
    for (int i = 0; i < n; i++) {
      checkLength(data[i].length, m, 1);
      for (int j = 0; j < m; j++) {
        checkLength(data[i][j].length, k, 2);
        System.arraycopy(data[i][j], 0, flat, (i * m + j) * k, k);
      }
    }
    return fromDoubles(dtype, new int[] {n, m, k}, flat);
  }

  private static void checkLength(int got, int expected, int dim) {
    if (got != expected) {
      throw new IllegalArgumentException(
          "expected sequence of length " + expected + " at dim " + dim + " (got " + got + ")");
    }
  }

  private static Tensor fromDoubles(DType dtype, int[] shape, double[] values) {
    return ofData(dtype.ir(), shape, BufferOps.fromDoubles(dtype.ir(), values));
  }

  /** Zeros of the given shape (f32). */
  public static Tensor zeros(long... shape) {
    return full(DType.F32, 0, shape);
  }

  /** Zeros of {@code dtype} and the given shape. */
  public static Tensor zeros(DType dtype, long... shape) {
    return full(dtype, 0, shape);
  }

  /** Ones of the given shape (f32). */
  public static Tensor ones(long... shape) {
    return full(DType.F32, 1, shape);
  }

  /** Ones of {@code dtype} and the given shape. */
  public static Tensor ones(DType dtype, long... shape) {
    return full(dtype, 1, shape);
  }

  /** {@code torch.full(shape, value)}. */
  public static Tensor full(double value, long... shape) {
    return full(DType.F32, value, shape);
  }

  /** {@code value} everywhere, in {@code dtype}. */
  public static Tensor full(DType dtype, double value, long... shape) {
    int[] s = shape(shape);
    int n = numel(s);
    Object buf = Buffers.allocate(dtype.ir(), n);
    if (value != 0 || Double.doubleToRawLongBits(value) != 0) {
      for (int i = 0; i < n; i++) {
        Buffers.set(buf, i, value);
      }
    }
    return ofData(dtype.ir(), s, buf);
  }

  /** Zeros of the shape and dtype of {@code t}. */
  public static Tensor zerosLike(Tensor t) {
    return zeros(t.dtype(), t.shape());
  }

  /** Ones of the shape and dtype of {@code t}. */
  public static Tensor onesLike(Tensor t) {
    return ones(t.dtype(), t.shape());
  }

  /** {@code torch.full_like(t, value)}: {@code value} in the shape and dtype of {@code t}. */
  public static Tensor fullLike(Tensor t, double value) {
    return full(t.dtype(), value, t.shape());
  }

  /** {@code torch.full_like(t, value, dtype=dtype)}. */
  public static Tensor fullLike(Tensor t, double value, DType dtype) {
    return full(dtype, value, t.shape());
  }

  /** Uniform samples in {@code [0, 1)} from the generator seeded by {@link #manualSeed}. */
  public static Tensor rand(long... shape) {
    return rand(DType.F32, shape);
  }

  /** Uniform samples in {@code [0, 1)} of {@code dtype}. */
  public static Tensor rand(DType dtype, long... shape) {
    return random(dtype, shape, false);
  }

  /** Standard normal samples from the generator seeded by {@link #manualSeed}. */
  public static Tensor randn(long... shape) {
    return randn(DType.F32, shape);
  }

  /** Standard normal samples of {@code dtype}. */
  public static Tensor randn(DType dtype, long... shape) {
    return random(dtype, shape, true);
  }

  private static Tensor random(DType dtype, long[] shape, boolean normal) {
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException(
          (normal ? "\"normal_kernel_cpu\"" : "\"check_uniform_bounds\"")
              + " not implemented for '"
              + dtype
              + "'");
    }
    int[] s = shape(shape);
    double[] v = new double[numel(s)];
    synchronized (Tensor.class) {
      if (rng == null) {
        rng = new SplittableRandom(DEFAULT_SEED);
      }
      for (int i = 0; i < v.length; i++) {
        v[i] = normal ? rng.nextGaussian() : rng.nextDouble();
      }
    }
    return fromDoubles(dtype, s, v);
  }

  /** Seeds the generator of {@link #rand} and {@link #randn}, as {@code torch.manual_seed}. */
  public static synchronized void manualSeed(long seed) {
    rng = new SplittableRandom(seed);
  }

  /** {@code torch.eye(n)}: the {@code n x n} identity matrix (f32). */
  public static Tensor eye(long n) {
    return eye(DType.F32, n, n);
  }

  /** {@code torch.eye(n, m)}: ones on the main diagonal of an {@code n x m} matrix (f32). */
  public static Tensor eye(long n, long m) {
    return eye(DType.F32, n, m);
  }

  /** {@code torch.eye(n, m, dtype=dtype)}. */
  public static Tensor eye(DType dtype, long n, long m) {
    if (n < 0 || m < 0) {
      throw new GradcException("n must be greater or equal to 0, got " + Math.min(n, m));
    }
    int[] s = shape(new long[] {n, m});
    double[] v = new double[numel(s)];
    for (int i = 0; i < Math.min(s[0], s[1]); i++) {
      v[i * s[1] + i] = 1;
    }
    return fromDoubles(dtype, s, v);
  }

  /** {@code torch.arange(end)}: {@code 0, 1, ..., end - 1} as i64. */
  public static Tensor arange(long end) {
    return arange(0, end);
  }

  /** {@code torch.arange(start, end)} as i64. */
  public static Tensor arange(long start, long end) {
    return arange(DType.I64, (double) start, (double) end, 1);
  }

  /** {@code torch.arange(start, end, step)} in the default float dtype. */
  public static Tensor arange(double start, double end, double step) {
    return arange(DType.F32, start, end, step);
  }

  /** {@code start, start + step, ...} below {@code end}, in {@code dtype}. */
  public static Tensor arange(DType dtype, double start, double end, double step) {
    if (step == 0) {
      throw new IllegalArgumentException("step must be nonzero");
    }
    if ((end - start) / step < 0) {
      throw new IllegalArgumentException(
          "upper bound and larger bound inconsistent with step sign");
    }
    int n = (int) Math.ceil((end - start) / step);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = start + i * step;
    }
    return fromDoubles(dtype, new int[] {n}, v);
  }

  /** {@code torch.linspace(start, end, steps)} (f32). */
  public static Tensor linspace(double start, double end, long steps) {
    return linspace(DType.F32, start, end, steps);
  }

  /**
   * {@code torch.linspace(start, end, steps, dtype=dtype)} by PyTorch's two-sided formula in the
   * dtype: the first half {@code start + i * step}, the second {@code end - (steps - 1 - i) *
   * step}, so both ends are exact.
   */
  public static Tensor linspace(DType dtype, double start, double end, long steps) {
    if (steps < 0) {
      throw new GradcException("number of steps must be non-negative");
    }
    if (!dtype.isFloatingPoint()) {
      throw new GradcException("linspace with an integer dtype is not supported");
    }
    int n = Math.toIntExact(steps);
    if (n <= 1) {
      return full(dtype, start, n);
    }
    double[] v = new double[n];
    int halfway = n / 2;
    if (dtype == DType.F32) {
      float s = (float) start;
      float e = (float) end;
      float step = (e - s) / (float) (n - 1);
      for (int i = 0; i < n; i++) {
        v[i] = i < halfway ? (float) i * step + s : e - ((float) (n - 1) - (float) i) * step;
      }
    } else {
      double step = (end - start) / (n - 1);
      for (int i = 0; i < n; i++) {
        v[i] = i < halfway ? i * step + start : end - ((double) (n - 1) - i) * step;
      }
    }
    return fromDoubles(dtype, new int[] {n}, v);
  }

  private static int[] shape(long[] shape) {
    int[] s = new int[shape.length];
    for (int i = 0; i < s.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException(
            "Trying to create tensor with negative dimension "
                + shape[i]
                + ": "
                + Arrays.toString(shape));
      }
      s[i] = Math.toIntExact(shape[i]);
    }
    return s;
  }

  private static int numel(int[] s) {
    int n = 1;
    for (int d : s) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  static Value lit(double v) {
    return Builder.lit(v, dev.gradc.ir.DType.F64);
  }

  // ------------------------------------------------------------------ elementwise

  /** {@code this + other}, with broadcasting and PyTorch's type promotion. */
  public Tensor add(Tensor other) {
    return Recorder.binary(this, Op.ADD, Saves.NOTHING, other);
  }

  /** {@code this + other}; a {@code double} acts as a Python float. */
  public Tensor add(double other) {
    return Recorder.binary(this, Op.ADD, Saves.NOTHING, other);
  }

  /** {@code this - other}, with broadcasting. */
  public Tensor sub(Tensor other) {
    return Recorder.binary(this, Op.SUB, Saves.NOTHING, other);
  }

  /** {@code this - other}. */
  public Tensor sub(double other) {
    return Recorder.binary(this, Op.SUB, Saves.NOTHING, other);
  }

  /** {@code other - this}, PyTorch's {@code rsub} (Python's {@code 2 - x}). */
  public Tensor rsub(double other) {
    return Recorder.record(
        Op.SUB.gradFn(1), Saves.NOTHING, (b, in) -> b.sub(lit(other), in[0]), this);
  }

  /** {@code this * other}, with broadcasting. */
  public Tensor mul(Tensor other) {
    return Recorder.binary(this, Op.MUL, Saves.CROSSED, other);
  }

  /** {@code this * other}. */
  public Tensor mul(double other) {
    return Recorder.binary(this, Op.MUL, Saves.OTHER, other);
  }

  /** {@code this / other} (true division), with broadcasting. */
  public Tensor div(Tensor other) {
    return Recorder.binary(this, Op.DIV, Saves.SECOND_AND_CROSSED, other);
  }

  /** {@code this / other}. */
  public Tensor div(double other) {
    return Recorder.binary(this, Op.DIV, Saves.OTHER, other);
  }

  /** {@code this ** exponent}. */
  public Tensor pow(Tensor exponent) {
    return Recorder.binary(this, Op.POW.gradFn(1), Saves.ALL_INPUTS_AND_RESULT, Op.POW, exponent);
  }

  /** {@code this ** exponent}. */
  public Tensor pow(double exponent) {
    return Recorder.binary(this, Op.POW, Saves.INPUT, exponent);
  }

  /** The angle of the point {@code (other, this)}: {@code atan(this / other)} in every quadrant. */
  public Tensor atan2(Tensor other) {
    return Recorder.binary(this, Op.ATAN2, Saves.ALL_INPUTS, other);
  }

  /** {@code sqrt(this^2 + other^2)} without overflow. */
  public Tensor hypot(Tensor other) {
    return Recorder.binary(this, Op.HYPOT, Saves.ALL_INPUTS_AND_RESULT, other);
  }

  /** Python's {@code this % other}: the sign of the divisor. */
  public Tensor remainder(Tensor other) {
    return Recorder.binary(this, Op.REMAINDER, Saves.ALL_INPUTS, other);
  }

  /** Python's {@code this % other}: the sign of the divisor. */
  public Tensor remainder(double other) {
    return Recorder.record(
        Op.REMAINDER.gradFn(1),
        Saves.NOTHING,
        (b, in) -> b.binary(Op.REMAINDER, in[0], lit(other)),
        this);
  }

  /** Python's {@code input % other}; PyTorch has no gradient for {@code other} here. */
  public static Tensor remainder(double input, Tensor other) {
    return Recorder.record(
        Op.REMAINDER.gradFn(2),
        Saves.NOTHING,
        (b, in) -> b.binary(Op.REMAINDER, lit(input), in[0]),
        other);
  }

  /** C's {@code fmod}: the sign of the dividend. */
  public Tensor fmod(Tensor other) {
    return Recorder.binary(this, Op.FMOD, Saves.ALL_INPUTS, other);
  }

  /** C's {@code fmod}: the sign of the dividend. */
  public Tensor fmod(double other) {
    return Recorder.record(
        Op.FMOD.gradFn(1), Saves.NOTHING, (b, in) -> b.binary(Op.FMOD, in[0], lit(other)), this);
  }

  /** The magnitude of this with the sign of {@code other}. */
  public Tensor copysign(Tensor other) {
    return Recorder.binary(this, Op.COPYSIGN, Saves.INPUT_AND_RESULT, other);
  }

  /** The magnitude of this with the sign of {@code other}. */
  public Tensor copysign(double other) {
    return Recorder.record(
        Op.COPYSIGN.gradFn(1),
        Saves.INPUT_AND_RESULT,
        (b, in) -> b.binary(Op.COPYSIGN, in[0], lit(other)),
        this);
  }

  /** {@code this * log(other)}, 0 where this is 0 (NaN where other is NaN). */
  public Tensor xlogy(Tensor other) {
    return Recorder.binary(this, Op.XLOGY, Saves.ALL_INPUTS, other);
  }

  /** {@code this * log(other)}, 0 where this is 0. */
  public Tensor xlogy(double other) {
    return Recorder.record(
        Op.XLOGY.gradFn(1), Saves.INPUT, (b, in) -> b.binary(Op.XLOGY, in[0], lit(other)), this);
  }

  /** {@code input * log(other)}, 0 where input is 0 (NaN where other is NaN). */
  public static Tensor xlogy(double input, Tensor other) {
    return Recorder.record(
        Op.XLOGY.gradFn(2), Saves.INPUT, (b, in) -> b.binary(Op.XLOGY, lit(input), in[0]), other);
  }

  /** {@code this * log1p(other)}, 0 where this is 0; PyTorch's {@code torch.special.xlog1py}. */
  public Tensor xlog1py(Tensor other) {
    return Recorder.binary(this, Op.XLOG1PY, Saves.ALL_INPUTS, other);
  }

  /** {@code log(exp(this) + exp(other))} without overflow. */
  public Tensor logaddexp(Tensor other) {
    return Recorder.binary(this, Op.LOGADDEXP, Saves.ALL_INPUTS, other);
  }

  /** {@code log2(2^this + 2^other)} without overflow. */
  public Tensor logaddexp2(Tensor other) {
    return Recorder.binary(this, Op.LOGADDEXP2, Saves.ALL_INPUTS, other);
  }

  /** The elementwise maximum; ties share the gradient evenly. */
  public Tensor maximum(Tensor other) {
    return Recorder.binary(this, Op.MAXIMUM, Saves.ALL_INPUTS, other);
  }

  /** The elementwise minimum; ties share the gradient evenly. */
  public Tensor minimum(Tensor other) {
    return Recorder.binary(this, Op.MINIMUM, Saves.ALL_INPUTS, other);
  }

  /** {@code this < other} as a bool tensor. */
  public Tensor lt(Tensor other) {
    return Recorder.binary(this, Op.LT, Saves.NOTHING, other);
  }

  /** {@code this < other} as a bool tensor. */
  public Tensor lt(double other) {
    return Recorder.binary(this, Op.LT, Saves.NOTHING, other);
  }

  /** {@code this <= other} as a bool tensor. */
  public Tensor le(Tensor other) {
    return Recorder.binary(this, Op.LE, Saves.NOTHING, other);
  }

  /** {@code this <= other} as a bool tensor. */
  public Tensor le(double other) {
    return Recorder.binary(this, Op.LE, Saves.NOTHING, other);
  }

  /** {@code this > other} as a bool tensor. */
  public Tensor gt(Tensor other) {
    return Recorder.binary(this, Op.GT, Saves.NOTHING, other);
  }

  /** {@code this > other} as a bool tensor. */
  public Tensor gt(double other) {
    return Recorder.binary(this, Op.GT, Saves.NOTHING, other);
  }

  /** {@code this >= other} as a bool tensor. */
  public Tensor ge(Tensor other) {
    return Recorder.binary(this, Op.GE, Saves.NOTHING, other);
  }

  /** {@code this >= other} as a bool tensor. */
  public Tensor ge(double other) {
    return Recorder.binary(this, Op.GE, Saves.NOTHING, other);
  }

  /** {@code this == other} as a bool tensor. */
  public Tensor eq(Tensor other) {
    return Recorder.binary(this, Op.EQ, Saves.NOTHING, other);
  }

  /** {@code this == other} as a bool tensor. */
  public Tensor eq(double other) {
    return Recorder.binary(this, Op.EQ, Saves.NOTHING, other);
  }

  /** {@code this != other} as a bool tensor. */
  public Tensor ne(Tensor other) {
    return Recorder.binary(this, Op.NE, Saves.NOTHING, other);
  }

  /** {@code this != other} as a bool tensor. */
  public Tensor ne(double other) {
    return Recorder.binary(this, Op.NE, Saves.NOTHING, other);
  }

  /**
   * {@code torch.where(condition, a, b)}: {@code a} where the bool condition holds, else {@code b}.
   */
  public static Tensor where(Tensor condition, Tensor a, Tensor b) {
    return Recorder.record(
        Op.WHERE.gradFn(), Saves.INPUT, (bd, in) -> bd.where(in[0], in[1], in[2]), condition, a, b);
  }

  /**
   * {@code clamp(min, max)}; use {@code Double.NEGATIVE_INFINITY} or {@code POSITIVE_INFINITY} for
   * no bound.
   */
  public Tensor clamp(double min, double max) {
    return Recorder.record(
        Op.CLAMP.gradFn(1), Saves.INPUT, (b, in) -> b.clamp(in[0], lit(min), lit(max)), this);
  }

  /** {@code x.clip(min, max)}: {@link #clamp(double, double)}. */
  public Tensor clip(double min, double max) {
    return clamp(min, max);
  }

  /** {@code clamp(min, max)} with tensor bounds. */
  public Tensor clamp(Tensor min, Tensor max) {
    return Recorder.record(
        Op.CLAMP.gradFn(),
        Saves.ALL_INPUTS,
        (b, in) -> b.clamp(in[0], in[1], in[2]),
        this,
        min,
        max);
  }

  /** {@code max(this, min)}, PyTorch's {@code clamp_min}. */
  public Tensor clampMin(double min) {
    return Recorder.record(
        Op.CLAMP.gradFn(2), Saves.INPUT, (b, in) -> b.clamp(in[0], lit(min), null), this);
  }

  /** {@code min(this, max)}, PyTorch's {@code clamp_max}. */
  public Tensor clampMax(double max) {
    return Recorder.record(
        Op.CLAMP.gradFn(3), Saves.INPUT, (b, in) -> b.clamp(in[0], null, lit(max)), this);
  }

  /** {@code -this}. */
  public Tensor neg() {
    return Recorder.unary(this, Op.NEG, Saves.NOTHING);
  }

  /** {@code torch.negative(x)}: {@link #neg}. */
  public Tensor negative() {
    return neg();
  }

  /** {@code |this|}; its gradient at 0 is 0. */
  public Tensor abs() {
    return Recorder.unary(this, Op.ABS, Saves.INPUT);
  }

  /** -1, 0 or 1 by sign; its gradient is 0. */
  public Tensor sign() {
    return Recorder.unary(this, Op.SIGN, Saves.NOTHING);
  }

  /** {@code e ** this}. */
  public Tensor exp() {
    return Recorder.unary(this, Op.EXP, Saves.RESULT);
  }

  /** {@code exp(this) - 1}, accurate near 0. */
  public Tensor expm1() {
    return Recorder.unary(this, Op.EXPM1, Saves.RESULT);
  }

  /** The natural logarithm. */
  public Tensor log() {
    return Recorder.unary(this, Op.LOG, Saves.INPUT);
  }

  /** {@code log(1 + this)}, accurate near 0. */
  public Tensor log1p() {
    return Recorder.unary(this, Op.LOG1P, Saves.INPUT);
  }

  /** The square root. */
  public Tensor sqrt() {
    return Recorder.unary(this, Op.SQRT, Saves.RESULT);
  }

  /** {@code 1 / sqrt(this)}. */
  public Tensor rsqrt() {
    return Recorder.unary(this, Op.RSQRT, Saves.RESULT);
  }

  /** {@code this ** 2}. */
  public Tensor square() {
    return Recorder.unary(this, Op.SQUARE, Saves.INPUT);
  }

  /** {@code 1 / this}. */
  public Tensor reciprocal() {
    return Recorder.unary(this, Op.RECIPROCAL, Saves.RESULT);
  }

  /** The sine. */
  public Tensor sin() {
    return Recorder.unary(this, Op.SIN, Saves.INPUT);
  }

  /** The cosine. */
  public Tensor cos() {
    return Recorder.unary(this, Op.COS, Saves.INPUT);
  }

  /** The tangent. */
  public Tensor tan() {
    return Recorder.unary(this, Op.TAN, Saves.RESULT);
  }

  /** The hyperbolic tangent. */
  public Tensor tanh() {
    return Recorder.unary(this, Op.TANH, Saves.RESULT);
  }

  /** {@code 1 / (1 + exp(-this))}. */
  public Tensor sigmoid() {
    return Recorder.unary(this, Op.SIGMOID, Saves.RESULT);
  }

  /** {@code max(this, 0)}; its gradient at 0 is 0. */
  public Tensor relu() {
    return Recorder.unary(this, Op.RELU, Saves.RESULT);
  }

  /** The error function. */
  public Tensor erf() {
    return Recorder.unary(this, Op.ERF, Saves.INPUT);
  }

  /** The complementary error function {@code 1 - erf(this)}, accurate in the tails. */
  public Tensor erfc() {
    return Recorder.unary(this, Op.ERFC, Saves.INPUT);
  }

  /** The inverse error function, {@code +-inf} at {@code +-1}. */
  public Tensor erfinv() {
    return Recorder.unary(this, Op.ERFINV, Saves.INPUT);
  }

  /** {@code log|Gamma(this)|}, {@code +inf} at the non-positive integers. */
  public Tensor lgamma() {
    return Recorder.unary(this, Op.LGAMMA, Saves.INPUT);
  }

  /** The logarithmic derivative of Gamma: {@code -inf} at {@code +0}, NaN at negative integers. */
  public Tensor digamma() {
    return Recorder.unary(this, Op.DIGAMMA, Saves.INPUT);
  }

  /** The {@code n}-th derivative of {@link #digamma}; {@code n >= 0}. */
  public Tensor polygamma(int n) {
    return polygamma(n, this);
  }

  /** {@code torch.polygamma(n, input)}: the {@code n}-th derivative of {@link #digamma}. */
  public static Tensor polygamma(int n, Tensor input) {
    return Recorder.record(
        Op.POLYGAMMA.gradFn(0),
        Saves.INPUT,
        (b, in) -> MathFunctions.polygamma(b, n, in[0]),
        input);
  }

  /** The hyperbolic sine. */
  public Tensor sinh() {
    return Recorder.unary(this, Op.SINH, Saves.INPUT);
  }

  /** The hyperbolic cosine. */
  public Tensor cosh() {
    return Recorder.unary(this, Op.COSH, Saves.INPUT);
  }

  /** The inverse hyperbolic sine. */
  public Tensor asinh() {
    return Recorder.unary(this, Op.ASINH, Saves.INPUT);
  }

  /** The inverse hyperbolic cosine: NaN below 1, 0 at 1. */
  public Tensor acosh() {
    return Recorder.unary(this, Op.ACOSH, Saves.INPUT);
  }

  /** The inverse hyperbolic tangent: infinite at {@code ±1}, NaN beyond. */
  public Tensor atanh() {
    return Recorder.unary(this, Op.ATANH, Saves.INPUT);
  }

  /** The arcsine. */
  public Tensor asin() {
    return Recorder.unary(this, Op.ASIN, Saves.INPUT);
  }

  /** The arccosine. */
  public Tensor acos() {
    return Recorder.unary(this, Op.ACOS, Saves.INPUT);
  }

  /** The arctangent. */
  public Tensor atan() {
    return Recorder.unary(this, Op.ATAN, Saves.INPUT);
  }

  /** The base-2 logarithm, exact at powers of two. */
  public Tensor log2() {
    return Recorder.unary(this, Op.LOG2, Saves.INPUT);
  }

  /** The base-10 logarithm. */
  public Tensor log10() {
    return Recorder.unary(this, Op.LOG10, Saves.INPUT);
  }

  /** Rounds down; integers stay integers; the gradient is zero. */
  public Tensor floor() {
    return Recorder.unary(this, Op.FLOOR, Saves.NOTHING);
  }

  /** Rounds up; integers stay integers; the gradient is zero. */
  public Tensor ceil() {
    return Recorder.unary(this, Op.CEIL, Saves.NOTHING);
  }

  /** Rounds to the nearest integer, ties to even; the gradient is zero. */
  public Tensor round() {
    return Recorder.unary(this, Op.ROUND, Saves.NOTHING);
  }

  /** Rounds toward zero; integers stay integers; the gradient is zero. */
  public Tensor trunc() {
    return Recorder.unary(this, Op.TRUNC, Saves.NOTHING);
  }

  /** Rounds to {@code decimals} decimal places (negative: to tens, hundreds, ...), ties to even. */
  public Tensor round(int decimals) {
    if (decimals == 0) {
      return round();
    }
    MathFunctions.requireFloat("round_cpu", node().type());
    return Recorder.record(
        "RoundBackward1", Saves.NOTHING, (b, in) -> MathFunctions.round(b, in[0], decimals), this);
  }

  /** NaN as 0 and infinities as the dtype's largest finite numbers; integers stay as they are. */
  public Tensor nanToNum() {
    return nanToNum(0, null, null);
  }

  /**
   * NaN as {@code nan}, {@code inf} as {@code posinf} and {@code -inf} as {@code neginf} (null: the
   * dtype's largest and lowest finite numbers); the gradient passes where this is finite.
   */
  public Tensor nanToNum(double nan, Double posinf, Double neginf) {
    return Recorder.record(
        "NanToNumBackward0",
        Saves.INPUT,
        (b, in) -> MathFunctions.nanToNum(b, in[0], nan, posinf, neginf),
        this);
  }

  /** {@code 2 ** this}, exact at integers. */
  public Tensor exp2() {
    return Recorder.unary(this, Op.EXP2, Saves.RESULT);
  }

  /** {@code this - trunc(this)}, keeping the sign; its gradient passes unchanged. */
  public Tensor frac() {
    MathFunctions.requireFloat("frac_cpu", node().type());
    return Recorder.record(
        "FracBackward0", Saves.NOTHING, (b, in) -> MathFunctions.frac(b, in[0]), this);
  }

  /** The normalized sinc {@code sin(pi x) / (pi x)}, 1 at 0. */
  public Tensor sinc() {
    return Recorder.unary(this, Op.SINC, Saves.INPUT);
  }

  Tensor softplus() {
    return Recorder.unary(this, Op.SOFTPLUS, Saves.INPUT);
  }

  /** This tensor as {@code dtype}; this tensor itself when it already has that dtype. */
  public Tensor to(DType dtype) {
    if (dtype == dtype()) {
      return this;
    }
    return Recorder.record(
        Op.CAST.gradFn(), Saves.NOTHING, (b, in) -> b.cast(in[0], dtype.ir()), this);
  }

  // ------------------------------------------------------------------ reductions

  /** The sum of all elements. */
  public Tensor sum() {
    return Recorder.record(Op.SUM.gradFn(), Saves.NOTHING, (b, in) -> b.sum(in[0]), this);
  }

  /** The sum over {@code dim}. */
  public Tensor sum(int dim) {
    return sum(new int[] {dim}, false);
  }

  /** The sum over {@code dim}, keeping it as size 1 with {@code keepdim}. */
  public Tensor sum(int dim, boolean keepdim) {
    return sum(new int[] {dim}, keepdim);
  }

  /** The sum over {@code dims} (all of them when empty). */
  public Tensor sum(int[] dims, boolean keepdim) {
    return Recorder.reduce(this, Op.SUM.gradFn(1), Saves.NOTHING, Op.SUM, dims, keepdim);
  }

  /** The mean of all elements. */
  public Tensor mean() {
    requireFloatForMean();
    return Recorder.record(Op.MEAN.gradFn(), Saves.NOTHING, (b, in) -> b.mean(in[0]), this);
  }

  private void requireFloatForMean() {
    if (!dtype().isFloatingPoint()) {
      throw new GradcException(
          "mean(): could not infer output dtype. Input dtype must be either a floating point or"
              + " complex dtype. Got: "
              + scalarType(dtype()));
    }
  }

  private static String scalarType(DType d) {
    return d.ir().scalarTypeName();
  }

  /** The mean over {@code dim}. */
  public Tensor mean(int dim) {
    return mean(new int[] {dim}, false);
  }

  /** The mean over {@code dim}, keeping it as size 1 with {@code keepdim}. */
  public Tensor mean(int dim, boolean keepdim) {
    return mean(new int[] {dim}, keepdim);
  }

  /** The mean over {@code dims} (all of them when empty). */
  public Tensor mean(int[] dims, boolean keepdim) {
    requireFloatForMean();
    return Recorder.reduce(this, Op.MEAN.gradFn(1), Saves.INPUT, Op.MEAN, dims, keepdim);
  }

  /** The maximum of all elements; tied maxima share the gradient evenly. */
  public Tensor amax() {
    return amax(new int[0], false);
  }

  /** The maximum over {@code dim}. */
  public Tensor amax(int dim) {
    return amax(new int[] {dim}, false);
  }

  /** The maximum over {@code dim}, keeping it as size 1 with {@code keepdim}. */
  public Tensor amax(int dim, boolean keepdim) {
    return amax(new int[] {dim}, keepdim);
  }

  /** The maximum over {@code dims} (all of them when empty). */
  public Tensor amax(int[] dims, boolean keepdim) {
    requireElements(Op.AMAX, dims);
    return Recorder.reduce(this, Op.AMAX.gradFn(), Saves.INPUT_AND_RESULT, Op.AMAX, dims, keepdim);
  }

  /**
   * The product of all elements ({@code torch.prod}): i64 for integer and bool tensors, as PyTorch;
   * the gradient at a zero is the product of the other elements, zero with two zeros.
   */
  public Tensor prod() {
    return Recorder.record(
        Op.PROD.gradFn(),
        Saves.INPUT_AND_RESULT,
        (b, in) -> b.reduce(Op.PROD, in[0], new int[0], false),
        this);
  }

  /** The product of all elements, the tensor first converted to {@code dtype}. */
  public Tensor prod(DType dtype) {
    return to(dtype).prod();
  }

  /** The product over {@code dim}. */
  public Tensor prod(int dim) {
    return prod(dim, false);
  }

  /** The product over {@code dim}, keeping it as size 1 with {@code keepdim}. */
  public Tensor prod(int dim, boolean keepdim) {
    return Recorder.reduce(
        this, Op.PROD.gradFn(1), Saves.INPUT_AND_RESULT, Op.PROD, new int[] {dim}, keepdim);
  }

  /** The product over {@code dim}, the tensor first converted to {@code dtype}. */
  public Tensor prod(int dim, boolean keepdim, DType dtype) {
    return to(dtype).prod(dim, keepdim);
  }

  /** The minimum of all elements; tied minima share the gradient evenly. */
  public Tensor amin() {
    return amin(new int[0], false);
  }

  /** The minimum over {@code dim}. */
  public Tensor amin(int dim) {
    return amin(new int[] {dim}, false);
  }

  /** The minimum over {@code dim}, keeping it as size 1 with {@code keepdim}. */
  public Tensor amin(int dim, boolean keepdim) {
    return amin(new int[] {dim}, keepdim);
  }

  /** The minimum over {@code dims} (all of them when empty). */
  public Tensor amin(int[] dims, boolean keepdim) {
    requireElements(Op.AMIN, dims);
    return Recorder.reduce(this, Op.AMIN.gradFn(), Saves.INPUT_AND_RESULT, Op.AMIN, dims, keepdim);
  }

  /** PyTorch's error for a maximum or minimum of no elements. */
  private void requireElements(Op op, int[] dims) {
    String error = Typing.emptyReductionError(op.mnemonic(), op, node().type(), dims);
    if (error != null) {
      throw new GradcException(error);
    }
  }

  // ------------------------------------------------------------------ statistics

  /** {@code torch.var(x)}: the unbiased variance of all elements. */
  public Tensor var() {
    return var(new int[0], 1, false);
  }

  /** {@code torch.var(x, unbiased)}: divided by {@code N - 1} when unbiased, else by {@code N}. */
  public Tensor var(boolean unbiased) {
    return var(new int[0], unbiased ? 1 : 0, false);
  }

  /** {@code torch.var(x, dim)}: the unbiased variance over {@code dim}. */
  public Tensor var(int dim) {
    return var(new int[] {dim}, 1, false);
  }

  /** {@code torch.var(x, dim, unbiased, keepdim)}. */
  public Tensor var(int dim, boolean unbiased, boolean keepdim) {
    return var(new int[] {dim}, unbiased ? 1 : 0, keepdim);
  }

  /** {@code torch.var(x, dims, unbiased, keepdim)} (all dims when empty). */
  public Tensor var(int[] dims, boolean unbiased, boolean keepdim) {
    return var(dims, unbiased ? 1 : 0, keepdim);
  }

  /**
   * {@code torch.var(x, dims, correction=c, keepdim=k)}: the squared deviations summed over {@code
   * dims} (all dims when empty) and divided by {@code max(0, N - c)}, recording {@code
   * VarBackward0}.
   */
  public Tensor var(int[] dims, long correction, boolean keepdim) {
    requireFloatForStatistics("std and var");
    int[] ds = dims.clone();
    return Recorder.record(
        "VarBackward0",
        Saves.INPUT,
        (b, in) -> Statistics.var(b, in[0], ds, correction, keepdim),
        this);
  }

  /** {@code torch.std(x)}: the unbiased standard deviation of all elements. */
  public Tensor std() {
    return std(new int[0], 1, false);
  }

  /** {@code torch.std(x, unbiased)}. */
  public Tensor std(boolean unbiased) {
    return std(new int[0], unbiased ? 1 : 0, false);
  }

  /** {@code torch.std(x, dim)}. */
  public Tensor std(int dim) {
    return std(new int[] {dim}, 1, false);
  }

  /** {@code torch.std(x, dim, unbiased, keepdim)}. */
  public Tensor std(int dim, boolean unbiased, boolean keepdim) {
    return std(new int[] {dim}, unbiased ? 1 : 0, keepdim);
  }

  /** {@code torch.std(x, dims, unbiased, keepdim)} (all dims when empty). */
  public Tensor std(int[] dims, boolean unbiased, boolean keepdim) {
    return std(dims, unbiased ? 1 : 0, keepdim);
  }

  /**
   * {@code torch.std(x, dims, correction=c, keepdim=k)}: the square root of {@link #var(int[],
   * long, boolean)}, recording {@code StdBackward0}; its gradient is 0 where it is 0, as PyTorch's.
   */
  public Tensor std(int[] dims, long correction, boolean keepdim) {
    requireFloatForStatistics("std and var");
    int[] ds = dims.clone();
    return Recorder.record(
        "StdBackward0",
        Saves.INPUT_AND_RESULT,
        (b, in) -> Statistics.std(b, in[0], ds, correction, keepdim),
        this);
  }

  /** {@code torch.var_mean(x)}: the unbiased variance and the mean of all elements. */
  public VarMean varMean() {
    return varMean(new int[0], 1, false);
  }

  /** {@code torch.var_mean(x, dim, unbiased, keepdim)}. */
  public VarMean varMean(int dim, boolean unbiased, boolean keepdim) {
    return varMean(new int[] {dim}, unbiased ? 1 : 0, keepdim);
  }

  /**
   * {@code torch.var_mean(x, dims, correction=c, keepdim=k)}, recording {@code VarMeanBackward0}.
   */
  public VarMean varMean(int[] dims, long correction, boolean keepdim) {
    requireFloatForStatistics("var_mean");
    Tensor[] vm = spreadAndMean("VarMeanBackward0", dims, correction, keepdim, false);
    return new VarMean(vm[0], vm[1]);
  }

  /** {@code torch.std_mean(x)}: the unbiased standard deviation and the mean of all elements. */
  public StdMean stdMean() {
    return stdMean(new int[0], 1, false);
  }

  /** {@code torch.std_mean(x, dim, unbiased, keepdim)}. */
  public StdMean stdMean(int dim, boolean unbiased, boolean keepdim) {
    return stdMean(new int[] {dim}, unbiased ? 1 : 0, keepdim);
  }

  /**
   * {@code torch.std_mean(x, dims, correction=c, keepdim=k)}, recording {@code StdMeanBackward0}.
   */
  public StdMean stdMean(int[] dims, long correction, boolean keepdim) {
    requireFloatForStatistics("std_mean");
    Tensor[] sm = spreadAndMean("StdMeanBackward0", dims, correction, keepdim, true);
    return new StdMean(sm[0], sm[1]);
  }

  private Tensor[] spreadAndMean(
      String name, int[] dims, long correction, boolean keepdim, boolean std) {
    int[] ds = dims.clone();
    Tensor spread =
        Recorder.record(
            name,
            Saves.INPUT_AND_RESULT,
            (b, in) ->
                std
                    ? Statistics.std(b, in[0], ds, correction, keepdim)
                    : Statistics.var(b, in[0], ds, correction, keepdim),
            this);
    Tensor mean =
        Recorder.record(
            name, Saves.NOTHING, (b, in) -> Statistics.meanOfSpread(b, in[0], ds, keepdim), this);
    return new Tensor[] {spread, mean};
  }

  /** {@code torch.nansum(x)}: the sum with NaN counted as 0. */
  public Tensor nansum() {
    return nansum(new int[0], false);
  }

  /** {@code torch.nansum(x, dim)}. */
  public Tensor nansum(int dim) {
    return nansum(new int[] {dim}, false);
  }

  /**
   * {@code torch.nansum(x, dims, keepdim)} (all dims when empty), recording {@code
   * NansumBackward0}: NaN elements count as 0 and get a zero gradient.
   */
  public Tensor nansum(int[] dims, boolean keepdim) {
    int[] ds = dims.clone();
    return Recorder.record(
        "NansumBackward0", Saves.INPUT, (b, in) -> Statistics.nansum(b, in[0], ds, keepdim), this);
  }

  /** {@code torch.nanmean(x)}: the mean of the elements that are not NaN. */
  public Tensor nanmean() {
    return nanmean(new int[0], false);
  }

  /** {@code torch.nanmean(x, dim)}. */
  public Tensor nanmean(int dim) {
    return nanmean(new int[] {dim}, false);
  }

  /**
   * {@code torch.nanmean(x, dims, keepdim)}: {@code nansum} divided by the count of non-NaN
   * elements, recording {@code DivBackward0} as PyTorch's composition does.
   */
  public Tensor nanmean(int[] dims, boolean keepdim) {
    if (!dtype().isFloatingPoint()) {
      throw new GradcException(
          "nanmean(): expected input to have floating point dtype but got " + scalarType(dtype()));
    }
    int[] ds = dims.clone();
    return Recorder.record(
        Op.DIV.gradFn(),
        Saves.ALL_INPUTS,
        (b, in) -> Statistics.nanmean(b, in[0], ds, keepdim),
        this);
  }

  /** {@code torch.count_nonzero(x)}: the i64 count of nonzero elements (NaN counts). */
  public Tensor countNonzero() {
    return countNonzero(new int[0]);
  }

  /** {@code torch.count_nonzero(x, dims)} over {@code dims} (all dims when none). */
  public Tensor countNonzero(int... dims) {
    int[] ds = dims.clone();
    return Recorder.record(
        "CountNonzeroBackward0",
        Saves.NOTHING,
        (b, in) -> Statistics.countNonzero(b, in[0], ds),
        this);
  }

  /** {@code torch.all(x)}: whether every element is nonzero (True of no elements). */
  public Tensor all() {
    return allAny(new int[0], false, true);
  }

  /** {@code torch.all(x, dim)}. */
  public Tensor all(int dim) {
    return allAny(new int[] {dim}, false, true);
  }

  /** {@code torch.all(x, dim, keepdim)}. */
  public Tensor all(int dim, boolean keepdim) {
    return allAny(new int[] {dim}, keepdim, true);
  }

  /** {@code torch.any(x)}: whether some element is nonzero (False of no elements). */
  public Tensor any() {
    return allAny(new int[0], false, false);
  }

  /** {@code torch.any(x, dim)}. */
  public Tensor any(int dim) {
    return allAny(new int[] {dim}, false, false);
  }

  /** {@code torch.any(x, dim, keepdim)}. */
  public Tensor any(int dim, boolean keepdim) {
    return allAny(new int[] {dim}, keepdim, false);
  }

  private Tensor allAny(int[] dims, boolean keepdim, boolean every) {
    return Recorder.record(
        every ? "AllBackward0" : "AnyBackward0",
        Saves.NOTHING,
        (b, in) -> Statistics.allAny(b, in[0], dims, keepdim, every),
        this);
  }

  /** {@code torch.norm(x)}: the 2-norm of all elements. */
  public Tensor norm() {
    return norm(2, new int[0], false);
  }

  /** {@code torch.norm(x, p)}: the {@code p}-norm of all elements ({@code p} may be infinite). */
  public Tensor norm(double p) {
    return norm(p, new int[0], false);
  }

  /** {@code torch.norm(x, p, dim)}. */
  public Tensor norm(double p, int dim) {
    return norm(p, new int[] {dim}, false);
  }

  /**
   * {@code torch.norm(x, p, dims, keepdim)} (all dims when empty): the vector norm of {@link
   * Linalg#vectorNorm(Tensor, double, int[], boolean)}, recording {@code NormBackward1}.
   */
  public Tensor norm(double p, int[] dims, boolean keepdim) {
    if (!dtype().isFloatingPoint()) {
      throw new GradcException(
          "norm(): input dtype should be either floating point or complex. Got "
              + scalarType(dtype())
              + " instead.");
    }
    return vectorNorm("NormBackward1", p, dims, keepdim);
  }

  /** The vector norm recorded as {@code name}. */
  Tensor vectorNorm(String name, double ord, int[] dims, boolean keepdim) {
    int[] ds = dims.clone();
    return Recorder.record(
        name,
        Saves.INPUT_AND_RESULT,
        (b, in) -> Statistics.vectorNorm(b, in[0], ord, ds, keepdim),
        this);
  }

  private void requireFloatForStatistics(String fn) {
    if (!dtype().isFloatingPoint()) {
      throw new GradcException(fn + " only support floating point and complex dtypes");
    }
  }

  /** {@code log(sum(exp(x)))} over {@code dim}, computed stably. */
  public Tensor logsumexp(int dim) {
    return logsumexp(new int[] {dim}, false);
  }

  /** {@code log(sum(exp(x)))} over {@code dim}, keeping it with {@code keepdim}. */
  public Tensor logsumexp(int dim, boolean keepdim) {
    return logsumexp(new int[] {dim}, keepdim);
  }

  /** {@code log(sum(exp(x)))} over {@code dims}. */
  public Tensor logsumexp(int[] dims, boolean keepdim) {
    return Recorder.reduce(
        this, Op.LOGSUMEXP.gradFn(), Saves.INPUT_AND_RESULT, Op.LOGSUMEXP, dims, keepdim);
  }

  /** {@code exp(x) / sum(exp(x))} along {@code dim}. */
  public Tensor softmax(int dim) {
    return Recorder.record(
        Op.SOFTMAX.gradFn(), Saves.RESULT, (b, in) -> b.softmax(in[0], dim), this);
  }

  /** {@code x - logsumexp(x)} along {@code dim}, computed stably. */
  public Tensor logSoftmax(int dim) {
    return Recorder.record(
        Op.LOG_SOFTMAX.gradFn(), Saves.RESULT, (b, in) -> b.logSoftmax(in[0], dim), this);
  }

  // ------------------------------------------------------------------ shape

  /** This tensor's elements in a new shape; one size may be {@code -1}. */
  public Tensor reshape(long... shape) {
    int[] s = sizes(shape);
    return Recorder.recordView(
        Op.RESHAPE.gradFn(1), (b, in) -> b.reshape(in[0], s), ViewOf.Inverse.RESHAPE_BACK, this);
  }

  /** {@code torch.flatten(x)}: all dims in one, as {@link #reshape} (a 1-d tensor is itself). */
  public Tensor flatten() {
    return flatten(0, -1);
  }

  /** {@code x.flatten(start_dim)}: the dims from {@code startDim} on in one. */
  public Tensor flatten(int startDim) {
    return flatten(startDim, -1);
  }

  /**
   * {@code x.flatten(start_dim, end_dim)}: dims {@code startDim} to {@code endDim} in one, as
   * {@link #reshape}; a 0-d tensor gives one element, and {@code startDim == endDim} the tensor
   * itself, as in PyTorch.
   */
  public Tensor flatten(int startDim, int endDim) {
    long[] s = shape();
    if (s.length == 0) {
      return reshape(1);
    }
    int start = Builder.normalizeDim(startDim, s.length);
    int end = Builder.normalizeDim(endDim, s.length);
    if (start > end) {
      throw new GradcException("flatten() has invalid args: start_dim cannot come after end_dim");
    }
    if (start == end) {
      return this;
    }
    long[] out = new long[s.length - (end - start)];
    System.arraycopy(s, 0, out, 0, start);
    out[start] = 1;
    for (int d = start; d <= end; d++) {
      out[start] *= s[d];
    }
    System.arraycopy(s, end + 1, out, start + 1, s.length - end - 1);
    return reshape(out);
  }

  /**
   * {@code x.sum_to_size(*size)}: sums over the leading dims and the dims where {@code size} is 1,
   * to a tensor of {@code size} (which {@code x} must broadcast from), as PyTorch's {@code sum_to}:
   * {@code SumBackward1}, then {@code ViewBackward0} without the leading dims; the tensor itself
   * when nothing is summed.
   */
  public Tensor sumToSize(long... size) {
    long[] s = shape();
    int lead = s.length - size.length;
    boolean expandable = lead >= 0;
    for (int i = 0; expandable && i < size.length; i++) {
      expandable = size[i] >= 0 && (size[i] == s[lead + i] || size[i] == 1);
    }
    if (!expandable) {
      throw new GradcException(
          "size {"
              + Arrays.toString(size)
              + "} is not expandable to size {"
              + Arrays.toString(s)
              + "}.");
    }
    int[] dims = new int[s.length];
    int n = 0;
    for (int d = 0; d < s.length; d++) {
      if (d < lead || (size[d - lead] == 1 && s[d] != 1)) {
        dims[n++] = d;
      }
    }
    if (n == 0) {
      return lead == 0 ? this : view(size);
    }
    Tensor summed = sum(Arrays.copyOf(dims, n), true);
    return lead == 0 ? summed : summed.view(size);
  }

  /** As {@link #reshape}, named as PyTorch's {@code view}. */
  public Tensor view(long... shape) {
    int[] s = sizes(shape);
    return Recorder.recordView(
        Op.RESHAPE.gradFn(), (b, in) -> b.reshape(in[0], s), ViewOf.Inverse.RESHAPE_BACK, this);
  }

  private static int[] sizes(long[] shape) {
    int[] s = new int[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.toIntExact(shape[i]);
    }
    return s;
  }

  /**
   * PyTorch's {@code x.slice(dim, start, end, step)} ({@code x[start:end:step]} along {@code dim}):
   * a view sharing storage, bounds negative from the end and clamped as Python's, {@code step}
   * positive ({@code SliceBackward0}).
   */
  public Tensor slice(int dim, long start, long end, long step) {
    int d = Builder.normalizeDim(dim, dim());
    return step(Indexing.slice(d, shape()[d], start, end, step));
  }

  /** {@code slice(dim, start, end, 1)}. */
  public Tensor slice(int dim, long start, long end) {
    return slice(dim, start, end, 1);
  }

  /** PyTorch's {@code x.narrow(dim, start, length)}: a view of {@code length} elements. */
  public Tensor narrow(int dim, long start, long length) {
    int d = Builder.normalizeDim(dim, dim());
    return step(Indexing.narrow(d, shape()[d], start, length));
  }

  /**
   * PyTorch's {@code x.select(dim, index)} ({@code x[..., index]} at {@code dim}): a view without
   * that dim ({@code SelectBackward0}).
   */
  public Tensor select(int dim, long index) {
    if (dim() == 0) {
      throw new GradcException("select() cannot be applied to a 0-dim tensor.");
    }
    int d = Builder.normalizeDim(dim, dim());
    return step(Indexing.select(d, node().type().dims(), index));
  }

  /**
   * PyTorch's basic indexing, the subscript written as in Python without its brackets: {@code
   * x.index("1:, ::2")} is {@code x[1:, ::2]}, {@code x.index("..., 0")}, {@code x.index(":,
   * None")}. Integers, slices with integer bounds, {@code ...} and {@code None}; each index records
   * its view as PyTorch does ({@code SliceBackward0}, {@code SelectBackward0}, {@code
   * UnsqueezeBackward0}; {@code AliasBackward0} for {@code "..."} alone).
   */
  public Tensor index(String subscript) {
    List<Indexing.Step> steps = Indexing.plan(Indexing.parse(subscript), node().type().dims());
    if (steps.isEmpty()) {
      return Recorder.recordView(
          ALIAS_BACKWARD, (b, in) -> in[0], ViewOf.Inverse.RESHAPE_BACK, this);
    }
    Tensor t = this;
    for (Indexing.Step s : steps) {
      t = t.step(s);
    }
    return t;
  }

  /**
   * PyTorch's {@code x.split(splitSize, dim)}: views of {@code splitSize} elements along {@code
   * dim}, the last shorter ({@code SplitBackward0}).
   */
  public List<Tensor> split(long splitSize, int dim) {
    int d = Builder.normalizeDim(dim, dim());
    long n = shape()[d];
    return pieces("SplitBackward0", d, Joining.splitSizes(n, splitSize));
  }

  /** {@code split(splitSize, 0)}. */
  public List<Tensor> split(long splitSize) {
    return split(splitSize, 0);
  }

  /**
   * PyTorch's {@code x.split([sizes...], dim)}: views of these sizes, which sum to the dim's size
   * ({@code SplitWithSizesBackward0}).
   */
  public List<Tensor> split(long[] sizes, int dim) {
    int d = Builder.normalizeDim(dim, dim());
    long n = shape()[d];
    return pieces("SplitWithSizesBackward0", d, Joining.checkSections(n, sizes, d));
  }

  /**
   * PyTorch's {@code x.chunk(chunks, dim)}: at most {@code chunks} views of {@code ceil(size /
   * chunks)} elements ({@code SplitBackward0}).
   */
  public List<Tensor> chunk(int chunks, int dim) {
    int d = Builder.normalizeDim(dim, dim());
    return pieces("SplitBackward0", d, Joining.chunkSizes(shape()[d], chunks));
  }

  /** PyTorch's {@code x.unbind(dim)}: a view per index of {@code dim}, without it. */
  public List<Tensor> unbind(int dim) {
    if (dim() == 0) {
      throw new GradcException("Dimension specified as 0 but tensor has no dimensions");
    }
    int d = Builder.normalizeDim(dim, dim());
    List<Tensor> out = new java.util.ArrayList<>();
    for (int i = 0; i < shape()[d]; i++) {
      out.add(step(Indexing.select(d, node().type().dims(), i), "UnbindBackward0", i));
    }
    return List.copyOf(out);
  }

  private List<Tensor> pieces(String name, int d, long[] sizes) {
    List<Tensor> out = new java.util.ArrayList<>();
    List<Indexing.Step> steps = Joining.pieces(d, shape()[d], sizes);
    for (int i = 0; i < steps.size(); i++) {
      out.add(step(steps.get(i), name, i));
    }
    return List.copyOf(out);
  }

  /**
   * {@code torch.cat(tensors, dim)}: the tensors end to end along {@code dim} ({@code
   * CatBackward0}).
   */
  public static Tensor cat(List<Tensor> tensors, int dim) {
    if (tensors.isEmpty()) {
      throw new GradcException("torch.cat(): expected a non-empty list of Tensors");
    }
    return Recorder.record(
        "CatBackward0",
        Saves.NOTHING,
        (b, in) -> Joining.cat(b, Arrays.asList(in), dim),
        tensors.toArray(new Tensor[0]));
  }

  /** {@code cat(tensors, 0)}. */
  public static Tensor cat(List<Tensor> tensors) {
    return cat(tensors, 0);
  }

  /** PyTorch's {@code x.flip(dims)}: the elements along each of {@code dims} reversed (a copy). */
  public Tensor flip(int... dims) {
    int[] ds = dims.clone();
    return Recorder.record(
        "FlipBackward0", Saves.NOTHING, (b, in) -> Joining.flip(b, in[0], ds), this);
  }

  /**
   * PyTorch's {@code x.roll(shifts, dims)}: each dim rotated by its shift (a copy; {@code
   * RollBackward0}).
   */
  public Tensor roll(long[] shifts, int[] dims) {
    long[] sh = shifts.clone();
    int[] ds = dims.clone();
    return Recorder.record(
        "RollBackward0", Saves.NOTHING, (b, in) -> Joining.roll(b, in[0], sh, ds), this);
  }

  /** {@code x.roll(shift, dim)}. */
  public Tensor roll(long shift, int dim) {
    return roll(new long[] {shift}, new int[] {dim});
  }

  /** {@code x.roll(shift)}: the flattened elements rotated, in this shape. */
  public Tensor roll(long shift) {
    return roll(new long[] {shift}, new int[0]);
  }

  /**
   * PyTorch's {@code x.gather(dim, index)}: {@code out[i][j] = x[i][index[i][j]]} for {@code dim}
   * 1, in the i64 index's shape ({@code GatherBackward0}; its gradient adds into zeros with {@code
   * scatter_add}).
   */
  public Tensor gather(int dim, Tensor index) {
    Tensor out =
        Recorder.record(
            Op.GATHER.gradFn(),
            Saves.ALL_INPUTS,
            (b, in) -> b.gather(in[0], dim, in[1]),
            this,
            index);
    return checked(out, index, dim, false, Gathering.OutOfRange.BOUNDS);
  }

  /**
   * PyTorch's {@code x.index_select(dim, index)}: the slices of {@code x} along {@code dim} at the
   * 1-d i64 index, in its order ({@code IndexSelectBackward0}).
   */
  public Tensor indexSelect(int dim, Tensor index) {
    Tensor out =
        Recorder.record(
            Op.GATHER.gradFn(1),
            Saves.SECOND_INPUT,
            (b, in) -> Gathering.indexSelect(b, in[0], dim, in[1]),
            this,
            index);
    int d = Builder.normalizeDim(dim, Math.max(1, dim()));
    return checked(
        out,
        index,
        dim,
        false,
        dim() >= 2 && d == 1 ? Gathering.OutOfRange.DATA_BOUNDS : Gathering.OutOfRange.IN_SELF);
  }

  /**
   * PyTorch's {@code torch.take_along_dim(x, indices, dim)}: {@code gather} after broadcasting
   * {@code x} and the indices to each other but along {@code dim} ({@code GatherBackward0}).
   */
  public Tensor takeAlongDim(Tensor indices, int dim) {
    Tensor out =
        Recorder.record(
            Op.GATHER.gradFn(),
            Saves.ALL_INPUTS,
            (b, in) -> Gathering.takeAlongDim(b, in[0], in[1], dim),
            this,
            indices);
    return checked(out, indices, dim, false, Gathering.OutOfRange.BOUNDS);
  }

  /** {@code torch.take_along_dim(x, indices)}: of both flattened. */
  public Tensor takeAlongDim(Tensor indices) {
    Tensor out =
        Recorder.record(
            Op.GATHER.gradFn(),
            Saves.ALL_INPUTS,
            (b, in) -> Gathering.takeAlongDim(b, in[0], in[1], null),
            this,
            indices);
    Gathering.checkIndices(indices.toLongArray(), numel(), 0, false, Gathering.OutOfRange.BOUNDS);
    return out;
  }

  /**
   * PyTorch's {@code x.scatter_add(dim, index, src)}, out of place: {@code x} with {@code
   * src[i][j]} added at {@code [i][index[i][j]]} for {@code dim} 1, in index order (the same bits
   * on every run); a larger {@code src} is read in its leading part ({@code ScatterAddBackward0}).
   */
  public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    Tensor out =
        Recorder.record(
            Op.SCATTER_ADD.gradFn(),
            // the index, for the source's gradient
            src.requiresGrad() ? Saves.SECOND_INPUT : Saves.NOTHING,
            (b, in) -> Gathering.scatterAdd(b, in[0], dim, in[1], in[2]),
            this,
            index,
            src);
    return checked(out, index, dim, false, Gathering.OutOfRange.BOUNDS);
  }

  /**
   * PyTorch's {@code x.index_add(dim, index, source, alpha=alpha)}, out of place: {@code alpha *
   * source}'s slices along {@code dim} added to those of {@code x} that the 1-d i64 index names, in
   * index order ({@code IndexAddBackward0}).
   */
  public Tensor indexAdd(int dim, Tensor index, Tensor source, double alpha) {
    Tensor out =
        Recorder.record(
            Op.SCATTER_ADD.gradFn(1),
            Saves.INDEX_AND_SOURCE,
            (b, in) -> Gathering.indexAdd(b, in[0], dim, in[1], in[2], alpha),
            this,
            index,
            source);
    return checked(out, index, dim, false, Gathering.OutOfRange.IN_SELF);
  }

  /** {@code x.index_add(dim, index, source)}: with {@code alpha} 1. */
  public Tensor indexAdd(int dim, Tensor index, Tensor source) {
    return indexAdd(dim, index, source, 1);
  }

  /**
   * PyTorch's {@code x.scatter(dim, index, src)}, out of place: {@code x} with {@code src[i][j]}
   * written at {@code [i][index[i][j]]} for {@code dim} 1, in index order (of a repeated place the
   * last write stays, the same on every run); a larger {@code src} is read in its leading part
   * ({@code ScatterBackward0}).
   */
  public Tensor scatter(int dim, Tensor index, Tensor src) {
    Tensor out =
        Recorder.record(
            Op.SCATTER.gradFn(),
            Saves.SECOND_INPUT,
            (b, in) -> Gathering.scatter(b, in[0], dim, in[1], in[2]),
            this,
            index,
            src);
    return checked(out, index, dim, false, Gathering.OutOfRange.BOUNDS);
  }

  /**
   * PyTorch's {@code x.scatter(dim, index, value)}: the number written there ({@code
   * ScatterBackward1}).
   */
  public Tensor scatter(int dim, Tensor index, double value) {
    Tensor out =
        Recorder.record(
            Op.SCATTER.gradFn(1),
            Saves.SECOND_INPUT,
            (b, in) -> Gathering.scatter(b, in[0], dim, in[1], value),
            this,
            index);
    return checked(out, index, dim, false, Gathering.OutOfRange.BOUNDS);
  }

  /**
   * PyTorch's {@code x.masked_fill(mask, value)}: {@code value} where the bool mask (broadcast with
   * {@code x}) is true ({@code MaskedFillBackward0}).
   */
  public Tensor maskedFill(Tensor mask, double value) {
    return Recorder.record(
        "MaskedFillBackward0",
        Saves.SECOND_INPUT,
        (b, in) -> Gathering.maskedFill(b, in[0], in[1], Builder.lit(value, DType.F64.ir())),
        this,
        mask);
  }

  /** {@code x.masked_fill(mask, value)} with a 0-d tensor value ({@code MaskedFillBackward1}). */
  public Tensor maskedFill(Tensor mask, Tensor value) {
    return Recorder.record(
        "MaskedFillBackward1",
        Saves.SECOND_INPUT,
        (b, in) -> Gathering.maskedFill(b, in[0], in[1], in[2]),
        this,
        mask,
        value);
  }

  /**
   * PyTorch's {@code x[indices]} with an i64 tensor: the rows of {@code x} at the indices (negative
   * from the end), in their shape ({@code IndexBackward0}). A bool mask gives a data-dependent
   * shape and is refused with what to write instead ({@code where}, {@code maskedFill}).
   */
  public Tensor index(Tensor indices) {
    Tensor out =
        Recorder.record(
            Op.GATHER.gradFn(2),
            Saves.SECOND_INPUT,
            (b, in) -> Gathering.indexTensor(b, in[0], in[1]),
            this,
            indices);
    return checked(out, indices, 0, true, Gathering.OutOfRange.BOUNDS);
  }

  /**
   * A subscript of items as {@link #index(Object...)} takes them: the basic indices ({@code :}
   * standing for each tensor), the positions of the tensors among them, and the tensors.
   */
  private record Subscript(List<Indexing.Item> basic, List<Integer> at, List<Tensor> tensors) {
    static Subscript of(List<?> items) {
      List<Indexing.Item> basic = new java.util.ArrayList<>();
      List<Integer> at = new java.util.ArrayList<>();
      List<Tensor> tensors = new java.util.ArrayList<>();
      for (Object o : items) {
        if (o instanceof Tensor t) {
          at.add(basic.size());
          tensors.add(t);
          basic.add(new Indexing.Range(null, null, null));
        } else if (o instanceof Integer || o instanceof Long) {
          basic.add(new Indexing.At(((Number) o).longValue()));
        } else if (o instanceof String str) {
          basic.addAll(Indexing.parse(str));
        } else {
          throw new GradcException(
              "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are"
                  + " valid indices (got "
                  + (o == null ? "null" : o.getClass().getSimpleName())
                  + ")");
        }
      }
      return new Subscript(basic, at, tensors);
    }
  }

  /**
   * PyTorch's {@code x[...]} with long tensors among the other indices: each item an integer, a
   * string of basic indices ({@code ":"}, {@code "1:3"}, {@code "..."}, {@code "None"}, or several
   * as {@code ":, 0"}) or a tensor. {@code x.index(":", idx)} is {@code x[:, idx]}, {@code
   * x.index(i, ":", j)} is {@code x[i, :, j]}. The basic indices are views, as in {@link
   * #index(String)}; then the tensors (negative from the end) index the dims they stand at together
   * and broadcast, their shape in place of those dims when adjacent and first otherwise ({@code
   * IndexBackward0}), with PyTorch's errors.
   */
  public Tensor index(Object... items) {
    Subscript sub = Subscript.of(Arrays.asList(items));
    List<Indexing.Item> basic = sub.basic();
    List<Integer> at = sub.at();
    List<Tensor> tensors = sub.tensors();
    Tensor t = this;
    for (Indexing.Step s : Indexing.plan(basic, node().type().dims())) {
      t = t.step(s);
    }
    if (tensors.isEmpty()) {
      return t == this ? index("") : t;
    }
    int[] dims = Indexing.keptDims(basic, at, dim());
    int k = tensors.size();
    Tensor[] ins = new Tensor[k + 1];
    ins[0] = t;
    for (int j = 0; j < k; j++) {
      ins[j + 1] = tensors.get(j);
    }
    Tensor out =
        Recorder.record(
            Op.GATHER.gradFn(2),
            indexSaves(k),
            (b, in) -> Gathering.indexTensors(b, in[0], dims, Arrays.asList(in).subList(1, k + 1)),
            ins);
    long[] shape = t.shape();
    for (int j = 0; j < k; j++) {
      Gathering.checkIndices(
          tensors.get(j).toLongArray(), shape[dims[j]], j, true, Gathering.OutOfRange.BOUNDS);
    }
    return out;
  }

  /**
   * PyTorch's {@code torch.index_put(x, indices, values, accumulate)}, out of place: {@code x} with
   * {@code values} (broadcast to the shape {@code x[indices]} has) written at the places the
   * indices name, or added there with {@code accumulate} ({@code IndexPutBackward0}). The i64
   * indices (negative from the end) index the leading dims and broadcast together; a bool mask
   * stands for the indices of its true elements. Of a repeated place the last write in index order
   * stays; accumulated values are added in index order (the same bits on every run).
   */
  public Tensor indexPut(List<Tensor> indices, Tensor values, boolean accumulate) {
    List<Tensor> idx = longIndices(indices);
    Tensor[] ins = new Tensor[idx.size() + 2];
    ins[0] = this;
    for (int j = 0; j < idx.size(); j++) {
      ins[j + 1] = idx.get(j);
    }
    ins[ins.length - 1] = values;
    return Recorder.record(
        INDEX_PUT_BACKWARD, indexSaves(idx.size()), indexPutRecipe(idx.size(), accumulate), ins);
  }

  /** {@code torch.index_put(x, indices, values)}: written, not accumulated. */
  public Tensor indexPut(List<Tensor> indices, Tensor values) {
    return indexPut(indices, values, false);
  }

  /**
   * PyTorch's {@code x.index_put_(indices, values, accumulate)}: {@link #indexPut(List, Tensor,
   * boolean)} written into this tensor (its version bumped; through a view, into the base as {@code
   * CopySlices}). {@code x[idx] = v} is {@code x.indexPut_(List.of(idx), v)}, {@code x[i, j] = v}
   * with tensors {@code x.indexPut_(List.of(i, j), v)}, {@code x[mask] = v} {@code
   * x.indexPut_(List.of(mask), v)}. Items other than tensors are those of {@link #index(Object...)}
   * and make views first: {@code x[:, idx] = v} is {@code x.indexPut_(List.of(":", idx), v)},
   * {@code x[0, :, idx] = v} {@code x.indexPut_(List.of(0, ":", idx), v)}.
   */
  public Tensor indexPut_(List<?> indices, Tensor values, boolean accumulate) {
    Subscript sub = Subscript.of(indices);
    if (sub.tensors().size() < indices.size()) {
      return indexPutAt_(sub, values, accumulate);
    }
    List<Tensor> idx = longIndices(sub.tensors());
    Tensor[] others = new Tensor[idx.size() + 1];
    for (int j = 0; j < idx.size(); j++) {
      others[j] = idx.get(j);
    }
    others[idx.size()] = values;
    return Recorder.inPlace(
        this,
        INDEX_PUT_BACKWARD,
        indexSaves(idx.size()),
        indexPutRecipe(idx.size(), accumulate),
        others);
  }

  /** {@code x.index_put_(indices, values)}: written, not accumulated. */
  public Tensor indexPut_(List<?> indices, Tensor values) {
    return indexPut_(indices, values, false);
  }

  /**
   * {@code x[1:, idx] = v}, {@code x[:, i, j] = v}: the long tensors of {@code sub} index the dims
   * they stand at in the view of its basic indices, and {@code values} are written there through
   * the view ({@code CopySlices} on this tensor, as PyTorch's {@code __setitem__}).
   */
  private Tensor indexPutAt_(Subscript sub, Tensor values, boolean accumulate) {
    Tensor t = this;
    for (Indexing.Step s : Indexing.plan(sub.basic(), node().type().dims())) {
      t = t.step(s);
    }
    int[] dims = Indexing.keptDims(sub.basic(), sub.at(), dim());
    List<Tensor> tensors = sub.tensors();
    int k = tensors.size();
    long[] shape = t.shape();
    Tensor[] others = new Tensor[k + 1];
    for (int j = 0; j < k; j++) {
      Tensor i = tensors.get(j);
      if (i.dtype() == DType.BOOL) {
        throw new GradcException(
            "a bool mask together with other indices is not supported in index_put_; write"
                + " x.copy_(Tensor.where(mask, v, x)) with the mask broadcast over x");
      }
      if (i.dtype() == DType.I64) {
        Gathering.checkIndices(
            i.toLongArray(), shape[dims[j]], j, true, Gathering.OutOfRange.BOUNDS);
      }
      others[j] = i;
    }
    others[k] = values;
    Recorder.inPlace(
        t,
        INDEX_PUT_BACKWARD,
        indexSaves(k),
        (b, in) ->
            Gathering.indexPutAt(
                b, in[0], dims, Arrays.asList(in).subList(1, k + 1), in[k + 1], accumulate),
        others);
    return this;
  }

  /** {@code x[index] = values}: {@code indexPut_(List.of(index), values)}. */
  public Tensor indexPut_(Tensor index, Tensor values) {
    return indexPut_(List.of(index), values, false);
  }

  /** {@code x[index] = value}: the number, in this tensor's dtype. */
  public Tensor indexPut_(Tensor index, double value) {
    return indexPut_(List.of(index), Tensor.scalar(dtype(), value), false);
  }

  private static final String INDEX_PUT_BACKWARD = "IndexPutBackward0";

  /** The indices, saved for backward (inputs 1 to {@code k}). */
  private static Saves indexSaves(int k) {
    return new Saves(((1 << k) - 1) << 1, false, false, false);
  }

  private static Recipe indexPutRecipe(int k, boolean accumulate) {
    return (b, in) ->
        Gathering.indexPut(b, in[0], Arrays.asList(in).subList(1, k + 1), in[k + 1], accumulate);
  }

  /**
   * The indices of {@code index_put} as i64 tensors in range (PyTorch's error otherwise, at the
   * call): a bool mask becomes the coordinates of its true elements, one tensor per dim it covers.
   */
  private List<Tensor> longIndices(List<Tensor> indices) {
    List<Tensor> out = new java.util.ArrayList<>();
    for (Tensor i : indices) {
      if (i.dtype() == DType.BOOL) {
        int at = out.size();
        long[] shape = i.shape();
        for (int d = 0; d < shape.length; d++) {
          if (at + d >= dim() || shape[d] != shape()[at + d]) {
            throw new GradcException(
                "The shape of the mask "
                    + Arrays.toString(shape)
                    + " at index "
                    + d
                    + " does not match the shape of the indexed tensor "
                    + Arrays.toString(shape())
                    + " at index "
                    + (at + d));
          }
        }
        long[] m = i.toLongArray();
        int count = 0;
        for (long e : m) {
          count += e != 0 ? 1 : 0;
        }
        double[][] coords = new double[shape.length][count];
        int c = 0;
        for (int e = 0; e < m.length; e++) {
          if (m[e] != 0) {
            long rem = e;
            for (int d = shape.length - 1; d >= 0; d--) {
              coords[d][c] = rem % shape[d];
              rem /= shape[d];
            }
            c++;
          }
        }
        for (double[] coord : coords) {
          out.add(tensor(DType.I64, coord));
        }
      } else {
        if (out.size() < dim() && i.dtype() == DType.I64) {
          Gathering.checkIndices(
              i.toLongArray(), shape()[out.size()], out.size(), true, Gathering.OutOfRange.BOUNDS);
        }
        out.add(i);
      }
    }
    return out;
  }

  /**
   * {@code out}, once the known {@code index} is in range along {@code dim} of this tensor
   * (PyTorch's error otherwise, at the call).
   */
  private Tensor checked(
      Tensor out, Tensor index, int dim, boolean wraps, Gathering.OutOfRange text) {
    int d = Builder.normalizeDim(dim, Math.max(1, dim()));
    long size = dim() == 0 ? 1 : shape()[d];
    Gathering.checkIndices(index.toLongArray(), size, d, wraps, text);
    return out;
  }

  private static final String ALIAS_BACKWARD = "AliasBackward0";

  /** One step of indexing, as a view. */
  private Tensor step(Indexing.Step s) {
    return switch (s.kind()) {
      case SELECT, SLICE -> step(s, Op.SLICE.gradFn(s.kind() == Indexing.Kind.SELECT ? 1 : 0), -1);
      case UNSQUEEZE -> unsqueeze(s.dim());
    };
  }

  /** A select or slice as a view named {@code name}; output {@code output} of several, or -1. */
  private Tensor step(Indexing.Step s, String name, int output) {
    return Recorder.recordView(
        name,
        (b, in) -> Indexing.apply(b, in[0], s),
        (b, operand, v) -> Indexing.scatter(b, operand, s, v),
        this,
        output < 0 ? null : "Output " + output + " of " + name);
  }

  /** Dims {@code dim0} and {@code dim1} swapped. */
  public Tensor transpose(int dim0, int dim1) {
    return Recorder.recordView(
        Op.TRANSPOSE.gradFn(),
        (b, in) -> b.transpose(in[0], dim0, dim1),
        (b, operand, v) -> b.transpose(v, dim0, dim1),
        this);
  }

  /** The dims in the order {@code dims}. */
  public Tensor permute(int... dims) {
    int[] p = dims.clone();
    return Recorder.recordView(
        Op.PERMUTE.gradFn(),
        (b, in) -> b.permute(in[0], p),
        (b, operand, v) -> b.permute(v, Indexing.inversePermutation(p, v.type().rank())),
        this);
  }

  /** PyTorch's {@code x.T}: the dims in reverse order (the transpose of a matrix). */
  public Tensor T() {
    int r = dim();
    int[] p = new int[r];
    for (int i = 0; i < r; i++) {
      p[i] = r - 1 - i;
    }
    return permute(p);
  }

  /** PyTorch's {@code t()}: a matrix transposed; 0-d and 1-d tensors as they are. */
  public Tensor t() {
    if (dim() > 2) {
      throw new GradcException(
          "t() expects a tensor with <= 2 dimensions, but self is " + dim() + "D");
    }
    return Recorder.recordView(
        Op.TRANSPOSE.gradFn(1),
        (b, in) -> b.transpose(in[0], 0, -1),
        (b, operand, v) -> b.transpose(v, 0, -1),
        this);
  }

  /** PyTorch's {@code x.mT}: the last two dims swapped. */
  public Tensor mT() {
    if (dim() < 2) {
      throw new GradcException(
          "tensor.mT is only supported on matrices or batches of matrices. Got "
              + dim()
              + "-D tensor.");
    }
    return transpose(-2, -1);
  }

  /** A new dim of size 1 at {@code dim}. */
  public Tensor unsqueeze(int dim) {
    return Recorder.recordView(
        Op.UNSQUEEZE.gradFn(),
        (b, in) -> b.unsqueeze(in[0], dim),
        ViewOf.Inverse.RESHAPE_BACK,
        this);
  }

  /** Removes every dim of size 1. */
  public Tensor squeeze() {
    return Recorder.recordView(
        Op.SQUEEZE.gradFn(1), (b, in) -> b.squeeze(in[0]), ViewOf.Inverse.RESHAPE_BACK, this);
  }

  /** Removes dim {@code dim} if it has size 1. */
  public Tensor squeeze(int dim) {
    return Recorder.recordView(
        Op.SQUEEZE.gradFn(), (b, in) -> b.squeeze(in[0], dim), ViewOf.Inverse.RESHAPE_BACK, this);
  }

  /** Broadcasts to {@code shape}; {@code -1} keeps a size. */
  public Tensor expand(long... shape) {
    if (shape.length < dim()) {
      throw new GradcException(
          "expand("
              + Names.tensorType(dtype().ir())
              + "{"
              + Arrays.toString(shape())
              + "}, size="
              + Arrays.toString(shape)
              + "): the number of sizes provided ("
              + shape.length
              + ") must be greater or equal to the number of dimensions in the tensor ("
              + dim()
              + ")");
    }
    int[] s = sizes(shape);
    return Recorder.recordView(
        Op.EXPAND.gradFn(), (b, in) -> b.expand(in[0], s), ViewOf.Inverse.RESHAPE_BACK, this);
  }

  /** The matrix product with PyTorch's rules for 1-d, 2-d and batched operands. */
  public Tensor matmul(Tensor other) {
    if (dtype() != other.dtype()) {
      throw new GradcException(
          "expected scalar type "
              + scalarType(dtype())
              + " but found "
              + scalarType(other.dtype()));
    }
    String name = Op.MATMUL.gradFn(Op.matmulGradFnIndex(dim(), other.dim()));
    return Recorder.record(name, Saves.CROSSED, (b, in) -> b.matmul(in[0], in[1]), this, other);
  }

  /** {@code torch.mm(x, mat2)}: the product of two matrices ({@code MmBackward0}). */
  public Tensor mm(Tensor mat2) {
    requireMatrix(dim() == 2, "self must be a matrix");
    requireMatrix(mat2.dim() == 2, "mat2 must be a matrix");
    return matmul(mat2);
  }

  /** {@code torch.mv(x, vec)}: a matrix times a vector ({@code MvBackward0}). */
  public Tensor mv(Tensor vec) {
    requireMatrix(
        dim() == 2 && vec.dim() == 1,
        "vector + matrix @ vector expected, got 1, " + dim() + ", " + vec.dim());
    return matmul(vec);
  }

  /** {@code torch.bmm(x, mat2)}: batches of matrix products ({@code BmmBackward0}). */
  public Tensor bmm(Tensor mat2) {
    requireMatrix(dim() == 3, "batch1 must be a 3D tensor");
    requireMatrix(mat2.dim() == 3, "batch2 must be a 3D tensor");
    long[] a = shape();
    long[] c = mat2.shape();
    requireMatrix(
        a[0] == c[0] && a[2] == c[1],
        "Expected size for first two dimensions of batch2 tensor to be: ["
            + a[0]
            + ", "
            + a[2]
            + "] but got: ["
            + c[0]
            + ", "
            + c[1]
            + "].");
    if (dtype() != mat2.dtype()) {
      return matmul(mat2); // PyTorch's message
    }
    return Recorder.record(
        "BmmBackward0", Saves.CROSSED, (b, in) -> b.matmul(in[0], in[1]), this, mat2);
  }

  private static void requireMatrix(boolean ok, String message) {
    if (!ok) {
      throw new GradcException(message);
    }
  }

  /** {@code torch.dot(x, other)}: the inner product of two vectors of one dtype. */
  public Tensor dot(Tensor other) {
    return dot("DotBackward0", other);
  }

  private Tensor dot(String name, Tensor other) {
    return Recorder.record(
        name, Saves.CROSSED, (b, in) -> LinearAlgebra.dot(b, "dot", in[0], in[1]), this, other);
  }

  /**
   * {@code torch.vdot(x, other)}: {@link #dot} (the same on real tensors), {@code VdotBackward0}.
   */
  public Tensor vdot(Tensor other) {
    return dot("VdotBackward0", other);
  }

  /**
   * {@code torch.outer(x, vec2)}: {@code x.reshape(-1, 1) * vec2}, PyTorch's composition ({@code
   * MulBackward0}).
   */
  public Tensor outer(Tensor vec2) {
    if (dim() != 1 || vec2.dim() != 1) {
      boolean self = dim() != 1;
      throw new GradcException(
          "outer: Expected 1-D argument "
              + (self ? "self" : "vec2")
              + ", but got "
              + (self ? dim() : vec2.dim())
              + "-D");
    }
    return reshape(-1, 1).mul(vec2);
  }

  /**
   * {@code torch.kron(x, other)}: the Kronecker product, of any ranks (the lower padded with
   * leading dims of size 1), dim {@code i} of the result {@code x.size(i) * other.size(i)};
   * recorded as PyTorch 1.13's final node, {@code UnsafeViewBackward0}.
   */
  public Tensor kron(Tensor other) {
    return Recorder.record(
        "UnsafeViewBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> LinearAlgebra.kron(b, in[0], in[1]),
        this,
        other);
  }

  /** {@code torch.addmm(x, mat1, mat2)}: {@code x + mat1 @ mat2}. */
  public Tensor addmm(Tensor mat1, Tensor mat2) {
    return addmm(mat1, mat2, 1, 1);
  }

  /**
   * {@code torch.addmm(x, mat1, mat2, beta=beta, alpha=alpha)}: {@code beta * x + alpha * (mat1 @
   * mat2)}, {@code x} broadcast to the product; with {@code beta = 0} {@code x} is not read ({@code
   * AddmmBackward0}).
   */
  public Tensor addmm(Tensor mat1, Tensor mat2, double beta, double alpha) {
    return addProduct("AddmmBackward0", mat1, mat2, beta, alpha, false);
  }

  /** {@code torch.baddbmm(x, batch1, batch2)}: {@code x + batch1 @ batch2}. */
  public Tensor baddbmm(Tensor batch1, Tensor batch2) {
    return baddbmm(batch1, batch2, 1, 1);
  }

  /**
   * {@code torch.baddbmm(x, batch1, batch2, beta=beta, alpha=alpha)}: {@code beta * x + alpha *
   * (batch1 @ batch2)} ({@code BaddbmmBackward0}).
   */
  public Tensor baddbmm(Tensor batch1, Tensor batch2, double beta, double alpha) {
    return addProduct("BaddbmmBackward0", batch1, batch2, beta, alpha, true);
  }

  private Tensor addProduct(
      String name, Tensor m1, Tensor m2, double beta, double alpha, boolean batched) {
    return Recorder.record(
        name,
        new Saves(6, false, false, false),
        (b, in) -> LinearAlgebra.addmm(b, in[0], in[1], in[2], beta, alpha, batched),
        this,
        m1,
        m2);
  }

  /** {@code torch.pdist(input)}: the Euclidean distances between each pair of rows. */
  public static Tensor pdist(Tensor input) {
    return pdist(input, 2);
  }

  /**
   * {@code torch.pdist(input, p)} ({@code F.pdist}): the p-norm distances between rows {@code i <
   * j} of {@code input} ({@code [N, M]}), in row-major order, {@code [N * (N - 1) / 2]}, recording
   * {@code PdistBackward0}; the gradient is 0 where a distance is 0.
   */
  public static Tensor pdist(Tensor input, double p) {
    return Recorder.record(
        "PdistBackward0",
        Saves.ALL_INPUTS_AND_RESULT,
        (b, in) -> Distances.pdist(b, in[0], p),
        input);
  }

  /** {@code torch.cdist(x1, x2)}: the Euclidean distances between the rows of two matrices. */
  public static Tensor cdist(Tensor x1, Tensor x2) {
    return cdist(x1, x2, 2);
  }

  /**
   * {@code torch.cdist(x1, x2, p)}: the p-norm distances between the rows of {@code x1} ({@code
   * [..., P, M]}) and {@code x2} ({@code [..., R, M]}), {@code [..., P, R]}, recording {@code
   * CdistBackward0}; the gradient is 0 where a distance is 0.
   */
  public static Tensor cdist(Tensor x1, Tensor x2, double p) {
    return Recorder.record(
        "CdistBackward0",
        Saves.ALL_INPUTS_AND_RESULT,
        (b, in) -> Distances.cdist(b, in[0], in[1], p),
        x1,
        x2);
  }

  /**
   * {@code torch.einsum(equation, *operands)}: products, transposes, diagonals and sums named by
   * subscripts ({@code "ij,jk->ik"}, {@code "bhqd,bhkd->bhqk"}, {@code "ii->i"}, {@code "ii"}), an
   * ellipsis for the dims the letters leave ({@code "...ij,...jk->...ik"}, broadcast
   * right-aligned), recording PyTorch 1.13's node: {@code ViewBackward0} for a contraction, {@code
   * MulBackward0} for a product without one, {@code PermuteBackward0} or {@code SumBackward1} for
   * one operand.
   */
  public static Tensor einsum(String equation, Tensor... operands) {
    Einsum.Equation eq =
        Einsum.parse(equation, Arrays.stream(operands).mapToInt(Tensor::dim).toArray());
    return Recorder.record(
        Einsum.gradFn(eq),
        operands.length > 1 ? Saves.ALL_INPUTS : Saves.NOTHING,
        (b, in) -> Einsum.einsum(b, equation, Arrays.asList(in)),
        operands.clone());
  }

  /** {@code torch.tril(x)}: the lower triangle of the last two dims, zeros above. */
  public Tensor tril() {
    return tril(0);
  }

  /**
   * {@code torch.tril(x, diagonal)}: the elements on and below the {@code diagonal}-th diagonal.
   */
  public Tensor tril(int diagonal) {
    return triangle("TrilBackward0", diagonal, true);
  }

  /** {@code torch.triu(x)}: the upper triangle of the last two dims, zeros below. */
  public Tensor triu() {
    return triu(0);
  }

  /**
   * {@code torch.triu(x, diagonal)}: the elements on and above the {@code diagonal}-th diagonal.
   */
  public Tensor triu(int diagonal) {
    return triangle("TriuBackward0", diagonal, false);
  }

  private Tensor triangle(String name, int diagonal, boolean lower) {
    return Recorder.record(
        name, Saves.NOTHING, (b, in) -> LinearAlgebra.triangle(b, in[0], diagonal, lower), this);
  }

  /** {@code torch.diag(x)}: a vector's diagonal matrix, or a matrix's main diagonal. */
  public Tensor diag() {
    return diag(0);
  }

  /**
   * {@code torch.diag(x, diagonal)}: the matrix with the vector {@code x} on its {@code
   * diagonal}-th diagonal, or that diagonal of the matrix {@code x} ({@code DiagBackward0}).
   */
  public Tensor diag(int diagonal) {
    return Recorder.record(
        "DiagBackward0", Saves.NOTHING, (b, in) -> LinearAlgebra.diag(b, in[0], diagonal), this);
  }

  /** {@code torch.diagonal(x)}: the main diagonal of dims 0 and 1. */
  public Tensor diagonal() {
    return diagonal(0, 0, 1);
  }

  /**
   * {@code torch.diagonal(x, offset, dim1, dim2)}: the elements {@code [i, i + offset]} of dims
   * {@code dim1} and {@code dim2}, as a last dim ({@code DiagonalBackward0}); a copy, not a view.
   */
  public Tensor diagonal(int offset, int dim1, int dim2) {
    return Recorder.record(
        "DiagonalBackward0",
        Saves.NOTHING,
        (b, in) -> LinearAlgebra.diagonal(b, in[0], offset, dim1, dim2),
        this);
  }

  /** {@code torch.diag_embed(x)}: the last dim on the main diagonal of two new last dims. */
  public Tensor diagEmbed() {
    return diagEmbed(0, -2, -1);
  }

  /**
   * {@code torch.diag_embed(x, offset, dim1, dim2)}: the last dim of {@code x} on the {@code
   * offset}-th diagonal of dims {@code dim1} and {@code dim2} of the result ({@code
   * DiagEmbedBackward0}).
   */
  public Tensor diagEmbed(int offset, int dim1, int dim2) {
    return Recorder.record(
        "DiagEmbedBackward0",
        Saves.NOTHING,
        (b, in) -> LinearAlgebra.diagEmbed(b, in[0], offset, dim1, dim2),
        this);
  }

  /** {@code torch.trace(x)}: the sum of a matrix's main diagonal ({@code TraceBackward0}). */
  public Tensor trace() {
    return Recorder.record(
        "TraceBackward0", Saves.NOTHING, (b, in) -> LinearAlgebra.trace(b, in[0]), this);
  }

  // ------------------------------------------------------------------ selection and joining

  /**
   * {@code torch.max(x, dim)}: the largest value along {@code dim} and its index (the first on
   * ties, NaN counting as largest); the values' gradient goes to the selected elements.
   */
  public ValuesIndices max(int dim) {
    return maxMin(dim, false, true);
  }

  /** {@code torch.max(x, dim, keepdim)}. */
  public ValuesIndices max(int dim, boolean keepdim) {
    return maxMin(dim, keepdim, true);
  }

  /** {@code torch.min(x, dim)}: as {@link #max(int)}, the smallest. */
  public ValuesIndices min(int dim) {
    return maxMin(dim, false, false);
  }

  /** {@code torch.min(x, dim, keepdim)}. */
  public ValuesIndices min(int dim, boolean keepdim) {
    return maxMin(dim, keepdim, false);
  }

  private ValuesIndices maxMin(int dim, boolean keepdim, boolean max) {
    String name = max ? "MaxBackward0" : "MinBackward0";
    Tensor values =
        Recorder.record(
            name, Saves.OTHER, (b, in) -> Selection.maxMin(b, in[0], dim, keepdim, max)[0], this);
    Tensor indices =
        Recorder.record(
            name, Saves.NOTHING, (b, in) -> Selection.maxMin(b, in[0], dim, keepdim, max)[1], this);
    return new ValuesIndices(values, indices);
  }

  /** {@code torch.cumsum(x, dim)}: the running sum along {@code dim}; integers give i64. */
  public Tensor cumsum(int dim) {
    return Recorder.record(
        Op.CUMSUM.gradFn(), Saves.NOTHING, (b, in) -> b.scan(Op.CUMSUM, in[0], dim, false), this);
  }

  /** {@code torch.cumsum(x, dim, dtype=dtype)}: the tensor converted to {@code dtype} first. */
  public Tensor cumsum(int dim, DType dtype) {
    return to(dtype).cumsum(dim);
  }

  /**
   * {@code torch.cumprod(x, dim)}: the running product along {@code dim}; integers give i64. The
   * gradient at zeros is PyTorch's (the products past a slice's first zero).
   */
  public Tensor cumprod(int dim) {
    return Recorder.record(
        Op.CUMPROD.gradFn(),
        Saves.INPUT_AND_RESULT,
        (b, in) -> b.scan(Op.CUMPROD, in[0], dim, false),
        this);
  }

  /** {@code torch.cumprod(x, dim, dtype=dtype)}: the tensor converted to {@code dtype} first. */
  public Tensor cumprod(int dim, DType dtype) {
    return to(dtype).cumprod(dim);
  }

  /** {@code torch.logcumsumexp(x, dim)}: the running {@code log(sum(exp(x)))} along {@code dim}. */
  public Tensor logcumsumexp(int dim) {
    return Recorder.record(
        Op.LOGCUMSUMEXP.gradFn(),
        Saves.INPUT_AND_RESULT,
        (b, in) -> b.scan(Op.LOGCUMSUMEXP, in[0], dim, false),
        this);
  }

  /**
   * {@code torch.cummax(x, dim)}: the running maximum along {@code dim} and its index (the latest
   * on ties; NaN, once seen, is the maximum); the values' gradient goes to the selected elements.
   */
  public ValuesIndices cummax(int dim) {
    return cumulativeExtreme(dim, Op.CUMMAX, Op.CUMMAX_INDICES);
  }

  /** {@code torch.cummin(x, dim)}: as {@link #cummax}, the running minimum. */
  public ValuesIndices cummin(int dim) {
    return cumulativeExtreme(dim, Op.CUMMIN, Op.CUMMIN_INDICES);
  }

  private ValuesIndices cumulativeExtreme(int dim, Op values, Op indices) {
    Tensor v =
        Recorder.record(
            values.gradFn(), Saves.OTHER, (b, in) -> b.scan(values, in[0], dim, false), this);
    Tensor i =
        Recorder.record(
            values.gradFn(), Saves.NOTHING, (b, in) -> b.scan(indices, in[0], dim, false), this);
    return new ValuesIndices(v, i);
  }

  /**
   * {@code torch.sort(x)}: the last dim sorted ascending, NaN the largest, and the i64 position of
   * each value; stable, as PyTorch's CPU sort. The values' gradient goes back to the positions.
   */
  public ValuesIndices sort() {
    return sort(-1, false);
  }

  /** {@code torch.sort(x, dim)}. */
  public ValuesIndices sort(int dim) {
    return sort(dim, false);
  }

  /** {@code torch.sort(x, dim, descending)}: ties keep their order either way. */
  public ValuesIndices sort(int dim, boolean descending) {
    return selected("SortBackward0", Saves.OTHER, (b, x) -> Selection.sort(b, x, dim, descending));
  }

  /**
   * {@code torch.sort(x, dim=dim, descending=descending, stable=stable)}: PyTorch's CPU sort is
   * stable whatever {@code stable} says, and so is this one.
   */
  public ValuesIndices sort(int dim, boolean descending, boolean stable) {
    return sort(dim, descending);
  }

  /** {@code torch.argsort(x)}: the positions that sort the last dim ascending. */
  public Tensor argsort() {
    return argsort(-1, false);
  }

  /** {@code torch.argsort(x, dim)}. */
  public Tensor argsort(int dim) {
    return argsort(dim, false);
  }

  /** {@code torch.argsort(x, dim, descending)}: the indices of {@link #sort(int, boolean)}. */
  public Tensor argsort(int dim, boolean descending) {
    return Recorder.record(
        null, Saves.NOTHING, (b, in) -> Selection.argsort(b, in[0], dim, descending), this);
  }

  /** {@code torch.msort(x)}: the values of {@code sort(0)} ({@code SortBackward0}). */
  public Tensor msort() {
    return sort(0).values();
  }

  /**
   * {@code torch.topk(x, k)}: the {@code k} largest values of the last dim, largest first, and
   * their positions (among equal values, those PyTorch's CPU kernel picks).
   */
  public ValuesIndices topk(int k) {
    return topk(k, -1, true, true);
  }

  /** {@code torch.topk(x, k, dim)}. */
  public ValuesIndices topk(int k, int dim) {
    return topk(k, dim, true, true);
  }

  /**
   * {@code torch.topk(x, k, dim, largest, sorted)}: the smallest with {@code largest} false; not
   * {@code sorted}, in the order PyTorch's selection leaves them.
   */
  public ValuesIndices topk(int k, int dim, boolean largest, boolean sorted) {
    return selected(
        "TopkBackward0", Saves.OTHER, (b, x) -> Selection.topk(b, x, k, dim, largest, sorted));
  }

  /** {@code torch.kthvalue(x, k)}: the {@code k}-th smallest value of the last dim (from 1). */
  public ValuesIndices kthvalue(int k) {
    return kthvalue(k, -1, false);
  }

  /** {@code torch.kthvalue(x, k, dim)}. */
  public ValuesIndices kthvalue(int k, int dim) {
    return kthvalue(k, dim, false);
  }

  /** {@code torch.kthvalue(x, k, dim, keepdim)}: NaN the largest. */
  public ValuesIndices kthvalue(int k, int dim, boolean keepdim) {
    return selected(
        "KthvalueBackward0", Saves.OTHER, (b, x) -> Selection.kthvalue(b, x, k, dim, keepdim));
  }

  /**
   * {@code torch.median(x)}: the lower median of all elements, NaN if one is NaN ({@code
   * MedianBackward0}: the gradient shared equally by the elements equal to it).
   */
  public Tensor median() {
    return Recorder.record(
        "MedianBackward0", Saves.INPUT_AND_RESULT, (b, in) -> Selection.median(b, in[0]), this);
  }

  /** {@code torch.median(x, dim)}: the lower median along {@code dim} and its position. */
  public ValuesIndices median(int dim) {
    return median(dim, false);
  }

  /**
   * {@code torch.median(x, dim, keepdim)} ({@code MedianBackward1}): a lane holding NaN gives its
   * first NaN.
   */
  public ValuesIndices median(int dim, boolean keepdim) {
    return selected("MedianBackward1", Saves.OTHER, (b, x) -> Selection.median(b, x, dim, keepdim));
  }

  /** Values (recording {@code gradFn}) and indices of one selection. */
  private ValuesIndices selected(
      String gradFn, Saves saves, java.util.function.BiFunction<Builder, Value, Value[]> f) {
    Tensor values = Recorder.record(gradFn, saves, (b, in) -> f.apply(b, in[0])[0], this);
    Tensor indices = Recorder.record(gradFn, Saves.NOTHING, (b, in) -> f.apply(b, in[0])[1], this);
    return new ValuesIndices(values, indices);
  }

  /** {@code torch.argmax(x)}: the index of the first largest element of the flattened tensor. */
  public Tensor argmax() {
    return argMaxMin(null, false, true);
  }

  /** {@code torch.argmax(x, dim)}. */
  public Tensor argmax(int dim) {
    return argMaxMin(dim, false, true);
  }

  /** {@code torch.argmax(x, dim, keepdim)}. */
  public Tensor argmax(int dim, boolean keepdim) {
    return argMaxMin(dim, keepdim, true);
  }

  /** {@code torch.argmin(x)}. */
  public Tensor argmin() {
    return argMaxMin(null, false, false);
  }

  /** {@code torch.argmin(x, dim)}. */
  public Tensor argmin(int dim) {
    return argMaxMin(dim, false, false);
  }

  /** {@code torch.argmin(x, dim, keepdim)}. */
  public Tensor argmin(int dim, boolean keepdim) {
    return argMaxMin(dim, keepdim, false);
  }

  private Tensor argMaxMin(Integer dim, boolean keepdim, boolean max) {
    return Recorder.record(
        null, Saves.NOTHING, (b, in) -> Selection.argMaxMin(b, in[0], dim, keepdim, max), this);
  }

  /** {@code x.repeat(*sizes)}: this tensor tiled {@code sizes[k]} times along dim {@code k}. */
  public Tensor repeat(long... sizes) {
    int[] s = sizes(sizes);
    return Recorder.record(
        REPEAT_BACKWARD, Saves.NOTHING, (b, in) -> Selection.repeat(b, in[0], s), this);
  }

  /** {@code torch.tile(x, dims)}: {@link #repeat}, with missing leading dims repeated once. */
  public Tensor tile(long... dims) {
    int[] s = sizes(dims);
    return Recorder.record(
        REPEAT_BACKWARD, Saves.NOTHING, (b, in) -> Selection.tile(b, in[0], s), this);
  }

  private static final String REPEAT_BACKWARD = "RepeatBackward0";

  /** {@code torch.stack(tensors)}: the tensors along a new first dim. */
  public static Tensor stack(List<Tensor> tensors) {
    return stack(tensors, 0);
  }

  /** {@code torch.stack(tensors, dim)}: tensors of one shape along a new dim {@code dim}. */
  public static Tensor stack(List<Tensor> tensors, int dim) {
    if (tensors.isEmpty()) {
      throw new GradcException("stack expects a non-empty TensorList");
    }
    return Recorder.record(
        "StackBackward0",
        Saves.NOTHING,
        (b, in) -> Selection.stack(b, Arrays.asList(in), dim),
        tensors.toArray(new Tensor[0]));
  }

  // ------------------------------------------------------------------ autograd state

  /** Whether this tensor requires grad: a leaf that was marked, or a recorded result. */
  public boolean requiresGrad() {
    return node().requiresGrad();
  }

  /** Marks this leaf as requiring grad; returns this tensor. */
  public Tensor requiresGrad_() {
    return requiresGrad_(true);
  }

  /** Sets whether this leaf requires grad; returns this tensor. */
  public Tensor requiresGrad_(boolean requiresGrad) {
    Node n = node();
    if (n.gradFn() != null) {
      if (!requiresGrad) {
        throw new GradcException(
            "you can only change requires_grad flags of leaf variables. If you want to use a"
                + " computed variable in a subgraph that doesn't require differentiation use"
                + " var_no_grad = var.detach().");
      }
      return this;
    }
    if (requiresGrad == n.requiresGrad()) {
      return this;
    }
    if (requiresGrad && !n.type().dtype().isFloat()) {
      throw new GradcException("only Tensors of floating point dtype can require gradients");
    }
    Object data = Capture.valueOf(n);
    node = requiresGrad ? Node.leaf(n.type(), data, sink()) : Node.data(n.type(), data);
    nodeVersion = storage.version();
    return this;
  }

  /** True for tensors the user created and for every tensor that does not require grad. */
  public boolean isLeaf() {
    return node().gradFn() == null;
  }

  /**
   * The gradient accumulated by backward, or null. For a non-leaf that does not retain its gradient
   * this returns null and logs PyTorch's warning.
   */
  public Tensor grad() {
    if (!isLeaf() && !retainsGrad) {
      Warnings.warn(
          "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad"
              + " attribute won't be populated during autograd.backward(). If you indeed want the"
              + " .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the"
              + " non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you"
              + " access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for"
              + " more informations.");
      return null;
    }
    return grad;
  }

  /**
   * Replaces the gradient ({@code x.grad = g} in Python); null clears it. As PyTorch, {@code g}
   * must be another tensor of this one's dtype and shape.
   */
  public void setGrad(Tensor g) {
    if (g == this) {
      throw new GradcException("can't assign Variable as its own grad");
    }
    if (g != null && g.dtype() != dtype()) {
      throw new GradcException("assigned grad has data of a different type");
    }
    if (g != null && !Arrays.equals(g.shape(), shape())) {
      throw new GradcException("assigned grad has data of a different size");
    }
    grad = g;
  }

  /** The backward node that produced this tensor, or null for a leaf. */
  public GradFn gradFn() {
    Node n = node();
    return n.gradFn() == null ? null : new GradFn(n);
  }

  /** Makes backward fill {@link #grad} on this non-leaf too; a no-op on leaves. */
  public void retainGrad() {
    Node n = node();
    if (!n.requiresGrad()) {
      throw new GradcException("can't retain_grad on Tensor that has requires_grad=False");
    }
    if (n.gradFn() == null) {
      return;
    }
    retainsGrad = true;
    n.retainGrad(sink());
  }

  /** Whether this tensor retains its gradient. */
  public boolean retainsGrad() {
    return retainsGrad;
  }

  /** A leaf that shares this tensor's data and version counter and does not require grad. */
  public Tensor detach() {
    Node n = node();
    Node d;
    if (!n.requiresGrad()) {
      d = n;
    } else if (n.isMaterialized()) {
      d = Node.data(n.type(), n.dataOrNull());
    } else {
      d = Node.op(n.type(), (b, in) -> b.detach(in[0]), new Node[] {n}, null, false);
    }
    return new Tensor(storage, d, viewOf == null ? null : viewOf.detach());
  }

  /**
   * Detaches this tensor from its graph in place, PyTorch's {@code detach_()}: it becomes a leaf
   * that does not require grad, keeping its data.
   */
  public Tensor detach_() {
    if (viewOf != null) {
      throw new GradcException(
          "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel"
              + " (DDP) for training, and gradient_as_bucket_view is set as True, gradients are"
              + " views of DDP buckets, and hence detach_() cannot be called on these gradients."
              + " To fix this error, please refer to the Optimizer.zero_grad() function in"
              + " torch/optim/optimizer.py as the solution.");
    }
    Node d = detach().node;
    node = d.sink() != null ? Node.data(d.type(), Capture.valueOf(d)) : d;
    nodeVersion = storage.version();
    retainsGrad = false;
    return this;
  }

  /** A copy with its own storage, PyTorch's {@code clone()}; recorded as {@code CloneBackward0}. */
  @Override
  public Tensor clone() {
    return Recorder.record("CloneBackward0", Saves.NOTHING, (b, in) -> b.copy(in[0]), this);
  }

  /** This tensor as f32, PyTorch's {@code float()}; this tensor itself when it is f32. */
  public Tensor toFloat() {
    return to(DType.F32);
  }

  /** This tensor as f64, PyTorch's {@code double()}; this tensor itself when it is f64. */
  public Tensor toDouble() {
    return to(DType.F64);
  }

  /** PyTorch's {@code _version}: how many in-place ops modified this tensor's data. */
  public int version() {
    return storage.version();
  }

  /**
   * Computes the gradient of this scalar with respect to the leaves; see {@link #backward(Tensor,
   * boolean, boolean)}.
   */
  public void backward() {
    backward(null, false, false);
  }

  /**
   * Backward from a non-scalar tensor, given the gradient of the final result with respect to it.
   */
  public void backward(Tensor gradient) {
    backward(gradient, false, false);
  }

  /**
   * Accumulates into {@link #grad} of every leaf that requires grad (and every non-leaf that
   * retains its gradient) the gradient of this tensor, weighted by {@code gradient} (null for a
   * scalar). Without {@code retainGraph} the saved values of the graph are released, so a second
   * backward through ops that saved tensors fails as in PyTorch. With {@code createGraph} the
   * gradients are themselves recorded, so they can be differentiated again.
   */
  public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
    if (createGraph) {
      Warnings.warn(
          "Using backward() with create_graph=True will create a reference cycle between the"
              + " parameter and its gradient which can cause a memory leak. We recommend using"
              + " autograd.grad when creating the graph to avoid this. If you have to use this"
              + " function, make sure to reset the .grad fields of your parameters to None after"
              + " use to break the cycle and avoid the leak.");
    }
    Node g = gradient == null ? null : gradient.to(dtype()).node();
    Backward.run(List.of(node()), Arrays.asList(g), null, retainGraph, createGraph);
  }

  // ------------------------------------------------------------------ in-place

  /** Fills this tensor with zeros in place. */
  public Tensor zero_() {
    return Recorder.zero(this);
  }

  /** Fills this tensor with {@code value} in place. */
  public Tensor fill_(double value) {
    return Recorder.fill(this, value);
  }

  /** Adds {@code other} in place; bumps the version counter. */
  public Tensor add_(Tensor other) {
    return Recorder.inPlace(
        this, Op.ADD.gradFn(), Saves.NOTHING, (b, in) -> b.add(in[0], in[1]), other);
  }

  /** Adds {@code other} in place. */
  public Tensor add_(double other) {
    return Recorder.inPlace(
        this, Op.ADD.gradFn(), Saves.NOTHING, (b, in) -> b.add(in[0], lit(other)));
  }

  /** Subtracts {@code other} in place. */
  public Tensor sub_(Tensor other) {
    return Recorder.inPlace(
        this, Op.SUB.gradFn(), Saves.NOTHING, (b, in) -> b.sub(in[0], in[1]), other);
  }

  /** Subtracts {@code other} in place. */
  public Tensor sub_(double other) {
    return Recorder.inPlace(
        this, Op.SUB.gradFn(), Saves.NOTHING, (b, in) -> b.sub(in[0], lit(other)));
  }

  /** Multiplies by {@code other} in place. */
  public Tensor mul_(Tensor other) {
    return Recorder.inPlace(
        this, Op.MUL.gradFn(), Saves.CROSSED, (b, in) -> b.mul(in[0], in[1]), other);
  }

  /** Multiplies by {@code other} in place. */
  public Tensor mul_(double other) {
    return Recorder.inPlace(
        this, Op.MUL.gradFn(), Saves.OTHER, (b, in) -> b.mul(in[0], lit(other)));
  }

  /** Divides by {@code other} in place. */
  public Tensor div_(Tensor other) {
    return Recorder.inPlace(
        this, Op.DIV.gradFn(), Saves.SECOND_AND_CROSSED, (b, in) -> b.div(in[0], in[1]), other);
  }

  /** Divides by {@code other} in place. */
  public Tensor div_(double other) {
    return Recorder.inPlace(
        this, Op.DIV.gradFn(), Saves.OTHER, (b, in) -> b.div(in[0], lit(other)));
  }

  /** {@code max(this, 0)} in place. */
  public Tensor relu_() {
    return Recorder.inPlace(this, Op.RELU.gradFn(), Saves.RESULT, ElementwiseRecipe.unary(Op.RELU));
  }

  /** {@code sigmoid(this)} in place. */
  public Tensor sigmoid_() {
    return Recorder.inPlace(
        this, Op.SIGMOID.gradFn(), Saves.RESULT, ElementwiseRecipe.unary(Op.SIGMOID));
  }

  /** {@code tanh(this)} in place. */
  public Tensor tanh_() {
    return Recorder.inPlace(this, Op.TANH.gradFn(), Saves.RESULT, ElementwiseRecipe.unary(Op.TANH));
  }

  /** {@code exp(this)} in place. */
  public Tensor exp_() {
    return Recorder.inPlace(this, Op.EXP.gradFn(), Saves.RESULT, ElementwiseRecipe.unary(Op.EXP));
  }

  /** Copies {@code src} (broadcast and converted to this dtype) into this tensor. */
  public Tensor copy_(Tensor src) {
    return Recorder.copy(this, src);
  }

  // ------------------------------------------------------------------ reading

  /** {@code torch.float32 tensor of shape [2, 3]}, for messages. */
  static String describe(Type t) {
    return DType.of(t.dtype()) + " tensor of shape " + t.dims();
  }

  /** The value of a one-element tensor. */
  public double item() {
    Object data = Capture.valueOf(node());
    if (Buffers.length(data) != 1) {
      throw new IllegalStateException(
          "only one element tensors can be converted to Python scalars");
    }
    return Buffers.get(data, 0);
  }

  /** The sizes of the dims. */
  public long[] shape() {
    Type t = node().type();
    long[] s = new long[t.rank()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.dim(i).size();
    }
    return s;
  }

  /** The size of one dim; negative dims count from the end. */
  public long size(int dim) {
    return shape()[Builder.normalizeDim(dim, dim())];
  }

  /** The number of dims. */
  public int dim() {
    return node().type().rank();
  }

  /** The number of elements. */
  public long numel() {
    return node().type().staticNumel();
  }

  /** The element type. */
  public DType dtype() {
    return DType.of(node().type().dtype());
  }

  /** A copy of the elements in row-major order. */
  public double[] toDoubleArray() {
    return BufferOps.toDoubles(Capture.valueOf(node()));
  }

  /** A copy of the elements in row-major order, as floats. */
  public float[] toFloatArray() {
    double[] d = toDoubleArray();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** A copy of the elements in row-major order, as longs (i64 and bool tensors). */
  public long[] toLongArray() {
    Object data = Capture.valueOf(node());
    if (data instanceof long[]) {
      return ((long[]) data).clone();
    }
    double[] d = BufferOps.toDoubles(data);
    long[] out = new long[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (long) d[i];
    }
    return out;
  }

  /** The tensor as PyTorch 1.13 prints it, suffixes included. */
  @Override
  public String toString() {
    Node n = node();
    Object data = Capture.valueOf(n);
    String suffix =
        n.gradFn() != null
            ? "grad_fn=<" + n.gradFn() + ">"
            : n.requiresGrad() ? "requires_grad=True" : null;
    return TensorFormat.format(n.type().dtype(), n.type().shape(java.util.Map.of()), data, suffix);
  }
}
