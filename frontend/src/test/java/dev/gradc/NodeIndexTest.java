package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.DType;
import dev.gradc.ir.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeIndexTest {
  private static List<Node> nodes(int n) {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Node.data(Type.of(DType.F64, 1), new double[] {i}));
    }
    return out;
  }

  @Test
  void addPutGet_byIdentity_throughGrowth() {
    NodeIndex m = new NodeIndex();
    List<Node> ns = nodes(1000);
    for (int i = 0; i < ns.size(); i++) {
      assertTrue(m.add(ns.get(i), i));
      assertFalse(m.add(ns.get(i), -5), "a second add keeps the first value");
    }
    assertEquals(1000, m.size());
    for (int i = 0; i < ns.size(); i += 2) {
      m.put(ns.get(i), 7 * i);
    }
    assertEquals(1000, m.size());
    for (int i = 0; i < ns.size(); i++) {
      assertEquals(i % 2 == 0 ? 7 * i : i, m.get(ns.get(i)));
    }
    Node stranger = Node.data(Type.of(DType.F64, 1), new double[] {0});
    assertEquals(NodeIndex.ABSENT, m.get(stranger));
    assertFalse(m.contains(stranger));
    m.put(stranger, 3);
    assertTrue(m.contains(stranger));
    assertEquals(1001, m.size());
  }

  @Test
  void clear_forgetsEveryNode() {
    NodeIndex m = new NodeIndex();
    List<Node> ns = nodes(20);
    for (Node n : ns) {
      m.add(n, 1);
    }
    m.clear();
    assertEquals(0, m.size());
    for (Node n : ns) {
      assertEquals(NodeIndex.ABSENT, m.get(n));
    }
    assertTrue(m.add(ns.get(3), 4));
    assertEquals(4, m.get(ns.get(3)));
  }
}
