package dev.gradc.ir;

/**
 * The pattern {@code log(sum(exp(x)))}, whose value is defined as {@code logsumexp(x)} over the
 * sum's dims, recognised in one place for the stages that must agree on it: the optimizer's
 * simplify pass rewrites it to {@code logsumexp}, the {@link Interpreter} evaluates it as one, and
 * reverse mode gives the log the adjoint of {@code logsumexp} (the softmax), finite where {@code
 * exp(x)} overflows. The written form would give {@code inf} and a gradient of {@code inf / inf}.
 */
public final class LogSumExp {
  private LogSumExp() {}

  /**
   * The {@code sum} in {@code log(sum(exp(x)))} when {@code logOperand} is {@code sum(exp(x))},
   * else null; its operand's operand is {@code x}, its dims and keepdim those of the logsumexp.
   */
  public static Inst sumOfExp(Value logOperand) {
    if (!(logOperand instanceof Inst) || ((Inst) logOperand).op() != Op.SUM) {
      return null;
    }
    Inst sum = (Inst) logOperand;
    Value e = sum.operand(0);
    return e instanceof Inst && ((Inst) e).op() == Op.EXP ? sum : null;
  }

  /** {@code x} of the matched {@code sum(exp(x))}. */
  public static Value argument(Inst sumOfExp) {
    return ((Inst) sumOfExp.operand(0)).operand(0);
  }
}
