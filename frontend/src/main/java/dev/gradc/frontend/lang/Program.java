package dev.gradc.frontend.lang;

import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.SourcePos;
import java.util.List;

/**
 * A parsed {@code .grad} program: its function (one result per returned value; parameters in
 * declaration order), the declarations, and the source, so that later errors about it (bad inputs,
 * non-finite values) can be shown as diagnostics at the line that caused them.
 */
public final class Program {
  private final String fileName;
  private final String source;
  private final Func func;
  private final List<Declaration> declarations;
  private final List<SourcePos> positions;
  private final List<SourcePos> resultPositions;
  private final List<String> resultNames;

  Program(
      String fileName,
      String source,
      Func func,
      List<Declaration> declarations,
      List<SourcePos> positions,
      List<SourcePos> resultPositions,
      List<String> resultNames) {
    this.fileName = fileName;
    this.source = source;
    this.func = func;
    this.declarations = declarations;
    this.positions = positions;
    this.resultPositions = resultPositions;
    this.resultNames = resultNames;
  }

  public String fileName() {
    return fileName;
  }

  public String source() {
    return source;
  }

  /** The forward function: what the program computes, before differentiation. */
  public Func func() {
    return func;
  }

  public List<Declaration> declarations() {
    return declarations;
  }

  /** The declaration of {@code name}, or null. */
  public Declaration declaration(String name) {
    for (Declaration d : declarations) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The position of the operator or call that emitted an instruction of {@link #func()}. */
  public SourcePos position(Inst inst) {
    int k = inst.id() - func.params().size();
    if (k < 0 || k >= positions.size() || func.insts().get(k) != inst) {
      throw new IllegalArgumentException(inst + " is not an instruction of @" + func.name());
    }
    return positions.get(k);
  }

  /** Where the {@code k}th returned value is written ({@code return a, b}: one per item). */
  public SourcePos resultPosition(int k) {
    return resultPositions.get(k);
  }

  /**
   * The name of each returned value when the program returns it as one name ({@code return logits,
   * loss}); null for an item that is an expression.
   */
  public List<String> resultNames() {
    return resultNames;
  }

  /** A diagnostic about this program, in the same form as parse errors. */
  public String diagnostic(SourcePos pos, String message) {
    return Diagnostics.render(source, pos, message);
  }
}
