package io.github.alphadrop.experiments;

import io.github.alphadrop.io.AtomicFiles;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;

/**
 * Per-split results as CSV, one row per (split, α), written atomically: the rows go to a temporary file
 * beside the target, which is then renamed over it. A reader (or a run killed half-way through a
 * rewrite) therefore sees either the previous complete file or the new one, never a torn one; that is
 * what lets the command rewrite the file after every finished split as a checkpoint.
 */
public final class ResultsCsv {

    /** The header; numbers are written with {@link Double#toString} so that they read back exactly. */
    public static final String[] COLUMNS = {"set", "split", "alpha", "dropout", "train_size", "test_size", "rmse", "nll",
            "noise_std", "final_loss", "train_seconds", "seconds", "validation_nll", "learned_dropout",
            "dropout_regulariser"};

    private ResultsCsv() {
    }

    /**
     * Replaces {@code file} with the given rows.
     *
     * @throws IOException if the folder is missing or not writable (the old file, if any, is then untouched)
     */
    public static void write(Path file, List<SplitResult> results) throws IOException {
        AtomicFiles.replace(file, tmp -> {
            try (CSVPrinter out = CSVFormat.RFC4180.builder().setHeader(COLUMNS).setRecordSeparator('\n').get()
                    .print(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
                for (SplitResult r : results) {
                    out.printRecord(row(r));
                }
            }
        });
    }

    static List<String> row(SplitResult r) {
        // Candidate NLLs are ';'-separated inside one column so that the column count stays fixed.
        StringJoiner validation = new StringJoiner(";");
        for (double v : r.validationNll()) {
            validation.add(Double.toString(v));
        }
        StringJoiner learned = new StringJoiner(";");
        for (float v : r.learnedDropout()) {
            learned.add(Float.toString(v));
        }
        return List.of(r.set(), Integer.toString(r.split()), Float.toString(r.alpha()), Float.toString(r.dropout()),
                Integer.toString(r.trainSize()), Integer.toString(r.testSize()), Double.toString(r.rmse()),
                Double.toString(r.nll()), Double.toString(r.noiseStd()), Double.toString(r.finalLoss()),
                Double.toString(r.trainSeconds()), Double.toString(r.seconds()), validation.toString(), learned.toString(),
                Double.isNaN(r.dropoutRegulariser()) ? "" : Double.toString(r.dropoutRegulariser()));
    }
}
