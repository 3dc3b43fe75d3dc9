package dev.gradc.ir.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.Func;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Printer;
import org.junit.jupiter.api.Test;

/** {@link Dce}: all dead code, or only the dead instructions a predicate names. */
class DceTest {
  private static final String F =
      """
      func @f(%x: f64[3]) -> f64 {
        %0: f64[3] = exp %x
        %1: f64[3] = log %0
        %2: f64[3] = neg %x
        %3: f64 = sum %2
        ret %3
      }
      """;

  @Test
  void run_dropsEveryInstructionNoResultReads() {
    Func f = new Dce().run(Parser.parse(F));
    assertEquals(
        """
        func @f(%x: f64[3]) -> f64 {
          %0: f64[3] = neg %x
          %1: f64 = sum %0
          ret %1
        }
        """,
        Printer.print(f));
  }

  @Test
  void without_keepsWhatAKeptInstructionReads() {
    // %0 may go but the kept (dead) %1 reads it, so both stay
    Func f = Parser.parse(F);
    assertEquals(Printer.print(f), Printer.print(Dce.without(f, id -> id == 1)));
  }

  @Test
  void without_dropsOnlyTheNamedDeadInstructions() {
    // ids: %x is 0, the instructions 1 to 4; %1 (id 2) may go, %0 (id 1) stays although dead
    Func f = Dce.without(Parser.parse(F), id -> id == 2);
    assertEquals(
        """
        func @f(%x: f64[3]) -> f64 {
          %0: f64[3] = exp %x
          %1: f64[3] = neg %x
          %2: f64 = sum %1
          ret %2
        }
        """,
        Printer.print(f));
  }
}
