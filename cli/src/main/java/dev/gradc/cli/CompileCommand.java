package dev.gradc.cli;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.codegen.JavaFacade;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.lang.model.SourceVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gradc compile}: a jar with an ahead-of-time compiled loss that needs only java.base. */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    header = "Compile a program ahead of time into a jar that needs only java.base.",
    description = {
      "Compiles a program ahead of time into a jar holding one public class with typed static methods. The class needs nothing but java.base. A scalar loss gets value(...) and valueAndGrad(...); a program with a non-scalar result or several results (return a, b) gets value(...) writing each result into an output array (and, for one result, an overload returning a new array), and, when it has params, vjp(...) taking one cotangent per result and writing the params' gradients.",
    },
    footer = {
      "",
      "The methods take one flat array per param and input in declaration order",
      "(double[] for f64, float[] for f32, long[] for i64; a scalar is an array of",
      "length 1), then for vjp the cotangents (gradLogits for a result returned as",
      "logits; gradOutput0, ... for one returned as an expression), then the output",
      "arrays (the results, or for valueAndGrad and vjp one gradient per param).",
      "Symbolic dims are inferred from array lengths and checked; a null array or a",
      "wrong length is an IllegalArgumentException naming the argument.",
      "",
      "With --package, every program gets a typed facade named after its file in that",
      "package (mse_loss.grad gives MseLoss) calling its kernel class (MseLossKernel):",
      "Javadoc from the program, arguments checked by name, value/valueAndGrad/Result",
      "and gradCheck for a loss, value and vjp (into the caller's arrays or returning",
      "Result and Gradients) for other programs. The facades are compiled in process",
      "(javac, -Xlint:all -Werror) into the jar; their sources go to NAME-sources.jar",
      "beside it. The package is the jar's Automatic-Module-Name, and the manifest lists",
      "the facades (Gradc-Programs) and, per facade, its program file, kernel class and",
      "signatures (Gradc-Program, Gradc-Kernel, Gradc-Signature-1, ...).",
      "",
      "Example:",
      "  gradc compile examples/linear_regression.grad --class com.acme.MseLoss -o mse.jar",
      "  gradc compile mse_loss.grad huber.grad --package com.acme.losses -o losses.jar",
      "  javac -cp mse.jar Client.java && java -cp mse.jar:. Client",
    })
final class CompileCommand extends GradcCommand {
  /** Jar entries get this time (1980-02-01 UTC), so a program always compiles to the same jar. */
  private static final long ENTRY_TIME = 315_532_800_000L + 31L * 24 * 3600 * 1000;

  @Parameters(
      index = "1..*",
      paramLabel = "MORE",
      description = "More programs, compiled into the same jar (with --package).")
  List<Path> more = new ArrayList<>();

  @Option(
      names = "--class",
      paramLabel = "NAME",
      description = "The binary name of the class of one program, e.g. com.acme.MseLoss.")
  String className;

  @Option(
      names = "--package",
      paramLabel = "PACKAGE",
      description =
          "The package of every program's facade, named after its file in upper camel case"
              + " (mse_loss.grad gives MseLoss); also the jar's Automatic-Module-Name. Writes"
              + " the facades' sources to JAR-sources.jar.")
  String packageName;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "JAR",
      description = "The jar to write.")
  Path output;

  /**
   * One program of the jar: the binary name of its public class (with --package its facade, else
   * the kernel class), the class files, the public class's signatures, and its facade or null.
   */
  private record Compiled(
      ProgramFile program,
      String className,
      Map<String, byte[]> classes,
      List<String> signatures,
      JavaFacade.Source facade) {}

  @Override
  int execute() {
    List<Path> files = new ArrayList<>();
    files.add(file);
    files.addAll(more);
    Map<Path, String> names = classNames(files);
    List<Compiled> compiled = new ArrayList<>();
    for (Path p : files) {
      ProgramFile pf = load(p);
      Func f = pf.func();
      String name = names.get(p);
      try {
        if (packageName == null) {
          Map<String, byte[]> classes = AotCompiler.compile(f, name, pf.resultNames());
          List<String> signatures = AotCompiler.signatures(f, pf.resultNames());
          compiled.add(new Compiled(pf, name, classes, signatures, null));
          continue;
        }
        String simple = name.substring(packageName.length() + 1);
        Map<String, byte[]> classes =
            new LinkedHashMap<>(AotCompiler.compile(f, kernelName(name), pf.resultNames()));
        JavaFacade.Program shown =
            new JavaFacade.Program(f, pf.resultNames(), pf.text(), pf.name());
        JavaFacade.Source facade =
            JavaFacade.generate(
                shown, packageName, simple, simple + KERNEL, Map.of(), "gradc compile");
        compiled.add(new Compiled(pf, name, classes, facade.signatures(), facade));
      } catch (GradcException e) {
        throw e.at(pf.position(f.result(0)));
      }
    }
    if (packageName != null) {
      compileFacades(compiled);
    }
    long bytes = write(compiled);
    if (packageName != null) {
      writeSources(compiled);
    }
    int classCount = 0;
    for (Compiled c : compiled) {
      classCount += c.classes().size();
    }
    StringBuilder s = new StringBuilder();
    s.append("wrote ").append(output).append(": ");
    List<String> classNames = new ArrayList<>();
    for (Compiled c : compiled) {
      classNames.add(c.className());
    }
    s.append(String.join(", ", classNames))
        .append(" (")
        .append(classCount)
        .append(" classes, ")
        .append(bytes)
        .append(" bytes)\n");
    for (Compiled c : compiled) {
      if (compiled.size() > 1) {
        s.append(c.className()).append(":\n");
      }
      for (String signature : signatures(c)) {
        s.append("  ").append(signature).append('\n');
      }
    }
    out().print(s);
    return Gradc.OK;
  }

  private static List<String> signatures(Compiled c) {
    return c.signatures();
  }

  /** The kernel class of a program's facade: {@code com.acme.MseLossKernel}. */
  private static final String KERNEL = "Kernel";

  private static String kernelName(String facade) {
    return facade + KERNEL;
  }

  /** Compiles the facades against the kernel classes and adds each one's classes to its program. */
  private static void compileFacades(List<Compiled> compiled) {
    Map<String, byte[]> kernels = new LinkedHashMap<>();
    List<JavaFacade.Source> facades = new ArrayList<>();
    for (Compiled c : compiled) {
      kernels.putAll(c.classes());
      facades.add(c.facade());
    }
    Map<String, byte[]> classes = FacadeCompiler.compile(facades, kernels);
    for (Compiled c : compiled) {
      String own = c.className().replace('.', '/');
      classes.forEach(
          (name, bytes) -> {
            if (name.equals(own) || name.startsWith(own + "$")) {
              c.classes().put(name, bytes);
            }
          });
    }
  }

  /**
   * The jar of the facades' sources beside the jar ({@code losses.jar} gives {@code
   * losses-sources.jar}), when the jar is a regular file.
   */
  static Path sourcesJar(Path jar) {
    String name = String.valueOf(jar.getFileName());
    String base = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
    return jar.resolveSibling(base + "-sources.jar");
  }

  private void writeSources(List<Compiled> compiled) {
    if (Files.exists(output) && !Files.isRegularFile(output)) {
      return;
    }
    Path sources = sourcesJar(output);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Created-By", "gradc 0.1.0");
    List<Path> inputs = new ArrayList<>(inputFiles());
    inputs.add(output);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (Compiled c : compiled) {
      entries.put(
          c.className().replace('.', '/') + ".java",
          c.facade().text().getBytes(StandardCharsets.UTF_8));
    }
    OutputFile.write(sources, inputs, file -> writeJar(file, manifest, entries));
  }

  /** Writes a jar of {@code entries} (path to bytes) with fixed times, so builds repeat exactly. */
  private static void writeJar(OutputStream out, Manifest manifest, Map<String, byte[]> entries)
      throws IOException {
    try (JarOutputStream jar = new JarOutputStream(out)) {
      JarEntry m = new JarEntry("META-INF/MANIFEST.MF");
      m.setTime(ENTRY_TIME);
      jar.putNextEntry(m);
      manifest.write(jar);
      jar.closeEntry();
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        JarEntry entry = new JarEntry(e.getKey());
        entry.setTime(ENTRY_TIME);
        jar.putNextEntry(entry);
        jar.write(e.getValue());
        jar.closeEntry();
      }
    }
  }

  @Override
  List<Path> inputFiles() {
    List<Path> files = new ArrayList<>(super.inputFiles());
    files.addAll(more);
    return files;
  }

  /** The binary name of each program's class, from --class or --package. */
  private Map<Path, String> classNames(List<Path> files) {
    if ((className == null) == (packageName == null)) {
      throw usage("give either --class (one program) or --package (one or more programs)");
    }
    Map<Path, String> names = new LinkedHashMap<>();
    if (className != null) {
      if (files.size() > 1) {
        throw usage(
            "--class names the class of one program; compile several into one jar with --package");
      }
      String problem = classNameProblem(className);
      if (problem != null) {
        throw usage(problem);
      }
      names.put(file, className);
      return names;
    }
    if (!SourceVersion.isName(packageName) || (packageName + ".").startsWith("java.")) {
      throw usage(
          "--package needs a Java package name outside java.*, such as com.acme.losses, got '"
              + packageName
              + "'");
    }
    Map<String, Path> seen = new HashMap<>();
    for (Path p : files) {
      String simple = AotCompiler.simpleClassName(String.valueOf(p.getFileName()));
      if (simple == null) {
        throw usage("the file name " + p + " does not give a Java class name; rename it");
      }
      String name = packageName + "." + simple;
      String problem = classNameProblem(name);
      if (problem != null) {
        throw usage(p + ": " + problem);
      }
      for (String cls : List.of(name, kernelName(name))) {
        Path before = seen.put(cls, p);
        if (before != null) {
          throw usage(before + " and " + p + " both give the class " + cls + "; rename one");
        }
      }
      names.put(p, name);
    }
    return names;
  }

  /** The longest part of a class name: the jar's entries become files when it is extracted. */
  static final int MAX_NAME_PART = 200;

  /** Type names javac refuses although they are not keywords. */
  private static final Set<String> RESTRICTED =
      Set.of("var", "yield", "record", "sealed", "permits");

  /**
   * Why {@code name} cannot name the generated class, or null when it can: it must be a Java binary
   * name without {@code $} (the helper classes use it), outside the {@code java} packages (the JVM
   * refuses to define classes there), usable from Java source, and of reasonable length.
   */
  static String classNameProblem(String name) {
    String got = ", got '" + (name.length() > 80 ? name.substring(0, 80) + "..." : name) + "'";
    if (!SourceVersion.isName(name) || name.contains("$")) {
      return "--class needs a Java class name such as com.acme.MseLoss" + got;
    }
    String[] parts = name.split("\\.", -1);
    for (String part : parts) {
      if (part.length() > MAX_NAME_PART) {
        return "--class: each part of the name can have at most "
            + MAX_NAME_PART
            + " characters"
            + got;
      }
    }
    if (parts[0].equals("java")) {
      return "--class: the package java and its subpackages are reserved for the JDK, and the JVM"
          + " refuses to load other classes there; choose another package"
          + got;
    }
    if (RESTRICTED.contains(parts[parts.length - 1])) {
      return "--class: '"
          + parts[parts.length - 1]
          + "' cannot name a class that Java code uses; choose another name"
          + got;
    }
    return null;
  }

  /**
   * The jar's manifest: with --package, the package as {@code Automatic-Module-Name}; {@code
   * Gradc-Programs} lists the classes, and each class's section names its program file and its
   * entry points' signatures.
   */
  private Manifest manifest(List<Compiled> compiled) {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Created-By", "gradc 0.1.0");
    if (packageName != null) {
      main.putValue("Automatic-Module-Name", packageName);
    }
    List<String> classNames = new ArrayList<>();
    for (Compiled c : compiled) {
      classNames.add(c.className());
      Attributes section = new Attributes();
      section.putValue("Gradc-Program", c.program().name());
      if (c.facade() != null) {
        section.putValue("Gradc-Kernel", kernelName(c.className()));
      }
      List<String> signatures = signatures(c);
      for (int i = 0; i < signatures.size(); i++) {
        section.putValue("Gradc-Signature-" + (i + 1), signatures.get(i));
      }
      manifest.getEntries().put(c.className().replace('.', '/') + ".class", section);
    }
    main.putValue("Gradc-Programs", String.join(" ", classNames));
    return manifest;
  }

  private long write(List<Compiled> compiled) {
    Manifest manifest = manifest(compiled);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (Compiled c : compiled) {
      c.classes().forEach((name, bytes) -> entries.put(name + ".class", bytes));
    }
    long[] size = {0};
    OutputFile.write(
        output,
        inputFiles(),
        file -> {
          CountingStream counted = new CountingStream(file);
          writeJar(counted, manifest, entries);
          size[0] = counted.count;
        });
    return size[0];
  }

  /** Counts the bytes of the jar as they are written. */
  private static final class CountingStream extends FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
