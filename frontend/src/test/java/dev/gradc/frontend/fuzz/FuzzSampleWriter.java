package dev.gradc.frontend.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gradc.frontend.fuzz.DifferentialCheck.Failure;
import dev.gradc.frontend.fuzz.DifferentialCheck.Stats;
import dev.gradc.frontend.fuzz.FuzzProgram.Domain;
import dev.gradc.ir.Func;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Kernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Writes the sample of generated programs that {@code tools/fixtures/generate.py} turns into
 * PyTorch fixtures ({@code fuzz_SEED.json}, checked by {@code PyTorchFixtureTest} like every
 * fixture): the first {@value #SIZE} programs from seed {@value #FIRST} on that pass {@link
 * DifferentialCheck} and whose gradients are not rounding noise. A tool, not a test: the build
 * excludes the tag. To refresh the sample:
 *
 * <pre>
 * mvn -B -ntp -pl frontend -am test -Dgradc.test.exclude=none -Dtest=FuzzSampleWriter \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * /usr/bin/python3 tools/fixtures/generate.py
 * </pre>
 */
@Tag("tool")
class FuzzSampleWriter {
  static final long FIRST = 900_001;
  static final int SIZE = 40;
  static final Path OUT = Path.of("../tools/fixtures/fuzz_programs.json");

  /**
   * True when some gradient is zero up to rounding without being exactly zero ({@code
   * mean(softmax(x))}): PyTorch's rounding there is its own, and no tolerance relative to that
   * gradient can compare it.
   */
  static boolean cancelsToNoise(FuzzProgram p) {
    Func g = Autodiff.vjp(DifferentialCheck.parse(p));
    DifferentialCheck.Args a = DifferentialCheck.inputs(g, p, 0);
    Object[] out = Kernels.compile(g).call(a.values(), a.shapes(), null);
    double scale = 0;
    for (Object o : out) {
      scale = Math.max(scale, DifferentialCheck.magnitude(o));
    }
    for (int i = 1; i < out.length; i++) {
      double m = DifferentialCheck.magnitude(out[i]);
      if (m > 0 && m < 1e-9 * scale) {
        return true;
      }
    }
    return false;
  }

  @Test
  void writeSample() throws IOException {
    ObjectMapper json = new ObjectMapper();
    ArrayNode all = json.createArrayNode();
    for (long seed = FIRST; all.size() < SIZE; seed++) {
      FuzzProgram p = ProgramGenerator.generate(seed);
      try {
        DifferentialCheck.check(p, new Stats());
      } catch (Failure f) {
        continue;
      }
      if (cancelsToNoise(p)) {
        continue;
      }
      ObjectNode c = all.addObject();
      c.put("name", p.name());
      c.put("program", p.source());
      ObjectNode dims = c.putObject("dims");
      p.symbols().forEach(dims::put);
      ObjectNode domains = c.putObject("domains");
      for (Map.Entry<String, Domain> e : p.domains().entrySet()) {
        Domain d = e.getValue();
        domains.putArray(e.getKey()).add(d.integral() ? "ints" : "uniform").add(d.lo()).add(d.hi());
      }
    }
    Files.writeString(
        OUT,
        json.writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n",
        StandardCharsets.UTF_8);
  }
}
