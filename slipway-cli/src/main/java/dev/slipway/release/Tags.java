package dev.slipway.release;

import java.math.BigInteger;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Orders git tags as versions, by semantic-version precedence (semver.org 2.0.0, section 11):
 * major, minor and patch compared as numbers; a pre-release ({@code 1.1.0-rc1}) sorts before its
 * release ({@code 1.1.0}); pre-release identifiers compared one by one, numbers as numbers and
 * below text, text in ASCII order, a shorter list first when all before are equal; build metadata
 * ({@code +build.7}) ignored. A leading {@code v} is allowed. Tags that are not versions sort
 * below every version; ties (equal precedence, or two tags that are not versions) go by name, so
 * the order is total and the same every time.
 */
public final class Tags {
    private static final Pattern SEMVER = Pattern.compile(
            "v?(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    private Tags() {}

    /**
     * The version core of a tag that starts with one, for the snapshot template's {@code next patch}
     * and friends: {@code v1.2.3}, {@code 1.2.3-rc1} and {@code 1.2.3.4} all give {@code [1, 2, 3]}.
     *
     * @param tag a git tag
     * @return {@code [major, minor, patch]}, or {@code null} when the tag does not start with
     *         {@code [v]X.Y.Z} or a part does not fit an {@code int}
     */
    static int[] core(String tag) {
        Matcher m = SEMVER.matcher(tag);
        if (!m.lookingAt()) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Lowest first; {@code max} gives the tag to release. */
    public static final Comparator<String> PRECEDENCE = Tags::compare;

    private static int compare(String a, String b) {
        Matcher x = SEMVER.matcher(a);
        Matcher y = SEMVER.matcher(b);
        boolean vx = x.matches();
        boolean vy = y.matches();
        if (vx != vy) {
            return vx ? 1 : -1;
        }
        if (vx) {
            for (int g = 1; g <= 3; g++) {
                int c = new BigInteger(x.group(g)).compareTo(new BigInteger(y.group(g)));
                if (c != 0) {
                    return c;
                }
            }
            int c = comparePreRelease(x.group(4), y.group(4));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    private static int comparePreRelease(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1; // a release is above its pre-releases
        }
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean nx = x[i].chars().allMatch(Character::isDigit);
            boolean ny = y[i].chars().allMatch(Character::isDigit);
            int c = nx && ny ? new BigInteger(x[i]).compareTo(new BigInteger(y[i]))
                    : nx != ny ? (nx ? -1 : 1) : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
