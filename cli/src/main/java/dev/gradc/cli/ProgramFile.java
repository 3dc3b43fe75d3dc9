package dev.gradc.cli;

import dev.gradc.frontend.lang.Declaration;
import dev.gradc.frontend.lang.Diagnostics;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.frontend.lang.Program;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Parser;
import dev.gradc.ir.ScalarMath;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.ad.Transforms;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The program a command works on, read and parsed once: a {@code .grad} program, or IR text when
 * the file name ends in {@code .ir}. It knows its source, so errors about the program or about the
 * values given for its declarations print as diagnostics at the line that caused them.
 *
 * <p>Files over {@link #MAX_BYTES} are refused before parsing (and never read further: {@code
 * /dev/zero} is refused too): a loss function is a few lines, and a runaway file would otherwise
 * parse and compile for minutes.
 */
final class ProgramFile {
  /** The largest program file accepted: 1 MiB. */
  static final int MAX_BYTES = 1 << 20;

  private final String name;
  private final String text;
  private Func func;
  private Program program;

  private ProgramFile(String name, String text) {
    this.name = name;
    this.text = text;
  }

  /**
   * Reads {@code file}; {@link #parse} comes next, so that even a parse error can be shown at its
   * source line. Every problem is a {@link GradcException}.
   */
  static ProgramFile read(Path file) {
    String name = file.toString();
    return new ProgramFile(name, read(file, name));
  }

  /** Parses the text: as IR when the name ends in {@code .ir}, else as a {@code .grad} program. */
  ProgramFile parse() {
    if (name.endsWith(".ir")) {
      func = Parser.parse(name, text);
      for (Param p : func.params()) {
        String tooLarge = GradLanguage.tooLarge(p.type());
        if (tooLarge != null) {
          throw new UserError(name, "%" + p.name() + ": " + tooLarge);
        }
      }
    } else {
      program = GradLanguage.parse(name, text);
      func = program.func();
    }
    return this;
  }

  private static String read(Path file, String name) {
    byte[] bytes =
        InputFile.read(file, name, "a program file", MAX_BYTES, "programs are limited to");
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = utf8.decode(in, out, true);
    if (r.isError()) {
      // The decoder stops at the first byte that does not start a valid UTF-8 sequence.
      throw new UserError(
          name, "not a text file: the bytes at offset " + in.position() + " are not UTF-8");
    }
    utf8.flush(out);
    return out.flip().toString();
  }

  String name() {
    return name;
  }

  String text() {
    return text;
  }

  /** The forward function; after {@link #parse}. */
  Func func() {
    if (func == null) {
      throw new IllegalStateException(name + " is not parsed");
    }
    return func;
  }

  /**
   * The names of the returned values where the program returns a name ({@code return logits,
   * loss}), null for others; empty for IR text.
   */
  List<String> resultNames() {
    return program != null ? program.resultNames() : List.of();
  }

  /** Where result {@code k} is returned, or null (IR text). */
  SourcePos resultPosition(int k) {
    return program != null ? program.resultPosition(k) : null;
  }

  /** True for {@code .grad} programs, false for IR text. */
  boolean isProgram() {
    return program != null;
  }

  /**
   * True when the program returns one floating-point scalar: a loss, whose gradients need no
   * cotangent. An integer or bool scalar is a forward program's result (PyTorch has no gradient of
   * it).
   */
  boolean isLoss() {
    Func f = func();
    return f.results().size() == 1
        && f.result(0).type().isScalar()
        && f.result(0).type().dtype().isFloat();
  }

  /**
   * The value and gradient function ({@link Autodiff#vjp}); an error (a result that is not one
   * float scalar) points at the returned value.
   */
  Func vjp() {
    Func f = func();
    if (!isLoss()) {
      String what =
          f.results().size() == 1
              ? "the returned value is " + f.result(0).type()
              : "the program returns " + f.results().size() + " values";
      throw new GradcException(
          "grad can be implicitly created only for scalar outputs (" + what + ")",
          resultPosition(0));
    }
    try {
      return Autodiff.vjp(f);
    } catch (GradcException e) {
      throw e.at(position(f.result(0)));
    }
  }

  /**
   * The gradient function {@code inspect} shows: the vjp of a loss, or, for a program with a
   * non-scalar result or several results, the vjp seeded by one cotangent input per result.
   */
  Func gradFunc() {
    if (isLoss()) {
      return vjp();
    }
    try {
      return Autodiff.vjp(func(), true);
    } catch (GradcException e) {
      throw e.at(resultPosition(0));
    }
  }

  /**
   * The tangent function {@code inspect} shows: every result, then its directional derivative along
   * one tangent input per param ({@link Autodiff#jvp}).
   */
  /**
   * The Hessian of the loss with respect to every param ({@link Transforms#hessian}, forward over
   * reverse): the blocks {@code [i][j]} of the params in declaration order, row-major. An error
   * where the program is not a loss or has no param.
   */
  Func hessianFunc() {
    vjp(); // the error of a program that is not a loss
    Func f = func();
    List<Integer> argnums = new ArrayList<>();
    for (int i = 0; i < f.params().size(); i++) {
      if (f.params().get(i).requiresGrad()) {
        argnums.add(i);
      }
    }
    if (argnums.isEmpty()) {
      throw new GradcException(
          "the Hessian is taken with respect to the params, and the program declares none",
          resultPosition(0));
    }
    try {
      return Transforms.hessian(f, argnums.stream().mapToInt(Integer::intValue).toArray());
    } catch (GradcException e) {
      throw e.at(resultPosition(0));
    }
  }

  Func jvpFunc() {
    try {
      return Autodiff.jvp(func());
    } catch (GradcException e) {
      throw e.at(resultPosition(0));
    }
  }

  /**
   * Runs compiled or interpreted code of this program. A data-dependent error it raises (a class
   * index out of range, an integer division by zero) is located at the op that checks the data,
   * when the program has one.
   */
  <T> T running(Supplier<T> code) {
    return running(null, code);
  }

  /**
   * {@link #running(Supplier)} on {@code args} (or null): a class index out of range that comes
   * from a declared value is named ({@code labels[2] is 5, but ...}) and located at the op that
   * checks it.
   */
  <T> T running(Arguments args, Supplier<T> code) {
    try {
      return code.get();
    } catch (GradcException e) {
      Inst checking = null;
      int count = 0;
      if (ScalarMath.ZERO_DIVISION.equals(e.getMessage())) {
        for (Inst i : func().insts()) {
          if ((i.op() == Op.REMAINDER || i.op() == Op.FMOD) && !i.type().dtype().isFloat()) {
            checking = i;
            count++;
          }
        }
        throw count == 1 ? e.at(position(checking)) : e;
      }
      Matcher range = OUT_OF_RANGE.matcher(String.valueOf(e.getMessage()));
      if (range.matches()) {
        for (Inst i : func().insts()) {
          if (i.op() == Op.GATHER || i.op() == Op.SCATTER_ADD) {
            checking = i;
            count++;
            GradcException named = args == null ? null : badIndex(i, args, e, range);
            if (named != null) {
              throw named;
            }
          }
        }
        throw count == 1 ? e.at(position(checking)) : e;
      }
      for (Inst i : func().insts()) {
        if (i.op() == Op.ONE_HOT) {
          checking = i;
          count++;
          GradcException named = args == null ? null : badClass(i, args, e);
          if (named != null) {
            throw named;
          }
        }
      }
      throw count == 1 ? e.at(position(checking)) : e;
    }
  }

  /** PyTorch's error for an index out of range, which gather and scatter_add raise. */
  private static final Pattern OUT_OF_RANGE =
      Pattern.compile("index (-?\\d+) is out of bounds for dimension (\\d+) with size (\\d+)");

  /**
   * The error naming the element of a declared index (in {@code args}) that {@code inst}, a {@code
   * gather} or {@code scatter_add}, found out of range ({@code range} matched its message); null
   * when its index is not a declared value, seen through reshapes and broadcasts, or holds no such
   * element.
   */
  private GradcException badIndex(Inst inst, Arguments args, GradcException e, Matcher range) {
    Value index = inst.operand(1);
    while (index instanceof Inst v
        && (v.op() == Op.RESHAPE || v.op() == Op.BROADCAST || v.op() == Op.EXPAND)) {
      index = v.operand(0);
    }
    long bad = Long.parseLong(range.group(1));
    if (!(index instanceof Param p) || inst.dim(0) != Integer.parseInt(range.group(2))) {
      return null;
    }
    long size = Long.parseLong(range.group(3));
    Data d = args.value(p.id());
    for (int i = 0; i < d.size(); i++) {
      if ((long) d.get(i) == bad) {
        return new GradcException(
            p.name()
                + InputOptions.index(d.shape(), i)
                + " is "
                + bad
                + ", but the indices along dimension "
                + range.group(2)
                + " of size "
                + size
                + " are 0 to "
                + (size - 1)
                + ": "
                + e.getMessage(),
            position(inst));
      }
    }
    return null;
  }

  /**
   * The error about the first class index of {@code oneHot} out of range, when its indices are a
   * declared value in {@code args}; else null.
   */
  private GradcException badClass(Inst oneHot, Arguments args, GradcException e) {
    Value labels = oneHot.operand(0);
    // A loss with an ignore_index reads its classes as where(target != ignore, target, 0).
    Double ignored = null;
    if (labels instanceof Inst w
        && w.op() == Op.WHERE
        && w.operand(0) instanceof Inst ne
        && ne.op() == Op.NE
        && ne.operand(1) instanceof Lit lit) {
      ignored = lit.value();
      labels = w.operand(1);
    }
    if (!(labels instanceof Param p)) {
      return null;
    }
    List<Dim> dims = oneHot.type().dims();
    Dim classes = dims.get(dims.size() - 1);
    if (!classes.isStatic()) {
      return null;
    }
    int c = classes.size();
    Data d = args.value(p.id());
    for (int i = 0; i < d.size(); i++) {
      double v = d.get(i);
      if ((v < 0 || v >= c) && (ignored == null || v != ignored)) {
        return new GradcException(
            p.name()
                + InputOptions.index(d.shape(), i)
                + " is "
                + (long) v
                + ", but the class indices of "
                + c
                + " classes are 0 to "
                + (c - 1)
                + ": "
                + e.getMessage(),
            position(oneHot));
      }
    }
    return null;
  }

  /** Where the value {@code v} is computed in the program, or null when unknown. */
  SourcePos position(Value v) {
    if (program != null && v instanceof Inst inst) {
      return program.position(inst);
    }
    if (program != null && v instanceof Param p) {
      return declaration(p.name());
    }
    return null;
  }

  /** The position of the declaration of {@code param}, or null (IR text has no declarations). */
  SourcePos declaration(String param) {
    if (program == null) {
      return null;
    }
    Declaration d = program.declaration(param);
    return d == null ? null : d.pos();
  }

  /**
   * An error about a declared name: at its declaration in a {@code .grad} program, else at the
   * file.
   */
  GradcException errorAt(String param, String message) {
    SourcePos pos = declaration(param);
    return pos != null ? new GradcException(message, pos) : new UserError(name, message);
  }

  /**
   * The diagnostic of an error: with the source line and a caret when it points into this file,
   * else as {@code WHERE: error: MESSAGE}. Ends with a newline.
   */
  String render(GradcException e) {
    SourcePos pos = e.pos();
    if (pos != null && pos.file().equals(name)) {
      return Diagnostics.render(text, pos, e.getMessage());
    }
    return (pos != null ? pos.toString() : name) + ": error: " + e.getMessage() + "\n";
  }
}
