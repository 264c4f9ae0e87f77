package example.myapp;

import java.util.Map;

/** HTML escaping and a minimal {@code {{placeholder}}} template renderer. */
public final class Html {
    private Html() {
    }

    /**
     * Escapes text for safe use in HTML element content and quoted attribute values
     * ({@code & < > " '}).
     *
     * @param s the raw text; {@code null} is treated as the empty string
     * @return the escaped text
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '"': sb.append("&quot;"); break;
                case '\'': sb.append("&#39;"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Replaces every {@code {{name}}} in {@code template} with the HTML-escaped value of
     * {@code name} from {@code values}. Unknown placeholders are left untouched.
     *
     * @param template the template text
     * @param values   placeholder name to raw (unescaped) value
     * @return the rendered text
     */
    public static String render(String template, Map<String, String> values) {
        String out = template;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace("{{" + e.getKey() + "}}", escape(e.getValue()));
        }
        return out;
    }
}
