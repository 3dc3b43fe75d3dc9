package dev.gradc.ir;

/** Whether a function parameter requires grad ({@code param}) or not ({@code input}). */
public enum Role {
  PARAM("param"),
  INPUT("input");

  private final String keyword;

  Role(String keyword) {
    this.keyword = keyword;
  }

  /** The keyword used in the {@code .grad} language. */
  public String keyword() {
    return keyword;
  }
}
