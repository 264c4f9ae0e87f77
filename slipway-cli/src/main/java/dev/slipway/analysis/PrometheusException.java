package dev.slipway.analysis;

/**
 * A query that got no answer: Prometheus unreachable, an HTTP error, a query Prometheus rejects
 * ({@code "status": "error"}), or a response that is not the HTTP API's JSON. The analysis
 * records it as an {@link Verdict#ERROR} measurement; it is never read as a value.
 */
public class PrometheusException extends RuntimeException {
    /** @param message what went wrong, naming the Prometheus URL */
    public PrometheusException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the Prometheus URL
     * @param cause   the underlying I/O or parse error
     */
    public PrometheusException(String message, Throwable cause) {
        super(message, cause);
    }
}
