package dev.gradc.cli;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Param;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
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

/** {@code gradc compile}: a jar with an ahead-of-time compiled loss that needs only java.base. */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    header = "Compile a program ahead of time into a jar that needs only java.base.",
    description = {
      "Compiles a program ahead of time into a jar holding one public class with typed static methods value(...) and valueAndGrad(...). The class needs nothing but java.base.",
    },
    footer = {
      "",
      "The methods take one flat array per param and input in declaration order",
      "(double[] for f64, float[] for f32, long[] for i64; a scalar is an array of",
      "length 1) and, for valueAndGrad, one output array per param; they return the",
      "value. Symbolic dims are inferred from array lengths and checked",
      "(IllegalArgumentException naming the argument).",
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
      classes = AotCompiler.compile(f, className);
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
    s.append("  ").append(signature(f, false)).append('\n');
    s.append("  ").append(signature(f, true)).append('\n');
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

  /** The Java signature of {@code value} or {@code valueAndGrad}, as the generated class has it. */
  static String signature(Func f, boolean withGrad) {
    List<String> params = new ArrayList<>();
    for (Param p : f.params()) {
      params.add(javaType(p.type().dtype()) + " " + p.name());
    }
    if (withGrad) {
      for (Param p : f.gradParams()) {
        // AotCompiler names gradient outputs this way in its argument errors.
        String label = "grad" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
        params.add(javaType(p.type().dtype()) + " " + label);
      }
    }
    String ret = f.result(0).type().dtype() == DType.F32 ? "float" : "double";
    return "public static "
        + ret
        + " "
        + (withGrad ? "valueAndGrad" : "value")
        + "("
        + String.join(", ", params)
        + ")";
  }

  private static String javaType(DType d) {
    return switch (d) {
      case F64 -> "double[]";
      case F32 -> "float[]";
      case I64 -> "long[]";
      case BOOL -> "boolean[]";
    };
  }
}
