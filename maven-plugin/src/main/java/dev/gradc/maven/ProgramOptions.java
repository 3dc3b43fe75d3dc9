package dev.gradc.maven;

import java.util.Map;

/** The {@code <program>} element of the plugin's configuration: settings of one program. */
public final class ProgramOptions {
  /** The program's path relative to the source root, {@code /}-separated. Required. */
  String file;

  /** The simple name of its facade; the kernel class adds {@code Kernel}. */
  String className;

  /** The dtype of its f32 and f64 declarations, overriding the plugin's {@code dtype}. */
  String dtype;

  /** Sizes of its symbolic dims, overriding the plugin's {@code dims}. */
  Map<String, Integer> dims;
}
