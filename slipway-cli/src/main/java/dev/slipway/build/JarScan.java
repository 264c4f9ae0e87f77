package dev.slipway.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.objectweb.asm.ClassReader;

/**
 * What the jars show about JDK use that {@code jdeps} cannot see: manifest attributes, resource
 * names, and the constant pools of their classes (JVMS 4.4): the JDK classes and methods they
 * reference and the string literals that name JDK classes or start with a URL scheme. Cheap: no
 * bytecode is analysed, only each class's constant pool is read (with ASM's {@link ClassReader}).
 *
 * <p>Facts are strings, each mapped to the first jar that shows it:
 * <ul>
 *   <li>{@code class:javax/net/ssl/SSLContext}: a class reference (JDK packages only);</li>
 *   <li>{@code method:java/nio/file/FileSystems.newFileSystem(Ljava/net/URI;Ljava/util/Map;)}: a
 *       method reference with its parameter types (JDK owners only);</li>
 *   <li>{@code string:sun.misc.Unsafe}: a string literal that is a JDK-style class name, as
 *       given to {@code Class.forName};</li>
 *   <li>{@code scheme:jar:}: a string literal starting with {@code jar:}, {@code dns:},
 *       {@code https:} or {@code ldaps:};</li>
 *   <li>{@code manifest:Premain-Class}: an agent attribute of the manifest
 *       ({@code Premain-Class}, {@code Agent-Class}, {@code Launcher-Agent-Class});</li>
 *   <li>{@code bundle:messages_de.properties}: a resource bundle for a locale other than English
 *       ({@code name_<lang>[_<COUNTRY>].properties}, {@link java.util.ResourceBundle} naming).</li>
 * </ul>
 *
 * @param facts    fact to the file name of the first jar that shows it, in scan order
 * @param unreadable classes that could not be read (a class file version newer than ASM knows,
 *                 or a damaged entry); their facts are missing
 * @param unreadableJars file names of jars that could not be opened as zip files
 */
public record JarScan(Map<String, String> facts, int unreadable, List<String> unreadableJars) {
    private static final Pattern JDK_NAME = Pattern.compile("(java|javax|jdk|sun|com/sun)/.*");
    private static final Pattern JDK_CLASS_STRING = Pattern.compile("(java|javax|jdk|sun|com\\.sun)(\\.[a-z_][a-z0-9_]*)*\\.[A-Z][A-Za-z0-9_$]*");
    /** A resource bundle of a locale other than English: {@code name_<lang>[_<COUNTRY>].properties}. */
    private static final Pattern BUNDLE = Pattern.compile("(?:.*/)?[^/]+_(?!en[_.])[a-z]{2}(_[A-Z]{2})?\\.properties");
    private static final List<String> SCHEMES = List.of("jar:", "dns:", "https:", "ldaps:");
    private static final List<String> AGENT_ATTRIBUTES = List.of("Premain-Class", "Agent-Class", "Launcher-Agent-Class");

    /**
     * Scans jars.
     *
     * @param jars the jars, in class path order
     * @return the facts, each with the first jar that shows it
     * @throws IOException when a jar cannot be read after it was opened
     */
    public static JarScan of(List<Path> jars) throws IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        int unreadable = 0;
        List<String> unreadableJars = new java.util.ArrayList<>();
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            JarFile opened;
            try {
                opened = new JarFile(jar.toFile(), false);
            } catch (java.util.zip.ZipException e) {
                unreadableJars.add(name);
                continue;
            }
            try (JarFile jf = opened) {
                Manifest mf = jf.getManifest();
                if (mf != null) {
                    Attributes main = mf.getMainAttributes();
                    for (String a : AGENT_ATTRIBUTES) {
                        if (main.getValue(a) != null) {
                            facts.putIfAbsent("manifest:" + a, name);
                        }
                    }
                }
                for (ZipEntry e : Collections.list(jf.entries())) {
                    String entry = e.getName();
                    if (entry.endsWith(".class") && !entry.endsWith("module-info.class")) {
                        try (InputStream in = jf.getInputStream(e)) {
                            if (!scanClass(in.readAllBytes(), name, facts)) {
                                unreadable++;
                            }
                        }
                    } else if (!entry.startsWith("META-INF/") && BUNDLE.matcher(entry).matches()) {
                        facts.putIfAbsent("bundle:" + entry, name);
                    }
                }
            }
        }
        return new JarScan(Collections.unmodifiableMap(facts), unreadable, List.copyOf(unreadableJars));
    }

    /** @return whether the class could be read */
    private static boolean scanClass(byte[] bytes, String jar, Map<String, String> facts) {
        ClassReader cr;
        try {
            cr = new ClassReader(bytes);
        } catch (RuntimeException e) { // a class file version newer than ASM knows, or a damaged file
            return false;
        }
        char[] buf = new char[cr.getMaxStringLength()];
        try {
            for (int i = 1; i < cr.getItemCount(); i++) {
                int offset = cr.getItem(i);
                if (offset == 0) {
                    continue; // the second slot of a long or double
                }
                switch (cr.readByte(offset - 1)) {
                    case 7 -> { // CONSTANT_Class
                        String c = cr.readUTF8(offset, buf);
                        if (JDK_NAME.matcher(c).matches()) {
                            facts.putIfAbsent("class:" + c, jar);
                        }
                    }
                    case 10, 11 -> { // CONSTANT_Methodref, CONSTANT_InterfaceMethodref
                        String owner = cr.readClass(offset, buf);
                        if (JDK_NAME.matcher(owner).matches()) {
                            int nat = cr.getItem(cr.readUnsignedShort(offset + 2));
                            String desc = cr.readUTF8(nat + 2, buf);
                            facts.putIfAbsent("method:" + owner + "." + cr.readUTF8(nat, buf)
                                    + desc.substring(0, desc.indexOf(')') + 1), jar);
                        }
                    }
                    case 8 -> { // CONSTANT_String
                        String s = cr.readUTF8(offset, buf);
                        if (s.length() < 200 && JDK_CLASS_STRING.matcher(s).matches()) {
                            facts.putIfAbsent("string:" + s, jar);
                        }
                        for (String scheme : SCHEMES) {
                            if (s.startsWith(scheme)) {
                                facts.putIfAbsent("scheme:" + scheme, jar);
                            }
                        }
                    }
                    default -> { }
                }
            }
        } catch (RuntimeException e) { // a damaged constant pool
            return false;
        }
        return true;
    }

    /**
     * @param prefix the start of a fact, e.g. {@code method:java/nio/file/FileSystems.newFileSystem(}
     * @return the first fact with that start, or {@code null}
     */
    public String first(String prefix) {
        for (String f : facts.keySet()) {
            if (f.startsWith(prefix)) {
                return f;
            }
        }
        return null;
    }

    /** @return the jar that shows {@code fact}, or {@code null} */
    public String jarOf(String fact) {
        return fact == null ? null : facts.get(fact);
    }
}
