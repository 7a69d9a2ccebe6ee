package io.stowage.server.config;

/** A configuration that cannot be used; its message names the key and is shown to the operator as is. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
