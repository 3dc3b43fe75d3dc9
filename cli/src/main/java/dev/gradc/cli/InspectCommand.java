package dev.gradc.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gradc.codegen.Compiler;
import dev.gradc.codegen.Plan;
import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.ir.Printer;
import dev.gradc.ir.opt.Pipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceClassVisitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gradc inspect}: every stage of the pipeline for one program. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    header = "Print a stage of the pipeline: IR, adjoint, loops, bytecode, autograd graph.",
    description = {
      "Prints the stages of the pipeline for a program: the source, the forward IR, the adjoint IR, the tangent IR, the optimized IR, the fused loop plan, the bytecode, and the autograd graph PyTorch would record.",
    },
    footer = {
      "",
      "Stages:",
      "  source    the program as written",
      "  ir        the forward IR",
      "  grad      the adjoint IR: the value and the gradient of every param (Autodiff.vjp)",
      "  jvp       the tangent IR (forward mode): every result, then its derivative along",
      "            one tangent input per param, tangent_<param> (Autodiff.jvp)",
      "  hessian   the Hessian IR of a loss (forward over reverse, Transforms.hessian): one",
      "            block per pair of params, row-major; not part of all",
      "  opt       the adjoint IR after the optimization pipeline",
      "  kernels   the lowered IR and its fused loop plan: what each loop reads, computes,",
      "            writes and reduces",
      "  bytecode  the JVM class the plan compiles to (ASM Textifier)",
      "  autograd  the backward graph PyTorch records: SumBackward0 -> ... -> AccumulateGrad",
      "  all       every stage, each under a header (the default for text and json)",
      "",
      "--format dot draws one graph stage (ir, grad, jvp, hessian, opt or autograd; grad",
      "when no --stage is given) as Graphviz text; --render svg|png -o OUT draws it",
      "with Graphviz's dot program.",
      "",
      "Examples:",
      "  gradc inspect examples/linear_regression.grad --stage grad",
      "  gradc inspect examples/mlp.grad --stage autograd --render svg -o mlp.svg"
    })
final class InspectCommand extends GradcCommand {
  /** The stages, in pipeline order. */
  enum Stage {
    SOURCE("the program as written"),
    IR("the forward IR"),
    GRAD("the adjoint IR"),
    JVP("the tangent IR"),
    HESSIAN("the Hessian IR"),
    OPT("the optimized adjoint IR"),
    KERNELS("the fused loop plan"),
    BYTECODE("the compiled class"),
    AUTOGRAD("the autograd graph");

    final String title;

    Stage(String title) {
      this.title = title;
    }

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean isGraph() {
      return this == IR
          || this == GRAD
          || this == JVP
          || this == HESSIAN
          || this == OPT
          || this == AUTOGRAD;
    }
  }

  @Option(
      names = "--stage",
      paramLabel = "STAGE",
      description =
          "source, ir, grad, jvp, hessian, opt, kernels, bytecode, autograd or all (default:"
              + " all; grad"
              + " with"
              + " --format dot or --render).")
  String stage;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "text, dot or json (default: text; dot with --render).")
  String format;

  @Option(
      names = "--render",
      paramLabel = "svg|png",
      description = "Draw the graph with Graphviz's dot into the file given by -o.")
  String render;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description = "Write to this file instead of standard output.")
  Path output;

  private ProgramFile program;
  private Func vjp;
  private Func jvp;
  private Func optimized;

  @Override
  int execute() throws IOException {
    String fmt = format != null ? format : render != null ? "dot" : "text";
    if (stage == null) {
      stage = fmt.equals("dot") ? "grad" : "all";
    }
    List<Stage> stages = stages();
    if (!List.of("text", "dot", "json").contains(fmt)) {
      throw usage("--format must be text, dot or json, got '" + fmt + "'");
    }
    if (render != null) {
      if (!render.equals("svg") && !render.equals("png")) {
        throw usage("--render must be svg or png, got '" + render + "'");
      }
      if (!fmt.equals("dot")) {
        throw usage("--render draws a graph: it cannot be combined with --format " + fmt);
      }
      if (output == null) {
        throw usage("--render needs an output file: -o OUT." + render);
      }
    }
    if (fmt.equals("dot") && (stages.size() != 1 || !stages.get(0).isGraph())) {
      throw usage(
          (format == null ? "--render" : "--format dot")
              + " draws one graph: choose --stage ir, grad, jvp, hessian, opt or autograd (not "
              + stage
              + ")");
    }
    program = load();
    String text;
    if (fmt.equals("json")) {
      ObjectNode o = Output.MAPPER.createObjectNode();
      for (Stage s : stages) {
        json(o, s);
      }
      text = json(o);
    } else if (fmt.equals("dot")) {
      Stage s = stages.get(0);
      text =
          s == Stage.AUTOGRAD
              ? AutogradGraph.of(program.func()).dot()
              : FuncGraph.dot(
                  func(s),
                  s == Stage.IR
                      ? List.of()
                      : s == Stage.JVP
                          ? tangentLabels()
                          : s == Stage.HESSIAN ? hessianLabels() : resultLabels());
    } else if (stages.size() == 1) {
      text = text(stages.get(0));
    } else {
      StringBuilder all = new StringBuilder();
      for (Stage s : stages) {
        all.append(all.length() == 0 ? "" : "\n");
        all.append("=== ").append(s.key()).append(": ").append(s.title).append(" ===\n");
        all.append(text(s));
      }
      text = all.toString();
    }
    if (render != null) {
      Graphviz.render(text, render, output, inputFiles());
      err().println("gradc: wrote " + output);
    } else if (output != null) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      OutputFile.write(output, inputFiles(), out -> out.write(bytes));
    } else {
      out().print(text);
    }
    return Gradc.OK;
  }

  private List<Stage> stages() {
    if (stage.equals("all")) {
      List<Stage> all = new ArrayList<>(List.of(Stage.values()));
      all.remove(Stage.HESSIAN); // a further transform, not a stage every program has
      return all;
    }
    List<String> keys = new ArrayList<>();
    for (Stage s : Stage.values()) {
      if (s.key().equals(stage)) {
        return List.of(s);
      }
      keys.add(s.key());
    }
    throw usage("unknown stage '" + stage + "' (expected " + String.join(", ", keys) + " or all)");
  }

  private Func vjp() {
    if (vjp == null) {
      vjp = program.gradFunc();
    }
    return vjp;
  }

  private Func jvp() {
    if (jvp == null) {
      jvp = program.jvpFunc();
    }
    return jvp;
  }

  private Func optimized() {
    if (optimized == null) {
      optimized = Pipeline.run(vjp());
    }
    return optimized;
  }

  /** The results of the value-and-gradient function: {@code value}, {@code grad w}, ... */
  private List<String> resultLabels() {
    List<String> labels = new ArrayList<>(List.of("value"));
    for (Param p : vjp().gradParams()) {
      labels.add("grad " + p.name());
    }
    return labels;
  }

  /** The results of the Hessian function: {@code hessian w, b}, row-major over the params. */
  private List<String> hessianLabels() {
    List<String> labels = new ArrayList<>();
    for (Param row : vjp().gradParams()) {
      for (Param column : vjp().gradParams()) {
        labels.add("hessian " + row.name() + ", " + column.name());
      }
    }
    return labels;
  }

  /** The results of the tangent function: {@code value}, {@code tangent} (numbered if several). */
  private List<String> tangentLabels() {
    int m = program.func().results().size();
    List<String> labels = new ArrayList<>();
    for (String kind : List.of("value", "tangent")) {
      for (int k = 0; k < m; k++) {
        labels.add(m == 1 ? kind : kind + " " + k);
      }
    }
    return labels;
  }

  private Func func(Stage s) {
    return switch (s) {
      case IR -> program.func();
      case GRAD -> vjp();
      case JVP -> jvp();
      case HESSIAN -> program.hessianFunc();
      case OPT -> optimized();
      case SOURCE, KERNELS, BYTECODE, AUTOGRAD ->
          throw new IllegalArgumentException(s + " is not a function");
    };
  }

  private String text(Stage s) {
    return switch (s) {
      case SOURCE -> program.text().endsWith("\n") ? program.text() : program.text() + "\n";
      case IR, GRAD, JVP, HESSIAN, OPT -> Printer.print(func(s));
      case KERNELS -> kernels(plan());
      case BYTECODE -> bytecode(classBytes());
      case AUTOGRAD -> AutogradGraph.of(program.func()).text();
    };
  }

  private void json(ObjectNode o, Stage s) {
    switch (s) {
      case SOURCE -> o.put("source", program.text());
      case IR, GRAD, JVP, HESSIAN, OPT -> o.set(s.key(), FuncGraph.json(func(s)));
      case KERNELS -> {
        Plan plan = plan();
        ObjectNode k = o.putObject("kernels");
        k.put("loops", plan.loopCount());
        k.put("library_calls", plan.libraryCallCount());
        k.put("text", kernels(plan));
      }
      case BYTECODE -> {
        byte[] bytes = classBytes();
        ObjectNode b = o.putObject("bytecode");
        b.put("class", className());
        b.put("bytes", bytes.length);
        b.put("text", bytecode(bytes));
      }
      case AUTOGRAD -> o.set("autograd", AutogradGraph.of(program.func()).json());
    }
  }

  private Plan plan() {
    return Compiler.plan(vjp());
  }

  /**
   * The plan after the lowered function it numbers its values by (lowering renumbers the optimized
   * IR).
   */
  private static String kernels(Plan plan) {
    return Printer.print(plan.func()) + "\n" + plan.text();
  }

  private String className() {
    return "gradc/kernels/" + vjp().name().replaceAll("[^A-Za-z0-9_$]", "_");
  }

  private byte[] classBytes() {
    return Compiler.compile(vjp(), className()).bytes();
  }

  /** The class file as ASM's Textifier prints it. */
  static String bytecode(byte[] classFile) {
    StringWriter s = new StringWriter();
    new ClassReader(classFile)
        .accept(new TraceClassVisitor(null, new Textifier(), new PrintWriter(s)), 0);
    return s.toString();
  }

  private static String json(ObjectNode o) throws JsonProcessingException {
    return Output.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
  }
}
