package dev.slipway.config;

import dev.slipway.analysis.MetricCheck;
import dev.slipway.analysis.OnNoData;
import dev.slipway.analysis.QueryTemplate;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The resolved {@code canary} section of {@code slipway.yaml}: the steps of a canary release, the
 * metrics its analysis measures, and where Prometheus and the traffic split are. The reference is
 * {@code docs/config.md}, section {@code canary}; the guide is {@code docs/canary.md}.
 *
 * @param prometheus   the Prometheus root URL queried by the analysis
 * @param queryTimeout the longest one Prometheus query may take
 * @param vars         user template variables for the metric queries
 * @param steps        the steps, in order; the canary is promoted after the last
 * @param metrics      the metrics each {@code analysis} step measures, in order
 * @param nginx        the proxy whose upstream weights split the traffic
 * @param local        instances of the {@code local} canary target (loopback processes)
 * @param hosts        the {@code hosts} canary target: which of {@code deploy.hosts.servers} run the
 *                     canary, and where the proxy is
 * @param requests     the PromQL template of the request count since the window started, compared
 *                     with each metric's {@code minRequests}
 * @param scrapeInterval how often Prometheus scrapes the instances: the canary waits this long at
 *                     weight 0 after it starts (so Prometheus has seen its series before the first
 *                     window), and it is part of the default {@code initialDelay}
 * @param bake         how long the release is watched after its promotion ({@link Duration#ZERO}: not
 *                     at all): the {@code metrics} of the stable track are measured every interval
 *                     for this long, and a failure undoes the release (back to the stable release
 *                     recorded when the canary started)
 */
public record CanaryConfig(URI prometheus, Duration queryTimeout, Map<String, String> vars, List<Step> steps,
                           List<MetricCheck> metrics, Nginx nginx, Local local, Hosts hosts, String requests,
                           Duration scrapeInterval, Duration bake) {

    /** Default steps: 10 % then 50 %, each analysed. */
    public static final List<Step> DEFAULT_STEPS = List.of(new Step(10, null, true), new Step(50, null, true));
    /** Default interval between measurements. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    /** Default number of measurements per metric and step. */
    public static final int DEFAULT_COUNT = 3;
    /** Default consecutive-error limit. */
    public static final int DEFAULT_ERROR_LIMIT = 3;
    /** Default scrape interval assumed for Prometheus: 15 s, the interval of most configurations. */
    public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofSeconds(15);

    private static final Pattern VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The nginx upstream name Slipway gives a service whose {@code slipway.yaml} names none: the
     * service name when it starts with a letter or {@code _} (nginx's upstream names in Slipway's
     * rendered files are {@code [A-Za-z_][A-Za-z0-9_.-]*}), else the name after {@code svc_}, so a
     * valid service name such as {@code 3d-viewer} never fails on a setting its user did not write.
     *
     * @param service the service name
     * @return the upstream name
     */
    public static String defaultUpstream(String service) {
        return service.matches("[A-Za-z_][A-Za-z0-9_.-]*") ? service : "svc_" + service.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
    private static final Pattern METRIC_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Set<String> RESERVED_VARS = Set.of("service", "track", "interval", "start");

    /**
     * One step: set the canary's traffic weight, then pause or analyse.
     *
     * @param weight   the canary's share of requests in percent, 0-100 (exact, not a replica ratio)
     * @param pause    how long to wait at this weight, or {@code null} for an analysis step
     * @param analysis whether this step runs the analysis (all {@code metrics})
     */
    public record Step(int weight, Duration pause, boolean analysis) {
        /** @return how long the step takes at least: the pause, or the longest metric's measurements */
        public Duration minDuration(List<MetricCheck> metrics) {
            if (!analysis) {
                return pause;
            }
            return metrics.stream().map(MetricCheck::duration).max(Duration::compareTo).orElse(Duration.ZERO);
        }
    }

    /**
     * The nginx proxy in front of the instances.
     *
     * @param config   the file Slipway renders the {@code upstream} block into, included by the
     *                 site's nginx configuration; absolute or relative to the service directory
     * @param upstream the upstream's name ({@code proxy_pass http://NAME;}); default the service name
     * @param reload   the shell command that reloads nginx, run on the proxy host
     * @param test     the shell command that checks the configuration before a reload
     */
    public record Nginx(String config, String upstream, String reload, String test) {}

    /**
     * The {@code local} canary target: instances run as processes on this machine.
     *
     * @param stable addresses of the stable instances ({@code 127.0.4.1}); each listens on {@code service.port}
     * @param canary addresses of the canary instances
     */
    public record Local(List<String> stable, List<String> canary) {}

    /**
     * The {@code hosts} canary target: a subset of {@code deploy.hosts.servers} runs the canary with
     * {@code TRACK=canary}, the others stay stable; nginx on the proxy host splits the traffic.
     *
     * @param canary names of {@code deploy.hosts.servers} that run the canary (at least one, never all)
     * @param proxy  the host nginx runs on, reached over SSH like the servers, or {@code null} for
     *               this machine (the deploy machine)
     */
    public record Hosts(List<String> canary, HostsConfig.Server proxy) {}

    /** @return the least time the steps take: Σ (pause, or interval × count per analysis) */
    public Duration minDuration() {
        return steps.stream().map(s -> s.minDuration(metrics)).reduce(Duration.ZERO, Duration::plus);
    }

    // ---- raw model ---------------------------------------------------------------------------

    record RawCanary(@Key(doc = "Prometheus root URL (default http://127.0.0.1:9090)") String prometheus,
                     @Key(doc = "Longest one query may take (default 10s)") Duration queryTimeout,
                     @Key(doc = "User variables for metric queries, {{name}}") Map<String, String> vars,
                     List<RawStep> steps, List<RawMetric> metrics, RawNginx nginx, RawLocal local,
                     RawHostsCanary hosts,
                     @Key(doc = "PromQL template: requests the canary answered since the window started (default myapp's http_requests_total, else Micrometer's http_server_requests_seconds_count)")
                     String requests,
                     @Key(doc = "Fewest requests per measurement for a verdict; fewer is inconclusive (default 100; 0: off)")
                     Integer minRequests,
                     @Key(doc = "How often Prometheus scrapes the instances (default 15s)") Duration scrapeInterval,
                     @Key(doc = "Watch the release this long after its promotion; a failing metric undoes it (default 0s: off)")
                     Duration bake) {}

    record RawStep(@Key(doc = "Canary traffic weight in percent, 0-100") Integer weight,
                   @Key(doc = "Wait this long at the weight") Duration pause,
                   @Key(doc = "Run the analysis (all metrics) at the weight") Boolean analysis) {}

    record RawMetric(@Key(doc = "Metric name; error-rate and latency-p99 are built in") String name,
                     @Key(doc = "PromQL template: {{service}} {{track}} {{interval}} {{job}} and vars") String query,
                     @Key(doc = "Smallest passing value") Double min,
                     @Key(doc = "Largest passing value") Double max,
                     @Key(doc = "Time between measurements (default 1m)") Duration interval,
                     @Key(doc = "Number of measurements (default 3)") Integer count,
                     @Key(doc = "Failed measurements tolerated (default 0)") Integer failureLimit,
                     @Key(doc = "Consecutive errors tolerated (default 3)") Integer errorLimit,
                     @Key(doc = "Wait before the first measurement (default interval + scrapeInterval)") Duration initialDelay,
                     @Key(values = {"inconclusive", "fail", "pass"}, doc = "What no data counts as (default inconclusive)")
                     String onNoData,
                     @Key(doc = "Fewest requests for a verdict (default canary.minRequests)") Integer minRequests,
                     @Key(doc = "Inconclusive measurements tolerated (default 0)") Integer inconclusiveLimit) {}

    record RawNginx(@Key(doc = "File the upstream block is rendered into") String config,
                    @Key(doc = "Upstream name (default the service name)") String upstream,
                    @Key(doc = "Reload command (default nginx -s reload)") String reload,
                    @Key(doc = "Config test command (default nginx -t -q)") String test) {}

    record RawLocal(@Key(doc = "Addresses of stable instances") List<String> stable,
                    @Key(doc = "Addresses of canary instances") List<String> canary) {}

    record RawHostsCanary(@Key(doc = "Names of deploy.hosts servers that run the canary") List<String> canary,
                          RawProxyHost proxy) {}

    record RawProxyHost(@Key(doc = "Host name or IP address of the nginx host (SSH)") String address,
                        @Key(doc = "SSH port (default deploy.hosts.port, else 22)") Integer port,
                        @Key(doc = "SSH user (default deploy.hosts.user, else root)") String user,
                        @Key(doc = "Private key (default deploy.hosts.identityFile)") String identityFile) {}

    // ---- resolution --------------------------------------------------------------------------

    /**
     * Resolves and validates the raw section.
     *
     * @param v       reports errors at the offending value's {@code file:line:col}
     * @param raw     the raw section, or {@code null} when absent (all defaults)
     * @param service the service name (the default upstream name)
     * @param hosts   the resolved {@code deploy.hosts} section, or {@code null} when absent
     * @param rawHosts the raw {@code deploy.hosts} section (its SSH defaults), or {@code null}
     * @return the section with defaults filled in
     * @throws ConfigException (exit 2) for a bad weight, a step with both or neither of pause and
     *                         analysis, a bad URL, an unknown metric without a query, a template
     *                         with an unknown variable, min above max, or a {@code canary.hosts}
     *                         server that {@code deploy.hosts} does not list
     */
    static CanaryConfig resolve(ConfigLoader.Validator v, RawCanary raw, String service, HostsConfig hosts,
                                HostsConfig.RawHosts rawHosts) {
        RawCanary r = raw == null ? new RawCanary(null, null, null, null, null, null, null, null, null, null, null, null)
                : raw;
        URI prometheus = null;
        String url = r.prometheus() == null ? "http://127.0.0.1:9090" : r.prometheus();
        try {
            prometheus = new URI(url);
        } catch (java.net.URISyntaxException e) {
            prometheus = null;
        }
        v.check(prometheus != null && ("http".equals(prometheus.getScheme()) || "https".equals(prometheus.getScheme()))
                && prometheus.getHost() != null, "canary.prometheus", "'" + url + "' is not an http(s) URL");
        Duration timeout = r.queryTimeout() == null ? Duration.ofSeconds(10) : r.queryTimeout();
        v.check(!timeout.isZero(), "canary.queryTimeout", "the timeout must be more than 0");

        Map<String, String> vars = new LinkedHashMap<>();
        if (r.vars() != null) {
            for (var e : r.vars().entrySet()) {
                String at = "canary.vars." + e.getKey();
                v.checkKey(VAR_NAME.matcher(e.getKey()).matches(), at,
                        "'" + e.getKey() + "' is not a variable name: letters, digits and '_'");
                v.checkKey(!RESERVED_VARS.contains(e.getKey()), at,
                        "{{" + e.getKey() + "}} is set by Slipway; choose another name");
                v.check(e.getValue() != null, at, "a variable's value is empty; write \"\" for an empty string");
                vars.put(e.getKey(), e.getValue());
            }
        }

        List<Step> steps = new ArrayList<>();
        if (r.steps() == null) {
            steps.addAll(DEFAULT_STEPS);
        } else {
            v.check(!r.steps().isEmpty(), "canary.steps", "steps is empty; list at least one, e.g. {weight: 10, analysis: true}");
            for (int i = 0; i < r.steps().size(); i++) {
                RawStep s = r.steps().get(i);
                String at = "canary.steps[" + i + "]";
                v.check(s != null && s.weight() != null, at, "a step needs a 'weight' (0-100)");
                v.check(s.weight() >= 0 && s.weight() <= 100, at + ".weight", "weight " + s.weight() + " is out of range 0-100");
                boolean analysis = Boolean.TRUE.equals(s.analysis());
                v.check(analysis != (s.pause() != null), at,
                        "a step needs either 'pause: DURATION' or 'analysis: true', not both and not neither");
                steps.add(new Step(s.weight(), s.pause(), analysis));
            }
        }

        Duration scrape = r.scrapeInterval() == null ? DEFAULT_SCRAPE_INTERVAL : r.scrapeInterval();
        Duration bake = r.bake() == null ? Duration.ZERO : r.bake();
        v.check(!scrape.isZero(), "canary.scrapeInterval", "the scrape interval must be more than 0");
        int minRequests = r.minRequests() == null ? MetricCheck.DEFAULT_MIN_REQUESTS : r.minRequests();
        v.check(minRequests >= 0, "canary.minRequests", "minRequests cannot be negative");
        String requests = r.requests() == null ? MetricCheck.REQUESTS_QUERY : r.requests();
        v.check(!requests.isBlank(), "canary.requests", "the query is empty");
        try {
            QueryTemplate.render(requests, QueryTemplate.vars(vars, service, "canary", DEFAULT_INTERVAL));
        } catch (IllegalArgumentException e) {
            throw v.error("canary.requests", e.getMessage());
        }
        List<MetricCheck> metrics = new ArrayList<>();
        if (r.metrics() == null) {
            metrics.add(metric(v, "canary", new RawMetric(MetricCheck.ERROR_RATE, null, null, null, null, null, null,
                    null, null, null, null, null), vars, service, new HashSet<>(), scrape, minRequests));
        } else {
            v.check(!r.metrics().isEmpty(), "canary.metrics", "metrics is empty; list at least one, e.g. {name: error-rate}");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < r.metrics().size(); i++) {
                metrics.add(metric(v, "canary.metrics[" + i + "]", r.metrics().get(i), vars, service, seen, scrape,
                        minRequests));
            }
        }

        RawNginx n = r.nginx() == null ? new RawNginx(null, null, null, null) : r.nginx();
        String upstream = n.upstream() == null ? defaultUpstream(service) : n.upstream();
        v.check(VAR_NAME.matcher(upstream.replace('-', '_').replace('.', '_')).matches(), "canary.nginx.upstream",
                "'" + upstream + "' is not an nginx upstream name");
        String config = n.config() == null ? null : n.config();
        if (config != null) {
            v.check(!config.isBlank(), "canary.nginx.config", "the config path is empty");
            java.nio.file.Path p = java.nio.file.Path.of(config);
            config = p.isAbsolute() ? config : v.file().toAbsolutePath().getParent().resolve(p).normalize().toString();
        }
        Nginx nginx = new Nginx(config, upstream, n.reload() == null ? "nginx -s reload" : n.reload(),
                n.test() == null ? "nginx -t -q" : n.test());

        RawLocal l = r.local() == null ? new RawLocal(null, null) : r.local();
        List<String> stable = l.stable() == null ? List.of() : List.copyOf(l.stable());
        List<String> canary = l.canary() == null ? List.of() : List.copyOf(l.canary());
        for (int i = 0; i < stable.size(); i++) {
            v.check(ConfigLoader.isAddress(stable.get(i)), "canary.local.stable[" + i + "]",
                    "'" + stable.get(i) + "' is not an IP address or host name");
        }
        for (int i = 0; i < canary.size(); i++) {
            v.check(ConfigLoader.isAddress(canary.get(i)), "canary.local.canary[" + i + "]",
                    "'" + canary.get(i) + "' is not an IP address or host name");
        }
        Hosts onHosts = hosts(v, r.hosts(), hosts, rawHosts);
        if (onHosts != null && onHosts.proxy() != null && n.config() != null) {
            v.check(n.config().startsWith("/"), "canary.nginx.config", "'" + n.config()
                    + "' must be an absolute path: it names a file on the proxy host " + onHosts.proxy().address());
        }
        return new CanaryConfig(prometheus, timeout, Map.copyOf(vars), List.copyOf(steps), List.copyOf(metrics), nginx,
                new Local(stable, canary), onHosts, requests, scrape, bake);
    }

    private static Hosts hosts(ConfigLoader.Validator v, RawHostsCanary raw, HostsConfig hosts, HostsConfig.RawHosts rawHosts) {
        if (raw == null) {
            return null;
        }
        v.check(hosts != null, "canary.hosts", "canary.hosts needs a 'deploy.hosts' section: its servers run the canary");
        List<String> names = hosts.servers().stream().map(HostsConfig.Server::name).toList();
        List<String> canary = raw.canary() == null ? List.of() : List.copyOf(raw.canary());
        v.check(!canary.isEmpty(), "canary.hosts", "canary.hosts needs 'canary', the names of the deploy.hosts servers that"
                + " run the canary, e.g. [" + names.get(names.size() - 1) + "]");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < canary.size(); i++) {
            String at = "canary.hosts.canary[" + i + "]";
            v.check(names.contains(canary.get(i)), at, "no server named '" + canary.get(i) + "' in deploy.hosts.servers"
                    + " (names: " + String.join(", ", names) + ")");
            v.check(seen.add(canary.get(i)), at, "'" + canary.get(i) + "' is listed twice");
        }
        v.check(canary.size() < names.size(), "canary.hosts.canary", "every server would run the canary; leave at least"
                + " one of deploy.hosts.servers for the stable release");
        HostsConfig.Server proxy = null;
        RawProxyHost p = raw.proxy();
        if (p != null) {
            v.check(p.address() != null, "canary.hosts.proxy", "the proxy needs an 'address' (omit 'proxy' for nginx on"
                    + " this machine)");
            v.check(ConfigLoader.isAddress(p.address()), "canary.hosts.proxy.address",
                    "'" + p.address() + "' is not an IP address or host name");
            int port = p.port() != null ? p.port() : rawHosts != null && rawHosts.port() != null ? rawHosts.port() : 22;
            v.check(port >= 1 && port <= 65535, "canary.hosts.proxy.port", "port " + port + " is out of range 1-65535");
            String user = p.user() != null ? p.user() : rawHosts != null && rawHosts.user() != null ? rawHosts.user() : "root";
            String key = p.identityFile() != null ? p.identityFile() : rawHosts == null ? null : rawHosts.identityFile();
            proxy = new HostsConfig.Server(p.address(), p.address(), port, user,
                    key == null ? null : HostsConfig.path(v, key), List.of(), "0.0.0.0", Map.of());
        }
        return new Hosts(canary, proxy);
    }

    private static MetricCheck metric(ConfigLoader.Validator v, String at, RawMetric m, Map<String, String> vars,
                                      String service, Set<String> seen, Duration scrape, int minRequests) {
        v.check(m != null && m.name() != null, at, "a metric needs a 'name'");
        v.check(METRIC_NAME.matcher(m.name()).matches(), at + ".name",
                "'" + m.name() + "' is not a valid metric name: lower-case letters, digits, '.', '_' and '-'");
        v.check(seen.add(m.name()), at + ".name", "metric '" + m.name() + "' is listed twice");
        boolean builtin = MetricCheck.isBuiltin(m.name());
        v.check(builtin || m.query() != null, at, "metric '" + m.name()
                + "' needs a 'query' (only error-rate and latency-p99 are built in)");
        Duration interval = m.interval() == null ? DEFAULT_INTERVAL : m.interval();
        v.check(!interval.isZero(), at + ".interval", "the interval must be more than 0");
        int count = m.count() == null ? DEFAULT_COUNT : m.count();
        v.check(count >= 1, at + ".count", "count must be at least 1");
        int failureLimit = m.failureLimit() == null ? 0 : m.failureLimit();
        v.check(failureLimit >= 0, at + ".failureLimit", "failureLimit cannot be negative");
        int errorLimit = m.errorLimit() == null ? DEFAULT_ERROR_LIMIT : m.errorLimit();
        v.check(errorLimit >= 0, at + ".errorLimit", "errorLimit cannot be negative");
        MetricCheck base = builtin ? MetricCheck.builtin(m.name(), interval, count) : null;
        String query = m.query() != null ? m.query() : base.query();
        v.check(!query.isBlank(), at + ".query", "the query is empty");
        Double min = m.min() != null ? m.min() : base == null ? null : base.min();
        Double max = m.max() != null ? m.max() : base == null ? null : base.max();
        v.check(min == null || max == null || min <= max, at, "min " + min + " is more than max " + max);
        v.check(min != null || max != null, at, "metric '" + m.name() + "' needs a success condition: min, max or both");
        try {
            QueryTemplate.render(query, QueryTemplate.vars(vars, service, "canary", interval));
        } catch (IllegalArgumentException e) {
            throw v.error(at + ".query", e.getMessage());
        }
        int metricMin = m.minRequests() == null ? minRequests : m.minRequests();
        v.check(metricMin >= 0, at + ".minRequests", "minRequests cannot be negative");
        int inconclusiveLimit = m.inconclusiveLimit() == null ? 0 : m.inconclusiveLimit();
        v.check(inconclusiveLimit >= 0, at + ".inconclusiveLimit", "inconclusiveLimit cannot be negative");
        // The first measurement needs a whole interval of traffic at the step's weight and one scrape
        // that saw its end: a measurement on the weight change itself has no data.
        return new MetricCheck(m.name(), query, min, max, interval, count, failureLimit, errorLimit,
                m.initialDelay() == null ? interval.plus(scrape) : m.initialDelay(),
                m.onNoData() == null ? OnNoData.INCONCLUSIVE : OnNoData.parse(m.onNoData()), metricMin, inconclusiveLimit);
    }
}
