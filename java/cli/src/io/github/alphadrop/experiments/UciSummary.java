package io.github.alphadrop.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the paper-style table: for one α, mean ± standard error over splits of the test NLL and
 * RMSE (original units), and the mean wall-clock seconds per split.
 */
public record UciSummary(float alpha, int splits, double nllMean, double nllSe, double rmseMean, double rmseSe,
                         double secondsPerSplit) {

    /**
     * Groups results by α (in ascending α order) and summarises each group with {@link Stats}.
     */
    public static List<UciSummary> of(List<SplitResult> results) {
        Map<Float, List<SplitResult>> byAlpha = new LinkedHashMap<>();
        results.stream().map(SplitResult::alpha).distinct().sorted()
                .forEach(a -> byAlpha.put(a, new ArrayList<>()));
        for (SplitResult r : results) {
            byAlpha.get(r.alpha()).add(r);
        }
        List<UciSummary> rows = new ArrayList<>();
        byAlpha.forEach((alpha, group) -> {
            double[] nll = group.stream().mapToDouble(SplitResult::nll).toArray();
            double[] rmse = group.stream().mapToDouble(SplitResult::rmse).toArray();
            double[] seconds = group.stream().mapToDouble(SplitResult::seconds).toArray();
            rows.add(new UciSummary(alpha, group.size(), Stats.mean(nll), Stats.standardError(nll), Stats.mean(rmse),
                    Stats.standardError(rmse), Stats.mean(seconds)));
        });
        return rows;
    }
}
