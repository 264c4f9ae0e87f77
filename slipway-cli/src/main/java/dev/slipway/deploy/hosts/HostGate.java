package dev.slipway.deploy.hosts;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.time.Duration;

/**
 * The readiness gate run on the host itself, so it needs no route from the deploy machine to the
 * service and nothing but {@code bash} (its {@code /dev/tcp}), {@code timeout} and
 * {@code systemctl} on the host: wait the startup grace, then try every interval until an attempt
 * passes, the unit stops being active (it crashed) or the timeout passes. An attempt of an
 * {@code http} probe is a GET of the path that passes on a 2xx answer (HTTP/1.1, RFC 9112, with
 * {@code Connection: close}); of a {@code tcp} probe, a connection to the port that passes when it
 * is accepted (bash's {@code /dev/tcp}, closed at once, nothing sent). One SSH command per gate.
 */
public final class HostGate {
    private HostGate() {}

    /**
     * A gate's verdict.
     *
     * @param ready     whether a 2xx answer came in time
     * @param status    the last HTTP status, or 0 when nothing answered
     * @param body      the last answer's body (trimmed, at most 300 characters) or the connection error
     * @param unitState the unit's state when the gate ended ({@code active}, {@code failed}, ...)
     * @param elapsedMs time from the start of the gate to the verdict on the host, ms
     */
    public record Verdict(boolean ready, int status, String body, String unitState, long elapsedMs) {
        /** @return one line: status and body, that a TCP connection was accepted, or why nothing answered */
        public String describe() {
            String s = status == 0 ? (ready ? "TCP connection accepted" : "no answer" + (body.isEmpty() ? "" : " (" + body + ")"))
                    : "HTTP " + status + (body.isEmpty() ? "" : ": " + body);
            return unitState.equals("active") || unitState.isEmpty() ? s : s + "; unit " + unitState;
        }
    }

    /**
     * Runs the gate.
     *
     * @param host    the host
     * @param unit    the unit name (without {@code .service})
     * @param address where the service answers on the host
     * @param port    its port
     * @param probe   type, path, interval, timeout and startup grace; a zero timeout makes one attempt
     * @return the verdict
     */
    public static Verdict await(Host host, String unit, String address, int port, SlipwayConfig.Probe probe) {
        String script = script(unit, address, port, probe);
        long attemptS = attemptSeconds(probe);
        Duration limit = probe.startupGrace().plus(probe.timeout()).plusSeconds(attemptS + 30);
        Host.CommandResult r = host.run("bash -c " + Shell.quote(script), limit);
        return parse(r.stdout(), r.stderr());
    }

    /** One attempt may take a while: a readiness endpoint may run its checks (myapp: up to 2 s). */
    private static long attemptSeconds(SlipwayConfig.Probe probe) {
        long intervalMs = Math.max(50, probe.interval().toMillis());
        return Math.max(5, Math.min(10, (intervalMs + 999) / 1000 + 1));
    }

    /**
     * The gate's bash script. Its last line of output is
     * {@code @@gate result=ready|down|timeout code=<HTTP status or 0> state=<unit state> elapsed=<ms>},
     * after the last answer (or connection error).
     *
     * @param unit    the unit name (without {@code .service})
     * @param address where the service answers on the host
     * @param port    its port
     * @param probe   the probe
     * @return the script text
     */
    static String script(String unit, String address, int port, SlipwayConfig.Probe probe) {
        long intervalMs = Math.max(50, probe.interval().toMillis());
        long attemptS = attemptSeconds(probe);
        String attempt = probe.tcp()
                ? "  if resp=$(timeout " + attemptS + " bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' \"$a\" \"$p\" 2>&1);"
                        + " then r=ready; else r=no; fi; code=\n"
                : "  resp=$(timeout " + attemptS + " bash -c 'exec 3<>\"/dev/tcp/$0/$1\" || exit 7; "
                        + "printf \"GET %s HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n\" \"$2\" \"$0\" >&3; cat <&3'"
                        + " \"$a\" \"$p\" \"$q\" 2>&1)\n"
                        + "  code=$(printf '%s\\n' \"$resp\" | head -n 1 | cut -d' ' -f2)\n"
                        + "  case \"$code\" in 2[0-9][0-9]) r=ready;; *) r=no;; esac\n";
        return "a=" + Shell.quote(address) + "; p=" + port + (probe.tcp() ? "" : "; q=" + Shell.quote(probe.path()))
                + "; u=" + Shell.quote(unit + ".service") + "\n"
                + "now() { echo $(( $(date +%s%N) / 1000000 )); }\n"
                + "start=$(now); end=$(( start + " + (probe.startupGrace().toMillis() + probe.timeout().toMillis()) + " ))\n"
                + (probe.startupGrace().isZero() ? "" : "sleep " + seconds(probe.startupGrace().toMillis()) + "\n")
                + "while :; do\n"
                + attempt
                + "  st=$(systemctl is-active \"$u\" 2>/dev/null)\n"
                + "  if [ $r = no ] && [ \"$st\" != active ] && [ \"$st\" != activating ] && [ \"$st\" != reloading ]; then r=down; fi\n"
                + "  if [ $r = no ] && [ $(now) -ge $end ]; then r=timeout; fi\n"
                + "  if [ $r != no ]; then printf '%s\\n' \"$resp\" | tail -c 2000; echo; "
                + "echo \"@@gate result=$r code=${code:-0} state=$st elapsed=$(( $(now) - start ))\"; exit 0; fi\n"
                + "  sleep " + seconds(intervalMs) + "\n"
                + "done\n";
    }

    static Verdict parse(String out, String err) {
        int at = out.lastIndexOf("@@gate ");
        if (at < 0) {
            return new Verdict(false, 0, ("gate script failed: " + out + err).strip(), "", 0);
        }
        String tail = out.substring(at + 7).strip();
        String result = field(tail, "result");
        int code = 0;
        try {
            code = Integer.parseInt(field(tail, "code"));
        } catch (NumberFormatException ignored) {
            // not an HTTP answer
        }
        String resp = out.substring(0, at);
        String body;
        int sep = resp.indexOf("\r\n\r\n");
        if (code > 0) {
            body = sep >= 0 ? resp.substring(sep + 4) : "";
        } else {
            body = resp.replace("bash: line 1: ", "").replace("connect: ", "");
        }
        body = body.strip().replaceAll("\\s+", " ");
        if (body.length() > 300) {
            body = body.substring(0, 300) + "…";
        }
        long elapsed = 0;
        try {
            elapsed = Long.parseLong(field(tail, "elapsed"));
        } catch (NumberFormatException ignored) {
            // unknown
        }
        return new Verdict(result.equals("ready"), code, body, field(tail, "state"), elapsed);
    }

    private static String field(String tail, String key) {
        for (String kv : tail.split(" ")) {
            if (kv.startsWith(key + "=")) {
                return kv.substring(key.length() + 1);
            }
        }
        return "";
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }
}
