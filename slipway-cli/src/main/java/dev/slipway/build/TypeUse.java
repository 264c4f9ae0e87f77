package dev.slipway.build;

import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.RecordComponentVisitor;
import org.objectweb.asm.Type;
import org.objectweb.asm.TypePath;
import org.objectweb.asm.signature.SignatureReader;
import org.objectweb.asm.signature.SignatureVisitor;

/**
 * What of a jar's classes can decide which JDK modules jdeps finds in it: for every place a class
 * file names a type (JVMS 4.4 constant pool entries, 4.3 descriptors, 4.7.9 signatures, 4.7.16
 * annotations, 4.7.5 exceptions, local variables, record components), the set of packages named
 * there, each place kept apart. jdeps ({@code Dependencies.BasicDependencyFinder}) maps the types
 * of some of these places to packages and the packages to modules, so two jars with the same sets
 * in every place give jdeps the same packages whichever places it reads; keeping the places apart
 * matters, since a type that moves from one place to another may move into or out of jdeps' view.
 * String literals are not types and are left out, so a changed message or constant keeps the
 * digest. It keys the module cache ({@link Modules}) for the application jars, which change on
 * every build while the packages they use seldom do.
 */
final class TypeUse {
    private TypeUse() {}

    /**
     * The digest of a jar's type use: per entry directory ({@code META-INF/versions/N/} apart from
     * the rest, since jdeps' {@code --multi-release} picks among them) and per place, the sorted
     * packages; entries that are not classes are left out (jdeps reads classes only).
     *
     * @param jar a jar
     * @return hex sha256, or empty when the jar has a module descriptor (jdeps then reads it as a
     *         directory, see {@link Jlink#asClassPathArchive}) or a class ASM cannot read, so the
     *         caller keys by the jar's bytes instead
     * @throws IOException when the jar cannot be read
     */
    static Optional<String> digest(Path jar) throws IOException {
        Map<String, Set<String>> places = new TreeMap<>();
        try (JarFile jf = new JarFile(jar.toFile(), false)) {
            for (ZipEntry e : Collections.list(jf.entries())) {
                String name = e.getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                if (name.endsWith("module-info.class")) {
                    return Optional.empty();
                }
                String prefix = name.startsWith("META-INF/versions/") ? name.split("/", 4)[2] + ":" : "";
                try (InputStream in = jf.getInputStream(e)) {
                    if (!scan(in.readAllBytes(), prefix, places)) {
                        return Optional.empty();
                    }
                }
            }
        } catch (java.util.zip.ZipException notAZip) {
            return Optional.empty();
        }
        MessageDigest sha = Hashing.sha256();
        places.forEach((place, packages) -> sha.update((place + " " + packages + "\n").getBytes(StandardCharsets.UTF_8)));
        return Optional.of(HexFormat.of().formatHex(sha.digest()));
    }

    /** @return whether the class could be read */
    private static boolean scan(byte[] bytes, String prefix, Map<String, Set<String>> places) {
        try {
            ClassReader cr = new ClassReader(bytes);
            Places p = new Places(prefix, places);
            char[] buf = new char[cr.getMaxStringLength()];
            for (int i = 1; i < cr.getItemCount(); i++) {
                int offset = cr.getItem(i);
                if (offset == 0) {
                    continue; // the second slot of a long or double
                }
                switch (cr.readByte(offset - 1)) {
                    case 7 -> p.internalName("pool-class", cr.readUTF8(offset, buf));
                    case 12 -> p.descriptor("pool-name-and-type", cr.readUTF8(offset + 2, buf));
                    case 16 -> p.descriptor("pool-method-type", cr.readUTF8(offset, buf));
                    default -> { }
                }
            }
            cr.accept(new Visitor(p), ClassReader.SKIP_FRAMES);
            return true;
        } catch (RuntimeException e) { // a class file version newer than ASM knows, or a damaged file
            return false;
        }
    }

    /** The packages seen, per place. */
    private record Places(String prefix, Map<String, Set<String>> places) {
        void internalName(String place, String name) {
            if (name.startsWith("[")) {
                descriptor(place, name);
            } else {
                int slash = name.lastIndexOf('/');
                places.computeIfAbsent(prefix + place, k -> new TreeSet<>()).add(slash < 0 ? "" : name.substring(0, slash));
            }
        }

        void descriptor(String place, String desc) {
            if (desc == null) {
                return;
            }
            if (desc.startsWith("(")) {
                Type t = Type.getMethodType(desc);
                type(place, t.getReturnType());
                for (Type a : t.getArgumentTypes()) {
                    type(place, a);
                }
            } else {
                type(place, Type.getType(desc));
            }
        }

        private void type(String place, Type t) {
            Type e = t.getSort() == Type.ARRAY ? t.getElementType() : t;
            if (e.getSort() == Type.OBJECT) {
                internalName(place, e.getInternalName());
            }
        }

        void signature(String place, String signature) {
            if (signature == null) {
                return;
            }
            new SignatureReader(signature).accept(new SignatureVisitor(Opcodes.ASM9) {
                @Override
                public void visitClassType(String name) {
                    internalName(place, name);
                }
            });
        }

        AnnotationVisitor annotation(String place, String desc) {
            descriptor(place, desc);
            return new AnnotationVisitor(Opcodes.ASM9) {
                @Override
                public void visit(String name, Object value) {
                    if (value instanceof Type t) {
                        type(place + "-value", t);
                    }
                }

                @Override
                public void visitEnum(String name, String descriptor, String value) {
                    descriptor(place + "-value", descriptor);
                }

                @Override
                public AnnotationVisitor visitAnnotation(String name, String descriptor) {
                    return annotation(place + "-value", descriptor);
                }

                @Override
                public AnnotationVisitor visitArray(String name) {
                    return this;
                }
            };
        }

        static String visibility(boolean visible) {
            return visible ? "visible" : "invisible";
        }
    }

    /** The places outside the constant pool. */
    private static final class Visitor extends ClassVisitor {
        private final Places p;

        Visitor(Places p) {
            super(Opcodes.ASM9);
            this.p = p;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            p.signature("class-signature", signature);
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return p.annotation("class-annotation-" + Places.visibility(visible), descriptor);
        }

        @Override
        public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String descriptor, boolean visible) {
            return p.annotation("type-annotation-" + Places.visibility(visible), descriptor);
        }

        @Override
        public RecordComponentVisitor visitRecordComponent(String name, String descriptor, String signature) {
            p.descriptor("record-descriptor", descriptor);
            p.signature("record-signature", signature);
            return new RecordComponentVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String desc, boolean visible) {
                    return p.annotation("record-annotation-" + Places.visibility(visible), desc);
                }
            };
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            p.descriptor("field-descriptor", descriptor);
            p.signature("field-signature", signature);
            return new FieldVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String desc, boolean visible) {
                    return p.annotation("field-annotation-" + Places.visibility(visible), desc);
                }

                @Override
                public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String desc, boolean visible) {
                    return p.annotation("type-annotation-" + Places.visibility(visible), desc);
                }
            };
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            p.descriptor("method-descriptor", descriptor);
            p.signature("method-signature", signature);
            if (exceptions != null) {
                for (String e : exceptions) {
                    p.internalName("method-exceptions", e);
                }
            }
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String desc, boolean visible) {
                    return p.annotation("method-annotation-" + Places.visibility(visible), desc);
                }

                @Override
                public AnnotationVisitor visitParameterAnnotation(int parameter, String desc, boolean visible) {
                    return p.annotation("parameter-annotation-" + Places.visibility(visible), desc);
                }

                @Override
                public AnnotationVisitor visitAnnotationDefault() {
                    return p.annotation("annotation-default", null);
                }

                @Override
                public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String desc, boolean visible) {
                    return p.annotation("type-annotation-" + Places.visibility(visible), desc);
                }

                @Override
                public void visitLocalVariable(String n, String desc, String sig, org.objectweb.asm.Label start,
                                               org.objectweb.asm.Label end, int index) {
                    p.descriptor("local-variable", desc);
                    p.signature("local-variable-signature", sig);
                }

                @Override
                public void visitLdcInsn(Object value) {
                    if (value instanceof Type t) {
                        p.descriptor("ldc-type", t.getDescriptor());
                    }
                }
            };
        }
    }
}
