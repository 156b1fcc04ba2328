package io.github.alphadrop;

import io.github.alphadrop.data.CsvLoader;
import io.github.alphadrop.data.IdxLoader;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.DenseStack;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Isa;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Trainer;
import org.bytedeco.javacpp.FloatPointer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded fuzzing of every public entry: kernels (every backend, every kind of memory, sizes that are
 * wrong, huge, zero, negative, aliased, null), model files (mutated bytes), loaders (mutated CSV and IDX
 * bytes), trainer, predictor and attacks (odd shapes, non-finite data). Each call must return or throw one of the
 * documented exceptions; anything else, or a crash, fails. Run as a child JVM by {@code FuzzTest}, so
 * that a native crash fails that test instead of killing the suite.
 *
 * <pre>  java -cp ... io.github.alphadrop.FuzzMain SEED CASES</pre>
 * Exit 0: every case behaved; exit 3: a case threw something undocumented (printed with its case number).
 */
public final class FuzzMain {

    private FuzzMain() {
    }

    private static boolean documented(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof AlphaDropException || t instanceof IOException
                || t instanceof UnsupportedOperationException;
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        int cases = Integer.parseInt(args[1]);
        SplittableRandom rng = new SplittableRandom(seed);
        List<Kernels> backends = new ArrayList<>();
        backends.add(new JavaKernels());
        Isa best = NativeKernels.bestIsa();
        for (Isa isa : Isa.values()) {
            if (isa.compareTo(best) <= 0) {
                backends.add(new NativeKernels(2, isa));
            }
        }
        Path dir = Files.createTempDirectory("alphadrop-fuzz");
        byte[][] models = {ModelFile.encode(smallModel(rng), null, null), ModelFile.encode(smallCnn(), null, null)};
        int[] counts = new int[7];
        int ok = 0;
        for (int c = 0; c < cases; c++) {
            int kind = c % 10 < 4 ? 0 : c % 10 - 3; // 40 % kernels, then models, loaders, trainer, predictor, attacks, layers
            try {
                switch (kind) {
                    case 0 -> kernelCase(backends.get(rng.nextInt(backends.size())), rng);
                    case 1 -> modelCase(models[rng.nextInt(models.length)], rng);
                    case 2 -> loaderCase(dir, rng);
                    case 3 -> trainerCase(backends.get(rng.nextInt(backends.size())), rng);
                    case 4 -> predictorCase(backends.get(rng.nextInt(backends.size())), rng);
                    case 5 -> attackCase(backends.get(rng.nextInt(backends.size())), rng);
                    default -> layerCase(backends.get(rng.nextInt(backends.size())), rng);
                }
                ok++;
            } catch (Throwable t) {
                if (!documented(t)) {
                    System.err.println("fuzz case " + c + " (seed " + seed + ", kind " + kind + "): undocumented " + t);
                    t.printStackTrace();
                    System.exit(3);
                }
            }
            counts[Math.min(kind, 6)]++;
        }
        System.out.printf("fuzz: %d cases (kernels %d, model files %d, loaders %d, trainer %d, predictor %d, attacks %d,"
                + " layers %d), %d returned normally, the rest threw documented exceptions%n", cases, counts[0], counts[1],
                counts[2], counts[3], counts[4], counts[5], counts[6], ok);
        System.exit(0);
    }

    /** A size: mostly small and sane, sometimes 0, negative, or huge. */
    private static int size(SplittableRandom r) {
        int p = r.nextInt(20);
        if (p == 0) {
            return 0;
        }
        if (p == 1) {
            return -r.nextInt(1, 5);
        }
        if (p == 2) {
            return Integer.MAX_VALUE - r.nextInt(3);
        }
        if (p == 3) {
            return 1 << r.nextInt(16, 31);
        }
        return r.nextInt(1, 20);
    }

    /** A buffer for {@code n} floats, sometimes too short, null, offset, native, or a direct buffer. */
    private static FloatView view(SplittableRandom r, long n, List<FloatPointer> owned) {
        int len = (int) Math.max(0, Math.min(n, 4096));
        int p = r.nextInt(12);
        if (p == 0) {
            return null;
        }
        if (p == 1 && len > 0) {
            len = r.nextInt(len); // too short
        }
        float[] data = new float[len + 7];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextDouble(-3, 3);
        }
        if (r.nextInt(30) == 0 && data.length > 0) {
            data[r.nextInt(data.length)] = Float.NaN;
        }
        switch (r.nextInt(4)) {
            case 0:
                return FloatView.of(data, 0, len);
            case 1:
                return FloatView.of(data, 7, len);
            case 2: {
                FloatPointer ptr = new FloatPointer(data);
                owned.add(ptr);
                return len == 0 ? FloatView.of(data, 0, 0) : FloatView.of(new FloatPointer(ptr).position(3).limit(3 + len));
            }
            default: {
                java.nio.FloatBuffer b = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                b.put(data).position(2).limit(2 + Math.min(len, data.length - 2));
                return b.hasRemaining() ? FloatView.of(b) : FloatView.of(data, 0, 0);
            }
        }
    }

    /** Every layer kind, so that the fuzzed bytes reach each tag's reader. */
    private static io.github.alphadrop.network.Network smallCnn() {
        var conv = new io.github.alphadrop.network.ConvLayer(6, 6, 1, 3, 2,
                io.github.alphadrop.layers.Conv2D.Padding.SAME, Activation.RELU);
        var drop = new io.github.alphadrop.network.DropoutLayer(conv.outputSize(), 0.2f, 3);
        var pool = new io.github.alphadrop.network.PoolLayer(6, 6, 2, 2);
        var dense = new io.github.alphadrop.network.DenseLayer(pool.outputSize(), 3, Activation.IDENTITY, 0.1f, 0);
        var net = new io.github.alphadrop.network.Network(List.of(conv, drop, pool, dense));
        net.initialize(1);
        return net;
    }

    private static void kernelCase(Kernels k, SplittableRandom r) {
        List<FloatPointer> owned = new ArrayList<>();
        try {
            int batch = size(r), samples = size(r), in = size(r), out = size(r);
            boolean shared = r.nextBoolean();
            long rows = (long) batch * samples;
            float p = r.nextInt(5) == 0 ? (float) r.nextDouble(-1, 2) : (float) r.nextDouble(0, 0.9);
            Dropout d;
            try {
                d = new Dropout(r.nextLong(), r.nextInt(), r.nextInt(), p);
            } catch (IllegalArgumentException e) {
                d = Dropout.none();
            }
            Activation act = Activation.values()[r.nextInt(Activation.values().length)];
            long aSize = (shared ? batch : rows) * (long) in;
            switch (r.nextInt(7)) {
                case 6 -> k.concreteMask(r.nextLong(), r.nextInt(5) == 0 ? -1 : r.nextInt(1000),
                        r.nextInt(5) == 0 ? r.nextInt() : r.nextInt(4),
                        r.nextInt(5) == 0 ? (float) r.nextDouble(-200, 200) : (float) r.nextDouble(-8, 8),
                        r.nextInt(3) == 0 ? -1 : r.nextInt(100), batch, in, view(r, (long) batch * in, owned));
                case 5 -> denseStepCase(k, r, batch, samples, in, out);
                case 0 -> k.dropoutMask(d, r.nextInt(3) == 0 ? -1 : r.nextInt(100), batch, in, view(r, (long) batch * in, owned));
                case 1 -> k.dropoutMatmulForward(d, batch, samples, shared, in, out, view(r, aSize, owned),
                        view(r, (long) in * out, owned), r.nextBoolean() ? null : view(r, out, owned), act,
                        view(r, rows * out, owned));
                case 2 -> k.dropoutMatmulBackward(d, batch, samples, shared, in, out, view(r, aSize, owned),
                        view(r, (long) in * out, owned), view(r, rows * out, owned), act, view(r, rows * out, owned),
                        view(r, (long) in * out, owned), r.nextBoolean() ? null : view(r, out, owned),
                        r.nextBoolean() ? null : view(r, aSize, owned));
                case 3 -> {
                    int[] labels = new int[Math.max(0, Math.min(batch, 4096))];
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = r.nextInt(-1, Math.max(1, out) + 1);
                    }
                    k.alphaLossCategorical(batch, samples, out, view(r, rows * out, owned), r.nextInt(10) == 0 ? null : labels,
                            (float) r.nextDouble(-0.5, 2), r.nextBoolean() ? null : view(r, batch, owned),
                            r.nextBoolean() ? null : view(r, rows * out, owned));
                }
                default -> k.alphaLossGaussian(batch, samples, out, view(r, rows * out, owned), view(r, (long) batch * out, owned),
                        (float) r.nextDouble(-60, 60), (float) r.nextDouble(-0.5, 2), r.nextBoolean() ? null : view(r, batch, owned),
                        r.nextBoolean() ? null : view(r, rows * out, owned), r.nextBoolean() ? null : view(r, 1, owned));
            }
        } finally {
            owned.forEach(FloatPointer::close);
        }
    }

    /** A float array for {@code n} floats, sometimes too short or null, with a NaN now and then. */
    private static float[] array(SplittableRandom r, long n) {
        int p = r.nextInt(10);
        if (p == 0) {
            return null;
        }
        int len = (int) Math.max(0, Math.min(n, 4096));
        if (p == 1 && len > 0) {
            len = r.nextInt(len);
        }
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = r.nextInt(200) == 0 ? Float.NaN : (float) r.nextDouble(-3, 3);
        }
        return a;
    }

    /** The fused dense step, with a random network (sometimes invalid) and arguments. */
    private static void denseStepCase(Kernels k, SplittableRandom r, int batch, int samples, int in, int out) {
        int layers = r.nextInt(6) == 0 ? size(r) : r.nextInt(1, 4);
        int[] sizes = new int[Math.max(1, Math.min(layers + 1, 70))];
        for (int l = 0; l < sizes.length; l++) {
            sizes[l] = l == 0 ? in : l == sizes.length - 1 ? out : size(r);
        }
        int n = sizes.length - 1;
        float[] dropout = new float[Math.max(0, n + (r.nextInt(8) == 0 ? 1 : 0))];
        for (int l = 0; l < dropout.length; l++) {
            dropout[l] = r.nextInt(6) == 0 ? (float) r.nextDouble(-1, 2) : (float) r.nextDouble(0, 0.9);
        }
        Activation[] acts = new Activation[Math.max(0, n)];
        for (int l = 0; l < acts.length; l++) {
            acts[l] = r.nextInt(20) == 0 ? null : Activation.values()[r.nextInt(Activation.values().length)];
        }
        Dropout.Noise noise = Dropout.Noise.values()[r.nextInt(Dropout.Noise.values().length)];
        DenseStack net = new DenseStack(sizes, dropout, noise, acts);
        long params = net.parameterCount();
        int[] labels = null;
        float[] y = null;
        if (r.nextBoolean()) {
            labels = new int[Math.max(0, Math.min(batch, 4096))];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = r.nextInt(-1, Math.max(1, out) + 1);
            }
        }
        if (labels == null || r.nextInt(8) == 0) {
            y = array(r, (long) batch * out);
        }
        // Concrete dropout's logits (sometimes missing, short, or out of range), also given to the other noises.
        float[] logits = null;
        float[] dLogits = null;
        if (noise == Dropout.Noise.CONCRETE ? r.nextInt(8) != 0 : r.nextInt(8) == 0) {
            logits = new float[Math.max(0, n + (r.nextInt(8) == 0 ? -1 : 0))];
            for (int l = 0; l < logits.length; l++) {
                logits[l] = r.nextInt(8) == 0 ? (float) r.nextDouble(-200, 200) : (float) r.nextDouble(-6, 3);
            }
            dLogits = r.nextInt(10) == 0 ? null : new float[Math.max(0, n)];
        }
        k.denseStep(net, r.nextLong(), r.nextInt(5) == 0 ? -r.nextInt(1, 9) : r.nextInt(1000), array(r, params), logits,
                batch, samples, array(r, (long) batch * in), labels, y, (float) r.nextDouble(-60, 60),
                (float) r.nextDouble(-0.5, 2), array(r, params), r.nextBoolean() ? null : array(r, 1), dLogits);
    }

    private static Mlp smallModel(SplittableRandom r) {
        Mlp m = Mlp.builder(r.nextInt(1, 6)).hidden(r.nextInt(1, 9)).output(r.nextInt(2, 4)).dropout((float) r.nextDouble(0, 0.6))
                .build();
        m.initialize(r.nextLong());
        return m;
    }

    private static void modelCase(byte[] valid, SplittableRandom r) {
        byte[] bytes = valid.clone();
        int edits = r.nextInt(1, 6);
        for (int e = 0; e < edits; e++) {
            switch (r.nextInt(3)) {
                case 0 -> bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> bytes = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length + 1));
                default -> {
                    // An int anywhere: the header's sizes, the layer list's tags and shapes.
                    if (bytes.length >= 24) {
                        ByteBuffer.wrap(bytes).putInt(r.nextInt(2) == 0 ? 8 + 4 * r.nextInt(4)
                                : r.nextInt(bytes.length - 3), r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(-2, 70));
                    }
                }
            }
            if (bytes.length == 0) {
                break;
            }
        }
        if (r.nextBoolean() && bytes.length > 4) {
            // Half the time with a valid checksum, so the checks behind it are reached too.
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes, 0, bytes.length - 4);
            ByteBuffer.wrap(bytes, bytes.length - 4, 4).putInt((int) crc.getValue());
        }
        ModelFile.decode(bytes);
    }

    private static void loaderCase(Path dir, SplittableRandom r) throws IOException {
        if (r.nextBoolean()) {
            StringBuilder csv = new StringBuilder();
            int rows = r.nextInt(0, 6);
            int cols = r.nextInt(1, 5);
            String[] cells = {"1", "-2.5", "", "NaN", "x", "\"3\"", "\"", "1e999", "7", " 4 "};
            for (int i = 0; i < rows; i++) {
                int n = r.nextInt(5) == 0 ? r.nextInt(1, 6) : cols;
                for (int j = 0; j < n; j++) {
                    csv.append(j == 0 ? "" : ",").append(cells[r.nextInt(cells.length)]);
                }
                csv.append(r.nextInt(8) == 0 ? "\r\n" : "\n");
            }
            Path f = dir.resolve("f.csv");
            Files.writeString(f, csv);
            if (r.nextBoolean()) {
                CsvLoader.load(f, r.nextBoolean() ? null : String.valueOf(r.nextInt(-3, 4)),
                        r.nextBoolean() ? CsvLoader.Task.CLASSIFICATION : CsvLoader.Task.REGRESSION);
            } else {
                CsvLoader.loadFeatures(f, r.nextInt(-1, 5), null);
            }
        } else {
            ByteBuffer b = ByteBuffer.allocate(16 + r.nextInt(40));
            b.putInt(r.nextInt(4) == 0 ? r.nextInt() : IdxLoader.IMAGES_MAGIC);
            b.putInt(r.nextInt(-2, 5)).putInt(r.nextInt(-1, 4)).putInt(r.nextInt(r.nextInt(10) == 0 ? Integer.MAX_VALUE : 4));
            while (b.hasRemaining()) {
                b.put((byte) r.nextInt(256));
            }
            Path f = dir.resolve("images-idx3-ubyte");
            Files.write(f, b.array());
            IdxLoader.readImages(f);
        }
    }

    private static void trainerCase(Kernels k, SplittableRandom r) {
        Mlp m = smallModel(r);
        int n = r.nextInt(0, 6);
        float[] x = new float[n * m.inputSize() + (r.nextInt(6) == 0 ? 1 : 0)];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(40) == 0 ? Float.POSITIVE_INFINITY : (float) r.nextDouble(-2, 2);
        }
        int[] labels = new int[n + (r.nextInt(6) == 0 ? 1 : 0)];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(-1, m.outputSize() + 1);
        }
        Trainer.builder(k).objective(new AlphaDivergence((float) r.nextDouble(0, 1.5), r.nextInt(1, 4)))
                .batchSize(r.nextInt(1, 5)).epochs(1).seed(r.nextLong()).build().fit(m, x, labels);
    }

    private static void attackCase(Kernels k, SplittableRandom r) {
        Mlp m = smallModel(r);
        int n = r.nextInt(0, 5);
        float[] x = new float[n * m.inputSize() + (r.nextInt(8) == 0 ? 1 : 0)];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(40) == 0 ? Float.NaN : (float) r.nextDouble(-0.5, 1.5);
        }
        int[] labels = new int[n + (r.nextInt(8) == 0 ? 1 : 0)];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(-1, m.outputSize() + 1);
        }
        io.github.alphadrop.adversarial.AttackRunner runner = new io.github.alphadrop.adversarial.AttackRunner("f", m, k,
                r.nextInt(-1, 4), r.nextBoolean(), r.nextLong(), (float) r.nextDouble(-1, 0.5), (float) r.nextDouble(0.5, 2));
        int[] rows = {r.nextInt(-1, 3)};
        if (r.nextBoolean()) {
            double[] eps = {r.nextDouble(-0.1, 0.5), r.nextDouble(0, 0.5)};
            runner.fgsm(x, labels, eps, rows, new int[]{r.nextInt(-1, 3)}, () -> { });
        } else {
            runner.targeted(x, labels, r.nextInt(-1, m.outputSize() + 1), r.nextInt(-1, 4), r.nextDouble(-0.1, 0.2),
                    r.nextInt(-1, 3), rows, new int[]{r.nextInt(-1, 5)}, () -> { });
        }
    }

    private static void layerCase(Kernels k, SplittableRandom r) {
        int h = r.nextInt(-1, 9), w = r.nextInt(-1, 9), c = r.nextInt(-1, 4), kernel = r.nextInt(-1, 6), f = r.nextInt(-1, 5);
        int rows = r.nextInt(-1, 4);
        if (r.nextBoolean()) {
            io.github.alphadrop.layers.Conv2D conv = new io.github.alphadrop.layers.Conv2D(h, w, c, kernel, kernel, f,
                    r.nextBoolean() ? io.github.alphadrop.layers.Conv2D.Padding.SAME : io.github.alphadrop.layers.Conv2D.Padding.VALID,
                    r.nextBoolean() ? Activation.RELU : Activation.TANH);
            float[] x = new float[Math.max(0, rows * conv.inputSize() + r.nextInt(-2, 2))];
            float[] weights = new float[Math.max(0, conv.taps() * f + r.nextInt(-2, 2))];
            float[] z = conv.forward(k, x, rows, weights, r.nextBoolean() ? null : new float[f]);
            conv.backward(k, x, rows, weights, z, new float[z.length + r.nextInt(-1, 2) * (r.nextInt(3) == 0 ? 1 : 0)]);
        } else {
            io.github.alphadrop.layers.MaxPool2D pool = new io.github.alphadrop.layers.MaxPool2D(h, w, c, kernel);
            float[] x = new float[Math.max(0, rows * pool.inputSize() + r.nextInt(-2, 2))];
            float[] y = pool.forward(k, x, rows);
            pool.backward(k, x, new float[Math.max(0, y.length + r.nextInt(-1, 1))], rows);
        }
    }

    private static void predictorCase(Kernels k, SplittableRandom r) {
        Mlp m = smallModel(r);
        int n = r.nextInt(0, 5);
        float[] x = new float[n * m.inputSize() + (r.nextInt(6) == 0 ? 2 : 0)];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(40) == 0 ? Float.NaN : (float) r.nextDouble(-2, 2);
        }
        new McPredictive(m, k, r.nextInt(1, 8), r.nextLong(), r.nextBoolean()).predictClasses(x);
    }
}
