package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.DType;
import dev.gradc.ir.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void aThreadReusesItsScratch_andANestedCallGetsItsOwn() {
    Scratch outer = Scratch.acquire();
    Scratch nested = Scratch.acquire();
    assertNotSame(outer, nested);
    nested.release();
    outer.release();
    Scratch again = Scratch.acquire();
    assertSame(outer, again);
    again.release();
  }

  @Test
  void release_emptiesEverything_andDropsWhatGrewLarge() {
    Scratch s = Scratch.acquire();
    Node leaf = Node.data(Type.of(DType.F64, 1), new double[1]);
    for (int i = 0; i <= Scratch.KEEP; i++) {
      s.order.add(leaf);
    }
    List<Node> big = s.order;
    s.frontier.add(leaf);
    List<Node> small = s.frontier;
    s.seen.put(leaf, Boolean.TRUE);
    s.key.position(7);
    s.release();
    Scratch t = Scratch.acquire();
    assertNotSame(big, t.order);
    assertSame(small, t.frontier);
    assertTrue(t.order.isEmpty() && t.frontier.isEmpty() && t.seen.isEmpty() && t.key.isEmpty());
    assertEquals(0, t.params.size());
    t.release();
  }
}
