package dev.slipway.analysis;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The analysis engine: measures metrics against Prometheus on their schedules and reaches a
 * verdict. Target-independent; a canary strategy on hosts or on Kubernetes calls {@link #run}.
 *
 * <p>Rules (the canary guide, {@code docs/canary.md}, explains them for users):
 * <ul>
 *   <li>Each metric is measured {@code count} times, first after {@code initialDelay}, then every
 *       {@code interval}; the metrics run side by side on one schedule.</li>
 *   <li>A value inside {@code [min, max]} passes, outside fails.</li>
 *   <li>Queries count from the analysis window's start ({@code {{start}}}, {@code since_start(...)}),
 *       so a measurement judges every request since the window began, the first error of a new
 *       series included, and nothing from before (a previous canary on the same address).</li>
 *   <li>Too few requests: when a request query is given and the {@code track}'s instances answered
 *       fewer than the metric's {@code minRequests} since the window started, the measurement is
 *       inconclusive whatever the value: too little evidence is never a pass.</li>
 *   <li>An empty result or NaN is <em>no data</em>, recorded as such; {@code onNoData} makes it
 *       inconclusive (default), a failure or a pass. No data is never silent.</li>
 *   <li>A query that returns more than one series is an error naming the query: aggregate it.</li>
 *   <li>No answer (Prometheus unreachable, HTTP error, query rejected, more than one series) is an
 *       error; more than {@code errorLimit} in a row fail the metric, so an unreachable Prometheus
 *       ends in a bounded time with a failure and never in a pass.</li>
 *   <li>The first metric that fails (more than {@code failureLimit} failures) ends the whole
 *       analysis at once with {@link Verdict#FAIL}.</li>
 *   <li>A metric whose measurements all got errors fails too: an analysis that never heard from
 *       Prometheus never passes.</li>
 *   <li>Otherwise the analysis is {@link Verdict#INCONCLUSIVE} when any metric had an inconclusive
 *       measurement, and {@link Verdict#PASS} when all passed.</li>
 * </ul>
 */
public final class Analysis {
    private Analysis() {}

    /**
     * Runs the analysis to its verdict. Blocks for at most the longest
     * {@link MetricCheck#duration()} plus the query timeouts.
     *
     * @param checks     the metrics, at least one
     * @param vars       template variables; must contain {@code service} and {@code track}
     *                   ({@code job} defaults to {@code service}; {@code interval} is set per metric)
     * @param prometheus the Prometheus to query
     * @param clock      the clock measurements are scheduled and stamped with
     * @param sleeper    waits between measurements
     * @param listener   told of each measurement as soon as it is taken (to print progress or
     *                   persist state); may be {@code null}
     * @return the verdict with every measurement
     * @throws IllegalArgumentException when a template uses an unknown variable (see {@link #validate})
     * @throws InterruptedException     when the waiting thread is interrupted
     */
    public static AnalysisResult run(List<MetricCheck> checks, Map<String, String> vars, PrometheusClient prometheus,
                                     Clock clock, Sleeper sleeper, Consumer<Measurement> listener)
            throws InterruptedException {
        return run(checks, vars, null, prometheus, clock, clock.instant(), sleeper, listener);
    }

    /**
     * Runs the analysis to its verdict, counting from {@code windowStart} and judging only
     * measurements backed by enough requests. Blocks for at most the longest
     * {@link MetricCheck#duration()} (from now) plus the query timeouts.
     *
     * @param checks        the metrics, at least one
     * @param vars          template variables, with {@code service} and {@code track}
     * @param requestsQuery the template of the request count since {@code {{start}}} (e.g.
     *                      {@link MetricCheck#REQUESTS_QUERY}), compared with each metric's
     *                      {@code minRequests}; {@code null} for no request minimum
     * @param prometheus    the Prometheus to query
     * @param clock         the clock measurements are scheduled and stamped with
     * @param windowStart   when the analysis window started (the weight change): {@code {{start}}};
     *                      the schedule's {@code initialDelay} counts from now
     * @param sleeper       waits between measurements
     * @param listener      told of each measurement; may be {@code null}
     * @return the verdict with every measurement
     * @throws IllegalArgumentException when a template uses an unknown variable
     * @throws InterruptedException     when the waiting thread is interrupted
     */
    public static AnalysisResult run(List<MetricCheck> checks, Map<String, String> vars, String requestsQuery,
                                     PrometheusClient prometheus, Clock clock, Instant windowStart, Sleeper sleeper,
                                     Consumer<Measurement> listener) throws InterruptedException {
        validate(checks, vars);
        Instant start = clock.instant();
        List<State> states = new ArrayList<>();
        for (MetricCheck c : checks) {
            Map<String, String> v = QueryTemplate.vars(vars, vars.get("service"), vars.get("track"), c.interval(),
                    windowStart);
            states.add(new State(c, start.plus(c.initialDelay()), QueryTemplate.render(c.query(), v),
                    requestsQuery == null || c.minRequests() == 0 ? null : QueryTemplate.render(requestsQuery, v)));
        }
        List<Measurement> all = new ArrayList<>();
        State failedState = null;
        int bound = checks.stream().mapToInt(MetricCheck::count).sum();
        for (int i = 0; i < bound && failedState == null; i++) {
            State s = null;
            for (State t : states) {
                if (t.verdict == null && (s == null || t.next.isBefore(s.next))) {
                    s = t;
                }
            }
            if (s == null) {
                break;
            }
            sleeper.sleepUntil(clock, s.next);
            Measurement m = measure(s, prometheus, clock.instant());
            all.add(m);
            if (listener != null) {
                listener.accept(m);
            }
            s.record(m);
            s.next = s.next.plus(s.check.interval());
            if (s.verdict == Verdict.FAIL) {
                failedState = s;
            }
        }
        List<AnalysisResult.MetricResult> results = new ArrayList<>();
        for (State s : states) {
            if (s.verdict == null) { // stopped early by another metric's failure
                s.message = "not finished: the analysis stopped when " + failedState.check.name() + " failed";
            }
            results.add(new AnalysisResult.MetricResult(s.check.name(), s.verdict == null ? Verdict.INCONCLUSIVE : s.verdict,
                    s.taken, s.failed, s.inconclusive, s.errors, s.lastValue, s.message));
        }
        Verdict verdict;
        String message;
        if (failedState != null) {
            verdict = Verdict.FAIL;
            message = failedState.check.name() + " failed: " + failedState.message;
        } else if (results.stream().anyMatch(r -> r.verdict() == Verdict.INCONCLUSIVE)) {
            verdict = Verdict.INCONCLUSIVE;
            AnalysisResult.MetricResult r = results.stream().filter(x -> x.verdict() == Verdict.INCONCLUSIVE)
                    .findFirst().orElseThrow();
            message = r.name() + " inconclusive: " + r.message();
        } else {
            verdict = Verdict.PASS;
            message = "all metrics passed: " + String.join(", ", results.stream()
                    .map(r -> r.name() + " " + (r.lastValue() == null ? "-" : MetricCheck.fmt(r.lastValue()))).toList());
        }
        return new AnalysisResult(verdict, start, clock.instant(), List.copyOf(results), List.copyOf(all), message);
    }

    /**
     * Checks that every template renders with {@code vars}, before anything is changed.
     *
     * @param checks the metrics, at least one
     * @param vars   the template variables, with {@code service} and {@code track}
     * @throws IllegalArgumentException naming the metric and the unknown variable, or a missing
     *                                  {@code service}/{@code track}, or an empty list
     */
    public static void validate(List<MetricCheck> checks, Map<String, String> vars) {
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("an analysis needs at least one metric");
        }
        if (vars.get("service") == null || vars.get("track") == null) {
            throw new IllegalArgumentException("the variables must include service and track");
        }
        for (MetricCheck c : checks) {
            try {
                QueryTemplate.render(c.query(), QueryTemplate.vars(vars, vars.get("service"), vars.get("track"),
                        c.interval()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("metric " + c.name() + ": " + e.getMessage(), e);
            }
        }
    }

    private static Measurement measure(State s, PrometheusClient prometheus, Instant now) {
        MetricCheck c = s.check;
        List<PrometheusClient.Sample> samples;
        Long requests = null;
        try {
            if (s.requestsQuery != null) {
                List<PrometheusClient.Sample> n = prometheus.query(s.requestsQuery, now);
                if (n.size() > 1) {
                    return new Measurement(c.name(), now, s.requestsQuery, null, Verdict.ERROR, "the request count query"
                            + " returned " + n.size() + " series, not one; aggregate it (e.g. sum(...)): " + s.requestsQuery);
                }
                requests = n.isEmpty() || Double.isNaN(n.get(0).value()) ? 0L : Math.round(n.get(0).value());
            }
            samples = prometheus.query(s.query, now);
        } catch (PrometheusException e) {
            return new Measurement(c.name(), now, s.query, null, Verdict.ERROR, e.getMessage());
        }
        if (samples.size() > 1) {
            return new Measurement(c.name(), now, s.query, null, Verdict.ERROR, "the query returned "
                    + samples.size() + " series, not one; aggregate it (e.g. sum(...)): " + s.query);
        }
        boolean few = requests != null && requests < c.minRequests();
        String fewWhy = few ? "too few requests to judge: " + requests + " since the window started, minRequests "
                + c.minRequests() : "";
        if (samples.isEmpty() || Double.isNaN(samples.get(0).value())) {
            String why = samples.isEmpty() ? "no data (empty result" + s.absentNames(prometheus, now) + ")"
                    : "no data (NaN, e.g. 0/0: no requests)";
            // Too few requests is never a pass, whatever onNoData says; onNoData: fail still fails.
            Verdict v = few && c.onNoData() == OnNoData.PASS ? Verdict.INCONCLUSIVE : c.onNoData().verdict();
            return new Measurement(c.name(), now, s.query, null, v, why + (few ? "; " + fewWhy : "")
                    + "; onNoData: " + c.onNoData().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (few) {
            double v = samples.get(0).value();
            return new Measurement(c.name(), now, s.query, v, Verdict.INCONCLUSIVE, fewWhy + " (value "
                    + MetricCheck.fmt(v) + " not judged)");
        }
        double v = samples.get(0).value();
        boolean ok = c.passes(v);
        return new Measurement(c.name(), now, s.query, v, ok ? Verdict.PASS : Verdict.FAIL,
                MetricCheck.fmt(v) + (ok ? " meets " : " does not meet ") + c.condition());
    }

    /** A metric selector in PromQL: a metric name followed by its label matchers. */
    private static final java.util.regex.Pattern SELECTOR = java.util.regex.Pattern.compile(
            "(?<![A-Za-z0-9_:\"])([A-Za-z_:][A-Za-z0-9_:]*)\\s*\\{");

    /** The running state of one metric. */
    private static final class State {
        final MetricCheck check;
        final String query;
        final String requestsQuery;
        Instant next;
        int taken;
        int failed;
        int inconclusive;
        int errors;
        int consecutiveErrors;
        int withValue;
        Double lastValue;
        Verdict verdict;
        String message = "";
        String lastNoData = null;

        /** The hint about metric names Prometheus has no series of, once asked; {@code null} before. */
        String absent;

        /**
         * Asks Prometheus, once per metric, whether the metric names the query selects
         * ({@code name{...}}) have any series at all: an empty result because the app does not
         * export a metric (or Prometheus does not scrape it) reads like a quiet canary otherwise.
         * The built-in queries read myapp's {@code http_requests_total} or Micrometer's
         * {@code http_server_requests_seconds_count} ({@link MetricCheck#REQUEST_COUNTERS}): one of
         * them missing is no news while the other exists. When the names exist but none of their series has a {@code track} label
         * while the query selects on one, it says that instead: the app does not tag its metrics
         * with its {@code TRACK}.
         *
         * @return {@code "; Prometheus has no series named x_total: ..."},
         *         {@code "; the series named x_total carry no track label: ..."}, or {@code ""}
         */
        String absentNames(PrometheusClient prometheus, Instant now) {
            if (absent == null) {
                List<String> missing = new ArrayList<>();
                List<String> untracked = new ArrayList<>();
                java.util.regex.Matcher m = SELECTOR.matcher(query);
                java.util.Set<String> names = new java.util.LinkedHashSet<>();
                while (m.find()) {
                    names.add(m.group(1));
                }
                boolean byTrack = query.contains("track=\"");
                for (String name : names) {
                    try {
                        if (prometheus.query("count({__name__=\"" + name + "\"})", now).isEmpty()) {
                            missing.add(name);
                        } else if (byTrack && prometheus.query("count({__name__=\"" + name + "\",track!=\"\"})", now)
                                .isEmpty()) {
                            untracked.add(name);
                        }
                    } catch (PrometheusException e) {
                        // the hint is best effort; the measurement stands as it is
                    }
                }
                int present = names.size() - missing.size();
                if (missing.stream().anyMatch(MetricCheck.REQUEST_COUNTERS::contains)
                        && names.stream().anyMatch(n -> MetricCheck.REQUEST_COUNTERS.contains(n) && !missing.contains(n))) {
                    missing.removeAll(MetricCheck.REQUEST_COUNTERS);
                }
                if (!missing.isEmpty()) {
                    absent = "; Prometheus has no series named " + String.join(", ", missing)
                            + ": the app does not export " + (missing.size() == 1 ? "it" : "them") + " or Prometheus does"
                            + " not scrape the app; set this metric's query (and canary.requests) to what the app exports";
                } else if (!untracked.isEmpty() && untracked.size() == present) {
                    absent = "; the series named " + String.join(", ", untracked) + " carry no track label: tag the app's"
                            + " metrics with its TRACK environment variable (Spring Boot:"
                            + " management.metrics.tags.track=${TRACK:stable}; see canary.md)";
                } else {
                    absent = "";
                }
            }
            return absent;
        }

        State(MetricCheck check, Instant next, String query, String requestsQuery) {
            this.check = check;
            this.next = next;
            this.query = query;
            this.requestsQuery = requestsQuery;
        }

        void record(Measurement m) {
            taken++;
            if (m.value() != null && m.verdict() != Verdict.INCONCLUSIVE) {
                lastValue = m.value();
                withValue++;
            }
            switch (m.verdict()) {
                case ERROR -> {
                    errors++;
                    consecutiveErrors++;
                }
                case FAIL -> {
                    failed++;
                    consecutiveErrors = 0;
                }
                case INCONCLUSIVE -> {
                    inconclusive++;
                    consecutiveErrors = 0;
                    lastNoData = m.message();
                }
                case PASS -> consecutiveErrors = 0;
            }
            if (failed > check.failureLimit()) {
                verdict = Verdict.FAIL;
                message = m.message() + " (" + failed + " of " + taken + " measurements failed, failureLimit "
                        + check.failureLimit() + ")";
            } else if (consecutiveErrors > check.errorLimit()) {
                verdict = Verdict.FAIL;
                message = consecutiveErrors + " errors in a row (errorLimit " + check.errorLimit()
                        + "), last: " + m.message();
            } else if (taken >= check.count()) {
                if (inconclusive > check.inconclusiveLimit()) {
                    verdict = Verdict.INCONCLUSIVE;
                    message = inconclusive + " of " + taken + " measurements had no data or too few requests (inconclusiveLimit "
                            + check.inconclusiveLimit() + "; last: " + lastNoData + ")";
                } else if (withValue == 0 && errors > 0) {
                    verdict = Verdict.FAIL;
                    message = "no measurement got a usable answer (" + errors + " errors, last: " + m.message() + ")";
                } else {
                    verdict = Verdict.PASS;
                    message = taken + " measurements, " + failed + " failed (failureLimit " + check.failureLimit()
                            + "), last " + (lastValue == null ? "no data" : MetricCheck.fmt(lastValue));
                }
            }
        }
    }
}
