package dev.slipway.config;

import java.util.Deque;

/**
 * One open YAML mapping (with its current key) or list (with its current index) while reading a
 * {@code slipway.yaml} token by token; a stack of them names the value at hand by its dotted key
 * path ({@link #path}), the path that config errors and {@link ConfigLoader}'s locations use.
 */
class YamlFrame {
    /** Whether this is a list (else a mapping). */
    final boolean list;
    /** A mapping's current key, or {@code null} before its first key. */
    String key;
    /** A list's current index, from 0; -1 before its first item. */
    int index = -1;

    YamlFrame(boolean list) {
        this.list = list;
    }

    /**
     * @param frames the open frames, innermost first (the {@link Deque} used as a stack)
     * @return the dotted path of the current value, e.g. {@code deploy.hosts.servers[0].address};
     *         {@code ""} at the top level
     */
    static String path(Deque<? extends YamlFrame> frames) {
        StringBuilder sb = new StringBuilder();
        for (var it = frames.descendingIterator(); it.hasNext();) {
            YamlFrame f = it.next();
            if (f.list) {
                sb.append('[').append(f.index).append(']');
            } else if (f.key != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(f.key);
            }
        }
        return sb.toString();
    }
}
