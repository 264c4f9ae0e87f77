package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link QuickBinder} binds the repository's own configurations as databind does (so {@code slipway
 * check} of them skips databind), and gives up on what it does not bind exactly as databind would.
 * Every other test's configuration is compared with databind too ({@code slipway.config.crosscheck}).
 */
class QuickBinderTest {
    static final Path REPO = Path.of(System.getProperty("slipway.repo", ".."));

    @Test
    void bindsTheRepositorysConfigurationsAsDatabindDoes() throws IOException {
        for (Path p : List.of(REPO.resolve("slipway.yaml"), REPO.resolve("examples/myapp/slipway.yaml"))) {
            String text = Files.readString(p);
            ConfigLoader.RawConfig quick = QuickBinder.bind(text, ConfigLoader.RawConfig.class);
            assertNotNull(quick, p.toString());
            assertEquals(ConfigLoader.bind(p, text), quick, p.toString());
        }
        String all = """
                name: all
                platforms: [linux-amd64]
                profiles:
                  dev: {default: true, defaults: {a: b}}
                build: {jvmOptions: [-Xss1m], detectModules: false}
                service:
                  port: 9000
                  readiness: {type: http, path: /r, interval: 500ms, timeout: 2s}
                  drainTimeout: 1m
                deploy:
                  local: {retain: 3, proxy: {config: /etc/nginx/x.conf, listen: "127.0.0.1:80", ports: [9000, 9001]}}
                canary:
                  metrics:
                    - {name: error-rate, max: 0.5}
                """;
        ConfigLoader.RawConfig quick = QuickBinder.bind(all, ConfigLoader.RawConfig.class);
        assertNotNull(quick);
        assertEquals(ConfigLoader.bind(Path.of("slipway.yaml"), all), quick);
    }

    @Test
    void givesUpOnWhatDatabindMustJudge() {
        for (String text : List.of(
                "name: a\nnope: 1\n",                     // unknown key
                "name: a\nname: b\n",                     // duplicate key
                "name: a\nservice:\n",                    // a YAML null
                "name: a\nservice: {port: \"80\"}\n",     // a string for an integer
                "name: a\nservice: {port: 99999999999}\n", // outside int
                "name: 1\n",                              // an integer for a string
                "name: &x a\nmain: *x\n",                 // anchor and alias
                "name: !!str a\n",                        // a tag
                "name: a\nservice: {drainTimeout: 5 parsecs}\n",
                "name: a\ncanary: {metrics: [{name: m, max: 1}]}\n", // an integer for a Double
                "name: a\n---\nname: b\n",                // a second document
                "- name\n")) {                            // not a mapping
            assertNull(QuickBinder.bind(text, ConfigLoader.RawConfig.class), text);
        }
    }
}
