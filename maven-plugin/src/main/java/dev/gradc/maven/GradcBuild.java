package dev.gradc.maven;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.frontend.lang.Diagnostics;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.frontend.lang.Program;
import dev.gradc.frontend.lang.ProgramException;
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
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * One incremental build of the {@code .grad} programs under a source root: each program becomes
 * kernel classes ({@code NAMEKernel} and its nested classes, needing only java.base) in the classes
 * directory and a typed facade {@code NAME.java} ({@link Facade}) in the generated-sources
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

  /** The outcome: counts, and the diagnostics of the programs that failed (empty on success). */
  record Outcome(int compiled, int upToDate, int removed, List<String> errors) {}

  private final Path sourceRoot;
  private final String shownRoot;
  private final Path classesDir;
  private final Path sourcesDir;
  private final Path stateDir;
  private final String packageName;
  private final Map<String, String> classNames;
  private final String fingerprint;
  private final Log log;

  /**
   * @param shownRoot how the facades' Javadoc names the source root, ending in {@code /} ({@code
   *     src/main/gradc/})
   * @param packageName the package of every program, or null to follow the directories
   * @param classNames class names by program path relative to the source root ({@code /}-separated)
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
      Map<String, String> classNames,
      String fingerprint,
      Log log) {
    this.sourceRoot = sourceRoot;
    this.shownRoot = shownRoot;
    this.classesDir = classesDir;
    this.sourcesDir = sourcesDir;
    this.stateDir = stateDir;
    this.packageName = packageName;
    this.classNames = classNames;
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
      String pkg;
      String simple;
      try {
        pkg = packageOf(rel);
        simple = classNameOf(rel);
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
      String hash = hash(bytes, pkg, simple);
      Path state = stateDir.resolve(rel + ".state");
      State old = State.read(state);
      if (old != null && old.hash().equals(hash) && old.outputsExist()) {
        log.info("gradc: " + rel + " is up to date");
        upToDate++;
        continue;
      }
      String diagnostic = compile(file, bytes, pkg, simple, old, state, hash);
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
      Path file, byte[] bytes, String pkg, String simple, State old, Path state, String hash)
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
      program = GradLanguage.parse(name, text);
    } catch (ProgramException e) {
      return e.diagnostic();
    } catch (GradcException e) {
      return render(name, text, e);
    }
    Func f = program.func();
    try {
      classes = AotCompiler.compile(f, prefix + kernel);
    } catch (GradcException e) {
      return render(name, text, e.at(resultPosition(program)));
    } catch (UnsupportedOperationException e) {
      return name + ": error: not supported: " + e.getMessage() + "\n";
    }
    String shown = shownRoot + relative(file);
    String facade = Facade.source(program, shown, pkg, simple, kernel);

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
  private String classNameOf(String rel) {
    String configured = classNames.get(rel);
    if (configured != null) {
      if (!SourceVersion.isName(configured) || configured.contains(".")) {
        throw new GradcException("className '" + configured + "' is not a simple Java class name");
      }
      return configured;
    }
    String base = rel.substring(rel.lastIndexOf('/') + 1, rel.length() - ".grad".length());
    StringBuilder b = new StringBuilder();
    boolean upper = true;
    for (int i = 0; i < base.length(); i++) {
      char c = base.charAt(i);
      if (c == '_' || c == '-' || c == '.' || c == ' ') {
        upper = true;
      } else if (Character.isJavaIdentifierPart(c)) {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    String name = b.toString();
    if (name.isEmpty() || !SourceVersion.isName(name)) {
      throw new GradcException(
          "the file name does not give a Java class name; set className for " + rel);
    }
    return name;
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
