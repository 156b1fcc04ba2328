package io.github.alphadrop.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/** Checks of input columns, with messages that name the column, its type and what was expected. */
final class Schemas {

    private Schemas() {
    }

    static void requireVector(StructType schema, String column) {
        DataType type = type(schema, column, "a features vector");
        if (!type.equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException("column '" + column + "' must be a vector (e.g. from a VectorAssembler),"
                    + " got " + type.simpleString());
        }
    }

    static void requireNumeric(StructType schema, String column) {
        DataType type = type(schema, column, "the labels");
        if (!(type instanceof NumericType)) {
            throw new IllegalArgumentException("column '" + column + "' must be numeric (labels as doubles), got "
                    + type.simpleString());
        }
    }

    /** {@code schema} with the output columns added; one that is already there is refused. */
    static StructType withOutputs(StructType schema, java.util.List<org.apache.spark.sql.types.StructField> outputs) {
        StructType out = schema;
        for (org.apache.spark.sql.types.StructField field : outputs) {
            if (Arrays.asList(schema.fieldNames()).contains(field.name())) {
                throw new IllegalArgumentException("the output column '" + field.name() + "' is already in the input;"
                        + " set its column parameter to another name (or to \"\" to leave it out)");
            }
            out = out.add(field);
        }
        return out;
    }

    private static DataType type(StructType schema, String column, String what) {
        if (column == null || column.isEmpty()) {
            throw new IllegalArgumentException("the column of " + what + " must be named");
        }
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("column '" + column + "' (" + what + ") is not in the input; it has "
                    + Arrays.toString(schema.fieldNames()));
        }
        return schema.apply(column).dataType();
    }
}
