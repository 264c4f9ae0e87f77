package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadinessTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void limits() {
        Main.applyHttpLimits();
    }

    @Test
    void storageCheckOkForWritableDir() {
        assertTrue(new StorageCheck(tmp).check().isEmpty());
    }

    @Test
    void storageCheckFailsForRegularFileAndMissingDir() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        assertTrue(new StorageCheck(file).check().orElseThrow().contains("not a directory"));
        assertTrue(new StorageCheck(tmp.resolve("missing")).check().orElseThrow().contains("does not exist"));
    }

    @Test
    void readyIs503WhenDataDirIsARegularFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("data"), "x");
        // Must not crash even though DATA_DIR cannot be created.
        try (App app = App.start(TestConfig.local(file), BuildInfo.load(null))) {
            HttpResponse<String> r = TestHttp.get(app.port(), "/health/ready");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().startsWith("{\"status\":\"unhealthy\""), r.body());
            assertTrue(r.body().contains("\"checks\":{\"storage\":\"unhealthy: "), r.body());
            assertEquals(200, TestHttp.get(app.port(), "/health/live").statusCode());
        }
    }

    @Test
    void readyIs503WhileShuttingDownButServingContinues() throws Exception {
        try (App app = App.start(TestConfig.local(tmp), BuildInfo.load(null))) {
            assertTrue(app.awaitSchema(20_000));
            assertEquals(200, TestHttp.get(app.port(), "/health/ready").statusCode());
            app.beginShutdown();
            HttpResponse<String> r = TestHttp.get(app.port(), "/health/ready");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().startsWith("{\"status\":\"shutting down\""), r.body());
            assertEquals(200, TestHttp.get(app.port(), "/").statusCode());
            assertTrue(app.shutdownGracefully("test"));
        }
    }
}
