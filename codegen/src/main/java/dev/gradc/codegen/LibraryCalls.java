package dev.gradc.codegen;

import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.LibraryCall;
import dev.gradc.codegen.lib.GemmCall;
import dev.gradc.codegen.lib.LongReduce;
import dev.gradc.codegen.lib.OneHot;
import dev.gradc.codegen.lib.Slices;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Gathers;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Scans;
import dev.gradc.ir.Svd;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The driver's code for a library call: {@code matmul} ({@link GemmCall}, on the driver's pool,
 * with its operands' strides, so transposed and broadcast operands are read in place) and {@code
 * one_hot} and i64 reductions ({@link LongReduce}), each a plain Java routine of {@code
 * dev.gradc.codegen.lib} copied into the class. A one-element result goes through a one-element
 * array into a scalar.
 */
final class LibraryCalls {
  private final DriverSlots d;

  /** {@link GemmCall#gemmMatmul}. */
  private static final Method GEMM =
      Method.getMethod(
          "void gemmMatmul(Object, Object, Object, int[], java.lang.invoke.MethodHandle[],"
              + " java.util.concurrent.ExecutorService, int)");

  private LibraryCalls(DriverSlots d) {
    this.d = d;
  }

  /** Emits, into the driver, the step that runs {@code call}. */
  static void emit(DriverSlots d, LibraryCall call) {
    new LibraryCalls(d).emit(call);
  }

  private void emit(LibraryCall s) {
    GeneratorAdapter g = d.g;
    Inst inst = s.inst;
    if (inst.op() == Op.ONE_HOT) {
      boolean scalar = LoopPlan.isOneElement(inst.type());
      int out = scalar ? scratchScalarBuffer(DType.I64) : d.obtain(inst, DType.I64);
      pushBuffer(inst.operand(0), DType.I64);
      g.loadLocal(out);
      d.pushExtent(Extent.of(inst.type().dim(inst.type().rank() - 1)));
      d.lib.require(OneHot.class, "oneHot", "([J[JI)V");
      g.invokeStatic(d.owner, new Method("oneHot", "([J[JI)V"));
      if (scalar) {
        loadScalarFrom(out, inst);
      }
      return;
    }
    if (inst.op() == Op.SLICE || inst.op() == Op.SLICE_BACKWARD) {
      slice(inst);
      return;
    }
    if (inst.op() == Op.GATHER || inst.op() == Op.SCATTER_ADD || inst.op() == Op.SCATTER) {
      gatherOrScatterAdd(inst);
      return;
    }
    Inst bagGather = LoopPlan.bagSumGather(inst, d.plan.func().useCounts());
    if (bagGather != null) {
      bagSum(inst, bagGather);
      return;
    }
    if (inst.op().scan() != null) {
      scan(inst);
      return;
    }
    if (inst.op() == Op.SVD) {
      svd(inst);
      return;
    }
    if (inst.op() == Op.MATMUL) {
      matmul(inst);
    } else {
      longReduction(inst);
    }
  }

  /** A cumulative op ({@link Scans}, which the interpreter runs too). */
  private void scan(Inst inst) {
    GeneratorAdapter g = d.g;
    DType in = inst.operand(0).type().dtype();
    Op.Scan k = inst.op().scan();
    int extra = k.extraDims();
    alongDim(
        inst,
        in,
        inst.operand(0).type().dims(),
        Scans.class,
        "scan",
        "(Ljava/lang/Object;Ljava/lang/Object;IIIIZIZ)V",
        () -> {
          g.push(k.code());
          g.push(inst.dim(1) == 1);
          g.push(extra > 0 ? inst.dim(2) : 0);
          g.push(extra > 1 && inst.dim(3) == 1);
        });
  }

  /** {@code slice} or {@code slice_backward} ({@link Slices}), in any dtype. */
  private void slice(Inst inst) {
    GeneratorAdapter g = d.g;
    boolean forward = inst.op() == Op.SLICE;
    int dim = inst.dim(0);
    alongDim(
        inst,
        inst.type().dtype(),
        (forward ? inst.operand(0) : inst).type().dims(),
        Slices.class,
        forward ? "slice" : "sliceBackward",
        "(Ljava/lang/Object;Ljava/lang/Object;IIIIII)V",
        () -> {
          g.push(inst.dim(1));
          g.push(inst.dim(2));
          d.pushExtent(Extent.of((forward ? inst : inst.operand(0)).type().dim(dim)));
        });
  }

  /**
   * A routine of {@code lib} along the dim {@code inst.dim(0)} of {@code dims}: it takes the
   * operand's buffer (of dtype {@code in}), the result's, the sizes before, along and after the
   * dim, then what {@code args} pushes; a one-element result becomes a scalar.
   */
  private void alongDim(
      Inst inst, DType in, List<Dim> dims, Class<?> lib, String name, String desc, Runnable args) {
    GeneratorAdapter g = d.g;
    DType dt = inst.type().dtype();
    boolean scalar = LoopPlan.isOneElement(inst.type());
    int out = scalar ? scratchScalarBuffer(dt) : d.obtain(inst, dt);
    int dim = inst.dim(0);
    pushBuffer(inst.operand(0), in);
    g.loadLocal(out);
    d.pushExtent(Extent.product(dims.subList(0, dim)));
    d.pushExtent(Extent.of(dims.get(dim)));
    d.pushExtent(Extent.product(dims.subList(dim + 1, dims.size())));
    args.run();
    d.lib.require(lib, name, desc);
    g.invokeStatic(d.owner, new Method(name, desc));
    if (scalar) {
      loadScalarFrom(out, inst);
    }
  }

  /** A part of the singular value decomposition ({@link Svd}, which the interpreter runs too). */
  private void svd(Inst inst) {
    GeneratorAdapter g = d.g;
    DType dt = inst.type().dtype();
    boolean scalar = LoopPlan.isOneElement(inst.type());
    int out = scalar ? scratchScalarBuffer(dt) : d.obtain(inst, dt);
    List<Dim> dims = inst.operand(0).type().dims();
    int r = dims.size();
    pushBuffer(inst.operand(0), dt);
    g.loadLocal(out);
    d.pushExtent(Extent.product(dims.subList(0, r - 2)));
    d.pushExtent(Extent.of(dims.get(r - 2)));
    d.pushExtent(Extent.of(dims.get(r - 1)));
    g.push(inst.dim(0));
    String desc = "(Ljava/lang/Object;Ljava/lang/Object;IIII)V";
    d.lib.require(Svd.class, "svd", desc);
    g.invokeStatic(d.owner, new Method("svd", desc));
    if (scalar) {
      loadScalarFrom(out, inst);
    }
  }

  /**
   * {@code gather}, {@code scatter_add} or {@code scatter} ({@link Gathers}), in any dtype: the
   * index and a scatter's source are read through their views' strides ({@link #pushView}), and a
   * scatter's broadcast scalar {@code self} as one element that fills the result.
   */
  private void gatherOrScatterAdd(Inst inst) {
    GeneratorAdapter g = d.g;
    DType dt = inst.type().dtype();
    boolean scalar = LoopPlan.isOneElement(inst.type());
    int out = scalar ? scratchScalarBuffer(dt) : d.obtain(inst, dt);
    Value x = inst.operand(0);
    boolean gather = inst.op() == Op.GATHER;
    g.push(
        gather ? Gathers.GATHER : inst.op() == Op.SCATTER ? Gathers.SCATTER : Gathers.SCATTER_ADD);
    if (!(x instanceof Lit)
        && LoopPlan.readsInPlace(inst, 0, d.plan.home(x).where())) { // a scatter's filling scalar
      pushBuffer(d.plan.home(x).base(), dt);
    } else {
      pushBuffer(x, dt);
    }
    pushShape(x.type().dims());
    g.push(inst.dim(0));
    List<Dim> part = inst.operand(1).type().dims();
    pushShape(part);
    pushView(inst.operand(1), DType.I64);
    if (gather) {
      g.loadLocal(out);
      pushShape(part);
      pushInts(Extent.contiguousStrides(part));
    } else {
      pushView(inst.operand(2), dt);
    }
    g.loadLocal(out);
    String desc = "(ILjava/lang/Object;[II[I[J[I[ILjava/lang/Object;[I[ILjava/lang/Object;)V";
    d.lib.require(Gathers.class, "indexed", desc);
    g.invokeStatic(d.owner, new Method("indexed", desc));
    if (scalar) {
      loadScalarFrom(out, inst);
    }
  }

  /**
   * A bag sum ({@link LoopPlan#bagSumGather}, {@link Gathers#bagSum}): the rows {@code gather}
   * selects, summed per bag into the sum's buffer.
   */
  private void bagSum(Inst sum, Inst gather) {
    GeneratorAdapter g = d.g;
    DType dt = sum.type().dtype();
    int out = d.obtain(sum, dt);
    Value x = gather.operand(0);
    pushBuffer(x, dt);
    pushShape(x.type().dims());
    pushShape(gather.type().dims());
    pushView(gather.operand(1), DType.I64);
    d.pushExtent(Extent.of(sum.operand(0).type().dim(1)));
    g.loadLocal(out);
    String desc = "(Ljava/lang/Object;[I[I[J[I[IILjava/lang/Object;)V";
    d.lib.require(Gathers.class, "bagSum", desc);
    g.invokeStatic(d.owner, new Method("bagSum", desc));
  }

  /**
   * Pushes the buffer, shape and strides of a view of {@code v}'s elements in order: a view read in
   * place ({@link LoopPlan#inPlaceView}) is its base's buffer under its strides, anything else its
   * own buffer, contiguous.
   */
  private void pushView(Value v, DType dt) {
    Value w = v instanceof Lit ? v : d.plan.loops.inPlaceView(v);
    Home h = w instanceof Lit ? null : d.plan.home(w);
    List<Extent> strides;
    if (h != null && h.isViewFromStart() && !LoopPlan.isOneElement(w.type())) {
      d.g.loadLocal(d.contiguousBuffer(h.base()));
      strides = h.strides();
    } else {
      pushBuffer(w, dt);
      strides = Extent.contiguousStrides(w.type().dims());
    }
    pushShape(w.type().dims());
    pushInts(strides);
  }

  /** Pushes a new {@code int[]} of the extents of {@code dims}. */
  private void pushShape(List<Dim> dims) {
    pushInts(dims.stream().map(Extent::of).toList());
  }

  /** Pushes a new {@code int[]} of {@code extents}. */
  private void pushInts(List<Extent> extents) {
    GeneratorAdapter g = d.g;
    g.push(extents.size());
    g.newArray(Type.INT_TYPE);
    for (int i = 0; i < extents.size(); i++) {
      g.dup();
      g.push(i);
      pushExtentOrZero(extents.get(i));
      g.arrayStore(Type.INT_TYPE);
    }
  }

  /** An i64 {@code sum}, {@code amax} or {@code amin} ({@link LongReduce}). */
  private void longReduction(Inst inst) {
    GeneratorAdapter g = d.g;
    Value x = inst.operand(0);
    boolean scalar = LoopPlan.isOneElement(inst.type());
    int out = scalar ? scratchScalarBuffer(DType.I64) : d.obtain(inst, DType.I64);
    pushBuffer(x, DType.I64);
    List<Dim> dims = x.type().dims();
    pushShape(dims);
    boolean[] red = Typing.reducedMask(dims.size(), inst.dims());
    int mask = 0;
    for (int i = 0; i < red.length; i++) {
      mask |= red[i] ? 1 << i : 0;
    }
    g.push(mask);
    g.loadLocal(out);
    g.push(
        switch (inst.op().reduction().combine()) {
          case ADD -> LongReduce.SUM;
          case MUL -> LongReduce.PROD;
          case MAX -> LongReduce.MAX;
          case MIN -> LongReduce.MIN;
          case LOG_ADD_EXP -> throw new IllegalArgumentException("logsumexp of i64");
        });
    d.lib.require(LongReduce.class, "reduce", "([J[II[JI)V");
    g.invokeStatic(d.owner, new Method("reduce", "([J[II[JI)V"));
    if (scalar) {
      loadScalarFrom(out, inst);
    }
  }

  private List<Extent> stridesOf(Value v) {
    Home h = d.plan.home(v);
    return h.isViewFromStart() ? h.strides() : Extent.contiguousStrides(v.type().dims());
  }

  private void matmul(Inst inst) {
    GeneratorAdapter g = d.g;
    Value a = inst.operand(0);
    Value b = inst.operand(1);
    List<Dim> as = a.type().dims();
    List<Dim> bs = b.type().dims();
    List<Extent> sa = stridesOf(a);
    List<Extent> sb = stridesOf(b);
    int ra = as.size();
    int rb = bs.size();
    // Matrix dims, with 1-D operands as a row (left) or a column (right).
    Extent n = ra == 1 ? Extent.ONE : Extent.of(as.get(ra - 2));
    Extent k = Extent.of(as.get(ra - 1));
    Extent m = rb == 1 ? Extent.ONE : Extent.of(bs.get(rb - 1));
    Extent aRow = ra == 1 ? Extent.ZERO : sa.get(ra - 2);
    Extent aCol = sa.get(ra - 1);
    Extent bRow = rb == 1 ? sb.get(0) : sb.get(rb - 2);
    Extent bCol = rb == 1 ? Extent.ZERO : sb.get(rb - 1);
    int batchA = Math.max(ra - 2, 0);
    int batchB = Math.max(rb - 2, 0);
    int batch = Math.max(batchA, batchB);
    List<Extent> geom = new ArrayList<>(List.of(Extent.ONE, n, k, m, aRow, aCol, bRow, bCol));
    List<Dim> out = inst.type().dims();
    for (int d = 0; d < batch; d++) {
      int da = d - (batch - batchA);
      int db = d - (batch - batchB);
      Dim size = out.get(d);
      geom.add(Extent.of(size));
      geom.add(da >= 0 && as.get(da).equals(size) ? sa.get(da) : Extent.ZERO);
      geom.add(db >= 0 && bs.get(db).equals(size) ? sb.get(db) : Extent.ZERO);
    }
    DType dt = inst.type().dtype();
    boolean scalar = LoopPlan.isOneElement(inst.type());
    int buf = scalar ? scratchScalarBuffer(dt) : d.obtain(inst, dt);
    pushMatmulOperand(a, dt);
    pushMatmulOperand(b, dt);
    g.loadLocal(buf);
    g.push(geom.size());
    g.newArray(Type.INT_TYPE);
    for (int i = 0; i < geom.size(); i++) {
      g.dup();
      g.push(i);
      if (i == 0) {
        g.push(batch);
      } else {
        pushExtentOrZero(geom.get(i));
      }
      g.arrayStore(Type.INT_TYPE);
    }
    g.getStatic(d.owner, ClassEmitter.GEMM_FIELD, ClassEmitter.HANDLES);
    g.loadArg(DriverSlots.POOL_ARG);
    g.loadArg(DriverSlots.THREADS_ARG);
    d.lib.require(GemmCall.class, GEMM.getName(), GEMM.getDescriptor());
    g.invokeStatic(d.owner, GEMM);
    if (scalar) {
      loadScalarFrom(buf, inst);
    }
  }

  /**
   * A matmul operand's buffer. A view is read in place from its base's buffer, with the view's
   * strides ({@link #stridesOf}), even when another reader made it a contiguous copy.
   */
  private void pushMatmulOperand(Value v, DType dt) {
    GeneratorAdapter g = d.g;
    Home h = v instanceof Lit ? null : d.plan.home(v);
    if (h != null && h.isViewFromStart() && !LoopPlan.isOneElement(v.type())) {
      g.loadLocal(d.contiguousBuffer(h.base()));
      return;
    }
    pushBuffer(v, dt);
  }

  private void loadScalarFrom(int buf, Inst inst) {
    GeneratorAdapter g = d.g;
    g.loadLocal(buf);
    g.push(0);
    Jvm.loadValue(g, inst.type().dtype());
    d.defineScalarValue(inst);
  }

  /**
   * Pushes a buffer holding {@code v}'s elements for a library routine; a one-element value (a
   * scalar local) is boxed into a fresh one-element array.
   */
  private void pushBuffer(Value v, DType dt) {
    GeneratorAdapter g = d.g;
    if (v instanceof Lit || LoopPlan.isOneElement(v.type())) {
      g.push(1);
      Jvm.newArray(g, dt);
      g.dup();
      g.push(0);
      d.pushScalarValue(v);
      Jvm.storeValue(g, dt);
      return;
    }
    g.loadLocal(d.contiguousBuffer(v));
  }

  private void pushExtentOrZero(Extent e) {
    GeneratorAdapter g = d.g;
    if (e.isZero()) {
      g.push(0);
    } else {
      d.pushExtent(e);
    }
  }

  private int scratchScalarBuffer(DType dt) {
    GeneratorAdapter g = d.g;
    int l = g.newLocal(Jvm.arrayType(dt));
    g.push(1);
    Jvm.newArray(g, dt);
    g.storeLocal(l);
    return l;
  }
}
