package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Builder#binaryType} and {@link Builder#unaryType} give exactly the type (or the error)
 * that {@link Builder#binary} and {@link Builder#unary} produce, for every elementwise op, dtype,
 * literal-ness and broadcast shape: the Java API records ops with them instead of a builder.
 */
class TypeOnlyTest {
  static final List<List<Dim>> SHAPES =
      List.of(List.of(), List.of(Dim.of(3)), List.of(Dim.of(2), Dim.of(3)), List.of(Dim.of(4)));

  private static String outcome(java.util.function.Supplier<Type> s) {
    try {
      return s.get().toString();
    } catch (GradcException | IllegalArgumentException e) {
      return "error: " + e.getMessage();
    }
  }

  private static Value operand(Builder b, String name, DType d, List<Dim> shape, boolean lit) {
    return lit ? Builder.lit(d == DType.BOOL ? 1 : 2, d) : b.input(name, new Type(d, shape));
  }

  @Test
  void binaryType_equalsTheBuildersResult() {
    int checked = 0;
    for (Op op : Op.values()) {
      if (op.kind() != Op.Kind.ELEMENTWISE || op.arity() != 2) {
        continue;
      }
      for (DType da : DType.values()) {
        for (DType db : DType.values()) {
          for (List<Dim> sa : SHAPES) {
            for (List<Dim> sb : SHAPES) {
              for (int lits = 0; lits < 4; lits++) {
                boolean la = (lits & 1) != 0;
                boolean lb = (lits & 2) != 0;
                if ((la && !sa.isEmpty()) || (lb && !sb.isEmpty())) {
                  continue;
                }
                Builder b = new Builder("t");
                Value a = operand(b, "a", da, sa, la);
                Value c = operand(b, "c", db, sb, lb);
                String want = outcome(() -> b.binary(op, a, c).type());
                String got = outcome(() -> Builder.binaryType(op, a.type(), la, c.type(), lb));
                assertEquals(
                    want,
                    got,
                    op
                        + " "
                        + a.type()
                        + (la ? " lit" : "")
                        + ", "
                        + c.type()
                        + (lb ? " lit" : ""));
                checked++;
              }
            }
          }
        }
      }
    }
    assertEquals(true, checked > 5000, "checked " + checked);
  }

  @Test
  void unaryType_equalsTheBuildersResult() {
    for (Op op : Op.values()) {
      if (op.kind() != Op.Kind.ELEMENTWISE || op.arity() != 1 || op == Op.CAST) {
        continue;
      }
      for (DType d : DType.values()) {
        for (List<Dim> s : SHAPES) {
          Builder b = new Builder("t");
          Value x = b.input("x", new Type(d, s));
          assertEquals(
              outcome(() -> b.unary(op, x).type()),
              outcome(() -> Builder.unaryType(op, x.type())),
              op + " " + x.type());
        }
      }
    }
  }
}
