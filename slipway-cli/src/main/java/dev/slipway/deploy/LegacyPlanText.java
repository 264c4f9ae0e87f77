package dev.slipway.deploy;

import dev.slipway.Console;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TEMPORARY (issue 17): reads the text plans that today's {@code LocalTarget} and
 * {@code HostsTarget} print for a dry run into {@link DeployPlan.Step}s, for the adapters
 * {@link LegacyLocalTarget} and {@code hosts.LegacyHostsTarget}. The plan/executor rebuild of the
 * local and hosts targets makes their plans values, and this class goes with the adapters.
 */
public final class LegacyPlanText {
    private static final Pattern STEP = Pattern.compile("^\\s*\\d+\\. (.*)$");
    private static final Pattern WHERE = Pattern.compile("^([A-Za-z0-9_.-]+): (?:\\[batch (\\d+)] )?(.*)$");

    private LegacyPlanText() {}

    /**
     * Runs a dry run whose plan a target prints to its console's {@code out}, and returns that text.
     *
     * @param console the console whose {@code err} progress goes to
     * @param dryRun  the dry run, given a console that captures {@code out}
     * @return what it printed
     */
    public static String capture(Console console, Consumer<Console> dryRun) {
        StringWriter out = new StringWriter();
        dryRun.accept(new Console(new PrintWriter(out, true), console.err(), false));
        return out.toString();
    }

    /**
     * @param text a printed plan: numbered lines {@code "  3. web2: [batch 1] switch ..."}, other lines ignored
     * @return its steps, the kind read from the step's verb
     */
    public static List<DeployPlan.Step> steps(String text) {
        List<DeployPlan.Step> out = new ArrayList<>();
        for (String line : text.lines().toList()) {
            Matcher m = STEP.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String d = m.group(1);
            String where = null;
            int batch = 0;
            String rest = d;
            Matcher w = WHERE.matcher(d);
            if (w.matches()) {
                where = w.group(1);
                batch = w.group(2) == null ? 0 : Integer.parseInt(w.group(2));
                rest = w.group(3);
            }
            out.add(new DeployPlan.Step(kind(rest), where, batch, d));
        }
        return out;
    }

    private static DeployPlan.Kind kind(String text) {
        String verb = text.split(" ", 2)[0];
        return switch (verb) {
            case "lock" -> DeployPlan.Kind.LOCK;
            case "upload", "skip" -> DeployPlan.Kind.UPLOAD;
            case "write" -> DeployPlan.Kind.ENV;
            case "unit" -> DeployPlan.Kind.UNIT;
            case "install" -> text.contains("/systemd/") ? DeployPlan.Kind.UNIT : DeployPlan.Kind.UPLOAD;
            case "prepare" -> DeployPlan.Kind.PREPARE;
            case "switch" -> DeployPlan.Kind.SWITCH;
            case "systemctl" -> DeployPlan.Kind.RESTART;
            case "start" -> DeployPlan.Kind.START;
            case "stop" -> DeployPlan.Kind.STOP;
            case "gate:" -> DeployPlan.Kind.GATE;
            case "wait" -> text.startsWith("wait for readiness") ? DeployPlan.Kind.GATE : DeployPlan.Kind.DELAY;
            case "record" -> DeployPlan.Kind.RECORD;
            case "prune" -> DeployPlan.Kind.PRUNE;
            case "unlock" -> DeployPlan.Kind.UNLOCK;
            default -> DeployPlan.Kind.APPLY;
        };
    }
}
