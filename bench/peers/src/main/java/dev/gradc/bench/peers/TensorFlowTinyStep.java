package dev.gradc.bench.peers;

import dev.gradc.bench.baseline.ChunkPool;
import java.util.List;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The tutorial's {@code z = (5*x1 + 3*x2) * (2*x1 + x2)} as a TensorFlow Java user writes a
 * training step: the graph and its symbolic gradients are built once (TF Java has no gradient tape
 * in eager mode), and each step feeds x1 and x2, runs the session and reads both gradients into
 * Java. Graph-mode gradients are computed afresh by every run, so there is nothing to zero.
 */
@State(Scope.Thread)
public class TensorFlowTinyStep {
  private Graph graph;
  private Session session;
  private Placeholder<TFloat32> x1;
  private Placeholder<TFloat32> x2;
  private TFloat32 x1Value;
  private TFloat32 x2Value;
  private List<Output<?>> grads;

  @Setup
  public void setUp() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    x1 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1)));
    x2 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1)));
    Operand<TFloat32> y1 =
        tf.math.add(tf.math.mul(tf.constant(5f), x1), tf.math.mul(tf.constant(3f), x2));
    Operand<TFloat32> y2 = tf.math.add(tf.math.mul(tf.constant(2f), x1), x2);
    Operand<TFloat32> z = tf.math.mul(y1, y2);
    grads = tf.gradients(z, List.of(x1, x2)).dy();
    ConfigProto config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(ChunkPool.configuredThreads())
            .setInterOpParallelismThreads(1)
            .build();
    session = new Session(graph, config);
    x1Value = TFloat32.vectorOf(1f);
    x2Value = TFloat32.vectorOf(2f);
  }

  /** One step; returns the two gradients it read. */
  public double[] step() {
    try (Result r =
        session
            .runner()
            .feed(x1, x1Value)
            .feed(x2, x2Value)
            .fetch(grads.get(0))
            .fetch(grads.get(1))
            .run()) {
      return new double[] {((TFloat32) r.get(0)).getFloat(0), ((TFloat32) r.get(1)).getFloat(0)};
    }
  }

  @TearDown
  public void tearDown() {
    x1Value.close();
    x2Value.close();
    session.close();
    graph.close();
  }
}
