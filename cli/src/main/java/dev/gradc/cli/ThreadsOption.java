package dev.gradc.cli;

import dev.gradc.runtime.Executor;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --threads T}: how many threads compiled kernels use, for one command. */
final class ThreadsOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  private Integer threads;

  @Option(
      names = "--threads",
      paramLabel = "T",
      description =
          "Threads for compiled kernels (default: the system property gradc.threads, else all"
              + " cores); results do not depend on it.")
  void setThreads(int t) {
    if (t < 1) {
      throw new ParameterException(command.commandLine(), "--threads must be at least 1, got " + t);
    }
    threads = t;
  }

  /** The threads the kernels will use. */
  int effective() {
    return threads != null ? threads : Executor.threads();
  }

  /** Runs {@code work} with the requested threads, then restores the previous setting. */
  <T> T run(Supplier<T> work) {
    int before = Executor.threads();
    if (threads != null) {
      Executor.setThreads(threads);
    }
    try {
      return work.get();
    } finally {
      Executor.setThreads(before);
    }
  }
}
