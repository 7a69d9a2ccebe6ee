package io.stowage.server.auth;

/**
 * A scope string or an {@code access} entry that does not follow the Docker registry token scope
 * grammar. The message quotes the offending text, cut short and with control characters replaced,
 * so it is safe to return to the client that sent it.
 */
public final class InvalidScopeException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidScopeException(String message) {
        super(message);
    }
}
