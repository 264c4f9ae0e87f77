package dev.slipway.canary;

import dev.slipway.SlipwayException;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The traffic split as an nginx {@code upstream} block with server weights, rendered and applied on
 * the proxy host through {@link Host}: write the file atomically, {@code nginx -t}, reload; a
 * configuration nginx rejects is put back and reported.
 *
 * <p>Weights are exact: with {@code S} stable and {@code C} canary servers and a canary share of
 * {@code W} %, each canary server gets weight {@code W·S} and each stable server
 * {@code (100-W)·C} (divided by their gcd), so the canary servers together get exactly
 * {@code W/100} of the total weight whatever the instance counts (nginx's weighted round robin,
 * {@code ngx_http_upstream_module}). Weight 0 marks the canary servers {@code down}; 100 marks
 * the stable ones {@code down}. Servers listed in {@code drained} are marked {@code down} too.
 *
 * @param host     the proxy host
 * @param path     the absolute path of the upstream file, included by the site's configuration
 * @param name     the upstream's name ({@code proxy_pass http://NAME;})
 * @param test     the configuration test command, e.g. {@code nginx -t -q}
 * @param reload   the reload command, e.g. {@code nginx -s reload}
 */
public record NginxUpstream(Host host, String path, String name, String test, String reload) {

    /**
     * Renders the upstream block.
     *
     * @param stable  stable servers, {@code host:port}
     * @param canary  canary servers, {@code host:port}
     * @param percent the canary's share, 0-100
     * @param drained servers to mark {@code down} (being restarted)
     * @return the file's text
     */
    public String render(List<String> stable, List<String> canary, int percent, Set<String> drained) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("weight " + percent + " is out of range 0-100");
        }
        int s = Math.max(1, stable.size());
        int c = Math.max(1, canary.size());
        int cw = percent * s;
        int sw = (100 - percent) * c;
        int g = gcd(cw, sw);
        cw = g == 0 ? 0 : cw / g;
        sw = g == 0 ? 0 : sw / g;
        StringBuilder out = new StringBuilder("# Rendered by slipway: canary weight ").append(percent)
                .append(" %. Do not edit; 'slipway canary' rewrites it.\n");
        out.append("upstream ").append(name).append(" {\n");
        List<String> lines = new ArrayList<>();
        for (String a : stable) {
            lines.add(server(a, sw, percent == 100 || drained.contains(a), "stable"));
        }
        for (String a : canary) {
            lines.add(server(a, cw, percent == 0 || drained.contains(a), "canary"));
        }
        lines.forEach(out::append);
        out.append("    keepalive 16;\n}\n");
        return out.toString();
    }

    /**
     * The traffic split an upstream file actually gives, read back from its server lines (what
     * nginx has after the last reload, not what a crashed run meant to apply).
     *
     * @param canaryPercent the canary servers' share of the weight of the servers that are up, 0-100
     * @param down          the servers marked {@code down} whose track is stable (being restarted or broken)
     */
    public record Split(double canaryPercent, List<String> down) {
        private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile(
                "^\\s*server\\s+(\\S+)\\s+weight=(\\d+)[^;]*?( down)?;\\s*#\\s*(stable|canary)\\s*$");

        /**
         * @param text the upstream file rendered by {@link #render}, or {@code null}
         * @return the split, or {@code null} when {@code text} is null or has no server Slipway rendered
         */
        public static Split parse(String text) {
            if (text == null) {
                return null;
            }
            double canary = 0;
            double all = 0;
            List<String> down = new ArrayList<>();
            boolean any = false;
            for (String l : text.split("\n")) {
                java.util.regex.Matcher m = LINE.matcher(l);
                if (!m.matches()) {
                    continue;
                }
                any = true;
                boolean isDown = m.group(3) != null;
                boolean isCanary = m.group(4).equals("canary");
                if (isDown) {
                    if (!isCanary) {
                        down.add(m.group(1));
                    }
                    continue;
                }
                int w = Integer.parseInt(m.group(2));
                all += w;
                canary += isCanary ? w : 0;
            }
            return any ? new Split(all == 0 ? 0 : 100.0 * canary / all, List.copyOf(down)) : null;
        }

        /**
         * @param text the upstream file rendered by {@link #render}, or {@code null}
         * @return the servers that get traffic (weight above 0, not {@code down}), {@code host:port},
         *         whatever their track; empty when {@code text} is null
         */
        public static List<String> serving(String text) {
            List<String> out = new ArrayList<>();
            if (text != null) {
                for (String l : text.split("\n")) {
                    java.util.regex.Matcher m = LINE.matcher(l);
                    if (m.matches() && m.group(3) == null && Integer.parseInt(m.group(2)) > 0) {
                        out.add(m.group(1));
                    }
                }
            }
            return out;
        }

        @Override
        public String toString() {
            String pct = canaryPercent == Math.rint(canaryPercent) ? String.valueOf((long) canaryPercent)
                    : String.format(java.util.Locale.ROOT, "%.1f", canaryPercent);
            return "canary " + pct + " % of traffic" + (down.isEmpty() ? "" : ", stable down: " + String.join(", ", down));
        }
    }

    /**
     * @return the upstream file as it is on the proxy host now, or {@code null} when it cannot be read
     */
    public String current() {
        Host.CommandResult r = host.run("cat " + Shell.quote(path) + " 2>/dev/null", Duration.ofSeconds(10));
        return r.ok() ? r.stdout() : null;
    }

    private static String server(String address, int weight, boolean down, String track) {
        return "    server " + address + " weight=" + Math.max(1, weight) + " max_fails=0" + (down ? " down" : "")
                + ";  # " + track + "\n";
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Writes {@code text} to {@link #path}, tests the configuration and reloads nginx. If the test
     * fails, the previous file is put back and nothing is reloaded.
     *
     * @param text the upstream block
     * @throws SlipwayException (exit 1) with nginx's message when the test or the reload fails
     */
    public void apply(String text) {
        Host.CommandResult old = host.run("cat " + Shell.quote(path) + " 2>/dev/null", Duration.ofSeconds(10));
        host.write(text.getBytes(StandardCharsets.UTF_8), path, 0644);
        Host.CommandResult t = host.run(test, Duration.ofSeconds(30));
        if (!t.ok()) {
            if (old.ok()) {
                host.write(old.stdout().getBytes(StandardCharsets.UTF_8), path, 0644);
            }
            throw SlipwayException.failed("nginx on " + host.name() + " rejected the upstream " + path + ": "
                    + (t.stderr() + t.stdout()).strip());
        }
        Host.CommandResult r = host.run(reload, Duration.ofSeconds(30));
        if (!r.ok()) {
            throw SlipwayException.failed("nginx reload on " + host.name() + " failed (" + reload + "): "
                    + (r.stderr() + r.stdout()).strip());
        }
    }
}
