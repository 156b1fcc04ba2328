package io.github.alphadrop.cli;

import io.github.alphadrop.data.CsvLoader;
import io.github.alphadrop.data.DataSpec;
import io.github.alphadrop.data.IdxLoader;
import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.io.AtomicFiles;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.predict.RegressionPredictions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code alphadrop predict}: MC-dropout predictions of a saved model on new inputs, labelled or not, one
 * CSV row per input. Classification: the predicted class, the mean class probabilities, predictive entropy
 * and mutual information (nats). Regression: per output the predictive mean and standard deviation (in the
 * data's units), and the entropy and mutual information of the Gaussian approximation of the predictive
 * (entropy = ½ Σ log(2πe σ²), mutual information = ½ Σ log(σ² τ): total over aleatoric variance).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./alphadrop train --data csv:houses.csv --out h.adm", "  ./alphadrop predict --model h.adm --data csv:new-houses.csv --out predictions.csv"},
        description = "Predict with a saved model on new inputs (no labels needed); one CSV row per input.")
final class PredictCommand implements Callable<Integer> {

    /** Rows per prediction call: bounds memory (rows × T × outputs floats) and paces the progress lines. */
    static final int CHUNK = 1024;

    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions models;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    OutOption outOption;

    @Mixin
    SampleOptions.Test passes = new SampleOptions.Test(100);

    @Mixin
    SampleOptions.NoTraining noTraining;

    @Mixin
    SeedOption seedOption;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Path out = outOption.required("predict", "where the predictions CSV goes");
        ModelOptions.Model chosen = models.single();
        Path model = chosen.path();
        String data = dataOptions.spec;
        String target = dataOptions.target;
        if (dataOptions.split != null || dataOptions.testFile != null || dataOptions.testFraction != null
                || dataOptions.task != null) {
            throw new IllegalArgumentException("predict reads every row of --data: --split, --test-file, --test-fraction"
                    + " and --task do not apply");
        }
        int samples = passes.testSamples;
        long seed = seedOption.seed;
        ModelFile.Saved saved = ModelFile.load(model);
        Mlp net = saved.model();
        int width = saved.inputSize();
        float[] x = readInputs(data, width, target);
        int rows = x.length / width;
        Normalization scaling = saved.scaling();
        if (scaling != null) {
            x = scaling.normalizeFeatures(x);
        }
        Kernels kernels = common.kernels();
        boolean categorical = saved.likelihood().isCategorical();
        Path outFile = out.toAbsolutePath();
        Path dir = outFile.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        float[] inputs = x;
        AtomicFiles.replace(outFile, tmp -> {
            try (CSVPrinter w = CSVFormat.RFC4180.builder().setHeader(header(saved.outputSize(), categorical)).setRecordSeparator('\n')
                    .get().print(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
                int chunks = (rows + CHUNK - 1) / CHUNK;
                for (int c = 0; c < chunks; c++) {
                    int r0 = c * CHUNK;
                    int n = Math.min(CHUNK, rows - r0);
                    float[] chunk = java.util.Arrays.copyOfRange(inputs, r0 * width, (r0 + n) * width);
                    // A seed per chunk: each chunk's masks are independent of the others'.
                    long chunkSeed = seed + 0x9E3779B97F4A7C15L * c;
                    McPredictive predictive = net != null
                            ? new McPredictive(net, kernels, samples, chunkSeed, chosen.deterministic())
                            : new McPredictive(saved.network(), kernels, samples, chunkSeed, chosen.deterministic());
                    if (categorical) {
                        writeClasses(w, r0, predictive.predictClasses(chunk));
                    } else {
                        writeRegression(w, r0, predictive.predictRegression(chunk, null), scaling, net.logTau());
                    }
                    if (!common.json && chunks > 4 && (c + 1) % Math.max(1, chunks / 10) == 0) {
                        System.err.printf(Locale.ROOT, "predict: %d / %d rows%n", Math.min(rows, r0 + n), rows);
                    }
                }
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("data", data);
        m.put("rows", rows);
        m.put("task", categorical ? "classification" : "regression");
        m.put("outputs", saved.outputSize());
        m.put("test_samples", samples);
        m.put("out", out.toString());
        m.put("backend", kernels.name());
        if (kernels instanceof io.github.alphadrop.kernels.NativeKernels nk) {
            m.put("isa", nk.isa().label());
        }
        m.put("seconds", seconds);
        if (common.json) {
            System.out.println(Json.write(m));
        } else {
            common.say("%d predictions (%s, T = %d) written to %s in %.2f s on %s", rows, m.get("task"), samples, out,
                    seconds, kernels.describe());
        }
        return 0;
    }

    /** The inputs as rows × width floats; a width mismatch or a non-finite value is a clear error. */
    static float[] readInputs(String spec, int width, String target) throws IOException {
        DataSpec parsed = DataSpec.parse(spec);
        Path path = parsed.path().orElseThrow(() -> new IllegalArgumentException(
                "--data for predict must be csv:FILE, idx:DIR or idx:FILE, got '" + spec + "'"));
        float[] x;
        switch (parsed.scheme()) {
            case CSV -> x = CsvLoader.loadFeatures(path, width, target);
            case IDX -> {
                IdxLoader.Images images = Files.isDirectory(path) ? IdxLoader.readImages(path, "t10k")
                        : IdxLoader.readImages(path);
                int pixels = images.rows() * images.cols();
                if (pixels != width) {
                    throw new IllegalArgumentException(spec + ": images of " + images.rows() + "x" + images.cols() + " = "
                            + pixels + " pixels, but the model takes " + width + " inputs");
                }
                x = images.pixels();
            }
            default -> throw new IllegalArgumentException("--data for predict must be csv:FILE, idx:DIR or idx:FILE, got '"
                    + spec + "'");
        }
        return x;
    }

    private static String[] header(int outputs, boolean categorical) {
        List<String> h = new ArrayList<>(List.of("row"));
        if (categorical) {
            h.add("predicted");
            for (int c = 0; c < outputs; c++) {
                h.add("p_" + c);
            }
        } else {
            for (int d = 0; d < outputs; d++) {
                String suffix = outputs == 1 ? "" : "_" + d;
                h.add("mean" + suffix);
                h.add("std" + suffix);
            }
        }
        h.add("entropy");
        h.add("mutual_information");
        return h.toArray(new String[0]);
    }

    private static void writeClasses(CSVPrinter w, int firstRow, ClassPredictions p) throws IOException {
        List<Object> line = new ArrayList<>();
        for (int i = 0; i < p.n(); i++) {
            line.clear();
            line.add(firstRow + i);
            line.add(p.predictedClass(i));
            for (int c = 0; c < p.classes(); c++) {
                line.add(p.meanProbs()[i * p.classes() + c]);
            }
            line.add(p.entropy()[i]);
            line.add(p.mutualInformation()[i]);
            w.printRecord(line);
        }
    }

    private static void writeRegression(CSVPrinter w, int firstRow, RegressionPredictions p, Normalization scaling,
                                        double logTau) throws IOException {
        List<Object> line = new ArrayList<>();
        double noiseVariance = Math.exp(-logTau);
        for (int i = 0; i < p.n(); i++) {
            line.clear();
            line.add(firstRow + i);
            double entropy = 0;
            double mutualInformation = 0;
            for (int d = 0; d < p.dims(); d++) {
                double variance = p.variance()[i * p.dims() + d];
                double mean = p.mean()[i * p.dims() + d];
                double std = Math.sqrt(variance);
                if (scaling != null && scaling.hasTargets()) {
                    mean = scaling.denormalizeTarget(mean, d);
                    std = scaling.scaleStd(std, d);
                }
                line.add((float) mean);
                line.add((float) std);
                // Entropy in the data's units; the mutual information is a variance ratio, the same in any units.
                entropy += 0.5 * Math.log(2 * Math.PI * Math.E * std * std);
                mutualInformation += 0.5 * Math.log(variance / noiseVariance);
            }
            line.add((float) entropy);
            line.add((float) Math.max(0, mutualInformation));
            w.printRecord(line);
        }
    }
}
