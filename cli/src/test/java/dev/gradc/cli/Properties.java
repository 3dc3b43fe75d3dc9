package dev.gradc.cli;

import java.util.function.Supplier;

/** Runs code with a system property set, then restores the property's previous value. */
final class Properties {
  private Properties() {}

  static <T> T with(String name, String value, Supplier<T> code) {
    String before = System.getProperty(name);
    System.setProperty(name, value);
    try {
      return code.get();
    } finally {
      if (before == null) {
        System.clearProperty(name);
      } else {
        System.setProperty(name, before);
      }
    }
  }
}
