package dev.gradc.frontend;

import dev.gradc.ir.DType;
import dev.gradc.runtime.Buffers;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code repr()} of a tensor exactly as PyTorch 1.13 prints it with its default print options
 * (precision 4, threshold 1000, edge items 3, line width 80): one formatter for the whole tensor
 * chooses integer, fixed or scientific notation and a common width; rows wrap at 80 columns; large
 * tensors are summarized with {@code ...}; then the suffixes ({@code dtype=}, {@code grad_fn=}).
 *
 * <p>Numbers are rounded from their exact binary value, half to even, as Python's {@code format}
 * does; f32 elements are formatted as the doubles they widen to, as PyTorch's {@code tolist()}.
 */
public final class TensorFormat {
  private TensorFormat() {}

  private static final int PRECISION = 4;
  private static final int THRESHOLD = 1000;
  private static final int EDGE = 3;
  private static final int LINE_WIDTH = 80;
  private static final String PREFIX = "tensor(";

  /**
   * The repr of a tensor of {@code dtype} and {@code shape} holding {@code buffer}; {@code
   * autograd} is the {@code grad_fn=<...>} or {@code requires_grad=True} suffix, or null.
   */
  public static String format(DType dtype, int[] shape, Object buffer, String autograd) {
    int indent = PREFIX.length();
    List<String> suffixes = new ArrayList<>();
    String body;
    int n = Buffers.length(buffer);
    if (n == 0) {
      if (shape.length != 1) {
        suffixes.add("size=" + tuple(shape));
      }
      if (dtype != DType.F32) {
        suffixes.add("dtype=" + Names.torchDtype(dtype));
      }
      body = "[]";
    } else {
      if (dtype == DType.F64) {
        suffixes.add("dtype=" + Names.torchDtype(dtype));
      }
      boolean summarize = n > THRESHOLD;
      Formatter f = new Formatter(dtype, buffer, summarize ? summarized(shape) : null);
      StringBuilder s = new StringBuilder();
      new Block(shape, buffer, f, summarize).append(s, 0, 0, indent);
      body = s.toString();
    }
    if (autograd != null) {
      suffixes.add(autograd);
    }
    return withSuffixes(PREFIX + body, suffixes, indent);
  }

  private static String tuple(int[] shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      s.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return s.append(shape.length == 1 ? ",)" : ")").toString();
  }

  private static String withSuffixes(String text, List<String> suffixes, int indent) {
    StringBuilder s = new StringBuilder(text);
    int lastLine = text.length() - text.lastIndexOf('\n') + 1;
    for (String suffix : suffixes) {
      if (lastLine + suffix.length() + 2 > LINE_WIDTH) {
        s.append(",\n").append(" ".repeat(indent)).append(suffix);
        lastLine = indent + suffix.length();
      } else {
        s.append(", ").append(suffix);
        lastLine += suffix.length() + 2;
      }
    }
    return s.append(')').toString();
  }

  /**
   * The flat indices of the elements a summarized print shows: along each dim the first and last
   * {@link #EDGE} when the dim is longer than twice that.
   */
  private static int[] summarized(int[] shape) {
    List<Integer> out = new ArrayList<>();
    int[] idx = new int[shape.length];
    int[] strides = new int[shape.length];
    int st = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      strides[d] = st;
      st *= shape[d];
    }
    // Odometer over the shown positions of each dim.
    int[][] shown = new int[shape.length][];
    for (int d = 0; d < shape.length; d++) {
      shown[d] = shownPositions(shape[d]);
    }
    if (shape.length == 0) {
      return new int[] {0};
    }
    while (true) {
      int flat = 0;
      for (int d = 0; d < shape.length; d++) {
        flat += shown[d][idx[d]] * strides[d];
      }
      out.add(flat);
      int d = shape.length - 1;
      while (d >= 0 && ++idx[d] == shown[d].length) {
        idx[d] = 0;
        d--;
      }
      if (d < 0) {
        break;
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] shownPositions(int size) {
    if (size <= 2 * EDGE) {
      int[] all = new int[size];
      for (int i = 0; i < size; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] p = new int[2 * EDGE];
    for (int i = 0; i < EDGE; i++) {
      p[i] = i;
      p[EDGE + i] = size - EDGE + i;
    }
    return p;
  }

  /** The nested brackets of a tensor, written rank by rank. */
  private static final class Block {
    private final int[] shape;
    private final Object buffer;
    private final Formatter f;
    private final boolean summarize;

    Block(int[] shape, Object buffer, Formatter f, boolean summarize) {
      this.shape = shape;
      this.buffer = buffer;
      this.f = f;
      this.summarize = summarize;
    }

    /** Appends the sub-tensor at dim {@code dim} starting at flat {@code offset}. */
    void append(StringBuilder s, int dim, int offset, int indent) {
      int rank = shape.length;
      if (rank == 0) {
        s.append(f.format(buffer, 0));
        return;
      }
      int size = shape[dim];
      if (dim == rank - 1) {
        vector(s, offset, size, indent);
        return;
      }
      int stride = 1;
      for (int d = dim + 1; d < rank; d++) {
        stride *= shape[d];
      }
      String sep = "," + "\n".repeat(rank - dim - 1) + " ".repeat(indent + 1);
      s.append('[');
      boolean cut = summarize && size > 2 * EDGE;
      boolean first = true;
      for (int i = 0; i < size; i++) {
        if (cut && i == EDGE) {
          s.append(sep).append("...");
          i = size - EDGE;
        }
        if (!first) {
          s.append(sep);
        }
        first = false;
        append(s, dim + 1, offset + i * stride, indent + 1);
      }
      s.append(']');
    }

    private void vector(StringBuilder s, int offset, int size, int indent) {
      int perLine = Math.max(1, (LINE_WIDTH - indent) / (f.width + 2));
      List<String> items = new ArrayList<>();
      boolean cut = summarize && size > 2 * EDGE;
      for (int i = 0; i < size; i++) {
        if (cut && i == EDGE) {
          items.add(" ...");
          i = size - EDGE;
        }
        items.add(f.format(buffer, offset + i));
      }
      s.append('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          s.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
        }
        s.append(items.get(i));
      }
      s.append(']');
    }
  }

  /** PyTorch's {@code _Formatter}: the notation and width chosen from the shown elements. */
  private static final class Formatter {
    private final DType dtype;
    private boolean intMode = true;
    private boolean sciMode;
    private int width = 1;

    Formatter(DType dtype, Object buffer, int[] shown) {
      this.dtype = dtype;
      int n = shown == null ? Buffers.length(buffer) : shown.length;
      if (!dtype.isFloat()) {
        for (int k = 0; k < n; k++) {
          width = Math.max(width, plain(buffer, shown == null ? k : shown[k]).length());
        }
        return;
      }
      List<Double> vals = new ArrayList<>();
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      for (int k = 0; k < n; k++) {
        double v = Buffers.get(buffer, shown == null ? k : shown[k]);
        if (Double.isFinite(v) && v != 0) {
          vals.add(v);
          min = Math.min(min, Math.abs(v));
          max = Math.max(max, Math.abs(v));
          intMode &= v == Math.ceil(v);
        }
      }
      if (vals.isEmpty()) {
        return;
      }
      boolean wide = max / min > 1000.0 || max > 1.0e8;
      sciMode = intMode ? wide : wide || min < 1.0e-4;
      for (double v : vals) {
        int len =
            sciMode ? sci(v).length() : intMode ? fixed(v, 0).length() + 1 : fixed(v).length();
        width = Math.max(width, len);
      }
    }

    String format(Object buffer, int i) {
      String r;
      if (!dtype.isFloat()) {
        r = plain(buffer, i);
      } else {
        double v = Buffers.get(buffer, i);
        if (sciMode) {
          r = sci(v);
        } else if (intMode) {
          r = fixed(v, 0) + (Double.isFinite(v) ? "." : "");
        } else {
          r = fixed(v);
        }
      }
      return " ".repeat(Math.max(0, width - r.length())) + r;
    }

    private static String plain(Object buffer, int i) {
      if (buffer instanceof boolean[]) {
        return ((boolean[]) buffer)[i] ? "True" : "False";
      }
      return Long.toString(((long[]) buffer)[i]);
    }
  }

  /** Python's {@code "{:.4f}".format(v)}. */
  static String fixed(double v) {
    return fixed(v, PRECISION);
  }

  /** Python's {@code "{:.Nf}".format(v)}: exact value rounded half to even, sign kept on zero. */
  static String fixed(double v, int digits) {
    String special = nonFinite(v);
    if (special != null) {
      return special;
    }
    String s = new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    return negative(v) && !s.startsWith("-") ? "-" + s : s;
  }

  /** Python's {@code "{:.4e}".format(v)}: {@code 1.2346e+08}. */
  static String sci(double v) {
    String special = nonFinite(v);
    if (special != null) {
      return special;
    }
    BigDecimal a = new BigDecimal(Math.abs(v));
    String digits;
    int exp;
    if (a.signum() == 0) {
      digits = "0";
      exp = 0;
    } else {
      BigDecimal r = a.round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
      digits = r.unscaledValue().toString();
      exp = digits.length() - 1 - r.scale();
    }
    StringBuilder s = new StringBuilder();
    if (negative(v)) {
      s.append('-');
    }
    s.append(digits.charAt(0)).append('.');
    for (int i = 1; i <= PRECISION; i++) {
      s.append(i < digits.length() ? digits.charAt(i) : '0');
    }
    s.append('e').append(exp < 0 ? '-' : '+');
    int e = Math.abs(exp);
    return s.append(e < 10 ? "0" : "").append(e).toString();
  }

  private static boolean negative(double v) {
    return Double.doubleToRawLongBits(v) < 0;
  }

  private static String nonFinite(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return null;
  }
}
