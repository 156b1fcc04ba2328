package io.github.alphadrop.io;

import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.model.Finite;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.layers.Conv2D;
import io.github.alphadrop.layers.MaxPool2D;
import io.github.alphadrop.network.ConvLayer;
import io.github.alphadrop.network.DenseLayer;
import io.github.alphadrop.network.DropoutLayer;
import io.github.alphadrop.network.Layer;
import io.github.alphadrop.network.Network;
import io.github.alphadrop.network.PoolLayer;

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
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The AlphaDrop model file. This code writes version 4 and reads versions 1 to 4. Big-endian (Java
 * {@code DataOutput}) throughout. Versions 2 to 4, a model as a list of layers:
 * <pre>
 *   bytes 0-7   magic "ALPHADRP"
 *   int         format version (2, 3 or 4)
 *   int         likelihood (0 categorical, 1 gaussian); boolean learnTau; float initial log τ; float log τ
 *   settings    float alpha, int samples, int epochs, int batch, double weightDecay, long seed,
 *               UTF optimizer, UTF data
 *   boolean     normalisation present; if so four (int n, n doubles) arrays: feature mean, feature std,
 *               target mean, target std (targets empty for classification)
 *   int         model kind: 0 an {@link Mlp} (its dense layers follow), 1 a {@link Network} of any layers
 *   int         the Mlp's hidden activation (kind 0), else 0
 *   int         number of layers, then per layer a tag and its shape:
 *                 1 dense:     int in, int out, int activation, float drop probability of its input,
 *                              [version 3: int noise, 0 Bernoulli, 1 Gaussian, 2 DropConnect; version 4 also
 *                              3 concrete, then float the learned rate's logit], int mask id
 *                 2 conv2d:    int height, width, channels, kernel (square), filters, padding (0 valid, 1 same),
 *                              int activation
 *                 3 maxpool2d: int height, width, channels, window size
 *                 4 dropout:   int size, float drop probability, [version 3: int noise], int mask id
 *                              (element-wise, e.g. after a conv)
 *   per layer   its parameters: weights (row-major, dense in × out, conv taps × filters), then biases
 *   int         CRC-32 of every byte before it
 * </pre>
 * Activation codes are the file's own: 0 identity, 1 relu, 2 tanh. Version 1 held only MLPs: the widths,
 * the hidden activation, the drop probabilities, likelihood, settings, normalisation, then the weights.
 *
 * <p>{@link #save} writes a temporary file beside the target and renames it, so a failed save never leaves
 * a half-written model. {@link #load} and {@link #decode} check magic, version, checksum and every size
 * before they trust the contents; invalid bytes are a {@link ModelFileException}. {@link #encode} and
 * {@link #decode} give the same bytes as a file, to send a model over a wire or keep it in a store.
 */
public final class ModelFile {

    private static final byte[] MAGIC = {'A', 'L', 'P', 'H', 'A', 'D', 'R', 'P'};
    /** The format version this code writes; it also reads {@link #VERSION_3}, {@link #VERSION_2} and {@link #VERSION_1}. */
    public static final int VERSION = 4;
    /** No concrete dropout (noise code 3 and its logit). */
    public static final int VERSION_3 = 3;
    /** Layers without a noise kind: every dropout is Bernoulli. */
    public static final int VERSION_2 = 2;
    /** The first format: MLPs only. */
    public static final int VERSION_1 = 1;
    private static final int KIND_MLP = 0;
    private static final int KIND_NETWORK = 1;
    private static final int TAG_DENSE = 1;
    private static final int TAG_CONV2D = 2;
    private static final int TAG_MAXPOOL2D = 3;
    private static final int TAG_DROPOUT = 4;
    private static final int MAX_LAYERS = 1024;
    private static final int MAX_WIDTH = 1 << 24;

    private ModelFile() {
    }

    /**
     * A model with how it was trained and, optionally, the normalisation of its inputs and targets. Exactly
     * one of {@code model} (an MLP) and {@code network} (any other network of layers) is non-null.
     */
    public record Saved(Mlp model, TrainingSettings settings, Normalization scaling, Network network) {

        public Saved(Mlp model, TrainingSettings settings, Normalization scaling) {
            this(model, settings, scaling, null);
        }

        /** Input width of whichever model this is. */
        public int inputSize() {
            return model != null ? model.inputSize() : network.inputSize();
        }

        /** Output width (classes, or target dimensions) of whichever model this is. */
        public int outputSize() {
            return model != null ? model.outputSize() : network.outputSize();
        }

        /** The likelihood: an MLP's own; networks are classifiers. */
        public Likelihood likelihood() {
            return model != null ? model.likelihood() : Likelihood.categorical();
        }
    }

    /** Saves a {@link Network} classifier (see {@link #encode(Network, TrainingSettings, Normalization)}). */
    public static void save(Path path, Network network, TrainingSettings settings, Normalization scaling)
            throws IOException {
        if (path == null || network == null) {
            throw new IllegalArgumentException((path == null ? "path" : "network") + " must not be null");
        }
        writeAtomically(path, encode(network, settings, scaling));
    }

    public static void save(Path path, Mlp model, TrainingSettings settings, Normalization scaling) throws IOException {
        if (path == null || model == null) {
            throw new IllegalArgumentException((path == null ? "path" : "model") + " must not be null");
        }
        writeAtomically(path, encode(model, settings, scaling));
    }

    private static void writeAtomically(Path path, byte[] bytes) throws IOException {
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

    /**
     * A classifier {@link Network}'s model file bytes.
     *
     * @param settings how it was trained, or null for unknown
     * @param scaling  the normalisation of its inputs (no targets), or null
     */
    public static byte[] encode(Network network, TrainingSettings settings, Normalization scaling) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        for (int i = 0; i < network.parameters().size(); i++) {
            float[] p = network.parameters().get(i);
            for (int j = 0; j < p.length; j++) {
                if (!Float.isFinite(p[j])) {
                    throw new IllegalArgumentException("the network's parameter array " + i + " holds " + p[j] + " at "
                            + j + ": a model with non-finite parameters cannot be saved");
                }
            }
        }
        for (Layer layer : network.layers()) {
            if (!(layer instanceof DenseLayer || layer instanceof ConvLayer || layer instanceof PoolLayer
                    || layer instanceof DropoutLayer)) {
                throw new IllegalArgumentException("a " + layer.getClass().getName() + " layer has no model file tag");
            }
        }
        if (scaling != null && (scaling.featureDim() != network.inputSize() || scaling.hasTargets())) {
            throw new IllegalArgumentException("scaling must have " + network.inputSize()
                    + " features and no targets for this classifier, got " + scaling.featureDim() + " features"
                    + (scaling.hasTargets() ? " and targets" : ""));
        }
        try {
            return encodeNetwork(network, settings == null ? TrainingSettings.unknown() : settings, scaling);
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

    private static DataOutputStream header(ByteArrayOutputStream bytes, Likelihood lik, float logTau,
                                           TrainingSettings s, Normalization scaling) throws IOException {
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(lik.isCategorical() ? 0 : 1);
        out.writeBoolean(lik.learnsTau());
        out.writeFloat(lik.initialLogTau());
        out.writeFloat(logTau);
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
        return out;
    }

    private static byte[] finish(ByteArrayOutputStream bytes, DataOutputStream out) throws IOException {
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] encodeBytes(Mlp model, TrainingSettings s, Normalization scaling) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = header(bytes, model.likelihood(), model.logTau(), s, scaling);
        out.writeInt(KIND_MLP);
        out.writeInt(activationCode(model.activation()));
        int layers = model.layers();
        out.writeInt(layers);
        for (int l = 0; l < layers; l++) {
            out.writeInt(TAG_DENSE);
            out.writeInt(model.size(l));
            out.writeInt(model.size(l + 1));
            out.writeInt(activationCode(l + 1 < layers ? model.activation() : Activation.IDENTITY));
            out.writeFloat(model.dropout(l));
            out.writeInt(model.noise().code);
            if (model.noise() == Dropout.Noise.CONCRETE) {
                out.writeFloat(model.dropLogits()[l]);
            }
            out.writeInt(l);
        }
        for (int l = 0; l < layers; l++) {
            writeFloats(out, model.weights(l));
            writeFloats(out, model.biases(l));
        }
        return finish(bytes, out);
    }

    private static byte[] encodeNetwork(Network network, TrainingSettings s, Normalization scaling) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = header(bytes, Likelihood.categorical(), 0f, s, scaling);
        out.writeInt(KIND_NETWORK);
        out.writeInt(0);
        out.writeInt(network.layers().size());
        for (Layer layer : network.layers()) {
            if (layer instanceof DenseLayer d) {
                out.writeInt(TAG_DENSE);
                out.writeInt(d.inputSize());
                out.writeInt(d.outputSize());
                out.writeInt(activationCode(d.activation()));
                out.writeFloat(d.dropout());
                out.writeInt(d.noise().code);
                if (d.noise() == Dropout.Noise.CONCRETE) {
                    out.writeFloat(d.dropLogit()[0]);
                }
                out.writeInt(d.maskId());
            } else if (layer instanceof ConvLayer c) {
                Conv2D conv = c.conv();
                out.writeInt(TAG_CONV2D);
                out.writeInt(conv.height());
                out.writeInt(conv.width());
                out.writeInt(conv.channels());
                out.writeInt(conv.kernelH());
                out.writeInt(conv.filters());
                out.writeInt(conv.padding() == Conv2D.Padding.VALID ? 0 : 1);
                out.writeInt(activationCode(conv.activation()));
            } else if (layer instanceof DropoutLayer d) {
                out.writeInt(TAG_DROPOUT);
                out.writeInt(d.inputSize());
                out.writeFloat(d.dropout());
                out.writeInt(d.noise().code);
                out.writeInt(d.maskId());
            } else {
                MaxPool2D pool = ((PoolLayer) layer).pool();
                out.writeInt(TAG_MAXPOOL2D);
                out.writeInt(pool.height());
                out.writeInt(pool.width());
                out.writeInt(pool.channels());
                out.writeInt(pool.size());
            }
        }
        for (float[] p : storedArrays(network)) {
            writeFloats(out, p);
        }
        return finish(bytes, out);
    }

    /**
     * The parameter arrays a network file stores after its layers: every layer's, except a concrete dense layer's
     * logit, which its layer entry holds (as an MLP's does).
     */
    private static List<float[]> storedArrays(Network network) {
        List<float[]> arrays = new ArrayList<>();
        for (Layer layer : network.layers()) {
            if (layer instanceof DenseLayer d) {
                arrays.add(d.weights());
                arrays.add(d.bias());
            } else {
                arrays.addAll(layer.parameters());
            }
        }
        return arrays;
    }

    /** A dense layer of a network file; a concrete one gets its stored logit (its rate may round to 0 or 1). */
    private static DenseLayer denseLayer(int[] shape, Activation activation, float dropout, int maskId, Dropout.Noise noise,
                                         float logit) {
        boolean concrete = noise == Dropout.Noise.CONCRETE;
        DenseLayer d = new DenseLayer(shape[1], shape[2], activation, concrete ? 0.5f : dropout, maskId, noise);
        if (concrete) {
            d.dropLogit()[0] = logit;
        }
        return d;
    }

    private static int activationCode(Activation a) {
        return switch (a) {
            case IDENTITY -> 0;
            case RELU -> 1;
            case TANH -> 2;
        };
    }

    private static Activation activationOf(int code, String name) {
        return switch (code) {
            case 0 -> Activation.IDENTITY;
            case 1 -> Activation.RELU;
            case 2 -> Activation.TANH;
            default -> throw new ModelFileException(name + ": model file is corrupted (unexpected activation code "
                    + code + ")");
        };
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
        if (version != VERSION && version != VERSION_3 && version != VERSION_2 && version != VERSION_1) {
            throw new ModelFileException(name + ": model file format version " + version + " is not supported (this AlphaDrop reads versions "
                    + VERSION_1 + " to " + VERSION + ")");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new ModelFileException(name + ": model file is truncated or corrupted (checksum mismatch)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length + 4, bytes.length - MAGIC.length - 8));
        try {
            if (version != VERSION_1) {
                return decodeLayers(in, name, version);
            }
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
            Header h = readHeader(in, name);
            Likelihood likelihood = h.likelihood();
            float logTau = h.logTau();
            TrainingSettings settings = h.settings();
            Normalization scaling = h.scaling();
            check(scaling == null || scaling.featureDim() == sizes[0], name, "scaling width " + (scaling == null ? 0 : scaling.featureDim()));
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

    /** Versions 2 to 4: the model as tagged layers; version 3 names each dropout's noise, version 4 adds concrete. */
    private static Dropout.Noise noiseOf(int code, String name) {
        for (Dropout.Noise n : Dropout.Noise.values()) {
            if (n.code == code) {
                return n;
            }
        }
        throw new ModelFileException(name + ": model file is corrupted (noise code " + code + ")");
    }

    private static Saved decodeLayers(DataInputStream in, String name, int version) throws IOException {
        Header header = readHeader(in, name);
        Likelihood likelihood = header.likelihood();
        float logTau = header.logTau();
        TrainingSettings settings = header.settings();
        Normalization scaling = header.scaling();
        int modelKind = in.readInt();
        check(modelKind == KIND_MLP || modelKind == KIND_NETWORK, name, "model kind " + modelKind);
        Activation hidden = activationOf(in.readInt(), name);
        int count = in.readInt();
        check(count >= 1 && count <= MAX_LAYERS, name, "layer count " + count);
        int[][] shapes = new int[count][];
        float[] dropout = new float[count];
        Dropout.Noise[] noise = new Dropout.Noise[count];
        java.util.Arrays.fill(noise, Dropout.Noise.BERNOULLI);
        int[] maskIds = new int[count];
        float[] logits = new float[count];
        long parameters = 0;
        for (int l = 0; l < count; l++) {
            int tag = in.readInt();
            switch (tag) {
                case TAG_DENSE -> {
                    int d = width(in, name), h = width(in, name), act = in.readInt();
                    dropout[l] = in.readFloat();
                    check(dropout[l] >= 0 && dropout[l] < 1, name, "dropout " + dropout[l]);
                    noise[l] = version >= VERSION_3 ? noiseOf(in.readInt(), name) : Dropout.Noise.BERNOULLI;
                    if (noise[l] == Dropout.Noise.CONCRETE) {
                        check(version >= VERSION, name, "noise code 3 (concrete) in a version " + version + " file");
                        logits[l] = in.readFloat();
                        check(Float.isFinite(logits[l]), name, "concrete dropout logit " + logits[l] + " of layer " + l);
                    }
                    maskIds[l] = in.readInt();
                    shapes[l] = new int[]{tag, d, h, act};
                    parameters += (long) d * h + h;
                }
                case TAG_CONV2D -> {
                    int[] v = {tag, width(in, name), width(in, name), width(in, name), width(in, name), width(in, name),
                            in.readInt(), in.readInt()};
                    check(v[6] == 0 || v[6] == 1, name, "padding code " + v[6]);
                    shapes[l] = v;
                    parameters += (long) v[4] * v[4] * v[3] * v[5] + v[5];
                }
                case TAG_MAXPOOL2D -> shapes[l] = new int[]{tag, width(in, name), width(in, name), width(in, name),
                        width(in, name)};
                case TAG_DROPOUT -> {
                    shapes[l] = new int[]{tag, width(in, name)};
                    dropout[l] = in.readFloat();
                    check(dropout[l] >= 0 && dropout[l] < 1, name, "dropout " + dropout[l]);
                    noise[l] = version >= VERSION_3 ? noiseOf(in.readInt(), name) : Dropout.Noise.BERNOULLI;
                    check(noise[l] != Dropout.Noise.CONCRETE, name, "concrete noise of dropout layer " + l);
                    maskIds[l] = in.readInt();
                }
                default -> throw new ModelFileException(name + ": model file is corrupted (unexpected layer tag " + tag
                        + " of layer " + l + ")");
            }
        }
        // Sizes against the bytes that are there, before anything that large is allocated.
        check(parameters * Float.BYTES == in.available(), name, "layer shapes: they need " + parameters
                + " parameters (" + parameters * Float.BYTES + " bytes) but " + in.available() + " bytes follow");
        if (modelKind == KIND_NETWORK) {
            for (int l = 0; l < count; l++) {
                check(noise[l] == Dropout.Noise.BERNOULLI || noise[l] == Dropout.Noise.GAUSSIAN
                                || shapes[l][0] == TAG_DENSE, name, "noise " + noise[l] + " of network layer " + l
                        + " (DropConnect and concrete dropout are dense layers' only)");
            }
        }
        if (modelKind == KIND_MLP) {
            int[] sizes = new int[count + 1];
            sizes[0] = shapes[0][1];
            for (int l = 0; l < count; l++) {
                check(shapes[l][0] == TAG_DENSE && shapes[l][1] == sizes[l] && maskIds[l] == l, name,
                        "layer " + l + " of an MLP");
                sizes[l + 1] = shapes[l][2];
                Activation act = activationOf(shapes[l][3], name);
                check(act == (l + 1 < count ? hidden : Activation.IDENTITY), name, "activation " + act + " of MLP layer " + l);
            }
            check(hidden != Activation.IDENTITY, name, "hidden activation " + hidden);
            for (int l = 1; l < count; l++) {
                check(noise[l] == noise[0], name, "noise " + noise[l] + " of MLP layer " + l + " (layer 0 has " + noise[0] + ")");
            }
            int[] hiddenSizes = java.util.Arrays.copyOfRange(sizes, 1, count);
            if (noise[0] == Dropout.Noise.CONCRETE) {
                // The rates are the logits below; the builder only needs a valid starting rate.
                java.util.Arrays.fill(dropout, 0.5f);
            }
            Mlp model = Mlp.builder(sizes[0]).activation(hidden).likelihood(likelihood).dropoutPerLayer(dropout)
                    .noise(noise[0]).hidden(hiddenSizes).output(sizes[count]).build();
            for (int l = 0; l < model.layers(); l++) {
                readInto(in, model.weights(l), name);
                readInto(in, model.biases(l), name);
            }
            model.logTauHolder()[0] = logTau;
            System.arraycopy(logits, 0, model.dropLogits(), 0, model.dropLogits().length);
            check(scaling == null || scaling.featureDim() == sizes[0], name, "scaling width " + (scaling == null ? 0 : scaling.featureDim()));
            Finite.requireFiniteParameters(model);
            return new Saved(model, settings, scaling);
        }
        check(likelihood.isCategorical(), name, "likelihood of a network (networks are classifiers)");
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            int[] v = shapes[l];
            layers.add(switch (v[0]) {
                case TAG_DENSE -> denseLayer(v, activationOf(v[3], name), dropout[l], maskIds[l], noise[l], logits[l]);
                case TAG_CONV2D -> new ConvLayer(v[1], v[2], v[3], v[4], v[5],
                        v[6] == 0 ? Conv2D.Padding.VALID : Conv2D.Padding.SAME, activationOf(v[7], name));
                case TAG_DROPOUT -> new DropoutLayer(v[1], dropout[l], maskIds[l], noise[l]);
                default -> new PoolLayer(v[1], v[2], v[3], v[4]);
            });
        }
        Network network = new Network(layers);
        for (float[] p : storedArrays(network)) {
            readInto(in, p, name);
            for (float x : p) {
                check(Float.isFinite(x), name, "non-finite parameter " + x);
            }
        }
        check(scaling == null || scaling.featureDim() == network.inputSize(), name, "scaling width "
                + (scaling == null ? 0 : scaling.featureDim()));
        return new Saved(null, settings, scaling, network);
    }

    /** What both versions store between their model shapes: likelihood, log τ, settings, normalisation. */
    private record Header(Likelihood likelihood, float logTau, TrainingSettings settings, Normalization scaling) {
    }

    private static Header readHeader(DataInputStream in, String name) throws IOException {
        int kind = in.readInt();
        check(kind == 0 || kind == 1, name, "likelihood code " + kind);
        boolean learnTau = in.readBoolean();
        float initialLogTau = in.readFloat();
        float logTau = in.readFloat();
        check(Float.isFinite(initialLogTau) && Float.isFinite(logTau), name, "log tau " + logTau);
        Likelihood likelihood = kind == 0 ? Likelihood.categorical() : Likelihood.gaussian(Math.exp(initialLogTau), learnTau);
        TrainingSettings settings = new TrainingSettings(in.readFloat(), in.readInt(), in.readInt(), in.readInt(),
                in.readDouble(), in.readLong(), in.readUTF(), in.readUTF());
        return new Header(likelihood, logTau, settings, readScaling(in, name));
    }

    private static int width(DataInputStream in, String name) throws IOException {
        int v = in.readInt();
        check(v >= 1 && v <= MAX_WIDTH, name, "layer size " + v);
        return v;
    }

    private static Normalization readScaling(DataInputStream in, String name) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        double[] mean = readDoubles(in, name);
        double[] std = readDoubles(in, name);
        double[] targetMean = readDoubles(in, name);
        double[] targetStd = readDoubles(in, name);
        return Normalization.of(mean, std, targetMean, targetStd);
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
