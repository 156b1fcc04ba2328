package io.github.alphadrop.train;

import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.io.ModelFileException;
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
 * Training state at the end of an epoch, enough to continue bit-identically: the model (as model-file
 * bytes), the optimiser's state, the epochs done and their losses. The batch order and the dropout masks
 * need nothing more: both are functions of the seed and the epoch. Big-endian:
 * <pre>
 *   "ALPHACKP", int version (1), int epochs done, int n + n doubles (epoch losses),
 *   int n + n bytes (model file), long optimiser steps, int arrays, per array int n + n floats, int CRC-32
 * </pre>
 * {@link #write} replaces the file atomically (temporary file + rename), so a kill leaves the previous
 * checkpoint intact.
 */
public record Checkpoint(int epochsDone, double[] epochLosses, byte[] model, Optimizer.State optimizer) {

    private static final byte[] MAGIC = {'A', 'L', 'P', 'H', 'A', 'C', 'K', 'P'};
    private static final int VERSION = 1;

    public Checkpoint {
        if (epochsDone < 0 || epochLosses == null || epochLosses.length != epochsDone || model == null || optimizer == null) {
            throw new IllegalArgumentException("a checkpoint needs epochsDone >= 0 losses for each, a model and an"
                    + " optimizer state, got epochsDone = " + epochsDone);
        }
    }

    /** The model as it was at the checkpoint: an MLP's, or null for another network (see {@link #decode()}). */
    public Mlp decodeModel() {
        return ModelFile.decode(model).model();
    }

    /** The checkpoint's model, whichever kind. */
    public ModelFile.Saved decode() {
        return ModelFile.decode(model);
    }

    public void write(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(epochsDone);
        out.writeInt(epochLosses.length);
        for (double l : epochLosses) {
            out.writeDouble(l);
        }
        out.writeInt(model.length);
        out.write(model);
        out.writeLong(optimizer.steps());
        out.writeInt(optimizer.arrays().length);
        for (float[] a : optimizer.arrays()) {
            out.writeInt(a.length);
            for (float f : a) {
                out.writeFloat(f);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();
        io.github.alphadrop.io.AtomicFiles.write(file, bytes.toByteArray());
    }

    /**
     * @throws ModelFileException if the file is not a complete checkpoint (the message names it)
     */
    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no checkpoint file here");
        }
        byte[] bytes = Files.readAllBytes(file);
        String name = file.toString();
        if (bytes.length < MAGIC.length + 8 || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ModelFileException(name + ": not an AlphaDrop checkpoint");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        if (ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt() != (int) crc.getValue()) {
            throw new ModelFileException(name + ": checkpoint is truncated or corrupted (checksum mismatch)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length, bytes.length - MAGIC.length - 4));
        try {
            int version = in.readInt();
            if (version != VERSION) {
                throw new ModelFileException(name + ": checkpoint version " + version + " is not supported");
            }
            int epochs = in.readInt();
            int losses = in.readInt();
            if (epochs < 0 || losses != epochs || losses * 8L > in.available()) {
                throw new ModelFileException(name + ": checkpoint is corrupted (epochs " + epochs + ")");
            }
            double[] epochLosses = new double[losses];
            for (int i = 0; i < losses; i++) {
                epochLosses[i] = in.readDouble();
            }
            int modelLength = in.readInt();
            if (modelLength < 0 || modelLength > in.available()) {
                throw new ModelFileException(name + ": checkpoint is corrupted (model of " + modelLength + " bytes)");
            }
            byte[] model = in.readNBytes(modelLength);
            long steps = in.readLong();
            int arrays = in.readInt();
            if (arrays < 0 || arrays * 4L > in.available()) {
                throw new ModelFileException(name + ": checkpoint is corrupted (" + arrays + " optimizer arrays)");
            }
            float[][] state = new float[arrays][];
            for (int i = 0; i < arrays; i++) {
                int n = in.readInt();
                if (n < 0 || n * 4L > in.available()) {
                    throw new ModelFileException(name + ": checkpoint is corrupted (optimizer array of " + n + ")");
                }
                state[i] = new float[n];
                for (int j = 0; j < n; j++) {
                    state[i][j] = in.readFloat();
                }
            }
            ModelFile.decode(model); // checked now, not halfway into a resumed run
            return new Checkpoint(epochs, epochLosses, model, new Optimizer.State(steps, state));
        } catch (EOFException e) {
            throw new ModelFileException(name + ": checkpoint is truncated", e);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(name + ": checkpoint is corrupted (" + e.getMessage() + ")", e);
        }
    }
}
