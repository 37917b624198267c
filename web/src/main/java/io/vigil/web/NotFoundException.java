package io.vigil.web;

/** The addressed thing does not exist; the API answers 404 with this message. */
public final class NotFoundException extends RuntimeException {
  public NotFoundException(String message) {
    super(message, null, false, false);
  }
}
