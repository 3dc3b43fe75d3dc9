package dev.gradc.cli;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Param;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    if (!SourceVersion.isName(className) || className.contains("$")) {
      throw usage(
          "--class needs a Java class name such as com.acme.MseLoss, got '" + className + "'");
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

  private long write(Map<String, byte[]> classes) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Created-By", "gradc 0.1.0");
    try {
      Path parent = output.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream file = Files.newOutputStream(output);
          JarOutputStream jar = new JarOutputStream(file)) {
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
      return Files.size(output);
    } catch (IOException e) {
      throw new UserError(output.toString(), "cannot write the jar: " + e.getMessage(), e);
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
