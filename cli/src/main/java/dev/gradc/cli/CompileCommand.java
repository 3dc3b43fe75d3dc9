package dev.gradc.cli;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.lang.model.SourceVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
      "Example:",
      "  gradc compile examples/linear_regression.grad --class com.acme.MseLoss -o mse.jar",
      "  javac -cp mse.jar Client.java && java -cp mse.jar:. Client",
    })
final class CompileCommand extends GradcCommand {
  /** Jar entries get this time (1980-02-01 UTC), so a program always compiles to the same jar. */
  private static final long ENTRY_TIME = 315_532_800_000L + 31L * 24 * 3600 * 1000;

  @Option(
      names = "--class",
      required = true,
      paramLabel = "NAME",
      description = "The binary name of the class, e.g. com.acme.MseLoss.")
  String className;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "JAR",
      description = "The jar to write.")
  Path output;

  @Override
  int execute() {
    String problem = classNameProblem(className);
    if (problem != null) {
      throw usage(problem);
    }
    ProgramFile pf = load();
    Func f = pf.func();
    Map<String, byte[]> classes;
    try {
      classes = AotCompiler.compile(f, className, pf.resultNames());
    } catch (GradcException e) {
      throw e.at(pf.position(f.result(0)));
    }
    long bytes = write(classes);
    StringBuilder s = new StringBuilder();
    s.append("wrote ")
        .append(output)
        .append(": ")
        .append(className)
        .append(" (")
        .append(classes.size())
        .append(" classes, ")
        .append(bytes)
        .append(" bytes)\n");
    for (String signature : AotCompiler.signatures(f, pf.resultNames())) {
      s.append("  ").append(signature).append('\n');
    }
    out().print(s);
    return Gradc.OK;
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

  private long write(Map<String, byte[]> classes) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Created-By", "gradc 0.1.0");
    long[] size = {0};
    OutputFile.write(
        output,
        inputFiles(),
        file -> {
          CountingStream counted = new CountingStream(file);
          try (JarOutputStream jar = new JarOutputStream(counted)) {
            JarEntry m = new JarEntry("META-INF/MANIFEST.MF");
            m.setTime(ENTRY_TIME);
            jar.putNextEntry(m);
            manifest.write(jar);
            jar.closeEntry();
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
              JarEntry e = new JarEntry(c.getKey() + ".class");
              e.setTime(ENTRY_TIME);
              jar.putNextEntry(e);
              jar.write(c.getValue());
              jar.closeEntry();
            }
          }
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
