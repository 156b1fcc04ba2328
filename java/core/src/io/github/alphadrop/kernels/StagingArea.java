package io.github.alphadrop.kernels;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * Native memory that heap arrays pass through on their way to and from the native kernels, one slot per
 * argument position, grown to the largest call seen and reused. Views of native memory skip it.
 *
 * <p>Why: a kernel that read heap arrays directly would have to pin them for the whole call (a JNI
 * critical region), and while any thread holds one no garbage collection can run, so every allocating
 * thread of the host stalls for as long as the kernel runs. Copying in chunks of
 * {@link FloatView#COPY_CHUNK} holds collections off for well under a millisecond at a time, and the kernel
 * itself then runs in native state, where collections proceed.
 *
 * <p>Not thread-safe: its owner serialises the calls that use it. {@link #close()} frees every slot.
 */
final class StagingArea implements AutoCloseable {

    private final FloatPointer[] slots = new FloatPointer[8];
    private final IntPointer[] intSlots = new IntPointer[3];
    private DoublePointer doubleSlot;

    /** The view's first {@code n} floats in native memory: its own, or slot {@code slot} filled from the heap. */
    FloatPointer input(int slot, FloatView view, int n) {
        if (view == null) {
            return null;
        }
        if (!view.onHeap()) {
            return view.pointer();
        }
        FloatPointer p = slot(slot, n);
        float[] array = view.array();
        int offset = view.offset();
        for (int done = 0; done < n; done += FloatView.COPY_CHUNK) {
            int len = Math.min(FloatView.COPY_CHUNK, n - done);
            p.position(done).put(array, offset + done, len);
        }
        return p.position(0);
    }

    /** Where a kernel writes the view's first {@code n} floats: its own memory, or slot {@code slot}. */
    FloatPointer output(int slot, FloatView view, int n) {
        if (view == null) {
            return null;
        }
        return view.onHeap() ? slot(slot, n) : view.pointer();
    }

    /** After the kernel: copies slot {@code slot}'s first {@code n} floats back into a heap view. */
    void store(int slot, FloatView view, int n) {
        if (view == null || !view.onHeap()) {
            return;
        }
        FloatPointer p = slots[slot];
        float[] array = view.array();
        int offset = view.offset();
        for (int done = 0; done < n; done += FloatView.COPY_CHUNK) {
            int len = Math.min(FloatView.COPY_CHUNK, n - done);
            p.position(done).get(array, offset + done, len);
        }
        p.position(0);
    }

    /** {@code values[0, n)} in native memory (int slot 0). */
    IntPointer ints(int[] values, int n) {
        return ints(0, values, n);
    }

    /** {@code values[0, n)} in native memory, int slot {@code slot}; null for null values. */
    IntPointer ints(int slot, int[] values, int n) {
        if (values == null) {
            return null;
        }
        IntPointer p = intSlots[slot];
        if (p == null || p.capacity() < n) {
            if (p != null) {
                p.close();
            }
            p = new IntPointer(Math.max(n, 64));
            intSlots[slot] = p;
        }
        for (int done = 0; done < n; done += FloatView.COPY_CHUNK) {
            int len = Math.min(FloatView.COPY_CHUNK, n - done);
            p.position(done).put(values, done, len);
        }
        return p.position(0);
    }

    /** {@code values[0, n)} (a few per-layer constants) in native memory, the one double slot. */
    DoublePointer doubles(double[] values, int n) {
        if (doubleSlot == null || doubleSlot.capacity() < n) {
            if (doubleSlot != null) {
                doubleSlot.close();
            }
            doubleSlot = new DoublePointer(Math.max(n, 64));
        }
        doubleSlot.position(0).put(values, 0, n);
        return doubleSlot.position(0);
    }

    private FloatPointer slot(int slot, int n) {
        FloatPointer p = slots[slot];
        if (p == null || p.capacity() < n) {
            if (p != null) {
                p.close();
            }
            // At least 1: a zero-length allocation would be a null pointer.
            p = new FloatPointer(Math.max(n, 1));
            slots[slot] = p;
        }
        return p.position(0);
    }

    /** Bytes held, for tests and diagnostics. */
    long bytes() {
        long total = 0;
        for (IntPointer p : intSlots) {
            total += p == null ? 0 : p.capacity() * Integer.BYTES;
        }
        for (FloatPointer p : slots) {
            total += p == null ? 0 : p.capacity() * Float.BYTES;
        }
        return total + (doubleSlot == null ? 0 : doubleSlot.capacity() * Double.BYTES);
    }

    @Override
    public void close() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].close();
                slots[i] = null;
            }
        }
        for (int i = 0; i < intSlots.length; i++) {
            if (intSlots[i] != null) {
                intSlots[i].close();
                intSlots[i] = null;
            }
        }
        if (doubleSlot != null) {
            doubleSlot.close();
            doubleSlot = null;
        }
    }
}
