package dev.gradc.spark;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compiled loss over blocks of rows, in a form that can be shipped to other JVMs: the class files
 * of its ahead-of-time compilation ({@link AotCompiler}, java.base only) and what each argument is.
 * A JVM defines the classes once, on first use, and keeps them by the SHA-256 of their bytes, so
 * every task of every fit with the same program reuses one class. A kernel built by {@link
 * #onClasspath} ships no bytes: its classes come from a jar already on the executors' class path
 * (the classes {@code gradc compile} or the Maven plugin writes).
 *
 * <p>The program's inputs are the data: each has a leading symbolic row dim, the same for all
 * ({@code input x: f64[N, 4]}), and static trailing dims. Its params are the model: static shapes,
 * flattened in declaration order into one vector {@code x}. The loss is a {@link Reduction#MEAN
 * mean} or a {@link Reduction#SUM sum} over the rows, plus terms of the params only (a penalty):
 * {@link #partial} runs the kernel on each block, and {@link #finish} turns the combined partial
 * into the loss and gradient over all rows.
 */
public final class BlockKernel implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How the program's loss reduces its rows. */
  public enum Reduction {
    /** A mean over the rows, plus param-only terms: the blocks' losses weighted by their rows. */
    MEAN,
    /** A sum over the rows, plus param-only terms (counted once). */
    SUM
  }

  /** One argument in declaration order: a row input (elements per row) or a param (elements). */
  record Slot(String name, boolean row, int size, List<Integer> trailing) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final String className;
  private final Map<String, byte[]> classes;
  private final String hash;
  private final Reduction reduction;
  private final List<Slot> slots;
  private final int dimension;

  private BlockKernel(
      String className,
      Map<String, byte[]> classes,
      String hash,
      Reduction reduction,
      List<Slot> slots) {
    this.className = className;
    this.classes = classes;
    this.hash = hash;
    this.reduction = reduction;
    this.slots = slots;
    int d = 0;
    for (Slot s : slots) {
      if (!s.row()) {
        d += s.size();
      }
    }
    this.dimension = d;
  }

  /** Compiles a {@code .grad} program (its file name names the function). */
  public static BlockKernel compile(String fileName, String source, Reduction reduction) {
    return compile(GradLanguage.parse(fileName, source).func(), reduction);
  }

  /** Compiles a function whose inputs are row data and whose params are the model. */
  public static BlockKernel compile(Func f, Reduction reduction) {
    List<Slot> slots = slots(f);
    String name = "dev/gradc/spark/gen/" + javaName(f.name());
    Map<String, byte[]> classes = new LinkedHashMap<>(AotCompiler.compile(f, name));
    return new BlockKernel(name, classes, sha256(classes), reduction, slots);
  }

  /**
   * A kernel whose classes are on the class path (an ahead-of-time jar shipped with {@code
   * --jars}): {@code className} is the binary name of the class {@code gradc compile} wrote for
   * {@code f}.
   */
  public static BlockKernel onClasspath(Func f, String className, Reduction reduction) {
    return new BlockKernel(
        className.replace('.', '/'), Map.of(), "classpath:" + className, reduction, slots(f));
  }

  private static List<Slot> slots(Func f) {
    if (f.results().size() != 1 || !f.result(0).type().isScalar()) {
      throw new IllegalArgumentException(
          "a distributed loss needs one scalar result, @" + f.name() + " returns " + f.results());
    }
    String rowDim = null;
    List<Slot> slots = new ArrayList<>();
    for (Param p : f.params()) {
      if (p.type().dtype() != DType.F64) {
        throw new IllegalArgumentException(
            "%" + p.name() + ": a distributed loss takes f64 arguments, not " + p.type());
      }
      List<Dim> dims = p.type().dims();
      if (p.requiresGrad()) {
        if (!p.type().isStatic()) {
          throw new IllegalArgumentException(
              "param %" + p.name() + " needs a static shape, not " + p.type());
        }
        slots.add(new Slot(p.name(), false, p.type().staticNumel(), sizes(dims)));
        continue;
      }
      Dim lead = dims.isEmpty() ? null : dims.get(0);
      if (lead == null || lead.isStatic() || lead.factor() != 1) {
        throw new IllegalArgumentException(
            "input %" + p.name() + " needs a leading row dim such as N, not " + p.type());
      }
      if (rowDim == null) {
        rowDim = lead.symbol();
      } else if (!rowDim.equals(lead.symbol())) {
        throw new IllegalArgumentException(
            "input %" + p.name() + " has rows " + lead + ", the other inputs " + rowDim);
      }
      List<Dim> rest = dims.subList(1, dims.size());
      int size = 1;
      for (Dim d : rest) {
        if (!d.isStatic()) {
          throw new IllegalArgumentException(
              "input %" + p.name() + " needs static dims after the rows, not " + p.type());
        }
        size *= d.size();
      }
      slots.add(new Slot(p.name(), true, size, sizes(rest)));
    }
    if (rowDim == null) {
      throw new IllegalArgumentException("@" + f.name() + " has no input with rows");
    }
    return List.copyOf(slots);
  }

  private static List<Integer> sizes(List<Dim> dims) {
    List<Integer> out = new ArrayList<>();
    for (Dim d : dims) {
      out.add(d.size());
    }
    return List.copyOf(out);
  }

  private static String javaName(String name) {
    StringBuilder sb = new StringBuilder("Loss_");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      sb.append(Character.isJavaIdentifierPart(c) ? c : '_');
    }
    return sb.toString();
  }

  private static String sha256(Map<String, byte[]> classes) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> e : classes.entrySet()) {
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(e.getValue());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The number of model parameters: the params' elements, flattened in declaration order. */
  public int dimension() {
    return dimension;
  }

  /** How the loss reduces its rows. */
  public Reduction reduction() {
    return reduction;
  }

  /** The SHA-256 of the class files ({@code classpath:NAME} for a kernel on the class path). */
  public String hash() {
    return hash;
  }

  /** The row inputs' names, in declaration order: the columns a dataset must have. */
  public List<String> rowInputs() {
    List<String> out = new ArrayList<>();
    for (Slot s : slots) {
      if (s.row()) {
        out.add(s.name());
      }
    }
    return out;
  }

  /** The elements of one row of each row input, in declaration order. */
  public int[] rowSizes() {
    return slots.stream().filter(Slot::row).mapToInt(Slot::size).toArray();
  }

  /** The trailing dims of each row input, in declaration order. */
  public List<List<Integer>> rowShapes() {
    return slots.stream().filter(Slot::row).map(Slot::trailing).toList();
  }

  /** The params' names and sizes in the order of the flat vector. */
  public Map<String, Integer> params() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Slot s : slots) {
      if (!s.row()) {
        out.put(s.name(), s.size());
      }
    }
    return out;
  }

  // ---- running the kernel ----

  /** Kernels defined in this JVM, by hash: each set of class files is defined once. */
  private static final Map<String, MethodHandle> LOADED = new ConcurrentHashMap<>();

  /** How many kernels this JVM has defined from bytes (for tests). */
  static int definedKernels() {
    return (int) LOADED.keySet().stream().filter(k -> !k.startsWith("classpath:")).count();
  }

  private MethodHandle entry() {
    return LOADED.computeIfAbsent(hash, h -> load());
  }

  private MethodHandle load() {
    try {
      Class<?> api;
      if (classes.isEmpty()) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        api =
            Class.forName(
                className.replace('/', '.'),
                true,
                context != null ? context : BlockKernel.class.getClassLoader());
      } else {
        api = new BytesLoader(classes).loadClass(className.replace('/', '.'));
      }
      Class<?>[] types = new Class<?>[slots.size() + slots.size() - rowInputs().size()];
      Arrays.fill(types, double[].class);
      MethodHandle mh =
          MethodHandles.publicLookup()
              .findStatic(api, "valueAndGrad", MethodType.methodType(double.class, types));
      return mh.asSpreader(Object[].class, types.length);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the kernel " + className + ": " + e, e);
    }
  }

  /** Defines the shipped class files, each on first use. */
  private static final class BytesLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    BytesLoader(Map<String, byte[]> classes) {
      super(BlockKernel.class.getClassLoader());
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] b = classes.get(name.replace('.', '/'));
      if (b == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, b, 0, b.length);
    }
  }

  /**
   * The loss of one block at params {@code x}, its gradient written to {@code grad}. The block's
   * columns are the row inputs in declaration order.
   */
  public double valueAndGradient(double[] x, Block block, double[] grad) {
    if (x.length != dimension || grad.length != dimension) {
      throw new IllegalArgumentException(
          "params of " + dimension + " elements, got " + x.length + " and " + grad.length);
    }
    Object[] args = new Object[slots.size() + slots.size() - rowInputs().size()];
    List<double[]> grads = new ArrayList<>();
    int column = 0;
    int offset = 0;
    for (int i = 0; i < slots.size(); i++) {
      Slot s = slots.get(i);
      if (s.row()) {
        args[i] = block.column(column++, block.rows() * s.size());
      } else {
        args[i] = Arrays.copyOfRange(x, offset, offset + s.size());
        offset += s.size();
        grads.add(new double[s.size()]);
      }
    }
    for (int k = 0; k < grads.size(); k++) {
      args[slots.size() + k] = grads.get(k);
    }
    double value;
    try {
      value = (double) entry().invokeExact(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    offset = 0;
    for (double[] g : grads) {
      System.arraycopy(g, 0, grad, offset, g.length);
      offset += g.length;
    }
    return value;
  }

  /**
   * One partition's partial: the blocks in order, each weighted as {@link #reduction} says and
   * added to the running sums. A non-finite loss or gradient fails, naming the partition and the
   * block.
   */
  public Partial partial(int partition, java.util.Iterator<Block> blocks, double[] x) {
    return partial(partition, blocks, x, null);
  }

  /**
   * As {@link #partial(int, java.util.Iterator, double[])}, over the blocks that {@code sample}
   * keeps (all when it is null).
   */
  public Partial partial(
      int partition, java.util.Iterator<Block> blocks, double[] x, BlockSample sample) {
    double[] sums = new double[1 + dimension];
    double[] grad = new double[dimension];
    long rows = 0;
    long count = 0;
    for (int b = 0; blocks.hasNext(); b++) {
      Block block = blocks.next();
      if (sample != null && !sample.keeps(partition, b)) {
        continue;
      }
      double value = valueAndGradient(x, block, grad);
      String bad = nonFinite(value, grad);
      if (bad != null) {
        throw new NonFiniteLossException(
            "partition "
                + partition
                + ", block "
                + b
                + " ("
                + block.rows()
                + " rows): "
                + bad
                + " is not finite");
      }
      double w = reduction == Reduction.MEAN ? block.rows() : 1;
      sums[0] += w * value;
      for (int i = 0; i < dimension; i++) {
        sums[1 + i] += w * grad[i];
      }
      rows += block.rows();
      count++;
    }
    return new Partial(rows, count, sums);
  }

  private String nonFinite(double value, double[] grad) {
    if (!Double.isFinite(value)) {
      return "the loss " + value;
    }
    int offset = 0;
    for (Slot s : slots) {
      if (s.row()) {
        continue;
      }
      for (int i = 0; i < s.size(); i++) {
        if (!Double.isFinite(grad[offset + i])) {
          return "the gradient of %" + s.name() + "[" + i + "] " + grad[offset + i];
        }
      }
      offset += s.size();
    }
    return null;
  }

  /**
   * The loss over all rows from the combined partial, its gradient written to {@code grad}: for a
   * mean, the weighted sums over the rows; for a sum, the blocks' sums less the param-only terms
   * counted once per block beyond the first (the loss of zero rows at {@code x}).
   */
  public double finish(Partial total, double[] x, double[] grad) {
    if (total.rows() == 0 && reduction == Reduction.MEAN) {
      throw new IllegalArgumentException("the mean of a loss over no rows");
    }
    double[] s = total.sums();
    if (reduction == Reduction.MEAN) {
      double n = total.rows();
      for (int i = 0; i < dimension; i++) {
        grad[i] = s[1 + i] / n;
      }
      return s[0] / n;
    }
    double[] penaltyGrad = new double[dimension];
    double penalty = valueAndGradient(x, Block.empty(rowSizes().length), penaltyGrad);
    double extra = total.blocks() - 1;
    for (int i = 0; i < dimension; i++) {
      grad[i] = s[1 + i] - extra * penaltyGrad[i];
    }
    return s[0] - extra * penalty;
  }
}
