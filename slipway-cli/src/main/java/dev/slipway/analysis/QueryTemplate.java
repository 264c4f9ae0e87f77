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
 */
public final class QueryTemplate {
    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

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
     * The variables of one metric: the user's, then {@code service}, {@code track}, {@code job}
     * (defaults to the service unless the user sets it) and {@code interval}.
     *
     * @param user     user variables ({@code canary.vars})
     * @param service  the service name
     * @param track    {@code canary} or {@code stable}
     * @param interval the metric's interval, rendered as a Prometheus duration ({@code 5s}, {@code 1500ms})
     * @return all variables
     */
    public static Map<String, String> vars(Map<String, String> user, String service, String track, Duration interval) {
        Map<String, String> all = new LinkedHashMap<>(user);
        all.put("service", service);
        all.put("track", track);
        all.putIfAbsent("job", service);
        all.put("interval", promDuration(interval));
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
