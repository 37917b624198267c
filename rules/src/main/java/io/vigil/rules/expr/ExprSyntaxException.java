package io.vigil.rules.expr;

/**
 * An expression that does not parse or does not type-check. {@link #getMessage()} is
 * {@code "line L, column C: reason"}; both numbers are 1-based, the column counts characters
 * within the line.
 */
public final class ExprSyntaxException extends IllegalArgumentException {
  private final int line;
  private final int column;
  private final String reason;

  public ExprSyntaxException(int line, int column, String reason) {
    super("line " + line + ", column " + column + ": " + reason);
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  /** Builds the exception for a 0-based character offset into {@code text}. */
  public static ExprSyntaxException at(String text, int offset, String reason) {
    int line = 1;
    int lineStart = 0;
    int end = Math.min(Math.max(offset, 0), text.length());
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new ExprSyntaxException(line, end - lineStart + 1, reason);
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public String reason() {
    return reason;
  }
}
