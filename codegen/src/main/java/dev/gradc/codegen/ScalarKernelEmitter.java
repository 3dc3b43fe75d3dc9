package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Mode;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.codegen.lib.Scratch;
import dev.gradc.ir.DType;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.ScalarMath;
import dev.gradc.ir.SumOrder;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The scalar {@link KernelBackend}: each iteration of the outer loop runs the kernel's loops in
 * order; a flat loop computes its one element, a rows loop runs its inner loop and then stores its
 * per-row reductions. Members are computed per element in double locals, one element at a time;
 * stored members are written out; reductions accumulate.
 */
final class ScalarKernelEmitter {
  /** The scalar backend. */
  static final KernelBackend BACKEND = ScalarKernelEmitter::emit;

  /**
   * The largest kernel, in bytes of code, written with its rows loops once per lane count ({@link
   * #byWidth}): well under HotSpot's 8,000 ({@code HugeMethodLimit}), past which a method is never
   * compiled. A larger one is written once, for any lane count.
   */
  static final int MAX_KERNEL_BYTES = 6000;

  /**
   * The vector backend's form of rows kernels ({@link VectorRows}): this kernel, public, with the
   * inner loops of its rows loops in vectors where {@link VectorRows#unsupported} allows.
   */
  static final KernelBackend VECTOR_ROWS =
      (cv, owner, lib, sig) -> {
        boolean registers = vectorRowsSize(owner, sig, true) <= MAX_KERNEL_BYTES;
        GeneratorAdapter g = Jvm.method(cv, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, sig.method);
        ScalarKernelEmitter e = new ScalarKernelEmitter(cv, sig, g, owner, lib);
        e.vectorRows = true;
        e.registers = registers;
        e.body(sig);
        g.endMethod();
      };

  /** The most bytes of code of {@code sig}'s kernel in the vector rows form, written apart. */
  private static int vectorRowsSize(Type owner, KernelSignature sig, boolean registers) {
    org.objectweb.asm.ClassWriter cw = new org.objectweb.asm.ClassWriter(0);
    org.objectweb.asm.commons.CodeSizeEvaluator[] size = {null};
    ClassVisitor cv =
        new ClassVisitor(Opcodes.ASM9, cw) {
          @Override
          public org.objectweb.asm.MethodVisitor visitMethod(
              int access, String name, String desc, String signature, String[] exceptions) {
            size[0] =
                new org.objectweb.asm.commons.CodeSizeEvaluator(
                    super.visitMethod(access, name, desc, signature, exceptions));
            return size[0];
          }
        };
    GeneratorAdapter g = Jvm.method(cv, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, sig.method);
    ScalarKernelEmitter e =
        new ScalarKernelEmitter(cv, sig, g, owner, new LibraryCopier(owner.getInternalName()));
    e.vectorRows = true;
    e.registers = registers;
    e.body(sig);
    g.endMethod();
    return size[0].getMaxSize();
  }

  /**
   * With {@link #vectorRows}: whether rows loops are also written per lane count ({@link
   * #byWidth}).
   */
  private boolean registers;

  /** Whether rows loops run their inner loop in vectors where they can ({@link #VECTOR_ROWS}). */
  private boolean vectorRows;

  /** With {@link #vectorRows}: the local holding the species' lane count. */
  private int lanesLocal = -1;

  private final Kernel kernel;
  private LoopLayout layout;
  private final GeneratorAdapter g;
  private final OpEmitter ops;
  private final Map<Access, Integer> bufferArg = new IdentityHashMap<>();
  private final Map<Value, Integer> scalarArg = new IdentityHashMap<>();
  private final Map<Extent, Integer> intArg = new HashMap<>();
  private final Map<Value, Integer> locals = new IdentityHashMap<>();
  private final Map<Reduction, Integer> acc = new IdentityHashMap<>();
  private final Map<Access, Integer> base = new IdentityHashMap<>();

  /** The local of each of the kernel's row values (see {@link Kernel}). */
  private final Map<Value, Integer> rowLocal = new IdentityHashMap<>();

  /**
   * In a kernel run in row blocks ({@link #inRowBlocks}): the local of each row value's {@code
   * double[]} of a block's rows, which holds it for every row of the block.
   */
  private final Map<Value, Integer> rowArray = new IdentityHashMap<>();

  /** In a kernel run in row blocks: the local holding the first row of the block. */
  private int blockStart = -1;

  /**
   * Rows per block of a kernel run in row blocks ({@link #inRowBlocks}): {@value
   * #ROW_BLOCK_PROPERTY} if set (1 runs such kernels row by row, in the same order of operations;
   * at most 4096), else 64: the fastest of 16, 64, 256 and 1024 for the logistic loss measured
   * here, its block's row values and part of its rows staying in the first-level cache.
   */
  private final int rowBlock =
      Math.min(4096, Math.max(0, Integer.getInteger(ROW_BLOCK_PROPERTY, 64)));

  static final String ROW_BLOCK_PROPERTY = "gradc.rowBlock";

  private int partialsArg = -1;
  private int chunkArg;
  private int loArg;
  private int hiArg;
  private int indexLocal;

  /**
   * For each sum in logical blocks ({@link Reduction#sumsInBlocks}) but the full sums of flat loops
   * ({@link #flatLanes}): the local holding its 16 partials ({@code double[16]}), or for a column
   * sum its {@code lanes * n} partials (partial {@code l} of column {@code j} at {@code l * n +
   * j}).
   */
  private final Map<Reduction, Integer> blocks = new IdentityHashMap<>();

  /**
   * For each full sum of a flat loop: its 16 partials in locals, rotated after every outer
   * iteration so that the first always holds the partial of the current element (see {@link
   * #rotateFlatLanes}).
   */
  private final Map<Reduction, int[]> flatLanes = new LinkedHashMap<>();

  /**
   * At most this many full sums of a kernel keep their partials in rotating locals: each costs
   * about 35 instructions per element, and a kernel of many sums (a large function) must stay under
   * the JIT's method size limit; the others keep theirs in a {@code double[16]} per chunk call.
   */
  static final int MAX_FLAT_LANE_SUMS = 4;

  /** For column sums: the local holding {@code min(16, hi - lo)}, the partial vectors in use. */
  private int columnLanes = -1;

  private final Type owner;
  private final LibraryCopier lib;
  private final ClassVisitor cv;
  private final String name;

  private ScalarKernelEmitter(
      ClassVisitor cv, KernelSignature sig, GeneratorAdapter g, Type owner, LibraryCopier lib) {
    this.cv = cv;
    this.name = sig.name;
    this.kernel = sig.kernel;
    this.g = g;
    this.owner = owner;
    this.lib = lib;
    this.ops = new OpEmitter(g, owner, lib);
  }

  private static void emit(ClassVisitor cv, Type owner, LibraryCopier lib, KernelSignature sig) {
    GeneratorAdapter g = Jvm.method(cv, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, sig.method);
    new ScalarKernelEmitter(cv, sig, g, owner, lib).body(sig);
    g.endMethod();
  }

  private static final Type THREAD_LOCAL = Type.getType(ThreadLocal.class);
  private static final Method ZEROED = Method.getMethod("double[] zeroed(ThreadLocal, int)");

  /**
   * With an {@code int} length on the stack, leaves this thread's scratch array named {@code field}
   * ({@link Scratch#zeroed}): a static {@code ThreadLocal} field of {@code owner}, declared here
   * and set on first use (threads racing to set it each keep arrays of their own).
   */
  static void scratchArray(
      ClassVisitor cv, GeneratorAdapter g, Type owner, LibraryCopier lib, String field) {
    cv.visitField(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC,
            field,
            THREAD_LOCAL.getDescriptor(),
            null,
            null)
        .visitEnd();
    int length = g.newLocal(Type.INT_TYPE);
    g.storeLocal(length);
    Label set = new Label();
    g.getStatic(owner, field, THREAD_LOCAL);
    g.dup();
    g.ifNonNull(set);
    g.pop();
    g.newInstance(THREAD_LOCAL);
    g.dup();
    g.invokeConstructor(THREAD_LOCAL, Method.getMethod("void <init>()"));
    g.dup();
    g.putStatic(owner, field, THREAD_LOCAL);
    g.mark(set);
    g.loadLocal(length);
    lib.require(Scratch.class, ZEROED.getName(), ZEROED.getDescriptor());
    g.invokeStatic(owner, ZEROED);
  }

  private static final Method TREE16 = Method.getMethod("double tree16(double[], int)");
  private static final Method TREE16_LANES =
      new Method("tree16", "(" + "D".repeat(SumOrder.BLOCK) + ")D");
  private static final Method COLUMN_TREES =
      Method.getMethod("void columnTrees(double[], int, int, double[], int)");

  /** Calls the copy of {@link SumOrder}'s method {@code m} in the generated class. */
  private void callSumOrder(Method m) {
    lib.require(SumOrder.class, m.getName(), m.getDescriptor());
    g.invokeStatic(owner, m);
  }

  /**
   * Takes the partials of the sums in logical blocks ({@link #blocks}) from the thread's scratch,
   * zeroed per chunk, so the partials are indexed from the chunk's start.
   */
  private void allocateBlocks() {
    for (Reduction r : kernel.reductions) {
      if (!r.sumsInBlocks()) {
        continue;
      }
      if (r.mode == Mode.FULL
          && kernel.loopOf(r).rank() == 1
          && flatLanes.size() < MAX_FLAT_LANE_SUMS) {
        flatLanes.put(r, newLanes());
        continue;
      }
      int p = g.newLocal(Jvm.DOUBLE_ARRAY);
      if (r.mode == Mode.COLUMN) {
        if (columnLanes < 0) {
          columnLanes = g.newLocal(Type.INT_TYPE);
          g.push(SumOrder.BLOCK);
          g.loadArg(hiArg);
          g.loadArg(loArg);
          g.visitInsn(Opcodes.ISUB);
          g.invokeStatic(Jvm.MATH, new Method("min", "(II)I"));
          g.storeLocal(columnLanes);
        }
        g.loadLocal(columnLanes);
        pushExtent(kernel.loopOf(r).innerSize());
        g.visitInsn(Opcodes.IMUL);
      } else {
        g.push(SumOrder.BLOCK);
      }
      scratchArray(cv, g, owner, lib, name + "Scratch" + blocks.size());
      g.storeLocal(p);
      blocks.put(r, p);
    }
  }

  /**
   * At the end of a chunk: a full sum's accumulator becomes the tree of its partials; a column
   * sum's partial vectors become the chunk's column partials.
   */
  private void finishBlocks() {
    if (!flatLanes.isEmpty()) {
      // Rotate (lo - hi) mod 16 more times: then local k holds partial k.
      int left = g.newLocal(Type.INT_TYPE);
      g.loadArg(loArg);
      g.loadArg(hiArg);
      g.visitInsn(Opcodes.ISUB);
      g.push(SumOrder.BLOCK - 1);
      g.visitInsn(Opcodes.IAND);
      g.storeLocal(left);
      Label head = new Label();
      Label done = new Label();
      g.mark(head);
      g.loadLocal(left);
      g.ifZCmp(GeneratorAdapter.EQ, done);
      rotateFlatLanes((LoopLayout) null);
      g.iinc(left, -1);
      g.goTo(head);
      g.mark(done);
      for (Map.Entry<Reduction, int[]> e : flatLanes.entrySet()) {
        for (int lane : e.getValue()) {
          g.loadLocal(lane);
        }
        callSumOrder(TREE16_LANES);
        g.storeLocal(acc.get(e.getKey()));
      }
    }
    for (Reduction r : kernel.reductions) {
      Integer p = blocks.get(r);
      if (p == null) {
        continue;
      }
      switch (r.mode) {
        case FULL -> {
          g.loadLocal(p);
          g.push(0);
          callSumOrder(TREE16);
          g.storeLocal(acc.get(r));
        }
        case COLUMN -> {
          layout = kernel.loopOf(r);
          Extent n = layout.innerSize();
          g.loadLocal(p);
          g.loadLocal(columnLanes);
          pushExtent(n);
          loadParam(bufferArg.get(bufferOf(r.out)), packedBuffers);
          g.loadArg(chunkArg);
          pushExtent(n);
          g.visitInsn(Opcodes.IMUL);
          callSumOrder(COLUMN_TREES);
        }
        case INNER, DIRECT, RMW -> {}
      }
    }
  }

  /** 16 new double locals for a sum's partials, each set to {@code +0.0}. */
  private int[] newLanes() {
    int[] lanes = new int[SumOrder.BLOCK];
    for (int k = 0; k < lanes.length; k++) {
      lanes[k] = g.newLocal(Type.DOUBLE_TYPE);
      g.push(0.0);
      g.storeLocal(lanes[k]);
    }
    return lanes;
  }

  /**
   * After an outer iteration, each flat full sum's partials move down one local (the first to the
   * last): element {@code k} of the chunk is added to the first local, which then holds partial
   * {@code k mod 16}. Moves only, so the partials keep their bits; nothing is allocated.
   */
  private void rotateFlatLanes(LoopLayout only) {
    rotateFlatLanesWhere(r -> only == null || kernel.loopOf(r) == only);
  }

  /** {@link #rotateFlatLanes(LoopLayout)} for the sums of a pass's members. */
  private void rotateFlatLanes(List<Inst> pass) {
    rotateFlatLanesWhere(r -> pass.contains(r.inst));
  }

  private void rotateFlatLanesWhere(java.util.function.Predicate<Reduction> which) {
    for (Map.Entry<Reduction, int[]> e : flatLanes.entrySet()) {
      if (!which.test(e.getKey())) {
        continue;
      }
      int[] lanes = e.getValue();
      g.loadLocal(lanes[0]);
      for (int k = 1; k < lanes.length; k++) {
        g.loadLocal(lanes[k]);
        g.storeLocal(lanes[k - 1]);
      }
      g.storeLocal(lanes[lanes.length - 1]);
    }
  }

  /** {@code p[index] += x} for a sum in logical blocks ({@link #pushBlockIndex}). */
  private void addToBlock(int p, Reduction r, Value x) {
    g.loadLocal(p);
    pushBlockIndex(r);
    g.visitInsn(Opcodes.DUP2);
    g.visitInsn(Opcodes.DALOAD);
    pushDouble(x);
    g.visitInsn(Opcodes.DADD);
    g.visitInsn(Opcodes.DASTORE);
  }

  /** Pushes {@code index - lo}: the current row's (or element's) position in the chunk. */
  private void pushChunkRow() {
    g.loadLocal(indexLocal);
    g.loadArg(loArg);
    g.visitInsn(Opcodes.ISUB);
  }

  /** Pushes the inner index of the element being emitted (with the unrolled copy's shift). */
  private void pushInnerIndex() {
    g.loadLocal(innerIndex);
    if (innerShift != 0) {
      g.push(innerShift);
      g.visitInsn(Opcodes.IADD);
    }
  }

  private void body(KernelSignature sig) {
    if (kernel.packed()) {
      unpack(sig);
    } else {
      int[] ends = KernelSignature.argIndices(kernel, bufferArg, scalarArg, intArg);
      partialsArg = ends[0];
      chunkArg = ends[1];
      loArg = ends[2];
      hiArg = ends[3];
    }
    for (Reduction r : kernel.reductions) {
      if (r.mode == Mode.FULL || r.mode == Mode.INNER) {
        acc.put(r, g.newLocal(Type.DOUBLE_TYPE));
      }
      if (r.mode == Mode.FULL) {
        g.push(r.identity());
        g.storeLocal(acc.get(r));
      }
    }
    allocateBlocks();
    if (vectorRows) {
      lanesLocal = g.newLocal(Type.INT_TYPE);
      VectorRows.lanes(g, owner);
      g.storeLocal(lanesLocal);
    }
    boolean blocked = rowBlock > 0 && inRowBlocks(kernel);
    for (Value v : kernel.rowValues) {
      if (blocked) {
        // the row value of each row of the block, at the row's position in the block
        int arr = g.newLocal(Jvm.DOUBLE_ARRAY);
        g.push(rowBlock);
        scratchArray(cv, g, owner, lib, name + "Rows" + rowArray.size());
        g.storeLocal(arr);
        rowArray.put(v, arr);
      } else {
        // a valueType: an i64 row value stays a long, exact
        rowLocal.put(v, g.newLocal(Jvm.valueType(v.type().dtype())));
      }
    }
    indexLocal = g.newLocal(Type.INT_TYPE);
    Label end = new Label();
    if (blocked) {
      allocatePassArrays();
      rowBlocks(end);
    } else {
      Label head = new Label();
      g.loadArg(loArg);
      g.storeLocal(indexLocal);
      g.mark(head);
      g.loadLocal(indexLocal);
      g.loadArg(hiArg);
      g.ifICmp(GeneratorAdapter.GE, end);
      for (LoopLayout loop : kernel.loops) {
        layout = loop;
        if (inVectors(loop)) {
          byWidth(this::row);
        } else {
          iteration();
        }
      }
      rotateFlatLanes((LoopLayout) null);
      g.iinc(indexLocal, 1);
      g.goTo(head);
    }
    g.mark(end);
    finishBlocks();
    returnFullReductions(
        g, kernel, sig, acc, () -> loadParam(partialsArg, packedPartials), chunkArg);
  }

  /** One outer iteration of the current loop: its element (flat loop) or its row. */
  private void iteration() {
    if (layout.rank() == 1) {
      element();
    } else {
      row();
    }
  }

  /**
   * Whether kernel {@code k} runs loop by loop over blocks of {@link #rowBlock} rows rather than
   * row by row: a kernel of several loops, some of them rows loops, whose row values are all
   * floating (kept in a {@code double[]} per block) and that accumulates nothing by
   * read-modify-write. Each loop then runs the rows of a block one after the other with nothing in
   * between, so the rows of a per-row loss (an {@code exp}, a {@code log1p}, a division) overlap in
   * the processor instead of waiting on the dot product before them. Every element is computed by
   * the same operations on the same operands as row by row, and every sum takes its terms in the
   * same order (a flat sum's partials rotate once per row of their own loop; row and column sums
   * index their partials by row), so the results have the same bits.
   */
  static boolean inRowBlocks(Kernel k) {
    if (k.loops.size() < 2 || k.sequential) {
      return false;
    }
    for (Value v : k.rowValues) {
      if (!Jvm.valueType(v.type().dtype()).equals(Type.DOUBLE_TYPE)) {
        return false;
      }
    }
    for (LoopLayout l : k.loops) {
      if (l.rank() > 1) {
        return true;
      }
    }
    return false;
  }

  /**
   * The chunk's rows in blocks of {@link #rowBlock}: for each block, each loop in order over the
   * block's rows. Jumps to {@code end} after the last block.
   */
  private void rowBlocks(Label end) {
    blockStart = g.newLocal(Type.INT_TYPE);
    int blockEnd = g.newLocal(Type.INT_TYPE);
    Label head = new Label();
    g.loadArg(loArg);
    g.storeLocal(blockStart);
    g.mark(head);
    g.loadLocal(blockStart);
    g.loadArg(hiArg);
    g.ifICmp(GeneratorAdapter.GE, end);
    // blockEnd = blockStart + min(rowBlock, hi - blockStart), which cannot overflow
    g.loadLocal(blockStart);
    g.push(rowBlock);
    g.loadArg(hiArg);
    g.loadLocal(blockStart);
    g.visitInsn(Opcodes.ISUB);
    g.invokeStatic(Jvm.MATH, new Method("min", "(II)I"));
    g.visitInsn(Opcodes.IADD);
    g.storeLocal(blockEnd);
    for (LoopLayout loop : kernel.loops) {
      layout = loop;
      Map<Inst, Integer> levels = loopPasses.get(loop);
      if (inVectors(loop)) {
        byWidth(
            () -> {
              if (regLanes > 0 && columnsInVectors()) {
                byRowClasses(blockEnd);
              } else {
                overBlock(blockEnd, this::row);
              }
            });
        continue;
      }
      if (levels == null) {
        if (inVectors(layout.loop.members)) {
          overBlockInVectors(blockEnd, layout.loop.members);
          continue;
        }
        overBlock(
            blockEnd,
            () -> {
              iteration();
              rotateFlatLanes(loop);
            });
        continue;
      }
      int last = java.util.Collections.max(levels.values());
      for (int level = 0; level <= last; level++) {
        List<Inst> pass = new ArrayList<>();
        for (Inst m : layout.loop.members) {
          if (levels.get(m) == level) {
            pass.add(m);
          }
        }
        for (Inst f : pass) {
          if (!passFunction(f)) {
            continue;
          }
          if (vectorRows && passArray.containsKey(f.operand(0))) {
            blockFunction(f, blockEnd);
          } else {
            overBlock(blockEnd, () -> functionPass(f));
          }
        }
        if (inVectors(pass)) {
          overBlockInVectors(blockEnd, pass);
          continue;
        }
        overBlock(
            blockEnd,
            () -> {
              elementOf(pass);
              rotateFlatLanes(pass);
            });
      }
    }
    g.iinc(blockStart, rowBlock);
    g.goTo(head);
  }

  /** {@code for (index = blockStart; index < blockEnd; index++) body}. */
  private void overBlock(int blockEnd, Runnable body) {
    g.loadLocal(blockStart);
    g.storeLocal(indexLocal);
    Jvm.whileBelow(g, indexLocal, blockEnd, body);
  }

  /**
   * Whether {@code members}, a flat loop of a kernel in row blocks or one of its passes ({@link
   * #passLevels}), run over the block in vectors ({@link #overBlockInVectors}): with {@link
   * #vectorRows}, when they sum nothing (a full sum's partials rotate per row), store only f64 with
   * unit stride, and compute only ops the vector backend writes ({@link VectorKernelEmitter#op}) of
   * f64 values (bools as 1.0 and 0.0, as here) read from block arrays, f64 buffers of unit or zero
   * stride, scalars and literals.
   */
  private boolean inVectors(List<Inst> members) {
    if (!vectorRows || layout.rank() != 1 || !layout.guards.isEmpty()) {
      return false;
    }
    java.util.Set<Value> computed = new java.util.HashSet<>();
    for (Inst m : members) {
      if (LoopPlan.isReduction(m)) {
        return false;
      }
      DType dt = m.type().dtype();
      boolean compare =
          m.op().elementwise() != null && VectorKernelEmitter.comparison(m.op()) != null;
      if (dt != (compare ? DType.BOOL : DType.F64)) {
        return false;
      }
      Access st = layout.stores.get(m);
      if (st != null && (st.dtype != DType.F64 || !st.stride(0).equals(Extent.ONE))) {
        return false;
      }
      if (passFunction(m) && passArray.containsKey(m)) {
        computed.add(m); // computed by its own pass, read from its block array
        continue;
      }
      if (layout.plan.isCopyMember(m)) {
        if (!vectorSource(m)) {
          return false;
        }
      } else {
        if (m.op().kind() != Op.Kind.ELEMENTWISE
            || !VectorKernelEmitter.supported(m.op())
            || PASS_FUNCTIONS.contains(m.op())
            || m.op() == Op.EXP) {
          return false;
        }
        for (int k = 0; k < m.arity(); k++) {
          Value o = m.operand(k);
          DType od = o.type().dtype();
          boolean condition = (m.op() == Op.WHERE && k == 0) || m.op() == Op.CAST;
          if (od != DType.F64 && !(condition && od == DType.BOOL)) {
            return false;
          }
          if (!computed.contains(o) && !vectorSource(o)) {
            return false;
          }
        }
      }
      computed.add(m);
    }
    return true;
  }

  /** Whether {@link #pushVectorOf} can push {@code v}, which the pass does not compute. */
  private boolean vectorSource(Value v) {
    if (v instanceof Lit || passArray.containsKey(v)) {
      return true;
    }
    Value s = layout.plan.scalarOf(v);
    if (s instanceof Lit) {
      return true;
    }
    if (scalarArg.containsKey(s)) {
      return s.type().dtype() == DType.F64;
    }
    Access a = layout.reads.get(v);
    if (a == null) {
      return false;
    }
    return isRowValue(a.buffer)
        || (a.dtype == DType.F64 && (a.stride(0).isZero() || a.stride(0).equals(Extent.ONE)));
  }

  /**
   * {@code members} ({@link #inVectors}) over the block: its whole vectors of rows from {@code
   * blockStart} in steps of the species' lanes, each member in lanes as the scalar kernel computes
   * it per row, then its last rows one at a time as in the scalar kernel. Block arrays have room
   * for a block only, so no step reads or writes past the block's rows.
   */
  private void overBlockInVectors(int blockEnd, List<Inst> members) {
    int wholeEnd = g.newLocal(Type.INT_TYPE);
    // wholeEnd = blockEnd - (blockEnd - blockStart) % lanes
    g.loadLocal(blockEnd);
    g.loadLocal(blockEnd);
    g.loadLocal(blockStart);
    g.visitInsn(Opcodes.ISUB);
    g.loadLocal(lanesLocal);
    g.visitInsn(Opcodes.IREM);
    g.visitInsn(Opcodes.ISUB);
    g.storeLocal(wholeEnd);
    g.loadLocal(blockStart);
    g.storeLocal(indexLocal);
    Jvm.whileBelow(g, indexLocal, wholeEnd, lanesLocal, () -> vectorMembers(members));
    Jvm.whileBelow(g, indexLocal, blockEnd, () -> elementOf(members));
  }

  /** One vector step of {@code members} at rows {@code index ..}: values, block arrays, stores. */
  private void vectorMembers(List<Inst> members) {
    Map<Value, Integer> vectors = new IdentityHashMap<>();
    for (Inst m : members) {
      Integer computed = passFunction(m) ? passArray.get(m) : null;
      if (computed != null) {
        blockVector(computed);
      } else if (layout.plan.isCopyMember(m)) {
        pushVectorOf(m, vectors);
      } else {
        VectorKernelEmitter.op(
            g,
            m,
            v -> pushVectorOf(v, vectors),
            () -> VectorRows.species(g, owner),
            f -> {
              throw new IllegalStateException("a function outside its pass: " + f);
            });
      }
      int local = g.newLocal(VectorRows.DV);
      g.storeLocal(local);
      vectors.put(m, local);
      Integer later = computed == null ? passArray.get(m) : null;
      Access st = layout.stores.get(m);
      if (later != null) {
        g.loadLocal(local);
        g.loadLocal(later);
        pushBlockRow();
        VectorRows.intoArray(g);
      }
      if (isRowValue(m)) {
        g.loadLocal(local);
        g.loadLocal(rowArray.get(m));
        pushBlockRow();
        VectorRows.intoArray(g);
      } else if (st != null) {
        g.loadLocal(local);
        loadParam(bufferArg.get(bufferOf(st)), packedBuffers);
        pushOffset(st);
        VectorRows.intoArray(g);
      }
    }
  }

  /** Pushes the vector of block array {@code arr} at the current row's position in the block. */
  private void blockVector(int arr) {
    VectorRows.species(g, owner);
    g.loadLocal(arr);
    pushBlockRow();
    VectorRows.fromArray(g);
  }

  /** Pushes {@code v} at rows {@code index ..} as a vector ({@link #vectorSource}). */
  private void pushVectorOf(Value v, Map<Value, Integer> vectors) {
    Integer local = vectors.get(v);
    if (local != null) {
      g.loadLocal(local);
      return;
    }
    Integer pass = v instanceof Lit ? null : passArray.get(v);
    if (pass != null) {
      blockVector(pass);
      return;
    }
    Access a = v instanceof Lit ? null : layout.reads.get(v);
    Value s = v instanceof Lit ? v : layout.plan.scalarOf(v);
    if (a != null && !(s instanceof Lit) && !scalarArg.containsKey(s)) {
      if (isRowValue(a.buffer)) {
        blockVector(rowArray.get(a.buffer));
        return;
      }
      if (!a.stride(0).isZero()) {
        VectorRows.species(g, owner);
        loadParam(bufferArg.get(bufferOf(a)), packedBuffers);
        pushOffset(a);
        VectorRows.fromArray(g);
        return;
      }
    }
    VectorRows.species(g, owner);
    pushDouble(v);
    VectorRows.broadcast(g);
  }

  /** Whether rows loop {@code l} runs its inner loop in vectors ({@link VectorRows}). */
  private boolean inVectors(LoopLayout l) {
    return vectorRows && l.rank() == 2 && VectorRows.unsupported(l) == null;
  }

  /** The lane counts the rows loops in vectors are written for, each with its sums in registers. */
  private static final int[] REGISTER_LANES = {8, 4};

  /**
   * The current rows loop in vectors, written once per lane count of {@link #REGISTER_LANES} (with
   * {@link #regLanes} set) and once for any other, run by the species' lane count ({@code body}
   * emits the loop): the lane count is a constant of the compiled kernel, so C2 keeps one of them.
   * Knowing its lane count, a loop keeps the 16 partials of each row sum in {@code 16 / lanes}
   * vector locals instead of a {@code double[16]}, and combines them by the halving tree of {@link
   * SumOrder#tree16} in vectors, then in the lanes of the last one.
   */
  private void byWidth(Runnable body) {
    if (!registers) {
      body.run();
      return;
    }
    Label done = new Label();
    for (int w : REGISTER_LANES) {
      Label next = new Label();
      g.loadLocal(lanesLocal);
      g.push(w);
      g.ifICmp(GeneratorAdapter.NE, next);
      regLanes = w;
      body.run();
      regLanes = 0;
      g.goTo(done);
      g.mark(next);
    }
    body.run();
    g.mark(done);
  }

  /** With {@link #regLanes}: the vector locals of each row sum's 16 partials, in order. */
  private final Map<Reduction, int[]> rowVectors = new LinkedHashMap<>();

  /**
   * With {@link #regLanes}, in a loop run by row classes ({@link #byRowClasses}): the vector locals
   * of each column sum's partials of the class, in column order.
   */
  private final Map<Reduction, int[]> columnVectors = new LinkedHashMap<>();

  /** A loop written for a known lane count ({@link #byWidth}): that count; else 0. */
  private int regLanes;

  /**
   * At most this many vectors of a column sum's partials stay in registers ({@link #byRowClasses}).
   */
  static final int MAX_COLUMN_VECTORS = 8;

  /**
   * With {@link #regLanes}: whether the current loop's rows are whole logical blocks of a known
   * length, and its column sums' partials of one row fit {@link #MAX_COLUMN_VECTORS} vectors.
   */
  private boolean columnsInVectors() {
    Extent n = layout.innerSize();
    if (!n.isConstant() || n.coeff() % SumOrder.BLOCK != 0 || n.coeff() == 0) {
      return false;
    }
    boolean column = false;
    for (Reduction r : layout.reductions) {
      column |= r.mode == Mode.COLUMN;
    }
    return column && n.coeff() / regLanes <= MAX_COLUMN_VECTORS;
  }

  /**
   * The block's rows by classes of their position in the chunk mod 16 ({@link #columnsInVectors}):
   * for each class, its column sums' partials (one row of each sum's {@code 16 x n}) are loaded
   * into vectors, the class's rows run in order, and the vectors are stored back. A partial takes
   * the terms of its own class only, in row order as before, so it keeps its bits; the loop stores
   * nothing and its row sums do not depend on the order of rows.
   */
  private void byRowClasses(int blockEnd) {
    int n = (int) layout.innerSize().coeff();
    int cls = g.newLocal(Type.INT_TYPE);
    int clsEnd = g.newLocal(Type.INT_TYPE);
    int at = g.newLocal(Type.INT_TYPE);
    // clsEnd = blockStart + min(16, blockEnd - blockStart)
    g.loadLocal(blockStart);
    g.push(SumOrder.BLOCK);
    g.loadLocal(blockEnd);
    g.loadLocal(blockStart);
    g.visitInsn(Opcodes.ISUB);
    g.invokeStatic(Jvm.MATH, new Method("min", "(II)I"));
    g.visitInsn(Opcodes.IADD);
    g.storeLocal(clsEnd);
    g.loadLocal(blockStart);
    g.storeLocal(cls);
    Jvm.whileBelow(
        g,
        cls,
        clsEnd,
        () -> {
          // at = ((cls - lo) & 15) * n
          g.loadLocal(cls);
          g.loadArg(loArg);
          g.visitInsn(Opcodes.ISUB);
          g.push(SumOrder.BLOCK - 1);
          g.visitInsn(Opcodes.IAND);
          g.push(n);
          g.visitInsn(Opcodes.IMUL);
          g.storeLocal(at);
          columnVectors.clear();
          for (Reduction r : layout.reductions) {
            if (r.mode != Mode.COLUMN) {
              continue;
            }
            int[] v = new int[n / regLanes];
            for (int k = 0; k < v.length; k++) {
              v[k] = g.newLocal(VectorRows.DV);
              VectorRows.species(g, owner);
              g.loadLocal(blocks.get(r));
              pushPlus(at, k * regLanes);
              VectorRows.fromArray(g);
              g.storeLocal(v[k]);
            }
            columnVectors.put(r, v);
          }
          Label head = new Label();
          Label end = new Label();
          g.loadLocal(cls);
          g.storeLocal(indexLocal);
          g.mark(head);
          g.loadLocal(indexLocal);
          g.loadLocal(blockEnd);
          g.ifICmp(GeneratorAdapter.GE, end);
          row();
          g.iinc(indexLocal, SumOrder.BLOCK);
          g.goTo(head);
          g.mark(end);
          for (Map.Entry<Reduction, int[]> e : columnVectors.entrySet()) {
            int[] v = e.getValue();
            for (int k = 0; k < v.length; k++) {
              g.loadLocal(v[k]);
              g.loadLocal(blocks.get(e.getKey()));
              pushPlus(at, k * regLanes);
              VectorRows.intoArray(g);
            }
          }
          columnVectors.clear();
        });
  }

  /** Pushes int local {@code local} plus {@code k}. */
  private void pushPlus(int local, int k) {
    g.loadLocal(local);
    if (k != 0) {
      g.push(k);
      g.visitInsn(Opcodes.IADD);
    }
  }

  /** {@code count} new vector locals, each of {@code +0.0} in every lane. */
  private int[] newZeroVectors(int count) {
    int[] v = new int[count];
    for (int k = 0; k < count; k++) {
      v[k] = g.newLocal(VectorRows.DV);
      VectorRows.species(g, owner);
      g.push(0.0);
      VectorRows.broadcast(g);
      g.storeLocal(v[k]);
    }
    return v;
  }

  /**
   * Pushes {@link SumOrder#tree16} of a row sum's partials in vectors {@code v} ({@link
   * #rowVectors}): the halving tree, first across the vectors (partial {@code l} with {@code l + 8}
   * is vector {@code k} with {@code k + v.length / 2}), then, the last vector stored into {@code
   * p}, across its lanes. The vector locals are overwritten.
   */
  private void vectorTree(int[] v, int p) {
    for (int count = v.length; count > 1; count /= 2) {
      for (int k = 0; k < count / 2; k++) {
        g.loadLocal(v[k]);
        g.loadLocal(v[k + count / 2]);
        VectorRows.binary(g, Op.ADD);
        g.storeLocal(v[k]);
      }
    }
    g.loadLocal(v[0]);
    g.loadLocal(p);
    g.push(0);
    VectorRows.intoArray(g);
    int[] s = new int[regLanes];
    for (int i = 0; i < s.length; i++) {
      s[i] = g.newLocal(Type.DOUBLE_TYPE);
      g.loadLocal(p);
      g.push(i);
      g.visitInsn(Opcodes.DALOAD);
      g.storeLocal(s[i]);
    }
    for (int count = s.length; count > 1; count /= 2) {
      for (int i = 0; i < count / 2; i++) {
        g.loadLocal(s[i]);
        g.loadLocal(s[i + count / 2]);
        g.visitInsn(Opcodes.DADD);
        g.storeLocal(s[i]);
      }
    }
    g.loadLocal(s[0]);
  }

  /** The elementary functions a flat loop of a kernel in row blocks computes in passes. */
  private static final java.util.Set<Op> PASS_FUNCTIONS =
      java.util.EnumSet.of(
          Op.EXP, Op.EXPM1, Op.LOG, Op.LOG1P, Op.SIGMOID, Op.TANH, Op.ERF, Op.ERFC, Op.SIN, Op.COS);

  /** Whether member {@code m} is an f64 function computed in a pass of its own. */
  private static boolean passFunction(Inst m) {
    return PASS_FUNCTIONS.contains(m.op())
        && m.arity() == 1
        && m.type().dtype() == DType.F64
        && m.operand(0).type().dtype() == DType.F64;
  }

  /**
   * For a flat loop of a kernel in row blocks with elementary functions ({@link #PASS_FUNCTIONS}):
   * the pass of each member, so that the loop runs over the block's rows once per pass and each
   * function once over the block in a pass of its own between them: a function's pass is one more
   * than its operand's, another member's the latest of its operands'. Short passes over the block
   * let the functions of many rows overlap in the processor (a row's {@code exp}, {@code log1p} and
   * division otherwise wait on each other); each value is the same bits. Null when the loop has no
   * such function, or a value crossing passes is an i64 (block arrays hold doubles).
   */
  static Map<Inst, Integer> passLevels(LoopLayout l) {
    Map<Inst, Integer> level = new IdentityHashMap<>();
    boolean any = false;
    for (Inst m : l.loop.members) {
      int v = 0;
      for (int k = 0; k < m.arity(); k++) {
        Integer o = m.operand(k) instanceof Inst i ? level.get(i) : null;
        if (o != null) {
          v = Math.max(v, o);
        }
      }
      if (passFunction(m)) {
        v++;
        any = true;
      }
      level.put(m, v);
    }
    if (!any) {
      return null;
    }
    for (Inst m : l.loop.members) {
      for (Inst o : crossing(level, m)) {
        if (o.type().dtype() == DType.I64) {
          return null;
        }
      }
    }
    return level;
  }

  /** The members {@code m} reads that another pass computes ({@link #passLevels}). */
  private static List<Inst> crossing(Map<Inst, Integer> level, Inst m) {
    List<Inst> out = new ArrayList<>();
    for (int k = 0; k < m.arity(); k++) {
      if (m.operand(k) instanceof Inst o
          && level.containsKey(o)
          && (passFunction(m) || !level.get(o).equals(level.get(m)))) {
        out.add(o);
      }
    }
    return out;
  }

  /** The pass of each member of the flat loops that run in passes ({@link #passLevels}). */
  private final Map<LoopLayout, Map<Inst, Integer>> loopPasses = new IdentityHashMap<>();

  /** The block array of each member another pass reads, for the current loop's passes. */
  private final Map<Value, Integer> passArray = new IdentityHashMap<>();

  /** Allocates the block arrays of the passes of every flat loop of the kernel. */
  private void allocatePassArrays() {
    for (LoopLayout l : kernel.loops) {
      Map<Inst, Integer> levels = l.rank() == 1 ? passLevels(l) : null;
      if (levels == null) {
        continue;
      }
      loopPasses.put(l, levels);
      for (Inst m : l.loop.members) {
        List<Inst> needed = new ArrayList<>(crossing(levels, m));
        if (passFunction(m)) {
          needed.add(m);
        }
        for (Inst o : needed) {
          if (!passArray.containsKey(o)) {
            int arr = g.newLocal(Jvm.DOUBLE_ARRAY);
            // room for a block rounded up to whole vectors of up to 8 f64 lanes
            g.push(rowBlock + 8);
            scratchArray(cv, g, owner, lib, name + "Pass" + passArray.size());
            g.storeLocal(arr);
            passArray.put(o, arr);
          }
        }
      }
    }
  }

  private static final String MATH_BLOCKS = "dev/gradc/codegen/lib/vector/MathBlocks";

  /**
   * With {@link #vectorRows}: function member {@code f} over the whole block at once, from its
   * operand's array into its own, by {@code lib.vector.MathBlocks}' vector form (the bits of the
   * scalar function), over the block's rows rounded up to whole vectors (the arrays have room).
   */
  private void blockFunction(Inst f, int blockEnd) {
    Method m =
        new Method(
            f.op().mnemonic() + "Block",
            Type.VOID_TYPE,
            new Type[] {VectorRows.SPECIES, Jvm.DOUBLE_ARRAY, Jvm.DOUBLE_ARRAY, Type.INT_TYPE});
    // n = the block's rows rounded up to whole vectors
    g.loadLocal(blockEnd);
    g.loadLocal(blockStart);
    g.visitInsn(Opcodes.ISUB);
    Jvm.roundUp(g, lanesLocal);
    int n = g.newLocal(Type.INT_TYPE);
    g.storeLocal(n);
    lib.require(LibraryCopier.load(MATH_BLOCKS), m.getName(), m.getDescriptor());
    // Called through a handle in a plain static field, set on first use: C2 cannot inline through
    // it, so it compiles the function apart, where its vectors stay in registers (inlined into the
    // kernel, the kernel passes C2's inlining limits and its vectors become objects).
    String field = name + "Fn" + f.op().name();
    if (handleFields.add(field)) {
      cv.visitField(
              Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC,
              field,
              VectorKernelEmitter.HANDLE.getDescriptor(),
              null,
              null)
          .visitEnd();
    }
    Label set = new Label();
    g.getStatic(owner, field, VectorKernelEmitter.HANDLE);
    g.dup();
    g.ifNonNull(set);
    g.pop();
    VectorKernelEmitter.findStatic(g, owner, m);
    g.dup();
    g.putStatic(owner, field, VectorKernelEmitter.HANDLE);
    g.mark(set);
    VectorRows.species(g, owner);
    g.loadLocal(passArray.get(f.operand(0)));
    g.loadLocal(passArray.get(f));
    g.loadLocal(n);
    g.invokeVirtual(VectorKernelEmitter.HANDLE, new Method("invokeExact", m.getDescriptor()));
  }

  /** The handle fields {@link #blockFunction} declared in the class. */
  private final java.util.Set<String> handleFields = new java.util.HashSet<>();

  /** The current row of function member {@code f}: its value from its operand, into its array. */
  private void functionPass(Inst f) {
    g.loadLocal(passArray.get(f));
    pushBlockRow();
    ops.emit(f.op(), DType.F64, k -> pushDouble(f.operand(k)));
    g.visitInsn(Opcodes.DASTORE);
  }

  /** Whether {@code v} is a row value of the kernel. */
  private boolean isRowValue(Value v) {
    return rowLocal.containsKey(v) || rowArray.containsKey(v);
  }

  /** Pushes row value {@code v} of the current row as a {@link Jvm#valueType}. */
  private void loadRowValue(Value v) {
    Integer arr = rowArray.get(v);
    if (arr == null) {
      g.loadLocal(rowLocal.get(v));
      return;
    }
    g.loadLocal(arr);
    pushBlockRow();
    g.visitInsn(Opcodes.DALOAD);
  }

  /**
   * Sets row value {@code v} of the current row to the {@link Jvm#valueType} in local {@code t}.
   */
  private void storeRowValue(Value v, int t) {
    Integer arr = rowArray.get(v);
    if (arr == null) {
      g.loadLocal(t);
      g.storeLocal(rowLocal.get(v));
      return;
    }
    g.loadLocal(arr);
    pushBlockRow();
    g.loadLocal(t);
    g.visitInsn(Opcodes.DASTORE);
  }

  /** Pushes the current row's position in its block. */
  private void pushBlockRow() {
    g.loadLocal(indexLocal);
    g.loadLocal(blockStart);
    g.visitInsn(Opcodes.ISUB);
  }

  /**
   * A chunk's end, in this kernel and in {@link VectorKernelEmitter}'s: the one full reduction's
   * accumulator returned where the signature returns a partial, else each full reduction's
   * accumulator stored at its slot of the chunk's row of the partials array ({@code loadPartials}
   * pushes the array) and nothing returned.
   */
  static void returnFullReductions(
      GeneratorAdapter g,
      Kernel kernel,
      KernelSignature sig,
      Map<Reduction, Integer> acc,
      Runnable loadPartials,
      int chunkArg) {
    List<Reduction> full = kernel.fullReductions;
    if (sig.returnsPartial()) {
      g.loadLocal(acc.get(full.get(0)));
      g.returnValue();
      return;
    }
    for (Reduction r : full) {
      loadPartials.run();
      g.loadArg(chunkArg);
      g.push(full.size());
      g.visitInsn(Opcodes.IMUL);
      g.push(kernel.slot(r));
      g.visitInsn(Opcodes.IADD);
      g.loadLocal(acc.get(r));
      g.visitInsn(Opcodes.DASTORE);
    }
    g.returnValue();
  }

  /*
   * In packed mode the arguments live in locals unpacked from the frame: the maps then hold local
   * indices, and these flags say so.
   */
  private boolean packedBuffers;
  private boolean packedPartials;

  /**
   * Packed signature {@code (Object[] frame, int chunk, int lo, int hi)}: the frame holds the
   * buffers, then a {@code double[]} of scalars, an {@code int[]} of extents and the partials.
   */
  private void unpack(KernelSignature sig) {
    chunkArg = 1;
    loArg = 2;
    hiArg = 3;
    int b = kernel.buffers.size();
    for (int i = 0; i < b; i++) {
      Access a = kernel.buffers.get(i);
      bufferArg.put(a, KernelSignature.unpack(g, 0, i, Jvm.arrayType(sig.paramDtype(a))));
    }
    int sc = KernelSignature.unpack(g, 0, sig.frameScalars(), Jvm.DOUBLE_ARRAY);
    for (int i = 0; i < kernel.scalars.size(); i++) {
      g.loadLocal(sc);
      g.push(i);
      g.arrayLoad(Type.DOUBLE_TYPE);
      int l = g.newLocal(Type.DOUBLE_TYPE);
      g.storeLocal(l);
      scalarArg.put(kernel.scalars.get(i), l);
    }
    int ints = KernelSignature.unpack(g, 0, sig.frameInts(), Jvm.INT_ARRAY);
    for (int i = 0; i < kernel.intParams.size(); i++) {
      g.loadLocal(ints);
      g.push(i);
      g.arrayLoad(Type.INT_TYPE);
      int l = g.newLocal(Type.INT_TYPE);
      g.storeLocal(l);
      intArg.put(kernel.intParams.get(i), l);
    }
    partialsArg = KernelSignature.unpack(g, 0, sig.framePartials(), Jvm.DOUBLE_ARRAY);
    packedBuffers = true;
    packedPartials = true;
  }

  private void loadParam(int index, boolean isLocal) {
    if (isLocal) {
      g.loadLocal(index);
    } else {
      g.loadArg(index);
    }
  }

  private int innerIndex;

  /** For a rows loop of rank 3 or more: the local holding each guarded outer dim's index. */
  private final Map<Integer, Integer> outerIndex = new HashMap<>();

  /** Which copy of the element body is being emitted when the inner loop is unrolled. */
  private int innerShift;

  private final Map<Reduction, int[]> innerAccs = new IdentityHashMap<>();

  static final int UNROLL = 4;
  static final int UNROLL_MAX_MEMBERS = 12;

  /** Row loops with a row sum and at most this many members run 16 elements per iteration. */
  static final int BLOCK_UNROLL_MAX_MEMBERS = 4;

  /** The 16 partials of a row sum kept in locals while a whole block runs per iteration. */
  private final Map<Reduction, int[]> laneLocals = new LinkedHashMap<>();

  /** True while emitting the body of a loop that runs a whole block per iteration. */
  private boolean inLanes;

  private boolean hasRowSum() {
    for (Reduction red : layout.reductions) {
      if (red.mode == Mode.INNER && red.sumsInBlocks()) {
        return true;
      }
    }
    return false;
  }

  private boolean hasInner() {
    for (Reduction red : layout.reductions) {
      if (red.mode == Mode.INNER) {
        return true;
      }
    }
    return false;
  }

  /** One outer iteration: row offsets, the inner loop, then the per-row reductions. */
  private void row() {
    int r = layout.rank();
    // In access order (accesses compare by identity), so the class is the same bytes every time.
    Map<Access, Integer> bases = new LinkedHashMap<>();
    for (Access a : accesses()) {
      boolean outer = false;
      for (int d = 0; d < r - 1; d++) {
        outer |= !a.stride(d).isZero();
      }
      if (outer || !a.offset.isZero()) {
        int b = g.newLocal(Type.INT_TYPE);
        bases.put(a, b);
        base.put(a, b);
        pushExtent(a.offset);
        g.storeLocal(b);
      }
    }
    if (r == 2) {
      for (Map.Entry<Access, Integer> e : bases.entrySet()) {
        Access a = e.getKey();
        if (a.stride(0).isZero()) {
          continue;
        }
        g.loadLocal(indexLocal);
        pushExtent(a.stride(0));
        g.visitInsn(Opcodes.IMUL);
        if (!a.offset.isZero()) {
          pushExtent(a.offset);
          g.visitInsn(Opcodes.IADD);
        }
        g.storeLocal(e.getValue());
      }
    } else {
      int rem = g.newLocal(Type.INT_TYPE);
      int idx = g.newLocal(Type.INT_TYPE);
      g.loadLocal(indexLocal);
      g.storeLocal(rem);
      outerIndex.clear();
      for (int d = r - 2; d >= 0; d--) {
        g.loadLocal(rem);
        pushExtent(layout.sizes.get(d));
        g.visitInsn(Opcodes.IREM);
        g.storeLocal(idx);
        if (isGuarded(d)) {
          int kept = g.newLocal(Type.INT_TYPE);
          g.loadLocal(idx);
          g.storeLocal(kept);
          outerIndex.put(d, kept);
        }
        g.loadLocal(rem);
        pushExtent(layout.sizes.get(d));
        g.visitInsn(Opcodes.IDIV);
        g.storeLocal(rem);
        for (Map.Entry<Access, Integer> e : bases.entrySet()) {
          if (e.getKey().stride(d).isZero()) {
            continue;
          }
          g.loadLocal(e.getValue());
          g.loadLocal(idx);
          pushExtent(e.getKey().stride(d));
          g.visitInsn(Opcodes.IMUL);
          g.visitInsn(Opcodes.IADD);
          g.storeLocal(e.getValue());
        }
      }
    }
    // Small bodies with per-row reductions run four elements per iteration, each reduction with
    // four accumulators combined in a fixed order, so the adds do not wait on each other. With a
    // row sum, very small bodies run a whole logical block per iteration, its 16 partials in
    // locals; the row's last partial block goes through the array.
    int members = layout.loop.members.size();
    boolean unroll = members <= UNROLL_MAX_MEMBERS && hasInner();
    int width = unroll ? UNROLL : 1;
    if (members <= BLOCK_UNROLL_MAX_MEMBERS && hasRowSum()) {
      width = SumOrder.BLOCK;
    }
    boolean vector = vectorRows && VectorRows.unsupported(layout) == null;
    if (vector) {
      width = 1; // the vector steps take the whole blocks; the tail runs element by element
    }
    laneLocals.clear();
    rowVectors.clear();
    for (Reduction red : layout.reductions) {
      if (red.mode == Mode.INNER && red.sumsInBlocks() && vector && regLanes > 0) {
        rowVectors.put(red, newZeroVectors(SumOrder.BLOCK / regLanes));
      } else if (red.mode == Mode.INNER && red.sumsInBlocks() && width == SumOrder.BLOCK) {
        laneLocals.put(red, newLanes());
      } else if (red.mode == Mode.INNER && red.sumsInBlocks()) {
        // A row sum's 16 partials start at +0.0 in each row.
        g.loadLocal(blocks.get(red));
        g.push(0.0);
        g.invokeStatic(Type.getType(java.util.Arrays.class), new Method("fill", "([DD)V"));
      } else if (red.mode == Mode.INNER) {
        int[] accs = new int[unroll ? UNROLL : 1];
        accs[0] = acc.get(red);
        for (int k = 1; k < accs.length; k++) {
          accs[k] = g.newLocal(Type.DOUBLE_TYPE);
        }
        for (int a : accs) {
          g.push(red.identity());
          g.storeLocal(a);
        }
        innerAccs.put(red, accs);
      }
    }
    innerIndex = g.newLocal(Type.INT_TYPE);
    int bound = g.newLocal(Type.INT_TYPE);
    pushExtent(layout.sizes.get(r - 1));
    g.storeLocal(bound);
    g.push(0);
    g.storeLocal(innerIndex);
    if (vector) {
      vectorBlocks(bound);
    }
    if (width > 1) {
      Label head = new Label();
      Label end = new Label();
      g.mark(head);
      g.loadLocal(innerIndex);
      g.push(width - 1);
      g.visitInsn(Opcodes.IADD);
      g.loadLocal(bound);
      g.ifICmp(GeneratorAdapter.GE, end);
      inLanes = true;
      for (int k = 0; k < width; k++) {
        innerShift = k;
        element();
      }
      inLanes = false;
      innerShift = 0;
      g.iinc(innerIndex, width);
      g.goTo(head);
      g.mark(end);
    }
    Label rowDone = new Label();
    if (!rowVectors.isEmpty()) {
      // A row of whole blocks: the partials are combined from the vectors.
      Label tail = new Label();
      g.loadLocal(innerIndex);
      g.loadLocal(bound);
      g.ifICmp(GeneratorAdapter.LT, tail);
      for (Map.Entry<Reduction, int[]> e : rowVectors.entrySet()) {
        vectorTree(e.getValue(), blocks.get(e.getKey()));
        g.storeLocal(acc.get(e.getKey()));
      }
      g.goTo(rowDone);
      g.mark(tail);
      // The last partial block continues in the array: p[k w ..] = vector k.
      for (Map.Entry<Reduction, int[]> e : rowVectors.entrySet()) {
        int[] v = e.getValue();
        for (int k = 0; k < v.length; k++) {
          g.loadLocal(v[k]);
          g.loadLocal(blocks.get(e.getKey()));
          g.push(k * regLanes);
          VectorRows.intoArray(g);
        }
      }
    }
    if (!laneLocals.isEmpty()) {
      // A row of whole blocks: the partials are combined from the locals.
      Label tail = new Label();
      g.loadLocal(innerIndex);
      g.loadLocal(bound);
      g.ifICmp(GeneratorAdapter.LT, tail);
      for (Map.Entry<Reduction, int[]> e : laneLocals.entrySet()) {
        for (int lane : e.getValue()) {
          g.loadLocal(lane);
        }
        callSumOrder(TREE16_LANES);
        g.storeLocal(acc.get(e.getKey()));
      }
      g.goTo(rowDone);
      g.mark(tail);
      // The last partial block continues in the array: p[k] = lane k.
      for (Map.Entry<Reduction, int[]> e : laneLocals.entrySet()) {
        int[] lanes = e.getValue();
        for (int k = 0; k < lanes.length; k++) {
          g.loadLocal(blocks.get(e.getKey()));
          g.push(k);
          g.loadLocal(lanes[k]);
          g.visitInsn(Opcodes.DASTORE);
        }
      }
    }
    Label head = new Label();
    Label end = new Label();
    g.mark(head);
    g.loadLocal(innerIndex);
    g.loadLocal(bound);
    g.ifICmp(GeneratorAdapter.GE, end);
    element();
    g.iinc(innerIndex, 1);
    g.goTo(head);
    g.mark(end);
    List<Reduction> inRegisters = new ArrayList<>(laneLocals.keySet());
    inRegisters.addAll(rowVectors.keySet());
    for (Reduction red : inRegisters) {
      g.loadLocal(blocks.get(red));
      g.push(0);
      callSumOrder(TREE16);
      g.storeLocal(acc.get(red));
    }
    g.mark(rowDone);
    for (Reduction red : layout.reductions) {
      if (inRegisters.contains(red)) {
        continue;
      }
      if (red.mode == Mode.INNER && red.sumsInBlocks()) {
        g.loadLocal(blocks.get(red));
        g.push(0);
        callSumOrder(TREE16);
        g.storeLocal(acc.get(red));
        continue;
      }
      int[] accs = innerAccs.get(red);
      if (red.mode != Mode.INNER || accs.length == 1) {
        continue;
      }
      // acc = (acc0 op acc1) op (acc2 op acc3)
      g.loadLocal(accs[0]);
      g.loadLocal(accs[1]);
      ops.combine(red.combine());
      g.loadLocal(accs[2]);
      g.loadLocal(accs[3]);
      ops.combine(red.combine());
      ops.combine(red.combine());
      g.storeLocal(accs[0]);
    }
    for (Reduction red : layout.reductions) {
      if (red.mode != Mode.INNER) {
        continue;
      }
      boolean kept = isRowValue(red.inst);
      if (!kept) {
        loadParam(bufferArg.get(bufferOf(red.out)), packedBuffers);
        pushRowBase(red.out);
      }
      g.loadLocal(acc.get(red));
      if (red.dividesByCount()) {
        pushExtent(red.count);
        g.visitInsn(Opcodes.I2D);
        g.visitInsn(Opcodes.DDIV);
      }
      Jvm.round(g, red.out.dtype);
      if (!kept) {
        Jvm.storeElement(g, red.out.dtype);
      } else {
        Jvm.fromDouble(g, red.out.dtype);
        int t = g.newLocal(Jvm.valueType(red.out.dtype));
        g.storeLocal(t);
        storeRowValue(red.inst, t);
      }
    }
  }

  /**
   * The whole logical blocks of the current row in vectors ({@link VectorRows}): for each block,
   * {@code 16 / lanes} steps of {@link #vectorElement}; leaves {@link #innerIndex} at the first
   * element of the tail. With {@link #regLanes}, each block's steps are unrolled, and a row of
   * whole blocks of a known length (at most {@link #MAX_UNROLLED_STEPS} steps) is unrolled whole.
   */
  private void vectorBlocks(int bound) {
    int j = g.newLocal(Type.INT_TYPE);
    Extent n = layout.innerSize();
    if (regLanes > 0
        && n.isConstant()
        && n.coeff() % SumOrder.BLOCK == 0
        && n.coeff() / regLanes <= MAX_UNROLLED_STEPS) {
      for (int e = 0; e < n.coeff(); e += regLanes) {
        g.push(e);
        g.storeLocal(j);
        vectorElement(-1, e % SumOrder.BLOCK, e, j);
      }
      g.push((int) n.coeff());
      g.storeLocal(innerIndex);
      return;
    }
    int q = g.newLocal(Type.INT_TYPE);
    Label head = new Label();
    Label end = new Label();
    g.mark(head);
    g.loadLocal(innerIndex);
    g.push(SumOrder.BLOCK - 1);
    g.visitInsn(Opcodes.IADD);
    g.loadLocal(bound);
    g.ifICmp(GeneratorAdapter.GE, end);
    if (regLanes > 0) {
      for (int step = 0; step < SumOrder.BLOCK; step += regLanes) {
        pushPlus(innerIndex, step);
        g.storeLocal(j);
        vectorElement(-1, step, -1, j);
      }
    } else {
      g.push(0);
      g.storeLocal(q);
      Label steps = new Label();
      Label blockDone = new Label();
      g.mark(steps);
      g.loadLocal(q);
      g.push(SumOrder.BLOCK);
      g.ifICmp(GeneratorAdapter.GE, blockDone);
      g.loadLocal(innerIndex);
      g.loadLocal(q);
      g.visitInsn(Opcodes.IADD);
      g.storeLocal(j);
      vectorElement(q, -1, -1, j);
      g.loadLocal(q);
      g.loadLocal(lanesLocal);
      g.visitInsn(Opcodes.IADD);
      g.storeLocal(q);
      g.goTo(steps);
      g.mark(blockDone);
    }
    g.iinc(innerIndex, SumOrder.BLOCK);
    g.goTo(head);
    g.mark(end);
  }

  /** At most this many vector steps of a row are unrolled whole ({@link #vectorBlocks}). */
  static final int MAX_UNROLLED_STEPS = 8;

  /**
   * One vector step of the current rows loop at inner index {@code j} (local): every member in
   * lanes, each sum's lanes added to their partials. Its position in the logical block is local
   * {@code q}, or with {@link #regLanes} the constant {@code qConst}, with which a row sum adds to
   * its vector {@code qConst / lanes} ({@link #rowVectors}); a column sum in vectors ({@link
   * #columnVectors}) adds to its vector {@code column / lanes}, {@code column} the constant inner
   * index of a row unrolled whole.
   */
  private void vectorElement(int q, int qConst, int column, int j) {
    Map<Value, Integer> vectors = new IdentityHashMap<>();
    for (Inst m : layout.loop.members) {
      if (LoopPlan.isReduction(m)) {
        Reduction r = reductionOf(m);
        int[] inRegisters = r.mode == Mode.INNER ? rowVectors.get(r) : columnVectors.get(r);
        if (inRegisters != null) {
          int v = inRegisters[(r.mode == Mode.INNER ? qConst : column) / regLanes];
          g.loadLocal(v);
          pushVector(m.operand(0), vectors, j);
          VectorRows.binary(g, Op.ADD);
          g.storeLocal(v);
          continue;
        }
        int p = blocks.get(r);
        int at = q;
        if (r.mode == Mode.COLUMN) {
          at = g.newLocal(Type.INT_TYPE);
          pushBlockIndexAt(j);
          g.storeLocal(at);
        }
        // p[at ..] += x, lane by lane
        VectorRows.species(g, owner);
        g.loadLocal(p);
        g.loadLocal(at);
        VectorRows.fromArray(g);
        pushVector(m.operand(0), vectors, j);
        VectorRows.binary(g, Op.ADD);
        g.loadLocal(p);
        g.loadLocal(at);
        VectorRows.intoArray(g);
        continue;
      }
      if (layout.plan.isCopyMember(m)) {
        Access a = layout.reads.get(m);
        pushVector(a == null ? layout.plan.scalarOf(m) : m, vectors, j);
      } else {
        pushVector(m.operand(0), vectors, j);
        pushVector(m.operand(1), vectors, j);
        VectorRows.binary(g, m.op());
      }
      int local = g.newLocal(VectorRows.DV);
      g.storeLocal(local);
      vectors.put(m, local);
    }
  }

  /** A column sum's partial index of the current row at inner index {@code j} (local). */
  private void pushBlockIndexAt(int j) {
    pushChunkRow();
    g.push(SumOrder.BLOCK - 1);
    g.visitInsn(Opcodes.IAND);
    pushExtent(layout.innerSize());
    g.visitInsn(Opcodes.IMUL);
    g.loadLocal(j);
    g.visitInsn(Opcodes.IADD);
  }

  /** Pushes {@code v}'s lanes at inner index {@code j} (local) as a vector. */
  private void pushVector(Value v, Map<Value, Integer> vectors, int j) {
    Integer local = vectors.get(v);
    if (local != null) {
      g.loadLocal(local);
      return;
    }
    Access a = v instanceof Lit ? null : layout.reads.get(v);
    if (a != null && !isRowValue(a.buffer) && !a.stride(1).isZero()) {
      VectorRows.species(g, owner);
      loadParam(bufferArg.get(bufferOf(a)), packedBuffers);
      pushRowBase(a);
      g.loadLocal(j);
      g.visitInsn(Opcodes.IADD);
      VectorRows.fromArray(g);
      return;
    }
    // the same value in every lane: a literal, a scalar, a row value or a read along the row
    VectorRows.species(g, owner);
    pushDouble(v);
    VectorRows.broadcast(g);
  }

  private List<Access> accesses() {
    List<Access> all = new ArrayList<>(layout.reads.values());
    all.addAll(layout.stores.values());
    for (Reduction r : layout.reductions) {
      all.add(r.out);
    }
    return all;
  }

  /** The kernel parameter that holds the buffer {@code a} of the current loop reads or writes. */
  private Access bufferOf(Access a) {
    return kernel.bufferParam(layout, a);
  }

  private void pushRowBase(Access a) {
    Integer b = base.get(a);
    if (b == null) {
      g.push(0);
    } else {
      g.loadLocal(b);
    }
  }

  private void pushExtent(Extent e) {
    if (e.isConstant()) {
      g.push((int) e.coeff());
    } else {
      loadParam(intArg.get(e), packedBuffers);
    }
  }

  /** Pushes the offset of the current element in {@code a}'s buffer. */
  private void pushOffset(Access a) {
    int r = layout.rank();
    Extent s = a.stride(r - 1);
    int index = r == 1 ? indexLocal : innerIndex;
    if (r == 1) {
      pushScaled(index, s);
      if (!a.offset.isZero()) {
        pushExtent(a.offset);
        g.visitInsn(Opcodes.IADD);
      }
      return;
    }
    pushRowBase(a);
    if (!s.isZero()) {
      pushScaled(index, s);
      g.visitInsn(Opcodes.IADD);
      if (innerShift != 0) {
        g.push(innerShift);
        pushExtent(s);
        g.visitInsn(Opcodes.IMUL);
        g.visitInsn(Opcodes.IADD);
      }
    }
  }

  private void pushScaled(int index, Extent s) {
    if (s.isZero()) {
      g.push(0);
      return;
    }
    g.loadLocal(index);
    if (!s.equals(Extent.ONE)) {
      pushExtent(s);
      g.visitInsn(Opcodes.IMUL);
    }
  }

  private boolean isGuarded(int dim) {
    for (LoopLayout.Guard gd : layout.guards.values()) {
      if (gd.dim() == dim) {
        return true;
      }
    }
    return false;
  }

  /** Pushes the index of the element being emitted along collapsed dim {@code dim}. */
  private void pushDimIndex(int dim) {
    int r = layout.rank();
    if (r == 1 || (r == 2 && dim == 0)) {
      g.loadLocal(indexLocal);
    } else if (dim == r - 1) {
      pushInnerIndex();
    } else {
      g.loadLocal(outerIndex.get(dim));
    }
  }

  /**
   * Pushes a guarded read ({@link LoopLayout.Guard}) as a {@link Jvm#valueType}: the element (or
   * scalar) inside the guard's bounds (and, for a step other than 1, a whole number of steps from
   * its first index), zero elsewhere.
   */
  private void pushGuarded(Value v, LoopLayout.Guard gd) {
    Label zero = new Label();
    Label done = new Label();
    pushDimIndex(gd.dim());
    pushExtent(gd.lo());
    g.ifICmp(GeneratorAdapter.LT, zero);
    pushDimIndex(gd.dim());
    pushExtent(gd.hi());
    g.ifICmp(GeneratorAdapter.GE, zero);
    if (gd.step() != 1) {
      // (i - lo) % |step| != 0: between two placed elements
      pushDimIndex(gd.dim());
      pushExtent(gd.lo());
      g.visitInsn(Opcodes.ISUB);
      g.push(Math.abs(gd.step()));
      g.visitInsn(Opcodes.IREM);
      g.ifZCmp(GeneratorAdapter.NE, zero);
    }
    DType dt = v.type().dtype();
    Value s = layout.guardedScalars.get(v);
    if (s == null && gd.step() != 1) {
      Access a = layout.reads.get(v);
      loadParam(bufferArg.get(bufferOf(a)), packedBuffers);
      pushOffset(a);
      // the operand's element (i - first) / step along the guarded dim
      pushDimIndex(gd.dim());
      g.push(gd.first());
      g.visitInsn(Opcodes.ISUB);
      g.push(gd.step());
      g.visitInsn(Opcodes.IDIV);
      pushExtent(gd.stride());
      g.visitInsn(Opcodes.IMUL);
      g.visitInsn(Opcodes.IADD);
      Jvm.loadValue(g, a.dtype);
    } else if (s == null) {
      load(layout.reads.get(v));
    } else if (s instanceof Lit l) {
      pushLiteral(l, dt);
    } else {
      pushScalarArg(s, dt);
    }
    g.goTo(done);
    g.mark(zero);
    if (dt == DType.I64) {
      g.push(0L);
    } else {
      g.push(0.0);
    }
    g.mark(done);
  }

  /** Pushes the scalar argument {@code s} as a {@link Jvm#valueType} of {@code dt}. */
  private void pushScalarArg(Value s, DType dt) {
    // scalar arguments are their slots' doubles: an i64's bits
    loadParam(scalarArg.get(s), packedBuffers);
    if (dt == DType.I64) {
      Jvm.bitsToLong(g);
    }
  }

  /** Pushes an element as a {@link Jvm#valueType} of its dtype. */
  private void load(Access a) {
    if (isRowValue(a.buffer)) {
      loadRowValue(a.buffer);
      return;
    }
    loadParam(bufferArg.get(bufferOf(a)), packedBuffers);
    pushOffset(a);
    Jvm.loadValue(g, a.dtype);
  }

  /** Pushes {@code v} as a double. */
  private void pushDouble(Value v) {
    pushValue(v);
    Jvm.toDouble(g, v.type().dtype());
  }

  /** Pushes {@code v} as a {@link Jvm#valueType} of its dtype. */
  private void pushValue(Value v) {
    if (v instanceof Lit l) {
      pushLiteral(l, v.type().dtype());
      return;
    }
    Integer local = locals.get(v);
    if (local != null) {
      g.loadLocal(local);
      return;
    }
    Integer pass = passArray.get(v);
    if (pass != null) {
      g.loadLocal(pass);
      pushBlockRow();
      g.visitInsn(Opcodes.DALOAD);
      return;
    }
    LoopLayout.Guard gd = layout.guards.get(v);
    if (gd != null) {
      pushGuarded(v, gd);
      return;
    }
    Value s = layout.plan.scalarOf(v);
    if (s instanceof Lit l) {
      pushLiteral(l, v.type().dtype());
      return;
    }
    if (scalarArg.containsKey(s)) {
      pushScalarArg(s, v.type().dtype());
      return;
    }
    Access a = layout.reads.get(v);
    if (a == null) {
      throw new IllegalStateException("loop " + layout.loop.index + " cannot read " + v);
    }
    load(a);
  }

  private void pushLiteral(Lit l, DType d) {
    if (d == DType.I64) {
      g.push((long) l.value());
    } else {
      g.push(l.value());
    }
  }

  /** The body for one element: every member in order. */
  private void element() {
    elementOf(layout.loop.members);
  }

  /**
   * The body for one element restricted to {@code members} (a pass of {@link #passLevels}): values
   * of other passes are read from their block arrays, and a function member, which its own pass
   * computed, from its array.
   */
  private void elementOf(List<Inst> members) {
    for (Inst m : members) {
      if (LoopPlan.isReduction(m)) {
        reduce(m);
        continue;
      }
      DType dt = m.type().dtype();
      int local = g.newLocal(Jvm.valueType(dt));
      Integer computed = passFunction(m) ? passArray.get(m) : null;
      if (computed != null) {
        g.loadLocal(computed);
        pushBlockRow();
        g.visitInsn(Opcodes.DALOAD);
      } else if (layout.plan.isCopyMember(m)) {
        Access a = layout.reads.get(m);
        if (layout.guards.containsKey(m)) {
          pushValue(m);
        } else if (a != null) {
          load(a);
        } else {
          pushValue(layout.plan.scalarOf(m));
        }
      } else {
        DType operand = m.operand(m.arity() - 1).type().dtype();
        if (ScalarMath.isInteger(m.op(), operand, dt)) {
          ops.emitInteger(m.op(), operand, dt, k -> pushValue(m.operand(k)));
        } else if (inFloat(m)) {
          floatArithmetic(m);
        } else {
          ops.emit(m.op(), dt, k -> pushDouble(m.operand(k)));
          Jvm.fromDouble(g, dt);
        }
      }
      g.storeLocal(local);
      locals.put(m, local);
      Integer later = computed == null ? passArray.get(m) : null;
      if (later != null) {
        g.loadLocal(later);
        pushBlockRow();
        g.loadLocal(local);
        g.visitInsn(Opcodes.DASTORE);
      }
      Access st = layout.stores.get(m);
      if (isRowValue(m)) {
        storeRowValue(m, local);
      } else if (st != null) {
        loadParam(bufferArg.get(bufferOf(st)), packedBuffers);
        pushOffset(st);
        g.loadLocal(local);
        Jvm.storeValue(g, st.dtype);
      }
    }
    locals.clear();
  }

  /**
   * True for an op that runs in {@code float} arithmetic with the same bits as in f64 rounded to
   * f32 (C2 folds {@code d2f(f2d(x))} to {@code x}, so a chain of such ops runs without
   * conversions, whose false dependencies on their destination registers otherwise chain each
   * element's conversions to the last's): an f32 {@code +}, {@code -}, {@code *} or {@code /} of
   * f32 operands (one IEEE rounding of the exact result; 53 >= 2 * 24 + 2 bits make the double
   * rounding innocuous), an f32 {@code relu}, {@code neg} or {@code abs} (exact), an f32 {@code
   * maximum}, {@code minimum} or {@code clamp} of f32 operands (a choice, with the same rules for
   * NaN and signed zeros in {@code Math}'s float and double methods), a comparison of f32 operands
   * (widening is exact), and an f32 {@code where} of f32 values (a choice). Literals count as f32
   * when exactly f32; a unary op of a literal keeps the f64 arithmetic.
   */
  private static boolean inFloat(Inst m) {
    int first;
    switch (m.op()) {
      case ADD, SUB, MUL, DIV -> {
        if (m.type().dtype() != DType.F32 || m.arity() != 2) {
          return false;
        }
        first = 0;
      }
      case RELU, NEG, ABS -> {
        if (m.type().dtype() != DType.F32 || m.operand(0) instanceof Lit) {
          return false;
        }
        first = 0;
      }
      case MAXIMUM, MINIMUM, CLAMP -> {
        if (m.type().dtype() != DType.F32) {
          return false;
        }
        first = 0;
      }
      case LT, LE, GT, GE, EQ, NE -> first = 0;
      case WHERE -> {
        if (m.type().dtype() != DType.F32) {
          return false;
        }
        first = 1;
      }
      default -> {
        return false;
      }
    }
    for (int k = first; k < m.arity(); k++) {
      Value v = m.operand(k);
      if (v instanceof Lit l
          ? (double) (float) l.value() != l.value() && !Double.isNaN(l.value())
          : v.type().dtype() != DType.F32) {
        return false;
      }
    }
    return true;
  }

  private static final Type FLOAT = Type.getType(Float.class);

  /** Pushes operand {@code k} of {@code m} as a float. */
  private void pushFloat(Inst m, int k) {
    pushDouble(m.operand(k));
    g.visitInsn(Opcodes.D2F);
  }

  /** {@link #inFloat} arithmetic: the operands as floats, float ops, the result as a double. */
  private void floatArithmetic(Inst m) {
    switch (m.op()) {
      case RELU -> {
        // max(x, +0) is x <= 0 ? +0 : x bit for bit (-0 gives +0, NaN stays itself).
        pushFloat(m, 0);
        g.push(0f);
        floatMath("max");
        g.visitInsn(Opcodes.F2D);
        return;
      }
      case NEG -> {
        // Flips the sign bit, of NaN too, as dneg does.
        pushFloat(m, 0);
        g.visitInsn(Opcodes.FNEG);
        g.visitInsn(Opcodes.F2D);
        return;
      }
      case ABS -> {
        // Clears the sign bit, of NaN too, as Math.abs(double) does in every JIT tier (where
        // Math.abs(float) keeps a NaN's sign until C2 compiles it).
        pushFloat(m, 0);
        g.invokeStatic(FLOAT, new Method("floatToRawIntBits", "(F)I"));
        g.push(Integer.MAX_VALUE);
        g.visitInsn(Opcodes.IAND);
        g.invokeStatic(FLOAT, new Method("intBitsToFloat", "(I)F"));
        g.visitInsn(Opcodes.F2D);
        return;
      }
      case CLAMP -> {
        // min(max(x, lo), hi), as ScalarMath.clamp
        pushFloat(m, 0);
        pushFloat(m, 1);
        floatMath("max");
        pushFloat(m, 2);
        floatMath("min");
        g.visitInsn(Opcodes.F2D);
        return;
      }
      case WHERE -> {
        // The f32 values' bits chosen by where's mask (OpEmitter's select, in ints).
        int mask = ops.selectMask(k -> pushDouble(m.operand(k)));
        pushFloat(m, 1);
        g.invokeStatic(FLOAT, new Method("floatToRawIntBits", "(F)I"));
        g.loadLocal(mask);
        g.visitInsn(Opcodes.L2I);
        g.visitInsn(Opcodes.IAND);
        pushFloat(m, 2);
        g.invokeStatic(FLOAT, new Method("floatToRawIntBits", "(F)I"));
        g.loadLocal(mask);
        g.visitInsn(Opcodes.L2I);
        g.push(-1);
        g.visitInsn(Opcodes.IXOR);
        g.visitInsn(Opcodes.IAND);
        g.visitInsn(Opcodes.IOR);
        g.invokeStatic(FLOAT, new Method("intBitsToFloat", "(I)F"));
        g.visitInsn(Opcodes.F2D);
        return;
      }
      case LT, LE, GT, GE, EQ, NE -> {
        // Floats widen to doubles exactly, so the doubles compare as the floats do.
        ops.compare(m.op().elementwise(), k -> pushDouble(m.operand(k)));
        return;
      }
      default -> {}
    }
    pushFloat(m, 0);
    pushFloat(m, 1);
    switch (m.op()) {
      case ADD -> g.visitInsn(Opcodes.FADD);
      case SUB -> g.visitInsn(Opcodes.FSUB);
      case MUL -> g.visitInsn(Opcodes.FMUL);
      case DIV -> g.visitInsn(Opcodes.FDIV);
      // -0 below +0 and NaN for a NaN operand, as Math.max and Math.min of doubles
      case MAXIMUM -> floatMath("max");
      case MINIMUM -> floatMath("min");
      default -> throw new IllegalStateException(m.op().toString());
    }
    if (!m.op().isComparison()) {
      g.visitInsn(Opcodes.F2D);
    }
  }

  /** Calls {@code Math}'s {@code name} of two floats. */
  private void floatMath(String name) {
    g.invokeStatic(Jvm.MATH, new Method(name, "(FF)F"));
  }

  private Reduction reductionOf(Inst m) {
    return layout.reductionOf(m);
  }

  private void reduce(Inst m) {
    Reduction r = reductionOf(m);
    Value x = m.operand(0);
    int[] flat = flatLanes.get(r);
    if (flat != null) {
      g.loadLocal(flat[0]);
      pushDouble(x);
      g.visitInsn(Opcodes.DADD);
      g.storeLocal(flat[0]);
      return;
    }
    int[] lanes = laneLocals.get(r);
    if (inLanes && lanes != null) {
      int lane = lanes[innerShift];
      g.loadLocal(lane);
      pushDouble(x);
      g.visitInsn(Opcodes.DADD);
      g.storeLocal(lane);
      return;
    }
    Integer p = blocks.get(r);
    if (p != null) {
      addToBlock(p, r, x);
      return;
    }
    switch (r.mode) {
      case FULL -> {
        g.loadLocal(acc.get(r));
        pushDouble(x);
        ops.combine(r.combine());
        g.storeLocal(acc.get(r));
      }
      case INNER -> {
        int[] accs = innerAccs.get(r);
        int a = accs[innerShift % accs.length];
        g.loadLocal(a);
        pushDouble(x);
        ops.combine(r.combine());
        g.storeLocal(a);
      }
      case DIRECT -> {
        loadParam(bufferArg.get(bufferOf(r.out)), packedBuffers);
        pushOffset(r.out);
        pushDouble(x);
        Jvm.round(g, r.out.dtype);
        Jvm.storeElement(g, r.out.dtype);
      }
      case COLUMN -> {
        // part[chunk * inner + j] = combine(part[...], x)
        int arr = bufferArg.get(bufferOf(r.out));
        boolean arrLocal = packedBuffers;
        int off = g.newLocal(Type.INT_TYPE);
        g.loadArg(chunkArg);
        pushExtent(layout.sizes.get(layout.rank() - 1));
        g.visitInsn(Opcodes.IMUL);
        g.loadLocal(innerIndex);
        g.visitInsn(Opcodes.IADD);
        if (innerShift != 0) {
          g.push(innerShift);
          g.visitInsn(Opcodes.IADD);
        }
        g.storeLocal(off);
        accumulateAt(r, arr, arrLocal, off, x);
      }
      case RMW -> {
        int arr = bufferArg.get(bufferOf(r.out));
        int off = g.newLocal(Type.INT_TYPE);
        pushOffset(r.out);
        g.storeLocal(off);
        accumulateAt(r, arr, packedBuffers, off, x);
      }
    }
  }

  /**
   * Pushes the index in {@code r}'s partials of the current element: its position in the chunk
   * (full sum) or in the row (row sum) mod 16; for a column sum, the row's position in the chunk
   * mod 16, times the columns, plus the column.
   */
  private void pushBlockIndex(Reduction r) {
    switch (r.mode) {
      case FULL -> {
        pushChunkRow();
        if (layout.rank() > 1) {
          pushExtent(layout.innerSize());
          g.visitInsn(Opcodes.IMUL);
          pushInnerIndex();
          g.visitInsn(Opcodes.IADD);
        }
        g.push(SumOrder.BLOCK - 1);
        g.visitInsn(Opcodes.IAND);
      }
      case INNER -> {
        pushInnerIndex();
        g.push(SumOrder.BLOCK - 1);
        g.visitInsn(Opcodes.IAND);
      }
      case COLUMN -> {
        pushChunkRow();
        g.push(SumOrder.BLOCK - 1);
        g.visitInsn(Opcodes.IAND);
        pushExtent(layout.innerSize());
        g.visitInsn(Opcodes.IMUL);
        pushInnerIndex();
        g.visitInsn(Opcodes.IADD);
      }
      case DIRECT, RMW -> throw new IllegalStateException("not summed in blocks: " + r.inst);
    }
  }

  /** {@code arr[off] = combine(arr[off], x)} on an f64 accumulator array. */
  private void accumulateAt(Reduction r, int arr, boolean arrLocal, int off, Value x) {
    loadParam(arr, arrLocal);
    g.loadLocal(off);
    loadParam(arr, arrLocal);
    g.loadLocal(off);
    g.visitInsn(Opcodes.DALOAD);
    pushDouble(x);
    ops.combine(r.combine());
    g.visitInsn(Opcodes.DASTORE);
  }
}
