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
  void eachThreadGetsItsOwnScratch_whicheverThreadAcquiredLast() throws Exception {
    Scratch mine = Scratch.acquire();
    mine.release();
    Scratch[] theirs = new Scratch[2];
    Thread other =
        new Thread(
            () -> {
              theirs[0] = Scratch.acquire();
              theirs[0].release();
              theirs[1] = Scratch.acquire();
              theirs[1].release();
            });
    other.start();
    other.join();
    assertNotSame(mine, theirs[0]);
    assertSame(theirs[0], theirs[1]);
    Scratch again = Scratch.acquire();
    assertSame(mine, again);
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
    s.seen.add(leaf, 0);
    s.params.add(leaf, 0);
    s.key.position(7);
    s.release();
    Scratch t = Scratch.acquire();
    assertNotSame(big, t.order);
    assertSame(small, t.frontier);
    assertTrue(t.order.isEmpty() && t.frontier.isEmpty() && t.seen.size() == 0 && t.key.isEmpty());
    assertEquals(NodeIndex.ABSENT, t.seen.get(leaf));
    assertEquals(0, t.params.size());
    t.release();
  }
}
