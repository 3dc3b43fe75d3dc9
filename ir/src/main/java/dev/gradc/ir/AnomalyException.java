package dev.gradc.ir;

/**
 * The first non-finite value found in anomaly mode ({@link Interpreter#runDetectingAnomalies}),
 * named as PyTorch's {@code detect_anomaly} names it, with the IR node that computed it and the
 * source position that recorded the op: in the forward pass, {@code 'log' returned -inf values}, in
 * the backward pass, {@code Function 'LogBackward0' returned nan values in its 0th output}.
 */
public final class AnomalyException extends GradcException {
  private static final long serialVersionUID = 1L;

  private final String node;
  private final transient Origin origin;

  AnomalyException(String message, SourcePos pos, String node, Origin origin) {
    super(message, pos);
    this.node = node;
    this.origin = origin;
  }

  /** The IR node that computed the value, as printed: {@code %2: f64[3] = log %1}. */
  public String node() {
    return node;
  }

  /** The origin of that node (its forward op and grad_fn for a backward value), or null. */
  public Origin origin() {
    return origin;
  }

  /** The anomaly found in {@code value}, computed by {@code inst} of {@code f}. */
  static AnomalyException of(Func f, Inst inst, double value) {
    Origin o = f.origin(inst);
    String what = Double.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    String node = Printer.instruction(f, inst);
    SourcePos pos = o == null ? null : o.pos();
    String where =
        pos == null ? "no source position was recorded" : "the op was recorded at " + pos;
    String message;
    if (o != null && o.isBackward()) {
      message =
          "anomaly detected in backward: Function '"
              + o.gradFn()
              + "' returned "
              + what
              + " values in its "
              + Math.max(o.output(), 0)
              + "th output ("
              + node
              + "), the backward of '"
              + o.forwardOp()
              + "'; "
              + where;
    } else {
      message =
          "anomaly detected in forward: '"
              + inst.op().mnemonic()
              + "' returned "
              + what
              + " values ("
              + node
              + "); "
              + where;
    }
    return new AnomalyException(message, pos, node, o);
  }
}
