package dev.slipway.analysis;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a PromQL template: every {@code {{name}}} (spaces inside the braces allowed) is replaced
 * by its variable. An unknown variable is an error, never an empty string, so a typo cannot turn
 * into a query that silently matches nothing.
 *
 * <p>One macro counts a counter from the analysis window's start: {@code since_start(SELECTOR)}
 * becomes {@code ((SELECTOR - SELECTOR @ START) >= 0 or SELECTOR)}, {@code START} being the
 * variable {@code {{start}}} (Unix seconds). Per series: the increase since the window started; a
 * series that did not exist at the start (created during the window, e.g. at the first 500) counts
 * its whole value, i.e. from 0; a series whose value went below its value at the start (the
 * process restarted) counts its value since the restart. A restart whose counter has already
 * climbed back above the start value is not seen (the count is then too low by that value). This is what {@code increase()} cannot do: it needs two samples inside
 * the window, so the first sample of a new series is lost (Prometheus issues 1673, 3886: counters
 * are not assumed to start at 0; a canary's counters do, because its processes are new). The
 * selector must be a plain vector selector ({@code name{labels}}), the {@code @} modifier needs
 * Prometheus 2.25 or later (on by default since 2.33).
 */
public final class QueryTemplate {
    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    /** The macro's name, {@code since_start}. */
    public static final String SINCE_START = "since_start";
    private static final Pattern MACRO = Pattern.compile("\\b" + SINCE_START + "\\s*\\(");

    private QueryTemplate() {}

    /**
     * @param template the PromQL template
     * @param vars     the variables by name
     * @return the query
     * @throws IllegalArgumentException naming the unknown variable and the known ones
     */
    public static String render(String template, Map<String, String> vars) {
        Matcher m = VAR.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = vars.get(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("unknown variable {{" + m.group(1) + "}}; known: "
                        + new TreeSet<>(vars.keySet()));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return expand(out.toString(), vars.get("start"));
    }

    /** Replaces each {@code since_start(SELECTOR)} by its counting expression; see the class description. */
    private static String expand(String query, String start) {
        Matcher m = MACRO.matcher(query);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (m.find(from)) {
            int depth = 1;
            int i = m.end();
            boolean quoted = false;
            for (; i < query.length() && depth > 0; i++) {
                char c = query.charAt(i);
                if (c == '"' && query.charAt(i - 1) != '\\') {
                    quoted = !quoted;
                } else if (!quoted && c == '(') {
                    depth++;
                } else if (!quoted && c == ')') {
                    depth--;
                }
            }
            if (depth > 0) {
                throw new IllegalArgumentException(SINCE_START + "( at " + m.start() + " has no closing parenthesis");
            }
            String selector = query.substring(m.end(), i - 1).strip();
            String bare = selector.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
            if (bare.isEmpty() || bare.contains("(") || bare.contains("[")) {
                throw new IllegalArgumentException(SINCE_START + "(" + selector + ") needs a plain vector selector,"
                        + " e.g. " + SINCE_START + "(http_requests_total{job=\"x\"})");
            }
            if (start == null) {
                throw new IllegalArgumentException(SINCE_START + "(...) needs the variable {{start}}");
            }
            out.append(query, from, m.start()).append("((").append(selector).append(" - ").append(selector)
                    .append(" @ ").append(start).append(") >= 0 or ").append(selector).append(')');
            from = i;
        }
        out.append(query.substring(from));
        return out.toString();
    }

    /**
     * @param template the PromQL template
     * @return the names of the variables it uses
     */
    public static java.util.Set<String> variables(String template) {
        Matcher m = VAR.matcher(template);
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * The variables of one metric for checking a template before any analysis runs:
     * {@link #vars(Map, String, String, Duration, java.time.Instant)} with the window starting at
     * the Unix epoch.
     */
    public static Map<String, String> vars(Map<String, String> user, String service, String track, Duration interval) {
        return vars(user, service, track, interval, java.time.Instant.EPOCH);
    }

    /**
     * The variables of one metric: the user's, then {@code service}, {@code track}, {@code job}
     * (defaults to the service unless the user sets it), {@code interval} and {@code start}.
     *
     * @param user     user variables ({@code canary.vars})
     * @param service  the service name
     * @param track    {@code canary} or {@code stable}
     * @param interval the metric's interval, rendered as a Prometheus duration ({@code 5s}, {@code 1500ms})
     * @param start    when the analysis window started; {@code {{start}}} is it in Unix seconds
     *                 with milliseconds ({@code 1764950400.123}), for PromQL's {@code @} modifier
     * @return all variables
     */
    public static Map<String, String> vars(Map<String, String> user, String service, String track, Duration interval,
                                           java.time.Instant start) {
        Map<String, String> all = new LinkedHashMap<>(user);
        all.put("service", service);
        all.put("track", track);
        all.putIfAbsent("job", service);
        all.put("interval", promDuration(interval));
        all.put("start", java.math.BigDecimal.valueOf(start.toEpochMilli(), 3).toPlainString());
        return all;
    }

    /**
     * @param d a duration
     * @return it in Prometheus' duration syntax: whole seconds as {@code 30s}, else milliseconds
     */
    public static String promDuration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
