package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs never destroy data: a command never writes onto one of its inputs, replaces a file only
 * once the new one is complete (a failure leaves the old file and no temporary file), and any
 * failed write, to a file or to standard output, is exit code 2 with the path and the reason.
 */
class OutputSafetyTest {
  @TempDir Path tmp;

  static final String PROGRAM = "param w: f64[3]\nreturn sum(w * w)\n";

  Path program() throws IOException {
    Path p = tmp.resolve("x.grad");
    Files.writeString(p, PROGRAM);
    return p;
  }

  /** The names in {@code dir} other than {@code keep}: temporary files left behind. */
  static List<String> others(Path dir, String... keep) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> !List.of(keep).contains(n))
          .sorted()
          .forEach(out::add);
    }
    return out;
  }

  static void assertRefused(Cli.Result r, String output, String input) {
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out());
    assertEquals(
        output
            + ": error: the output file is also an input of this command ("
            + input
            + "); choose another output file\n",
        r.err());
  }

  @Test
  void compile_ontoItsProgram_isRefusedAndTheProgramKept() throws IOException {
    Path p = program();
    String s = p.toString();
    assertRefused(Cli.run("compile", s, "--class", "a.B", "-o", s), s, s);
    // Another spelling of the same path, a symbolic link and a hard link to it.
    String dotted = tmp.resolve(".").resolve("x.grad").toString();
    assertRefused(Cli.run("compile", s, "--class", "a.B", "-o", dotted), dotted, s);
    Path link = Files.createSymbolicLink(tmp.resolve("link.grad"), p);
    assertRefused(Cli.run("compile", s, "--class", "a.B", "-o", link.toString()), link + "", s);
    Path hard = Files.createLink(tmp.resolve("hard.grad"), p);
    assertRefused(Cli.run("compile", s, "--class", "a.B", "-o", hard.toString()), hard + "", s);
    assertEquals(PROGRAM, Files.readString(p));
    assertEquals(List.of(), others(tmp, "x.grad", "link.grad", "hard.grad"));
  }

  @Test
  void inspect_ontoItsProgram_isRefusedAndTheProgramKept() throws IOException {
    Path p = program();
    String s = p.toString();
    assertRefused(Cli.run("inspect", s, "--stage", "grad", "-o", s), s, s);
    Path dot = fakeDot("cat > \"$3\"\n");
    assertRefused(render(dot, p, p), s, s);
    // Nor onto the dot program itself.
    assertRefused(render(dot, p, dot), dot.toString(), dot.toString());
    assertEquals(PROGRAM, Files.readString(p));
  }

  /** A stand-in for Graphviz's dot: a shell script called as {@code dot -Tsvg -o OUT}. */
  Path fakeDot(String body) throws IOException {
    Path dot = Files.createTempFile(tmp, "dot", ".sh");
    Files.writeString(dot, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(dot, PosixFilePermissions.fromString("rwx------"));
    return dot;
  }

  /** {@code inspect PROGRAM --stage autograd --render svg -o OUT} with {@code dot}. */
  static Cli.Result render(Path dot, Path program, Path out) {
    return Properties.with(
        Graphviz.PROPERTY,
        dot.toString(),
        () ->
            Cli.run(
                "inspect",
                program.toString(),
                "--stage",
                "autograd",
                "--render",
                "svg",
                "-o",
                out.toString()));
  }

  @Test
  void render_dotFails_leavesThePreviousFileAndNoTemporaryFile() throws IOException {
    Path p = program();
    Path out = tmp.resolve("out/g.svg");
    Files.createDirectories(out.getParent());
    Files.writeString(out, "<svg>previous</svg>");
    Path dot = fakeDot("head -c 5 > \"$3\"\necho 'dot: out of fonts' >&2\nexit 1\n");
    Cli.Result r = render(dot, p, out);
    assertEquals(2, r.code(), r.toString());
    assertEquals(
        "--render: error: " + dot + " failed with exit code 1: dot: out of fonts\n", r.err());
    assertEquals("<svg>previous</svg>", Files.readString(out));
    assertEquals(List.of(), others(out.getParent(), "g.svg"));

    Path good = fakeDot("cat > \"$3\"\n");
    r = render(good, p, out);
    assertEquals(0, r.code(), r.toString());
    assertTrue(Files.readString(out).startsWith("digraph "), Files.readString(out));
    assertEquals(List.of(), others(out.getParent(), "g.svg"));
  }

  @Test
  void compile_overAnExistingJar_replacesItAndKeepsItsPermissions() throws IOException {
    Path p = program();
    Path jar = tmp.resolve("x.jar");
    Files.writeString(jar, "an older jar");
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r-----"));
    Cli.Result r = Cli.run("compile", p.toString(), "--class", "a.B", "-o", jar.toString());
    assertEquals(0, r.code(), r.toString());
    byte[] bytes = Files.readAllBytes(jar);
    assertArrayEquals(new byte[] {'P', 'K', 3, 4}, java.util.Arrays.copyOf(bytes, 4));
    long classes;
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar.toFile())) {
      classes = z.stream().filter(e -> e.getName().endsWith(".class")).count();
    }
    // the facade, a class per kernel and, for the vector backend, each kernel's companion
    assertTrue(classes >= 3, classes + " classes");
    assertTrue(
        r.out().startsWith("wrote " + jar + ": a.B (" + classes + " classes, " + bytes.length),
        r.out());
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(jar)));
    assertEquals(List.of(), others(tmp, "x.grad", "x.jar"));
  }

  @Test
  void compile_toADirectoryOrAnUnwritablePlace_isExit2WithThePath() throws IOException {
    Path p = program();
    Cli.Result r = Cli.run("compile", p.toString(), "--class", "a.B", "-o", tmp.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals(tmp + ": error: is a directory; give a file name for the output\n", r.err());
    // /proc accepts no new files, even from root.
    r = Cli.run("compile", p.toString(), "--class", "a.B", "-o", "/proc/gradc-test.jar");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("/proc/gradc-test.jar: error: cannot write the file: "), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void compile_toDevNull_writesThroughTheDevice() throws IOException {
    Path p = program();
    Path devNull = Path.of("/dev/null");
    assumeTrue(Files.exists(devNull));
    Cli.Result r = Cli.run("compile", p.toString(), "--class", "a.B", "-o", "/dev/null");
    assertEquals(0, r.code(), r.toString());
    assertFalse(Files.isRegularFile(devNull), "/dev/null is still a device");
  }

  /** Standard output whose writes fail as on a full disk. */
  static final class FullDisk extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("No space left on device");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      throw new IOException("No space left on device");
    }
  }

  @Test
  void stdoutFails_everyCommand_isExit2WithTheReason() throws IOException {
    Path p = program();
    String s = p.toString();
    String[][] commands = {
      {"run", s, "--random-inputs"},
      {"run", s, "--random-inputs", "--format", "json"},
      {"inspect", s},
      {"check", s, "--random-inputs"},
      {"compile", s, "--class", "a.B", "-o", tmp.resolve("x.jar").toString()},
      {"bench", s, "--random-inputs", "--warmup", "0", "--time", "0.01", "--skip-interpreter"},
      {"--help"},
      {"run", "--help"},
    };
    for (String[] args : commands) {
      StringWriter err = new StringWriter();
      int code =
          Gradc.execute(args, ConsoleWriter.of(new FullDisk(), false), new PrintWriter(err, true));
      assertEquals(2, code, String.join(" ", args) + "\n" + err);
      assertTrue(
          err.toString()
              .endsWith("gradc: error: cannot write to standard output: No space left on device\n"),
          err.toString());
    }
  }

  @Test
  void stdoutToDevFull_inAProcess_isExit2() throws Exception {
    Path full = Path.of("/dev/full");
    assumeTrue(Files.exists(full), "no /dev/full");
    Path p = program();
    for (List<String> args :
        List.of(
            List.of("run", p.toString(), "--random-inputs"),
            List.of("inspect", p.toString()),
            List.of("check", p.toString(), "--random-inputs"))) {
      Cli.Result r = Child.run(List.of(), full, 0, args, tmp);
      assertEquals(2, r.code(), args + "\n" + r);
      assertTrue(
          r.err()
              .contains("gradc: error: cannot write to standard output: No space left on device\n"),
          r.err());
    }
  }

  /** {@code ulimit -f 1}: files may grow to 1024 bytes; writing more fails with EFBIG. */
  @Test
  void fileSizeLimit_truncatedStdoutAndJar_areExit2AndTheOldJarStays() throws Exception {
    Path p = program();
    Path out = tmp.resolve("inspect.txt");
    Cli.Result r = Child.run(List.of(), out, 1, List.of("inspect", p.toString()), tmp);
    assertEquals(2, r.code(), r.toString());
    assertTrue(
        r.err().contains("gradc: error: cannot write to standard output: File too large\n"),
        r.err());

    Path jar = tmp.resolve("good.jar");
    assertEquals(
        0, Cli.run("compile", p.toString(), "--class", "a.B", "-o", jar.toString()).code());
    byte[] good = Files.readAllBytes(jar);
    assertTrue(good.length > 2048, good.length + " bytes");
    Path p2 = tmp.resolve("y.grad");
    Files.writeString(p2, "param w: f64[3]\nreturn sum(w * w * w)\n");
    r =
        Child.run(
            List.of(),
            tmp.resolve("compile.txt"),
            1,
            List.of("compile", p2.toString(), "--class", "a.C", "-o", jar.toString()),
            tmp);
    assertEquals(2, r.code(), r.toString());
    assertEquals(
        jar
            + ": error: cannot write the file: File too large (the existing file is left as it"
            + " was)\n",
        r.err());
    assertArrayEquals(good, Files.readAllBytes(jar));
    assertEquals(
        List.of(), others(tmp, "x.grad", "y.grad", "good.jar", "inspect.txt", "compile.txt"));
  }

  /**
   * One bad value of each property in a fresh JVM, where the properties are read first (the other
   * values are checked in-process by the runtime's SystemPropertiesTest and the hostile corpus).
   */
  @Test
  void badSystemProperties_inAFreshProcess_areExit2() throws Exception {
    Path p = program();
    String[][] cases = {
      {
        "-Dgradc.threads=abc",
        "the system property gradc.threads must be an integer from 1 to 1024, got 'abc'"
      },
      {
        "-Dgradc.cache.size=0",
        "the system property gradc.cache.size must be a positive integer, got '0'"
      },
    };
    for (String[] c : cases) {
      Cli.Result r =
          Child.run(List.of(c[0]), tmp.resolve("out.txt"), 0, List.of("run", p.toString()), tmp);
      assertEquals(2, r.code(), c[0] + "\n" + r);
      assertEquals("gradc: error: " + c[1] + "\n", r.err());
    }
  }
}
