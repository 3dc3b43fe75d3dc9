package dev.gradc.maven;

/** The {@code <program>} element of the plugin's configuration. */
public final class ProgramOptions {
  /** The program's path relative to the source root, {@code /}-separated. */
  String file;

  /** The simple name of its facade. */
  String className;
}
