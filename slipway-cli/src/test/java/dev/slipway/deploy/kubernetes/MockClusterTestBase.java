package dev.slipway.deploy.kubernetes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kubernetes target's tests share: a fresh {@link MockCluster} per test (its stand-in
 * controller must end without errors), a service directory, and the console's error stream.
 */
abstract class MockClusterTestBase {
    @TempDir
    Path dir;
    MockCluster cluster;
    StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        assertTrue(cluster.errors.isEmpty(), "controller errors: " + cluster.errors);
    }

    /** @return myapp's configuration ({@link KubernetesTargetTest#yaml}) with {@code extra} in {@code deploy.kubernetes} */
    SlipwayConfig config(String extra) throws Exception {
        Path f = dir.resolve("slipway.yaml");
        Files.writeString(f, KubernetesTargetTest.yaml(extra));
        return ConfigLoader.load(f);
    }
}
