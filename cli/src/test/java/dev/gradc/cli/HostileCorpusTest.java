package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * No input reaches exit code 3: the command line driven with hostile programs, JSON and {@code
 * .npy} inputs, options, system properties and file-system faults, generated from fixed seeds and
 * written by hand. Every case must end with exit code 0, 1 or 2, print no stack trace, finish
 * within a minute, and leave every input file as it was.
 *
 * <p>Inputs live under {@code in/} of a scratch directory, outputs under {@code out/}. A failing
 * case prints its name, command line and output; generated cases name their seed, and the same seed
 * generates the same case.
 *
 * <p>Programs at the size limits (a 100,000-statement program, 700 params) are cases too, and
 * {@link #hugePrograms_computeWhatTheInterpreterComputes} checks their values.
 */
class HostileCorpusTest {
  @TempDir static Path root;
  static Path in;
  static Path out;

  /** How many cases ended with exit code 0, 1 and 2, printed at the end. */
  static final int[] EXITS = new int[3];

  @AfterAll
  static void printExitCodes() {
    System.out.println(
        "hostile corpus: exit 0: " + EXITS[0] + ", exit 1: " + EXITS[1] + ", exit 2: " + EXITS[2]);
  }

  /** The input files every case may read, and their digests before any case ran. */
  static final Map<Path, String> DIGESTS = new LinkedHashMap<>();

  /**
   * The same files' size, modification time and file key before any case ran, which every case
   * checks (writing a file in place or moving another onto it changes them); their digests are
   * compared once, after the last case.
   */
  static final Map<Path, String> STAMPS = new LinkedHashMap<>();

  @AfterAll
  static void sharedInputs_unchanged() {
    for (Map.Entry<Path, String> e : DIGESTS.entrySet()) {
      assertEquals(e.getValue(), digest(e.getKey()), "changed " + e.getKey());
    }
  }

  /** One command line, with system properties set while it runs. */
  record Case(String name, List<String> args, Map<String, String> properties) {
    Case(String name, String... args) {
      this(name, List.of(args), Map.of());
    }

    @Override
    public String toString() {
      return name
          + ": gradc "
          + String.join(" ", args)
          + (properties.isEmpty() ? "" : " " + properties);
    }
  }

  // ----- the scratch directory -----------------------------------------------------------------

  static final String LINREG = "linreg.grad";
  static final String MLP = "mlp.grad";

  /**
   * Small programs that run, each covering some of the language, and seeding the mutants: the
   * bundled examples and a few more.
   */
  static final Map<String, String> PROGRAMS = new LinkedHashMap<>();

  static {
    try {
      PROGRAMS.put(LINREG, Files.readString(Cli.EXAMPLES.resolve("linear_regression.grad")));
      PROGRAMS.put(MLP, Files.readString(Cli.EXAMPLES.resolve("mlp.grad")));
      for (String example :
          new String[] {"black_scholes.grad", "huber_regression.grad", "mse.ir"}) {
        PROGRAMS.put(example, Files.readString(Cli.EXAMPLES.resolve(example)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PROGRAMS.put(
        "f32.grad",
        """
        param w: f32[4]
        input x: f32[4]
        return sum(tanh(w) * x + sigmoid(w) ** 2)
        """);
    PROGRAMS.put(
        "reduce.grad",
        """
        param w: f64[2, 3]
        s = sum(w, dim=1, keepdim=True)
        return mean(softmax(w - s, dim=0)) + amax(w) + logsumexp(w, dim=1).sum()
        """);
    PROGRAMS.put(
        "nograd.grad",
        """
        param w: f64[3]
        param v: f64[3]
        with no_grad:
            c = w * 2
        d = detach(v)
        return sum(w * c + v * d + where(w > 0, w, 0.5))
        """);
    PROGRAMS.put(
        "shapes.grad",
        """
        param w: f64[2, 3]
        t = w.T.reshape(3, 2)
        u = t.unsqueeze(0).squeeze(0)
        return sum(u @ w) + sum(clamp(w, -1.0, 1.0) * abs(w))
        """);
    PROGRAMS.put(
        "losses.grad",
        """
        param p: f64[4]
        input t: f64[4]
        return mse_loss(p, t) + l1_loss(p, t) + smooth_l1_loss(p, t) + huber_loss(p, t)
        """);
  }

  static final String LINREG_JSON =
      """
      {"x": [[0.5, -1, 2], [1.5, 0.25, -0.75], [-2, 1, 0.5], [0.1, 0.2, 0.3]],
       "y": [1, -1, 0.5, 2], "w": [0.3, -0.2, 0.7], "b": 0.25}
      """;

  static final String MLP_JSON =
      "{\"x\": [[0.5, -1, 2, 1], [1.5, 0.25, -0.75, 0], [-2, 1, 0.5, 3]], \"labels\": [0, 2, 1]}\n";

  @BeforeAll
  static void workspace() throws IOException {
    in = Files.createDirectories(root.resolve("in"));
    out = Files.createDirectories(root.resolve("out"));
    Files.createDirectories(in.resolve("mutants"));
    for (Map.Entry<String, String> p : PROGRAMS.entrySet()) {
      Files.writeString(in.resolve(p.getKey()), p.getValue());
    }
    Files.writeString(in.resolve("linreg.json"), LINREG_JSON);
    Files.writeString(in.resolve("mlp.json"), MLP_JSON);
    Files.writeString(in.resolve("empty.grad"), "");
    Files.write(in.resolve("binary.grad"), new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10});
    Files.writeString(in.resolve("bom.grad"), "\uFEFF" + PROGRAMS.get(LINREG));
    Files.writeString(in.resolve("crlf.grad"), PROGRAMS.get(LINREG).replace("\n", "\r\n"));
    Files.writeString(in.resolve("cr_only.grad"), PROGRAMS.get(LINREG).replace("\n", "\r"));
    Files.writeString(in.resolve("tabs.grad"), "param w: f64[3]\nif 1:\n\treturn sum(w)\n");
    Files.writeString(
        in.resolve("long_line.grad"),
        "param w: f64[3]\nreturn sum(w" + " + w".repeat(5_000) + ")\n");
    Files.writeString(
        in.resolve("long_name.grad"),
        "param " + "w".repeat(100_000) + ": f64[3]\nreturn sum(" + "w".repeat(99_999) + "v)\n");
    Files.writeString(
        in.resolve("deep.grad"),
        "param w: f64[3]\nreturn sum(" + "(".repeat(5000) + "w" + ")".repeat(5000) + ")\n");
    Files.writeString(in.resolve("many_params.grad"), manyParams(200));
    Files.writeString(in.resolve("params700.grad"), manyParams(700));
    // 1,000,040 bytes, under the 1 MiB limit
    Files.writeString(
        in.resolve("chain100k.grad"),
        "param w: f64[3]\na=tanh(w)\n" + "a=tanh(a)\n".repeat(100_000) + "return sum(a)\n");
    Files.writeString(
        in.resolve("wide_type.grad"), "param w: f64[" + "1, ".repeat(300) + "1]\nreturn sum(w)\n");
    Files.writeString(
        in.resolve("big_dims.grad"), "param w: f64[2147483647, 2147483647]\nreturn sum(w)\n");
    Files.writeString(
        in.resolve("big_static.grad"), "param w: f64[100000, 100000]\nreturn sum(w)\n");
    Files.writeString(
        in.resolve("zero_dim.grad"), "param x: f64[0, 1, 3]\nreturn sum(x.expand(0, 10, 3))\n");
    Files.writeString(
        in.resolve("zero_dim_broadcast.grad"),
        """
        param a: f64[5, 5, 0]
        param b: f64[0, 5]
        param c: f64[1, 0]
        return sum(a @ b) + sum(maximum(a, c) ** c)
        """);
    Files.writeString(
        in.resolve("outer.grad"), "param x: f64[N]\nreturn sum(x.unsqueeze(1) * x.unsqueeze(0))\n");
    Files.writeString(
        in.resolve("i64.grad"), "input k: i64[3]\nparam w: f64[3]\nreturn sum(w * k)\n");
    Files.writeString(in.resolve("not_utf8.json"), "{\"w\": [1, 2, 3]}");
    Files.write(in.resolve("latin1.json"), new byte[] {'{', '"', (byte) 0xe9, '"', ':', '1', '}'});
    Files.createDirectories(in.resolve("npydir"));
    NpyWriter.f8(in.resolve("npydir/w.npy"), new double[] {1, 2, 3}, 3);
    NpyWriter.f8(in.resolve("w3.npy"), new double[] {1, 2, 3}, 3);
    NpyWriter.f8(in.resolve("x43.npy"), new double[12], 4, 3);
    Files.createDirectories(in.resolve("emptydir"));
    Files.createSymbolicLink(in.resolve("dangling.grad"), in.resolve("no-such-target.grad"));
    Files.createSymbolicLink(in.resolve("loop1.grad"), in.resolve("loop2.grad"));
    Files.createSymbolicLink(in.resolve("loop2.grad"), in.resolve("loop1.grad"));
    Files.createSymbolicLink(in.resolve("link.grad"), in.resolve(LINREG));
    Path unreadable = in.resolve("unreadable.grad");
    Files.writeString(unreadable, PROGRAMS.get(LINREG));
    Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));
    Path readOnlyDir = Files.createDirectories(root.resolve("readonly"));
    Files.setPosixFilePermissions(readOnlyDir, PosixFilePermissions.fromString("r-xr-xr-x"));
  }

  static String manyParams(int n) {
    StringBuilder s = new StringBuilder();
    StringBuilder sum = new StringBuilder("return sum(p0");
    for (int i = 0; i < n; i++) {
      s.append("param p").append(i).append(": f64[2]\n");
      if (i > 0) {
        sum.append(" + p").append(i);
      }
    }
    return s.append(sum).append(")\n").toString();
  }

  static String in(String name) {
    return in.resolve(name).toString();
  }

  static String out(String name) {
    return out.resolve(name).toString();
  }

  // ----- hand-written cases --------------------------------------------------------------------

  static List<Case> handWritten() {
    List<Case> c = new ArrayList<>();
    String lin = in(LINREG);
    // Special and missing files as the program.
    for (String f :
        new String[] {
          "/dev/null",
          "/dev/zero",
          "/dev/urandom",
          "/dev/full",
          "/proc/self/status",
          "/proc",
          "/",
          in("empty.grad"),
          in("binary.grad"),
          in("bom.grad"),
          in("crlf.grad"),
          in("cr_only.grad"),
          in("tabs.grad"),
          in("long_line.grad"),
          in("long_name.grad"),
          in("deep.grad"),
          in("many_params.grad"),
          in("params700.grad"),
          in("wide_type.grad"),
          in("big_dims.grad"),
          in("big_static.grad"),
          in("zero_dim.grad"),
          in("zero_dim_broadcast.grad"),
          in("dangling.grad"),
          in("loop1.grad"),
          in("link.grad"),
          in("unreadable.grad"),
          in("emptydir"),
          in("no-such.grad"),
          in("linreg.json"),
          in("w3.npy"),
          "",
          " ",
          "-",
          "nul\0.grad",
          "x".repeat(5000) + ".grad"
        }) {
      for (String cmd : new String[] {"run", "inspect", "check", "compile"}) {
        List<String> args = new ArrayList<>(List.of(cmd, f));
        if (cmd.equals("compile")) {
          args.addAll(List.of("--class", "a.File", "-o", out("file.jar")));
        } else if (!cmd.equals("inspect")) {
          args.addAll(List.of("--dim", "N=3"));
        }
        c.add(new Case("file " + cmd + " " + shortName(f), args, Map.of()));
      }
    }
    // Inputs that are special, missing or of the wrong kind.
    for (String f :
        new String[] {
          "/dev/null",
          "/dev/zero",
          "/dev/urandom",
          "/proc/self/status",
          in("emptydir"),
          in("npydir"),
          in("no-such.json"),
          in(LINREG),
          in("binary.grad"),
          in("latin1.json"),
          in("dangling.grad"),
          in("unreadable.grad"),
          in("w3.npy"),
          ""
        }) {
      c.add(new Case("inputs " + shortName(f), "run", lin, "--inputs", f));
      c.add(new Case("set npy " + shortName(f), "run", lin, "--dim", "N=3", "--set", "w=@" + f));
    }
    c.add(new Case("inputs npy dir", "run", in("f32.grad"), "--inputs", in("npydir")));
    c.add(new Case("npy dir ok", "run", lin, "--dim", "N=2", "--inputs", in("npydir")));
    c.add(new Case("npy x ok", "run", lin, "--set", "x=@" + in("x43.npy")));
    // A fused [N, N] intermediate larger than an array: run computes it, check's interpreter
    // cannot hold it.
    for (String cmd : new String[] {"run", "check"}) {
      c.add(new Case("outer " + cmd, cmd, in("outer.grad"), "--dim", "N=50000", "--random-inputs"));
    }
    for (String f : new String[] {"zero_dim.grad", "zero_dim_broadcast.grad"}) {
      c.add(new Case("empty run " + f, "run", in(f), "--random-inputs", "--format", "json"));
      c.add(new Case("empty check " + f, "check", in(f), "--random-inputs"));
    }
    // Outputs onto inputs, into directories, devices and places that cannot be written.
    for (String o :
        new String[] {
          lin,
          in("link.grad"),
          in("emptydir"),
          "/dev/full",
          "/dev/null",
          "/proc/gradc.out",
          "/proc/self/status",
          root.resolve("readonly/x.out").toString(),
          out("new/dir/x.out"),
          "",
          ".",
          "/",
          in("dangling.grad"),
          out("x".repeat(300))
        }) {
      c.add(new Case("compile -o " + shortName(o), "compile", lin, "--class", "a.B", "-o", o));
      c.add(new Case("inspect -o " + shortName(o), "inspect", lin, "--stage", "ir", "-o", o));
      c.add(
          new Case(
              "render -o " + shortName(o),
              List.of("inspect", lin, "--stage", "autograd", "--render", "svg", "-o", o),
              Map.of(Graphviz.PROPERTY, "/bin/cat")));
    }
    // System properties.
    for (String v : new String[] {"abc", "0", "-5", "1025", "", " ", "1e3", "٤", "2147483648"}) {
      c.add(
          new Case(
              "threads " + v, List.of("run", lin, "--dim", "N=2"), Map.of("gradc.threads", v)));
      c.add(
          new Case(
              "cache " + v, List.of("run", lin, "--dim", "N=2"), Map.of("gradc.cache.size", v)));
    }
    for (String v : new String[] {"", "/nonexistent/dot", "/etc", "/etc/hostname", "\0"}) {
      c.add(
          new Case(
              "dot " + shortName(v),
              List.of("inspect", lin, "--stage", "ir", "--render", "png", "-o", out("g.png")),
              Map.of(Graphviz.PROPERTY, v)));
    }
    c.add(
        new Case(
            "dot fails",
            List.of("inspect", lin, "--stage", "ir", "--render", "png", "-o", out("g.png")),
            Map.of(Graphviz.PROPERTY, "/bin/false")));
    // Options.
    String[][] options = {
      {"run"},
      {},
      {"--help"},
      {"--version"},
      {"nope"},
      {"run", lin, "--nope"},
      {"run", lin, "--dim"},
      {"run", lin, "--dim", "N=0"},
      {"run", lin, "--dim", "N=-1"},
      {"run", lin, "--dim", "N=abc"},
      {"run", lin, "--dim", "N=99999999999"},
      {"run", lin, "--dim", "N=2147483647"},
      {"run", lin, "--dim", "N=1073741824"},
      {"run", lin, "--dim", "=3"},
      {"run", lin, "--dim", "N=3=4"},
      {"run", lin, "--dim", "N=٣"},
      {"run", lin, "--dim", "N=3", "--dim", "N=4"},
      {"run", lin, "--dim", "M=3"},
      {"run", lin, "--seed", "abc"},
      {"run", lin, "--seed", "-1", "--dim", "N=2"},
      {"run", lin, "--seed", "99999999999999999999"},
      {"run", lin, "--threads", "0"},
      {"run", lin, "--threads", "1025"},
      {"run", lin, "--threads", "abc"},
      {"run", lin, "--format", "xml"},
      {"run", lin, "--format", ""},
      {"run", lin, "--dim", "N=2", "--format", "json", "--allow-nonfinite"},
      {"run", lin, "--set", "w"},
      {"run", lin, "--set", "=1"},
      {"run", lin, "--set", "w=[1,2"},
      {"run", lin, "--set", "w=[1,2,3]", "--set", "w=[4,5]"},
      {"run", lin, "--set", "nope=1"},
      {"run", lin, "--set", "b=NaN", "--dim", "N=2"},
      {"run", lin, "--set", "b=Infinity", "--dim", "N=2", "--allow-nonfinite"},
      {"run", lin, "--set", "b=1e999", "--dim", "N=2"},
      {"run", lin, "--set", "b=\"s\"", "--dim", "N=2"},
      {"run", lin, "--set", "b=[[[[1]]]]", "--dim", "N=2"},
      {"run", lin, "--set", "b=@"},
      {"run", lin, "--set", "x=[]"},
      {"run", lin, "--set", "x=[[]]"},
      {"run", lin, "--set", "y=[]"},
      {"run", in(MLP), "--dim", "N=3"},
      {"run", in(MLP), "--set", "labels=[0,1,3]"},
      {"run", in(MLP), "--set", "labels=[0,1,-1]"},
      {"run", in(MLP), "--set", "labels=[0,1,1.5]"},
      {"run", in(MLP), "--set", "labels=[0,1,9223372036854775807]"},
      {"run", in(MLP), "--set", "labels=[0,1,9223372036854775808]"},
      {"run", in(MLP), "--inputs", in("mlp.json")},
      {"check", lin, "--points", "0"},
      {"check", lin, "--points", "-1"},
      {"check", lin, "--points", "99999999999"},
      {"check", lin, "--dim", "N=2", "--points", "2147483647"},
      {"check", in(MLP), "--inputs", in("mlp.json")},
      {"check", lin, "--dim", "N=2", "--set", "b=1e308"},
      {"bench", lin, "--dim", "N=2", "--time", "0"},
      {"bench", lin, "--dim", "N=2", "--time", "NaN"},
      {"bench", lin, "--dim", "N=2", "--time", "Infinity"},
      {"bench", lin, "--dim", "N=2", "--time", "1e308"},
      {"bench", lin, "--dim", "N=2", "--warmup", "-1"},
      {"bench", lin, "--dim", "N=2", "--warmup", "1e308"},
      {"bench", lin, "--dim", "N=2", "--warmup", "0", "--time", "0.001"},
      {"inspect", lin, "--stage", "nope"},
      {"inspect", lin, "--stage", ""},
      {"inspect", lin, "--format", "dot"},
      {"inspect", lin, "--format", "dot", "--stage", "kernels"},
      {"inspect", lin, "--format", "json"},
      {"inspect", lin, "--render", "pdf", "-o", out("g.pdf")},
      {"inspect", lin, "--render", "svg"},
      {"inspect", lin, "--render", "svg", "--format", "json", "-o", out("g.svg")},
      {"compile", lin},
      {"compile", lin, "--class", "a.B"},
      {"compile", lin, "-o", out("a.jar")},
      {"compile", lin, "--class", "java.lang.String", "-o", out("s.jar")},
      {"compile", lin, "--class", "java.Evil", "-o", out("s.jar")},
      {"compile", lin, "--class", "a.var", "-o", out("s.jar")},
      {"compile", lin, "--class", "a.b.c." + "d".repeat(300), "-o", out("s.jar")},
      {"compile", lin, "--class", "a." + "b.".repeat(2000) + "C", "-o", out("s.jar")},
      {"compile", lin, "--class", "a$b", "-o", out("s.jar")},
      {"compile", lin, "--class", "", "-o", out("s.jar")},
      {"compile", lin, "--class", "١", "-o", out("s.jar")},
      {"compile", lin, "--class", "a.\u0000", "-o", out("s.jar")},
      {"compile", in(MLP), "--class", "Mlp", "-o", out("mlp.jar")},
      {"compile", in("i64.grad"), "--class", "I", "-o", out("i.jar")},
      {"run", lin, "--", "--dim"},
      {"run", lin, lin},
      {"run", "--debug"},
      {"run", lin, "--dim", "N=2", "--debug", "--debug"},
    };
    for (String[] o : options) {
      c.add(new Case("options " + shortName(String.join(" ", o)), o));
    }
    return c;
  }

  static String shortName(String s) {
    String t = s.replace(root.toString(), "");
    return t.length() > 40 ? t.substring(0, 40) + "..." : t;
  }

  // ----- generated cases -----------------------------------------------------------------------

  static final String[] HOSTILE_TOKENS = {
    "١",
    "٢.٥",
    "２",
    "ｗ",
    "é",
    "😀",
    "\u0000",
    "\uFEFF",
    "\u200b",
    "\r",
    "\t",
    "\n    ",
    "\n",
    "#",
    "'s'",
    "\"",
    "\\",
    "$",
    "?",
    "`",
    "(",
    ")",
    "[",
    "]",
    "((((((((((",
    "]]]]",
    ",",
    ":",
    "=",
    ".",
    "..",
    "**",
    "@",
    "//",
    "%",
    "->",
    "+=",
    ".T",
    ".sum(",
    "dim=",
    "dim=-7",
    "keepdim=True",
    "1e999",
    "-1e999",
    "1e-999",
    "99999999999999999999",
    "9223372036854775808",
    "0x10",
    "1_000",
    "1__0",
    "01",
    "0.0",
    "-0.0",
    "nan",
    "inf",
    "True",
    "None",
    "lambda",
    "if",
    "for",
    "def",
    "with no_grad:\n",
    "with no_grad:\n    ",
    "return ",
    "param q: f64[3]\n",
    "input k: i64[N]\n",
    "param z: f64[N, M]\n",
    "detach(",
    "where(",
    "reshape(",
    "matmul(",
    "one_hot(",
    "softmax(",
    "cross_entropy(",
    "amax(",
    "sum(",
    "mean(",
    "exp(",
    "log(",
    "sqrt(",
    "pow(",
    "clamp(",
    "expand(",
    "permute(",
    "unsqueeze(",
    "squeeze(",
    "transpose(",
    "f16",
    "bool",
    "i64",
    "f32",
    "w".repeat(300),
    "x",
    "y",
    "N",
    "M",
    "torch.",
    "F.",
    "x.grad",
    "w.backward()",
  };

  static final String[] DIMS = {
    "1", "2", "3", "7", "N", "M", "K", "2*N", "N*2", "-1", "1.5", "x", "99999"
  };

  /** A seeded edit of a program's text: characters, tokens, lines, numbers, dtypes, dims. */
  static String mutate(String src, SplittableRandom r) {
    StringBuilder b = new StringBuilder(src);
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = b.length() == 0 ? 0 : r.nextInt(b.length() + 1);
      int len = Math.min(b.length() - at, 1 + r.nextInt(8));
      switch (r.nextInt(9)) {
        case 0 -> b.delete(at, at + len);
        case 1 -> b.insert(at, b.substring(at, at + len));
        case 2, 3 -> b.insert(at, HOSTILE_TOKENS[r.nextInt(HOSTILE_TOKENS.length)]);
        case 4 -> b.setLength(at);
        case 5 ->
            replaceOne(
                b,
                Pattern.compile("\\b\\d+(\\.\\d+)?\\b"),
                r,
                new String[] {
                  "1e999", "1e-320", "-0.0", "0", "99999999999999999999", "٣", "2**60", "nan"
                });
        case 6 ->
            replaceOne(
                b,
                Pattern.compile("\\b(f64|f32)\\b"),
                r,
                new String[] {"f32", "f64", "i64", "bool", "f16"});
        case 7 -> replaceOne(b, Pattern.compile("(?<=[\\[,] ?)(\\d+|[A-Z])(?=[,\\]])"), r, DIMS);
        default -> {
          List<String> lines = new ArrayList<>(List.of(b.toString().split("\n", -1)));
          if (lines.size() > 1) {
            int i = r.nextInt(lines.size());
            int j = r.nextInt(lines.size());
            String t = lines.get(i);
            lines.set(i, lines.get(j));
            lines.set(j, t);
            b.setLength(0);
            b.append(String.join("\n", lines));
          }
        }
      }
    }
    return b.toString();
  }

  /** The unary elementwise ops: most are builtins of the same name, any other is an error. */
  static final String[] UNARY =
      Arrays.stream(Op.values())
          .filter(op -> op.arity() == 1 && op.kind() == Op.Kind.ELEMENTWISE)
          .map(Op::mnemonic)
          .toArray(String[]::new);

  static final String[] EXTREMES = {
    "1e308", "-1e308", "1e-308", "5e-324", "0", "-0.0", "3.4e38", "1e-45", "2", "0.5", "-1", "700",
  };

  /**
   * A seeded edit that mostly keeps the program valid, so that it reaches compilation and runs:
   * functions, operators, constants (extreme ones too), dtypes and small dims exchanged.
   */
  static String mutateMeaning(String src, SplittableRandom r) {
    StringBuilder b = new StringBuilder(src);
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits; e++) {
      switch (r.nextInt(5)) {
        case 0 ->
            replaceOne(b, Pattern.compile("\\b(" + String.join("|", UNARY) + ")(?=\\()"), r, UNARY);
        case 1 ->
            replaceOne(
                b,
                Pattern.compile("(?<= )[-+*/](?= )|\\*\\*"),
                r,
                new String[] {"+", "-", "*", "/", "**"});
        case 2 ->
            replaceOne(
                b, Pattern.compile("(?<![\\w.])\\d+(\\.\\d+)?(?![\\w\\],]|, )"), r, EXTREMES);
        case 3 -> replaceOne(b, Pattern.compile("\\b(f64|f32)\\b"), r, new String[] {"f32", "f64"});
        default ->
            replaceOne(
                b,
                Pattern.compile("(?<=[\\[,] ?)\\d+(?=[,\\]])"),
                r,
                new String[] {"1", "2", "3", "4", "8"});
      }
    }
    return b.toString();
  }

  static void replaceOne(StringBuilder b, Pattern p, SplittableRandom r, String[] with) {
    Matcher m = p.matcher(b);
    List<int[]> spans = new ArrayList<>();
    while (m.find()) {
      spans.add(new int[] {m.start(), m.end()});
    }
    if (!spans.isEmpty()) {
      int[] s = spans.get(r.nextInt(spans.size()));
      b.replace(s[0], s[1], with[r.nextInt(with.length)]);
    }
  }

  /** The symbols of a program's declarations, each given a small size with --dim. */
  static List<String> dimOptions(String src) {
    Set<String> syms = new LinkedHashSet<>();
    Matcher m =
        Pattern.compile("\\b(?:param|input)\\s+\\w+\\s*:\\s*\\w+\\[([^\\]\\n]*)\\]").matcher(src);
    while (m.find()) {
      for (String d : m.group(1).split(",", -1)) {
        String t = d.strip();
        if (t.matches("[A-Za-z_]\\w*")) {
          syms.add(t);
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String s : syms) {
      out.add("--dim");
      out.add(s + "=2");
    }
    return out;
  }

  static List<Case> programMutants(int count, long seed) throws IOException {
    List<Case> c = new ArrayList<>();
    List<String> names = new ArrayList<>(PROGRAMS.keySet());
    for (int i = 0; i < count; i++) {
      SplittableRandom r = new SplittableRandom(seed + i);
      String base = names.get(r.nextInt(names.size()));
      String src =
          r.nextBoolean() ? mutate(PROGRAMS.get(base), r) : mutateMeaning(PROGRAMS.get(base), r);
      String ext = base.endsWith(".ir") ? ".ir" : ".grad";
      Path file = in.resolve("mutants/m" + (seed + i) + ext);
      Files.writeString(file, src);
      List<String> args = new ArrayList<>();
      switch (r.nextInt(6)) {
        case 0, 1 -> {
          args.addAll(List.of("run", file.toString()));
          args.addAll(dimOptions(src));
          if (src.contains("labels")) {
            args.addAll(List.of("--set", "labels=[0,2]"));
          }
          if (r.nextBoolean()) {
            args.addAll(List.of("--format", "json"));
          }
          if (r.nextBoolean()) {
            args.addAll(List.of("--allow-nonfinite", "--seed", Integer.toString(i)));
          }
        }
        case 2 -> {
          args.addAll(List.of("check", file.toString(), "--points", "3"));
          args.addAll(dimOptions(src));
        }
        case 3, 4 -> {
          String[] stages = {
            "all", "ir", "grad", "jvp", "opt", "kernels", "bytecode", "autograd", "source"
          };
          String stage = stages[r.nextInt(stages.length)];
          args.addAll(List.of("inspect", file.toString(), "--stage", stage));
          if (r.nextInt(3) == 0) {
            args.addAll(
                List.of(
                    "--format", stage.equals("all") ? "json" : r.nextBoolean() ? "dot" : "json"));
          }
        }
        default ->
            args.addAll(
                List.of("compile", file.toString(), "--class", "gen.M" + i, "-o", out("m.jar")));
      }
      c.add(new Case("program seed " + (seed + i) + " (" + base + ")", args, Map.of()));
    }
    return c;
  }

  static final String[] JSON_VALUES = {
    "\"s\"",
    "null",
    "true",
    "{}",
    "[]",
    "[[]]",
    "[[[]]]",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0.0",
    "1.5",
    "-1",
    "3",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999999",
    "[1]",
    "[1, 2]",
    "[1, 2, 3, 4, 5]",
    "[[1, 2, 3]]",
    "[\"a\", 1]",
    "[1, [2]]",
    "[[1], [2, 3]]",
    "0x10",
    "1e-400",
    "[" + "1, ".repeat(1000) + "1]",
  };

  static List<Case> jsonMutants(int count, long seed) throws IOException {
    List<Case> c = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SplittableRandom r = new SplittableRandom(seed + i);
      boolean mlp = r.nextInt(3) == 0;
      String text = mlp ? MLP_JSON : LINREG_JSON;
      byte[] bytes;
      switch (r.nextInt(5)) {
        case 0, 1 -> {
          // Replace one value (a number or a list) with a hostile one.
          StringBuilder b = new StringBuilder(text);
          replaceOne(b, Pattern.compile("-?\\d+(\\.\\d+)?|\\[[^\\[\\]]*\\]"), r, JSON_VALUES);
          bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        }
        case 2 -> bytes = mutateBytes(text.getBytes(StandardCharsets.UTF_8), r);
        case 3 -> {
          String[] whole = {
            "",
            " ",
            "[]",
            "1",
            "\"x\"",
            "null",
            "{\"w\": [1, 2, 3], \"w\": [1, 2, 3]}",
            "{\"w\": " + "[".repeat(2000) + "]".repeat(2000) + "}",
            "{\"nope\": 1}",
            "\uFEFF" + text,
            text + text,
            text + "x",
            "{\"w\": [1, 2, 3]} // comment",
            "{'w': [1, 2, 3]}",
            "{\"w\": [1, 2, 3],}",
            "{\"b\": " + "9".repeat(2000) + "}",
            "{\"b\": \"" + "s".repeat(100_000) + "\"}",
            "{\"x\": @x.npy}",
            "{\"w\": \"@w3.npy\"}",
            "{\"w\": \"@../in/w3.npy\"}",
            "{\"w\": \"@/dev/zero\"}",
            "{\"w\": \"@\"}",
            "{\"w\": \"@npydir\"}",
            "{\"w\": \"@no-such.npy\"}",
            "{\"x\": \"@x43.npy\"}",
          };
          bytes = whole[r.nextInt(whole.length)].getBytes(StandardCharsets.UTF_8);
        }
        default -> {
          String utf16 = text;
          bytes =
              r.nextBoolean()
                  ? utf16.getBytes(StandardCharsets.UTF_16LE)
                  : utf16.getBytes(StandardCharsets.UTF_16BE);
        }
      }
      Path file = in.resolve("mutants/j" + (seed + i) + ".json");
      Files.write(file, bytes);
      List<String> args =
          new ArrayList<>(
              List.of(
                  r.nextInt(4) == 0 ? "check" : "run",
                  in(mlp ? MLP : LINREG),
                  "--inputs",
                  file.toString()));
      if (r.nextBoolean()) {
        args.add("--allow-nonfinite");
      }
      if (args.get(0).equals("check")) {
        args.addAll(List.of("--points", "2"));
      }
      c.add(new Case("json seed " + (seed + i), args, Map.of()));
    }
    return c;
  }

  static byte[] mutateBytes(byte[] src, SplittableRandom r) {
    byte[] b = src.clone();
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = r.nextInt(b.length);
      switch (r.nextInt(3)) {
        case 0 -> b[at] = (byte) r.nextInt(256);
        case 1 -> b = Arrays.copyOf(b, at);
        default -> b[at] ^= (byte) (1 << r.nextInt(8));
      }
      if (b.length == 0) {
        break;
      }
    }
    return b;
  }

  static final String[] DESCRS = {
    "<f8", "<f8", "<f4", "<i8", ">f8", "|b1", "<i4", "<c16", "O", "<U3", "", "<f8'", "<f2", "=f8",
  };

  static final String[] SHAPES = {
    "(3,)",
    "(3,)",
    "(1, 3)",
    "()",
    "(0,)",
    "(-1,)",
    "(3, 0)",
    "(2147483647,)",
    "(4294967296,)",
    "(99999999999999999999,)",
    "(3.0,)",
    "('3',)",
    "(3, (4,))",
    "3",
    "[3]",
    "(",
    "(3,",
    "(1,) * 300",
    "(" + "1, ".repeat(300) + ")",
    "(65536, 65536)",
  };

  static List<Case> npyMutants(int count, long seed) throws IOException {
    List<Case> c = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SplittableRandom r = new SplittableRandom(seed + i);
      String descr = DESCRS[r.nextInt(DESCRS.length)];
      String shape = SHAPES[r.nextInt(SHAPES.length)];
      String fortran = r.nextInt(5) == 0 ? (r.nextBoolean() ? "True" : "1") : "False";
      String dict =
          "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
      if (r.nextInt(6) == 0) {
        dict = dict.replace("'shape'", "'shapes'");
      }
      int version = r.nextInt(8) == 0 ? r.nextInt(5) : 1;
      byte[] headerText =
          (dict + " ".repeat(r.nextInt(20)) + "\n").getBytes(StandardCharsets.ISO_8859_1);
      java.nio.ByteBuffer h =
          java.nio.ByteBuffer.allocate(12 + headerText.length)
              .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      h.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
      if (version == 1) {
        h.putShort((short) headerText.length);
      } else {
        h.putInt(headerText.length);
      }
      h.put(headerText);
      int dataBytes =
          switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 24 + r.nextInt(3) * 8 - 8;
            default -> 24;
          };
      byte[] bytes = Arrays.copyOf(h.array(), h.position() + dataBytes);
      if (r.nextInt(4) == 0) {
        bytes = mutateBytes(bytes, r);
      }
      Path file = in.resolve("mutants/n" + (seed + i) + ".npy");
      Files.write(file, bytes);
      c.add(
          new Case(
              "npy seed " + (seed + i) + " " + shortName(dict),
              "run",
              in(LINREG),
              "--dim",
              "N=2",
              "--set",
              "w=@" + file));
    }
    return c;
  }

  static final String[][] OPTION_POOL = {
    {"--dim", "N=2"},
    {"--dim", "N=0"},
    {"--dim", "N=x"},
    {"--dim", "Q=2"},
    {"--seed", "7"},
    {"--seed", "x"},
    {"--threads", "1"},
    {"--threads", "2"},
    {"--threads", "0"},
    {"--threads", "4096"},
    {"--format", "json"},
    {"--format", "text"},
    {"--format", "dot"},
    {"--set", "w=[1,2,3]"},
    {"--set", "w=[1,2]"},
    {"--set", "b=[1]"},
    {"--set", "b=1"},
    {"--set", "y=@/dev/null"},
    {"--inputs", null},
    {"--allow-nonfinite"},
    {"--points", "1"},
    {"--points", "0"},
    {"--stage", "grad"},
    {"--stage", "bytecode"},
    {"--stage", "x"},
    {"--class", "a.B"},
    {"--class", "java.X"},
    {"-o", null},
    {"--render", "svg"},
    {"--warmup", "0"},
    {"--time", "0.001"},
    {"--time", "-5"},
    {"--skip-interpreter"},
    {"--debug"},
    {"--help"},
    {"--"},
    {""},
    {"-"},
    {"--dim=N=2"},
    {"--set=b=2"},
    {"-x"},
  };

  static List<Case> optionMutants(int count, long seed) {
    List<Case> c = new ArrayList<>();
    String[] commands = {"run", "check", "inspect", "compile", "bench"};
    for (int i = 0; i < count; i++) {
      SplittableRandom r = new SplittableRandom(seed + i);
      String cmd = commands[r.nextInt(commands.length)];
      List<String> args = new ArrayList<>(List.of(cmd, in(LINREG)));
      int n = 1 + r.nextInt(5);
      boolean hasTime = false;
      for (int k = 0; k < n; k++) {
        String[] o = OPTION_POOL[r.nextInt(OPTION_POOL.length)];
        args.add(o[0]);
        if (o.length > 1) {
          args.add(
              o[1] != null ? o[1] : o[0].equals("-o") ? out("o" + i + ".out") : in("linreg.json"));
        }
        hasTime |= o[0].equals("--time");
      }
      if (cmd.equals("bench") && !hasTime) {
        args.addAll(List.of("--time", "0.001", "--warmup", "0"));
      }
      c.add(new Case("options seed " + (seed + i), args, Map.of()));
    }
    return c;
  }

  /** The corpus, generated once: generating writes the mutants' files. */
  static List<Case> corpus;

  static List<Case> corpus() throws IOException {
    if (corpus == null) {
      List<Case> c = new ArrayList<>(handWritten());
      c.addAll(programMutants(400, 1_000));
      c.addAll(jsonMutants(100, 2_000));
      c.addAll(npyMutants(80, 3_000));
      c.addAll(optionMutants(100, 4_000));
      corpus = List.copyOf(c);
    }
    return corpus;
  }

  // ----- the checks ----------------------------------------------------------------------------

  static String digest(Path p) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(Files.readAllBytes(p)));
    } catch (IOException e) {
      return "unreadable: " + e;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String stamp(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return a.size() + " " + a.lastModifiedTime() + " " + a.fileKey();
    } catch (IOException e) {
      return "unreadable: " + e;
    }
  }

  /** The files a case names under in/, other than the shared ones (see {@link #STAMPS}). */
  static List<Path> inputsOf(Case c) {
    List<Path> files = new ArrayList<>();
    List<String> args = c.args();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-o") || a.equals("--output")) {
        i++; // the output, which the command may write
        continue;
      }
      String path = a.startsWith("w=@") || a.startsWith("x=@") ? a.substring(3) : a;
      if (path.startsWith(in.toString()) && !path.contains("\0")) {
        Path p = Path.of(path);
        if (Files.isRegularFile(p) && !STAMPS.containsKey(p)) {
          files.add(p);
        }
      }
    }
    return files;
  }

  @Test
  void corpus_hasAtLeast500Cases() throws IOException {
    workspaceIfNeeded();
    int size = corpus().size();
    assertTrue(size >= 500, size + " cases");
  }

  static void workspaceIfNeeded() throws IOException {
    if (DIGESTS.isEmpty()) {
      try (Stream<Path> s = Files.list(in)) {
        for (Path p : s.sorted().toList()) {
          if (Files.isRegularFile(p) && !p.getFileName().toString().equals("unreadable.grad")) {
            DIGESTS.put(p, digest(p));
            STAMPS.put(p, stamp(p));
          }
        }
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCase_exitsWith0To2_noStackTrace_inputsUnchanged() throws IOException {
    workspaceIfNeeded();
    return corpus().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  /**
   * The arguments of a case, with {@code --random-inputs} added to {@code run}, {@code check} and
   * {@code bench}, so that the mutants reach compilation and execution.
   */
  static String[] generating(List<String> args) {
    List<String> out = new ArrayList<>(args);
    if (!out.isEmpty()
        && List.of("run", "check", "bench").contains(out.get(0))
        && !out.contains("--random-inputs")) {
      out.add("--random-inputs");
    }
    return out.toArray(new String[0]);
  }

  static void check(Case c) {
    Map<Path, String> before = new LinkedHashMap<>();
    for (Path p : inputsOf(c)) {
      before.put(p, digest(p));
    }
    Cli.Result r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () -> withProperties(c.properties(), () -> Cli.run(generating(c.args()))),
            c::toString);
    String what = c + "\n" + r;
    assertTrue(r.code() >= 0 && r.code() <= 2, what);
    EXITS[r.code()]++;
    // (stdout may name exception classes: the bytecode view lists the generated code's.)
    assertFalse(r.out().contains("\tat ") || r.err().contains("\tat "), "a stack trace: " + what);
    assertFalse(r.err().contains("gradc: internal error"), what);
    assertFalse(r.err().contains("Exception"), what);
    for (Map.Entry<Path, String> e : before.entrySet()) {
      if (!e.getValue().equals(digest(e.getKey()))) {
        fail("changed " + e.getKey() + ": " + what);
      }
    }
    for (Map.Entry<Path, String> e : STAMPS.entrySet()) {
      if (!e.getValue().equals(stamp(e.getKey()))) {
        fail("changed " + e.getKey() + ": " + what);
      }
    }
  }

  static Cli.Result withProperties(
      Map<String, String> properties, java.util.function.Supplier<Cli.Result> run) {
    java.util.function.Supplier<Cli.Result> code = run;
    for (Map.Entry<String, String> p : properties.entrySet()) {
      java.util.function.Supplier<Cli.Result> inner = code;
      code = () -> Properties.with(p.getKey(), p.getValue(), inner);
    }
    return code.get();
  }

  /**
   * Programs at the size limits compile and run, or are refused with a reason: a 100,000-statement
   * program (under the 1 MiB limit; its class keeps 100,000 stored values, more than a class file's
   * constant pool could number), and 700 params (more than a method's locals could bind). Their
   * values are the interpreter's. An ahead-of-time class for 700 params would need entry points
   * larger than a JVM method: refused by name.
   */
  @Test
  void hugePrograms_computeWhatTheInterpreterComputes() throws IOException {
    workspaceIfNeeded();
    Path chain = in.resolve("chain100k.grad");
    Cli.Result r =
        assertTimeoutPreemptively(
            Duration.ofMinutes(5),
            () -> Cli.run("run", chain.toString(), "--set", "w=[0.5, -1, 2]", "--format", "json"));
    assertEquals(0, r.code(), () -> r.code() + r.err());
    Func f = GradLanguage.parse(chain).func();
    assertComputes(
        f, List.of(new NdArray(DType.F64, new int[] {3}, new double[] {0.5, -1, 2})), r.out());

    Path many = in.resolve("params700.grad");
    Func g = GradLanguage.parse(many).func();
    List<NdArray> args = new ArrayList<>();
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < 700; i++) {
      double[] p = {0.01 * i, 1 - 0.002 * i};
      args.add(new NdArray(DType.F64, new int[] {2}, p));
      json.append(i == 0 ? "" : ", ").append("\"p").append(i).append("\": ");
      json.append(Arrays.toString(p));
    }
    Path inputs = out.resolve("params700.json");
    Files.writeString(inputs, json.append("}").toString());
    Cli.Result m =
        Cli.run("run", many.toString(), "--inputs", inputs.toString(), "--format", "json");
    assertEquals(0, m.code(), () -> m.code() + m.err());
    assertComputes(g, args, m.out());

    Cli.Result aot = Cli.run("compile", many.toString(), "--class", "a.P", "-o", out("p700.jar"));
    assertEquals(2, aot.code(), aot.toString());
    assertTrue(
        aot.err()
            .contains(
                "error: too many arrays for ahead-of-time compilation: value would take 700"
                    + " arrays"),
        aot.toString());
  }

  /** The {@code run --format json} output {@code json} holds the interpreter's value and grads. */
  static void assertComputes(Func f, List<NdArray> args, String json) throws IOException {
    List<NdArray> want = Interpreter.run(Autodiff.vjp(f), args);
    JsonNode got = Fixtures.JSON.readTree(json);
    assertEquals(want.get(0).item(), got.get("value").asDouble(), 1e-12);
    List<Param> grads = f.gradParams();
    for (int i = 0; i < grads.size(); i++) {
      JsonNode gi = got.get("grad").get(grads.get(i).name());
      double[] w = want.get(1 + i).toDoubleArray();
      for (int k = 0; k < w.length; k++) {
        assertEquals(w[k], gi.get(k).asDouble(), 1e-12 * Math.max(1, Math.abs(w[k])));
      }
    }
  }
}
