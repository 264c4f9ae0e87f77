package dev.slipway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A failure inside a timed step reaches the user as its cause line: a Slipway message thrown on
 * another thread (joined through a future) stays as it was, and an I/O error is named by what
 * failed, never by a Java class name (the last CI run showed "failed: dev.slipway.SlipwayException:
 * runtime cache ...: No space left on device").
 */
class ConsoleFailureTest {
    private final Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);

    @Test
    void aSlipwayFailureJoinedFromAnotherThreadKeepsItsMessage() {
        SlipwayException inner = SlipwayException.failed("runtime cache /c/runtimes: No space left on device");
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            throw inner;
        });
        SlipwayException e = assertThrows(SlipwayException.class, () -> console.timed("writing x", f::join));
        assertSame(inner, e);
        assertEquals("runtime cache /c/runtimes: No space left on device", e.getMessage());
    }

    @Test
    void anIoErrorIsNamedByWhatFailedNotByItsClass() {
        SlipwayException wrapped = assertThrows(SlipwayException.class, () -> console.timed("writing x", () -> {
            throw new CompletionException(new UncheckedIOException(new IOException("No space left on device")));
        }));
        assertEquals("writing x failed: No space left on device", wrapped.getMessage());
        SlipwayException missing = assertThrows(SlipwayException.class, () -> console.timed("reading y", () -> {
            throw new NoSuchFileException("/srv/x/history.tsv");
        }));
        assertEquals("reading y failed: no such file or directory: /srv/x/history.tsv", missing.getMessage());
    }
}
