package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input suite: every {@code src/test/resources/bad-configs/NN-name.yaml} must fail with
 * exactly the message in {@code NN-name.expected} ({@code line:col: message}, after the file name),
 * as a {@link ConfigException} (exit 2).
 */
class BadConfigsTest {
    static final Path DIR = Path.of("src/test/resources/bad-configs");

    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    static final Path DOC = Path.of(System.getProperty("slipway.repo", "..")).resolve("docs/bad-input.md");

    @Test
    void atLeast120FixturesEachWithAnExpectedMessage() throws IOException {
        List<String> all = fixtures().toList();
        assertTrue(all.size() >= 120, "only " + all.size() + " fixtures");
        for (String f : all) {
            assertTrue(Files.isRegularFile(DIR.resolve(f.replace(".yaml", ".expected"))), f + " has no .expected");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void failsWithTheExpectedMessage(String fixture) throws IOException {
        Path file = DIR.resolve(fixture);
        byte[] bytes = Files.readAllBytes(file); // bytes, as ConfigLoader.load reads them: a fixture may not be UTF-8
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(Path.of("slipway.yaml"), bytes));
        Path expectedFile = DIR.resolve(fixture.replace(".yaml", ".expected"));
        String actual = e.getMessage().substring("slipway.yaml:".length());
        if (Boolean.getBoolean("bad-configs.record")) { // to add a fixture: record, then review the .expected
            Files.writeString(expectedFile, actual + "\n");
        }
        assertEquals(Files.readString(expectedFile).strip(), actual);
        assertEquals(2, e.exitCode());
        assertFalse(actual.contains("\n"), "one line");
    }

    /**
     * docs/bad-input.md holds the table of every fixture: case, exit code, message. Recording
     * ({@code -Dbad-configs.record=true}) rewrites it from the fixtures.
     */
    @Test
    void theDocsTableListsEveryCaseWithItsMessage() throws IOException {
        StringBuilder table = new StringBuilder("| case | exit code | message |\n|---|---|---|\n");
        for (String f : fixtures().toList()) {
            String expected = Files.readString(DIR.resolve(f.replace(".yaml", ".expected"))).strip();
            table.append("| `").append(f.replace(".yaml", "")).append("` | 2 | ")
                    .append(("slipway.yaml:" + expected).replace("|", "\\|")).append(" |\n");
        }
        String doc = Files.readString(DOC);
        int start = doc.indexOf("| case | exit code | message |");
        assertTrue(start >= 0, DOC + " has no table");
        int end = doc.indexOf("\n\n", start);
        String current = doc.substring(start, end < 0 ? doc.length() : end + 1);
        if (Boolean.getBoolean("bad-configs.record")) {
            Files.writeString(DOC, doc.substring(0, start) + table + (end < 0 ? "" : doc.substring(end + 1)));
            return;
        }
        assertEquals(table.toString(), current, DOC + " is stale: run BadConfigsTest with -Dbad-configs.record=true");
    }
}
