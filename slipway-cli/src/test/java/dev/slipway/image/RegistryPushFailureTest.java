package dev.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push to a registry address where nothing listens: the user reads the cause ("cannot reach the
 * registry 127.0.0.1:PORT: connection refused"), not the HTTP client's exception class
 * ({@code org.apache.http.conn.HttpHostConnectException}), which {@code push} used to print.
 */
class RegistryPushFailureTest {
    @TempDir
    Path tmp;

    @Test
    void aRegistryWhereNothingListensIsNamedWithoutExceptionClasses() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Path layout = Files.createDirectories(tmp.resolve("oci/blobs/sha256"));
        OciImage.Descriptor index = new OciImage.Descriptor("application/vnd.oci.image.index.v1+json",
                "sha256:" + "0".repeat(64), 2);
        StringWriter err = new StringWriter();
        Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(err, true), false);
        SlipwayException e = assertThrows(SlipwayException.class, () -> RegistryPush.push(layout.getParent().getParent(),
                index, List.of(), RegistryPush.Ref.parse("127.0.0.1:" + port + "/acme/svc:1"), List.of(),
                Map.of("HOME", tmp.toString())::get, console));
        assertEquals(SlipwayException.FAILED, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("cannot reach the registry 127.0.0.1:" + port + ": connection refused"),
                e.getMessage());
        assertFalse(e.getMessage().matches("(?s).*\\b(org|com|java|javax)\\.[a-z]+\\..*"), "no class names: " + e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }

    @Test
    void classNamesQuotedInAClientsMessageAreTakenOut() {
        assertEquals("Failed to authenticate: Connection reset", dev.slipway.util.NetworkCause.withoutClassNames(
                "Failed to authenticate: java.net.SocketException: Connection reset"));
        assertEquals("Connect to 127.0.0.1:1 failed", dev.slipway.util.NetworkCause.withoutClassNames(
                "org.apache.http.conn.HttpHostConnectException: Connect to 127.0.0.1:1 failed"));
        assertEquals("connection refused", dev.slipway.util.NetworkCause.unreachable(new java.io.IOException("outer",
                new java.net.ConnectException("Connect to 127.0.0.1:1 [/127.0.0.1] failed: Connection refused"))).orElseThrow());
    }
}
