package io.github.alphadrop.spark;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * One partition's training rows as flat arrays: features (rows × width), labels, and each row's global index,
 * its position in the DataFrame's order (what names its place in every epoch's batch order, so the result
 * does not depend on how the rows are partitioned).
 */
final class RowBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int[] index;
    final float[] x;
    final double[] label;
    final int width;

    private RowBlock(int[] index, float[] x, double[] label, int width) {
        this.index = index;
        this.x = x;
        this.label = label;
        this.width = width;
    }

    int rows() {
        return index.length;
    }

    /**
     * The block of one partition of (features, label) rows with their global index; none for an empty
     * partition. Every bad value is refused with the row and column it is in.
     */
    static Iterator<RowBlock> of(Iterator<Tuple2<Row, Long>> rows, int width, String featuresCol, String labelCol) {
        List<Long> indices = new ArrayList<>();
        List<float[]> features = new ArrayList<>();
        List<Double> labels = new ArrayList<>();
        while (rows.hasNext()) {
            Tuple2<Row, Long> next = rows.next();
            long index = next._2();
            if (index > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("more than " + (Integer.MAX_VALUE - 8) + " training rows");
            }
            Row row = next._1();
            features.add(features(row, 0, width, featuresCol, index, "the first row"));
            if (row.isNullAt(1)) {
                throw new IllegalArgumentException("row " + index + ": " + labelCol + " is null");
            }
            double label = ((Number) row.get(1)).doubleValue();
            if (!Double.isFinite(label)) {
                throw new IllegalArgumentException("row " + index + ": " + labelCol + " is " + label);
            }
            indices.add(index);
            labels.add(label);
        }
        if (indices.isEmpty()) {
            return Collections.emptyIterator();
        }
        int n = indices.size();
        int[] index = new int[n];
        float[] x = new float[n * width];
        double[] label = new double[n];
        for (int i = 0; i < n; i++) {
            index[i] = (int) (long) indices.get(i);
            System.arraycopy(features.get(i), 0, x, i * width, width);
            label[i] = labels.get(i);
        }
        return Collections.singletonList(new RowBlock(index, x, label, width)).iterator();
    }

    /**
     * Column {@code column} of {@code row} as {@code width} finite floats, or an error naming the row, the column
     * and where the expected width comes from ({@code widthSource}, e.g. "the model").
     */
    static float[] features(Row row, int column, int width, String featuresCol, long index, String widthSource) {
        if (row.isNullAt(column)) {
            throw new IllegalArgumentException("row " + index + ": " + featuresCol + " is null");
        }
        Vector v = row.getAs(column);
        if (v.size() != width) {
            throw new IllegalArgumentException("row " + index + ": " + featuresCol + " has " + v.size() + " values, "
                    + widthSource + " has " + width);
        }
        float[] out = new float[width];
        for (int j = 0; j < width; j++) {
            double value = v.apply(j);
            if (!Double.isFinite(value) || Math.abs(value) > Float.MAX_VALUE) {
                throw new IllegalArgumentException("row " + index + ": " + featuresCol + "[" + j + "] = " + value
                        + " is not a finite float");
            }
            out[j] = (float) value;
        }
        return out;
    }
}
