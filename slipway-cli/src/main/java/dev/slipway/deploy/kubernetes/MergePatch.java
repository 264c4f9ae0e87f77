package dev.slipway.deploy.kubernetes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * JSON merge patch (RFC 7386) over objects read as maps: applying one, and computing the
 * three-way patch that {@code kubectl apply} computes for types without a strategic merge
 * (from the last applied configuration, the new one, and the live object). Lists are values:
 * a patch replaces a list whole, as RFC 7386 says.
 */
public final class MergePatch {
    private MergePatch() {}

    /**
     * Applies a merge patch (RFC 7386, section 2): a {@code null} value removes the key, a map is
     * merged into the target's map at that key, anything else replaces the value.
     *
     * @param target the document, not changed
     * @param patch  the patch
     * @return a new document
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> apply(Map<String, Object> target, Map<String, Object> patch) {
        Map<String, Object> out = target == null ? new LinkedHashMap<>() : new LinkedHashMap<>(target);
        patch.forEach((k, v) -> {
            if (v == null) {
                out.remove(k);
            } else if (v instanceof Map<?, ?> m) {
                Object t = out.get(k);
                out.put(k, apply(t instanceof Map<?, ?> tm ? (Map<String, Object>) tm : null, (Map<String, Object>) m));
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * The three-way merge patch from {@code last} (what this tool applied before) to
     * {@code desired}, given {@code live}: every key of {@code desired} whose value differs from
     * the live one is set; every key {@code last} had and {@code desired} no longer has is
     * removed ({@code null}); keys that only the live object has (other owners' labels and
     * annotations, the controller's fields) are left alone.
     *
     * @param last    the configuration applied last time, or an empty map
     * @param desired the configuration to apply now
     * @param live    the live object
     * @return the patch; empty when nothing changes
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> threeWay(Map<String, Object> last, Map<String, Object> desired,
                                               Map<String, Object> live) {
        Map<String, Object> patch = new LinkedHashMap<>();
        Map<String, Object> l = last == null ? Map.of() : last;
        Map<String, Object> cur = live == null ? Map.of() : live;
        for (String k : l.keySet()) {
            if (!desired.containsKey(k) && cur.containsKey(k)) {
                patch.put(k, null);
            }
        }
        desired.forEach((k, v) -> {
            Object lv = cur.get(k);
            if (v instanceof Map<?, ?> m && lv instanceof Map<?, ?> lm) {
                Object prev = l.get(k);
                Map<String, Object> sub = threeWay(prev instanceof Map<?, ?> pm ? (Map<String, Object>) pm : Map.of(),
                        (Map<String, Object>) m, (Map<String, Object>) lm);
                if (!sub.isEmpty()) {
                    patch.put(k, sub);
                }
            } else if (!Objects.equals(v, lv)) {
                patch.put(k, v);
            }
        });
        return patch;
    }
}
