package dev.gradc;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The keyword options of the losses of {@link F}, as PyTorch spells them: {@code F.crossEntropy(x,
 * y, LossOptions.defaults().reduction("sum").ignoreIndex(0).labelSmoothing(0.1))} is {@code
 * F.cross_entropy(x, y, reduction="sum", ignore_index=0, label_smoothing=0.1)}. Each method returns
 * a new set of options; an option a loss does not take is an {@link IllegalArgumentException}
 * naming it, as Python's "unexpected keyword argument". Options left unset take the loss's own
 * PyTorch default ({@code margin} is 0 for {@code cosine_embedding_loss} but 1 for {@code
 * triplet_margin_loss}, ...).
 */
public final class LossOptions {
  private static final LossOptions DEFAULTS = new LossOptions();

  String reduction = "mean";
  Tensor weight;
  Tensor posWeight;
  long ignoreIndex = -100;
  double labelSmoothing;
  boolean logTarget;
  boolean full;
  boolean logInput = true;
  boolean swap;
  double eps = Double.NaN;
  double margin = Double.NaN;
  double p = 2;
  double delta = 1;
  double beta = 1;
  private final Set<String> given;

  private LossOptions() {
    given = Set.of();
  }

  private LossOptions(LossOptions o, String keyword) {
    reduction = o.reduction;
    weight = o.weight;
    posWeight = o.posWeight;
    ignoreIndex = o.ignoreIndex;
    labelSmoothing = o.labelSmoothing;
    logTarget = o.logTarget;
    full = o.full;
    logInput = o.logInput;
    swap = o.swap;
    eps = o.eps;
    margin = o.margin;
    p = o.p;
    delta = o.delta;
    beta = o.beta;
    Set<String> g = new LinkedHashSet<>(o.given);
    g.add(keyword);
    given = Collections.unmodifiableSet(g);
  }

  /** No option given: every loss's PyTorch defaults ({@code reduction="mean"}, ...). */
  public static LossOptions defaults() {
    return DEFAULTS;
  }

  /** {@code reduction=}: {@code "mean"} (the default), {@code "sum"} or {@code "none"}. */
  public LossOptions reduction(String r) {
    LossOptions o = new LossOptions(this, "reduction");
    o.reduction = r;
    return o;
  }

  /** {@code weight=}: a weight per class, or per element for the binary losses. */
  public LossOptions weight(Tensor w) {
    LossOptions o = new LossOptions(this, "weight");
    o.weight = w;
    return o;
  }

  /** {@code pos_weight=} of {@code binary_cross_entropy_with_logits}: a weight per class. */
  public LossOptions posWeight(Tensor w) {
    LossOptions o = new LossOptions(this, "pos_weight");
    o.posWeight = w;
    return o;
  }

  /** {@code ignore_index=} (default -100): samples with this target are skipped. */
  public LossOptions ignoreIndex(long index) {
    LossOptions o = new LossOptions(this, "ignore_index");
    o.ignoreIndex = index;
    return o;
  }

  /** {@code label_smoothing=} of {@code cross_entropy}, in {@code [0, 1]}. */
  public LossOptions labelSmoothing(double s) {
    LossOptions o = new LossOptions(this, "label_smoothing");
    o.labelSmoothing = s;
    return o;
  }

  /** {@code log_target=} of {@code kl_div}. */
  public LossOptions logTarget(boolean b) {
    LossOptions o = new LossOptions(this, "log_target");
    o.logTarget = b;
    return o;
  }

  /** {@code full=} of {@code gaussian_nll_loss} and {@code poisson_nll_loss}. */
  public LossOptions full(boolean b) {
    LossOptions o = new LossOptions(this, "full");
    o.full = b;
    return o;
  }

  /** {@code log_input=} of {@code poisson_nll_loss} (default true). */
  public LossOptions logInput(boolean b) {
    LossOptions o = new LossOptions(this, "log_input");
    o.logInput = b;
    return o;
  }

  /** {@code swap=} of {@code triplet_margin_loss}. */
  public LossOptions swap(boolean b) {
    LossOptions o = new LossOptions(this, "swap");
    o.swap = b;
    return o;
  }

  /** {@code eps=}. */
  public LossOptions eps(double e) {
    LossOptions o = new LossOptions(this, "eps");
    o.eps = e;
    return o;
  }

  /** {@code margin=}. */
  public LossOptions margin(double m) {
    LossOptions o = new LossOptions(this, "margin");
    o.margin = m;
    return o;
  }

  /**
   * {@code p=} of {@code triplet_margin_loss} (the norm's degree, default 2) and of {@code
   * multi_margin_loss} (1 or 2, default 1).
   */
  public LossOptions p(double norm) {
    LossOptions o = new LossOptions(this, "p");
    o.p = norm;
    return o;
  }

  /** {@code delta=} of {@code huber_loss} (default 1). */
  public LossOptions delta(double d) {
    LossOptions o = new LossOptions(this, "delta");
    o.delta = d;
    return o;
  }

  /** {@code beta=} of {@code smooth_l1_loss} (default 1). */
  public LossOptions beta(double b) {
    LossOptions o = new LossOptions(this, "beta");
    o.beta = b;
    return o;
  }

  /** Refuses the options {@code fn} does not take, as Python does. */
  LossOptions check(String fn, String... accepted) {
    for (String k : given) {
      boolean ok = k.equals("reduction");
      for (String a : accepted) {
        ok |= a.equals(k);
      }
      if (!ok) {
        throw new IllegalArgumentException(
            fn + "() got an unexpected keyword argument '" + k + "'");
      }
    }
    return this;
  }

  /** The option if given, else {@code dflt}. */
  /** Whether {@code keyword} was given. */
  boolean has(String keyword) {
    return given.contains(keyword);
  }

  static double or(double v, double dflt) {
    return Double.isNaN(v) ? dflt : v;
  }

  @Override
  public String toString() {
    return "LossOptions" + given;
  }
}
