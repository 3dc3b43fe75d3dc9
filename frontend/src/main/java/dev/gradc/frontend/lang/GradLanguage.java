package dev.gradc.frontend.lang;

import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code .grad} language: a Python-like subset whose programs mean what the same lines mean in
 * PyTorch with {@code torch.} before each function and {@code requires_grad=True} on each param.
 *
 * <pre>
 * # linear regression, mean squared error
 * input x: f64[N, 3]
 * input y: f64[N]
 * param w: f64[3]
 * param b: f64
 *
 * pred = x @ w + b
 * return mean((pred - y) ** 2)
 * </pre>
 */
public final class GradLanguage {
  private GradLanguage() {}

  /**
   * Parses a program into its IR. {@code fileName} appears in diagnostics and names the function
   * ({@code lin.grad} gives {@code @lin}).
   *
   * @throws ProgramException with a positioned message for any error in the program
   */
  public static Program parse(String fileName, String source) {
    try {
      ProgramParser.Parsed p = ProgramParser.parse(fileName, source, functionName(fileName));
      Program program =
          new Program(
              fileName,
              source,
              p.func(),
              p.declarations(),
              p.positions(),
              p.resultPositions(),
              p.resultNames());
      // A value with more static elements than an array holds cannot be computed. One with
      // symbolic dims may be, when it is fused and never stored: its size is checked at run time.
      for (Inst inst : p.func().insts()) {
        String tooLarge = tooLarge(inst.type());
        if (tooLarge != null) {
          SourcePos pos = program.position(inst);
          throw new ProgramException(
              tooLarge, pos != null ? pos : new SourcePos(fileName, 1, 1), source, null);
        }
      }
      return program;
    } catch (GradcException e) {
      SourcePos pos = e.pos() != null ? e.pos() : new SourcePos(fileName, 1, 1);
      throw new ProgramException(e.getMessage(), pos, source, e);
    }
  }

  /** Reads and parses a UTF-8 file. */
  public static Program parse(Path file) throws IOException {
    return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
  }

  /** The most elements of a tensor: its values are one Java array. */
  public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Why no tensor of {@code type} can exist, or null: its static sizes (and the factors of its
   * symbolic dims, each at least 1) multiply to more than {@link #MAX_ELEMENTS}.
   */
  public static String tooLarge(Type type) {
    long elements = 1;
    for (Dim d : type.dims()) {
      elements *= d.factor();
      if (elements > MAX_ELEMENTS) {
        return "a tensor of type "
            + type
            + " would have more than "
            + MAX_ELEMENTS
            + " elements, the most a tensor holds (one Java array)";
      }
    }
    return null;
  }

  /** The IR function name for a file: its base name without extension, as an identifier. */
  static String functionName(String fileName) {
    String base = fileName.replace('\\', '/');
    base = base.substring(base.lastIndexOf('/') + 1);
    if (base.endsWith(".grad")) {
      base = base.substring(0, base.length() - ".grad".length());
    }
    String id = base.replaceAll("[^A-Za-z0-9_]", "_");
    return id.isEmpty() ? "program" : id;
  }
}
