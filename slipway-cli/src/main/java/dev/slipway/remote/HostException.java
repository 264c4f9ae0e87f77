package dev.slipway.remote;

import dev.slipway.SlipwayException;

/**
 * A host could not be reached, a connection dropped, a command timed out, or a file did not
 * arrive intact. Exit code 1: the step failed. The message names the host.
 */
public class HostException extends SlipwayException {
    /**
     * @param message the whole message, naming the host
     * @param cause   the underlying error (shown with {@code --debug}), may be {@code null}
     */
    public HostException(String message, Throwable cause) {
        super(FAILED, message, cause);
    }
}
