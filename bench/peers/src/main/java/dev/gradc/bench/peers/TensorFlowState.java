package dev.gradc.bench.peers;

import dev.gradc.bench.Problem;
import dev.gradc.bench.Workload;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * A workload as a TensorFlow graph with symbolic gradients ({@code tf.gradients}), run in one
 * session whose intra-op pool has {@code gradc.threads} threads. Every argument is a placeholder
 * fed a tensor made once from the problem's buffers; each call fetches the loss and the gradients
 * as native tensors, which stay in TensorFlow (no copy back to Java arrays) and are freed after the
 * call.
 */
public abstract class TensorFlowState extends PeerState {
  private Graph graph;
  private Session session;
  private final List<Placeholder<?>> inputs = new ArrayList<>();
  private final List<Tensor> feeds = new ArrayList<>();
  private final List<Operand<?>> fetches = new ArrayList<>();

  /** The loss built from the placeholders, in parameter order. */
  protected abstract Operand<?> loss(Ops tf, List<Placeholder<?>> in);

  @Setup
  public void setUp() {
    Problem p = problem();
    graph = new Graph();
    Ops tf = Ops.create(graph);
    List<Operand<?>> params = new ArrayList<>();
    for (int i = 0; i < p.args().length; i++) {
      Shape shape = shape(p.shapes()[i]);
      Object buffer = p.args()[i];
      Placeholder<?> in = tf.placeholder(type(buffer), Placeholder.shape(shape));
      inputs.add(in);
      feeds.add(tensor(buffer, shape));
      if (p.forward().params().get(i).requiresGrad()) {
        params.add(in);
      }
    }
    Operand<?> loss = loss(tf, inputs);
    fetches.add(loss);
    fetches.addAll(tf.gradients(loss, params).dy());
    ConfigProto config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(threads())
            .setInterOpParallelismThreads(1)
            .build();
    session = new Session(graph, config);
  }

  /** Runs the graph once; the caller closes the result, which frees its tensors. */
  public Result run() {
    Session.Runner runner = session.runner();
    for (int i = 0; i < inputs.size(); i++) {
      runner.feed(inputs.get(i), feeds.get(i));
    }
    for (Operand<?> f : fetches) {
      runner.fetch(f);
    }
    return runner.run();
  }

  /** One run for tests: the loss, then every gradient, as doubles. */
  public List<double[]> results() {
    List<double[]> out = new ArrayList<>();
    try (Result r = run()) {
      for (int i = 0; i < r.size(); i++) {
        out.add(doubles(r.get(i)));
      }
    }
    return out;
  }

  private static double[] doubles(Tensor t) {
    int n = (int) t.shape().size();
    double[] out = new double[n];
    if (t instanceof TFloat64) {
      ((TFloat64) t).copyTo(DataBuffers.of(out, false, false));
    } else {
      float[] f = new float[n];
      ((TFloat32) t).copyTo(DataBuffers.of(f, false, false));
      for (int i = 0; i < n; i++) {
        out[i] = f[i];
      }
    }
    return out;
  }

  @TearDown
  public void tearDown() {
    for (Tensor t : feeds) {
      t.close();
    }
    session.close();
    graph.close();
  }

  private static Shape shape(int[] dims) {
    long[] d = new long[dims.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims[i];
    }
    return Shape.of(d);
  }

  private static Class<? extends TType> type(Object buffer) {
    if (buffer instanceof double[]) {
      return TFloat64.class;
    }
    if (buffer instanceof float[]) {
      return TFloat32.class;
    }
    return TInt64.class;
  }

  private static Tensor tensor(Object buffer, Shape shape) {
    if (buffer instanceof double[]) {
      return TFloat64.tensorOf(shape, DataBuffers.of((double[]) buffer, true, false));
    }
    if (buffer instanceof float[]) {
      return TFloat32.tensorOf(shape, DataBuffers.of((float[]) buffer, true, false));
    }
    return TInt64.tensorOf(shape, DataBuffers.of((long[]) buffer, true, false));
  }

  @SuppressWarnings("unchecked")
  static <T extends TType> Operand<T> typed(Operand<?> o) {
    return (Operand<T>) o;
  }

  /** {@code mean((a*b + c - d)**2)}. */
  public static class Mse extends TensorFlowState {
    @Override
    protected Workload workload() {
      return Workload.MSE;
    }

    @Override
    protected Operand<?> loss(Ops tf, List<Placeholder<?>> in) {
      Operand<TFloat64> a = typed(in.get(0));
      Operand<TFloat64> b = typed(in.get(1));
      Operand<TFloat64> c = typed(in.get(2));
      Operand<TFloat64> d = typed(in.get(3));
      Operand<TFloat64> r = tf.math.sub(tf.math.add(tf.math.mul(a, b), c), d);
      return tf.math.mean(tf.math.square(r), tf.constant(0));
    }
  }

  /** {@code mean(softplus(-y * (x @ w)))}. */
  public static class Logistic extends TensorFlowState {
    @Override
    protected Workload workload() {
      return Workload.LOGISTIC;
    }

    @Override
    protected Operand<?> loss(Ops tf, List<Placeholder<?>> in) {
      Operand<TFloat64> x = typed(in.get(0));
      Operand<TFloat64> y = typed(in.get(1));
      Operand<TFloat64> w = typed(in.get(2));
      Operand<TFloat64> column = tf.reshape(w, tf.constant(new long[] {-1, 1}));
      Operand<TFloat64> z = tf.reshape(tf.linalg.matMul(x, column), tf.constant(new long[] {-1}));
      return tf.math.mean(tf.math.softplus(tf.math.mul(tf.math.neg(y), z)), tf.constant(0));
    }
  }

  /** The sum of Black-Scholes call prices. */
  public static class BlackScholes extends TensorFlowState {
    @Override
    protected Workload workload() {
      return Workload.BLACK_SCHOLES;
    }

    @Override
    protected Operand<?> loss(Ops tf, List<Placeholder<?>> in) {
      Operand<TFloat64> s = typed(in.get(0));
      Operand<TFloat64> sigma = typed(in.get(1));
      Operand<TFloat64> r = typed(in.get(2));
      Operand<TFloat64> t = typed(in.get(3));
      Operand<TFloat64> k = typed(in.get(4));
      Operand<TFloat64> volTime = tf.math.mul(sigma, tf.math.sqrt(t));
      Operand<TFloat64> drift =
          tf.math.mul(tf.math.add(r, tf.math.mul(tf.math.mul(sigma, sigma), tf.constant(0.5))), t);
      Operand<TFloat64> d1 =
          tf.math.div(tf.math.add(tf.math.log(tf.math.div(s, k)), drift), volTime);
      Operand<TFloat64> d2 = tf.math.sub(d1, volTime);
      Operand<TFloat64> discount = tf.math.exp(tf.math.neg(tf.math.mul(r, t)));
      Operand<TFloat64> call =
          tf.math.sub(
              tf.math.mul(s, cdf(tf, d1)), tf.math.mul(tf.math.mul(k, discount), cdf(tf, d2)));
      return tf.reduceSum(call, tf.constant(0));
    }

    private static Operand<TFloat64> cdf(Ops tf, Operand<TFloat64> x) {
      Operand<TFloat64> e = tf.math.erf(tf.math.mul(x, tf.constant(Math.sqrt(0.5))));
      return tf.math.mul(tf.math.add(e, tf.constant(1.0)), tf.constant(0.5));
    }
  }

  /** A two-layer perceptron with cross entropy, f32. */
  public static class Mlp extends TensorFlowState {
    @Override
    protected Workload workload() {
      return Workload.MLP;
    }

    @Override
    protected Operand<?> loss(Ops tf, List<Placeholder<?>> in) {
      Operand<TFloat32> x = typed(in.get(0));
      Operand<TFloat32> w1 = typed(in.get(1));
      Operand<TFloat32> b1 = typed(in.get(2));
      Operand<TFloat32> w2 = typed(in.get(3));
      Operand<TFloat32> b2 = typed(in.get(4));
      Operand<TInt64> labels = typed(in.get(5));
      Operand<TFloat32> h = tf.nn.relu(tf.math.add(tf.linalg.matMul(x, w1), b1));
      Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(h, w2), b2);
      int classes = (int) b2.shape().get(0);
      // The sparse op has no registered gradient in TensorFlow's C++ API: one-hot labels instead.
      Operand<TFloat32> oneHot =
          tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
      return tf.math.mean(
          tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(), tf.constant(0));
    }
  }
}
