package io.github.alphadrop.io;

import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.model.Finite;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The AlphaDrop model file, version 1. Big-endian (Java {@code DataOutput}) throughout:
 * <pre>
 *   bytes 0-7   magic "ALPHADRP"
 *   int         format version (1)
 *   int         number of layer boundaries L+1, then L+1 ints: the widths (input, hidden..., output)
 *   int         hidden activation code (0 identity, 1 relu, 2 tanh)
 *   L floats    drop probability before each dense layer
 *   int         likelihood (0 categorical, 1 gaussian); boolean learnTau; float initial log τ; float log τ
 *   settings    float alpha, int samples, int epochs, int batch, double weightDecay, long seed,
 *               UTF optimizer, UTF data
 *   boolean     normalisation present; if so four (int n, n doubles) arrays: feature mean, feature std,
 *               target mean, target std (targets empty for classification)
 *   per layer   size(l)·size(l+1) floats weights (row-major), size(l+1) floats biases
 *   int         CRC-32 of every byte before it
 * </pre>
 * {@link #save} writes a temporary file beside the target and renames it, so a failed save never leaves
 * a half-written model. {@link #load} and {@link #decode} check magic, version, checksum and every size
 * before they trust the contents; invalid bytes are a {@link ModelFileException}. {@link #encode} and
 * {@link #decode} give the same bytes as a file, to send a model over a wire or keep it in a store.
 */
public final class ModelFile {

    private static final byte[] MAGIC = {'A', 'L', 'P', 'H', 'A', 'D', 'R', 'P'};
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    private static final int MAX_WIDTH = 1 << 24;

    private ModelFile() {
    }

    /** A model with how it was trained and, optionally, the normalisation of its inputs and targets. */
    public record Saved(Mlp model, TrainingSettings settings, Normalization scaling) {
    }

    public static void save(Path path, Mlp model, TrainingSettings settings, Normalization scaling) throws IOException {
        if (path == null || model == null) {
            throw new IllegalArgumentException((path == null ? "path" : "model") + " must not be null");
        }
        byte[] bytes = encode(model, settings, scaling);
        Path absolute = path.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new IllegalArgumentException(path + " is a folder; give the model file's name, e.g. " + path.resolve("model.adm"));
        }
        Path dir = absolute.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        AtomicFiles.write(absolute, bytes);
    }

    /**
     * Reads a model file.
     *
     * @throws ModelFileException if the file is not a valid model file (the message names the path)
     * @throws IOException        if it cannot be read (e.g. {@link NoSuchFileException})
     */
    public static Saved load(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        if (Files.isDirectory(path)) {
            throw new ModelFileException(path + ": is a folder, not a model file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new ModelFileException(path + ": is not a regular file");
        }
        if (Files.exists(path) && Files.size(path) > Runtime.getRuntime().maxMemory() / 2) {
            throw new ModelFileException(path + ": " + Files.size(path) + " bytes, more than half the JVM's heap;"
                    + " not a model this JVM can load (raise -Xmx)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        return decode(bytes, path.toString());
    }

    /**
     * The model file's bytes, exactly what {@link #save} writes.
     *
     * @param settings how the model was trained, or null for unknown
     * @param scaling  the normalisation of its inputs and targets, or null
     */
    public static byte[] encode(Mlp model, TrainingSettings settings, Normalization scaling) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        // Everything load checks, checked here: a model that saves must load.
        Finite.requireFiniteParameters(model);
        if (scaling != null) {
            if (scaling.featureDim() != model.inputSize()) {
                throw new IllegalArgumentException("scaling has " + scaling.featureDim() + " features but the model takes "
                        + model.inputSize() + " inputs");
            }
            if (scaling.hasTargets() && scaling.targetDims() != model.outputSize()) {
                throw new IllegalArgumentException("scaling has " + scaling.targetDims() + " targets but the model has "
                        + model.outputSize() + " outputs");
            }
        }
        try {
            return encodeBytes(model, settings == null ? TrainingSettings.unknown() : settings, scaling);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing to a byte array cannot fail", e);
        }
    }

    /** Writes {@link #encode}'s bytes to {@code out} (which stays open). */
    public static void encode(Mlp model, TrainingSettings settings, Normalization scaling, java.io.OutputStream out)
            throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("out must not be null");
        }
        out.write(encode(model, settings, scaling));
        out.flush();
    }

    /**
     * A model from {@link #encode}'s bytes.
     *
     * @throws ModelFileException if they are not a valid model file
     */
    public static Saved decode(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        return decode(bytes, "model bytes");
    }

    /**
     * A model read from {@code in} to its end (the stream stays open).
     *
     * @throws ModelFileException if the bytes are not a valid model file
     * @throws IOException        if reading fails
     */
    public static Saved decode(java.io.InputStream in) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in must not be null");
        }
        return decode(in.readAllBytes(), "model stream");
    }

    private static byte[] encodeBytes(Mlp model, TrainingSettings s, Normalization scaling) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        int layers = model.layers();
        out.writeInt(layers + 1);
        for (int i = 0; i <= layers; i++) {
            out.writeInt(model.size(i));
        }
        out.writeInt(model.activation().code);
        for (int l = 0; l < layers; l++) {
            out.writeFloat(model.dropout(l));
        }
        Likelihood lik = model.likelihood();
        out.writeInt(lik.isCategorical() ? 0 : 1);
        out.writeBoolean(lik.learnsTau());
        out.writeFloat(lik.initialLogTau());
        out.writeFloat(model.logTau());
        out.writeFloat(s.alpha());
        out.writeInt(s.samples());
        out.writeInt(s.epochs());
        out.writeInt(s.batchSize());
        out.writeDouble(s.weightDecay());
        out.writeLong(s.seed());
        out.writeUTF(s.optimizer());
        out.writeUTF(s.data());
        out.writeBoolean(scaling != null);
        if (scaling != null) {
            writeDoubles(out, scaling.featureMean());
            writeDoubles(out, scaling.featureStd());
            writeDoubles(out, scaling.targetMean());
            writeDoubles(out, scaling.targetStd());
        }
        for (int l = 0; l < layers; l++) {
            writeFloats(out, model.weights(l));
            writeFloats(out, model.biases(l));
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    static Saved decode(byte[] bytes, String name) {
        if (bytes.length < MAGIC.length + 8) {
            throw new ModelFileException(name + ": not an AlphaDrop model file (only " + bytes.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new ModelFileException(name + ": not an AlphaDrop model file (bad magic)");
            }
        }
        int version = ByteBuffer.wrap(bytes, MAGIC.length, 4).getInt();
        if (version != VERSION) {
            throw new ModelFileException(name + ": model file format version " + version + " is not supported (this AlphaDrop reads version "
                    + VERSION + ")");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new ModelFileException(name + ": model file is truncated or corrupted (checksum mismatch)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length + 4, bytes.length - MAGIC.length - 8));
        try {
            int boundaries = in.readInt();
            check(boundaries >= 2 && boundaries <= 1024, name, "layer count " + boundaries);
            int[] sizes = new int[boundaries];
            for (int i = 0; i < boundaries; i++) {
                sizes[i] = in.readInt();
                check(sizes[i] >= 1 && sizes[i] <= MAX_WIDTH, name, "layer width " + sizes[i]);
            }
            // Sizes against the bytes that are there, before anything that large is allocated.
            long parameters = 0;
            for (int l = 0; l + 1 < boundaries; l++) {
                parameters += (long) sizes[l] * sizes[l + 1] + sizes[l + 1];
            }
            check(parameters * Float.BYTES <= in.available(), name, "layer widths: " + java.util.Arrays.toString(sizes)
                    + " need " + parameters + " parameters (" + parameters * Float.BYTES + " bytes) but only "
                    + in.available() + " bytes follow");
            int actCode = in.readInt();
            Activation activation = null;
            for (Activation a : Activation.values()) {
                if (a.code == actCode && a != Activation.IDENTITY) {
                    activation = a;
                }
            }
            check(activation != null, name, "activation code " + actCode);
            float[] dropout = new float[boundaries - 1];
            for (int l = 0; l < dropout.length; l++) {
                dropout[l] = in.readFloat();
                check(dropout[l] >= 0 && dropout[l] < 1, name, "dropout " + dropout[l]);
            }
            int kind = in.readInt();
            check(kind == 0 || kind == 1, name, "likelihood code " + kind);
            boolean learnTau = in.readBoolean();
            float initialLogTau = in.readFloat();
            float logTau = in.readFloat();
            check(Float.isFinite(initialLogTau) && Float.isFinite(logTau), name, "log tau " + logTau);
            Likelihood likelihood = kind == 0 ? Likelihood.categorical() : Likelihood.gaussian(Math.exp(initialLogTau), learnTau);
            TrainingSettings settings = new TrainingSettings(in.readFloat(), in.readInt(), in.readInt(), in.readInt(),
                    in.readDouble(), in.readLong(), in.readUTF(), in.readUTF());
            Normalization scaling = null;
            if (in.readBoolean()) {
                double[] mean = readDoubles(in, name);
                double[] std = readDoubles(in, name);
                double[] targetMean = readDoubles(in, name);
                double[] targetStd = readDoubles(in, name);
                check(mean.length == sizes[0], name, "scaling width " + mean.length);
                scaling = Normalization.of(mean, std, targetMean, targetStd);
            }
            Mlp.Builder builder = Mlp.builder(sizes[0]).activation(activation).likelihood(likelihood)
                    .dropoutPerLayer(dropout).output(sizes[boundaries - 1]);
            int[] hidden = new int[boundaries - 2];
            System.arraycopy(sizes, 1, hidden, 0, hidden.length);
            Mlp model = builder.hidden(hidden).build();
            for (int l = 0; l < model.layers(); l++) {
                readInto(in, model.weights(l), name);
                readInto(in, model.biases(l), name);
            }
            model.logTauHolder()[0] = logTau;
            check(in.available() == 0, name, "trailing bytes");
            Finite.requireFiniteParameters(model);
            return new Saved(model, settings, scaling);
        } catch (EOFException e) {
            throw new ModelFileException(name + ": model file is truncated", e);
        } catch (IOException e) {
            throw new ModelFileException(name + ": model file is corrupted (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(name + ": model file is corrupted (" + e.getMessage() + ")", e);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
        out.writeInt(v.length);
        for (double x : v) {
            out.writeDouble(x);
        }
    }

    private static double[] readDoubles(DataInputStream in, String name) throws IOException {
        int n = in.readInt();
        check(n >= 0 && n <= MAX_WIDTH && in.available() >= 8L * n, name, "array length " + n);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readDouble();
        }
        return v;
    }

    private static void readInto(DataInputStream in, float[] v, String name) throws IOException {
        check(in.available() >= 4L * v.length, name, "needs " + v.length + " more floats");
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readFloat();
        }
    }

    private static void check(boolean ok, String name, String what) {
        if (!ok) {
            throw new ModelFileException(name + ": model file is corrupted (unexpected " + what + ")");
        }
    }
}
