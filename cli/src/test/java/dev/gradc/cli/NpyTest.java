package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy reader against files NumPy wrote ({@code tools/npy/generate.py}). */
class NpyTest {
  static final Path DIR = Path.of("src/test/resources/npy");

  @TempDir Path tmp;

  /** {@code 0.5 i - 1} for i = 0..n-1, as the generator writes. */
  static double[] grid(int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = 0.5 * i - 1;
    }
    return d;
  }

  static Data read(String name) {
    return Npy.read(DIR.resolve(name), name);
  }

  @Test
  void f8_matrix() {
    Data d = read("f8_2x3.npy");
    assertEquals(DType.F64, d.dtype());
    assertArrayEquals(new int[] {2, 3}, d.shape());
    assertArrayEquals(grid(6), (double[]) d.buffer(), 0.0);
  }

  @Test
  void f4_vector() {
    Data d = read("f4_4.npy");
    assertEquals(DType.F32, d.dtype());
    assertArrayEquals(new int[] {4}, d.shape());
    assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f}, (float[]) d.buffer(), 0f);
  }

  @Test
  void i8_vector() {
    Data d = read("i8_5.npy");
    assertEquals(DType.I64, d.dtype());
    assertArrayEquals(new long[] {0, 2, 1, 1, -3}, (long[]) d.buffer());
  }

  @Test
  void scalar_hasRankZero() {
    Data d = read("f8_scalar.npy");
    assertArrayEquals(new int[0], d.shape());
    assertArrayEquals(new double[] {2.25}, (double[]) d.buffer(), 0.0);
  }

  @Test
  void rank3_isCOrder() {
    Data d = read("f8_2x2x2.npy");
    assertArrayEquals(new int[] {2, 2, 2}, d.shape());
    assertArrayEquals(grid(8), (double[]) d.buffer(), 0.0);
  }

  @Test
  void formatVersions2And3() {
    assertArrayEquals(grid(3), (double[]) read("f8_v2_3.npy").buffer(), 0.0);
    assertArrayEquals(grid(3), (double[]) read("f8_v3_3.npy").buffer(), 0.0);
  }

  static String error(String name) {
    return assertThrows(UserError.class, () -> read(name)).diagnostic();
  }

  @Test
  void refused_withReasons() {
    assertEquals(
        "fortran_2x3.npy: error: the array is in Fortran order; save a C-ordered copy with"
            + " numpy.save(path, numpy.ascontiguousarray(a))\n",
        error("fortran_2x3.npy"));
    assertEquals(
        "big_endian_3.npy: error: unsupported dtype '>f8' (supported: '<f8' float64, '<f4'"
            + " float32, '<i8' int64, '|b1' bool); big-endian data is not supported; save"
            + " a.astype(a.dtype.newbyteorder('<'))\n",
        error("big_endian_3.npy"));
    assertTrue(error("i4_3.npy").contains("unsupported dtype '<i4'"));
    assertEquals(
        "truncated_2x3.npy: error: truncated .npy file: shape [2, 3] needs 48 bytes of data, the"
            + " file has 40\n",
        error("truncated_2x3.npy"));
    assertEquals(
        "trailing_2x3.npy: error: the .npy file has 8 bytes after the 48 bytes of data its shape"
            + " [2, 3] needs\n",
        error("trailing_2x3.npy"));
    assertEquals(
        "not_npy.npy: error: not a NumPy .npy file (it does not start with \\x93NUMPY)\n",
        error("not_npy.npy"));
    assertEquals("missing.npy: error: no such file\n", error("missing.npy"));
  }

  @Test
  void malformedHeader_isAnError() throws IOException {
    byte[] head = "\u0093NUMPY\u0001\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    String dict = "{'descr': '<f8', 'shape': (2,), }\n";
    Path p = tmp.resolve("bad.npy");
    byte[] bytes = new byte[head.length + 2 + dict.length()];
    System.arraycopy(head, 0, bytes, 0, head.length);
    bytes[head.length] = (byte) dict.length();
    System.arraycopy(
        dict.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, 10, dict.length());
    Files.write(p, bytes);
    UserError e = assertThrows(UserError.class, () -> Npy.read(p, "bad.npy"));
    assertTrue(
        e.getMessage().startsWith("malformed .npy header: it needs 'descr', 'fortran_order'"),
        e.getMessage());
  }

  @Test
  void run_setFromNpy() {
    // x: 2 x 3 grid, y, w and b given: loss = mean((x w + b - y)^2).
    Cli.Result r =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--set",
            "x=@" + DIR.resolve("f8_2x3.npy"),
            "--set",
            "y=[0, 0]",
            "--set",
            "w=[1, 1, 1]",
            "--set",
            "b=0",
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    // rows [-1, -0.5, 0] and [0.5, 1, 1.5]: predictions -1.5 and 3; loss (2.25 + 9) / 2.
    assertEquals("{\"value\":5.625,", r.out().substring(0, 15));
  }

  @Test
  void run_inputsDirectoryOfNpy() throws IOException {
    Cli.Result r =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--inputs",
            DIR.resolve("linreg").toString(),
            "--set",
            "w=[0, 0, 0]",
            "--set",
            "b=0",
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    // mean(y^2) for y = [1, -1, 0.5, 2, 0, -0.5].
    JsonNode out = Fixtures.JSON.readTree(r.out());
    assertEquals((1 + 1 + 0.25 + 4 + 0 + 0.25) / 6, out.get("value").asDouble(), 1e-15);
  }

  @Test
  void run_jsonNamesNpyFilesRelativeToItself() throws IOException {
    Files.writeString(
        tmp.resolve("inputs.json"),
        "{\"x\": \"@"
            + DIR.resolve("linreg/x.npy").toAbsolutePath()
            + "\", \"y\": \"@"
            + DIR.resolve("linreg/y.npy").toAbsolutePath()
            + "\", \"w\": [0, 0, 0], \"b\": 0}");
    Files.copy(DIR.resolve("linreg/x.npy"), tmp.resolve("x.npy"));
    Files.writeString(
        tmp.resolve("relative.json"), "{\"x\": \"@x.npy\", \"y\": [1, 1, 1, 1, 1, 1]}");
    Cli.Result abs =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--inputs",
            tmp.resolve("inputs.json").toString(),
            "--format",
            "json");
    assertEquals(0, abs.code(), abs.toString());
    Cli.Result rel =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--inputs",
            tmp.resolve("relative.json").toString(),
            "--set",
            "w=[0, 0, 0]",
            "--set",
            "b=0",
            "--format",
            "json");
    assertEquals(0, rel.code(), rel.toString());
    assertTrue(rel.out().startsWith("{\"value\":1.0,"), rel.out());
  }

  /** numpy.save of a bool array (tools/npy/generate.py) reads as bool. */
  @Test
  void bool_readsAsBool() {
    Data d = read("bool_3.npy");
    assertEquals(DType.BOOL, d.dtype());
    assertArrayEquals(new int[] {3}, d.shape());
    assertArrayEquals(new double[] {1, 0, 1}, new double[] {d.get(0), d.get(1), d.get(2)});
  }

  /** A bool mask from a .npy file ({@code numpy.save} of a bool array) and from JSON literals. */
  @Test
  void boolInput_fromNpyAndJson() throws IOException {
    Path program = tmp.resolve("mask.grad");
    Files.writeString(
        program, "input m: bool[4]\nparam w: f64[4]\nreturn sum(where(m, w * w, w))\n");
    Path npy = tmp.resolve("m.npy");
    byte[] header = NpyWriter.header("|b1", 4);
    byte[] file = java.util.Arrays.copyOf(header, header.length + 4);
    file[header.length] = 1;
    file[header.length + 3] = 1;
    Files.write(npy, file);
    for (String m : new String[] {"m=@" + npy, "m=[true, false, false, true]"}) {
      Cli.Result r =
          Cli.run(
              "run", program.toString(), "--set", m, "--set", "w=[1, 2, 3, 4]", "--format", "json");
      assertEquals(0, r.code(), m + r);
      // where(m, 2w, 1)
      assertEquals("{\"value\":22.0,\"grad\":{\"w\":[2.0,1.0,1.0,8.0]}}\n", r.out(), m);
    }
    Cli.Result numbers =
        Cli.run("run", program.toString(), "--set", "m=[1, 0, 0, 1]", "--set", "w=[1, 2, 3, 4]");
    assertEquals(2, numbers.code(), numbers.toString());
    assertEquals(
        "--set m: error: m[0] is a number (1), but m is bool: give true or false\n", numbers.err());
  }

  /** An unsupported dtype's hint proposes the dtype the program declares. */
  @Test
  void unsupportedDtype_hintProposesTheDeclaredDtype() throws IOException {
    Path program = tmp.resolve("f32.grad");
    Files.writeString(program, "param w: f32[2]\nreturn sum(w * w)\n");
    Path npy = tmp.resolve("w.npy");
    byte[] header = NpyWriter.header("<i4", 2);
    Files.write(npy, java.util.Arrays.copyOf(header, header.length + 8));
    Cli.Result r = Cli.run("run", program.toString(), "--set", "w=@" + npy);
    assertEquals(2, r.code(), r.toString());
    assertEquals(
        npy
            + ": error: unsupported dtype '<i4' (supported: '<f8' float64, '<f4' float32, '<i8'"
            + " int64, '|b1' bool); the program declares f32: save a.astype(numpy.float32)\n",
        r.err());
  }
}
