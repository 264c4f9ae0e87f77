package dev.slipway.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-instance references of {@code slipway.yaml}: {@code ${PORT}}, {@code ${ADDR}} and
 * {@code ${APP_HOME}}, and their expansion.
 *
 * <p><b>Where.</b> In the values of {@code service.env} (and of the targets' env mappings layered
 * over it: {@code deploy.hosts.service.env}, {@code deploy.hosts.servers[].env},
 * {@code deploy.kubernetes.env}, {@code image.env}, and {@code train.env}), in
 * {@code build.jvmOptions}, {@code service.args} and {@code train.args}.
 *
 * <p><b>What.</b> {@code ${PORT}} is the port Slipway gives the running instance (the same value as
 * its {@code PORT} variable), {@code ${ADDR}} its bind address ({@code ADDR}), {@code ${APP_HOME}}
 * the unpacked layout root of the single file (the directory that holds {@code runtime/},
 * {@code app/} and {@code bin/}). {@code ${APP_HOME}} is refused in environment values (see
 * {@link #checkEnvValue}): an environment is written before the single file is unpacked, so its
 * directory is not known there.
 *
 * <p><b>When.</b> Per running instance, by whatever starts it: the local target, the hosts target
 * (the env file of each host), Kubernetes ({@code deploy.kubernetes.env} in the pod's env, with the
 * container port), {@code render systemd} and release archives' unit, and the training run (its own
 * free port). In {@code build.jvmOptions} and {@code service.args}, which are baked into the
 * launcher, the launcher expands them at start time from its environment ({@code $PORT},
 * {@code $ADDR}) and its unpacked directory. The OCI image does the same at container start: its
 * entrypoint, {@code slipway-start}, expands {@code ${PORT}} and {@code ${ADDR}} from the
 * container's {@code PORT} and {@code ADDR} in the options, the arguments and the
 * {@code service.env}/{@code image.env} variables that hold them ({@code ${APP_HOME}} is the image's
 * fixed {@code /opt/<name>}, expanded when it is built).
 *
 * <p><b>Only these three.</b> Any other {@code ${...}} text (a Spring placeholder, a shell-like
 * {@code ${HOME}}) and any other {@code $} are left exactly as written. There is no escape: the
 * three names always expand.
 */
public final class References {
    /** The instance's port. */
    public static final String PORT = "${PORT}";
    /** The instance's bind address. */
    public static final String ADDR = "${ADDR}";
    /** The unpacked layout root of the single file. */
    public static final String APP_HOME = "${APP_HOME}";

    private static final List<String> ALL = List.of(PORT, ADDR, APP_HOME);

    private References() {}

    /**
     * One piece of a text: literal text, or one of {@link #PORT}, {@link #ADDR}, {@link #APP_HOME}.
     *
     * @param text      the literal text, or the reference as written (e.g. {@code ${PORT}})
     * @param reference whether this piece is a reference
     */
    public record Part(String text, boolean reference) {}

    /**
     * The values of one instance.
     *
     * @param port    the port, as text
     * @param addr    the bind address
     * @param appHome the layout root, or {@code null} where it is not known (an environment)
     */
    public record Values(String port, String addr, String appHome) {
        /**
         * @param port    the port
         * @param addr    the bind address
         * @param appHome the layout root, or {@code null}
         * @return the values
         */
        public static Values of(int port, String addr, String appHome) {
            return new Values(Integer.toString(port), addr, appHome);
        }
    }

    /**
     * Splits a text into literal pieces and references, in order; adjacent literal text is one piece.
     *
     * @param text the text
     * @return its pieces; empty for an empty text
     */
    public static List<Part> parts(String text) {
        List<Part> out = new ArrayList<>();
        int from = 0;
        int i = text.indexOf("${");
        while (i >= 0) {
            String ref = null;
            for (String r : ALL) {
                if (text.startsWith(r, i)) {
                    ref = r;
                }
            }
            if (ref == null) {
                i = text.indexOf("${", i + 1);
                continue;
            }
            if (i > from) {
                out.add(new Part(text.substring(from, i), false));
            }
            out.add(new Part(ref, true));
            from = i + ref.length();
            i = text.indexOf("${", from);
        }
        if (from < text.length()) {
            out.add(new Part(text.substring(from), false));
        }
        return out;
    }

    /**
     * @param text a text
     * @return whether it holds any of the three references
     */
    public static boolean any(String text) {
        return parts(text).stream().anyMatch(Part::reference);
    }

    /**
     * Expands the references of one text.
     *
     * @param text   the text
     * @param values the instance's values
     * @return the text with every reference replaced; everything else as written
     * @throws IllegalArgumentException when the text holds {@code ${APP_HOME}} and
     *                                  {@code values.appHome()} is {@code null}
     */
    public static String expand(String text, Values values) {
        StringBuilder sb = new StringBuilder(text.length());
        for (Part p : parts(text)) {
            if (!p.reference()) {
                sb.append(p.text());
            } else if (p.text().equals(PORT)) {
                sb.append(values.port());
            } else if (p.text().equals(ADDR)) {
                sb.append(values.addr());
            } else if (values.appHome() != null) {
                sb.append(values.appHome());
            } else {
                throw new IllegalArgumentException(APP_HOME + " is not known here: " + text);
            }
        }
        return sb.toString();
    }

    /**
     * @param texts  texts, e.g. JVM options or program arguments
     * @param values the instance's values
     * @return each expanded ({@link #expand(String, Values)}), in order
     */
    public static List<String> expand(List<String> texts, Values values) {
        return texts.stream().map(t -> expand(t, values)).toList();
    }

    /**
     * @param env    environment variables
     * @param values the instance's values
     * @return the same names in the same order, each value expanded
     */
    public static Map<String, String> expandEnv(Map<String, String> env, Values values) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, expand(v, values)));
        return out;
    }

    /** A {@code ${NAME}} or {@code ${NAME:default}} in a text: the name is group 1. */
    private static final java.util.regex.Pattern NAMED =
            java.util.regex.Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)(?::[^}]*)?}");

    /** Names close to a reference that are common variables of their own, so never taken for a typo. */
    private static final java.util.Set<String> NOT_TYPOS = java.util.Set.of("HOST");

    /**
     * Near misses of the references in a text, for a warning: each {@code ${NAME}} (or
     * {@code ${NAME:default}}) whose name is not {@code PORT}, {@code ADDR} or {@code APP_HOME} but
     * within two edits of one of them (optimal string alignment distance, so {@code PROT} is one
     * edit from {@code PORT}; letter case counts as no edit, as references are case-sensitive).
     * Such text is left as written, and frameworks expand {@code ${...}} themselves, so it cannot
     * be refused: {@code ${PROT}} would reach the app and fail there. {@code ${HOST}} is a common
     * variable and not reported.
     *
     * @param text a value where references expand
     * @return one message per near miss, e.g. {@code ${PROT} is not expanded by Slipway (only
     *         ${PORT}, ${ADDR} and ${APP_HOME} are); did you mean ${PORT}?}; empty when none
     */
    public static List<String> nearMisses(String text) {
        List<String> out = new ArrayList<>();
        var m = NAMED.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (NOT_TYPOS.contains(name)) {
                continue;
            }
            String best = null;
            int bestDistance = 3;
            for (String r : ALL) {
                String target = r.substring(2, r.length() - 1);
                int d = distance(name.toUpperCase(java.util.Locale.ROOT), target);
                if (!name.equals(target) && d < bestDistance) {
                    best = r;
                    bestDistance = d;
                }
            }
            if (best != null && !ALL.contains("${" + name + "}")) {
                out.add(m.group() + " is not expanded by Slipway (only " + PORT + ", " + ADDR + " and " + APP_HOME
                        + " are; other ${...} text is left as written); did you mean " + best + "?");
            }
        }
        return out;
    }

    /** The optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * A loop, not {@code parts(value).contains(new Part(APP_HOME, true))}: a record's
     * {@code equals} is linked by {@code ObjectMethods} on its first call, which spun some 20
     * method-handle classes in every {@code slipway check} and {@code status} (JDK 17 does not
     * archive them).
     *
     * @param value an environment value
     * @return whether it names {@code ${APP_HOME}}
     */
    private static boolean mentionsAppHome(String value) {
        for (Part p : parts(value)) {
            if (p.reference() && p.text().equals(APP_HOME)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why an environment value cannot be used, or {@code null} when it can: {@code ${APP_HOME}} is
     * refused in environment values (the environment is fixed before the single file is unpacked).
     *
     * @param value the value as written
     * @return the problem for a config error, or {@code null}
     */
    public static String checkEnvValue(String value) {
        if (value != null && mentionsAppHome(value)) {
            return APP_HOME + " is not known where the environment is set (the single file unpacks when it"
                    + " starts); use it in service.args or build.jvmOptions, e.g. \"-Dapp.home=" + APP_HOME + "\"";
        }
        return null;
    }
}
