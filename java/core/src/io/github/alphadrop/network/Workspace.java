package io.github.alphadrop.network;

import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import org.bytedeco.javacpp.FloatPointer;

import java.util.HashMap;
import java.util.Map;

/**
 * The activation and gradient buffers of a {@link Network}'s passes, by slot, reused from step to step:
 * native memory for the native backend (so one layer's output reaches the next layer's kernel without a
 * copy through the Java heap, and without heap garbage), heap arrays for the Java one. A buffer only grows.
 * Not thread-safe: one pass at a time, as the network.
 */
public final class Workspace implements AutoCloseable {

    private final boolean offHeap;
    private final Map<Integer, FloatPointer> pointers = new HashMap<>();
    private final Map<Integer, float[]> arrays = new HashMap<>();

    /** Native buffers for a {@link NativeKernels}, heap arrays otherwise. */
    public Workspace(Kernels kernels) {
        this.offHeap = kernels instanceof NativeKernels;
    }

    public boolean offHeap() {
        return offHeap;
    }

    /** A buffer of exactly {@code length} floats for {@code slot}; its contents are whatever was there. */
    public FloatView get(int slot, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("length must be >= 1, got " + length);
        }
        if (!offHeap) {
            float[] a = arrays.get(slot);
            if (a == null || a.length < length) {
                a = new float[length];
                arrays.put(slot, a);
            }
            return FloatView.of(a, 0, length);
        }
        FloatPointer p = pointers.get(slot);
        if (p == null || p.capacity() < length) {
            if (p != null) {
                p.close();
            }
            p = new FloatPointer(length);
            pointers.put(slot, p);
        }
        return FloatView.of(p).head(length);
    }

    /** Bytes held. */
    public long bytes() {
        long b = 0;
        for (FloatPointer p : pointers.values()) {
            b += p.capacity() * Float.BYTES;
        }
        for (float[] a : arrays.values()) {
            b += (long) a.length * Float.BYTES;
        }
        return b;
    }

    /** Frees every buffer; views handed out before must not be used afterwards. */
    @Override
    public void close() {
        pointers.values().forEach(FloatPointer::close);
        pointers.clear();
        arrays.clear();
    }
}
