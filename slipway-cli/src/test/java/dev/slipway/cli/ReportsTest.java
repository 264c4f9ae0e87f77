package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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
    void aFingerprintSuffixIsExplainedOnce() {
        Report r = report("local", "1.0.0", List.of("switch local: switch current -> releases/1.0.0+3f2a9c1d (was 1.0.0)",
                "restart local: start releases/1.0.0+3f2a9c1d/svc"), List.of("svc 1.0.0 is ready"));
        Report explained = Reports.explainVersion(r);
        assertEquals(List.of("svc 1.0.0 is ready", "(1.0.0+3f2a9c1d: version 1.0.0 built again with other bytes, environment or"
                + " readiness probe; '+3f2a9c1d' is the start of its fingerprint, which keeps it apart from the 1.0.0"
                + " installed before)"), explained.lines());
        assertEquals(r.steps(), explained.steps());
        assertEquals(r.message(), explained.message());
        Report status = report("local", "2.1.0+0123abcd", List.of(), List.of("svc on local", "  version    2.1.0+0123abcd"));
        assertEquals(3, Reports.explainVersion(status).lines().size());
    }

    @Test
    void otherVersionsAndTargetsAreLeftAlone() {
        Report plain = report("local", "1.0.0+build5", List.of("switch local: releases/1.0.0+build5"), List.of("ok"));
        assertSame(plain, Reports.explainVersion(plain));
        Report hosts = report("hosts", "1.0.0+3f2a9c1d", List.of(), List.of("ok"));
        assertSame(hosts, Reports.explainVersion(hosts));
    }
}
