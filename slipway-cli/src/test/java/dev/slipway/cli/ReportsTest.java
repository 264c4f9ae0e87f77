package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.deploy.Report;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link Reports} adds to a target's report before it is printed. */
class ReportsTest {
    static Report report(String target, String version, List<String> steps, List<String> lines) {
        return new Report(target, "deploy", "svc", version, 3, "ok", 0, null, steps, Map.of(), lines, lines.get(0));
    }

    @Test
    void aFingerprintSuffixIsExplainedOnceByTheDeployThatInstallsIt() {
        Report r = new Report("local", "deploy", "svc", "1.0.0", 3, "ok", 0, null, List.of("lock local: lock .slipway/lock",
                "upload local: install dist/svc as releases/1.0.0+3f2a9c1d/svc with its env (mode 0600) and release.json",
                "switch local: switch current -> releases/1.0.0+3f2a9c1d (was 1.0.0)"), Map.of(), List.of("svc 1.0.0 is ready"),
                "svc 1.0.0 is ready", List.of(1L, 20L, 3L));
        Report explained = Reports.explainVersion(r);
        assertEquals(List.of("svc 1.0.0 is ready", "(1.0.0+3f2a9c1d: version 1.0.0 built again with other bytes, environment or"
                + " readiness probe; '+3f2a9c1d' is the start of its fingerprint, which keeps it apart from the 1.0.0"
                + " installed before)"), explained.lines());
        assertEquals(r.steps(), explained.steps());
        assertEquals(r.message(), explained.message());
        assertEquals(List.of(1L, 20L, 3L), explained.stepMs(), "the per-step timings stay");
        // Once: a deploy that finds it installed, status and history show the version without the note.
        Report again = report("local", "1.0.0", List.of("upload local: skip install, releases/1.0.0+3f2a9c1d/svc is there"
                + " (sha256 0123456789ab)", "switch local: switch current -> releases/1.0.0+3f2a9c1d (was 2.0.0)"),
                List.of("svc 1.0.0 is ready"));
        assertSame(again, Reports.explainVersion(again));
        Report status = report("local", "2.1.0+0123abcd", List.of(), List.of("svc on local", "  version    2.1.0+0123abcd"));
        assertSame(status, Reports.explainVersion(status));
        Report history = Reports.history("local", "svc", List.of(new dev.slipway.deploy.Revision(1, "1.0.0+3f2a9c1d", "c0ffee",
                null, "deployed", "", "", "")));
        assertSame(history, Reports.explainVersion(history));
    }

    @Test
    void aHistoryWithAnUnreachableHostListsTheOthersThenThatHostAndFails() {
        List<dev.slipway.deploy.Revision> read = List.of(new dev.slipway.deploy.Revision(1, "1.0.0", "c0ffee1",
                null, "deployed", "root@m", "web1", "first"));
        Report r = Reports.history("hosts", "svc", read, List.of("web2: unreachable: no answer in time"));
        assertEquals(1, r.exitCode(), "as status with an unreachable host");
        assertEquals("failed", r.outcome());
        assertTrue(r.lines().get(1).startsWith("web1 "), r.lines().toString());
        assertEquals("web2: unreachable: no answer in time", r.lines().get(2));
        assertTrue(r.message().startsWith("history not read from web2: unreachable"), r.message());
        Report none = Reports.history("hosts", "svc", List.of(), List.of("web2: unreachable: x"));
        assertEquals(List.of("web2: unreachable: x"), none.lines());
        assertEquals(0, Reports.history("hosts", "svc", read, List.of()).exitCode());
    }

    @Test
    void otherVersionsAndTargetsAreLeftAlone() {
        Report plain = report("local", "1.0.0+build5", List.of("upload local: install dist/svc as releases/1.0.0+build5/svc"),
                List.of("ok"));
        assertSame(plain, Reports.explainVersion(plain));
        Report hosts = report("hosts", "1.0.0+3f2a9c1d", List.of(), List.of("ok"));
        assertSame(hosts, Reports.explainVersion(hosts));
    }

    @Test
    void docsCliMdNamesEveryFieldOfTheJsonReport() throws Exception {
        java.nio.file.Path doc = java.nio.file.Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize()
                .resolve("docs/cli.md");
        String text = java.nio.file.Files.readString(doc);
        String table = text.substring(text.indexOf("| field | meaning |"));
        table = table.substring(0, table.indexOf("\n\n"));
        java.io.StringWriter out = new java.io.StringWriter();
        Reports.json(new java.io.PrintWriter(out), report("local", "1.0.0", List.of(), List.of("ok")), List.of());
        var fields = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString()).fieldNames();
        while (fields.hasNext()) {
            String f = fields.next();
            org.junit.jupiter.api.Assertions.assertTrue(table.contains("`" + f + "`"), "docs/cli.md's --json table lacks " + f);
        }
    }

    /** A long version (a dirty build with its fingerprint) keeps the columns after it in line. */
    @Test
    void historyColumnsAreAsWideAsTheirLongestCell() {
        java.time.Instant t = java.time.Instant.parse("2026-12-06T03:00:00Z");
        List<String> lines = Reports.historyLines(List.of(
                new dev.slipway.deploy.Revision(1, "1.0.0", "1965be1aa", t, "deployed", "ann@vm", "", ""),
                new dev.slipway.deploy.Revision(2, "0.0.0-1965be1-dirty+19f2291e", "1965be1aa", t, "rolled back",
                        "ann@vm", "", "gate failed")));
        assertEquals(3, lines.size(), lines.toString());
        int commit = lines.get(0).indexOf("COMMIT");
        int outcome = lines.get(0).indexOf("OUTCOME");
        int note = lines.get(0).indexOf("NOTE");
        for (String line : lines.subList(1, 3)) {
            assertEquals("1965be1", line.substring(commit, commit + 7), line);
            assertEquals(' ', line.charAt(commit - 1), line);
            org.junit.jupiter.api.Assertions.assertTrue(line.startsWith(line.contains("rolled") ? "rolled back" : "deployed",
                    outcome), lines.toString());
        }
        assertEquals("gate failed", lines.get(2).substring(note), lines.toString());
        assertEquals("", lines.get(1).substring(Math.min(note, lines.get(1).length())).strip(), "no note, nothing after WHO");
    }
}
