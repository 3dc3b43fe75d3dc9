package dev.gradc.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** What the {@code compile} and {@code testCompile} goals share: options and the build itself. */
abstract class AbstractGradcMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  @Parameter(defaultValue = "${plugin.version}", readonly = true)
  String pluginVersion;

  /**
   * The package of every generated class. Without it, a program's package follows its directory
   * under the source root ({@code src/main/gradc/com/acme/loss.grad} is in {@code com.acme}).
   */
  @Parameter(property = "gradc.packageName")
  String packageName;

  /**
   * Per-program settings: {@code <program><file>com/acme/loss.grad</file>
   * <className>MseLoss</className></program>}, the file relative to the source root. A program's
   * facade is otherwise named after its file in upper camel case ({@code mse_loss.grad} gives
   * {@code MseLoss}), and its kernel class is the facade's name plus {@code Kernel}.
   */
  @Parameter List<ProgramOptions> programs;

  /**
   * The dtype of every program's f32 and f64 declarations ({@code f32} or {@code f64}); unset, they
   * are as declared.
   */
  @Parameter(property = "gradc.dtype")
  String dtype;

  /**
   * Fixed sizes of symbolic dims, {@code <dims><N>64</N></dims>}: the facades check that the arrays
   * have the lengths these sizes give (the kernels still infer them).
   */
  @Parameter Map<String, Integer> dims;

  /** Skips the goal. */
  @Parameter(property = "gradc.skip", defaultValue = "false")
  boolean skip;

  abstract File sourceRoot();

  abstract File classesDir();

  abstract File sourcesDir();

  abstract String kind();

  abstract void addSourceRoot(String dir);

  /** The source root relative to the project's directory, for the facades' Javadoc. */
  private String shownRoot() {
    Path base = project.getBasedir().toPath().toAbsolutePath();
    Path root = sourceRoot().toPath().toAbsolutePath();
    String shown = root.startsWith(base) ? base.relativize(root).toString() : root.toString();
    return shown.replace('\\', '/') + "/";
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("gradc: skipped");
      return;
    }
    Map<String, GradcBuild.Settings> settings = new LinkedHashMap<>();
    for (ProgramOptions p : programs == null ? List.<ProgramOptions>of() : programs) {
      if (p.file == null) {
        throw new MojoExecutionException("gradc: each <program> needs a <file>");
      }
      settings.put(
          p.file.replace('\\', '/'),
          new GradcBuild.Settings(p.className, p.dtype, p.dims == null ? Map.of() : p.dims));
    }
    File target = new File(project.getBuild().getDirectory());
    GradcBuild build =
        new GradcBuild(
            sourceRoot().toPath(),
            shownRoot(),
            classesDir().toPath(),
            sourcesDir().toPath(),
            new File(target, "gradc-state/" + kind()).toPath(),
            packageName,
            new GradcBuild.Settings(null, dtype, dims == null ? Map.of() : dims),
            settings,
            "gradc-maven-plugin " + pluginVersion,
            new GradcBuild.Log() {
              @Override
              public void info(String line) {
                getLog().info(line);
              }

              @Override
              public void error(String diagnostic) {
                getLog().error(diagnostic.stripTrailing());
              }
            });
    GradcBuild.Outcome outcome;
    try {
      outcome = build.run();
    } catch (IOException e) {
      throw new MojoExecutionException("gradc: " + e, e);
    }
    addSourceRoot(sourcesDir().getPath());
    if (!outcome.errors().isEmpty()) {
      throw new MojoFailureException(
          "gradc: "
              + outcome.errors().size()
              + (outcome.errors().size() == 1 ? " program" : " programs")
              + " failed to compile:\n"
              + String.join("", outcome.errors()));
    }
  }
}
