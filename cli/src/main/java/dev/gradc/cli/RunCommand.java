package dev.gradc.cli;

import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gradc run}: the value of a program and the gradient of every param. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    header = "The value of a program and the gradient of every param.",
    description = {
      "Computes the value of a program and the gradient of every param with the compiled code (Kernels.compile of Autodiff.vjp), and prints them as PyTorch prints tensors, or as JSON.",
    },
    footer = {
      "",
      "Values: --inputs, then --set. A name without a value is an error, unless",
      "--random-inputs fills it with standard normals: new SplittableRandom(seed) is",
      "split once per declaration, in declaration order (given or not), and each split",
      "generator fills its tensor in row-major order with nextGaussian(). Integer",
      "inputs are never generated.",
      "Symbolic dims come from --dim or from the shapes of given values.",
      "",
      "NaN and infinite inputs are rejected; with --allow-nonfinite they compute as in",
      "PyTorch (JSON accepts NaN, Infinity and -Infinity, as Python's json writes them).",
      "",
      "JSON output: {\"value\": V, \"grad\": {\"w\": G, ...}}, numbers or nested lists.",
      "",
      "--detect-anomaly runs the program and its gradient on the reference interpreter",
      "(slower; the compiled kernels are not used) and stops at the first NaN or",
      "infinity: a forward value where it first appears, a backward value where a",
      "gradient rule returns it, as PyTorch's torch.autograd.detect_anomaly. The error",
      "names the IR node, the op or grad_fn, and the line and column that wrote it:",
      "  prog.grad:5:9: error: anomaly detected in forward: 'log' returned -inf values",
      "  (%%1: f64[3] = log %%x); the op was recorded at prog.grad:5:9",
      "",
      "--hessian adds the Hessian's blocks, hessian[ROW, COLUMN] (JSON: \"hessian\":",
      "{\"ROW\": {\"COLUMN\": H, ...}, ...}), for params of static shape.",
      "",
      "Examples:",
      "  gradc run examples/linear_regression.grad --dim N=8 --random-inputs --seed 1",
      "  gradc run examples/linear_regression.grad --inputs examples/linear_regression.json",
      "  gradc run examples/mlp.grad --dim N=4 --set labels=[0,2,1,1] --random-inputs",
      "  gradc run model.grad --set x=@x.npy --set y=@y.npy",
    })
final class RunCommand extends GradcCommand {
  @Mixin InputOptions inputs;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Mixin ThreadsOption threads;

  @Option(
      names = "--detect-anomaly",
      description =
          "Runs on the reference interpreter, checking each value (PyTorch's detect_anomaly):"
              + " the first NaN or infinity in the forward or backward pass is an error naming"
              + " its IR node, its op (or grad_fn) and the program's line and column.")
  boolean detectAnomaly;

  @Option(
      names = "--hessian",
      description =
          "Also prints the Hessian of the loss: one block per pair of params, d2 value /"
              + " d row d column, of shape row.shape + column.shape (torch.func.hessian,"
              + " forward over reverse, compiled as one function).")
  boolean hessian;

  @Override
  int execute() throws IOException {
    if (!format.equals("text") && !format.equals("json")) {
      throw usage("--format must be text or json, got '" + format + "'");
    }
    ProgramFile pf = load();
    Func f = pf.func();
    Func hess = hessian ? pf.hessianFunc() : null;
    if (!pf.isLoss()) {
      return forward(pf);
    }
    Func vjp = pf.vjp();
    Arguments args = inputs.resolve(pf);
    Computed c = compute(pf, vjp, args);
    Object[] results = c.results();
    int[][] resultShapes = c.shapes();
    List<Param> grads = vjp.gradParams();
    Data value = new Data(vjp.result(0).type().dtype(), resultShapes[0], results[0]);
    List<Data> blocks = hess == null ? List.of() : blocks(hess, compute(pf, hess, args));
    if (format.equals("json")) {
      json(value, grads, results, resultShapes, blocks);
    } else {
      StringBuilder s = new StringBuilder(Output.labelled("value", repr(f, 0, value)));
      for (int k = 0; k < grads.size(); k++) {
        Param p = grads.get(k);
        Data grad = new Data(p.type().dtype(), resultShapes[k + 1], results[k + 1]);
        s.append(Output.labelled(p.name() + ".grad", Output.repr(grad, null)));
      }
      for (int k = 0; k < blocks.size(); k++) {
        String label =
            "hessian["
                + grads.get(k / grads.size()).name()
                + ", "
                + grads.get(k % grads.size()).name()
                + "]";
        s.append(Output.labelled(label, Output.repr(blocks.get(k), null)));
      }
      out().print(s);
    }
    noteGenerated(args);
    return Gradc.OK;
  }

  /** The results of a compiled function and their shapes. */
  private static final class Computed {
    private final Object[] results;
    private final int[][] shapes;

    Computed(Object[] results, int[][] shapes) {
      this.results = results;
      this.shapes = shapes;
    }

    Object[] results() {
      return results;
    }

    int[][] shapes() {
      return shapes;
    }
  }

  private Computed compute(ProgramFile pf, Func f, Arguments args) {
    CompiledFunction kernel = detectAnomaly ? Kernels.detectingAnomalies(f) : Kernels.compile(f);
    int[][] shapes = args.shapes();
    Object[] results =
        pf.running(args, () -> threads.run(() -> kernel.call(args.buffers(), shapes, null)));
    return new Computed(results, kernel.resultShapes(shapes));
  }

  /** Result {@code k} as PyTorch prints it, with its {@code grad_fn} when it requires grad. */
  private static String repr(Func f, int k, Data value) {
    AutogradGraph g = AutogradGraph.of(f, k);
    String suffix =
        g.rootName() != null
            ? "grad_fn=<" + g.rootName() + ">"
            : g.rootIsLeaf() ? "requires_grad=True" : null;
    return Output.repr(value, suffix);
  }

  /**
   * A program whose result is not one scalar (a model's predictions, or {@code return a, b}): the
   * forward values only, as {@code value} (one result) or {@code value[K]} (several); JSON {@code
   * {"value": V}} or {@code {"values": [V, ...]}}.
   */
  private int forward(ProgramFile pf) throws IOException {
    Func f = pf.func();
    Arguments args = inputs.resolve(pf);
    Computed c = compute(pf, f, args);
    Object[] results = c.results();
    int[][] resultShapes = c.shapes();
    int m = f.results().size();
    List<Data> values = new ArrayList<>();
    for (int k = 0; k < m; k++) {
      values.add(new Data(f.result(k).type().dtype(), resultShapes[k], results[k]));
    }
    if (format.equals("json")) {
      Output.json(
          out(),
          g -> {
            g.writeStartObject();
            if (m == 1) {
              g.writeFieldName("value");
              Output.tensor(g, values.get(0));
            } else {
              g.writeArrayFieldStart("values");
              for (Data v : values) {
                Output.tensor(g, v);
              }
              g.writeEndArray();
            }
            g.writeEndObject();
          });
    } else {
      StringBuilder s = new StringBuilder();
      for (int k = 0; k < m; k++) {
        String label = m == 1 ? "value" : "value[" + k + "]";
        s.append(Output.labelled(label, repr(f, k, values.get(k))));
      }
      out().print(s);
    }
    noteGenerated(args);
    return Gradc.OK;
  }

  /** The Hessian's blocks, row-major over the params. */
  private static List<Data> blocks(Func hess, Computed c) {
    List<Data> out = new ArrayList<>();
    for (int k = 0; k < hess.results().size(); k++) {
      out.add(new Data(hess.result(k).type().dtype(), c.shapes()[k], c.results()[k]));
    }
    return out;
  }

  /** Streams {@code {"value": V, "grad": {...}}} (and {@code "hessian"}) to stdout. */
  private void json(
      Data value, List<Param> grads, Object[] results, int[][] shapes, List<Data> blocks)
      throws IOException {
    Output.json(
        out(),
        g -> {
          g.writeStartObject();
          g.writeFieldName("value");
          Output.tensor(g, value);
          g.writeObjectFieldStart("grad");
          for (int k = 0; k < grads.size(); k++) {
            Param p = grads.get(k);
            g.writeFieldName(p.name());
            Output.tensor(g, new Data(p.type().dtype(), shapes[k + 1], results[k + 1]));
          }
          g.writeEndObject();
          if (!blocks.isEmpty()) {
            g.writeObjectFieldStart("hessian");
            for (int i = 0; i < grads.size(); i++) {
              g.writeObjectFieldStart(grads.get(i).name());
              for (int j = 0; j < grads.size(); j++) {
                g.writeFieldName(grads.get(j).name());
                Output.tensor(g, blocks.get(i * grads.size() + j));
              }
              g.writeEndObject();
            }
            g.writeEndObject();
          }
          g.writeEndObject();
        });
  }
}
