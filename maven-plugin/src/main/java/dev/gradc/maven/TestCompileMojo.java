package dev.gradc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Compiles {@code src/test/gradc/**}{@code /*.grad} as {@code compile} does the main programs:
 * kernel classes into {@code target/test-classes}, facades into {@code
 * target/generated-test-sources/gradc}, added as a test compile source root.
 */
@Mojo(name = "testCompile", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public final class TestCompileMojo extends AbstractGradcMojo {
  /** Where the test programs are. */
  @Parameter(
      defaultValue = "${project.basedir}/src/test/gradc",
      property = "gradc.testSourceDirectory")
  File testSourceDirectory;

  /** Where the test facades go. */
  @Parameter(defaultValue = "${project.build.directory}/generated-test-sources/gradc")
  File testOutputDirectory;

  /** Where the test kernel classes go. */
  @Parameter(defaultValue = "${project.build.testOutputDirectory}")
  File testClassesDirectory;

  @Override
  File sourceRoot() {
    return testSourceDirectory;
  }

  @Override
  File classesDir() {
    return testClassesDirectory;
  }

  @Override
  File sourcesDir() {
    return testOutputDirectory;
  }

  @Override
  String kind() {
    return "test";
  }

  @Override
  void addSourceRoot(String dir) {
    project.addTestCompileSourceRoot(dir);
  }
}
