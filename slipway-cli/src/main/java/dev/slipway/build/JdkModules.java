package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ModuleVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The modules of a JDK as its own run-time image says: which modules exist, which module holds a
 * package, and which modules provide a service. Read through the {@code jrt:/} file system of that
 * JDK (JEP 220: {@code /packages/<package>/<module>} and {@code /modules/<module>/module-info.class}),
 * opened with {@code java.home} set to the JDK, so it works for a JDK of another feature release
 * than the one running Slipway and for JDKs without {@code jmods/}. Module descriptors are read
 * with ASM, since {@link java.lang.module.ModuleDescriptor#read} refuses class files newer than
 * the running JDK.
 *
 * @param modules   every module name, e.g. {@code java.base}, {@code jdk.zipfs}
 * @param packages  package (dotted) to the module that holds it
 * @param providers service interface (binary name) to the modules that provide it
 */
public record JdkModules(Set<String> modules, Map<String, String> packages, Map<String, Set<String>> providers) {
    private static final Map<Path, JdkModules> CACHE = new ConcurrentHashMap<>();

    /**
     * Reads a JDK's modules; the result is kept for the life of the process.
     *
     * @param home the JDK's home directory (with {@code lib/modules} and {@code lib/jrt-fs.jar})
     * @return its modules
     * @throws SlipwayException (exit 1) when the run-time image cannot be read
     */
    public static JdkModules of(Path home) {
        return CACHE.computeIfAbsent(home.toAbsolutePath().normalize(), JdkModules::read);
    }

    private static JdkModules read(Path home) {
        Set<String> modules = new TreeSet<>();
        Map<String, String> packages = new TreeMap<>();
        Map<String, Set<String>> providers = new TreeMap<>();
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", home.toString()))) {
            try (Stream<Path> s = Files.list(jrt.getPath("/packages"))) {
                for (Path pkg : s.toList()) {
                    try (Stream<Path> in = Files.list(pkg)) {
                        // A package is in one module of the boot layer; take the first when the image says more.
                        in.map(m -> m.getFileName().toString()).sorted().findFirst()
                                .ifPresent(m -> packages.put(pkg.getFileName().toString(), m));
                    }
                }
            }
            try (Stream<Path> s = Files.list(jrt.getPath("/modules"))) {
                for (Path m : s.toList()) {
                    String name = m.getFileName().toString();
                    modules.add(name);
                    Path info = m.resolve("module-info.class");
                    if (Files.isRegularFile(info)) {
                        new ClassReader(Files.readAllBytes(info)).accept(new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public ModuleVisitor visitModule(String module, int access, String version) {
                                return new ModuleVisitor(Opcodes.ASM9) {
                                    @Override
                                    public void visitProvide(String service, String... impls) {
                                        providers.computeIfAbsent(service.replace('/', '.'), k -> new TreeSet<>()).add(name);
                                    }
                                };
                            }
                        }, ClassReader.SKIP_CODE);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw SlipwayException.failed("cannot read the modules of the JDK at " + home + ": " + e.getMessage(), e);
        }
        return new JdkModules(Set.copyOf(modules), Map.copyOf(packages), Map.copyOf(providers));
    }

    /** @return whether the JDK has this module */
    public boolean has(String module) {
        return modules.contains(module);
    }

    /**
     * The module of a class.
     *
     * @param className a binary name ({@code java.sql.Driver}, {@code a.B$C}) or an internal
     *                  name ({@code java/sql/Driver})
     * @return the JDK module that holds its package, or empty when the JDK has no such package
     */
    public Optional<String> moduleOf(String className) {
        String name = className.replace('/', '.');
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : Optional.ofNullable(packages.get(name.substring(0, dot)));
    }

    /**
     * @param service a service interface, e.g. {@code java.nio.file.spi.FileSystemProvider}
     * @return the modules whose descriptor {@code provides} it, sorted
     */
    public List<String> providersOf(String service) {
        return List.copyOf(providers.getOrDefault(service, Set.of()));
    }
}
