package example.spark;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

import java.util.List;

/** Test metrics of scored rows (label, prediction, probability, entropy, mutualInformation). */
final class Summary {
    double accuracy;
    double logLikelihood;
    double entropy;
    double mutualInformation;

    static Summary of(List<Row> rows) {
        Summary s = new Summary();
        for (Row r : rows) {
            int label = (int) r.getDouble(0);
            Vector p = r.getAs(2);
            s.accuracy += r.getDouble(1) == label ? 1 : 0;
            s.logLikelihood += Math.log(Math.max(p.apply(label), Double.MIN_NORMAL));
            s.entropy += r.getDouble(3);
            s.mutualInformation += r.getDouble(4);
        }
        int n = rows.size();
        s.accuracy /= n;
        s.logLikelihood /= n;
        s.entropy /= n;
        s.mutualInformation /= n;
        return s;
    }
}
