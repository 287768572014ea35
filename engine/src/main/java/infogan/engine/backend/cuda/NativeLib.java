package infogan.engine.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds an optional vendor library (cuBLAS, cuDNN) for FFM: a configured absolute path first (a system property such
 * as {@code -Dinfogan.cublas=PATH}), otherwise each soname in turn through the dynamic loader. Absence is a value
 * ({@link Lookup#reason()}), never an exception.
 */
final class NativeLib {
    /** lookup is null when the library was not found; then reason says why. */
    record Lookup(SymbolLookup lookup, String source, String reason) {
        boolean found() { return lookup != null; }
    }

    private NativeLib() { }

    /** @param configured an explicit path (may be null or blank) @param sonames tried in order when no path is set */
    static Lookup find(Arena arena, String what, String configured, String... sonames) {
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isRegularFile(p)) return new Lookup(null, null, what + " not available: configured path " + p + " does not exist");
            try {
                return new Lookup(SymbolLookup.libraryLookup(p, arena), p.toString(), null);
            } catch (IllegalArgumentException | IllegalCallerException e) {
                return new Lookup(null, null, what + " not available: " + p + ": " + e.getMessage());
            }
        }
        List<String> errors = new ArrayList<>();
        for (String so : sonames) {
            try {
                return new Lookup(SymbolLookup.libraryLookup(so, arena), so, null);
            } catch (IllegalArgumentException | IllegalCallerException e) {
                errors.add(e.getMessage());
            }
        }
        return new Lookup(null, null, what + " not available: " + String.join("; ", errors));
    }

    static MethodHandle bind(SymbolLookup lib, String symbol, FunctionDescriptor fd) {
        MemorySegment s = lib.find(symbol).orElseThrow(() -> new IllegalStateException("symbol " + symbol + " missing"));
        return Linker.nativeLinker().downcallHandle(s, fd);
    }
}
