package io.github.alphadrop.spark;

import io.github.alphadrop.kernels.Backend;
import io.github.alphadrop.kernels.Kernels;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one kernel backend of an executor JVM, made on first use and shared by all its tasks. Its thread pool
 * has as many threads as the executor has task slots; the native backend runs one kernel at a time with all of
 * them, so concurrent tasks take turns and never oversubscribe the cores.
 */
final class ExecutorKernels {

    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(?:,\\s*\\d+)?\\]");
    private static volatile Kernels kernels;

    private ExecutorKernels() {
    }

    static Kernels get() {
        Kernels k = kernels;
        if (k == null) {
            synchronized (ExecutorKernels.class) {
                k = kernels;
                if (k == null) {
                    k = Backend.create(System.getProperty("alphadrop.backend", "auto"), taskSlots());
                    kernels = k;
                }
            }
        }
        return k;
    }

    /** spark.executor.cores, else the N of local[N] (all processors for local[*] and plain local), else all. */
    static int taskSlots() {
        int processors = Runtime.getRuntime().availableProcessors();
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return processors;
        }
        SparkConf conf = env.conf();
        if (conf.contains("spark.executor.cores")) {
            return Math.max(1, Math.min(processors, conf.getInt("spark.executor.cores", processors)));
        }
        return slotsOfMaster(conf.get("spark.master", ""), processors);
    }

    static int slotsOfMaster(String master, int processors) {
        if (master.equals("local")) {
            return 1;
        }
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) {
            return m.group(1).equals("*") ? processors : Math.max(1, Math.min(processors, Integer.parseInt(m.group(1))));
        }
        return processors;
    }
}
