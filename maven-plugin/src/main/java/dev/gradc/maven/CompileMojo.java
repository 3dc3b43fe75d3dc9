package dev.gradc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Compiles {@code src/main/gradc/**}{@code /*.grad} ahead of time: kernel classes into {@code
 * target/classes} (so the packaged jar holds them) and a typed facade per program into {@code
 * target/generated-sources/gradc}, added as a compile source root.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class CompileMojo extends AbstractGradcMojo {
  /** Where the programs are. */
  @Parameter(defaultValue = "${project.basedir}/src/main/gradc", property = "gradc.sourceDirectory")
  File sourceDirectory;

  /** Where the facades go. */
  @Parameter(defaultValue = "${project.build.directory}/generated-sources/gradc")
  File outputDirectory;

  /** Where the kernel classes go. */
  @Parameter(defaultValue = "${project.build.outputDirectory}")
  File classesDirectory;

  @Override
  File sourceRoot() {
    return sourceDirectory;
  }

  @Override
  File classesDir() {
    return classesDirectory;
  }

  @Override
  File sourcesDir() {
    return outputDirectory;
  }

  @Override
  String kind() {
    return "main";
  }

  @Override
  void addSourceRoot(String dir) {
    project.addCompileSourceRoot(dir);
  }
}
