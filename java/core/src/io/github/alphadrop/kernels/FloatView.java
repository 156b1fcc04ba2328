package io.github.alphadrop.kernels;

import org.bytedeco.javacpp.FloatPointer;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A run of floats that a kernel reads or writes: part of a heap {@code float[]}, native memory behind a
 * JavaCPP {@link FloatPointer}, or a {@link FloatBuffer}. Made once per argument and checked once, here;
 * the kernels then only compare {@link #length()} with what the shapes need.
 *
 * <p>Native memory reaches the native kernels as it is (no copy). A heap array is copied into native
 * staging memory and back in bounded chunks, so no call ever pins it or holds the JVM's garbage
 * collector (see {@link NativeKernels}). Element 0 of the view is the first element a kernel sees.
 */
public final class FloatView {

    /**
     * Copies between heap and native memory go in chunks of this many floats (1 MiB): a JNI array copy holds
     * off safepoints (and so every collection) while it runs, and a chunk this size takes well under 1 ms.
     */
    static final int COPY_CHUNK = 1 << 18;

    private final float[] array;
    private final int offset;
    private final FloatPointer pointer;
    private final int length;

    private FloatView(float[] array, int offset, FloatPointer pointer, int length) {
        this.array = array;
        this.offset = offset;
        this.pointer = pointer;
        this.length = length;
    }

    /** The whole array. */
    public static FloatView of(float[] array) {
        if (array == null) {
            throw new IllegalArgumentException("array must not be null");
        }
        return new FloatView(array, 0, null, array.length);
    }

    /** {@code array[offset .. offset + length)}, netlib style. */
    public static FloatView of(float[] array, int offset, int length) {
        if (array == null) {
            throw new IllegalArgumentException("array must not be null");
        }
        if (offset < 0 || length < 0 || (long) offset + length > array.length) {
            throw new IllegalArgumentException("offset = " + offset + ", length = " + length
                    + " do not fit in an array of length " + array.length);
        }
        return new FloatView(array, offset, null, length);
    }

    /**
     * The pointer's elements from its {@code position()} up to its {@code limit()} (its {@code capacity()} when
     * no limit is set). The pointer must be allocated and have a known length: a pointer made from a bare
     * address has capacity 0 and needs {@code capacity(n)} first. The view keeps the pointer reachable; it
     * does not own the memory.
     */
    public static FloatView of(FloatPointer pointer) {
        if (pointer == null) {
            throw new IllegalArgumentException("pointer must not be null");
        }
        if (pointer.isNull()) {
            throw new IllegalArgumentException("pointer is null or already deallocated (address 0)");
        }
        long position = pointer.position();
        long end = pointer.limit() > 0 ? pointer.limit() : pointer.capacity();
        if (position < 0 || end <= position) {
            throw new IllegalArgumentException("pointer has no elements from its position: position = " + position
                    + ", limit = " + pointer.limit() + ", capacity = " + pointer.capacity()
                    + " (a pointer made from an address needs capacity(n) or limit(n))");
        }
        // A copy: the caller may move the pointer's position later without moving the view.
        FloatPointer snapshot = new FloatPointer(pointer);
        return new FloatView(null, 0, snapshot, (int) Math.min(end - position, Integer.MAX_VALUE));
    }

    /**
     * The buffer's remaining elements, {@code position()} to {@code limit()}. A direct buffer must be in
     * native byte order (a {@code ByteBuffer.allocateDirect(n).asFloatBuffer()} is big-endian unless its byte
     * buffer was given {@code order(ByteOrder.nativeOrder())} first); a heap buffer must not be read-only.
     */
    public static FloatView of(FloatBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer must not be null");
        }
        if (buffer.isDirect()) {
            if (buffer.order() != ByteOrder.nativeOrder()) {
                throw new IllegalArgumentException("buffer is a direct FloatBuffer in " + buffer.order()
                        + " byte order; the kernels read native order (" + ByteOrder.nativeOrder()
                        + "): create it from ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder())");
            }
            if (!buffer.hasRemaining()) {
                throw new IllegalArgumentException("buffer has no remaining elements (position = limit = "
                        + buffer.position() + ")");
            }
            // slice(): JavaCPP's FloatPointer(Buffer) mishandles a non-zero position; a slice starts at 0.
            return new FloatView(null, 0, new FloatPointer(buffer.slice()), buffer.remaining());
        }
        if (!buffer.hasArray()) {
            throw new IllegalArgumentException("buffer is a read-only heap FloatBuffer: the kernels cannot reach"
                    + " its array; pass a direct buffer or a float[]");
        }
        return of(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
    }

    /** The view's first {@code n} floats, {@code 0 < n <= length()}. */
    public FloatView head(int n) {
        if (n < 1 || n > length) {
            throw new IllegalArgumentException("n must be in [1, " + length + "], got " + n);
        }
        if (array != null) {
            return new FloatView(array, offset, null, n);
        }
        return new FloatView(null, 0, pointer, n);
    }

    /** Copies the view's floats {@code [0, n)} into {@code dst[dstOffset ..]}. */
    public void get(float[] dst, int dstOffset, int n) {
        checkRange(dst, dstOffset, n, "dst");
        copyTo(dst, dstOffset, n);
    }

    /** Copies {@code src[srcOffset .. srcOffset + n)} into the view's floats {@code [0, n)}. */
    public void put(float[] src, int srcOffset, int n) {
        checkRange(src, srcOffset, n, "src");
        copyFrom(src, srcOffset, n);
    }

    /** The view's floats as a new array. */
    public float[] toArray() {
        float[] a = new float[length];
        copyTo(a, 0, length);
        return a;
    }

    private void checkRange(float[] a, int offset, int n, String name) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (n < 0 || n > length || offset < 0 || (long) offset + n > a.length) {
            throw new IllegalArgumentException(n + " floats at " + offset + " do not fit " + name + " (length "
                    + a.length + ") and this view (length " + length + ")");
        }
    }

    /** The number of floats in the view. */
    public int length() {
        return length;
    }

    /** True for part of a heap array, false for native memory. */
    public boolean onHeap() {
        return array != null;
    }

    float[] array() {
        return array;
    }

    int offset() {
        return offset;
    }

    /** The native memory, positioned at element 0 of the view (null for a heap view). */
    FloatPointer pointer() {
        return pointer;
    }

    /**
     * True if this view's first {@code n} floats and {@code other}'s first {@code m} share memory: the same
     * heap array with overlapping ranges, or overlapping native address ranges.
     */
    boolean overlaps(int n, FloatView other, int m) {
        if (other == null || n == 0 || m == 0) {
            return false;
        }
        if (array != null || other.array != null) {
            return array == other.array && offset < other.offset + m && other.offset < offset + n;
        }
        long start = pointer.address() + pointer.position() * Float.BYTES;
        long otherStart = other.pointer.address() + other.pointer.position() * Float.BYTES;
        return start < otherStart + (long) m * Float.BYTES && otherStart < start + (long) n * Float.BYTES;
    }

    /** The first {@code n} floats as an array from index 0: the backing array itself when it is one, else a copy. */
    float[] readable(int n) {
        if (array != null && offset == 0) {
            return array;
        }
        float[] copy = new float[n];
        copyTo(copy, 0, n);
        return copy;
    }

    /** An array of at least {@code n} floats to write into; hand it back to {@link #commit} afterwards. */
    float[] writable(int n) {
        return array != null && offset == 0 ? array : new float[n];
    }

    /** Stores the first {@code n} floats of {@code data} into the view, unless data is its own backing array. */
    void commit(float[] data, int n) {
        if (data == array && offset == 0) {
            return;
        }
        copyFrom(data, 0, n);
    }

    /** Copies the view's floats {@code [0, n)} into {@code dst[dstOffset ..]}. */
    void copyTo(float[] dst, int dstOffset, int n) {
        if (array != null) {
            System.arraycopy(array, offset, dst, dstOffset, n);
            return;
        }
        for (int done = 0; done < n; done += COPY_CHUNK) {
            int len = Math.min(COPY_CHUNK, n - done);
            new FloatPointer(pointer).position(pointer.position() + done).get(dst, dstOffset + done, len);
        }
    }

    /** Copies {@code src[srcOffset .. srcOffset + n)} into the view's floats {@code [0, n)}. */
    void copyFrom(float[] src, int srcOffset, int n) {
        if (array != null) {
            System.arraycopy(src, srcOffset, array, offset, n);
            return;
        }
        for (int done = 0; done < n; done += COPY_CHUNK) {
            int len = Math.min(COPY_CHUNK, n - done);
            new FloatPointer(pointer).position(pointer.position() + done).put(src, srcOffset + done, len);
        }
    }

    @Override
    public String toString() {
        return array != null ? "FloatView(float[" + array.length + "] from " + offset + ", length " + length + ")"
                : "FloatView(native, length " + length + ")";
    }
}
