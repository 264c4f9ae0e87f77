package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.analysis.MetricCheck;
import dev.slipway.analysis.OnNoData;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canary section: defaults, built-in metrics and overrides, the minimum duration, errors. */
class CanaryConfigTest {
    private static final Path FILE = Path.of("svc/slipway.yaml");

    @Test
    void defaultsAreTwoAnalysedStepsAndTheErrorRate() {
        CanaryConfig c = ConfigLoader.parse(FILE, "name: app\n").canary();
        assertEquals(URI.create("http://127.0.0.1:9090"), c.prometheus());
        assertEquals(CanaryConfig.DEFAULT_STEPS, c.steps());
        assertEquals(1, c.metrics().size());
        MetricCheck m = c.metrics().get(0);
        assertEquals(MetricCheck.ERROR_RATE, m.name());
        assertEquals(0.01, m.max());
        assertNull(m.min());
        assertEquals(OnNoData.INCONCLUSIVE, m.onNoData());
        assertEquals("app", c.nginx().upstream());
        assertEquals("nginx -s reload", c.nginx().reload());
        // 2 steps x (1m x 3 measurements, the first after one interval and one scrape: 1m15s): 2 x 3m15s
        assertEquals(Duration.ofSeconds(75), m.initialDelay());
        assertEquals(Duration.ofSeconds(15), c.scrapeInterval());
        assertEquals(100, m.minRequests());
        assertEquals(0, m.inconclusiveLimit());
        assertEquals(MetricCheck.REQUESTS_QUERY, c.requests());
        assertEquals(Duration.ofSeconds(390), c.minDuration());
    }

    @Test
    void aServiceNameThatStartsWithADigitGetsAnUpstreamNameNginxTakes() {
        // A valid service name must not fail on a setting its user never wrote (it did: "'3d-viewer'
        // is not an nginx upstream name", even with no canary and no proxy).
        SlipwayConfig cfg = ConfigLoader.parse(FILE, """
                name: 3d-viewer
                deploy:
                  local:
                    proxy: {config: /tmp/upstream.conf, listen: 127.0.0.1:18080}
                """);
        assertEquals("svc_3d-viewer", cfg.canary().nginx().upstream());
        assertEquals("svc_3d-viewer", cfg.local().proxy().upstream());
        assertEquals("app", ConfigLoader.parse(FILE, "name: app\n").canary().nginx().upstream());
        // One written by the user is still checked.
        dev.slipway.SlipwayException e = assertThrows(dev.slipway.SlipwayException.class, () -> ConfigLoader.parse(FILE, """
                name: app
                canary:
                  nginx: {upstream: 9lives}
                """));
        assertTrue(e.getMessage().contains("'9lives' is not an nginx upstream name"), e.getMessage());
    }

    @Test
    void theHostsCanaryNamesServersAndItsProxyTakesTheSshDefaultsOfDeployHosts() {
        SlipwayConfig cfg = ConfigLoader.parse(FILE, """
                name: app
                deploy:
                  hosts:
                    user: deploy
                    port: 2222
                    identityFile: /keys/deploy
                    servers:
                      - {name: web1, address: 10.0.0.11}
                      - {name: web2, address: 10.0.0.12}
                      - {name: web3, address: 10.0.0.13}
                canary:
                  nginx: {config: /etc/nginx/conf.d/app.conf}
                  hosts:
                    canary: [web3]
                    proxy: {address: 10.0.0.5, user: root}
                """);
        CanaryConfig.Hosts h = cfg.canary().hosts();
        assertEquals(List.of("web3"), h.canary());
        assertEquals("10.0.0.5", h.proxy().address());
        assertEquals("root", h.proxy().user(), "its own user wins");
        assertEquals(2222, h.proxy().port(), "deploy.hosts.port");
        assertEquals(Path.of("/keys/deploy"), h.proxy().identityFile(), "deploy.hosts.identityFile");
        assertNull(ConfigLoader.parse(FILE, "name: app\n").canary().hosts(), "no canary.hosts: not configured");
        CanaryConfig local = ConfigLoader.parse(FILE, """
                name: app
                deploy:
                  hosts:
                    servers: [{name: web1, address: 10.0.0.11}, {name: web2, address: 10.0.0.12}]
                canary:
                  hosts: {canary: [web2]}
                """).canary();
        assertNull(local.hosts().proxy(), "no proxy: nginx on this machine");
    }

    @Test
    void builtInsTakeOverridesAndCustomMetricsTheirOwnQuery() {
        CanaryConfig c = ConfigLoader.parse(FILE, """
                name: app
                canary:
                  vars: {route: "/api/.*"}
                  steps:
                    - {weight: 10, analysis: true}
                    - {weight: 30, pause: 90s}
                  metrics:
                    - {name: error-rate, max: 0.05, interval: 30s, count: 4, initialDelay: 30s, onNoData: fail}
                    - name: created
                      query: 'sum(rate(http_requests_total{job="{{job}}",track="{{track}}",route=~"{{route}}"}[{{interval}}]))'
                      min: 0.5
                      failureLimit: 1
                      errorLimit: 0
                """).canary();
        MetricCheck e = c.metrics().get(0);
        assertEquals(MetricCheck.ERROR_RATE_QUERY, e.query());
        assertEquals(0.05, e.max());
        assertEquals(OnNoData.FAIL, e.onNoData());
        assertEquals(Duration.ofSeconds(120), e.duration(), "30s delay + 3 x 30s");
        MetricCheck m = c.metrics().get(1);
        assertEquals(0.5, m.min());
        assertNull(m.max());
        assertEquals(1, m.failureLimit());
        assertEquals(0, m.errorLimit());
        assertTrue(m.passes(0.5) && !m.passes(0.49));
        assertEquals(List.of(new CanaryConfig.Step(10, null, true), new CanaryConfig.Step(30, Duration.ofSeconds(90), false)),
                c.steps());
        // analysis step: the longest metric (error-rate, 120s; created: 1m15s default delay + 1m x 2 = 195s); pause step: 90s
        assertEquals(Duration.ofSeconds(285), c.minDuration());
    }

    @Test
    void reservedVariablesAndDuplicateMetricsAreRejectedAtTheirLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE,
                "name: app\ncanary:\n  vars: {track: blue}\n"));
        assertEquals("svc/slipway.yaml:3:10: {{track}} is set by Slipway; choose another name", e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE,
                "name: app\ncanary:\n  metrics:\n    - {name: error-rate}\n    - {name: error-rate}\n"));
        assertTrue(e.getMessage().startsWith("svc/slipway.yaml:5:") && e.getMessage().endsWith(
                "metric 'error-rate' is listed twice"), e.getMessage());
    }
}
