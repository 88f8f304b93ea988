package dev.modpaxos.benchmarks;

/**
 * JVM flags every forked benchmark JVM gets, so that all systems in a comparison run with the same
 * settings. {@code @Fork(jvmArgsAppend = ...)} needs compile-time constants, hence one constant
 * per flag; {@code benchmarks/run.sh} passes the same list.
 */
final class Jvm {
  static final String HEAP = "-Xmx1g";
  /** On 2 cores Ratis's async paths otherwise start a thread per task; every system gets it. */
  static final String FJP = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2";
  static final String CHRONICLE_ANALYTICS = "-Dchronicle.analytics.disable=true";
  static final String E1 = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
  static final String E2 = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
  static final String E3 = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
  static final String E4 = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
  static final String O1 = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
  static final String O2 = "--add-opens=java.base/java.lang=ALL-UNNAMED";
  static final String O3 = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
  static final String O4 = "--add-opens=java.base/java.io=ALL-UNNAMED";
  static final String O5 = "--add-opens=java.base/java.util=ALL-UNNAMED";

  private Jvm() {}
}
