package example;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.NativeKernels;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The kernels as a drop-in backend on memory another library owns: one dropout layer's forward on a JavaCPP
 * pointer (as ND4J holds tensors) and on a direct FloatBuffer (as DJL and ONNX Runtime do), checked against
 * the pure-Java reference on heap arrays.
 */
public final class OffHeap {
    public static void main(String[] args) {
        int batch = 32, samples = 10, in = 50, out = 20, rows = batch * samples;
        Dropout dropout = new Dropout(42L, 0, 0, 0.5f);                   // seed, step, layer, p
        float[] a = new float[batch * in], w = new float[in * out], expected = new float[rows * out];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i);
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.cos(i) * 0.1f;
        new JavaKernels().dropoutMatmulForward(dropout, batch, samples, true, in, out, a, w, null, Activation.RELU, expected);

        try (NativeKernels kernels = new NativeKernels(2); PointerScope scope = new PointerScope()) {
            FloatPointer pa = new FloatPointer(a), pw = new FloatPointer(w), pz = new FloatPointer(rows * out);
            kernels.dropoutMatmulForward(dropout, batch, samples, true, in, out, FloatView.of(pa), FloatView.of(pw), null,
                    Activation.RELU, FloatView.of(pz));
            FloatBuffer z = ByteBuffer.allocateDirect(rows * out * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            kernels.dropoutMatmulForward(dropout, batch, samples, true, in, out, FloatView.of(pa), FloatView.of(pw), null,
                    Activation.RELU, FloatView.of(z));
            double worst = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.max(Math.abs(pz.get(i) - expected[i]), Math.abs(z.get(i) - expected[i])));
            }
            System.out.printf("%s on a FloatPointer and a direct FloatBuffer: largest difference from the Java reference %.2e%n",
                    kernels.describe(), worst);
            if (worst > 1e-4) {
                throw new AssertionError("native and Java disagree by " + worst);
            }
        }
    }
}
