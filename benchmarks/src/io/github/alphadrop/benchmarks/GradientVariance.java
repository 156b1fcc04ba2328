package io.github.alphadrop.benchmarks;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Digits;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.model.MlpPass;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Trainer;

/**
 * How much noise each regulariser puts into the minibatch gradient: on one model and one minibatch of the
 * embedded digits, the gradient of the alpha loss is computed under many mask seeds, and the variance across
 * seeds (summed over all parameters) is reported next to its cost. DropConnect is measured at both
 * granularities: one weight mask per MC sample shared by the batch (what the library trains with), and one
 * per datapoint (each datapoint's K samples drawn apart, B·K masked products instead of K).
 *
 * <pre>java -cp benchmarks.jar io.github.alphadrop.benchmarks.GradientVariance [--seeds 200] [--batch 64]</pre>
 */
public final class GradientVariance {

    private GradientVariance() {
    }

    public static void main(String[] args) {
        int seeds = Integer.parseInt(option(args, "--seeds", "200"));
        int batch = Integer.parseInt(option(args, "--batch", "64"));
        int samples = 10;
        float p = 0.25f;
        Dataset train = Digits.load().train();
        try (NativeKernels kernels = new NativeKernels(1)) {
            // A model part-way through training, so that the gradients are those of a real run, not of the start.
            Mlp trained = Mlp.builder(64).hidden(100).output(10).dropout(p).seed(1).build();
            Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, samples)).epochs(5).seed(2).build()
                    .fit(trained, train.features(), train.labels());
            float[] x = java.util.Arrays.copyOf(train.features(), batch * 64);
            int[] y = java.util.Arrays.copyOf(train.labels(), batch);
            System.out.println("| noise | granularity | gradient variance (sum over parameters) | ms per gradient |");
            System.out.println("|---|---|---|---|");
            for (Dropout.Noise noise : Dropout.Noise.values()) {
                Mlp m = withNoise(trained, noise, p);
                row(noise.name().toLowerCase(), noise == Dropout.Noise.DROPCONNECT ? "per MC sample, shared by the batch"
                        : "per datapoint and sample", m, kernels, x, y, batch, samples, seeds, false);
            }
            row("dropconnect", "per datapoint and sample", withNoise(trained, Dropout.Noise.DROPCONNECT, p), kernels, x, y,
                    batch, samples, seeds, true);
        }
    }

    private static Mlp withNoise(Mlp trained, Dropout.Noise noise, float p) {
        Mlp m = Mlp.builder(64).hidden(100).output(10).dropout(p).noise(noise).build();
        m.copyParametersFrom(trained);
        return m;
    }

    private static void row(String noise, String granularity, Mlp m, Kernels kernels, float[] x, int[] y, int batch,
                            int samples, int seeds, boolean perDatapoint) {
        int size = m.weights(0).length + m.weights(1).length;
        double[] mean = new double[size];
        double[] square = new double[size];
        long start = System.nanoTime();
        for (int s = 0; s < seeds; s++) {
            float[] g = perDatapoint ? perDatapointGradient(m, kernels, x, y, batch, samples, s)
                    : gradient(m, kernels, x, y, batch, samples, s);
            for (int i = 0; i < size; i++) {
                mean[i] += g[i];
                square[i] += (double) g[i] * g[i];
            }
        }
        double ms = (System.nanoTime() - start) / 1e6 / seeds;
        double variance = 0;
        for (int i = 0; i < size; i++) {
            double mu = mean[i] / seeds;
            variance += square[i] / seeds - mu * mu;
        }
        System.out.printf("| %s | %s | %.4g | %.2f |%n", noise, granularity, variance * seeds / (seeds - 1.0), ms);
    }

    /** The batch-mean loss gradient of the weights under mask seed {@code s}. */
    private static float[] gradient(Mlp m, Kernels kernels, float[] x, int[] y, int batch, int samples, long s) {
        MlpPass pass = new MlpPass(m, kernels, batch, samples);
        float[] f = pass.forward(x, batch, s, 0, true);
        kernels.alphaLossCategorical(batch, samples, 10, f, y, 0.5f, null, pass.outputGradient());
        pass.backward(x, batch, s, 0, true, null);
        float[] w0 = pass.weightGradient(0);
        float[] w1 = pass.weightGradient(1);
        float[] g = java.util.Arrays.copyOf(w0, w0.length + w1.length);
        System.arraycopy(w1, 0, g, w0.length, w1.length);
        pass.close();
        return g;
    }

    /** The same gradient with each datapoint's K weight masks its own: one datapoint at a time, its own step. */
    private static float[] perDatapointGradient(Mlp m, Kernels kernels, float[] x, int[] y, int batch, int samples, long s) {
        float[] sum = null;
        for (int n = 0; n < batch; n++) {
            float[] g = gradient(m, kernels, java.util.Arrays.copyOfRange(x, n * 64, (n + 1) * 64), new int[]{y[n]}, 1,
                    samples, s * batch + n);
            if (sum == null) {
                sum = g;
            } else {
                for (int i = 0; i < g.length; i++) {
                    sum[i] += g[i];
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= batch; // each datapoint's loss was its own batch of one: the mean over the batch
        }
        return sum;
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
