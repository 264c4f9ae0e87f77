package dev.slipway.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis engine against a real Prometheus (which scrapes itself): verdicts from real query
 * answers, no data from empty results and NaN, errors from a rejected query and from a port where
 * nothing listens. The canary tests in {@code dev.slipway.canary} measure real myapp traffic.
 */
class AnalysisTest {
    @TempDir
    static Path dir;
    static PrometheusServer prom;
    static PrometheusClient client;
    static final Map<String, String> VARS = Map.of("service", "prometheus", "track", "canary");

    @BeforeAll
    static void start() throws Exception {
        prom = PrometheusServer.start(dir, "prometheus", List.of("127.0.0.1:0"));
        client = new PrometheusClient(prom.url(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        if (prom != null) {
            prom.close();
        }
    }

    static MetricCheck check(String name, String query, Double min, Double max, int count, OnNoData onNoData) {
        return new MetricCheck(name, query, min, max, Duration.ofMillis(200), count, 0, 2, Duration.ZERO, onNoData);
    }

    @Test
    void valuesInsideTheConditionPassAndOutsideFailAtTheFirstMeasurement() throws Exception {
        List<Measurement> seen = new ArrayList<>();
        AnalysisResult ok = Analysis.run(List.of(check("low", "vector(0.004)", null, 0.01, 3, OnNoData.INCONCLUSIVE)),
                VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, seen::add);
        assertEquals(Verdict.PASS, ok.verdict(), ok.message());
        assertEquals(3, ok.measurements().size());
        assertEquals(seen, ok.measurements());
        assertEquals(0.004, ok.measurements().get(0).value());
        // measurements are an interval apart
        long gap = Duration.between(ok.measurements().get(0).time(), ok.measurements().get(2).time()).toMillis();
        assertTrue(gap >= 390 && gap < 1500, "gap " + gap);

        AnalysisResult bad = Analysis.run(List.of(
                        check("high", "vector(0.3)", null, 0.01, 5, OnNoData.INCONCLUSIVE),
                        check("fine", "scalar(vector(1))", 0.5, 2.0, 5, OnNoData.INCONCLUSIVE)),
                VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, bad.verdict());
        assertTrue(bad.message().startsWith("high failed: 0.3 does not meet <= 0.01"), bad.message());
        assertEquals(1, bad.metrics().get(0).measured(), "stops at the first failure (failureLimit 0)");
        assertTrue(bad.metrics().get(1).measured() <= 1);
    }

    @Test
    void failureLimitToleratesThatManyFailures() throws Exception {
        MetricCheck c = new MetricCheck("tolerant", "vector(0.3)", null, 0.01, Duration.ofMillis(100), 5, 2, 2,
                Duration.ZERO, OnNoData.INCONCLUSIVE);
        AnalysisResult r = Analysis.run(List.of(c), VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, r.verdict());
        assertEquals(3, r.measurements().size(), "failures 1 and 2 are tolerated, the third fails the metric");
        assertTrue(r.message().contains("3 of 3 measurements failed, failureLimit 2"), r.message());
    }

    @Test
    void emptyResultAndNaNAreNoDataDecidedByOnNoData() throws Exception {
        String empty = "up{job=\"{{service}}-absent\",track=\"{{track}}\"}";
        String nan = "vector(0) / vector(0)";
        for (String q : List.of(empty, nan)) {
            AnalysisResult inc = Analysis.run(List.of(check("m", q, null, 0.01, 2, OnNoData.INCONCLUSIVE)),
                    VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
            assertEquals(Verdict.INCONCLUSIVE, inc.verdict(), q);
            assertNull(inc.measurements().get(0).value());
            assertTrue(inc.measurements().get(0).message().startsWith("no data ("), inc.measurements().get(0).message());
            assertTrue(inc.message().contains("2 of 2 measurements had no data"), inc.message());

            AnalysisResult fail = Analysis.run(List.of(check("m", q, null, 0.01, 2, OnNoData.FAIL)),
                    VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
            assertEquals(Verdict.FAIL, fail.verdict(), q);
            assertEquals(1, fail.measurements().size());

            AnalysisResult pass = Analysis.run(List.of(check("m", q, null, 0.01, 2, OnNoData.PASS)),
                    VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
            assertEquals(Verdict.PASS, pass.verdict(), q);
        }
        assertTrue(Analysis.run(List.of(check("m", empty, null, 1.0, 1, OnNoData.INCONCLUSIVE)), VARS, client,
                Clock.systemUTC(), Sleeper.SYSTEM, null).measurements().get(0).query()
                .equals("up{job=\"prometheus-absent\",track=\"canary\"}"), "template rendered");
    }

    @Test
    void unreachablePrometheusCountsErrorsAndFailsAfterTheLimit() throws Exception {
        PrometheusClient nowhere = new PrometheusClient(URI.create("http://127.0.0.1:" + PrometheusServer.freePort()),
                Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        AnalysisResult r = Analysis.run(List.of(check("m", "vector(0)", null, 1.0, 10, OnNoData.PASS)),
                VARS, nowhere, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, r.verdict());
        assertEquals(3, r.measurements().size(), "errorLimit 2: the third error in a row fails");
        assertTrue(r.measurements().stream().allMatch(m -> m.verdict() == Verdict.ERROR));
        assertTrue(r.message().contains("3 errors in a row (errorLimit 2)"), r.message());
        assertTrue(r.message().contains("is unreachable"), r.message());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);

        // a query Prometheus rejects is an error too, with Prometheus' own reason
        AnalysisResult bad = Analysis.run(List.of(check("m", "sum(", null, 1.0, 5, OnNoData.PASS)),
                VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, bad.verdict());
        assertTrue(bad.measurements().get(0).message().contains("rejected the query (HTTP 400, bad_data)"),
                bad.measurements().get(0).message());
    }

    @Test
    void moreThanOneSeriesIsAnErrorNotAGuess() throws Exception {
        AnalysisResult r = Analysis.run(List.of(check("m",
                        "label_replace(vector(1), \"a\", \"x\", \"\", \"\") or label_replace(vector(2), \"a\", \"y\", \"\", \"\")",
                        null, 5.0, 1, OnNoData.PASS)), VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.ERROR, r.measurements().get(0).verdict());
        assertTrue(r.measurements().get(0).message().contains("returned 2 series"));
    }

    @Test
    void unknownTemplateVariablesAreRejectedBeforeAnyQuery() {
        var e = assertThrows(IllegalArgumentException.class, () -> Analysis.validate(
                List.of(check("m", "rate(x{a=\"{{servce}}\"}[{{interval}}])", null, 1.0, 1, OnNoData.PASS)), VARS));
        assertTrue(e.getMessage().contains("unknown variable {{servce}}"), e.getMessage());
        assertEquals("rate(x[1500ms]) 5s", QueryTemplate.render("rate(x[{{interval}}]) {{ i2 }}",
                QueryTemplate.vars(Map.of("i2", "5s"), "s", "canary", Duration.ofMillis(1500))));
    }
}
