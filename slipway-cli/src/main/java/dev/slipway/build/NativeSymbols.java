package dev.slipway.build;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes the full symbol table ({@code .symtab} and its string table) from the shared libraries of
 * a linked runtime, as {@code strip --strip-unneeded} would, in Java so that it works for every
 * target platform without binutils. The dynamic symbol table ({@code .dynsym}), which the dynamic
 * loader and JNI use, and every section the program headers load stay byte for byte as they were.
 *
 * <p>Why: the JDK builds Slipway links (Debian's and Temurin's) ship {@code libjvm.so} with its
 * {@code .symtab}, 4-5 MB of the 24-30 MB file and about 1 MB of the single file after zstd; jlink's
 * {@code --strip-debug} and {@code --strip-native-debug-symbols} run {@code objcopy --strip-debug},
 * which keeps it. What it costs: a JVM crash log ({@code hs_err_pid*.log}) and Native Memory
 * Tracking's detail stacks show frames inside libjvm as {@code libjvm.so+0x…} instead of function
 * names, and native profilers see the JVM's internal functions without names. The build id note
 * stays, so the offsets resolve against the same JDK build's unstripped library
 * ({@code addr2line -f -e <jdk>/lib/server/libjvm.so 0x…}). See docs/single-file.md.
 *
 * <p>Only 64-bit little-endian ELF files (linux-amd64, linux-arm64) are changed; anything else, or
 * a layout this class does not expect (a non-loaded section before a loaded one, another section
 * that links to the symbol table), is left as it is. Source of the layout: the System V ABI's ELF
 * chapter (the ELF-64 object file format).
 */
final class NativeSymbols {
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_STRTAB = 3;
    private static final int SHT_RELA = 4;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_REL = 9;
    private static final long SHF_ALLOC = 0x2;
    private static final long SHF_INFO_LINK = 0x40;
    private static final int SH_SIZE = 64;

    private NativeSymbols() {}

    /**
     * Strips every {@code *.so} under {@code runtime/lib} (see the class comment).
     *
     * @param runtime a linked runtime directory
     * @return the bytes saved in all
     * @throws IOException on a read or write failure
     */
    static long stripRuntime(Path runtime) throws IOException {
        Path lib = runtime.resolve("lib");
        if (!Files.isDirectory(lib)) {
            return 0;
        }
        List<Path> libs;
        try (Stream<Path> s = Files.walk(lib)) {
            libs = s.filter(p -> p.getFileName().toString().endsWith(".so")
                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        long saved = 0;
        for (Path p : libs) {
            saved += strip(p);
        }
        return saved;
    }

    /**
     * Removes the symbol table of one ELF file in place (written under a temporary name and
     * renamed over it, keeping its permissions).
     *
     * @param file an ELF shared library
     * @return the bytes saved; 0 when the file was left as it was
     * @throws IOException on a read or write failure
     */
    static long strip(Path file) throws IOException {
        byte[] in = Files.readAllBytes(file);
        byte[] out = stripped(in);
        if (out == null) {
            return 0;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".strip.tmp");
        Files.write(tmp, out);
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return in.length - out.length;
    }

    /** One section header, as read. */
    private static final class Section {
        final int index;
        final int type;
        final long flags;
        long offset;
        final long size;
        int link;
        int info;
        final long align;
        final byte[] raw;

        Section(ByteBuffer b, int index, int at) {
            this.index = index;
            raw = new byte[SH_SIZE];
            b.get(at, raw);
            type = b.getInt(at + 4);
            flags = b.getLong(at + 8);
            offset = b.getLong(at + 24);
            size = b.getLong(at + 32);
            link = b.getInt(at + 40);
            info = b.getInt(at + 44);
            align = b.getLong(at + 48);
        }

        boolean loaded() {
            return (flags & SHF_ALLOC) != 0;
        }

        long fileEnd() {
            return type == SHT_NOBITS ? offset : offset + size;
        }
    }

    /**
     * @param elf the file's bytes
     * @return the bytes without {@code .symtab} and its string table, or null to leave the file as it is
     */
    static byte[] stripped(byte[] elf) {
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F'
                || elf[4] != 2 || elf[5] != 1) {
            return null; // not ELF-64 little-endian
        }
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        long shoff = b.getLong(0x28);
        int phentsize = b.getShort(0x36) & 0xffff;
        int phnum = b.getShort(0x38) & 0xffff;
        int shentsize = b.getShort(0x3a) & 0xffff;
        int shnum = b.getShort(0x3c) & 0xffff;
        int shstrndx = b.getShort(0x3e) & 0xffff;
        if (shentsize != SH_SIZE || shnum == 0 || shstrndx == 0 || shstrndx >= shnum || phnum == 0xffff
                || shoff <= 0 || shoff + (long) shnum * SH_SIZE > elf.length
                || phoff + (long) phnum * phentsize > elf.length) {
            return null; // no section headers, or extended numbering (SHN_XINDEX, PN_XNUM)
        }
        List<Section> sections = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            Section s = new Section(b, i, (int) (shoff + (long) i * SH_SIZE));
            if (s.type != SHT_NOBITS && (s.offset < 0 || s.size < 0 || s.offset + s.size > elf.length)) {
                return null;
            }
            sections.add(s);
        }
        Section symtab = sections.stream().filter(s -> s.type == SHT_SYMTAB).findFirst().orElse(null);
        if (symtab == null || symtab.loaded() || symtab.link <= 0 || symtab.link >= shnum
                || symtab.link == shstrndx) {
            return null;
        }
        Section strtab = sections.get(symtab.link);
        if (strtab.type != SHT_STRTAB || strtab.loaded()) {
            return null;
        }
        int gone1 = Math.min(symtab.index, strtab.index);
        int gone2 = Math.max(symtab.index, strtab.index);
        // Everything the loader maps: the program headers' file ranges and the loaded sections.
        long loadedEnd = Math.max(0x40, phoff + (long) phnum * phentsize);
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            loadedEnd = Math.max(loadedEnd, b.getLong(at + 8) + b.getLong(at + 32)); // p_offset + p_filesz
        }
        for (Section s : sections) {
            if (s.loaded()) {
                loadedEnd = Math.max(loadedEnd, s.fileEnd());
            }
        }
        List<Section> kept = new ArrayList<>();
        for (Section s : sections) {
            if (s.index == gone1 || s.index == gone2) {
                if (s.offset < loadedEnd) {
                    return null;
                }
                continue;
            }
            if (s.link == gone1 || s.link == gone2) {
                return null; // something else refers to the symbol table
            }
            kept.add(s);
        }
        for (Section s : kept) {
            if (!s.loaded() && s.index != 0 && s.type != SHT_NOBITS && s.size > 0 && s.offset < loadedEnd) {
                return null; // a non-loaded section among the loaded ones: not the layout expected
            }
        }
        ByteBuffer out = ByteBuffer.allocate(elf.length + 65536).order(ByteOrder.LITTLE_ENDIAN);
        out.put(elf, 0, (int) loadedEnd);
        // The other non-loaded sections (.comment, .gnu_debuglink, notes, .shstrtab) in their order in the file.
        List<Section> tail = kept.stream()
                .filter(s -> !s.loaded() && s.index != 0 && s.type != SHT_NOBITS && s.size > 0)
                .sorted((x, y) -> Long.compare(x.offset, y.offset)).toList();
        for (Section s : tail) {
            align(out, s.align);
            int from = (int) s.offset;
            s.offset = out.position();
            out.put(elf, from, (int) s.size);
        }
        for (Section s : kept) {
            if (!s.loaded() && s.type == SHT_NOBITS) {
                s.offset = Math.min(s.offset, out.position());
            }
        }
        align(out, 8);
        long newShoff = out.position();
        for (Section s : kept) {
            s.link = renumber(s.link, gone1, gone2);
            if (s.type == SHT_REL || s.type == SHT_RELA || (s.flags & SHF_INFO_LINK) != 0) {
                s.info = renumber(s.info, gone1, gone2);
            }
            ByteBuffer h = ByteBuffer.wrap(s.raw).order(ByteOrder.LITTLE_ENDIAN);
            h.putLong(24, s.offset);
            h.putInt(40, s.link);
            h.putInt(44, s.info);
            out.put(s.raw);
        }
        byte[] result = new byte[out.position()];
        out.get(0, result);
        ByteBuffer r = ByteBuffer.wrap(result).order(ByteOrder.LITTLE_ENDIAN);
        r.putLong(0x28, newShoff);
        r.putShort(0x3c, (short) kept.size());
        r.putShort(0x3e, (short) renumber(shstrndx, gone1, gone2));
        return result.length < elf.length ? result : null;
    }

    private static int renumber(int index, int gone1, int gone2) {
        return index > gone2 ? index - 2 : index > gone1 ? index - 1 : index;
    }

    private static void align(ByteBuffer out, long alignment) {
        if (alignment > 1) {
            long pad = (alignment - out.position() % alignment) % alignment;
            out.position((int) (out.position() + pad));
        }
    }
}
