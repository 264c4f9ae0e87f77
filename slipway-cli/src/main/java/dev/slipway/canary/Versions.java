package dev.slipway.canary;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Orders release versions for the downgrade check: numeric parts compare as numbers, the rest as
 * text, and a pre-release ({@code 1.2.0-rc1}) sorts before its release ({@code 1.2.0}), as in
 * Semantic Versioning 2.0 section 11.
 */
final class Versions {
    private static final Pattern PART = Pattern.compile("\\d+|[^\\d.+-]+");

    private Versions() {}

    /**
     * @param a a version, e.g. {@code 1.10.0}
     * @param b another
     * @return negative when {@code a} sorts before {@code b}, 0 when equal, positive after
     */
    static int compare(String a, String b) {
        String[] ab = split(a);
        String[] bb = split(b);
        int c = parts(ab[0], bb[0]);
        if (c != 0) {
            return c;
        }
        if (ab[1].isEmpty() != bb[1].isEmpty()) {
            return ab[1].isEmpty() ? 1 : -1; // a release sorts after its pre-releases
        }
        return parts(ab[1], bb[1]);
    }

    /** @return the release part and the pre-release part (after the first '-'), build metadata dropped */
    private static String[] split(String v) {
        String s = v.startsWith("v") ? v.substring(1) : v;
        int plus = s.indexOf('+');
        s = plus < 0 ? s : s.substring(0, plus);
        int dash = s.indexOf('-');
        return dash < 0 ? new String[] {s, ""} : new String[] {s.substring(0, dash), s.substring(dash + 1)};
    }

    private static int parts(String a, String b) {
        Matcher ma = PART.matcher(a);
        Matcher mb = PART.matcher(b);
        while (true) {
            boolean fa = ma.find();
            boolean fb = mb.find();
            if (!fa || !fb) {
                return fa == fb ? 0 : fa ? 1 : -1;
            }
            String x = ma.group();
            String y = mb.group();
            boolean nx = Character.isDigit(x.charAt(0));
            boolean ny = Character.isDigit(y.charAt(0));
            int c = nx && ny ? new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y))
                    : nx != ny ? (nx ? -1 : 1) : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
    }
}
