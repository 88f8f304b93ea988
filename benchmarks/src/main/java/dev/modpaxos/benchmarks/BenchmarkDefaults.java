package dev.modpaxos.benchmarks;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JVM settings and run lengths every benchmark inherits, so that all systems in a comparison
 * run with the very same flags: one fork, 1 GB heap, {@code ForkJoinPool.common.parallelism=2} (on
 * 2 cores Ratis's async paths otherwise start a thread per task; every system gets it), and the
 * Chronicle Map flags for Java 17 with its analytics off. Five 1 s warm-up iterations: on 2 cores
 * the JIT needs about four seconds before Netty and the core run at speed. A class may override
 * the run lengths.
 */
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx1g",
      "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
      "-Dchronicle.analytics.disable=true",
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED"
    })
public abstract class BenchmarkDefaults {}
