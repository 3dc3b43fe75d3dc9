package dev.gradc.maven;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.codegen.JavaFacade;
import dev.gradc.frontend.lang.Declaration;
import dev.gradc.frontend.lang.Diagnostics;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.frontend.lang.Program;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Param;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Value;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * One incremental build of the {@code .grad} programs under a source root: each program becomes
 * kernel classes ({@code NAMEKernel} and its nested classes, needing only java.base) in the classes
 * directory and a typed facade {@code NAME.java} ({@link JavaFacade}) in the generated-sources
 * directory.
 *
 * <p>A state file per program (under the state directory, at the program's relative path plus
 * {@code .state}) holds a hash of the program's bytes and of everything else that shapes its
 * outputs, and the list of those outputs. A program whose hash is unchanged and whose outputs all
 * exist is not compiled again; the outputs of a program that no longer exists are deleted with its
 * state file. Errors are diagnostics with the same text as {@code gradc compile} prints.
 */
final class GradcBuild {
  /** Logs progress ({@code info}) and one diagnostic per failed program ({@code error}). */
  interface Log {
    void info(String line);

    void error(String diagnostic);
  }

  /**
   * What shapes a program's outputs besides its text: the facade's simple name (null: from the file
   * name), the dtype of its f32 and f64 declarations (null: as declared) and fixed sizes of
   * symbolic dims that the facade checks.
   */
  record Settings(String className, String dtype, Map<String, Integer> dims) {
    static final Settings NONE = new Settings(null, null, Map.of());

    /** These settings, each unset one taken from {@code defaults}; dims are merged. */
    Settings over(Settings defaults) {
      Map<String, Integer> d = new TreeMap<>(defaults.dims);
      d.putAll(dims);
      return new Settings(
          className != null ? className : defaults.className,
          dtype != null ? dtype : defaults.dtype,
          d);
    }
  }

  /** The outcome: counts, and the diagnostics of the programs that failed (empty on success). */
  record Outcome(int compiled, int upToDate, int removed, List<String> errors) {}

  private final Path sourceRoot;
  private final String shownRoot;
  private final Path classesDir;
  private final Path sourcesDir;
  private final Path stateDir;
  private final String packageName;
  private final Settings defaults;
  private final Map<String, Settings> settings;
  private final String fingerprint;
  private final Log log;

  /**
   * @param shownRoot how the facades' Javadoc names the source root, ending in {@code /} ({@code
   *     src/main/gradc/})
   * @param packageName the package of every program, or null to follow the directories
   * @param defaults the settings of every program
   * @param settings settings by program path relative to the source root ({@code /}-separated)
   * @param fingerprint what else shapes the outputs (the compiler's version), hashed with each
   *     program
   */
  GradcBuild(
      Path sourceRoot,
      String shownRoot,
      Path classesDir,
      Path sourcesDir,
      Path stateDir,
      String packageName,
      Settings defaults,
      Map<String, Settings> settings,
      String fingerprint,
      Log log) {
    this.sourceRoot = sourceRoot;
    this.shownRoot = shownRoot;
    this.classesDir = classesDir;
    this.sourcesDir = sourcesDir;
    this.stateDir = stateDir;
    this.packageName = packageName;
    this.defaults = defaults;
    this.settings = settings;
    this.fingerprint = fingerprint;
    this.log = log;
  }

  Outcome run() throws IOException {
    List<Path> programs = programs();
    int compiled = 0;
    int upToDate = 0;
    List<String> errors = new ArrayList<>();
    Map<String, String> facades = new LinkedHashMap<>();
    for (Path file : programs) {
      String rel = relative(file);
      Settings set = settings.getOrDefault(rel, Settings.NONE).over(defaults);
      String pkg;
      String simple;
      try {
        pkg = packageOf(rel);
        simple = classNameOf(rel, set.className());
        checkDtype(set.dtype());
      } catch (GradcException e) {
        errors.add(file + ": error: " + e.getMessage() + "\n");
        continue;
      }
      String binary = pkg.isEmpty() ? simple : pkg + "." + simple;
      String other = facades.putIfAbsent(binary, rel);
      if (other != null) {
        errors.add(
            file
                + ": error: the class "
                + binary
                + " is also the class of "
                + other
                + "; give one of them another className\n");
        continue;
      }
      byte[] bytes = Files.readAllBytes(file);
      String hash = hash(bytes, pkg, simple + "\0" + set.dtype() + "\0" + set.dims());
      Path state = stateDir.resolve(rel + ".state");
      State old = State.read(state);
      if (old != null && old.hash().equals(hash) && old.outputsExist()) {
        log.info("gradc: " + rel + " is up to date");
        upToDate++;
        continue;
      }
      String diagnostic = compile(file, bytes, pkg, simple, set, old, state, hash);
      if (diagnostic != null) {
        errors.add(diagnostic);
      } else {
        log.info("gradc: compiled " + rel + " to " + binary);
        compiled++;
      }
    }
    int removed = removeDeleted();
    for (String e : errors) {
      log.error(e);
    }
    log.info(
        "gradc: "
            + compiled
            + " compiled, "
            + upToDate
            + " up to date, "
            + removed
            + " removed, "
            + errors.size()
            + " failed ("
            + sourceRoot
            + ")");
    return new Outcome(compiled, upToDate, removed, errors);
  }

  /** Compiles one program and writes its outputs and state; the diagnostic, or null on success. */
  private String compile(
      Path file,
      byte[] bytes,
      String pkg,
      String simple,
      Settings set,
      State old,
      Path state,
      String hash)
      throws IOException {
    String name = file.toString();
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return name + ": error: not a text file: its bytes are not UTF-8\n";
    }
    String kernel = simple + "Kernel";
    String prefix = pkg.isEmpty() ? "" : pkg + ".";
    Program program;
    Map<String, byte[]> classes;
    try {
      // A dtype override rewrites the declarations' dtypes in place (f32 and f64 have the same
      // length, so every position stays); diagnostics show the file as written.
      program = GradLanguage.parse(name, withDtype(text, set.dtype()));
    } catch (GradcException e) {
      return render(name, text, e);
    }
    String dimsProblem = dimsProblem(program, set.dims());
    if (dimsProblem != null) {
      return name + ": error: " + dimsProblem + "\n";
    }
    Func f = program.func();
    String facade;
    try {
      classes = AotCompiler.compile(f, prefix + kernel, program.resultNames());
      JavaFacade.Program shown =
          new JavaFacade.Program(
              f, program.resultNames(), program.source(), shownRoot + relative(file));
      facade =
          JavaFacade.generate(shown, pkg, simple, kernel, set.dims(), "gradc-maven-plugin").text();
    } catch (GradcException e) {
      return render(name, text, e.at(resultPosition(program)));
    } catch (UnsupportedOperationException e) {
      return name + ": error: not supported: " + e.getMessage() + "\n";
    }

    List<Path> outputs = new ArrayList<>();
    for (Map.Entry<String, byte[]> c : classes.entrySet()) {
      Path out = classesDir.resolve(c.getKey() + ".class");
      write(out, c.getValue());
      outputs.add(out);
    }
    Path source = sourcesDir.resolve(prefix.replace('.', '/') + simple + ".java");
    write(source, facade.getBytes(StandardCharsets.UTF_8));
    outputs.add(source);
    if (old != null) {
      for (Path p : old.outputs()) {
        if (!outputs.contains(p)) {
          Files.deleteIfExists(p);
        }
      }
    }
    new State(hash, outputs).write(state);
    return null;
  }

  /** Deletes the outputs and state of each program that no longer exists; how many. */
  private int removeDeleted() throws IOException {
    if (!Files.isDirectory(stateDir)) {
      return 0;
    }
    List<Path> states;
    try (Stream<Path> s = Files.walk(stateDir)) {
      states = s.filter(p -> p.toString().endsWith(".grad.state")).sorted().toList();
    }
    int removed = 0;
    for (Path state : states) {
      String rel = stateDir.relativize(state).toString().replace('\\', '/');
      rel = rel.substring(0, rel.length() - ".state".length());
      if (Files.isRegularFile(sourceRoot.resolve(rel))) {
        continue;
      }
      State old = State.read(state);
      if (old != null) {
        for (Path p : old.outputs()) {
          Files.deleteIfExists(p);
        }
      }
      Files.delete(state);
      log.info("gradc: " + rel + " was deleted; removed its outputs");
      removed++;
    }
    return removed;
  }

  private List<Path> programs() throws IOException {
    if (!Files.isDirectory(sourceRoot)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(sourceRoot)) {
      return s.filter(p -> p.toString().endsWith(".grad") && Files.isRegularFile(p))
          .sorted()
          .toList();
    }
  }

  private String relative(Path file) {
    return sourceRoot.relativize(file).toString().replace('\\', '/');
  }

  /** The package: the configured one, else the program's directory under the source root. */
  private String packageOf(String rel) {
    if (packageName != null) {
      if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
        throw new GradcException("packageName '" + packageName + "' is not a Java package name");
      }
      return packageName;
    }
    int slash = rel.lastIndexOf('/');
    String pkg = slash < 0 ? "" : rel.substring(0, slash).replace('/', '.');
    if (!pkg.isEmpty() && !SourceVersion.isName(pkg)) {
      throw new GradcException(
          "the directory "
              + rel.substring(0, slash)
              + " does not name a Java package; rename it or set packageName");
    }
    return pkg;
  }

  /** The facade's simple name: the configured one, else the file name in upper camel case. */
  private static String classNameOf(String rel, String configured) {
    if (configured != null) {
      if (!SourceVersion.isName(configured) || configured.contains(".")) {
        throw new GradcException("className '" + configured + "' is not a simple Java class name");
      }
      return configured;
    }
    String name = AotCompiler.simpleClassName(rel.substring(rel.lastIndexOf('/') + 1));
    if (name == null) {
      throw new GradcException(
          "the file name does not give a Java class name; set className for " + rel);
    }
    return name;
  }

  /** The declarations' float dtype, when overridden: f32 or f64. */
  private static void checkDtype(String dtype) {
    if (dtype != null && !dtype.equals("f32") && !dtype.equals("f64")) {
      throw new GradcException("dtype must be f32 or f64, got '" + dtype + "'");
    }
  }

  private static final Pattern FLOAT_DECLARATION =
      Pattern.compile(
          "(?m)^([ \\t]*(?:input|param)[ \\t]+[A-Za-z_][A-Za-z_0-9]*[ \\t]*:[ \\t]*)f(?:32|64)\\b");

  /** {@code text} with each f32 or f64 declaration declared {@code dtype} instead (null: as is). */
  static String withDtype(String text, String dtype) {
    return dtype == null ? text : FLOAT_DECLARATION.matcher(text).replaceAll("$1" + dtype);
  }

  /** Why {@code dims} cannot fix symbolic dims of the program, or null when they can. */
  private static String dimsProblem(Program program, Map<String, Integer> dims) {
    Set<String> symbols = JavaFacade.symbols(program.func().params());
    for (Map.Entry<String, Integer> d : dims.entrySet()) {
      if (!symbols.contains(d.getKey())) {
        return "dims: "
            + d.getKey()
            + " is not a symbolic dim of the program"
            + (symbols.isEmpty() ? " (it has none)" : " (its symbolic dims: " + symbols + ")");
      }
      if (d.getValue() == null || d.getValue() < 1) {
        return "dims: " + d.getKey() + " must be at least 1, got " + d.getValue();
      }
    }
    for (Declaration decl : program.declarations()) {
      long n = 1;
      for (Dim dim : decl.type().dims()) {
        if (dim.isStatic() || dims.containsKey(dim.symbol())) {
          n *= dim.isStatic() ? dim.size() : (long) dim.factor() * dims.get(dim.symbol());
          if (n > GradLanguage.MAX_ELEMENTS) {
            return "dims: "
                + decl.name()
                + " would have more than "
                + GradLanguage.MAX_ELEMENTS
                + " elements";
          }
        }
      }
    }
    return null;
  }

  private String hash(byte[] bytes, String pkg, String simple) {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    d.update(bytes);
    d.update(("\0" + pkg + "\0" + simple + "\0" + fingerprint).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d.digest());
  }

  /** The CLI's text for an error: three lines with a caret when it points into the program. */
  static String render(String name, String text, GradcException e) {
    if (e.pos() != null && e.pos().file().equals(name)) {
      return Diagnostics.render(text, e.pos(), e.getMessage());
    }
    return (e.pos() != null ? e.pos().toString() : name) + ": error: " + e.getMessage() + "\n";
  }

  /** Where the program computes its result (the CLI points AOT errors there), or null. */
  private static SourcePos resultPosition(Program program) {
    Value v = program.func().result(0);
    if (v instanceof Inst inst) {
      return program.position(inst);
    }
    if (v instanceof Param p && program.declaration(p.name()) != null) {
      return program.declaration(p.name()).pos();
    }
    return null;
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  /** A program's state file: the hash of its inputs, then one output path a line. */
  record State(String hash, List<Path> outputs) {
    static State read(Path file) throws IOException {
      if (!Files.isRegularFile(file)) {
        return null;
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return null;
      }
      List<Path> outs = new ArrayList<>();
      for (String l : lines.subList(1, lines.size())) {
        if (!l.isEmpty()) {
          outs.add(Path.of(l));
        }
      }
      return new State(lines.get(0), outs);
    }

    boolean outputsExist() {
      for (Path p : outputs) {
        if (!Files.isRegularFile(p)) {
          return false;
        }
      }
      return !outputs.isEmpty();
    }

    void write(Path file) throws IOException {
      StringBuilder b = new StringBuilder(hash).append('\n');
      outputs.forEach(p -> b.append(p).append('\n'));
      GradcBuild.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
